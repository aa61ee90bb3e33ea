/* stats: the counters themselves. Owns the bucket-label slots and the node-level cells.
 * Layout: a slot per bucket label ("" is slot 0, static) holds ST_NSHARD cache-line-aligned
 * cells of SM_NB counters; a thread writes only the cell of its shard (picked once per thread),
 * with relaxed atomic adds, so the GET path costs a few uncontended adds and one clock read.
 * Labelled slots live in an open-addressing table of ST_MAXSLOTS pointers, installed with CAS
 * and never removed (as AIStore's Prometheus vectors keep a label once used); when the table is
 * full the "" slot takes the counts. Readers sum the shards without stopping writers: a scrape
 * sees each counter at some point during the scrape, never a torn value. */
#include "stats/stats.h"
#include "stats/stats_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/membership.h"
#include "cluster/node.h"
#include "core/config.h"
#include "core/util.h"
#include "net/http.h"
#include "net/route.h"

#define ST_NSHARD 16
#define ST_MAXSLOTS 1024 /* power of two */

typedef struct st_cell {
	_Alignas(64) _Atomic uint64_t v[SM_NB];
} st_cell_t;

typedef struct st_slot {
	st_cell_t sh[ST_NSHARD];
	uint64_t hash;
	char provider[16];
	char ns[80];
	char name[72];
	char label[200]; /* cname */
} st_slot_t;

typedef struct st_ncell {
	_Alignas(64) _Atomic uint64_t v[SN_NB];
	_Atomic uint64_t hist[SH_NB][ST_HIST_NB + 1];
	_Atomic uint64_t hsum[SH_NB];
} st_ncell_t;

const st_mdef_t st_mdefs[SM_NB] = {
	[SM_GET_N] = {"get.n", "get_count", SK_COUNTER, false, false, "total number of executed GET(object) requests"},
	[SM_PUT_N] = {"put.n", "put_count", SK_COUNTER, false, true, "total number of executed PUT(object) requests"},
	[SM_HEAD_N] = {"head.n", "head_count", SK_COUNTER, false, false, "total number of executed HEAD(object) requests"},
	[SM_APPEND_N] = {"append.n", "append_count", SK_COUNTER, false, false, "total number of executed APPEND(object) requests"},
	[SM_DEL_N] = {"del.n", "del_count", SK_COUNTER, false, false, "total number of executed DELETE(object) requests"},
	[SM_REN_N] = {"ren.n", "ren_count", SK_COUNTER, false, false, "total number of executed rename(object) requests"},
	[SM_LST_N] = {"lst.n", "lst_count", SK_COUNTER, false, false, "total number of executed list-objects requests"},
	[SM_ERR_GET_N] = {"err.get.n", "err_get_count", SK_COUNTER, false, false, "total number of GET(object) errors"},
	[SM_ERR_PUT_N] = {"err.put.n", "err_put_count", SK_COUNTER, false, true, "total number of PUT(object) errors"},
	[SM_ERR_HEAD_N] = {"err.head.n", "err_head_count", SK_COUNTER, false, false, "total number of HEAD(object) errors"},
	[SM_ERR_APPEND_N] = {"err.append.n", "err_append_count", SK_COUNTER, false, false, "total number of APPEND(object) errors"},
	[SM_ERR_DEL_N] = {"err.del.n", "err_del_count", SK_COUNTER, false, false, "total number of DELETE(object) errors"},
	[SM_ERR_REN_N] = {"err.ren.n", "err_ren_count", SK_COUNTER, false, false, "total number of rename(object) errors"},
	[SM_ERR_LST_N] = {"err.lst.n", "err_lst_count", SK_COUNTER, false, false, "total number of list-objects errors"},
	[SM_GET_NS_TOTAL] = {"get.ns.total", "get_ns_total", SK_TOTAL, false, false, "GET: total cumulative time (nanoseconds)"},
	[SM_PUT_NS_TOTAL] = {"put.ns.total", "put_ns_total", SK_TOTAL, true, true, "PUT: total cumulative time (nanoseconds)"},
	[SM_HEAD_NS_TOTAL] = {"head.ns.total", "head_ns_total", SK_TOTAL, true, false, "HEAD: total cumulative time (nanoseconds)"},
	[SM_GET_SIZE] = {"get.size", "get_bytes", SK_SIZE, true, false, "GET: total cumulative size (bytes)"},
	[SM_PUT_SIZE] = {"put.size", "put_bytes", SK_SIZE, true, true, "PUT: total cumulative size (bytes)"},
	[SM_ERR_PUT_CKSUM_N] = {"err.put.cksum.n", "err_put_cksum_count", SK_COUNTER, true, true, "PUT: number of checksum errors"},
	[SM_ERR_IO_GET_N] = {"err.io.get.n", "err_io_get_count", SK_COUNTER, true, false,
			     "GET: number of I/O errors _not_ including remote backend and network errors"},
	[SM_ERR_IO_PUT_N] = {"err.io.put.n", "err_io_put_count", SK_COUNTER, true, true,
			     "PUT: number of I/O errors _not_ including remote backend and network errors"},
	[SM_ERR_IO_DEL_N] = {"err.io.del.n", "err_io_del_count", SK_COUNTER, true, false,
			     "DELETE(object): number of I/O errors _not_ including remote backend and network errors"},
	[SM_APPEND_NS] = {"append.ns", NULL, SK_LATENCY, true, false, "APPEND(object): cumulative time (nanoseconds)"},
	[SM_LST_NS] = {"lst.ns", NULL, SK_LATENCY, false, false, "list-objects: cumulative time (nanoseconds)"},
};

