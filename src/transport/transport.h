/* transport: long-lived target-to-target object streams (AIStore's transport/ package), the
 * generic layer that rebalance, EC, copy jobs and GetBatch move objects with. Knows nothing of
 * buckets on disk or of jobs: a frame carries a header (tframe.h) and payload bytes, what they mean
 * is the business of the handler registered for the stream's name ("trname").
 *
 *   sender (job/pool thread)                         receiver (loop thread of the peer's server)
 *   transport_open(ep, url, trname) ─ stream ──────► PUT /v1/transport/<trname>  (one HTTP request,
 *   transport_send(obj) ─► queue ─► stream thread ─►   chunked body = frames)
 *                                   writes frames       on_begin(hdr) -> ctx, on_data(ctx, bytes)*,
 *   done(res) ◄── written ──────────┘                   on_end(ctx, status)
 *   done(res) ◄── reply (F_REPLY) ◄── "_reply" stream ◄── transport_reply(to, status, msg)
 *
 * Endpoint: one per node (transport_ep_t): the node id stamped on frames, the URL peers send
 * replies to, the trname -> handler registry, ids and the table of objects waiting for a reply.
 * Stream lifecycle (one thread per stream; the connection comes and goes):
 *
 *   open ──send──► connect + PUT head + "Expect: 100-continue" ──100──► streaming ──idle_ms──►
 *     ▲              │ refused (404 unknown trname, connect error)     │   final chunk, 200,
 *     │              ▼                                                  │   close ──► idle ──┐
 *     │            queued objects fail (done rc < 0)   write error ─────┘                    │
 *     └──────────── next send reconnects ◄──────────────────────────────────────────────────┘
 *   transport_close(drain): queue sent, replies awaited, final chunk; (abort): everything fails.
 *
 * Completion: every transport_send() that returned 0 gets exactly one done() call, on the stream's
 * own thread: after the frame was written to the connection (rc 0), or, with want_reply, when the
 * receiver's reply arrived (rc = its status) or reply_timeout_ms passed (AIS_ETIMEOUT); a broken
 * or refused connection fails the object being written and every queued one (rc < 0, never a
 * silent loss). "Written" is not "delivered": bytes in the kernel when the peer dies are lost,
 * only a reply says the receiver has the object. done() must not block for long (it runs on the
 * stream thread) and must not call transport_close on its own stream.
 * Back-pressure on the send side: a stream queues at most `burst` objects and `max_bytes` payload
 * bytes (one larger object is admitted into an empty queue); transport_send() blocks the caller
 * until there is room (job and pool threads only: it asserts it is not on a loop thread),
 * transport_try_send() returns AIS_EAGAIN instead, and transport_wait_room() waits for room. */
#ifndef AIS_TRANSPORT_H
#define AIS_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/smap.h"
#include "net/http.h"
#include "transport/tframe.h"

#define TRANSPORT_PATH "/v1/transport"   /* route prefix; the stream's URL path is PATH/<trname> */
#define TRANSPORT_TRNAME_MAX 64           /* [A-Za-z0-9._-]; names starting with '_' are reserved */
#define TRANSPORT_TRNAME_REPLY "_reply"   /* the endpoint's own stream for replies */
#define TRANSPORT_URL_MAX 128
#define TRANSPORT_PAUSE 1                 /* a receive callback's "stop reading" (see below) */

typedef struct transport_ep transport_ep_t;
typedef struct transport_stream transport_stream_t;
typedef struct transport_rx transport_rx_t;

/* ---------------------------------------------------------------- endpoint */

typedef struct transport_ep_cfg {
	const char *node_id;   /* this node's id (frames' sender id); required */
	const char *reply_url; /* this node's intra-data URL ("http://host:port"): peers answer there */
	int idle_ms;           /* default idle teardown of a stream's connection (0: 4000 = AIStore's
				* transport.idle_teardown) */
	int burst;             /* default queue limit in objects (0: 512 = transport.burst_buffer) */
	size_t max_hdr;        /* largest object header sent or accepted (0: TFRAME_HDR_MAX) */
	int reply_timeout_ms;  /* default wait for a reply or a response (0: 60 s) */
} transport_ep_cfg_t;

