/* tec_get: rebuilding a main replica from the slices or replicas on other targets (see tec.h).
 * The asker registers one waiter per peer under a token before the pull is queued (a response
 * may arrive before transport_request returns), every peer answers with its piece or an error
 * reply, and the waiter leaves only after done(). Pieces whose own checksum fails are ignored;
 * only the newest generation seen is rebuilt, from a full replica or D distinct slices (of the
 * same D, P and size) - never an older one, which would be a stale version; the rebuilt object must match its stored checksum before it is committed, and it
 * is committed only where there is no main replica or an older one. Pool threads and jobs. */
#include "target/tec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/node.h"
#include "core/cksum.h"
#include "core/erasure.h"
#include "core/err.h"
#include "core/log.h"
#include "obj/obj_put.h"
#include "stats/stats.h"
#include "target/tmove_int.h"

#define TEC_PULL_TIMEOUT_MS 15000

typedef struct piece {
	ecmeta_t m;
	unsigned char *buf;
	size_t len;
	bool ok;
} piece_t;

typedef struct restore {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pending;
} restore_t;

typedef struct waiter {
	struct waiter *next;
	uint64_t token;
	restore_t *r;
	piece_t pc;
	int rc;
} waiter_t;

static pthread_mutex_t w_mu = PTHREAD_MUTEX_INITIALIZER;
static waiter_t *w_list;
static uint64_t w_next = 1;

static void w_register(waiter_t *w)
{
	pthread_mutex_lock(&w_mu);
	w->token = w_next++;
	w->next = w_list;
	w_list = w;
	pthread_mutex_unlock(&w_mu);
}

static void w_unregister(waiter_t *w)
{
	pthread_mutex_lock(&w_mu);
	for (waiter_t **pp = &w_list; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	pthread_mutex_unlock(&w_mu);
}

bool tec_get_deliver(uint64_t token, const ecmeta_t *m, unsigned char *buf, size_t len)
{
	bool took = false;
	pthread_mutex_lock(&w_mu);
	for (waiter_t *w = w_list; w; w = w->next) {
		if (w->token != token)
			continue;
		pthread_mutex_lock(&w->r->mu);
		if (!w->pc.buf && !w->pc.ok) {
			w->pc.m = *m;
			w->pc.buf = buf;
			w->pc.len = len;
			w->pc.ok = true;
			took = true;
		}
		pthread_mutex_unlock(&w->r->mu);
		break;
	}
	pthread_mutex_unlock(&w_mu);
	return took;
}

static void w_done(void *arg, const transport_result_t *res)
{
	waiter_t *w = arg;
	restore_t *r = w->r;
	pthread_mutex_lock(&r->mu);
	w->rc = res->rc;
	r->pending--;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu); /* w may be gone from here on */
}

static int w_ask(waiter_t *w, const snode_t *peer, const obj_t *o, uint8_t tok[8])
{
	transport_stream_t *s;
	char uuid[TFRAME_NS_MAX + 1], nsname[TFRAME_NS_MAX + 1];
	int rc = transport_shared(transport_node(), peer->data.url, TEC_TRNAME, &s);
	if (rc)
		return rc;
	tm_ns_split(o->bck->ns, uuid, sizeof(uuid), nsname, sizeof(nsname));
	tec_tok_put(tok, w->token);
	transport_obj_t q = {.hdr = {.provider = o->bck->provider, .ns_uuid = uuid, .ns_name = nsname,
				     .bucket = o->bck->name, .objname = o->oname, .size = -1, .opaque = tok,
				     .opaque_len = 8},
			     .done = w_done, .arg = w, .reply_timeout_ms = TEC_PULL_TIMEOUT_MS};
	return transport_request(s, &q);
}

/* this target's own slice of o (held for an earlier owner) */
static void local_piece(const obj_t *o, piece_t *pc)
{
	char p[FQN_MAX];
	struct stat st;
	if (ecmeta_path(o, p, sizeof(p)))
		return;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!ecmeta_load(fd, NULL, &pc->m) && !fstat(fd, &st) && st.st_size == ecmeta_slice_len(&pc->m) &&
	    st.st_size <= TEC_MAX_SLICE && (pc->buf = malloc(st.st_size ? (size_t)st.st_size : 1))) {
		pc->len = (size_t)st.st_size;
		pc->ok = pread(fd, pc->buf, pc->len, 0) == (ssize_t)pc->len;
	}
	close(fd);
}

