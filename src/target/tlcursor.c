/* tlcursor: the target's table of list-objects cursors (see tlcursor.h). Invariants: a row is
 * either a snapshot (names, floor: every name of the listing above floor is in names) or a
 * marker (TOO_BIG, SEEN); a taken row (busy) is never freed or changed by anyone but its taker;
 * tlc_bytes is the sum of the snapshots' tln_bytes (under tlc_mu). */
#include "target/tlcursor.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"

typedef enum {
	TLC_ROW_SNAP,    /* names + floor */
	TLC_ROW_TOO_BIG, /* its walk outgrew the budget: page walks */
	TLC_ROW_SEEN,    /* a continuing listing met once without a cursor: the next page builds one */
} tlc_row_t;

struct tlc {
	char *uuid, *provider, *ns, *bucket, *prefix;
	uint64_t bid, flags;
	tlc_row_t kind;
	char *floor;      /* names <= floor are not (or no longer) held */
	tln_t names;
	size_t bytes;     /* accounted in tlc_bytes */
	bool busy, end;
	int64_t used_ns;  /* mono */
};

static pthread_mutex_t tlc_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tlc_cv = PTHREAD_COND_INITIALIZER;
static tlc_t *tlc_rows[TLC_MAX]; /* tlc_mu */
static size_t tlc_bytes;         /* tlc_mu */
static bool tlc_running;         /* tlc_mu */
static pthread_t tlc_thread;
static bool tlc_started;

static void tlc_free(tlc_t *c)
{
	if (!c)
		return;
	free(c->uuid);
	free(c->provider);
	free(c->ns);
	free(c->bucket);
	free(c->prefix);
	free(c->floor);
	tln_fini(&c->names);
	free(c);
}

static bool tlc_streq(const char *a, const char *b) { return !strcmp(a ? a : "", b ? b : ""); }

static bool tlc_match(const tlc_t *c, const tlc_key_t *k)
{
	return c->bid == k->bid && c->flags == k->flags && tlc_streq(c->provider, k->provider) &&
	       tlc_streq(c->ns, k->ns) && tlc_streq(c->bucket, k->bucket) && tlc_streq(c->prefix, k->prefix);
}

/* remove row i (not busy) from the table and free it; tlc_mu held */
static void tlc_drop(int i)
{
	tlc_t *c = tlc_rows[i];
	tlc_rows[i] = NULL;
	tlc_bytes -= c->bytes;
	tlc_free(c);
}

/* forget idle rows past their time; tlc_mu held */
static void tlc_expire(int64_t now)
{
	for (int i = 0; i < TLC_MAX; i++) {
		tlc_t *c = tlc_rows[i];
		if (!c || c->busy)
			continue;
		int64_t idle = (c->end ? TLC_DONE_S : TLC_IDLE_S) * 1000000000LL;
		if (now - c->used_ns > idle)
			tlc_drop(i);
	}
}

/* least recently used idle row, or -1; tlc_mu held */
static int tlc_lru(void)
{
	int best = -1;
	for (int i = 0; i < TLC_MAX; i++) {
		tlc_t *c = tlc_rows[i];
		if (c && !c->busy && (best < 0 || c->used_ns < tlc_rows[best]->used_ns))
			best = i;
	}
	return best;
}

static int tlc_find(const char *uuid)
{
	for (int i = 0; i < TLC_MAX; i++)
		if (tlc_rows[i] && !strcmp(tlc_rows[i]->uuid, uuid))
			return i;
	return -1;
}

static tlc_t *tlc_new(const tlc_key_t *k, tlc_row_t kind, const char *lower)
{
	tlc_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->uuid = strdup(k->uuid);
	c->provider = strdup(k->provider ? k->provider : "");
	c->ns = strdup(k->ns ? k->ns : "");
	c->bucket = strdup(k->bucket ? k->bucket : "");
	c->prefix = strdup(k->prefix ? k->prefix : "");
	c->floor = strdup(lower ? lower : "");
	c->bid = k->bid;
	c->flags = k->flags;
	c->kind = kind;
	c->used_ns = mono_ns();
	tln_init(&c->names, 0);
	if (!c->uuid || !c->provider || !c->ns || !c->bucket || !c->prefix || !c->floor) {
		tlc_free(c);
		return NULL;
	}
	return c;
}

/* put c in the table (replacing the uuid's row, else a free slot, else the LRU idle row);
 * false when every slot is busy. tlc_mu held. */
static bool tlc_insert(tlc_t *c)
{
	int i = tlc_find(c->uuid);
	if (i >= 0 && tlc_rows[i]->busy)
		return false;
	if (i < 0)
		for (int j = 0; j < TLC_MAX && i < 0; j++)
			if (!tlc_rows[j])
				i = j;
	if (i < 0)
		i = tlc_lru();
	if (i < 0)
		return false;
	if (tlc_rows[i])
		tlc_drop(i);
	tlc_rows[i] = c;
	tlc_bytes += c->bytes;
	return true;
}