transport_ep_t *transport_ep_new(const transport_ep_cfg_t *cfg);
/* Drains and closes the endpoint's own reply/response streams. Call after the HTTP server that
 * serves the endpoint has stopped and after closing every stream opened on it. */
void transport_ep_free(transport_ep_t *ep);
/* The receive entry point: handles PUT /v1/transport/<trname> on a loop thread (an unknown
 * trname answers 404 before the body is read). */
void transport_ep_serve(transport_ep_t *ep, http_req_t *r);

/* The node's endpoint: transport_init creates it and registers the route (before the server
 * starts); transport_fini frees it (after the server stopped). */
int transport_init(const char *node_id, const char *reply_url, int burst); /* burst: transport.burst_buffer */
void transport_fini(void);
transport_ep_t *transport_node(void); /* NULL before transport_init */

/* ---------------------------------------------------------------- sending */

typedef struct transport_opts {
	int burst;             /* queued objects before back-pressure (0: the endpoint's) */
	uint64_t max_bytes;    /* queued payload bytes before back-pressure (0: 64 MiB) */
	int idle_ms;           /* close the connection after this long without traffic (0: endpoint's) */
	int connect_timeout_ms;/* 0: 3000 */
	int io_timeout_ms;     /* a write making no progress (receiver stalled or gone) fails the
				* connection after this long (0: 5 min, as the server's io timeout) */
} transport_opts_t;

typedef struct transport_result {
	uint64_t id;           /* the frame id transport_send assigned */
	int rc;                /* 0, or AIS_E*: write/connect failure, refusal, timeout, the reply's status */
	bool replied;          /* rc and msg come from the receiver's reply */
	const char *msg;       /* the reply's message or a local description ("" if none); valid
				* only during the callback */
} transport_result_t;

typedef void (*transport_done_cb)(void *arg, const transport_result_t *res);

enum { TRANSPORT_SRC_NONE = 0, TRANSPORT_SRC_MEM, TRANSPORT_SRC_FD, TRANSPORT_SRC_SEGS };

/* TRANSPORT_SRC_SEGS: the payload is nseg file segments sent in order (e.g. the chunk files of a
 * chunked object). The stream thread asks for segment i (0..nseg-1, in order, once each) just
 * before sending it, so a sender with many files keeps one open at a time: fill *fd (open until
 * the next call or done(); the callee owns it), *off, *len; 0 or AIS_E*. The lengths must add up
 * to hdr.payload_len; a callback error or a mismatch cuts the connection (the frame cannot be
 * completed) and fails the object like a write error. Runs on the stream thread: may block on
 * open(2), nothing longer. */
typedef int (*transport_seg_fn)(void *arg, int i, int *fd, int64_t *off, uint64_t *len);

typedef struct transport_obj {
	/* in: the header (opcode, id, sid, corr and the reply/response flags are set by the
	 * transport; hdr.payload_len bytes follow). Copied (encoded) by transport_send. */
	tframe_hdr_t hdr;
	/* in: where the payload comes from. MEM: hdr.payload_len bytes at mem, FD: read by the
	 * stream thread with sendfile from fd at off. The caller keeps either valid (and the fd
	 * open) until done() was called. */
	int src;
	const void *mem;
	int fd;
	int64_t off;
	transport_seg_fn seg;   /* SEGS: nseg > 0 segments from seg(seg_arg, i, ...), valid until done() */
	void *seg_arg;
	int nseg;
	transport_done_cb done; /* may be NULL */
	void *arg;
	bool want_reply;        /* done() fires on the receiver's reply instead of on write */
	int reply_timeout_ms;   /* 0: the endpoint's default */
	/* out */
	uint64_t id;
} transport_obj_t;