static const int st_op_n[STATS_NOPS] = {SM_GET_N, SM_PUT_N, SM_HEAD_N, SM_APPEND_N, SM_DEL_N, SM_REN_N, SM_LST_N};
static const int st_op_size[STATS_NOPS] = {SM_GET_SIZE, SM_PUT_SIZE, -1, -1, -1, -1, -1};
static const int st_op_lat[STATS_NOPS] = {SM_GET_NS_TOTAL, SM_PUT_NS_TOTAL, SM_HEAD_NS_TOTAL, SM_APPEND_NS, -1, -1,
					  SM_LST_NS};
static const int st_op_hist[STATS_NOPS] = {SH_GET, SH_PUT, -1, -1, -1, -1, -1};
/* each error kind: its own counter and (or -1) the operation's plain error counter */
static const int st_err_m[STATS_NERRS][2] = {
	[STATS_ERR_GET] = {SM_ERR_GET_N, -1},
	[STATS_ERR_PUT] = {SM_ERR_PUT_N, -1},
	[STATS_ERR_HEAD] = {SM_ERR_HEAD_N, -1},
	[STATS_ERR_APPEND] = {SM_ERR_APPEND_N, -1},
	[STATS_ERR_DEL] = {SM_ERR_DEL_N, -1},
	[STATS_ERR_REN] = {SM_ERR_REN_N, -1},
	[STATS_ERR_LIST] = {SM_ERR_LST_N, -1},
	[STATS_ERR_PUT_CKSUM] = {SM_ERR_PUT_CKSUM_N, SM_ERR_PUT_N},
	[STATS_ERR_IO_GET] = {SM_ERR_IO_GET_N, SM_ERR_GET_N},
	[STATS_ERR_IO_PUT] = {SM_ERR_IO_PUT_N, SM_ERR_PUT_N},
	[STATS_ERR_IO_DEL] = {SM_ERR_IO_DEL_N, SM_ERR_DEL_N},
};

static st_slot_t st_slot0; /* the "" bucket label */
static _Atomic(st_slot_t *) st_tab[ST_MAXSLOTS];
static st_ncell_t st_node[ST_NSHARD];
static _Atomic unsigned st_next_shard;
static _Thread_local int st_my_shard = -1;
static int64_t st_start_mono;
static _Atomic uint64_t st_scrape_done;
static _Atomic int64_t st_scrape_inflight;

static inline int st_shard(void)
{
	if (__builtin_expect(st_my_shard < 0, 0))
		st_my_shard = (int)(atomic_fetch_add_explicit(&st_next_shard, 1, memory_order_relaxed) % ST_NSHARD);
	return st_my_shard;
}

static inline void st_add(_Atomic uint64_t *p, uint64_t v)
{
	atomic_fetch_add_explicit(p, v, memory_order_relaxed);
}

static inline uint64_t st_load(_Atomic uint64_t *p)
{
	return atomic_load_explicit(p, memory_order_relaxed);
}

int64_t stats_now(void)
{
	return mono_ns();
}

static int st_role_forced; /* tests only: 't' / 'p'; 0 = node_role() */

void st_force_role(int role)
{
	st_role_forced = role;
}

