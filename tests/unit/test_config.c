/* test_config: AIStore-layout cluster/local config parsing, defaults, error messages, load; the
 * config table (every row round-trips, bad values name the field, runtime rules, 501 for what is
 * not built, cross-field rules); refcounted versions (1,000 installs release everything); the
 * generated docs stay in sync. */
#include "cluster/bprops.h"
#include "core/config.h"
#include "core/config_tab.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define HAVE_LSAN 1
#endif

static const char *const playground_cluster =
	"{\"log\": {\"level\": \"3\", \"max_size\": \"10mb\", \"flush_time\": \"60s\"},"
	" \"timeout\": {\"cplane_operation\": \"1500ms\", \"max_keepalive\": \"4s\", \"startup_time\": \"1m\"},"
	" \"proxy\": {\"primary_url\": \"http://localhost:8080\", \"original_url\": \"\", \"non_electable\": false},"
	" \"checksum\": {\"type\": \"md5\", \"validate_cold_get\": true, \"validate_warm_get\": true},"
	" \"versioning\": {\"enabled\": false, \"validate_warm_get\": false},"
	" \"keepalivetracker\": {\"proxy\": {\"interval\": \"10s\", \"name\": \"heartbeat\", \"factor\": 3},"
	"   \"target\": {\"interval\": \"7s\", \"name\": \"heartbeat\", \"factor\": 4}, \"num_retries\": 3},"
	" \"features\": \"0\"}";

static const char *const playground_local =
	"{\"confdir\": \"/tmp/ais/1\", \"log_dir\": \"/tmp/ais/1/log\","
	" \"host_net\": {\"hostname\": \"\", \"hostname_intra_control\": \"\", \"hostname_intra_data\": \"\","
	"   \"port\": \"8081\", \"port_intra_control\": \"9081\", \"port_intra_data\": \"10081\"},"
	" \"fspaths\": {\"/tmp/ais/mp1/1\": {}, \"/tmp/ais/mp2/1/\": {}},"
	" \"test_fspaths\": {\"root\": \"/tmp/ais\", \"count\": 0, \"instance\": 0}}";

static json_t *js(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	cr_assert_not_null(j, "bad test JSON: %s", e.text);
	return j;
}

/* parse and expect failure whose message contains `want`. */
static void expect_err(const char *cluster, const char *local, const char *want)
{
	config_t c;
	char err[256] = "";
	json_t *jc = js(cluster), *jl = js(local);
	int rc = config_parse(&c, jc, jl, err, sizeof(err));
	cr_expect_eq(rc, AIS_EINVAL, "rc %d for %s / %s", rc, cluster, local);
	cr_expect(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
	json_decref(jc);
	json_decref(jl);
}

Test(config, playground_layout)
{
	config_t c;
	char err[256];
	json_t *jc = js(playground_cluster), *jl = js(playground_local);
	cr_assert_eq(config_parse(&c, jc, jl, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(c.primary_url, "http://localhost:8080");
	cr_expect_eq(c.keepalive_interval_ns, 7000000000LL);
	cr_expect_eq(c.keepalive_factor, 4);
	cr_expect_eq(c.max_keepalive_ns, 4000000000LL);
	cr_expect_eq(c.cplane_timeout_ns, 1500000000LL);
	cr_expect_str_eq(c.cksum_type, "md5");
	cr_expect(c.validate_warm_get);
	cr_expect(c.validate_cold_get);
	cr_expect_not(c.versioning);
	cr_expect_eq(c.log_level, 3);
	cr_expect_str_eq(c.confdir, "/tmp/ais/1");
	cr_expect_str_eq(c.log_dir, "/tmp/ais/1/log");
	cr_expect_str_eq(c.host, "");
	cr_expect_eq(c.port, 8081);
	cr_expect_eq(c.port_ctl, 9081);
	cr_expect_eq(c.port_data, 10081);
	cr_assert_eq(c.nfspaths, 2);
	cr_expect_str_eq(c.fspaths[0], "/tmp/ais/mp1/1");
	cr_expect_str_eq(c.fspaths[1], "/tmp/ais/mp2/1"); /* cleaned like filepath.Clean */
	json_decref(jc); /* the config keeps no reference to the input documents */
	json_decref(jl);
	/* the shown JSON is generated from the typed values (table order, the given spellings) */
	json_t *shown = config_cluster_json(&c);
	cr_expect_str_eq(json_string_value(json_object_get(shown, "features")), "0");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(shown, "log"), "max_size")), "10mb");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(shown, "timeout"), "cplane_operation")), "1500ms");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(shown, "proxy"), "primary_url")),
			 "http://localhost:8080");
	json_decref(shown);
	json_t *lshown = config_local_json(&c);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(lshown, "host_net"), "port")), "8081");
	cr_expect(json_is_object(json_object_get(json_object_get(lshown, "fspaths"), "/tmp/ais/mp2/1")));
	json_decref(lshown);
	config_fini(&c);
}

