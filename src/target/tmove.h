/* tmove: objects moving between targets over the target-to-target transport (transport/), the
 * adapter between the generic streams and the object core (obj/): transport knows frames, obj
 * knows no protocol, tmove turns one into the other. Two stream names, registered on every
 * target:
 *   "obj-put"   push: a peer sends an object (header = destination bucket/name + the source's
 *               size, checksum, version, custom metadata, atime); we stream it into the object
 *               writer, verify the checksum, commit and reply committed / the error.
 *   "obj-pull"  pull: a peer asks for an object (or a byte range); we open it with the object
 *               reader (validating as a GET does) and answer with the file (sendfile) or an error
 *               reply; the answer comes back on "obj-pull" to the asker's receive side, which
 *               feeds the caller's sink.
 * Users: native copy/rename to a peer (tobj_ops.c: tmove_send as the obj_send_fn), S3
 * CopyObject and UploadPartCopy with a source owned by a peer (s3/: tmove_pull). Both block the
 * calling pool thread until the transfer ended; disk I/O of received objects never runs on a loop
 * thread. Counts AIStore's stream.{out,in}.{n,size}. */
#ifndef AIS_TMOVE_H
#define AIS_TMOVE_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/bmd.h"
#include "cluster/smap.h"
#include "obj/obj.h"
#include "obj/obj_get.h"
#include "transport/tframe.h"

#define TMOVE_PUT "obj-put"
#define TMOVE_PULL "obj-pull"

/* register both stream names on the node's endpoint (after transport_init, before the server
 * starts) and start the workers; 0 or AIS_E* */
int tmove_init(void);

/* ---- receivers with a policy: another stream name whose objects go through the same push
 * receiver as "obj-put" (worker, pipe, writer, checksum verified, commit, reply), with hooks that
 * decide what to keep (rebalance: generation check, "never over a newer version", tombstones).
 * Per object, the policy sees a tmove_rx_t. */
typedef struct tmove_rx {
	const tframe_hdr_t *hdr;  /* on_hdr only */
	const obj_t *o;           /* admit and cond: the destination, placed */
	int64_t size;
	int cktype;               /* the sender's checksum (cksum_type_t) and value */
	const char *ckval;
	int64_t mtime;            /* the write time to keep (set by on_hdr; 0: now) */
	int verdict;              /* set by admit or cond when they skip (> 0); 0 = written */
	char msg[160];            /* the skip's reason (sent in the reply) */
	void *priv;               /* the policy's per-object state (on_hdr sets it) */
} tmove_rx_t;

enum { TMOVE_SKIP = 1 }; /* admit: accept without writing (reply 0, nothing changes here) */

typedef struct tmove_policy {
	/* loop thread, before anything is queued: 0 accept, AIS_E* refuse (the sender gets it) */
	int (*on_hdr)(void *arg, tmove_rx_t *rx);
	/* worker, the destination placed, nothing written yet: 0 write it, TMOVE_SKIP, AIS_E* refuse.
	 * An optimization only (not called for small objects received whole): cond decides */
	int (*admit)(void *arg, tmove_rx_t *rx);
	/* under the object's lock at commit (obj_commit_cond_fn semantics): 0 commit, AIS_EEXIST with
	 * rx->verdict > 0 = skip (reply 0), other AIS_E* = refuse */
	int (*cond)(void *arg, tmove_rx_t *rx, const lom_md_t *prev);
	/* worker, the object ended: rc 0 written, TMOVE_SKIP skipped, else the error (may be NULL) */
	void (*done)(void *arg, tmove_rx_t *rx, int rc);
	void *arg;
} tmove_policy_t;

/* register trname with the push receiver and pol (kept by reference: static storage); 0 or AIS_E* */
int tmove_register(const char *trname, const tmove_policy_t *pol);
/* after the HTTP server stopped, before transport_fini: finish the workers' queue, unregister */
void tmove_fini(void);

/* obj_send_fn (obj/obj_ops.h): send the opened, prepared source src (monolithic or chunked: its
 * files go out with sendfile, never through memory) to peer as bucket dbck's object dname and wait
 * for the peer's reply (bounded by timeout.send_file_time). 0 = committed at the peer; else the
 * peer's error (its AIS_E* code, message "<peer>: <why>" in err) or the transfer's. Pool threads
 * and jobs only (blocks). */
int tmove_send(void *arg, obj_get_t *src, const snode_t *peer, const bck_t *dbck, const char *dname, char *err,
	       size_t cap);

/* Pull bucket b's object name from its owner peer: the whole object (len < 0) or bytes
 * [off, off+len). The bytes go to sink (on this thread, in order; a sink error stops the pull),
 * the object's custom metadata, size, atime, write time, version and checksum into md (may be
 * NULL; filled before the first byte reaches the sink), its size into *size (may be NULL; also set
 * on AIS_ERANGE when the owner told it, else -1). A whole object is verified against the owner's
 * checksum. Blocks (pool threads, jobs). 0, AIS_ENOTFOUND (no such object), AIS_ENOBUCKET,
 * AIS_ERANGE (the range is not within the object), the sink's error, or AIS_E* with a message in
 * err (the owner's or the transfer's). */
int tmove_pull(const snode_t *peer, const bck_t *b, const char *name, int64_t off, int64_t len, obj_sink_fn sink,
	       void *arg, lom_md_t *md, int64_t *size, char *err, size_t cap);
/* the same for version seq (> 0) of the object: the current one when its LOM version is seq, else
 * the retained version seq (obj/obj_ver.h; AIS_ENOTFOUND when there is none) */
int tmove_pull_ver(const snode_t *peer, const bck_t *b, const char *name, int64_t seq, int64_t off, int64_t len,
		   obj_sink_fn sink, void *arg, lom_md_t *md, int64_t *size, char *err, size_t cap);

#endif
