/* plcache: the proxy's table of listings between pages (see plcache.h). Invariants: an entry in
 * the table is owned by the table (taken ones by their taker); plc_ents is the sum of the
 * entries' kept lso entries (under plc_mu). Expiry is lazy (every take and put). */
#include "proxy/plcache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static pthread_mutex_t plc_mu = PTHREAD_MUTEX_INITIALIZER;
static plcache_t *plc_rows[PLCACHE_MAX]; /* plc_mu */
static size_t plc_ents;                  /* plc_mu */

static size_t plc_count(const plcache_t *c)
{
	size_t n = 0;
	for (int i = 0; i < c->nt; i++)
		n += c->t[i].left.n;
	return n;
}

void plcache_free(plcache_t *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nt; i++) {
		free(c->t[i].last);
		lso_res_fini(&c->t[i].left);
	}
	free(c->t);
	free(c->uuid);
	free(c->key);
	free(c->token);
	free(c);
}

plcache_t *plcache_new(const char *uuid, const char *key, const char *const *ids, int nt)
{
	plcache_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->uuid = strdup(uuid ? uuid : "");
	c->key = strdup(key ? key : "");
	c->t = calloc((size_t)nt + 1, sizeof(*c->t));
	c->nt = nt;
	if (!c->uuid || !c->key || !c->t) {
		c->nt = 0;
		plcache_free(c);
		return NULL;
	}
	for (int i = 0; i < nt; i++) {
		snprintf(c->t[i].id, sizeof(c->t[i].id), "%s", ids[i]);
		lso_res_init(&c->t[i].left);
	}
	return c;
}

/* drop row i; plc_mu held */
static void plc_drop(int i)
{
	plc_ents -= plc_count(plc_rows[i]);
	plcache_free(plc_rows[i]);
	plc_rows[i] = NULL;
}

static void plc_expire(long long now)
{
	for (int i = 0; i < PLCACHE_MAX; i++)
		if (plc_rows[i] && now - plc_rows[i]->used_ns > PLCACHE_IDLE_S * 1000000000LL)
			plc_drop(i);
}

static bool plc_same_targets(const plcache_t *c, const char *const *ids, int nt)
{
	if (c->nt != nt)
		return false;
	for (int i = 0; i < nt; i++)
		if (strcmp(c->t[i].id, ids[i]))
			return false;
	return true;
}

plcache_t *plcache_take(const char *uuid, const char *key, const char *token, const char *const *ids, int nt)
{
	if (!uuid || !*uuid)
		return NULL;
	plcache_t *c = NULL;
	pthread_mutex_lock(&plc_mu);
	plc_expire(mono_ns());
	for (int i = 0; i < PLCACHE_MAX; i++) {
		plcache_t *r = plc_rows[i];
		if (!r || strcmp(r->uuid, uuid))
			continue;
		if (!strcmp(r->key, key ? key : "") && !strcmp(r->token ? r->token : "", token ? token : "") &&
		    plc_same_targets(r, ids, nt)) {
			plc_ents -= plc_count(r);
			plc_rows[i] = NULL;
			c = r;
		} else {
			plc_drop(i); /* the listing went elsewhere (another token, the cluster changed) */
		}
		break;
	}
	pthread_mutex_unlock(&plc_mu);
	return c;
}

void plcache_put(plcache_t *c)
{
	size_t n = plc_count(c);
	c->used_ns = mono_ns();
	pthread_mutex_lock(&plc_mu);
	plc_expire(c->used_ns);
	for (;;) {
		int free_slot = -1, lru = -1;
		for (int i = 0; i < PLCACHE_MAX; i++) {
			if (!plc_rows[i]) {
				if (free_slot < 0)
					free_slot = i;
			} else if (lru < 0 || plc_rows[i]->used_ns < plc_rows[lru]->used_ns) {
				lru = i;
			}
		}
		if (free_slot >= 0 && plc_ents + n <= PLCACHE_MAX_ENTS) {
			plc_rows[free_slot] = c;
			plc_ents += n;
			c = NULL;
			break;
		}
		if (lru < 0)
			break; /* alone and still too big: not kept (its next page asks the targets again) */
		plc_drop(lru);
	}
	pthread_mutex_unlock(&plc_mu);
	plcache_free(c);
}

void plcache_usage(int *n, size_t *ents)
{
	pthread_mutex_lock(&plc_mu);
	int k = 0;
	for (int i = 0; i < PLCACHE_MAX; i++)
		k += plc_rows[i] != NULL;
	*n = k;
	*ents = plc_ents;
	pthread_mutex_unlock(&plc_mu);
}
