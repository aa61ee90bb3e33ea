/* transport_int: internals shared by transport_ep.c (endpoint: registry, ids, awaited replies,
 * shared peer streams), transport_tx.c (send streams) and transport_rx.c (incoming streams).
 * Not for other modules.
 * Locks: ep->mu guards the registry and the peer-stream cache; ep->pmu guards the table of
 * awaited answers and every stream's `pend`/`claimed` lists; s->mu guards a stream's queue, its
 * done list and its flags. Lock order: ep->pmu before s->mu; ep->mu is never held with another.
 * An item awaiting an answer is in the ep's hash (by id) and in its stream's pend list (sorted
 * by deadline) or claimed list (a response is being received); whoever unlinks it under pmu owns
 * it and hands it to the stream's done list, whose callbacks run on the stream thread. A stream
 * is freed only after its pend/claimed lists are empty (close unlinks what is left under pmu), so
 * the loop never reaches a freed stream through the table. */
#ifndef AIS_TRANSPORT_INT_H
#define AIS_TRANSPORT_INT_H

#include "transport/transport.h"
#include "net/tls.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/uio.h>

#define TP_PTAB 4096              /* buckets of the awaited-answer table (ids are sequential) */
#define TP_DEF_IDLE_MS 4000
#define TP_DEF_BURST 512
#define TP_DEF_MAX_BYTES (64ULL << 20)
#define TP_DEF_CONNECT_MS 3000
#define TP_DEF_IO_MS (5 * 60 * 1000)
#define TP_DEF_REPLY_MS 60000
#define TP_REPLY_BURST 65536      /* queued replies to one peer (a few hundred bytes each) */

enum { TP_K_OBJ, TP_K_REQ, TP_K_REPLY };

typedef struct tp_item {
	struct tp_item *next;         /* queue, then the thread's batch (stream thread) */
	struct tp_item *cnext;        /* done list / expired list (completion; any thread under locks) */
	struct tp_item *hnext;        /* ep hash chain (pmu) */
	struct tp_item *dprev, *dnext;/* stream's pend or claimed list (pmu) */
	transport_stream_t *s;
	uint64_t id;
	int kind;                     /* TP_K_* */
	int src;                      /* TRANSPORT_SRC_* */
	const void *mem;
	int fd;
	int64_t off;
	transport_seg_fn seg;         /* TRANSPORT_SRC_SEGS */
	void *seg_arg;
	int nseg;
	uint64_t plen;
	transport_done_cb done;
	void *arg;
	bool awaits;                  /* done fires on an answer (reply or response) */
	bool in_hash, claimed;
	int reply_ms;
	int64_t deadline;             /* monotonic ns; pend list order */
	/* result */
	int rc;
	bool replied;
	char *msg;                    /* malloc'd, or NULL */
	char cline[24];               /* "<hex size>\r\n" of the frame's chunk */
	size_t clen;
	size_t hlen;
	uint8_t hbuf[];               /* encoded fixed + object header */
} tp_item_t;

typedef struct tp_entry {
	struct tp_entry *next;
	char trname[TRANSPORT_TRNAME_MAX + 1];
	transport_rx_ops_t ops;
	void *arg;
	int refs;                     /* ep->mu: the registry's + one per incoming stream */
	atomic_bool dead;             /* unregistered */
	bool replies;                 /* the endpoint's own "_reply" handler */
} tp_entry_t;

typedef struct tp_peer {
	struct tp_peer *next;
	char url[TRANSPORT_URL_MAX];
	char trname[TRANSPORT_TRNAME_MAX + 1];
	transport_stream_t *s;
} tp_peer_t;

struct transport_ep {
	char node_id[TFRAME_SID_MAX + 1];
	char reply_url[TRANSPORT_URL_MAX];
	int idle_ms, burst, reply_ms;
	size_t max_hdr;
	pthread_mutex_t mu;
	tp_entry_t *entries;
	tp_peer_t *peers;
	bool closing;
	pthread_mutex_t pmu;
	tp_item_t *ptab[TP_PTAB];
	atomic_uint_fast64_t next_id;
	atomic_int live_rx;
	atomic_uint_fast64_t rx_streams, rx_objs, rx_bytes, rx_refused;
};