tlc_plan_t tlc_take(const tlc_key_t *k, const char *lower, tlc_t **out)
{
	*out = NULL;
	if (!k->uuid || !*k->uuid)
		return TLC_WALK;
	lower = lower ? lower : "";
	tlc_plan_t plan = TLC_BUILD;
	pthread_mutex_lock(&tlc_mu);
	tlc_expire(mono_ns());
	int i = tlc_find(k->uuid);
	tlc_t *c = i >= 0 ? tlc_rows[i] : NULL;
	if (c && c->busy) {
		plan = TLC_WALK; /* the same page asked twice at once (a retry): no waiting */
	} else if (c && tlc_match(c, k)) {
		if (c->kind == TLC_ROW_TOO_BIG) {
			c->used_ns = mono_ns();
			plan = TLC_WALK;
		} else if (c->kind == TLC_ROW_SEEN) {
			tlc_drop(i); /* its second page: worth a cursor */
		} else if (strcmp(lower, c->floor) >= 0) {
			c->busy = true;
			*out = c;
			plan = TLC_SERVE;
		} else {
			tlc_drop(i); /* a token below what it still holds (a client went back): rebuild */
		}
	} else if (c) {
		tlc_drop(i); /* the uuid with another bucket/prefix/flags */
	} else if (*lower) {
		/* a continuing page of a listing without a cursor here (expired, or a client that makes
		 * a new uuid for every page): walk this page; build only if the uuid comes back */
		tlc_t *m = tlc_new(k, TLC_ROW_SEEN, "");
		if (m && !tlc_insert(m))
			tlc_free(m);
		plan = TLC_WALK;
	}
	pthread_mutex_unlock(&tlc_mu);
	return plan;
}

const tln_t *tlc_names(const tlc_t *c)
{
	return &c->names;
}

size_t tlc_budget(void)
{
	pthread_mutex_lock(&tlc_mu);
	while (tlc_bytes > TLC_BUDGET / 2) {
		int i = tlc_lru();
		if (i < 0)
			break;
		tlc_drop(i);
	}
	size_t b = tlc_bytes < TLC_BUDGET ? TLC_BUDGET - tlc_bytes : 0;
	pthread_mutex_unlock(&tlc_mu);
	return b;
}

tlc_t *tlc_install(const tlc_key_t *k, const char *lower, tln_t *names)
{
	tlc_t *c = tlc_new(k, TLC_ROW_SNAP, lower);
	if (!c) {
		tln_fini(names);
		return NULL;
	}
	c->names = *names;
	tln_init(names, names->budget);
	c->bytes = tln_bytes(&c->names);
	c->busy = true;
	pthread_mutex_lock(&tlc_mu);
	bool ok = tlc_insert(c);
	pthread_mutex_unlock(&tlc_mu);
	if (!ok) {
		/* no room in the table: serve this page from it, then let it go (tlc_release frees it) */
		c->kind = TLC_ROW_TOO_BIG;
	}
	return c;
}

void tlc_too_big(const tlc_key_t *k)
{
	tlc_t *c = tlc_new(k, TLC_ROW_TOO_BIG, "");
	if (!c)
		return;
	log_warn("list %s/%s (uuid %s): more names than the cursor budget (%zu MiB): listing page by page", k->provider,
		 k->bucket, k->uuid, TLC_BUDGET >> 20);
	pthread_mutex_lock(&tlc_mu);
	bool ok = tlc_insert(c);
	pthread_mutex_unlock(&tlc_mu);
	if (!ok)
		tlc_free(c);
}

void tlc_release(tlc_t *c, const char *lower, size_t from, bool end, bool empty)
{
	/* still taken: nobody else touches c. Later pages come with tokens >= lower, so what is
	 * below `from` can go (memory shrinks as the listing advances; at the end only the last
	 * page stays, in case the proxy asks again for names its merged page left out) */
	size_t n = c->names.n;
	bool drop = !empty && c->kind == TLC_ROW_SNAP && (end || (from >= 4096 && from >= n / 2));
	char *nf = drop ? strdup(lower ? lower : "") : NULL;
	if (nf) {
		tln_drop_front(&c->names, from);
		free(c->floor);
		c->floor = nf;
	}
	pthread_mutex_lock(&tlc_mu);
	int i = -1;
	for (int j = 0; j < TLC_MAX && i < 0; j++)
		if (tlc_rows[j] == c)
			i = j;
	if (i < 0) { /* installed without a slot */
		pthread_mutex_unlock(&tlc_mu);
		tlc_free(c);
		return;
	}
	size_t nb = tln_bytes(&c->names);
	tlc_bytes = tlc_bytes - c->bytes + nb;
	c->bytes = nb;
	c->busy = false;
	c->used_ns = mono_ns();
	c->end = c->end || end;
	if (empty)
		tlc_drop(i); /* nothing after the token: the listing is over */
	pthread_mutex_unlock(&tlc_mu);
}

static void *tlc_thread_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&tlc_mu);
	while (tlc_running) {
		tlc_expire(mono_ns());
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&tlc_cv, &tlc_mu, &ts);
	}
	pthread_mutex_unlock(&tlc_mu);
	return NULL;
}

int tlc_start(void)
{
	if (tlc_started)
		return 0;
	tlc_running = true;
	if (pthread_create(&tlc_thread, NULL, tlc_thread_fn, NULL)) {
		tlc_running = false;
		return AIS_ENOMEM;
	}
	tlc_started = true;
	return 0;
}

void tlc_stop(void)
{
	if (tlc_started) {
		pthread_mutex_lock(&tlc_mu);
		tlc_running = false;
		pthread_cond_signal(&tlc_cv);
		pthread_mutex_unlock(&tlc_mu);
		pthread_join(tlc_thread, NULL);
		tlc_started = false;
	}
	pthread_mutex_lock(&tlc_mu);
	for (int i = 0; i < TLC_MAX; i++)
		if (tlc_rows[i] && !tlc_rows[i]->busy)
			tlc_drop(i);
	pthread_mutex_unlock(&tlc_mu);
}

void tlc_usage(int *ncursors, size_t *bytes)
{
	pthread_mutex_lock(&tlc_mu);
	int n = 0;
	for (int i = 0; i < TLC_MAX; i++)
		n += tlc_rows[i] != NULL;
	*ncursors = n;
	*bytes = tlc_bytes;
	pthread_mutex_unlock(&tlc_mu);
}
