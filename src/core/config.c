/* config: parses AIStore 4.7's cluster config (cmn.ClusterConfig JSON) and local config
 * (cmn.LocalConfig JSON) into config_t; absent optional fields keep AIStore's defaults
 * (playground values of deploy/dev/local/aisnode_config.sh). Durations are Go duration strings,
 * sizes IEC strings; ports are strings in AIStore's files (numbers accepted too). fspaths are
 * cleaned like Go's filepath.Clean (AIStore hashes the cleaned mountpath for HRW).
 * Owns the process-wide config: set by config_load, read-only afterwards (config_get). */
#include "core/config.h"
#include "core/cksum.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_MAX_FILE (4u << 20) /* config files are a few KiB; refuse anything huge */

static config_t g_config;
static bool g_loaded;

static int config_fail(char *err, size_t errcap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int config_fail(char *err, size_t errcap, const char *fmt, ...)
{
	if (err && errcap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errcap, fmt, ap);
		va_end(ap);
	}
	return AIS_EINVAL;
}

/* the member at a dotted-free two-level path: obj[sect][key] (sect may be NULL). */
static json_t *config_at(json_t *root, const char *sect, const char *key)
{
	json_t *o = root;
	if (sect) {
		o = json_object_get(root, sect);
		if (!o || json_is_null(o))
			return NULL;
	}
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

/* `what` names the file ("cluster config" / "local config"); `path` the JSON path for messages. */
struct cfg_ctx {
	const char *what;
	char *err;
	size_t errcap;
};

static int cfg_sect_ok(struct cfg_ctx *x, json_t *root, const char *sect)
{
	json_t *o = json_object_get(root, sect);
	if (o && !json_is_object(o) && !json_is_null(o))
		return config_fail(x->err, x->errcap, "%s: %s: expecting a JSON object", x->what, sect);
	return 0;
}

static int cfg_str(struct cfg_ctx *x, json_t *v, const char *path, char *out, size_t cap)
{
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return config_fail(x->err, x->errcap, "%s: %s: expecting a string", x->what, path);
	size_t n = json_string_length(v);
	if (n >= cap)
		return config_fail(x->err, x->errcap, "%s: %s: value too long (%zu bytes, max %zu)", x->what, path,
				   n, cap - 1);
	const char *s = json_string_value(v);
	if (memchr(s, '\0', n))
		return config_fail(x->err, x->errcap, "%s: %s: embedded NUL", x->what, path);
	memcpy(out, s, n + 1);
	return 0;
}

static int cfg_bool(struct cfg_ctx *x, json_t *v, const char *path, bool *out)
{
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return config_fail(x->err, x->errcap, "%s: %s: expecting true or false", x->what, path);
	*out = json_is_true(v);
	return 0;
}

static int cfg_dur(struct cfg_ctx *x, json_t *v, const char *path, int64_t *ns)
{
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return config_fail(x->err, x->errcap, "%s: %s: expecting a duration string (e.g. \"10s\")", x->what,
				   path);
	if (parse_duration(json_string_value(v), ns))
		return config_fail(x->err, x->errcap, "%s: %s: invalid duration \"%.64s\"", x->what, path,
				   json_string_value(v));
	return 0;
}

/* an integer given as a JSON number or a decimal string; within [lo, hi]. */
static int cfg_int(struct cfg_ctx *x, json_t *v, const char *path, const char *kind, int64_t lo, int64_t hi,
		   int64_t *out)
{
	int64_t n;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else if (json_is_string(v)) {
		if (parse_i64(json_string_value(v), &n))
			return config_fail(x->err, x->errcap, "%s: %s: invalid %s \"%.64s\"", x->what, path, kind,
					   json_string_value(v));
	} else {
		return config_fail(x->err, x->errcap, "%s: %s: invalid %s (expecting a number)", x->what, path, kind);
	}
	if (n < lo || n > hi)
		return config_fail(x->err, x->errcap, "%s: %s: invalid %s %lld (expecting [%lld, %lld])", x->what, path,
				   kind, (long long)n, (long long)lo, (long long)hi);
	*out = n;
	return 0;
}

static int cfg_port(struct cfg_ctx *x, json_t *v, const char *path, bool required, int *out)
{
	int64_t n = 0;
	if (!v || json_is_null(v) || (json_is_string(v) && !required && json_string_length(v) == 0)) {
		if (required)
			return config_fail(x->err, x->errcap, "%s: %s: missing port", x->what, path);
		return 0;
	}
	if (json_is_string(v) && parse_i64(json_string_value(v), &n))
		return config_fail(x->err, x->errcap, "%s: %s: invalid port \"%.64s\"", x->what, path,
				   json_string_value(v));
	if (!json_is_string(v) && !json_is_integer(v))
		return config_fail(x->err, x->errcap, "%s: %s: invalid port (expecting a string or a number)", x->what,
				   path);
	if (json_is_integer(v))
		n = json_integer_value(v);
	if (n <= 0 || n >= 65536)
		return config_fail(x->err, x->errcap, "%s: %s: invalid port %lld (expecting 1..65535)", x->what, path,
				   (long long)n);
	*out = (int)n;
	return 0;
}

/* AIStore's log.level: "3" (a string) or a number; low 3 bits = verbosity, the rest = modules. */
static int cfg_log_level(struct cfg_ctx *x, json_t *v, int *out)
{
	int64_t n = 0;
	if (!v || json_is_null(v))
		return 0;
	if (cfg_int(x, v, "log.level", "log level", 0, 1 << 20, &n))
		return AIS_EINVAL;
	if ((n & 7) == 0 || (n & 7) > 5)
		return config_fail(x->err, x->errcap, "%s: log.level: invalid level %lld (expecting 1..5)", x->what,
				   (long long)n);
	*out = (int)(n & 7);
	return 0;
}

/* Go's filepath.Clean for an absolute path: collapse "//", drop ".", resolve "..", strip trailing
 * "/". Writes into out (cap >= strlen(in)+1). */
static void config_path_clean(const char *in, char *out)
{
	size_t o = 0;
	const char *p = in;
	out[o++] = '/';
	while (*p) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--; /* the '/' before the dropped element */
			continue;
		}
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
	}
	out[o] = '\0';
}