struct transport_stream {
	transport_ep_t *ep;
	char url[TRANSPORT_URL_MAX];
	char host[TRANSPORT_URL_MAX];
	char port[8];
	char trname[TRANSPORT_TRNAME_MAX + 1];
	int burst, idle_ms, connect_ms, io_ms;
	uint64_t max_bytes;
	bool shared;                  /* an endpoint-owned peer stream */
	pthread_t th;
	int evfd;                     /* wakes the stream thread */
	pthread_mutex_t mu;
	pthread_cond_t room_cv;       /* senders waiting for room */
	tp_item_t *qhead, *qtail;
	int qcount;
	uint64_t qbytes;
	tp_item_t *dhead, *dtail;     /* answered items: callbacks pending (s->mu) */
	bool sleeping, closing, aborting, exited;
	/* pmu */
	tp_item_t *pend_head, *pend_tail, *claimed;
	int npend;
	/* thread-owned connection state */
	int fd;
	bool tls;                     /* an https peer URL: the connection runs over TLS (net/tls.h) */
	SSL *ssl;                     /* with tls, while fd >= 0 */
	char *tlsbuf;                 /* TLS_FILE_BUF bytes: file payloads are read here, then written */
	int64_t last_ns;
	/* counters (s->mu) */
	transport_stats_t st;
};

/* transport_ep.c */
bool tp_trname_ok(const char *trname, bool allow_reserved);
uint64_t tp_next_id(transport_ep_t *ep);
tp_entry_t *tp_entry_get(transport_ep_t *ep, const char *trname); /* +1 ref; NULL if none */
void tp_entry_put(transport_ep_t *ep, tp_entry_t *e);
/* awaited answers (callers hold nothing) */
void tp_await_add(transport_ep_t *ep, tp_item_t *it);           /* before its frame is written */
void tp_await_arm(transport_ep_t *ep, tp_item_t *it, int64_t now); /* written: start the clock */
bool tp_await_unlink_unsent(transport_ep_t *ep, tp_item_t *it);  /* write failed: true if still ours */
/* a REPLY arrived for id: complete it (false: nobody waits) */
bool tp_await_reply(transport_ep_t *ep, uint64_t id, int status, const char *msg);
/* a response object for request id starts / ends (claim: false if nobody waits) */
bool tp_await_claim(transport_ep_t *ep, uint64_t id);
void tp_await_finish(transport_ep_t *ep, uint64_t id, int status);
/* move s's items past their deadline (all of them when all) to out (a list by ->cnext) */
tp_item_t *tp_await_expire(transport_stream_t *s, int64_t now, bool all);
int64_t tp_await_next_deadline(transport_stream_t *s); /* INT64_MAX when none */
int tp_await_count(transport_stream_t *s);
/* the endpoint's shared stream to (url, trname), opened on first use */
int tp_peer_stream(transport_ep_t *ep, const char *url, const char *trname, transport_stream_t **out);

/* transport_conn.c: the stream's connection (stream thread only); msg gets "transport <trname>
 * -> <url>: ..." on failure */
int tc_parse_url(transport_stream_t *s, const char *url);      /* into s->host, s->port */
int tc_connect(transport_stream_t *s, char *msg, size_t cap);  /* connect + head + 100-continue */
void tc_end_request(transport_stream_t *s);                    /* last chunk, answer, close */
void tc_close(transport_stream_t *s);
bool tc_aborting(transport_stream_t *s);
void tc_drain_evfd(transport_stream_t *s);
/* wait for events on s->fd: 0 (revents set), AIS_ETIMEOUT, AIS_EUNAVAIL (stream aborted) */
int tc_poll(transport_stream_t *s, short events, int timeout_ms, short *revents);
/* write all of iov (modified); *sent counts bytes written; 0 or AIS_E* (connection unusable) */
int tc_writev(transport_stream_t *s, struct iovec *iov, int n, uint64_t *sent, char *msg, size_t cap);
int tc_write_all(transport_stream_t *s, const void *p, size_t n, char *msg, size_t cap);
bool tc_peer_pending(transport_stream_t *s);                   /* readable now: an answer or a close */
int tc_peer_spoke(transport_stream_t *s, char *msg, size_t cap); /* read it, close; its AIS_E* */
void tc_msg(transport_stream_t *s, char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* transport_tx.c */
/* the payload comes from files (FD or SEGS): sent alone with sendfile, never batched */
static inline bool tp_src_file(int src) { return src == TRANSPORT_SRC_FD || src == TRANSPORT_SRC_SEGS; }
int tp_stream_new(transport_ep_t *ep, const char *url, const char *trname, const transport_opts_t *o,
		  bool shared, transport_stream_t **out);
/* queue an encoded item (never blocks): 0, AIS_EAGAIN (full), AIS_EUNAVAIL (closing) */
int tp_enqueue(transport_stream_t *s, tp_item_t *it, bool wait);
void tp_done_push(transport_stream_t *s, tp_item_t *it); /* s->mu: answered, run its callback */
void tp_item_free(tp_item_t *it);
tp_item_t *tp_item_new(const tframe_hdr_t *h, size_t max_hdr, int *rc);
void tp_stream_close(transport_stream_t *s, bool abort);

#endif
