/* unit tests: cluster/smap.c — node arrays, AIStore JSON shape and round trip, install rules. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/jsonx.h"
#include "core/hrw.h"
#include "cluster/smap.h"

static smap_t *mk(int ntargets)
{
	smap_t *m = smap_new();
	snode_t n;
	snode_init(&n, "p1", 'p', "127.0.0.1", 8080, 9080, 10080);
	smap_upsert(m, &n);
	snprintf(m->primary_id, sizeof(m->primary_id), "p1");
	snprintf(m->uuid, sizeof(m->uuid), "uuid1");
	for (int i = ntargets; i >= 1; i--) {
		char id[16];
		snprintf(id, sizeof(id), "t%d", i);
		snode_init(&n, id, 't', "127.0.0.1", 8080 + i, 9080 + i, 10080 + i);
		smap_upsert(m, &n);
	}
	m->version = 3;
	return m;
}

Test(smap, sorted_upsert_remove)
{
	smap_t *m = mk(3);
	cr_assert_eq(m->ntargets, 3);
	cr_assert_str_eq(m->targets[0].id, "t1");
	cr_assert_str_eq(m->targets[2].id, "t3");
	cr_assert_eq(smap_remove(m, "t2"), 0);
	cr_assert_eq(m->ntargets, 2);
	cr_assert_neq(smap_remove(m, "t2"), 0);
	cr_assert_not_null(smap_find(m, "p1"));
	cr_assert_str_eq(smap_primary(m)->id, "p1");
	smap_free(m);
}

Test(smap, json_shape_and_roundtrip)
{
	smap_t *m = mk(2);
	json_t *j = smap_to_json(m);
	cr_assert(json_is_object(json_object_get(j, "pmap")));
	cr_assert(json_is_object(json_object_get(j, "tmap")));
	cr_assert_str_eq(json_string_value(json_object_get(j, "version")), "3");
	json_t *t1 = json_object_get(json_object_get(j, "tmap"), "t1");
	json_t *pub = json_object_get(t1, "public_net");
	cr_assert_str_eq(json_string_value(json_object_get(pub, "node_ip_addr")), "127.0.0.1");
	cr_assert_str_eq(json_string_value(json_object_get(pub, "daemon_port")), "8081");
	cr_assert_str_eq(json_string_value(json_object_get(pub, "direct_url")), "http://127.0.0.1:8081");
	cr_assert_str_eq(json_string_value(json_object_get(t1, "daemon_type")), "target");
	cr_assert_not_null(json_object_get(t1, "intra_control_net"));
	cr_assert_not_null(json_object_get(t1, "intra_data_net"));
	/* id_digest is a bare unsigned number in the wire text */
	char *s = jsonx_dumps(j);
	char want[64];
	snprintf(want, sizeof(want), "\"id_digest\":%llu", (unsigned long long)hrw_digest("t1", 2));
	cr_assert_not_null(strstr(s, want), "%s", s);
	json_t *back = jsonx_loadb(s, strlen(s), NULL);
	char err[128];
	smap_t *m2 = smap_from_json(back, err, sizeof(err));
	cr_assert_not_null(m2, "%s", err);
	cr_assert_eq(m2->version, 3);
	cr_assert_eq(m2->ntargets, 2);
	cr_assert_str_eq(m2->primary_id, "p1");
	cr_assert_eq(m2->targets[1].ctl.port, 9082);
	cr_assert_eq(m2->targets[0].id_digest, m->targets[0].id_digest);
	free(s);
	json_decref(j);
	json_decref(back);
	smap_free(m);
	smap_free(m2);
}

Test(smap, malformed_json_rejected)
{
	char err[128];
	json_t *j = json_pack("{s:{s:{s:s}}}", "tmap", "t1", "daemon_id", "t1");
	cr_assert_null(smap_from_json(j, err, sizeof(err)));
	json_decref(j);
	j = json_string("x");
	cr_assert_null(smap_from_json(j, err, sizeof(err)));
	json_decref(j);
}

Test(smap, install_only_newer)
{
	smap_t *a = mk(1);
	a->version = 5;
	cr_assert_eq(smap_install(a, false), 1);
	smap_t *b = mk(2);
	b->version = 4;
	cr_assert_eq(smap_install(b, false), 0); /* freed */
	smap_t *cur = smap_get();
	cr_assert_eq(cur->version, 5);
	smap_put(cur);
	smap_t *c = mk(3);
	c->version = 6;
	cr_assert_eq(smap_install(c, false), 1);
	cur = smap_get();
	cr_assert_eq(cur->ntargets, 3);
	smap_put(cur);
}

Test(smap, hrw_target_excludes_maintenance_and_is_stable)
{
	smap_t *m = mk(3);
	const char *u = "ais/@#/b/obj1";
	const snode_t *t = smap_owner(m, hrw_digest(u, strlen(u)));
	cr_assert_not_null(t);
	smap_t *c = smap_clone(m);
	cr_assert_str_eq(smap_owner(c, hrw_digest(u, strlen(u)))->id, t->id);
	for (int i = 0; i < c->ntargets; i++)
		if (!strcmp(c->targets[i].id, t->id))
			c->targets[i].flags |= SNODE_MAINT;
	const snode_t *t2 = smap_owner(c, hrw_digest(u, strlen(u)));
	cr_assert_str_neq(t2->id, t->id);
	cr_assert_eq(smap_active_targets(c), 2);
	smap_free(m);
	smap_free(c);
}
