/* test_config: AIStore-layout cluster/local config parsing, defaults, error messages, load. */
#include "core/config.h"
#include "core/err.h"
#include "core/fsops.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