/* Open a stream to a peer's URL (intra-data: "http://host:port"); no connection is made until
 * the first send. 0 or AIS_EINVAL (bad URL or trname), AIS_ENOMEM. */
int transport_open(transport_ep_t *ep, const char *url, const char *trname, const transport_opts_t *o,
		   transport_stream_t **out);
/* the same to a cluster node (its intra-data URL) */
int transport_open_node(transport_ep_t *ep, const snode_t *si, const char *trname, const transport_opts_t *o,
			transport_stream_t **out);
/* The endpoint's shared stream to (url, trname), opened on first use with default options and
 * kept until transport_ep_free: for request handlers that move one object now and then (pool
 * threads of copy/rename, S3 copies) and must not open a connection and a thread per request.
 * Any number of threads may send on it; never transport_close it. 0, AIS_EINVAL, AIS_EUNAVAIL. */
int transport_shared(transport_ep_t *ep, const char *url, const char *trname, transport_stream_t **out);
/* Enqueue o. 0: done() will be called exactly once. < 0: nothing was queued and done() is not
 * called: AIS_EINVAL/AIS_ETOOBIG (bad header or source), AIS_EUNAVAIL (stream closing).
 * Blocks while the queue is full: not on a loop thread (AIS_ASSERT). */
int transport_send(transport_stream_t *s, transport_obj_t *o);
/* the same, never blocking: AIS_EAGAIN when the queue is full (nothing queued) */
int transport_try_send(transport_stream_t *s, transport_obj_t *o);
/* wait until a send would not block: 0, AIS_ETIMEOUT, AIS_EUNAVAIL (closing). timeout_ms < 0: forever */
int transport_wait_room(transport_stream_t *s, int timeout_ms);
/* send and wait for done(): returns its rc; msg (may be NULL) receives its message. The wait ends
 * at the latest after io_timeout (write) or reply_timeout (reply). Not on a loop thread. */
int transport_send_wait(transport_stream_t *s, transport_obj_t *o, char *msg, size_t msgcap);
/* Pull: ask the peer to send an object (described by o->hdr: bucket, name, F_RANGE with offset
 * and size = length or -1, opaque) back to this node on the same trname. The peer's handler gets
 * on_request() and answers with transport_respond() (the object, whose frame has F_RESPONSE and
 * corr = o->id) or transport_reply() (an error). done() fires when this node's handler for the
 * trname finished receiving the response (rc = the receive status), on the error reply, or after
 * reply_timeout_ms. No payload. Blocks like transport_send. */
int transport_request(transport_stream_t *s, transport_obj_t *o);
/* Close: drain (send what is queued, wait for the replies awaited, end the request) or abort (fail
 * queued and awaited objects with AIS_EUNAVAIL, cut the connection). Frees s. Not on a loop
 * thread, not from done(). */
void transport_close(transport_stream_t *s, bool abort);

typedef struct transport_stats {
	uint64_t objs, bytes;   /* frames written (replies not counted), payload bytes */
	uint64_t connects;      /* connections opened */
	uint64_t errors;        /* objects failed */
	int queued;             /* objects in the queue now */
} transport_stats_t;
void transport_stats(transport_stream_t *s, transport_stats_t *st);

/* ---------------------------------------------------------------- receiving */

/* Per-trname handler. All callbacks of one incoming stream run on the loop thread that reads it
 * (different streams on different loops: arg must be thread-safe); they must not block. The
 * header and its strings are valid only during on_begin/on_request: copy what you keep.
 * Back-pressure: on_begin, on_data, on_end and on_request may return TRANSPORT_PAUSE: the call
 * took effect (the bytes were taken) but the stream reads no more from the socket (the sender is
 * throttled by TCP and then by its queue) until the handler calls transport_rx_resume(rx), once
 * per PAUSE returned, from any thread (typically the worker that wrote the bytes to disk). No
 * callback of that stream runs in between, except that if the connection fails meanwhile, the
 * open object's on_end(ctx, AIS_E*) runs inside the transport_rx_resume call.
 * Object sequence: on_begin -> on_data* -> on_end, always ending in on_end once on_begin accepted
 * (returned 0 or PAUSE). on_begin returning AIS_E* refuses the object: its payload is skipped and,
 * when the sender wants a reply, the transport replies with that code. on_data returning AIS_E*
 * skips the rest of the payload; on_end then gets that code. on_end status: 0 when every payload
 * byte was delivered, else why not. Once on_begin accepted an object wanting a reply, replying
 * is the handler's job (transport_rx_replyto + transport_reply, any thread, any time). */
