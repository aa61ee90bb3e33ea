/* unit tests: cluster/vote.c (the voter's decision, HRW candidate order with liveness, the
 * VoteRecord codec) and the pieces it stands on: smap_hrw_proxy/smap_hrw_proxies (AIStore's
 * HrwProxy: highest ID digest, skipping the primary, non-electable and maintenance proxies),
 * snode_url (IPv6 brackets), hb (heartbeat table). */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "cluster/hb.h"
#include "cluster/smap.h"
#include "cluster/vote.h"
#include "core/hrw.h"
#include "core/jsonx.h"

static smap_t *mk(int nproxies, int ntargets)
{
	smap_t *m = smap_new();
	snode_t n;
	for (int i = 0; i < nproxies; i++) {
		char id[16];
		snprintf(id, sizeof(id), "p%d", i);
		snode_init(&n, id, 'p', "127.0.0.1", 8080 + i, 9080 + i, 10080 + i);
		smap_upsert(m, &n);
	}
	for (int i = 0; i < ntargets; i++) {
		char id[16];
		snprintf(id, sizeof(id), "t%d", i);
		snode_init(&n, id, 't', "127.0.0.1", 8180 + i, 9180 + i, 10180 + i);
		smap_upsert(m, &n);
	}
	snprintf(m->uuid, sizeof(m->uuid), "uuid1xyzw");
	snprintf(m->primary_id, sizeof(m->primary_id), "p0");
	m->version = 7;
	return m;
}