bool st_is_target(void)
{
	return (st_role_forced ? st_role_forced : (int)node_role()) == ROLE_TARGET;
}

static const char *st_scheme(const char *provider)
{
	if (!provider || !*provider)
		return "ais";
	if (!strcmp(provider, "aws"))
		return "s3";
	if (!strcmp(provider, "gcp"))
		return "gs";
	if (!strcmp(provider, "azure"))
		return "az";
	if (!strcmp(provider, "oci"))
		return "oc";
	return provider;
}

int st_cname(char *out, size_t cap, const char *provider, const char *ns, const char *name)
{
	if (ns && *ns)
		return snprintf(out, cap, "%s://%s/%s", st_scheme(provider), ns, name);
	return snprintf(out, cap, "%s://%s", st_scheme(provider), name);
}

static uint64_t st_hash(const char *provider, const char *ns, const char *name)
{
	uint64_t h = 1469598103934665603ull;
	const char *parts[3] = {st_scheme(provider), ns ? ns : "", name};
	for (int i = 0; i < 3; i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
			h ^= *p;
			h *= 1099511628211ull;
		}
		h ^= 0xff; /* separator */
		h *= 1099511628211ull;
	}
	return h;
}

static bool st_slot_is(const st_slot_t *s, uint64_t h, const char *provider, const char *ns, const char *name)
{
	return s->hash == h && !strcmp(s->name, name) && !strcmp(s->ns, ns ? ns : "") &&
	       !strcmp(s->provider, st_scheme(provider));
}

static st_slot_t *st_slot_new(uint64_t h, const char *provider, const char *ns, const char *name)
{
	size_t sz = (sizeof(st_slot_t) + 63) & ~(size_t)63;
	st_slot_t *s = aligned_alloc(64, sz);
	if (!s)
		return NULL;
	memset(s, 0, sz);
	s->hash = h;
	snprintf(s->provider, sizeof(s->provider), "%s", st_scheme(provider));
	snprintf(s->ns, sizeof(s->ns), "%s", ns ? ns : "");
	snprintf(s->name, sizeof(s->name), "%s", name);
	st_cname(s->label, sizeof(s->label), provider, ns, name);
	return s;
}

/* the slot counting for this bucket: "" on targets unless detailed metrics are enabled */
static st_slot_t *st_slot_for(const char *provider, const char *ns, const char *name)
{
	if (!name || !*name)
		return &st_slot0;
	if (st_is_target()) {
		if (!(config_features() & FEAT_DETAILED_PROM))
			return &st_slot0;
	}
	uint64_t h = st_hash(provider, ns, name);
	for (unsigned i = 0; i < ST_MAXSLOTS; i++) {
		_Atomic(st_slot_t *) *cell = &st_tab[(h + i) & (ST_MAXSLOTS - 1)];
		st_slot_t *s = atomic_load_explicit(cell, memory_order_acquire);
		if (!s) {
			st_slot_t *n = st_slot_new(h, provider, ns, name);
			if (!n)
				return &st_slot0;
			if (atomic_compare_exchange_strong_explicit(cell, &s, n, memory_order_acq_rel,
								    memory_order_acquire))
				return n;
			free(n); /* lost the race: s is the winner */
		}
		if (st_slot_is(s, h, provider, ns, name))
			return s;
	}
	return &st_slot0;
}

int st_hist_index(uint64_t ns)
{
	if (ns <= (1ull << ST_HIST_LO))
		return 0;
	int lg = 64 - __builtin_clzll(ns - 1); /* ceil(log2(ns)) */
	int i = lg - ST_HIST_LO;
	return i > ST_HIST_NB ? ST_HIST_NB : i;
}

void stats_op(stats_op_t op, const char *provider, const char *ns, const char *bck, int64_t t0, int64_t bytes)
{
	if ((unsigned)op >= STATS_NOPS)
		return;
	int sh = st_shard();
	st_cell_t *c = &st_slot_for(provider, ns, bck)->sh[sh];
	st_add(&c->v[st_op_n[op]], 1);
	if (bytes >= 0 && st_op_size[op] >= 0)
		st_add(&c->v[st_op_size[op]], (uint64_t)bytes);
	if (t0 > 0 && st_op_lat[op] >= 0) {
		int64_t d = mono_ns() - t0;
		uint64_t ud = d > 0 ? (uint64_t)d : 0;
		st_add(&c->v[st_op_lat[op]], ud);
		int h = st_op_hist[op];
		if (h >= 0) {
			st_add(&st_node[sh].hist[h][st_hist_index(ud)], 1);
			st_add(&st_node[sh].hsum[h], ud);
		}
	}
}

