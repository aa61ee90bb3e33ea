/* bk_blob: the blob downloader (AIStore's xs/blob_download.go, docs/blob_downloader.md): one
 * large remote object fetched with concurrent range reads straight into a chunked object
 * (each range is one chunk of an upload of the object core, obj/mpu.h, written on its own
 * mountpath), completed into the object's new version once every range is in. Used by the
 * blob-download job, by prefetch above its blob threshold, and by GET with Ais-Blob-Download.
 * Invariants: nothing is visible until the last chunk arrived and the completion committed;
 * any failure (or an abort) removes every chunk written. Blocks (its own worker threads). */
#ifndef AIS_BK_BLOB_H
#define AIS_BK_BLOB_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/bk.h"
#include "obj/obj.h"

#define BK_BLOB_DEFAULT_CHUNK (4 << 20) /* AIStore's default blob chunk size (4 MiB) */
#define BK_BLOB_MIN_CHUNK (64 << 10)
#define BK_BLOB_MAX_CHUNK (256 << 20)
#define BK_BLOB_MAX_WORKERS 128

typedef struct bk_blob_opts {
	int64_t chunk_size;   /* 0: default */
	int nworkers;         /* 0: auto (4); -1: one (no extra workers) */
	int64_t full_size;    /* known size (skips the HEAD), 0: ask the remote */
	/* progress: bytes just stored (any thread); a non-zero abort_fn return stops the download */
	void (*progress)(void *arg, int64_t bytes);
	bool (*aborted)(void *arg);
	void *arg;
} bk_blob_opts_t;

/* download o (a remote bucket's object). 0, or AIS_E* with e filled (AIS_EINTERNAL + "aborted"
 * when aborted_fn said so). md (optional, init'ed) receives the committed LOM. */
int bk_blob_get(const obj_t *o, const bk_blob_opts_t *opt, lom_md_t *md, bk_err_t *e);
/* parse a size option ("4mb", "1MiB", "1048576"); 0 or AIS_EINVAL */
int bk_blob_parse_chunk(const char *s, int64_t *out);

#endif