/* the reference order: by hrw_digest(id), highest first */
static void ref_order(const smap_t *m, const char *skip, const char **out, int *n)
{
	*n = 0;
	for (int i = 0; i < m->nproxies; i++) {
		const snode_t *p = &m->proxies[i];
		if (skip && !strcmp(p->id, skip))
			continue;
		if (p->flags & (SNODE_NONELECTABLE | SNODE_MAINT | SNODE_DECOMM))
			continue;
		out[(*n)++] = p->id;
	}
	for (int i = 1; i < *n; i++)
		for (int j = i; j > 0 && hrw_digest(out[j - 1], strlen(out[j - 1])) < hrw_digest(out[j], strlen(out[j])); j--) {
			const char *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
}

Test(vote, hrw_proxy_order_matches_digests)
{
	smap_t *m = mk(7, 2);
	const char *ref[16];
	int n;
	ref_order(m, "p0", ref, &n);
	cr_assert_eq(n, 6);
	const snode_t *got[16];
	cr_assert_eq(smap_hrw_proxies(m, "p0", got, 16), 6);
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(got[i]->id, ref[i], "position %d", i);
	cr_assert_str_eq(smap_hrw_proxy(m, "p0")->id, ref[0]);
	/* digest is what the Smap carries (id_digest) and what AIStore compares */
	cr_assert_eq(got[0]->id_digest, hrw_digest(ref[0], strlen(ref[0])));
	/* targets are never candidates */
	for (int i = 0; i < n; i++)
		cr_assert_eq(got[i]->type, 'p');
	smap_free(m);
}

Test(vote, hrw_proxy_skips_flags_and_primary)
{
	smap_t *m = mk(4, 1);
	const snode_t *first = smap_hrw_proxy(m, NULL);
	cr_assert_not_null(first);
	/* skipping the top one yields the next */
	const snode_t *second = smap_hrw_proxy(m, first->id);
	cr_assert_not_null(second);
	cr_assert_str_neq(first->id, second->id);
	/* maintenance, decommission and non-electable all drop out */
	snode_t x = *first;
	x.flags = SNODE_MAINT;
	smap_upsert(m, &x);
	cr_assert_str_eq(smap_hrw_proxy(m, NULL)->id, second->id);
	x.flags = SNODE_NONELECTABLE;
	smap_upsert(m, &x);
	cr_assert_str_eq(smap_hrw_proxy(m, NULL)->id, second->id);
	x.flags = SNODE_DECOMM;
	smap_upsert(m, &x);
	cr_assert_str_eq(smap_hrw_proxy(m, NULL)->id, second->id);
	/* nobody left */
	smap_t *one = mk(1, 3);
	cr_assert_null(smap_hrw_proxy(one, "p0"));
	const snode_t *v[4];
	cr_assert_eq(smap_hrw_proxies(one, "p0", v, 4), 0);
	smap_free(one);
	smap_free(m);
}

/* liveness table for vote_next_live */
struct live {
	const char *dead[8];
	int ndead, calls;
};

static bool alive_fn(const snode_t *p, void *arg)
{
	struct live *l = arg;
	l->calls++;
	for (int i = 0; i < l->ndead; i++)
		if (!strcmp(l->dead[i], p->id))
			return false;
	return true;
}

Test(vote, next_live_skips_dead_candidates)
{
	smap_t *m = mk(5, 3);
	const snode_t *order[8];
	int n = smap_hrw_proxies(m, "p0", order, 8);
	cr_assert_eq(n, 4);
	struct live l = {.ndead = 0};
	cr_assert_str_eq(vote_next_live(m, "p0", NULL, alive_fn, &l)->id, order[0]->id);
	/* the next candidate died with the primary: the third one is next */
	l.dead[l.ndead++] = order[0]->id;
	cr_assert_str_eq(vote_next_live(m, "p0", NULL, alive_fn, &l)->id, order[1]->id);
	l.dead[l.ndead++] = order[1]->id;
	l.calls = 0;
	cr_assert_str_eq(vote_next_live(m, "p0", NULL, alive_fn, &l)->id, order[2]->id);
	cr_assert_eq(l.calls, 3, "probes only up to the first live one");
	/* self is live without a probe */
	l.calls = 0;
	cr_assert_str_eq(vote_next_live(m, "p0", order[0]->id, alive_fn, &l)->id, order[0]->id);
	cr_assert_eq(l.calls, 0);
	/* everybody dead */
	for (int i = 2; i < n; i++)
		l.dead[l.ndead++] = order[i]->id;
	cr_assert_null(vote_next_live(m, "p0", NULL, alive_fn, &l));
	smap_free(m);
}

Test(vote, decide)
{
	smap_t *m = mk(3, 3);
	const snode_t *order[4];
	smap_hrw_proxies(m, "p0", order, 4);
	char why[256];
	struct live l = {.ndead = 0};
	/* the primary is still heard: NO whoever asks */
	cr_assert_not(vote_decide(m, order[0]->id, true, "t0", alive_fn, &l, why, sizeof(why)));
	cr_assert(strstr(why, "still alive"));
	/* not heard: YES for the next in line only */
	cr_assert(vote_decide(m, order[0]->id, false, "t0", alive_fn, &l, why, sizeof(why)));
	cr_assert_not(vote_decide(m, order[1]->id, false, "t0", alive_fn, &l, why, sizeof(why)));
	cr_assert(strstr(why, "next in line"), "%s", why);
	/* ... unless the one ahead is dead */
	l.dead[l.ndead++] = order[0]->id;
	cr_assert(vote_decide(m, order[1]->id, false, "t0", alive_fn, &l, why, sizeof(why)));
	/* a voter that is itself ahead of the candidate says NO (it is live) */
	l.ndead = 0;
	cr_assert_not(vote_decide(m, order[1]->id, false, order[0]->id, alive_fn, &l, why, sizeof(why)));
	/* unknown candidate, a target as candidate */
	cr_assert_not(vote_decide(m, "nosuch", false, "t0", alive_fn, &l, why, sizeof(why)));
	cr_assert_not(vote_decide(m, "t1", false, "t0", alive_fn, &l, why, sizeof(why)));
	/* the candidate in maintenance: not electable */
	snode_t x = *smap_find(m, order[0]->id);
	x.flags = SNODE_MAINT;
	smap_upsert(m, &x);
	cr_assert_not(vote_decide(m, order[0]->id, false, "t0", alive_fn, &l, why, sizeof(why)));
	smap_free(m);
}

Test(vote, record_codec)
{
	smap_t *m = mk(3, 2);
	vote_rec_t v = {.smap = m};
	snprintf(v.candidate, sizeof(v.candidate), "p1");
	snprintf(v.primary, sizeof(v.primary), "p0");
	snprintf(v.initiator, sizeof(v.initiator), "t1");
	snprintf(v.start_time, sizeof(v.start_time), "2026-01-02T03:04:05Z");
	json_t *j = vote_rec_to_json(&v);
	cr_assert_not_null(j);
	/* AIStore's VoteRecord keys */
	cr_assert_str_eq(jsonx_str(j, "candidate", ""), "p1");
	cr_assert_str_eq(jsonx_str(j, "primary", ""), "p0");
	cr_assert_str_eq(jsonx_str(j, "initiator", ""), "t1");
	cr_assert_str_eq(jsonx_str(j, "start_time", ""), "2026-01-02T03:04:05Z");
	cr_assert(json_is_object(json_object_get(json_object_get(j, "smap"), "pmap")));
	vote_rec_t back;
	char err[256];
	cr_assert_eq(vote_rec_from_json(j, &back, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(back.candidate, "p1");
	cr_assert_eq(back.smap->version, 7);
	cr_assert_eq(back.smap->nproxies, 3);
	cr_assert_str_eq(back.smap->primary_id, "p0");
	vote_rec_fini(&back);
	/* an invalid Smap (no primary in the pmap, no UUID, version 0) is refused */
	json_t *bad = json_deep_copy(j);
	json_object_set_new(json_object_get(bad, "smap"), "proxy_si", json_null());
	cr_assert_neq(vote_rec_from_json(bad, &back, err, sizeof(err)), 0);
	cr_assert_null(back.smap);
	json_decref(bad);
	bad = json_deep_copy(j);
	json_object_set_new(json_object_get(bad, "smap"), "version", json_string("0"));
	cr_assert_neq(vote_rec_from_json(bad, &back, err, sizeof(err)), 0);
	json_decref(bad);
	bad = json_deep_copy(j);
	json_object_del(bad, "smap");
	cr_assert_neq(vote_rec_from_json(bad, &back, err, sizeof(err)), 0);
	json_decref(bad);
	cr_assert_neq(vote_rec_from_json(json_string("x"), &back, err, sizeof(err)), 0);
	json_decref(j);
	smap_free(m);
}

Test(vote, ipv6_urls)
{
	char u[128];
	snode_url(u, sizeof(u), "::1", 8080);
	cr_assert_str_eq(u, "http://[::1]:8080");
	snode_url(u, sizeof(u), "fd00::2", 51080);
	cr_assert_str_eq(u, "http://[fd00::2]:51080");
	snode_url(u, sizeof(u), "10.0.0.5", 8080);
	cr_assert_str_eq(u, "http://10.0.0.5:8080");
	snode_url(u, sizeof(u), "node-1.example", 8080);
	cr_assert_str_eq(u, "http://node-1.example:8080");
	snode_t n;
	snode_init(&n, "p1", 'p', "::1", 1, 2, 3);
	cr_assert_str_eq(n.pub.url, "http://[::1]:1");
	cr_assert_str_eq(n.data.url, "http://[::1]:3");
	/* the JSON round trip keeps the bare address and the bracketed URL */
	json_t *j = snode_to_json(&n);
	cr_assert_str_eq(jsonx_str(json_object_get(j, "public_net"), "node_ip_addr", ""), "::1");
	snode_t b;
	cr_assert_eq(snode_from_json(j, &b), 0);
	cr_assert_str_eq(b.ctl.url, "http://[::1]:2");
	json_decref(j);
}

Test(vote, heartbeat)
{
	cr_assert(hb_timed_out("never", 1000000000LL));
	cr_assert_eq(hb_last("never"), 0);
	hb_heard("n1");
	cr_assert_not(hb_timed_out("n1", 1000000000LL));
	usleep(20 * 1000);
	cr_assert(hb_timed_out("n1", 10 * 1000000LL));
	int64_t t = hb_last("n1");
	hb_heard_at("n1", t - 1000); /* never moves back */
	cr_assert_eq(hb_last("n1"), t);
	hb_forget("n1");
	cr_assert_eq(hb_last("n1"), 0);
}