void stats_err(stats_err_t e, const char *provider, const char *ns, const char *bck)
{
	if ((unsigned)e >= STATS_NERRS)
		return;
	st_cell_t *c = &st_slot_for(provider, ns, bck)->sh[st_shard()];
	st_add(&c->v[st_err_m[e][0]], 1);
	if (st_err_m[e][1] >= 0)
		st_add(&c->v[st_err_m[e][1]], 1);
}

void stats_notfound(int method, const char *provider, const char *ns, const char *bck)
{
	switch (method) {
	case HTTP_M_GET:
		if (config_features() & FEAT_COUNT_404)
			stats_err(STATS_ERR_GET, provider, ns, bck);
		break;
	case HTTP_M_DELETE:
		stats_err(STATS_ERR_DEL, provider, ns, bck);
		break;
	case HTTP_M_POST:
		stats_err(STATS_ERR_REN, provider, ns, bck);
		break;
	default: /* HEAD: AIStore does not count it */
		break;
	}
}

void stats_redirect(int method, bool append, bool ok, const char *provider, const char *ns, const char *bck)
{
	switch (method) {
	case HTTP_M_GET:
		ok ? stats_op(STATS_GET, provider, ns, bck, 0, -1) : stats_err(STATS_ERR_GET, provider, ns, bck);
		break;
	case HTTP_M_PUT:
		if (append)
			ok ? stats_op(STATS_APPEND, provider, ns, bck, 0, -1) : stats_err(STATS_ERR_APPEND, provider, ns, bck);
		else
			ok ? stats_op(STATS_PUT, provider, ns, bck, 0, -1) : stats_err(STATS_ERR_PUT, provider, ns, bck);
		break;
	case HTTP_M_DELETE:
		ok ? stats_op(STATS_DEL, provider, ns, bck, 0, -1) : stats_err(STATS_ERR_DEL, provider, ns, bck);
		break;
	default:
		break;
	}
}

void stats_http_write_err(void)
{
	st_add(&st_node[st_shard()].v[SN_ERR_HTTP_WRITE_N], 1);
}

void stats_stream(bool in, int64_t bytes)
{
	st_ncell_t *c = &st_node[st_shard()];
	st_add(&c->v[in ? SN_STREAM_IN_N : SN_STREAM_OUT_N], 1);
	if (bytes > 0)
		st_add(&c->v[in ? SN_STREAM_IN_SIZE : SN_STREAM_OUT_SIZE], (uint64_t)bytes);
}

void stats_remote(int backend, int op, int64_t t0, int64_t bytes)
{
	if (backend < 0 || backend > 1)
		return;
	st_ncell_t *c = &st_node[st_shard()];
	int base = SN_RB0 + backend * SN_RB_PER;
	switch (op) {
	case STATS_RB_GET_N:
	case STATS_RB_PUT_N:
		st_add(&c->v[base + op], 1);
		if (bytes > 0)
			st_add(&c->v[base + op + 1], (uint64_t)bytes);
		if (t0 > 0)
			st_add(&c->v[base + op + 2], (uint64_t)(stats_now() - t0));
		break;
	case STATS_RB_HEAD_N:
		st_add(&c->v[base + op], 1);
		break;
	default:
		break;
	}
}

uint64_t stats_remote_get(int backend, int counter)
{
	uint64_t n[SN_NB];
	if (backend < 0 || backend > 1 || counter < 0 || counter >= SN_RB_PER)
		return 0;
	st_node_read(n);
	return n[SN_RB0 + backend * SN_RB_PER + counter];
}

/* ---- read side ---- */

int st_nslots(void)
{
	return ST_MAXSLOTS + 1;
}

static st_slot_t *st_slot_at(int i)
{
	if (i == 0)
		return &st_slot0;
	if (i < 0 || i > ST_MAXSLOTS)
		return NULL;
	return atomic_load_explicit(&st_tab[i - 1], memory_order_acquire);
}

bool st_slot_read(int i, uint64_t out[SM_NB], const char **label)
{
	st_slot_t *s = st_slot_at(i);
	if (!s)
		return false;
	memset(out, 0, sizeof(uint64_t) * SM_NB);
	for (int k = 0; k < ST_NSHARD; k++)
		for (int m = 0; m < SM_NB; m++)
			out[m] += st_load(&s->sh[k].v[m]);
	if (label)
		*label = s->label;
	return true;
}

