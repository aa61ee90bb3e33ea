/* tec: the EC encoder side (see tec.h): the object core's hook, the bounded encode queue and its
 * thread, encoding and sending slices or replicas, delete notifications, HRW order of targets.
 * Invariants: the queue holds at most TEC_QCAP jobs, in TEC_THREADS lanes (an object's jobs all in
 * the lane of its digest, so its encodes and deletes run in commit order); a committing thread waits at most
 * TEC_QWAIT_MS for room (back-pressure on PUTs), then the encode is dropped and counted
 * (err.ec.queue.n; `ec-encode --recover` re-protects); deletes are never dropped. The encoder
 * keeps an object's buffers until every send completed (the transport sends from memory). */
#include "target/tec_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cluster/node.h"
#include "core/erasure.h"
#include "core/err.h"
#include "core/hrw.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "obj/obj_get.h"
#include "stats/stats.h"
#include "target/tmove_int.h"
#include "target/treb.h"

#define TEC_QCAP 1024
#define TEC_THREADS 3 /* encoders: one object's replies are awaited while others are read and coded */
#define TEC_QWAIT_MS 2000

typedef struct tec_job {
	struct tec_job *next;
	bool del;
	int64_t gen;  /* delete: the time of the delete */
	int lane;     /* the encoder thread (by the object's digest: one object's jobs stay in order) */
	char provider[16], ns[80], bck[BCK_NAME_MAX + 1];
	char name[];
} tec_job_t;

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv, room;
	tec_job_t *head[TEC_THREADS], *tail[TEC_THREADS];
	int n;        /* queued, every lane */
	bool stop, running;
	pthread_t th[TEC_THREADS];
	int nth;
} tq = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .room = PTHREAD_COND_INITIALIZER};

