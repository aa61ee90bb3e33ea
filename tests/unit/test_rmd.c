/* rebalance metadata (cluster/rmd.h): the JSON codec (AIStore's RMD + our ext, versions as
 * numbers or strings, unknown keys ignored, malformed input refused), install (only newer, or
 * forced; persisted; the listener sees old and new in order), load without the listener. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/rmd.h"
#include "core/err.h"
#include "core/jsonx.h"

Test(rmd, codec_round_trip)
{
	rmd_t m, b;
	memset(&m, 0, sizeof(m));
	m.version = 17;
	snprintf(m.cluster_id, sizeof(m.cluster_id), "Xy1abc");
	snprintf(m.action, sizeof(m.action), "start-maintenance");
	snprintf(m.sid, sizeof(m.sid), "t1");
	m.smap_version = 33;
	rmd_add_tid(&m, "t1");
	rmd_add_tid(&m, "t1"); /* no duplicates */
	rmd_add_tid(&m, "t2");
	cr_assert_eq(m.ntids, 2);
	json_t *j = rmd_to_json(&m);
	char *s = jsonx_dumps(j);
	cr_assert(strstr(s, "\"version\":17") || strstr(s, "\"version\": 17"), "%s", s);
	cr_assert(strstr(s, "\"cluster_id\""), "%s", s);
	char err[128];
	cr_assert_eq(rmd_from_json(j, &b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(b.version, 17);
	cr_assert_str_eq(b.cluster_id, "Xy1abc");
	cr_assert_str_eq(b.action, "start-maintenance");
	cr_assert_str_eq(b.sid, "t1");
	cr_assert_eq(b.smap_version, 33);
	cr_assert_eq(b.ntids, 2);
	cr_assert_str_eq(b.target_ids[1], "t2");
	free(s);
	json_decref(j);
	char xid[16];
	rmd_xid(17, xid, sizeof(xid));
	cr_assert_str_eq(xid, "g17");
}

Test(rmd, aistore_shape_and_bad_input)
{
	rmd_t m;
	char err[128];
	/* AIStore's own RMD: no ext, version a number; unknown keys ignored */
	json_t *j = json_loads("{\"cluster_id\":\"abc\",\"target_ids\":[\"t1\"],\"version\":5,\"new_field\":1}", 0, NULL);
	cr_assert_eq(rmd_from_json(j, &m, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.version, 5);
	cr_assert_str_eq(m.action, "");
	json_decref(j);
	j = json_loads("{\"version\":\"6\",\"ext\":{\"smap_version\":\"9\",\"action\":\"join\"}}", 0, NULL);
	cr_assert_eq(rmd_from_json(j, &m, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.version, 6);
	cr_assert_eq(m.smap_version, 9);
	json_decref(j);
	static const char *const bad[] = {
		"[]", "{\"version\":-1}", "{\"version\":\"x\"}", "{\"version\":1,\"target_ids\":{}}",
		"{\"version\":1,\"target_ids\":[1]}", "{\"version\":1,\"ext\":[]}", "{\"version\":1,\"ext\":{\"action\":3}}",
		"{\"version\":1,\"cluster_id\":7}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = json_loads(bad[i], JSON_DECODE_ANY, NULL);
		cr_assert_not_null(j, "%s", bad[i]);
		cr_assert_eq(rmd_from_json(j, &m, err, sizeof(err)), AIS_EINVAL, "%s", bad[i]);
		json_decref(j);
	}
}

static int64_t heard_old = -1, heard_new = -1;
static int heard;
static void listener(const rmd_t *old, const rmd_t *cur)
{
	heard_old = old->version;
	heard_new = cur->version;
	heard++;
}

Test(rmd, install_persist_listener)
{
	char dir[] = "/tmp/test_rmd_XXXXXX", path[128];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/.ais.rmd", dir);
	rmd_set_persist_path(path);
	rmd_set_listener(listener);
	rmd_t m;
	memset(&m, 0, sizeof(m));
	m.version = rmd_version() + 3;
	int64_t v = m.version;
	cr_assert_eq(rmd_install(&m, false), 1);
	cr_assert_eq(heard_new, v);
	cr_assert_eq(rmd_version(), v);
	m.version = v - 1; /* older: rejected, nobody told */
	int n = heard;
	cr_assert_eq(rmd_install(&m, false), 0);
	cr_assert_eq(heard, n);
	cr_assert_eq(rmd_version(), v);
	m.version = v + 1;
	cr_assert_eq(rmd_install(&m, false), 1);
	cr_assert_eq(heard_old, v);
	cr_assert_eq(heard_new, v + 1);
	/* persisted: loaded back (without the listener) */
	m.version = 1;
	cr_assert_eq(rmd_install(&m, true), 1); /* forced down */
	cr_assert_eq(rmd_version(), 1);
	n = heard;
	cr_assert_eq(rmd_load_persisted(), 0);
	cr_assert_eq(rmd_version(), 1);
	cr_assert_eq(heard, n);
	rmd_set_listener(NULL);
	rmd_set_persist_path("");
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
