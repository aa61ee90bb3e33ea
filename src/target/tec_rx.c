/* tec_rx: the "ec" stream's receive side (see tec_int.h for the frames): slices and replicas
 * pushed by owners are stored under %ec by a tmove worker (never on the loop thread), drop
 * requests remove them, pull requests are served from them, and responses to this target's own
 * pulls go to the waiting restore (tec_get.c). Payloads are taken whole into memory (at most
 * TEC_MAX_SLICE; the sender's stream queue bounds what is in flight).
 * Invariant: a stored slice is replaced only by one of the same or a newer generation, and a
 * drop removes only generations up to its own; both decisions and the rename or unlink happen
 * under the object's lock. */
#include "target/tec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "stats/stats.h"
#include "target/tmove_int.h"

enum { RX_STORE = 1, RX_DROP, RX_RESP, RX_SERVE };

typedef struct rxo {
	tm_task_t task;
	int kind;
	ecmeta_t m;
	uint64_t token;
	int64_t gen;
	bool want_reply;
	transport_replyto_t to;
	char provider[TFRAME_PROVIDER_MAX + 1], ns[2 * TFRAME_NS_MAX + 4], bucket[TFRAME_BUCKET_MAX + 1];
	char *name;
	unsigned char *buf;
	size_t len, cap;
	char opaque[8 + ECMETA_MAX + 1]; /* RX_SERVE: the response's */
} rxo_t;

static void rxo_free(rxo_t *x)
{
	if (!x)
		return;
	free(x->name);
	free(x->buf);
	free(x);
}

static void rxo_reply(rxo_t *x, int rc, const char *msg)
{
	if (x->want_reply)
		transport_reply(transport_node(), &x->to, rc, msg);
}

static rxo_t *rxo_new(const tframe_hdr_t *h)
{
	rxo_t *x = calloc(1, sizeof(*x));
	if (!x || !(x->name = strdup(h->objname ? h->objname : ""))) {
		free(x);
		return NULL;
	}
	snprintf(x->provider, sizeof(x->provider), "%s", h->provider && *h->provider ? h->provider : "ais");
	tm_ns_join(h->ns_uuid, h->ns_name, x->ns, sizeof(x->ns));
	snprintf(x->bucket, sizeof(x->bucket), "%s", h->bucket ? h->bucket : "");
	return x;
}

static int rx_on_begin(void *arg, transport_rx_t *rx, const tframe_hdr_t *h, void **ctx)
{
	(void)arg;
	const char *op = h->opaque;
	rxo_t *x = rxo_new(h);
	if (!x)
		return AIS_ENOMEM;
	int rc = 0;
	if (h->flags & TFRAME_F_RESPONSE) {
		x->kind = RX_RESP;
		if (h->opaque_len <= 8 || ecmeta_decode(op + 8, h->opaque_len - 8, &x->m))
			rc = AIS_EINVAL;
		else
			x->token = tec_tok_get((const uint8_t *)op);
	} else if (h->opaque_len == 9 && op[0] == 'D') {
		x->kind = RX_DROP;
		x->gen = (int64_t)tec_tok_get((const uint8_t *)op + 1);
		if (h->payload_len)
			rc = AIS_EINVAL;
	} else {
		x->kind = RX_STORE;
		if (ecmeta_decode(op, h->opaque_len, &x->m))
			rc = AIS_EINVAL;
	}
	if (!rc && x->kind != RX_DROP &&
	    ((int64_t)h->payload_len != ecmeta_slice_len(&x->m) || (int64_t)h->payload_len > TEC_MAX_SLICE))
		rc = AIS_EINVAL;
	if (!rc && h->payload_len && !(x->buf = malloc(h->payload_len)))
		rc = AIS_ENOMEM;
	x->cap = (size_t)h->payload_len;
	if (!rc && (h->flags & TFRAME_F_REPLY)) {
		x->want_reply = true;
		rc = transport_rx_replyto(rx, h, &x->to);
	}
	if (rc) {
		rxo_free(x);
		return rc;
	}
	*ctx = x;
	return 0;
}

static int rx_on_data(void *ctx, transport_rx_t *rx, const void *data, size_t len)
{
	(void)rx;
	rxo_t *x = ctx;
	return transport_rx_append(x->buf, x->cap, &x->len, data, len);
}

