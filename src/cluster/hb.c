/* hb: owns the last-heard table (see hb.h). A small array searched linearly: clusters here
 * have tens of nodes, and the table is touched once per keepalive. */
#include "cluster/hb.h"
#include "cluster/smap.h"
#include "core/log.h"
#include "core/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct hb_ent {
	char id[SNODE_ID_MAX];
	int64_t last;
};

static pthread_mutex_t hb_mu = PTHREAD_MUTEX_INITIALIZER;
static struct hb_ent *hb_tab; /* hb_mu */
static int hb_n, hb_cap;

static struct hb_ent *hb_find(const char *id)
{
	for (int i = 0; i < hb_n; i++)
		if (!strcmp(hb_tab[i].id, id))
			return &hb_tab[i];
	return NULL;
}

void hb_heard_at(const char *id, int64_t t)
{
	if (!id || !*id)
		return;
	pthread_mutex_lock(&hb_mu);
	struct hb_ent *e = hb_find(id);
	if (!e && hb_n == hb_cap) {
		int nc = hb_cap ? hb_cap * 2 : 64;
		struct hb_ent *nv = realloc(hb_tab, (size_t)nc * sizeof(*nv));
		if (!nv) {
			pthread_mutex_unlock(&hb_mu);
			log_err("heartbeat: out of memory tracking node %s", id);
			return;
		}
		hb_tab = nv;
		hb_cap = nc;
	}
	if (!e) {
		e = &hb_tab[hb_n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof(e->id), "%s", id);
	}
	if (t > e->last)
		e->last = t;
	pthread_mutex_unlock(&hb_mu);
}

void hb_heard(const char *id) { hb_heard_at(id, mono_ns()); }

int64_t hb_last(const char *id)
{
	pthread_mutex_lock(&hb_mu);
	struct hb_ent *e = id ? hb_find(id) : NULL;
	int64_t t = e ? e->last : 0;
	pthread_mutex_unlock(&hb_mu);
	return t;
}

bool hb_timed_out(const char *id, int64_t interval_ns)
{
	int64_t t = hb_last(id);
	return !t || mono_ns() - t > interval_ns;
}

void hb_forget(const char *id)
{
	pthread_mutex_lock(&hb_mu);
	struct hb_ent *e = id ? hb_find(id) : NULL;
	if (e)
		*e = hb_tab[--hb_n];
	pthread_mutex_unlock(&hb_mu);
}