static int cfg_fspaths(struct cfg_ctx *x, config_t *c, json_t *fsp)
{
	const char *key;
	json_t *val;
	if (!fsp || json_is_null(fsp))
		return 0;
	if (!json_is_object(fsp))
		return config_fail(x->err, x->errcap, "%s: fspaths: expecting a JSON object {\"/path\": {}, ...}",
				   x->what);
	json_object_foreach(fsp, key, val) {
		if (!json_is_object(val) && !json_is_string(val) && !json_is_null(val))
			return config_fail(x->err, x->errcap, "%s: fspaths: %.256s: expecting {} or a label string",
					   x->what, key);
		if (key[0] != '/')
			return config_fail(x->err, x->errcap,
					   "%s: fspaths: invalid mountpath \"%.256s\": must be an absolute path", x->what,
					   key);
		if (c->nfspaths >= CONFIG_MAX_FSPATHS)
			return config_fail(x->err, x->errcap, "%s: fspaths: too many mountpaths (max %d)", x->what,
					   CONFIG_MAX_FSPATHS);
		size_t n = strlen(key);
		if (n > 4096)
			return config_fail(x->err, x->errcap, "%s: fspaths: mountpath too long", x->what);
		char *clean = malloc(n + 1);
		if (!clean) {
			config_fail(x->err, x->errcap, "%s: fspaths: out of memory", x->what);
			return AIS_ENOMEM;
		}
		config_path_clean(key, clean);
		if (!strcmp(clean, "/")) {
			free(clean);
			return config_fail(x->err, x->errcap,
					   "%s: fspaths: invalid mountpath \"%.256s\": root directory is not a valid mountpath",
					   x->what, key);
		}
		for (int i = 0; i < c->nfspaths; i++) {
			if (!strcmp(c->fspaths[i], clean)) {
				free(clean);
				return config_fail(x->err, x->errcap, "%s: fspaths: \"%.256s\" is duplicated", x->what,
						   key);
			}
		}
		c->fspaths[c->nfspaths++] = clean; /* owned by c; freed by config_fini */
	}
	return 0;
}

