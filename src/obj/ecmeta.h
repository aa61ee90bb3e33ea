/* ecmeta: the erasure-coding metadata of one slice or full replica of an object (AIStore's EC
 * metadata, ec/metadata.go: object size, D/P, slice index, generation, checksums), and where a
 * target keeps the slices it holds for other targets' objects:
 *   <mp>/@<provider>/[ns/]<bck>/%ec/<name as under %ob>   the slice or replica bytes
 *   its xattr user.ais.ec                                 this metadata (JSON, ecmeta_encode)
 * (AIStore keeps the metadata in %mt files; one xattr is atomic with the rename here.)
 * The generation is the main replica's write time (LOM mtime, ns): an overwrite gets a newer
 * one, so a slice of an older generation is stale and never combined with newer ones.
 * Encoding: a small JSON object {"v":1,"bid":..,"size":..,"gen":..,"d":..,"p":..,"idx":..,
 * "ck_type":..,"ck":..,"sck":..,"ver":..}; the decoder checks every type and range (fuzzed:
 * tests/fuzz/fuzz_ecmeta.c). Pure except the xattr and path helpers. */
#ifndef AIS_ECMETA_H
#define AIS_ECMETA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cksum.h"
#include "obj/lom.h"
#include "obj/obj.h"

#define ECMETA_XATTR "user.ais.ec"
#define ECMETA_CT "%ec"
#define ECMETA_MAX 1024 /* encoded bytes, at most */

typedef struct ecmeta {
	uint64_t bid;                /* the bucket's ID when written (a re-created bucket: stale) */
	int64_t size;                /* the object's size */
	int64_t gen;                 /* generation: the main replica's write time (ns) */
	int d, p;                    /* data and parity slices (1..32 each) */
	int idx;                     /* 0: a full replica; 1..d: data slice; d+1..d+p: parity slice */
	cksum_type_t cktype;         /* the object's checksum (its LOM's) */
	char ck[CKSUM_MAX_HEX];
	char sck[17];                /* xxhash (16 hex) of this slice's or replica's bytes */
	char version[LOM_VERSION_MAX];
} ecmeta_t;

/* into out (NUL-terminated, at most ECMETA_MAX bytes); length or AIS_EINVAL (invalid fields) */
int ecmeta_encode(const ecmeta_t *m, char *out, size_t cap);
/* from len bytes; 0 or AIS_EINVAL (malformed, a field missing, of the wrong type or range) */
int ecmeta_decode(const char *buf, size_t len, ecmeta_t *m);
/* the bytes this slice must have: size for a replica, ceil(size/d) for a slice */
int64_t ecmeta_slice_len(const ecmeta_t *m);
/* the slice path of o (placed on this target's HRW mountpath): 0 or AIS_EINVAL */
int ecmeta_path(const obj_t *o, char *out, size_t cap);
/* xattr I/O (fd >= 0, or path). load: AIS_ENOTFOUND (no file or no xattr), AIS_EINVAL (bad) */
int ecmeta_load(int fd, const char *path, ecmeta_t *m);
int ecmeta_store(int fd, const char *path, const ecmeta_t *m);
/* xxhash hex of len bytes (sck) */
void ecmeta_sck(const void *buf, size_t len, char out[17]);

#endif