Test(config, defaults_when_sections_missing)
{
	config_t c;
	char err[256];
	json_t *jc = js("{}"), *jl = js("{\"host_net\": {\"port\": 8080}}");
	cr_assert_eq(config_parse(&c, jc, jl, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(c.keepalive_interval_ns, 10000000000LL);
	cr_expect_eq(c.keepalive_factor, 3);
	cr_expect_eq(c.max_keepalive_ns, 5000000000LL);
	cr_expect_eq(c.cplane_timeout_ns, 2000000000LL);
	cr_expect_str_eq(c.cksum_type, "xxhash2");
	cr_expect_not(c.validate_warm_get);
	cr_expect_not(c.validate_cold_get);
	cr_expect(c.versioning);
	cr_expect_eq(c.log_level, 3);
	cr_expect_str_eq(c.primary_url, "");
	cr_expect_eq(c.port, 8080, "numeric port accepted");
	cr_expect_eq(c.port_ctl, 0);
	cr_expect_eq(c.port_data, 0);
	cr_expect_eq(c.nfspaths, 0);
	config_fini(&c);
	json_decref(jc);
	json_decref(jl);
}

Test(config, nulls_and_empty_intra_ports)
{
	config_t c;
	char err[256];
	json_t *jc = js("{\"proxy\": null, \"checksum\": {\"type\": null}, \"log\": {\"level\": 4}}");
	json_t *jl = js("{\"host_net\": {\"hostname\": \"10.0.0.1, 10.0.0.2\", \"port\": \"51080\","
			" \"port_intra_control\": \"\", \"port_intra_data\": null}, \"fspaths\": null}");
	cr_assert_eq(config_parse(&c, jc, jl, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(c.cksum_type, "xxhash2");
	cr_expect_eq(c.log_level, 4);
	cr_expect_str_eq(c.host, "10.0.0.1,10.0.0.2", "spaces stripped as AIStore does");
	cr_expect_eq(c.port, 51080);
	cr_expect_eq(c.port_ctl, 0);
	config_fini(&c);
	json_decref(jc);
	json_decref(jl);
}

Test(config, fspaths_cleaning)
{
	config_t c;
	char err[256];
	json_t *jc = js("{}");
	json_t *jl = js("{\"host_net\": {\"port\": \"1\"}, \"fspaths\": {\"/a//b/./c/\": {}, \"/x/y/../z\": {},"
			" \"/..//q\": \"label\"}}");
	cr_assert_eq(config_parse(&c, jc, jl, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.nfspaths, 3);
	cr_expect_str_eq(c.fspaths[0], "/a/b/c");
	cr_expect_str_eq(c.fspaths[1], "/x/z");
	cr_expect_str_eq(c.fspaths[2], "/q");
	config_fini(&c);
	json_decref(jc);
	json_decref(jl);
}

Test(config, errors)
{
	const char *okl = "{\"host_net\": {\"port\": \"8080\"}}";
	expect_err("{}", "{\"host_net\": {\"port\": \"abc\"}}", "local config: host_net.port: invalid port \"abc\"");
	expect_err("{}", "{\"host_net\": {\"port\": \"70000\"}}", "local config: host_net.port: invalid port 70000");
	expect_err("{}", "{\"host_net\": {\"port\": 0}}", "host_net.port: invalid port 0");
	expect_err("{}", "{\"host_net\": {\"port\": true}}", "host_net.port: invalid port");
	expect_err("{}", "{}", "local config: host_net.port: missing port");
	expect_err("{}", "{\"host_net\": {\"port\": \"8080\", \"port_intra_data\": \"x1\"}}",
		   "host_net.port_intra_data: invalid port \"x1\"");
	expect_err("{}", "{\"host_net\": 5}", "local config: host_net: expecting a JSON object");
	expect_err("{}", "[]", "local config: expecting a JSON object");
	expect_err("[1]", okl, "cluster config: expecting a JSON object");
	expect_err("{\"timeout\": {\"max_keepalive\": \"5 parsecs\"}}", okl,
		   "cluster config: timeout.max_keepalive: invalid duration \"5 parsecs\"");
	expect_err("{\"timeout\": {\"cplane_operation\": 2}}", okl, "timeout.cplane_operation: expecting a duration");
	expect_err("{\"keepalivetracker\": {\"target\": {\"factor\": \"x\"}}}", okl,
		   "keepalivetracker.target.factor: invalid factor \"x\"");
	expect_err("{\"keepalivetracker\": {\"target\": 3}}", okl, "keepalivetracker.target: expecting a JSON object");
	expect_err("{\"checksum\": {\"type\": \"crc64\"}}", okl, "checksum.type: invalid checksum type \"crc64\"");
	expect_err("{\"checksum\": {\"type\": \"\"}}", okl, "checksum.type: invalid checksum type \"\"");
	expect_err("{\"checksum\": {\"type\": \"a-very-long-checksum-type-name\"}}", okl, "invalid checksum type");
	expect_err("{\"checksum\": {\"validate_warm_get\": \"yes\"}}", okl,
		   "checksum.validate_warm_get: expecting true or false");
	expect_err("{\"versioning\": {\"enabled\": 1}}", okl, "versioning.enabled: expecting true or false");
	expect_err("{\"log\": {\"level\": \"6\"}}", okl, "log.level: invalid level 6");
	expect_err("{\"log\": {\"level\": \"8\"}}", okl, "log.level: invalid level 8");
	expect_err("{\"log\": {\"level\": \"x\"}}", okl, "log.level: invalid log level \"x\"");
	expect_err("{\"proxy\": {\"primary_url\": 8080}}", okl, "proxy.primary_url: expecting a string");
	expect_err("{}", "{\"confdir\": [], \"host_net\": {\"port\": \"1\"}}", "local config: confdir: expecting a string");
	expect_err("{}", "{\"host_net\": {\"port\": \"1\"}, \"fspaths\": [\"/a\"]}", "fspaths: expecting a JSON object");
	expect_err("{}", "{\"host_net\": {\"port\": \"1\"}, \"fspaths\": {\"rel/path\": {}}}",
		   "invalid mountpath \"rel/path\": must be an absolute path");
	expect_err("{}", "{\"host_net\": {\"port\": \"1\"}, \"fspaths\": {\"/a/..\": {}}}", "root directory");
	expect_err("{}", "{\"host_net\": {\"port\": \"1\"}, \"fspaths\": {\"/a/b\": {}, \"/a//b/\": {}}}",
		   "is duplicated");
	expect_err("{}", "{\"host_net\": {\"port\": \"1\"}, \"fspaths\": {\"/a\": 5}}", "expecting {} or a label");
}

Test(config, long_string_rejected)
{
	char big[1200];
	memset(big, 'h', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	json_t *jl = json_pack("{s:{s:s,s:s}}", "host_net", "hostname", big, "port", "8080");
	json_t *jc = js("{}");
	config_t c;
	char err[256];
	cr_expect_eq(config_parse(&c, jc, jl, err, sizeof(err)), AIS_EINVAL);
	cr_expect(strstr(err, "host_net.hostname: value too long") != NULL, "%s", err);
	json_decref(jl);
	json_decref(jc);
}

Test(config, error_buffer_tiny_or_null)
{
	config_t c;
	char err[8];
	json_t *jc = js("{}"), *jl = js("{}");
	cr_expect_eq(config_parse(&c, jc, jl, err, sizeof(err)), AIS_EINVAL);
	cr_expect_eq(strlen(err), 7);
	cr_expect_eq(config_parse(&c, jc, jl, NULL, 0), AIS_EINVAL);
	json_decref(jc);
	json_decref(jl);
}

static void write_file(const char *path, const char *s)
{
	cr_assert_eq(fsops_write_atomic(path, s, strlen(s)), 0);
}

Test(config, load_and_get)
{
	char dir[] = "/tmp/test_config.XXXXXX", cpath[64], lpath[64], err[256];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cpath, sizeof(cpath), "%s/ais.json", dir);
	snprintf(lpath, sizeof(lpath), "%s/ais_local.json", dir);

	cr_expect_null(config_get());
	cr_expect_eq(config_load(cpath, lpath, err, sizeof(err)), AIS_ENOTFOUND);
	cr_expect(strstr(err, "cluster config: failed to read") != NULL, "%s", err);
	cr_expect_null(config_get());

	write_file(cpath, playground_cluster);
	write_file(lpath, "{\"host_net\": ");
	cr_expect_eq(config_load(cpath, lpath, err, sizeof(err)), AIS_EINVAL);
	cr_expect(strstr(err, "local config: ") && strstr(err, "invalid JSON"), "%s", err);

	write_file(lpath, playground_local);
	cr_assert_eq(config_load(cpath, lpath, err, sizeof(err)), 0, "%s", err);
	const config_t *c = config_get();
	cr_assert_not_null(c);
	cr_expect_eq(c->port, 8081);
	cr_expect_str_eq(c->cksum_type, "md5");
	config_put(c);

	/* a failed reload keeps the previous config; a good one replaces it */
	write_file(lpath, "{\"host_net\": {\"port\": \"abc\"}}");
	cr_expect_eq(config_load(cpath, lpath, err, sizeof(err)), AIS_EINVAL);
	c = config_get();
	cr_expect_eq(c->port, 8081);
	config_put(c);
	write_file(lpath, "{\"host_net\": {\"port\": \"9999\"}}");
	cr_assert_eq(config_load(cpath, lpath, err, sizeof(err)), 0, "%s", err);
	c = config_get();
	cr_expect_eq(c->port, 9999);
	cr_expect_eq(c->nfspaths, 0);
	config_put(c);
	config_cleanup();
	cr_expect_eq(config_versions_alive(), 0, "every version freed");

	unlink(cpath);
	unlink(lpath);
	rmdir(dir);
}

/* ======================= the config table: every row ======================= */

static const char *const okl = "{\"host_net\": {\"port\": \"8080\"}}";

/* {"a": {"b": v}} for path "a.b" (v stolen) */
static json_t *nest(const char *path, json_t *v)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	char *dot = strrchr(buf, '.');
	json_t *o = json_object();
	if (!dot) {
		json_object_set_new(o, buf, v);
		return o;
	}
	*dot = '\0';
	json_object_set_new(o, dot + 1, v);
	return nest(buf, o);
}

/* parse a one-field document for row r: cluster rows in the cluster part, local rows in the
 * local part (with a port unless r is the port) */
static int parse_one(const ctab_row_t *r, json_t *v, config_t *c, char *err, size_t cap)
{
	json_t *doc = nest(r->path, v);
	int rc;
	if (r->flags & CF_LOCAL) {
		if (strcmp(r->path, "host_net.port"))
			json_object_set_new(json_object_get(doc, "host_net") ? json_object_get(doc, "host_net") : doc,
					    json_object_get(doc, "host_net") ? "port" : "host_net",
					    json_object_get(doc, "host_net") ? json_string("8080") : json_pack("{s:s}", "port", "8080"));
		json_t *cl = json_object();
		rc = config_parse(c, cl, doc, err, cap);
		json_decref(cl);
	} else {
		json_t *l = js(okl);
		rc = config_parse(c, doc, l, err, cap);
		json_decref(l);
	}
	json_decref(doc);
	return rc;
}

/* every row of a and b shows the same JSON */
static void expect_same(const config_t *a, const config_t *b, const char *ctx)
{
	size_t n;
	const ctab_row_t *rows = config_tab_rows(&n);
	for (size_t i = 0; i < n; i++) {
		json_t *x = config_tab_json(&rows[i], a, false), *y = config_tab_json(&rows[i], b, false);
		cr_expect(json_equal(x, y) || (!x && !y), "%s: %s differs after show -> load", ctx, rows[i].path);
		json_decref(x);
		json_decref(y);
	}
}

/* load -> show JSON -> load gives the same values */
static void roundtrip(const config_t *c, const char *ctx)
{
	char err[256];
	config_t c2;
	json_t *cl = config_cluster_json(c), *lo = config_local_json(c);
	cr_assert_eq(config_parse(&c2, cl, lo, err, sizeof(err)), 0, "%s: shown config does not load: %s", ctx, err);
	expect_same(c, &c2, ctx);
	config_fini(&c2);
	json_decref(cl);
	json_decref(lo);
}

/* valid non-default candidates for a row (NULL-terminated array of new references) */
static int good_values(const ctab_row_t *r, json_t **out)
{
	int n = 0;
	char b[64];
	switch (r->type) {
	case CT_BOOL:
		out[n++] = json_true();
		out[n++] = json_false();
		break;
	case CT_INT: {
		int64_t d = r->dflt ? atoll(r->dflt) : 0;
		int64_t c[6] = {r->lo, r->hi, r->lo + 1, r->hi - 1, d + 1, d - 1}; /* d +- 1: cross-field rules */
		for (int i = 0; i < 6; i++) {
			if (r->lo > r->hi || c[i] < r->lo || c[i] > r->hi || (r->hi == INT64_MAX && (i == 1 || i == 3)))
				continue;
			snprintf(b, sizeof(b), "%lld", (long long)c[i]);
			out[n++] = (r->flags & CF_QUOTED) ? json_string(b) : json_integer(c[i]);
		}
		if (r->flags & CF_NIY) { /* only the default loads */
			snprintf(b, sizeof(b), "%lld", (long long)d);
			out[n++] = (r->flags & CF_QUOTED) ? json_string(b) : json_integer(d);
		}
		break;
	}
	case CT_DUR:
	case CT_SIZE: {
		int64_t c[3] = {r->lo, r->hi, r->lo + (r->hi - r->lo) / 2};
		for (int i = 0; i < 3; i++) {
			if (r->lo > r->hi)
				continue;
			snprintf(b, sizeof(b), r->type == CT_DUR ? "%lldns" : "%lld", (long long)c[i]);
			out[n++] = json_string(b);
		}
		break;
	}
	case CT_STR:
		if (r->flags & CF_NIY) /* only the default is supported */
			out[n++] = json_string(r->dflt);
		out[n++] = json_string("x-value");
		out[n++] = json_string("get:5000 put:1000"); /* rate_limit.*.per_op_max_tokens */
		break;
	case CT_ENUM:
		for (int i = 0; r->vals[i]; i++)
			out[n++] = json_string(r->vals[i]);
		break;
	case CT_FEAT:
		out[n++] = json_string("S3-API-via-Root,Fsync-PUT");
		out[n++] = json_integer(16);
		break;
	case CT_LOGLVL:
		out[n++] = json_string("4");
		out[n++] = json_integer(5);
		break;
	case CT_PORT:
		out[n++] = json_string("1234");
		out[n++] = json_integer(65535);
		break;
	case CT_HOSTS:
		out[n++] = json_string("10.0.0.1, 10.0.0.2");
		break;
	case CT_STRL:
		out[n++] = json_pack("[s]", "https://x-value");
		out[n++] = json_string("https://y-value");
		out[n++] = json_pack("[s, s]", "https://a", "https://b");
		out[n++] = json_array();
		break;
	case CT_FSPATHS:
		out[n++] = json_pack("{s:{}, s:s}", "/tmp/rt/a", "/tmp/rt/b/", "label");
		break;
	case CT_S3KEYS:
		out[n++] = json_pack("[{s:s, s:s}]", "access", "AK2", "secret", "SK2");
		break;
	case CT_BACKEND:
		out[n++] = json_pack("{s:{}}", "aws");
		break;
	case CT_EMPTYOBJ:
	case CT_DROPOBJ:
		out[n++] = json_object();
		break;
	}
	out[n] = NULL;
	return n;
}

Test(config_tab, every_field_roundtrips)
{
	size_t n;
	const ctab_row_t *rows = config_tab_rows(&n);
	char err[256];
	config_t d;
	cr_assert_eq(config_defaults(&d), 0);
	d.port = 8080; /* the one required field */
	roundtrip(&d, "defaults");
	config_fini(&d);
	for (size_t i = 0; i < n; i++) {
		const ctab_row_t *r = &rows[i];
		json_t *cand[16];
		int nc = good_values(r, cand), loaded = 0, changed = 0;
		for (int k = 0; k < nc; k++) {
			config_t c;
			json_t *shown_dflt = NULL;
			if (parse_one(r, cand[k], &c, err, sizeof(err)) == 0) {
				config_t dd;
				config_defaults(&dd);
				shown_dflt = config_tab_json(r, &dd, false);
				json_t *shown = config_tab_json(r, &c, false);
				changed += !json_equal(shown, shown_dflt);
				json_decref(shown);
				json_decref(shown_dflt);
				config_fini(&dd);
				roundtrip(&c, r->path);
				config_fini(&c);
				loaded++;
			}
		}
		cr_expect_gt(loaded, 0, "%s: no value loads", r->path);
		bool single = r->type == CT_ENUM && !r->vals[1]; /* one allowed value: nothing to change to */
		bool other_test = !strcmp(r->path, "test_fspaths.count"); /* needs a root: its own test below */
		if (!(r->flags & CF_NIY) && r->type != CT_EMPTYOBJ && r->type != CT_DROPOBJ && !single && !other_test)
			cr_expect_gt(changed, 0, "%s: no non-default value round-trips", r->path);
	}
}

/* invalid values of each type (new references, NULL-terminated) */
static int bad_values(const ctab_row_t *r, json_t **out)
{
	int n = 0;
	char b[64], big[600];
	switch (r->type) {
	case CT_BOOL:
		out[n++] = json_string("yes");
		out[n++] = json_integer(1);
		break;
	case CT_INT:
		out[n++] = json_true();
		out[n++] = json_string("x");
		out[n++] = json_real(1.5);
		if (r->lo <= r->hi && r->hi < INT64_MAX)
			out[n++] = json_integer(r->hi + 1);
		if (r->lo <= r->hi && r->lo > INT64_MIN && !(r->lo - 1 == 0 && (r->flags & CF_ZERO_OK)))
			out[n++] = json_integer(r->lo - 1);
		break;
	case CT_DUR:
		out[n++] = json_integer(5);
		out[n++] = json_string("5 parsecs");
		if (r->lo <= r->hi && r->hi < INT64_MAX / 2) { /* (durations parse through a double) */
			snprintf(b, sizeof(b), "%lldns", (long long)(r->hi + r->hi / 1000 + 1));
			out[n++] = json_string(b);
		}
		if (r->lo > 1 && !(r->lo - 1 == 0 && (r->flags & CF_ZERO_OK))) {
			snprintf(b, sizeof(b), "%lldns", (long long)r->lo - 1);
			out[n++] = json_string(b);
		}
		break;
	case CT_SIZE:
		out[n++] = json_true();
		out[n++] = json_string("12parsecs");
		if (r->lo <= r->hi && r->hi < INT64_MAX)
			out[n++] = json_integer(r->hi + 1);
		break;
	case CT_STRL:
		out[n++] = json_pack("[s, s]", "a", ""); /* an empty entry */
		out[n++] = json_pack("[i]", 5);
		out[n++] = json_integer(5);
		break;
	case CT_STR:
	case CT_HOSTS:
		out[n++] = json_integer(5);
		memset(big, 'h', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		if (r->size < sizeof(big))
			out[n++] = json_string(big);
		break;
	case CT_ENUM:
		out[n++] = json_string("no-such-value");
		out[n++] = json_integer(1);
		break;
	case CT_FEAT:
		out[n++] = json_string("No-Such-Flag");
		out[n++] = json_integer(-1);
		out[n++] = json_true();
		break;
	case CT_LOGLVL:
		out[n++] = json_string("x");
		out[n++] = json_string("6");
		out[n++] = json_true();
		break;
	case CT_PORT:
		out[n++] = json_string("abc");
		out[n++] = json_integer(70000);
		out[n++] = json_true();
		break;
	case CT_FSPATHS:
		out[n++] = json_pack("[s]", "/a");
		out[n++] = json_pack("{s:{}}", "relative/path");
		break;
	case CT_S3KEYS:
		out[n++] = json_string("AK:SK");
		out[n++] = json_pack("[{s:s}]", "access", "only");
		break;
	case CT_BACKEND:
		out[n++] = json_string("x");
		out[n++] = json_pack("{s:{}}", "nope");
		break;
	case CT_EMPTYOBJ:
	case CT_DROPOBJ:
		out[n++] = json_string("x");
		break;
	}
	out[n] = NULL;
	return n;
}

Test(config_tab, bad_values_name_the_field)
{
	size_t n;
	const ctab_row_t *rows = config_tab_rows(&n);
	char err[512];
	for (size_t i = 0; i < n; i++) {
		const ctab_row_t *r = &rows[i];
		json_t *cand[16];
		int nc = bad_values(r, cand);
		cr_expect_gt(nc, 0, "%s: no bad value tried", r->path);
		for (int k = 0; k < nc; k++) {
			config_t c;
			char *txt = json_dumps(cand[k], JSON_ENCODE_ANY);
			json_incref(cand[k]);
			int rc = parse_one(r, cand[k], &c, err, sizeof(err));
			cr_expect(rc == AIS_EINVAL || rc == AIS_ENOTIMPL, "%s=%s accepted (rc %d)", r->path, txt, rc);
			if (!rc)
				config_fini(&c);
			else
				cr_expect(strstr(err, r->path) != NULL || (r->type == CT_FSPATHS && strstr(err, "fspaths")),
					  "%s=%s: message \"%s\" does not name the field", r->path, txt, err);
			free(txt);
			json_decref(cand[k]);
		}
	}
}

Test(config_tab, niy_values_rejected_at_load)
{
	struct {
		const char *cluster, *want;
	} cases[] = {
		{"{\"mirror\": {\"enabled\": true}}", "mirror.enabled: true is not implemented"},
		{"{\"ec\": {\"enabled\": true}}", "ec.enabled"},
		{"{\"auth\": {\"cluster_key\": {\"enabled\": false}}}", "auth.cluster_key.enabled"},
		{"{\"write_policy\": {\"md\": \"never\"}}", "write_policy.md: never is not implemented"},
		{"{\"features\": \"LZ4-Block-1MB\"}", "feature flag \"LZ4-Block-1MB\" is not implemented"},
		{"{\"features\": \"32\"}", "LZ4-Block-1MB"},
		{"{\"backend\": {\"gcp\": {}}}", "gcp: backend provider not built"},
		{"{\"tracing\": {\"enabled\": true}}", "tracing"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_t c;
		char err[256] = "";
		json_t *jc = js(cases[i].cluster), *jl = js(okl);
		cr_expect_eq(config_parse(&c, jc, jl, err, sizeof(err)), AIS_ENOTIMPL, "%s", cases[i].cluster);
		cr_expect(strstr(err, cases[i].want) != NULL, "%s: \"%s\" lacks \"%s\"", cases[i].cluster, err, cases[i].want);
		json_decref(jc);
		json_decref(jl);
	}
	/* supported values of NIY rows load */
	config_t c;
	char err[256];
	json_t *jc = js("{\"write_policy\": {\"md\": \"immediate\", \"data\": \"\"}, \"features\": \"Fsync-PUT\","
			" \"backend\": {}, \"distributed_sort\": {\"call_timeout\": \"10m\"}, \"mirror\": {\"enabled\": false},"
			" \"rebalance\": {\"enabled\": false}, \"resilver\": {\"enabled\": false}}");
	json_t *jl = js(okl);
	cr_assert_eq(config_parse(&c, jc, jl, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(c.features, FEAT_FSYNC_PUT);
	cr_expect(!c.rebalance_enabled && !c.resilver_enabled, "rebalance/resilver can be switched off (built)");
	json_t *shown = config_cluster_json(&c);
	cr_expect_null(json_object_get(shown, "distributed_sort"), "dropped as AIStore without dsort");
	json_decref(shown);
	config_fini(&c);
	json_decref(jc);
	json_decref(jl);
}

/* HTTPS is built: AIStore's HTTPConf names load as given (docs/https.md) */
Test(config_tab, https_settings_load)
{
	config_t c;
	char err[256] = "";
	json_t *jc = js("{\"net\": {\"http\": {\"use_https\": true, \"server_crt\": \"/c/n.crt\", \"server_key\": "
			"\"/c/n.key\", \"client_ca_tls\": \"/c/ca.crt\", \"client_auth_tls\": 4, \"skip_verify\": true}}}");
	json_t *jl = js(okl);
	cr_assert_eq(config_parse(&c, jc, jl, err, sizeof(err)), 0, "%s", err);
	cr_expect(c.net_http_use_https && c.net_http_skip_verify);
	cr_expect_str_eq(c.net_http_server_crt, "/c/n.crt");
	cr_expect_str_eq(c.net_http_server_key, "/c/n.key");
	cr_expect_str_eq(c.net_http_client_ca_tls, "/c/ca.crt");
	cr_expect_eq(c.net_http_client_auth_tls, 4);
	config_fini(&c);
	json_decref(jc);
	json_decref(jl);
	expect_err("{\"net\": {\"http\": {\"client_auth_tls\": 5}}}", okl, "net.http.client_auth_tls");
	expect_err("{\"net\": {\"http\": {\"domain_tls\": \"x.org\"}}}", okl, "net.http.domain_tls");
}

Test(config_tab, unknown_fields_and_cross_field_rules)
{
	expect_err("{\"checksum\": {\"tpye\": \"md5\"}}", okl, "cluster config: unknown field \"checksum.tpye\"");
	expect_err("{\"no_such_section\": {}}", okl, "unknown field \"no_such_section\"");
	expect_err("{\"checksum\": {\"bogus\": null}}", okl, "unknown field \"checksum.bogus\"");
	expect_err("{}", "{\"host_net\": {\"port\": \"1\", \"portt\": \"2\"}}", "local config: unknown field \"host_net.portt\"");
	expect_err("{\"confdir\": \"/x\"}", okl, "cluster config: unknown field \"confdir\"");
	expect_err("{\"timeout\": {\"cplane_operation\": \"3s\", \"max_keepalive\": \"5s\"}}", okl,
		   "timeout.max_keepalive: 5s must be >= 2 x timeout.cplane_operation (3s)");
	expect_err("{\"space\": {\"lowwm\": 95}}", okl, "space: invalid watermarks");
	expect_err("{\"log\": {\"max_size\": \"200MiB\", \"max_total\": \"256MiB\"}}", okl, "log.max_total");
	expect_err("{\"chunks\": {\"objsize_limit\": \"2GiB\", \"max_monolithic_size\": \"1GiB\"}}", okl,
		   "chunks.objsize_limit: cannot be greater");
	expect_err("{\"versioning\": {\"enabled\": false, \"validate_warm_get\": true}}", okl,
		   "versioning.validate_warm_get: requires versioning.enabled");
	expect_err("{\"chunks\": {\"chunk_size\": \"100\"}}", okl, "chunks.chunk_size: 100B out of range");
	expect_err("{\"keepalivetracker\": {\"target\": {\"interval\": \"1m\", \"factor\": 3}}}", okl,
		   "keepalivetracker.target: interval x factor exceeds 2m");
	expect_err("{\"rate_limit\": {\"backend\": {\"per_op_max_tokens\": \"get\"}}}", okl,
		   "rate_limit.backend.per_op_max_tokens: invalid format");
	expect_err("{\"s3\": {\"keys\": [{\"access\": \"a\", \"secret\": \"b\", \"x\": 1}]}}", okl, "s3.keys: [0]: unknown field");
}

Test(config_tab, test_fspaths_generate_mountpaths)
{
	config_t c;
	char err[256];
	json_t *jc = js("{}");
	json_t *jl = js("{\"host_net\": {\"port\": \"1\"}, \"fspaths\": {\"/ignored\": {}},"
			" \"test_fspaths\": {\"root\": \"/tmp/ais/\", \"count\": 3, \"instance\": 2}}");
	cr_assert_eq(config_parse(&c, jc, jl, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.nfspaths, 3);
	cr_expect_str_eq(c.fspaths[0], "/tmp/ais/mp1/2");
	cr_expect_str_eq(c.fspaths[2], "/tmp/ais/mp3/2");
	roundtrip(&c, "test_fspaths");
	config_fini(&c);
	json_decref(jc);
	json_decref(jl);
}

/* ======================= set-config through the table ======================= */

Test(config_tab, runtime_settable_enforced)
{
	size_t n;
	const ctab_row_t *rows = config_tab_rows(&n);
	config_t d;
	char err[512];
	cr_assert_eq(config_defaults(&d), 0);
	json_t *base = config_cluster_json(&d);
	for (size_t i = 0; i < n; i++) {
		const ctab_row_t *r = &rows[i];
		json_t *cl = json_deep_copy(base);
		const char *val = r->dflt ? r->dflt : "x";
		int rc = config_apply_kv(cl, r->path, val, CONFIG_SET_CLUSTER, err, sizeof(err));
		if (r->flags & CF_LOCAL) {
			cr_expect_eq(rc, AIS_EINVAL, "%s: local field settable", r->path);
			cr_expect(strstr(err, "unknown property"), "%s: %s", r->path, err);
		} else if (r->flags & CF_RO) {
			cr_expect_eq(rc, AIS_EINVAL, "%s: read-only field settable", r->path);
			cr_expect(strstr(err, "is readonly"), "%s: %s", r->path, err);
		} else if (r->type == CT_EMPTYOBJ || r->type == CT_S3KEYS || r->type == CT_BACKEND) {
			cr_expect_neq(rc, 0, "%s", r->path);
		} else {
			cr_expect_eq(rc, 0, "%s=%s: %s", r->path, val, err);
			rc = config_apply_kv(cl, r->path, val, CONFIG_SET_NODE, err, sizeof(err));
			if (r->flags & CF_GLOBAL)
				cr_expect(rc == AIS_EINVAL && strstr(err, "can only be globally updated"), "%s per node: %s",
					  r->path, err);
			else
				cr_expect_eq(rc, 0, "%s per node: %s", r->path, err);
		}
		json_decref(cl);
	}
	/* values: converted by type, rejected without changing the document */
	json_t *cl = json_deep_copy(base);
	cr_expect_eq(config_apply_kv(cl, "checksum.validate_warm_get", "true", 0, err, sizeof(err)), 0, "%s", err);
	cr_expect(json_is_true(json_object_get(json_object_get(cl, "checksum"), "validate_warm_get")));
	cr_expect_eq(config_apply_kv(cl, "mirror.copies", "5", 0, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(cl, "mirror"), "copies")), 5);
	cr_expect_eq(config_apply_kv(cl, "features", "Fsync-PUT,S3-API-via-Root", 0, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(json_string_value(json_object_get(cl, "features")), "24");
	json_t *before = json_deep_copy(cl);
	cr_expect_eq(config_apply_kv(cl, "mirror.copies", "50", 0, err, sizeof(err)), AIS_EINVAL);
	cr_expect(strstr(err, "mirror.copies") != NULL, "%s", err);
	cr_expect_eq(config_apply_kv(cl, "versioning.enabled", "maybe", 0, err, sizeof(err)), AIS_EINVAL);
	cr_expect_eq(config_apply_kv(cl, "no.such.key", "1", 0, err, sizeof(err)), AIS_EINVAL);
	cr_expect(strstr(err, "unknown property \"no.such.key\"") != NULL, "%s", err);
	cr_expect_eq(config_apply_kv(cl, "checksum", "md5", 0, err, sizeof(err)), AIS_EINVAL, "a section is not a field");
	cr_expect_eq(config_apply_kv(cl, "mirror.enabled", "true", 0, err, sizeof(err)), AIS_ENOTIMPL);
	cr_expect(strstr(err, "mirror.enabled") && strstr(err, "not implemented"), "%s", err);
	cr_expect_eq(config_apply_kv(cl, "ec.enabled", "true", 0, err, sizeof(err)), AIS_ENOTIMPL);
	cr_expect_eq(config_apply_kv(cl, "features", "Disable-Cold-GET", 0, err, sizeof(err)), AIS_ENOTIMPL);
	cr_expect_eq(config_apply_kv(cl, "features", "No-Such-Feature", 0, err, sizeof(err)), AIS_EINVAL);
	cr_expect_eq(config_apply_kv(cl, "write_policy.md", "delayed", 0, err, sizeof(err)), AIS_ENOTIMPL);
	cr_expect_eq(config_apply_kv(cl, "config_version", "7", 0, err, sizeof(err)), AIS_EINVAL);
	cr_expect_eq(config_apply_kv(cl, "keepalivetracker.target.name", "x", 0, err, sizeof(err)), AIS_EINVAL);
	cr_expect(json_equal(before, cl), "a rejected value changed the document");
	/* the JSON form: numbers, bools, an s3.keys array */
	json_t *keys = json_pack("[{s:s, s:s}]", "access", "AK9", "secret", "SK9");
	cr_expect_eq(config_apply_value(cl, "s3.keys", keys, 0, err, sizeof(err)), 0, "%s", err);
	json_t *four = json_integer(4);
	cr_expect_eq(config_apply_value(cl, "log.level", four, 0, err, sizeof(err)), 0, "%s", err);
	json_decref(four);
	json_t *bad = json_pack("[{s:s}]", "access", "AK9");
	cr_expect_eq(config_apply_value(cl, "s3.keys", bad, 0, err, sizeof(err)), AIS_EINVAL);
	json_decref(bad);
	json_decref(keys);
	config_t c;
	json_t *jl = js(okl);
	cr_assert_eq(config_parse(&c, cl, jl, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(c.mirror_copies, 5);
	cr_expect_eq(c.s3_nkeys, 1);
	cr_expect_str_eq(c.s3_keys[0].secret, "SK9");
	json_t *pub = config_public_json(&c);
	char *pubtxt = json_dumps(pub, 0);
	cr_expect_null(strstr(pubtxt, "SK9"), "secrets are masked");
	free(pubtxt);
	config_fini(&c);
	json_decref(pub);
	json_decref(jl);
	json_decref(before);
	json_decref(cl);
	json_decref(base);
	config_fini(&d);
}

/* ======================= versions: refcounted, released ======================= */

static void load_tmp(const char *cluster, const char *local)
{
	char dir[] = "/tmp/test_config_v.XXXXXX", cpath[64], lpath[64], err[256];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cpath, sizeof(cpath), "%s/c.json", dir);
	snprintf(lpath, sizeof(lpath), "%s/l.json", dir);
	write_file(cpath, cluster);
	write_file(lpath, local);
	cr_assert_eq(config_load(cpath, lpath, err, sizeof(err)), 0, "%s", err);
	unlink(cpath);
	unlink(lpath);
	rmdir(dir);
}

/* the current cluster config with one key set and config_version = v (new reference) */
static json_t *next_version(const char *key, const char *val, int64_t v)
{
	char err[256], ver[32];
	const config_t *cur = config_get();
	json_t *cl = config_cluster_json(cur);
	config_put(cur);
	cr_assert_eq(config_apply_kv(cl, key, val, CONFIG_SET_CLUSTER, err, sizeof(err)), 0, "%s", err);
	snprintf(ver, sizeof(ver), "%lld", (long long)v);
	json_object_set_new(cl, "config_version", json_string(ver));
	return cl;
}

Test(config_versions, install_1000_versions_and_release_them)
{
	char err[256];
	load_tmp("{\"periodic\": {\"stats_time\": \"10s\"}}", "{\"host_net\": {\"port\": \"8081\"}}");
	cr_assert_eq(config_versions_alive(), 1);
	const config_t *held = config_get(); /* a reader that keeps an old version across 1000 installs */
	for (int i = 1; i <= 1000; i++) {
		json_t *cl = next_version("periodic.stats_time", i % 2 ? "7s" : "10s", i);
		cr_assert_eq(config_install_cluster(cl, false, err, sizeof(err)), 1, "v%d: %s", i, err);
		json_decref(cl);
		cr_assert_leq(config_versions_alive(), 2, "v%d: replaced versions must be freed", i);
	}
	/* an older version is refused, a forced one installed */
	json_t *cl = next_version("log.level", "4", 5);
	cr_expect_eq(config_install_cluster(cl, false, err, sizeof(err)), 0);
	cr_expect_eq(config_versions_alive(), 2);
	json_decref(cl);
	const config_t *c = config_get();
	cr_expect_eq(c->version, 1000);
	cr_expect_eq(c->stats_time_ns, 10000000000LL);
	cr_expect_eq(config_features(), 0);
	config_put(c);
	/* the held version is still whole */
	cr_expect_eq(held->version, 0);
	cr_expect_eq(held->port, 8081);
	cr_expect_eq(held->stats_time_ns, 10000000000LL);
	config_put(held);
	cr_expect_eq(config_versions_alive(), 1);
	/* invalid versions change nothing */
	cl = next_version("features", "Fsync-PUT", 1001);
	json_object_set_new(json_object_get(cl, "mirror"), "enabled", json_true());
	cr_expect_eq(config_install_cluster(cl, false, err, sizeof(err)), AIS_ENOTIMPL);
	json_decref(cl);
	cr_expect_eq(config_features(), 0);
	cr_expect_eq(config_versions_alive(), 1);
	cl = next_version("features", "Fsync-PUT", 1001);
	cr_expect_eq(config_install_cluster(cl, false, err, sizeof(err)), 1, "%s", err);
	json_decref(cl);
	cr_expect_eq(config_features(), FEAT_FSYNC_PUT, "the hot-path flags follow the installed version");
	config_cleanup();
	cr_expect_eq(config_versions_alive(), 0);
	cr_expect_null(config_get());
#ifdef HAVE_LSAN
	cr_expect_eq(__lsan_do_recoverable_leak_check(), 0, "LeakSanitizer found leaks");
#endif
}

struct ver_race {
	_Atomic int stop;
	_Atomic long reads, bad;
};

static void *ver_reader(void *arg)
{
	struct ver_race *r = arg;
	while (!atomic_load(&r->stop)) {
		const config_t *c = config_get();
		/* a version is immutable: its fields agree with each other while we hold it */
		if (!c || c->port != 8081 || (c->version % 2 ? c->stats_time_ns != 7000000000LL
							      : c->stats_time_ns != 10000000000LL))
			atomic_fetch_add(&r->bad, 1);
		config_put(c);
		atomic_fetch_add(&r->reads, 1);
	}
	return NULL;
}

Test(config_versions, readers_race_installs)
{
	char err[256];
	load_tmp("{}", "{\"host_net\": {\"port\": \"8081\"}}");
	struct ver_race r = {0};
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, ver_reader, &r);
	for (int i = 1; i <= 1000; i++) {
		json_t *cl = next_version("periodic.stats_time", i % 2 ? "7s" : "10s", i);
		cr_assert_eq(config_install_cluster(cl, false, err, sizeof(err)), 1, "%s", err);
		json_decref(cl);
	}
	atomic_store(&r.stop, 1);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	cr_expect_eq(atomic_load(&r.bad), 0);
	cr_expect_gt(atomic_load(&r.reads), 0);
	cr_expect_eq(config_versions_alive(), 1);
	config_cleanup();
	cr_expect_eq(config_versions_alive(), 0);
}

Test(config_versions, log_level_applies_at_install)
{
	char err[256];
	load_tmp("{\"log\": {\"level\": \"3\"}}", "{\"host_net\": {\"port\": \"8081\"}}");
	cr_expect_eq(log_level(), 3);
	json_t *cl = next_version("log.level", "4", 1);
	cr_assert_eq(config_install_cluster(cl, false, err, sizeof(err)), 1, "%s", err);
	json_decref(cl);
	cr_expect_eq(log_level(), 4);
	config_cleanup();
}

/* ======================= docs are generated from the tables ======================= */

Test(config_tab, docs_reference_in_sync)
{
	char *doc = NULL, *tab = config_tab_markdown(), *bp = bprops_markdown();
	size_t len = 0;
	cr_assert_eq(fsops_read_file("docs/configuration.md", 1 << 20, &doc, &len), 0, "run from the repository root");
	const char *b1 = "<!-- BEGIN generated: aisnode -dump-config-table -->\n", *e1 = "<!-- END generated -->";
	const char *b2 = "<!-- BEGIN generated: aisnode -dump-bprops-table -->\n";
	char *s1 = strstr(doc, b1), *s2 = strstr(doc, b2);
	cr_assert(s1 && s2, "docs/configuration.md lacks the generated sections");
	s1 += strlen(b1);
	s2 += strlen(b2);
	cr_expect(!strncmp(s1, tab, strlen(tab)) && !strncmp(s1 + strlen(tab), e1, strlen(e1)),
		  "docs/configuration.md config reference is stale: run scripts/gen-config-doc.sh");
	cr_expect(!strncmp(s2, bp, strlen(bp)) && !strncmp(s2 + strlen(bp), e1, strlen(e1)),
		  "docs/configuration.md bucket props reference is stale: run scripts/gen-config-doc.sh");
	free(doc);
	free(tab);
	free(bp);
}

/* backend: aws enables s3:// buckets, ais lists remote clusters by alias; bad aliases/URLs are
 * 400, providers not built 501; the value is shown back as given */
Test(config, backend)
{
	config_t c;
	char err[256] = "";
	json_t *jc = js("{\"backend\": {\"aws\": {}, \"ais\": {\"rem1\": [\"http://127.0.0.1:8080\"]}}}"), *jl = js(okl);
	cr_assert_eq(config_parse(&c, jc, jl, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(c.backends, CONFIG_BK_AWS | CONFIG_BK_AIS);
	cr_expect_eq(c.nremais, 1);
	cr_expect_str_eq(c.remais[0].alias, "rem1");
	cr_expect_str_eq(c.remais[0].urls[0], "http://127.0.0.1:8080");
	json_t *shown = config_cluster_json(&c);
	json_t *b = json_object_get(shown, "backend");
	cr_expect(json_is_object(json_object_get(b, "aws")));
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(b, "ais"), "rem1"), 0)),
			 "http://127.0.0.1:8080");
	json_decref(shown);
	config_fini(&c);
	json_decref(jc);
	static const char *const bad[] = {
		"{\"backend\": {\"ais\": {\"x\": [\"http://a\"]}}}",       /* alias too short */
		"{\"backend\": {\"ais\": {\"a b\": [\"http://a\"]}}}",     /* bad characters */
		"{\"backend\": {\"ais\": {\"what\": [\"http://a\"]}}}",    /* reserved */
		"{\"backend\": {\"ais\": {\"rem\": []}}}",                  /* no URL */
		"{\"backend\": {\"ais\": {\"rem\": [\"ftp://a\"]}}}",      /* not http(s) */
		"{\"backend\": {\"nope\": {}}}",                             /* unknown provider */
		"{\"backend\": []}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		jc = js(bad[i]);
		cr_expect_eq(config_parse(&c, jc, jl, err, sizeof(err)), AIS_EINVAL, "%s: %s", bad[i], err);
		json_decref(jc);
	}
	json_decref(jl);
	json_t *cl = json_object();
	json_t *v = js("{\"b\": {\"aws\": {}}}");
	cr_expect_eq(config_apply_value(cl, "backend", json_object_get(v, "b"), 0, err, sizeof(err)), 0, "%s", err);
	json_decref(v);
	cr_expect(json_is_object(json_object_get(json_object_get(cl, "backend"), "aws")));
	cr_expect_eq(config_apply_kv(cl, "features", "Dload-Allow-Private-Egress", 0, err, sizeof(err)), 0, "%s", err);
	json_decref(cl);
}

/* lists of strings (CT_STRL: auth.required_claims.aud, auth.oidc.allowed_iss): JSON lists,
 * AIStore's query form "[a b]" / "none", shown back as JSON lists */
Test(config_tab, string_lists)
{
	const ctab_row_t *r = config_tab_find("auth.oidc.allowed_iss");
	cr_assert(r && r->type == CT_STRL);
	char err[256] = "";
	json_t *in = config_tab_from_str(r, "[https://a.example https://b.example]", err, sizeof(err));
	cr_assert(json_is_array(in) && json_array_size(in) == 2);
	ctab_val_t v;
	cr_assert_eq(config_tab_parse(r, in, &v, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(v.s, "https://a.example\nhttps://b.example");
	json_t *out = config_tab_val_json(r, &v);
	cr_assert(json_equal(in, out));
	json_decref(in);
	json_decref(out);
	in = config_tab_from_str(r, "none", err, sizeof(err));
	cr_assert(json_is_array(in) && json_array_size(in) == 0);
	json_decref(in);
	in = config_tab_from_str(r, "[\"https://c.example\"]", err, sizeof(err));
	cr_assert_eq(config_tab_parse(r, in, &v, NULL, err, sizeof(err)), 0);
	cr_assert_str_eq(v.s, "https://c.example");
	json_decref(in);
	in = json_pack("[s, s]", "a", "b\nc"); /* a newline would split an entry */
	cr_assert_eq(config_tab_parse(r, in, &v, NULL, err, sizeof(err)), AIS_EINVAL);
	json_decref(in);
}

/* AIStore's checks: issuers are https URLs with a host; cluster_key.ttl is 0 or >= 1h */
Test(config_tab, auth_validation)
{
	struct {
		const char *cluster;
		int rc;
		const char *want;
	} cases[] = {
		{"{\"auth\": {\"oidc\": {\"allowed_iss\": [\"http://plain\"]}}}", AIS_EINVAL, "must use HTTPS"},
		{"{\"auth\": {\"oidc\": {\"allowed_iss\": [\"https://ok.example\", \"https://\"]}}}", AIS_EINVAL, "allowed_iss"},
		{"{\"auth\": {\"oidc\": {\"allowed_iss\": [\"https://ok.example\", \"https://b:8443/x\"]}}}", 0, NULL},
		{"{\"auth\": {\"cluster_key\": {\"ttl\": \"10m\"}}}", AIS_EINVAL, "expecting >= 1h"},
		{"{\"auth\": {\"cluster_key\": {\"ttl\": \"2h\"}}}", 0, NULL},
		{"{\"auth\": {\"oidc\": {\"jwks_cache\": {\"min_background_refresh\": \"1m\"}}}}", AIS_EINVAL, "min_background_refresh"},
		{"{\"auth\": {\"required_claims\": {\"aud\": [\"a\", \"b\", \"c\"]}}}", 0, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_t c;
		char err[256] = "";
		json_t *jc = js(cases[i].cluster), *jl = js(okl);
		int rc = config_parse(&c, jc, jl, err, sizeof(err));
		cr_expect_eq(rc, cases[i].rc, "%s: %s", cases[i].cluster, err);
		if (cases[i].want)
			cr_expect(strstr(err, cases[i].want) != NULL, "%s: \"%s\" lacks \"%s\"", cases[i].cluster, err, cases[i].want);
		if (!rc)
			config_fini(&c);
		json_decref(jc);
		json_decref(jl);
	}
}