static void config_defaults(config_t *c)
{
	memset(c, 0, sizeof(*c));
	c->keepalive_interval_ns = 10LL * 1000000000LL;
	c->keepalive_factor = 3;
	c->max_keepalive_ns = 5LL * 1000000000LL;
	c->cplane_timeout_ns = 2LL * 1000000000LL;
	snprintf(c->cksum_type, sizeof(c->cksum_type), "%s", "xxhash2");
	c->validate_warm_get = false;
	c->validate_cold_get = false;
	c->versioning = true;
	c->log_level = 3;
}

static int config_parse_cluster(config_t *c, json_t *j, char *err, size_t errcap)
{
	struct cfg_ctx x = {"cluster config", err, errcap};
	static const char *const sects[] = {"proxy", "timeout", "keepalivetracker", "checksum", "versioning", "log"};
	int64_t v = 0;

	if (!json_is_object(j))
		return config_fail(err, errcap, "cluster config: expecting a JSON object");
	for (size_t i = 0; i < sizeof(sects) / sizeof(sects[0]); i++)
		if (cfg_sect_ok(&x, j, sects[i]))
			return AIS_EINVAL;
	json_t *kat = config_at(j, "keepalivetracker", "target");
	if (kat && !json_is_object(kat) && !json_is_null(kat))
		return config_fail(err, errcap, "cluster config: keepalivetracker.target: expecting a JSON object");

	if (cfg_str(&x, config_at(j, "proxy", "primary_url"), "proxy.primary_url", c->primary_url,
		    sizeof(c->primary_url)))
		return AIS_EINVAL;
	if (cfg_dur(&x, kat ? json_object_get(kat, "interval") : NULL, "keepalivetracker.target.interval",
		    &c->keepalive_interval_ns))
		return AIS_EINVAL;
	v = c->keepalive_factor;
	if (cfg_int(&x, kat ? json_object_get(kat, "factor") : NULL, "keepalivetracker.target.factor", "factor", 1,
		    255, &v))
		return AIS_EINVAL;
	c->keepalive_factor = (int)v;
	if (cfg_dur(&x, config_at(j, "timeout", "max_keepalive"), "timeout.max_keepalive", &c->max_keepalive_ns) ||
	    cfg_dur(&x, config_at(j, "timeout", "cplane_operation"), "timeout.cplane_operation",
		    &c->cplane_timeout_ns))
		return AIS_EINVAL;
	if (c->keepalive_interval_ns <= 0)
		return config_fail(err, errcap, "cluster config: keepalivetracker.target.interval must be positive");
	if (c->cplane_timeout_ns <= 0 || c->max_keepalive_ns <= 0)
		return config_fail(err, errcap, "cluster config: timeout.cplane_operation and timeout.max_keepalive must be positive");

	if (cfg_str(&x, config_at(j, "checksum", "type"), "checksum.type", c->cksum_type, sizeof(c->cksum_type))) {
		/* a too-long value is simply an unknown type: say so */
		json_t *t = config_at(j, "checksum", "type");
		if (json_is_string(t))
			return config_fail(err, errcap, "cluster config: checksum.type: invalid checksum type \"%.32s\"",
					   json_string_value(t));
		return AIS_EINVAL;
	}
	if (!c->cksum_type[0] || cksum_type_from_str(c->cksum_type) < 0)
		return config_fail(err, errcap,
				   "cluster config: checksum.type: invalid checksum type \"%s\" (expecting crc32c, "
				   "md5, sha256, sha512, xxhash, xxhash2, none)",
				   c->cksum_type);
	if (cfg_bool(&x, config_at(j, "checksum", "validate_warm_get"), "checksum.validate_warm_get",
		     &c->validate_warm_get) ||
	    cfg_bool(&x, config_at(j, "checksum", "validate_cold_get"), "checksum.validate_cold_get",
		     &c->validate_cold_get) ||
	    cfg_bool(&x, config_at(j, "versioning", "enabled"), "versioning.enabled", &c->versioning))
		return AIS_EINVAL;
	if (cfg_log_level(&x, config_at(j, "log", "level"), &c->log_level))
		return AIS_EINVAL;
	return 0;
}