/* a piece worth using: its bytes match its checksum, of this bucket */
static bool piece_valid(const obj_t *o, const piece_t *pc)
{
	char sck[17];
	if (!pc->ok || (int64_t)pc->len != ecmeta_slice_len(&pc->m) || (pc->m.bid && o->bck->bid && pc->m.bid != o->bck->bid))
		return false;
	ecmeta_sck(pc->buf ? (const void *)pc->buf : "", pc->len, sck);
	return !strcmp(sck, pc->m.sck);
}

/* the object of generation gen from the pieces: 0 with *out (malloc'd, m->size bytes) */
static int rebuild(piece_t *pcs, int n, int64_t gen, unsigned char **out, ecmeta_t *meta)
{
	const piece_t *first = NULL;
	for (int i = 0; i < n; i++) {
		if (!pcs[i].ok || pcs[i].m.gen != gen)
			continue;
		if (pcs[i].m.idx == 0) { /* a full replica */
			*meta = pcs[i].m;
			*out = malloc(pcs[i].len ? pcs[i].len : 1);
			if (!*out)
				return AIS_ENOMEM;
			if (pcs[i].len) /* (an empty object's replica has no buffer) */
				memcpy(*out, pcs[i].buf, pcs[i].len);
			return 0;
		}
		if (!first)
			first = &pcs[i];
	}
	if (!first)
		return AIS_ENOTFOUND;
	const ecmeta_t *m = &first->m;
	int k = m->d + m->p, have_n = 0;
	size_t ss = (size_t)ecmeta_slice_len(m);
	bool have[2 * ERASURE_MAX_SLICES] = {false};
	unsigned char *sl = calloc((size_t)k, ss), *ptr[2 * ERASURE_MAX_SLICES];
	if (!sl)
		return AIS_ENOMEM;
	for (int i = 0; i < k; i++)
		ptr[i] = sl + (size_t)i * ss;
	for (int i = 0; i < n; i++) {
		const ecmeta_t *x = &pcs[i].m;
		if (!pcs[i].ok || x->gen != gen || x->idx < 1 || x->d != m->d || x->p != m->p || x->size != m->size ||
		    have[x->idx - 1])
			continue;
		memcpy(ptr[x->idx - 1], pcs[i].buf, ss);
		have[x->idx - 1] = true;
		have_n++;
	}
	erasure_t e;
	int rc = have_n < m->d ? AIS_ENOTFOUND : erasure_init(&e, m->d, m->p);
	if (!rc) {
		rc = erasure_decode(&e, ss, ptr, have);
		erasure_fini(&e);
	}
	if (rc) {
		free(sl);
		return rc;
	}
	*meta = *m;
	*out = sl; /* the data slices are back to back: the object is its first size bytes */
	return 0;
}

typedef struct rs_cond {
	int64_t gen;
} rs_cond_t;

static int rs_cond(void *arg, const obj_t *o, const lom_md_t *prev, const lom_md_t *md)
{
	(void)o;
	(void)md;
	const rs_cond_t *c = arg;
	return !prev || prev->mtime < c->gen ? 0 : AIS_EEXIST;
}

static int commit_rebuilt(const obj_t *o, const ecmeta_t *m, const unsigned char *data)
{
	obj_put_t *w;
	obj_why_t why;
	rs_cond_t c = {.gen = m->gen};
	obj_put_opts_t opt = {.size_hint = -1, .keep_version = true, .keep_mtime = true, .acct = OBJ_ACCT_NONE,
			      .tag = "ecrs", .cond = rs_cond, .cond_arg = &c};
	int rc = obj_put_begin(o, &opt, &w, &why);
	if (rc)
		return rc;
	lom_md_t *md = obj_put_md(w);
	md->mtime = m->gen;
	snprintf(md->version, sizeof(md->version), "%s", m->version);
	if (m->size && (rc = obj_put_write(w, data, (size_t)m->size))) {
		obj_put_abort(w, 0);
		return rc;
	}
	obj_put_res_t res;
	rc = obj_put_commit(w, &res, &why);
	lom_md_fini(&res.md);
	return rc;
}