static int rx_on_end(void *ctx, transport_rx_t *rx, int status)
{
	(void)rx;
	rxo_t *x = ctx;
	if ((status = transport_rx_whole(x->cap, x->len, status))) {
		rxo_reply(x, status, "incomplete EC slice");
		rxo_free(x);
		return 0;
	}
	if (x->kind == RX_RESP) {
		if (tec_get_deliver(x->token, &x->m, x->buf, x->len))
			x->buf = NULL; /* the waiter's now */
		rxo_free(x);
		return 0;
	}
	tm_submit(&x->task);
	return 0;
}

/* ---------------------------------------------------------------- worker tasks */

static int rx_place(rxo_t *x, obj_t *o, char *path, size_t cap, char *msg, size_t mcap)
{
	obj_why_t why;
	memset(o, 0, sizeof(*o));
	int rc = obj_init(o, x->provider, x->ns, x->bucket, x->name, &why);
	if (rc) {
		snprintf(msg, mcap, "%s: %s", obj_why_str(why), x->name);
		return rc;
	}
	if ((rc = ecmeta_path(o, path, cap)))
		snprintf(msg, mcap, "%s: no slice path", x->name);
	return rc;
}

static int rx_write(const obj_t *o, const rxo_t *x, char *work, size_t cap)
{
	int fd;
	int rc = obj_open_work(o, "ec", O_WRONLY, work, cap, &fd);
	if (rc)
		return rc;
	size_t off = 0;
	while (!rc && off < x->len) {
		ssize_t k = write(fd, x->buf + off, x->len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			rc = err_from_errno(errno);
		else
			off += (size_t)k;
	}
	if (!rc)
		rc = ecmeta_store(fd, NULL, &x->m);
	if (close(fd) && !rc)
		rc = err_from_errno(errno);
	if (rc)
		unlink(work);
	return rc;
}

static void rx_store(tm_task_t *t)
{
	rxo_t *x = (rxo_t *)t;
	obj_t o;
	char path[FQN_MAX], work[FQN_MAX], msg[256] = "", sck[17];
	int rc = rx_place(x, &o, path, sizeof(path), msg, sizeof(msg));
	if (!rc && x->m.bid && o.bck->bid && x->m.bid != o.bck->bid) {
		rc = AIS_EINVAL;
		snprintf(msg, sizeof(msg), "%s: bucket %s was re-created", x->name, o.bck->name);
	}
	if (!rc) {
		ecmeta_sck(x->buf ? (const void *)x->buf : "", x->len, sck);
		if (strcmp(sck, x->m.sck)) {
			rc = AIS_ECKSUM;
			snprintf(msg, sizeof(msg), "%s: EC slice checksum mismatch", x->name);
		}
	}
	size_t rel = 0;
	if (!rc && !(rc = obj_ct_path(&o, o.mpi, ECMETA_CT, path, sizeof(path), &rel)) &&
	    !(rc = obj_ct_mkdirs(&o, o.mpi, path, rel)) && !(rc = rx_write(&o, x, work, sizeof(work)))) {
		/* (the directories made holding no lock: a shorter name's piece in the way went into
		 * its leaf, as the main replicas' - obj_ct_path) */
		ecmeta_t cur;
		lom_lock(o.digest);
		bool newer = ecmeta_load(-1, path, &cur) == 0 && cur.gen > x->m.gen;
		int e = 0;
		if (!newer) {
			e = obj_ct_rename(&o, work, path, sizeof(path)) ? errno : 0;
			if (e == ENOENT) {
				fsops_mkdir_parent(path);
				e = obj_ct_rename(&o, work, path, sizeof(path)) ? errno : 0;
			}
		}
		lom_unlock(o.digest);
		if (newer || e)
			unlink(work);
		if (e) {
			rc = err_from_errno(e);
			snprintf(msg, sizeof(msg), "%.160s: %s", x->name, strerror(e));
		} else if (!newer) {
			stats_stream(true, (int64_t)x->len);
		}
	}
	if (rc)
		log_warn("%s: EC slice %s not stored: %s", node_name(), x->name, msg[0] ? msg : err_str(rc));
	rxo_reply(x, rc, msg);
	obj_fini(&o);
	rxo_free(x);
}

static void rx_drop(tm_task_t *t)
{
	rxo_t *x = (rxo_t *)t;
	obj_t o;
	char path[FQN_MAX], msg[256] = "";
	int rc = rx_place(x, &o, path, sizeof(path), msg, sizeof(msg));
	if (!rc) {
		ecmeta_t cur;
		lom_lock(o.digest);
		if (ecmeta_load(-1, path, &cur) == 0 && cur.gen <= x->gen)
			unlink(path);
		lom_unlock(o.digest);
	}
	rxo_reply(x, rc == AIS_ENOBUCKET ? 0 : rc, msg);
	obj_fini(&o);
	rxo_free(x);
}

static void rx_serve_done(void *arg, const transport_result_t *res)
{
	rxo_t *x = arg;
	if (!res->rc)
		stats_stream(false, (int64_t)x->len);
	rxo_free(x);
}

static void rx_serve(tm_task_t *t)
{
	rxo_t *x = (rxo_t *)t;
	obj_t o;
	char path[FQN_MAX], msg[256] = "";
	struct stat st;
	int rc = rx_place(x, &o, path, sizeof(path), msg, sizeof(msg));
	int fd = rc ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	if (!rc && fd < 0)
		rc = AIS_ENOTFOUND;
	if (!rc && (ecmeta_load(fd, NULL, &x->m) || fstat(fd, &st) || st.st_size != ecmeta_slice_len(&x->m) ||
		    st.st_size > TEC_MAX_SLICE || (x->m.bid && o.bck->bid && x->m.bid != o.bck->bid)))
		rc = AIS_ENOTFOUND; /* unreadable, truncated or of a re-created bucket: as good as absent */
	if (!rc && st.st_size && !(x->buf = malloc((size_t)st.st_size)))
		rc = AIS_ENOMEM;
	if (!rc) {
		x->len = (size_t)st.st_size;
		if (x->len && pread(fd, x->buf, x->len, 0) != (ssize_t)x->len)
			rc = AIS_EIO;
	}
	if (fd >= 0)
		close(fd);
	int ml = rc ? 0 : ecmeta_encode(&x->m, x->opaque + 8, sizeof(x->opaque) - 8);
	if (!rc && ml < 0)
		rc = AIS_EINVAL;
	if (rc) {
		transport_reply(transport_node(), &x->to, rc, rc == AIS_ENOTFOUND ? "no EC slice here" : err_str(rc));
		obj_fini(&o);
		rxo_free(x);
		return;
	}
	tec_tok_put((uint8_t *)x->opaque, x->token);
	char uuid[TFRAME_NS_MAX + 1], nsname[TFRAME_NS_MAX + 1];
	tm_ns_split(o.bck->ns, uuid, sizeof(uuid), nsname, sizeof(nsname));
	transport_obj_t f = {.hdr = {.provider = o.bck->provider, .ns_uuid = uuid, .ns_name = nsname,
				     .bucket = x->bucket, .objname = x->name, .size = (int64_t)x->len,
				     .payload_len = x->len, .opaque = x->opaque, .opaque_len = (uint32_t)(8 + ml)},
			     .src = x->len ? TRANSPORT_SRC_MEM : TRANSPORT_SRC_NONE, .mem = x->buf,
			     .done = rx_serve_done, .arg = x};
	transport_replyto_t to = x->to;
	obj_fini(&o);
	if ((rc = transport_respond(transport_node(), &to, TEC_TRNAME, &f))) {
		transport_reply(transport_node(), &to, rc, err_str(rc));
		rxo_free(x);
	}
}

static int rx_on_request(void *arg, transport_rx_t *rx, const tframe_hdr_t *h)
{
	(void)arg;
	if (h->opaque_len != 8)
		return AIS_EINVAL;
	rxo_t *x = rxo_new(h);
	if (!x)
		return AIS_ENOMEM;
	if (transport_rx_replyto(rx, h, &x->to)) {
		rxo_free(x);
		return AIS_EINVAL;
	}
	x->kind = RX_SERVE;
	x->token = tec_tok_get(h->opaque);
	x->task.fn = rx_serve;
	tm_submit(&x->task);
	return 0;
}

static int rx_on_begin_tasks(void *arg, transport_rx_t *rx, const tframe_hdr_t *h, void **ctx)
{
	int rc = rx_on_begin(arg, rx, h, ctx);
	if (!rc) {
		rxo_t *x = *ctx;
		x->task.fn = x->kind == RX_DROP ? rx_drop : rx_store;
	}
	return rc;
}

const transport_rx_ops_t tec_rx_ops = {
	.on_begin = rx_on_begin_tasks,
	.on_data = rx_on_data,
	.on_end = rx_on_end,
	.on_request = rx_on_request,
};