static int config_parse_local(config_t *c, json_t *j, char *err, size_t errcap)
{
	struct cfg_ctx x = {"local config", err, errcap};
	char tmp[sizeof(c->host)];

	if (!json_is_object(j))
		return config_fail(err, errcap, "local config: expecting a JSON object");
	if (cfg_sect_ok(&x, j, "host_net"))
		return AIS_EINVAL;
	if (cfg_str(&x, json_object_get(j, "confdir"), "confdir", c->confdir, sizeof(c->confdir)) ||
	    cfg_str(&x, json_object_get(j, "log_dir"), "log_dir", c->log_dir, sizeof(c->log_dir)))
		return AIS_EINVAL;

	struct {
		const char *key;
		char *out;
	} hosts[] = {{"hostname", c->host}, {"hostname_intra_control", c->host_ctl}, {"hostname_intra_data", c->host_data}};
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		char path[64];
		snprintf(path, sizeof(path), "host_net.%s", hosts[i].key);
		tmp[0] = '\0';
		if (cfg_str(&x, config_at(j, "host_net", hosts[i].key), path, tmp, sizeof(tmp)))
			return AIS_EINVAL;
		/* AIStore strips spaces from host lists */
		size_t o = 0;
		for (size_t k = 0; tmp[k]; k++)
			if (tmp[k] != ' ')
				hosts[i].out[o++] = tmp[k];
		hosts[i].out[o] = '\0';
	}
	if (cfg_port(&x, config_at(j, "host_net", "port"), "host_net.port", true, &c->port) ||
	    cfg_port(&x, config_at(j, "host_net", "port_intra_control"), "host_net.port_intra_control", false,
		     &c->port_ctl) ||
	    cfg_port(&x, config_at(j, "host_net", "port_intra_data"), "host_net.port_intra_data", false,
		     &c->port_data))
		return AIS_EINVAL;
	return cfg_fspaths(&x, c, json_object_get(j, "fspaths"));
}

int config_parse(config_t *c, json_t *cluster, json_t *local, char *err, size_t errcap)
{
	int rc;
	if (err && errcap)
		err[0] = '\0';
	config_defaults(c);
	if ((rc = config_parse_cluster(c, cluster, err, errcap)))
		goto fail;
	if ((rc = config_parse_local(c, local, err, errcap)))
		goto fail;
	c->cluster = json_incref(cluster);
	c->local = json_incref(local);
	return 0;
fail:
	config_fini(c);
	return rc;
}

void config_fini(config_t *c)
{
	for (int i = 0; i < c->nfspaths; i++)
		free(c->fspaths[i]);
	c->nfspaths = 0;
	json_decref(c->cluster);
	json_decref(c->local);
	c->cluster = c->local = NULL;
}

static int config_read_json(const char *what, const char *path, json_t **out, char *err, size_t errcap)
{
	char *buf = NULL;
	size_t len = 0;
	json_error_t jerr;
	int rc = fsops_read_file(path, CONFIG_MAX_FILE, &buf, &len);
	if (rc) {
		config_fail(err, errcap, "%s: failed to read %s: %s", what, path, err_str(rc));
		return rc;
	}
	*out = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (!*out)
		return config_fail(err, errcap, "%s: %s: invalid JSON at line %d column %d: %s", what, path, jerr.line,
				   jerr.column, jerr.text);
	return 0;
}

int config_load(const char *cluster_path, const char *local_path, char *err, size_t errcap)
{
	json_t *cluster = NULL, *local = NULL;
	config_t tmp;
	int rc;
	if ((rc = config_read_json("cluster config", cluster_path, &cluster, err, errcap)))
		goto cleanup;
	if ((rc = config_read_json("local config", local_path, &local, err, errcap)))
		goto cleanup;
	if ((rc = config_parse(&tmp, cluster, local, err, errcap)))
		goto cleanup;
	if (g_loaded)
		config_fini(&g_config);
	g_config = tmp; /* takes over tmp's references */
	g_loaded = true;
cleanup:
	json_decref(cluster);
	json_decref(local);
	return rc;
}

const config_t *config_get(void) { return g_loaded ? &g_config : NULL; }