void st_node_read(uint64_t out[SN_NB])
{
	memset(out, 0, sizeof(uint64_t) * SN_NB);
	for (int k = 0; k < ST_NSHARD; k++)
		for (int m = 0; m < SN_NB; m++)
			out[m] += st_load(&st_node[k].v[m]);
	membership_kalive_stats(&out[SN_KALIVE_N], &out[SN_KALIVE_NS], &out[SN_ERR_KALIVE_N]);
}

void st_hist_read(int h, uint64_t buckets[ST_HIST_NB + 1], uint64_t *sum_ns, uint64_t *count)
{
	uint64_t sum = 0, n = 0;
	memset(buckets, 0, sizeof(uint64_t) * (ST_HIST_NB + 1));
	for (int k = 0; k < ST_NSHARD; k++) {
		for (int b = 0; b <= ST_HIST_NB; b++) {
			uint64_t v = st_load(&st_node[k].hist[h][b]);
			buckets[b] += v;
			n += v;
		}
		sum += st_load(&st_node[k].hsum[h]);
	}
	*sum_ns = sum;
	*count = n;
}

uint64_t stats_get_op(stats_op_t op, bool bytes, bool latency)
{
	if ((unsigned)op >= STATS_NOPS)
		return 0;
	int m = bytes ? st_op_size[op] : latency ? st_op_lat[op] : st_op_n[op];
	if (m < 0)
		return 0;
	uint64_t tot = 0, v[SM_NB];
	for (int i = 0; i < st_nslots(); i++)
		if (st_slot_read(i, v, NULL))
			tot += v[m];
	return tot;
}

uint64_t stats_get_err(stats_err_t e)
{
	if ((unsigned)e >= STATS_NERRS)
		return 0;
	uint64_t tot = 0, v[SM_NB];
	for (int i = 0; i < st_nslots(); i++)
		if (st_slot_read(i, v, NULL))
			tot += v[st_err_m[e][0]];
	return tot;
}

void stats_reset(void)
{
	for (int i = 0; i < st_nslots(); i++) {
		st_slot_t *s = st_slot_at(i);
		if (!s)
			continue;
		for (int k = 0; k < ST_NSHARD; k++)
			for (int m = 0; m < SM_NB; m++)
				atomic_store_explicit(&s->sh[k].v[m], 0, memory_order_relaxed);
	}
	for (int k = 0; k < ST_NSHARD; k++) {
		for (int m = 0; m < SN_NB; m++)
			atomic_store_explicit(&st_node[k].v[m], 0, memory_order_relaxed);
		for (int h = 0; h < SH_NB; h++) {
			for (int b = 0; b <= ST_HIST_NB; b++)
				atomic_store_explicit(&st_node[k].hist[h][b], 0, memory_order_relaxed);
			atomic_store_explicit(&st_node[k].hsum[h], 0, memory_order_relaxed);
		}
	}
}

int64_t st_uptime_ns(void)
{
	if (!st_start_mono)
		return 0;
	return mono_ns() - st_start_mono;
}

void st_scrapes(uint64_t *total200, int64_t *in_flight)
{
	*total200 = atomic_load(&st_scrape_done);
	*in_flight = atomic_load(&st_scrape_inflight);
}

/* ---- GET /metrics ---- */

static void st_metrics_cb(http_req_t *r)
{
	char *s = stats_prom_text();
	if (!s) {
		atomic_fetch_sub(&st_scrape_inflight, 1);
		http_error(r, 500, NULL, "out of memory");
		return;
	}
	atomic_fetch_sub(&st_scrape_inflight, 1);
	atomic_fetch_add(&st_scrape_done, 1);
	http_respond(r, 200, "text/plain; version=0.0.4; charset=utf-8", s, strlen(s));
	free(s);
}

static void st_metrics(http_req_t *r)
{
	atomic_fetch_add(&st_scrape_inflight, 1);
	/* reads /proc and statvfs: keep it off the loop thread */
	http_defer(r, st_metrics_cb);
}

int stats_init(void)
{
	if (!st_start_mono)
		st_start_mono = mono_ns();
	route_add(RM(HTTP_M_GET), "/metrics", st_metrics);
	return 0;
}