typedef struct transport_rx_ops {
	int (*on_begin)(void *arg, transport_rx_t *rx, const tframe_hdr_t *hdr, void **ctx);
	int (*on_data)(void *ctx, transport_rx_t *rx, const void *data, size_t len);
	int (*on_end)(void *ctx, transport_rx_t *rx, int status);
	/* a REQ frame (pull); NULL: the transport answers AIS_ENOTIMPL. AIS_E* makes the transport
	 * reply with it. To answer, hand the work to a job/pool thread (transport_respond blocks). */
	int (*on_request)(void *arg, transport_rx_t *rx, const tframe_hdr_t *hdr);
	/* after transport_unregister, once no stream uses the handler anymore (may be NULL) */
	void (*on_release)(void *arg);
} transport_rx_ops_t;

/* 0, AIS_EINVAL (bad or reserved name, missing on_begin/on_data/on_end), AIS_EEXIST */
int transport_register(transport_ep_t *ep, const char *trname, const transport_rx_ops_t *ops, void *arg);
/* New streams for trname are refused (404); streams still open fail at their next frame (their
 * open objects get on_end(ctx, AIS_EUNAVAIL)); on_release runs when the last one is gone.
 * 0 or AIS_ENOTFOUND. */
int transport_unregister(transport_ep_t *ep, const char *trname);
/* lift one TRANSPORT_PAUSE (any thread) */
void transport_rx_resume(transport_rx_t *rx);
/* the incoming stream's peer: its node id and reply URL (as sent in its request head) */
const char *transport_rx_sid(const transport_rx_t *rx);
const char *transport_rx_trname(const transport_rx_t *rx);

/* where a reply or a response goes; copyable, usable after the stream ended */
typedef struct transport_replyto {
	char url[TRANSPORT_URL_MAX];
	char sid[TFRAME_SID_MAX + 1];
	uint64_t id;
} transport_replyto_t;
/* For a frame that wants an answer (OBJ with F_REPLY, or REQ): fill to. AIS_EINVAL otherwise. */
int transport_rx_replyto(const transport_rx_t *rx, const tframe_hdr_t *hdr, transport_replyto_t *to);
/* a handler that takes a payload whole into memory (buf of cap = payload_len bytes): on_data
 * appends to buf at *len (AIS_EINVAL past cap); on_end's status, or AIS_EIO when it fell short */
int transport_rx_append(void *buf, size_t cap, size_t *len, const void *data, size_t n);
int transport_rx_whole(size_t cap, size_t len, int status);
/* Answer (status 0 or AIS_E*, msg may be NULL). Never blocks (any thread, loop included): the
 * reply is queued on the endpoint's stream to the peer; AIS_EAGAIN when that queue is full, then
 * the sender's wait times out. */
int transport_reply(transport_ep_t *ep, const transport_replyto_t *to, int status, const char *msg);
/* Send o to the requesting node on trname as the response to request `to` (transport_send on the
 * endpoint's shared stream to that node; blocks like it). */
int transport_respond(transport_ep_t *ep, const transport_replyto_t *to, const char *trname, transport_obj_t *o);

/* receive counters of the endpoint (all trnames) */
typedef struct transport_rx_stats {
	uint64_t streams, objs, bytes, refused;
} transport_rx_stats_t;
void transport_ep_rx_stats(transport_ep_t *ep, transport_rx_stats_t *st);

#endif
