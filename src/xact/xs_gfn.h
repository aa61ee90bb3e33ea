/* xs_gfn: "get from neighbor" (AIStore's core.T.GetFromNeighbor): a GET of one object, or of one
 * archived file (archpath), straight from the target that stores it, streamed into callbacks:
 * GetBatch's designated target for entries its peers did not push (large ones, or after a
 * timeout), the archive job for sources another target owns. The request carries the redirect
 * marker (pid, utm) so the owner serves it. Blocking (libcurl, one handle per thread, reused
 * for keep-alive): job and pool threads only. */
#ifndef AIS_XS_GFN_H
#define AIS_XS_GFN_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/bmd.h"
#include "cluster/smap.h"

typedef struct xs_gfn_cb {
	/* once, before any data, when the owner answered 200: the size (Content-Length, -1 unknown) */
	int (*begin)(void *arg, int64_t size);
	int (*data)(void *arg, const void *buf, size_t n);
	void *arg;
} xs_gfn_cb_t;

/* 0 (the whole body went to the callbacks), AIS_ENOTFOUND (404: err has the owner's message),
 * another AIS_E* (the owner's status, a transfer error or timeout, or the callbacks' code).
 * *status (optional) = the HTTP status (0 when none). */
int xs_gfn_get(const snode_t *owner, const bck_t *b, const char *oname, const char *archpath, int timeout_ms,
	       const xs_gfn_cb_t *cb, int *status, char *err, size_t cap);

#endif