void tec_tok_put(uint8_t b[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

uint64_t tec_tok_get(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

int tec_order_in(const smap_t *m, const obj_t *o, snode_t *out, int cap)
{
	uint64_t d, w[TEC_MAX_TGTS];
	const bck_t *b = o->bck;
	if (hrw_obj_digest(b->provider, b->ns, b->name, o->oname, &d))
		return 0;
	if (cap > TEC_MAX_TGTS)
		cap = TEC_MAX_TGTS;
	int n = 0;
	for (int i = 0; m && i < m->ntargets; i++) {
		const snode_t *t = &m->targets[i];
		if (t->flags & (SNODE_MAINT | SNODE_DECOMM))
			continue;
		uint64_t h = hrw_mix(t->id_digest ^ d);
		int at = n < cap ? n : cap;
		while (at > 0 && w[at - 1] < h)
			at--;
		if (at >= cap)
			continue;
		for (int j = (n < cap ? n : cap - 1); j > at; j--) {
			w[j] = w[j - 1];
			out[j] = out[j - 1];
		}
		w[at] = h;
		out[at] = *t;
		if (n < cap)
			n++;
	}
	return n;
}

int tec_order(const obj_t *o, snode_t *out, int cap)
{
	smap_t *m = smap_get();
	int n = tec_order_in(m, o, out, cap);
	smap_put(m);
	return n;
}

/* ---------------------------------------------------------------- sending */

typedef struct tec_sent {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pending, failed;
	char err[200];
} tec_sent_t;

static void tec_sent_done(void *arg, const transport_result_t *res)
{
	tec_sent_t *s = arg;
	pthread_mutex_lock(&s->mu);
	if (res->rc && !s->failed++)
		snprintf(s->err, sizeof(s->err), "%s", res->msg && *res->msg ? res->msg : err_str(res->rc));
	s->pending--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* queue one frame for peer t (payload len bytes at buf, opaque) on the shared "ec" stream */
static int tec_send(const snode_t *t, const obj_t *o, const void *opaque, uint32_t olen, const void *buf,
		    size_t len, tec_sent_t *s)
{
	transport_stream_t *st;
	char uuid[TFRAME_NS_MAX + 1], nsname[TFRAME_NS_MAX + 1];
	int rc = transport_shared(transport_node(), t->data.url, TEC_TRNAME, &st);
	if (rc)
		return rc;
	tm_ns_split(o->bck->ns, uuid, sizeof(uuid), nsname, sizeof(nsname));
	transport_obj_t f = {.hdr = {.provider = o->bck->provider, .ns_uuid = uuid, .ns_name = nsname,
				     .bucket = o->bck->name, .objname = o->oname, .size = (int64_t)len,
				     .payload_len = len, .opaque = opaque, .opaque_len = olen},
			     .src = len ? TRANSPORT_SRC_MEM : TRANSPORT_SRC_NONE, .mem = buf, .done = tec_sent_done,
			     .arg = s, .want_reply = true, .reply_timeout_ms = tm_timeout_ms()};
	pthread_mutex_lock(&s->mu);
	s->pending++;
	pthread_mutex_unlock(&s->mu);
	rc = transport_send(st, &f);
	if (rc) {
		pthread_mutex_lock(&s->mu);
		s->pending--;
		pthread_mutex_unlock(&s->mu);
	}
	return rc;
}

static int tec_sent_wait(tec_sent_t *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->pending > 0)
		pthread_cond_wait(&s->cv, &s->mu);
	int failed = s->failed;
	pthread_mutex_unlock(&s->mu);
	return failed;
}

/* timing counters of the encoder (read, code, send + replies), logged every TEC_PROF_EVERY
 * objects: where an EC PUT's background cost goes (docs/redundancy.md "Performance") */
#define TEC_PROF_EVERY 100
static struct {
	pthread_mutex_t mu;
	int64_t n, bytes, read_ns, code_ns, send_ns;
} tprof = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void tec_prof_add(int64_t rd, int64_t code, int64_t send, size_t bytes)
{
	pthread_mutex_lock(&tprof.mu);
	tprof.n++;
	tprof.bytes += (int64_t)bytes;
	tprof.read_ns += rd;
	tprof.code_ns += code;
	tprof.send_ns += send;
	if (tprof.n == TEC_PROF_EVERY) {
		double n = (double)tprof.n;
		log_info("EC encode: %lld objects (%.1f MiB): per object read %.2f ms, encode %.2f ms, send + replies %.2f ms",
			 (long long)tprof.n, (double)tprof.bytes / (1 << 20), (double)tprof.read_ns / n / 1e6,
			 (double)tprof.code_ns / n / 1e6, (double)tprof.send_ns / n / 1e6);
		tprof.n = tprof.bytes = tprof.read_ns = tprof.code_ns = tprof.send_ns = 0;
	}
	pthread_mutex_unlock(&tprof.mu);
}

/* the object's bytes straight into the slice buffer (data slices back to back) */
typedef struct tec_buf {
	unsigned char *p;
	size_t len, cap;
} tec_buf_t;

static int tec_obj_sink(void *arg, const char *buf, size_t n)
{
	tec_buf_t *b = arg;
	if (n > b->cap - b->len)
		return AIS_EIO; /* grew while read: the next commit encodes it again */
	memcpy(b->p + b->len, buf, n);
	b->len += n;
	return 0;
}

/* what a rebalance asks of an encode (tec_reb_place): send only the pieces whose holder under
 * the current Smap differs in any of the maps olds (nold < 0: every piece), then tell the targets
 * outside the piece set to drop theirs (up to the object's generation) */
typedef struct tec_reb {
	const smap_t *const *olds;
	int nold;
	uint64_t *pos;         /* [nold][1 + D + P]: the ID digests in each old map's order (0: none) */
	int k1;                /* 1 + D + P */
	int64_t sent, dropped; /* out: pieces sent, drop notices sent */
} tec_reb_t;

/* position i (1-based among the targets after the owner; id = its digest now) needs its piece */
static bool tec_moved(const tec_reb_t *rb, uint64_t id, int i, bool replicate, int p)
{
	if (!rb || rb->nold < 0)
		return true;
	for (int m = 0; m < rb->nold; m++) {
		const uint64_t *pos = rb->pos + (size_t)m * (size_t)rb->k1;
		bool held = false;
		if (!replicate)
			held = i < rb->k1 && pos[i] == id;
		for (int j = 1; replicate && j <= p && j < rb->k1; j++) /* replicas are alike */
			held = held || pos[j] == id;
		if (!held)
			return true;
	}
	return false;
}

/* the old maps' orders of o (rb->pos); false when every position of every map equals ord's
 * (nothing moved: nothing to send or drop) */
static bool tec_reb_orders(tec_reb_t *rb, const obj_t *o, const snode_t *ord, int n)
{
	snode_t *tmp = calloc((size_t)rb->k1, sizeof(*tmp));
	bool moved = !tmp;
	for (int m = 0; tmp && m < rb->nold; m++) {
		uint64_t *pos = rb->pos + (size_t)m * (size_t)rb->k1;
		int no = tec_order_in(rb->olds[m], o, tmp, rb->k1);
		for (int i = 0; i < rb->k1; i++) {
			pos[i] = i < no ? tmp[i].id_digest : 0;
			moved = moved || i >= n || pos[i] != ord[i].id_digest;
		}
	}
	free(tmp);
	return moved;
}

/* the drop notice: "D" + generation */
static void tec_drop_op(uint8_t op[9], int64_t gen)
{
	op[0] = 'D';
	tec_tok_put(op + 1, (uint64_t)gen);
}

/* encode o (this target is its owner) and send the pieces; rb: a rebalance's placement pass
 * (NULL: an ordinary encode). 0 or AIS_E* */
static int tec_encode(const obj_t *o, tec_reb_t *rb)
{
	const bck_t *b = o->bck;
	snode_t *ord = calloc(TEC_MAX_TGTS, sizeof(*ord));
	obj_get_t g;
	obj_why_t why;
	tec_buf_t data = {0};
	unsigned char *sl = NULL;
	erasure_t e = {0};
	tec_sent_t s = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	int rc = 0, sent = 0, want = 0, npieces = 0;
	if (!ord)
		return AIS_ENOMEM;
	smap_t *sm = smap_get();
	int n = tec_order_in(sm, o, ord, TEC_MAX_TGTS);
	if (n < 1 || strcmp(ord[0].id, node_id())) {
		smap_put(sm);
		free(ord);
		return 0; /* not the owner (any more): the owner encodes */
	}
	treb_note_placed(sm); /* (before any piece goes: a rebalance then knows where it may be) */
	smap_put(sm);
	if (rb && rb->nold >= 0) {
		rb->k1 = 1 + b->ec_d + b->ec_p;
		rb->pos = calloc((size_t)(rb->nold ? rb->nold : 1) * (size_t)rb->k1, sizeof(uint64_t));
		if (!rb->pos)
			rb->nold = -1; /* (out of memory: send them all) */
		else if (!tec_reb_orders(rb, o, ord, n)) {
			free(ord);
			return 0; /* every piece stays where it is */
		}
	}
	if ((rc = obj_get_open(&g, o, OBJ_GET_QUIET | OBJ_GET_NOHEAL, &why))) {
		free(ord);
		return rc;
	}
	if (g.o != o) { /* misplaced: after the resilver */
		obj_get_close(&g);
		free(ord);
		return 0;
	}
	bool replicate = b->ec_limit < 0 || (b->ec_limit > 0 && g.size < b->ec_limit);
	size_t ss = erasure_slice_size(g.size, b->ec_d), k = (size_t)(b->ec_d + b->ec_p);
	if (!(rc = obj_get_prepare(&g, &why))) {
		replicate = b->ec_limit < 0 || (b->ec_limit > 0 && g.size < b->ec_limit); /* (re-checked) */
		ss = erasure_slice_size(g.size, b->ec_d);
		data.cap = replicate ? (size_t)g.size : k * ss;
		if (!(sl = data.p = calloc(1, data.cap ? data.cap : 1)))
			rc = AIS_ENOMEM;
	}
	int64_t t0 = mono_ns(), t1 = 0, t2 = 0;
	if (!rc && !g.chunked) { /* straight into the slice buffer (no bounce copy) */
		while (!rc && data.len < (size_t)g.size) {
			ssize_t got = obj_get_pread(&g, data.p + data.len, (size_t)g.size - data.len, (int64_t)data.len);
			if (got <= 0)
				rc = AIS_EIO;
			else
				data.len += (size_t)got;
		}
	} else if (!rc) {
		rc = obj_get_read_all(&g, tec_obj_sink, &data);
	}
	t1 = mono_ns();
	ecmeta_t m;
	memset(&m, 0, sizeof(m));
	m.bid = b->bid;
	m.size = g.size;
	m.gen = g.md.mtime;
	m.d = b->ec_d;
	m.p = b->ec_p;
	m.cktype = g.md.cktype;
	snprintf(m.ck, sizeof(m.ck), "%s", g.md.ckval);
	snprintf(m.version, sizeof(m.version), "%s", g.md.version);
	obj_get_close(&g);
	if (rc)
		goto out;
	if (m.d != b->ec_d || (int64_t)data.len != m.size) {
		rc = AIS_EIO;
		goto out;
	}
	npieces = replicate ? m.p : m.d + m.p;
	char meta[ECMETA_MAX + 1];
	if (replicate) {
		m.idx = 0;
		ecmeta_sck((const void *)data.p, data.len, m.sck);
		int ml = ecmeta_encode(&m, meta, sizeof(meta));
		if (ml < 0) {
			rc = ml;
			goto out;
		}
		for (int i = 1; i <= m.p && i < n; i++) {
			if (!tec_moved(rb, ord[i].id_digest, i, true, m.p))
				continue;
			want++;
			if (!tec_send(&ord[i], o, meta, (uint32_t)ml, (const void *)data.p, data.len, &s))
				sent++;
		}
		t2 = mono_ns();
		tec_sent_wait(&s);
		stats_ec(STATS_EC_ENCODE, (int64_t)data.len * sent);
		goto out;
	}
	if ((rc = erasure_init(&e, m.d, m.p)))
		goto out;
	unsigned char *ptr[2 * ERASURE_MAX_SLICES];
	for (size_t i = 0; i < k; i++)
		ptr[i] = sl + i * ss;
	erasure_encode(&e, ss, ptr, ptr + m.d);
	t2 = mono_ns();
	char (*metas)[ECMETA_MAX + 1] = malloc(k * sizeof(*metas));
	int *mls = malloc(k * sizeof(int));
	for (size_t i = 0; metas && mls && i < k && (int)i + 1 < n; i++) {
		if (!tec_moved(rb, ord[i + 1].id_digest, (int)i + 1, false, m.p))
			continue;
		want++;
		m.idx = (int)i + 1;
		ecmeta_sck(ptr[i], ss, m.sck);
		mls[i] = ecmeta_encode(&m, metas[i], sizeof(metas[i]));
		if (mls[i] > 0 && !tec_send(&ord[i + 1], o, metas[i], (uint32_t)mls[i], ptr[i], ss, &s))
			sent++;
	}
	tec_sent_wait(&s);
	free(metas);
	free(mls);
	stats_ec(STATS_EC_ENCODE, (int64_t)ss * sent);
out:
	if (!rc && t2)
		tec_prof_add(t1 - t0, t2 - t1, mono_ns() - t2, data.len);
	if (!rc && (s.failed || sent < want || n - 1 < npieces)) {
		log_warn("%s: EC: %d of %d pieces stored (%d targets): %s", o->fqn, sent - s.failed, want, n,
			 s.err[0] ? s.err : "not enough targets");
		rc = AIS_EUNAVAIL;
	}
	if (!rc && rb) { /* every piece is where it belongs: the others go */
		uint8_t op[9];
		tec_drop_op(op, m.gen);
		tec_sent_t sd = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
		for (int i = 1 + npieces; i < n; i++)
			if (!tec_send(&ord[i], o, op, sizeof(op), NULL, 0, &sd))
				rb->dropped++;
		if (tec_sent_wait(&sd))
			log_warn("%s: EC: %d target(s) did not drop a misplaced piece: %s", o->oname, sd.failed, sd.err);
		char p[FQN_MAX];
		if (!ecmeta_path(o, p, sizeof(p)))
			unlink(p); /* a piece this target held under an earlier Smap */
		rb->sent += sent;
	}
	if (rc)
		stats_ec(STATS_EC_ERR, 0);
	erasure_fini(&e);
	free(sl);
	free(ord);
	return rc;
}

int tec_encode_now(const obj_t *o) { return tec_encode(o, NULL); }

int tec_reb_place(const obj_t *o, const smap_t *const *olds, int nold, int64_t *sent, int64_t *dropped)
{
	tec_reb_t rb = {.olds = olds, .nold = nold};
	int rc = tec_encode(o, &rb);
	free(rb.pos);
	*sent += rb.sent;
	*dropped += rb.dropped;
	return rc;
}

/* tell every other target to drop o's slices up to generation gen */
static void tec_delete(const obj_t *o, int64_t gen)
{
	snode_t *ord = calloc(TEC_MAX_TGTS, sizeof(*ord));
	tec_sent_t s = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	uint8_t op[9];
	tec_drop_op(op, gen);
	int n = ord ? tec_order(o, ord, TEC_MAX_TGTS) : 0;
	for (int i = 0; i < n; i++)
		if (strcmp(ord[i].id, node_id()))
			tec_send(&ord[i], o, op, sizeof(op), NULL, 0, &s);
	if (tec_sent_wait(&s))
		log_warn("%s: EC: %d target(s) did not drop its slices: %s", o->oname, s.failed, s.err);
	char p[FQN_MAX];
	if (!ecmeta_path(o, p, sizeof(p)))
		unlink(p); /* a slice of it this target held for an earlier owner */
	free(ord);
}

/* ---------------------------------------------------------------- the queue */

static void tec_run_job(tec_job_t *j)
{
	obj_t o;
	obj_why_t why;
	memset(&o, 0, sizeof(o));
	if (obj_init(&o, j->provider, j->ns, j->bck, j->name, &why))
		return; /* the bucket is gone */
	if (j->del) {
		tec_delete(&o, j->gen);
	} else if (o.bck->ec_enabled) {
		int rc = tec_encode(&o, NULL);
		if (rc && rc != AIS_ENOTFOUND)
			log_warn("%s: EC encode failed: %s", o.fqn, err_str(rc));
	}
	obj_fini(&o);
}

static void *tec_thread(void *arg)
{
	int lane = (int)(intptr_t)arg;
	pthread_mutex_lock(&tq.mu);
	for (;;) {
		while (!tq.head[lane] && !tq.stop)
			pthread_cond_wait(&tq.cv, &tq.mu);
		tec_job_t *j = tq.head[lane];
		if (!j)
			break;
		tq.head[lane] = j->next;
		if (!tq.head[lane])
			tq.tail[lane] = NULL;
		tq.n--;
		pthread_cond_broadcast(&tq.room);
		pthread_mutex_unlock(&tq.mu);
		tec_run_job(j);
		free(j);
		pthread_mutex_lock(&tq.mu);
	}
	pthread_mutex_unlock(&tq.mu);
	return NULL;
}

static void tec_hook(const obj_t *o, bool deleted)
{
	size_t nl = strlen(o->oname);
	tec_job_t *j = calloc(1, sizeof(*j) + nl + 1);
	if (!j)
		return;
	j->del = deleted;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now); /* (LOM write times are wall-clock ns too) */
	j->gen = deleted ? (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec : 0;
	snprintf(j->provider, sizeof(j->provider), "%s", o->bck->provider);
	snprintf(j->ns, sizeof(j->ns), "%s", o->bck->ns);
	snprintf(j->bck, sizeof(j->bck), "%s", o->bck->name);
	memcpy(j->name, o->oname, nl + 1);
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += TEC_QWAIT_MS / 1000;
	pthread_mutex_lock(&tq.mu);
	while (tq.n >= TEC_QCAP && tq.running) {
		if (deleted)
			pthread_cond_wait(&tq.room, &tq.mu);
		else if (pthread_cond_timedwait(&tq.room, &tq.mu, &dl) == ETIMEDOUT)
			break;
	}
	if (!tq.running || (tq.n >= TEC_QCAP && !deleted)) {
		pthread_mutex_unlock(&tq.mu);
		if (tq.running) {
			stats_ec(STATS_EC_QFULL, 0);
			log_warn("%s: EC encode queue full (%d): not encoded now", o->oname, TEC_QCAP);
		}
		free(j);
		return;
	}
	int l = j->lane = (int)(o->digest % (uint64_t)(tq.nth ? tq.nth : 1));
	if (tq.tail[l])
		tq.tail[l]->next = j;
	else
		tq.head[l] = j;
	tq.tail[l] = j;
	tq.n++;
	pthread_cond_broadcast(&tq.cv); /* (each thread waits for its own lane) */
	pthread_mutex_unlock(&tq.mu);
}

int tec_init(void)
{
	transport_ep_t *ep = transport_node();
	if (!ep)
		return AIS_EINVAL;
	int rc = transport_register(ep, TEC_TRNAME, &tec_rx_ops, NULL);
	if (rc)
		return rc;
	tq.stop = false;
	for (tq.nth = 0; tq.nth < TEC_THREADS; tq.nth++)
		if (pthread_create(&tq.th[tq.nth], NULL, tec_thread, (void *)(intptr_t)tq.nth))
			break;
	if (!tq.nth) {
		transport_unregister(ep, TEC_TRNAME);
		return AIS_ENOMEM;
	}
	tq.running = true;
	obj_set_ec_hook(tec_hook);
	obj_set_ec_sync(tec_encode_now);
	return 0;
}

void tec_fini(void)
{
	obj_set_ec_hook(NULL);
	obj_set_ec_sync(NULL);
	pthread_mutex_lock(&tq.mu);
	bool run = tq.running;
	tq.stop = true;
	tq.running = false;
	pthread_cond_broadcast(&tq.cv);
	pthread_cond_broadcast(&tq.room);
	pthread_mutex_unlock(&tq.mu);
	for (int i = 0; run && i < tq.nth; i++)
		pthread_join(tq.th[i], NULL);
	transport_ep_t *ep = transport_node();
	if (ep)
		transport_unregister(ep, TEC_TRNAME);
}