int tec_restore(const obj_t *o, char *err, size_t cap)
{
	snode_t *ord = calloc(TEC_MAX_TGTS, sizeof(*ord));
	waiter_t *ws = calloc(TEC_MAX_TGTS + 1, sizeof(*ws));
	uint8_t (*toks)[8] = calloc(TEC_MAX_TGTS, 8);
	restore_t r = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	unsigned char *data = NULL;
	int rc = ord && ws && toks ? 0 : AIS_ENOMEM, n = 0, nw = 0;
	err[0] = '\0';
	if (!rc)
		n = tec_order(o, ord, TEC_MAX_TGTS);
	for (int i = 0; i < n; i++) {
		if (!strcmp(ord[i].id, node_id()))
			continue;
		waiter_t *w = &ws[nw];
		w->r = &r;
		w_register(w);
		pthread_mutex_lock(&r.mu);
		r.pending++;
		pthread_mutex_unlock(&r.mu);
		if (w_ask(w, &ord[i], o, toks[nw])) {
			pthread_mutex_lock(&r.mu);
			r.pending--;
			pthread_mutex_unlock(&r.mu);
		}
		nw++;
	}
	pthread_mutex_lock(&r.mu);
	while (r.pending > 0)
		pthread_cond_wait(&r.cv, &r.mu);
	pthread_mutex_unlock(&r.mu);
	for (int i = 0; i < nw; i++)
		w_unregister(&ws[i]);
	piece_t *pcs = calloc((size_t)nw + 1, sizeof(*pcs));
	int np = 0;
	if (!pcs)
		rc = AIS_ENOMEM;
	for (int i = 0; pcs && i < nw; i++)
		if (ws[i].pc.ok)
			pcs[np++] = ws[i].pc;
	if (pcs) {
		local_piece(o, &pcs[np]);
		if (pcs[np].ok || pcs[np].buf)
			np++;
	}
	int64_t gens[2 * TEC_MAX_TGTS];
	int ng = 0;
	for (int i = 0; i < np; i++) {
		pcs[i].ok = piece_valid(o, &pcs[i]);
		bool seen = false;
		for (int j = 0; pcs[i].ok && j < ng; j++)
			seen = seen || gens[j] == pcs[i].m.gen;
		if (pcs[i].ok && !seen)
			gens[ng++] = pcs[i].m.gen;
	}
	ecmeta_t meta;
	if (!rc)
		rc = AIS_ENOTFOUND;
	if (rc == AIS_ENOTFOUND && ng > 0) { /* the newest generation only: an older one is stale */
		int best = 0;
		for (int j = 1; j < ng; j++)
			if (gens[j] > gens[best])
				best = j;
		int64_t gen = gens[best];
		rc = rebuild(pcs, np, gen, &data, &meta);
		if (!rc && meta.cktype != CKSUM_NONE && meta.ck[0]) {
			cksum_t ck;
			char got[CKSUM_MAX_HEX];
			if (!cksum_init(&ck, meta.cktype)) {
				cksum_update(&ck, data, (size_t)meta.size);
				cksum_final(&ck, got);
				if (strcmp(got, meta.ck)) {
					log_err("%s: EC rebuild of generation %lld does not match its checksum", o->oname,
						(long long)gen);
					free(data);
					data = NULL;
					rc = AIS_ENOTFOUND;
				}
			}
		}
	}
	if (!rc) {
		rc = commit_rebuilt(o, &meta, data);
		if (rc == AIS_EEXIST)
			rc = 0; /* a main replica as new appeared meanwhile: read it */
		if (!rc) {
			stats_ec(STATS_EC_RESTORE, meta.size);
			log_info("%s: main replica rebuilt from EC %s (generation %lld)", o->fqn,
				 meta.idx ? "slices" : "replica", (long long)meta.gen);
		} else {
			snprintf(err, cap, "failed to store the rebuilt object: %s", err_str(rc));
		}
	} else if (rc == AIS_ENOTFOUND) {
		snprintf(err, cap, "not enough EC slices or replicas (%d found)", np);
	}
	if (rc && rc != AIS_ENOTFOUND)
		stats_ec(STATS_EC_ERR, 0);
	for (int i = 0; pcs && i < np; i++)
		free(pcs[i].buf);
	for (int i = 0; i < nw; i++)
		if (!ws[i].pc.ok || !pcs)
			free(ws[i].pc.buf);
	free(pcs);
	free(data);
	free(ws);
	free(toks);
	free(ord);
	return rc;
}
