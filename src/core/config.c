/* config: parses AIStore 4.7's cluster config (cmn.ClusterConfig JSON) and local config
 * (cmn.LocalConfig JSON) into config_t; absent optional fields keep AIStore's defaults
 * (playground values of deploy/dev/local/aisnode_config.sh). Durations are Go duration strings,
 * sizes IEC strings; ports are strings in AIStore's files (numbers accepted too). fspaths are
 * cleaned like Go's filepath.Clean (AIStore hashes the cleaned mountpath for HRW).
 * Owns the process-wide config: set by config_load, read-only afterwards (config_get). */
#include "core/config.h"
#include "core/jsonx.h"
#include "core/cksum.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_MAX_FILE (4u << 20) /* config files are a few KiB; refuse anything huge */

/* the current config (immutable once published) and the versions it replaced: readers hold
 * plain pointers, so replaced versions are retired, not freed, until config_cleanup() */
static config_t *_Atomic g_cur;
static config_t *g_retired[256];
static int g_nretired;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *const feat_names[] = {
	"Enforce-IntraCluster-Access", "Skip-Loading-VersionChecksum-MD", "Do-not-Auto-Detect-FileShare",
	"S3-API-via-Root", "Fsync-PUT", "LZ4-Block-1MB", "LZ4-Frame-Checksum", "Do-not-Allow-Passing-FQN-to-ETL",
	"Ignore-LimitedCoexistence-Conflicts", "S3-Presigned-Request", "Do-not-Optimize-Listing-Virtual-Dirs",
	"Disable-Cold-GET", "Streaming-Cold-GET", "S3-Reverse-Proxy", "S3-Use-Path-Style",
	"Do-not-Delete-When-Rebalancing", "Do-not-Set-Control-Plane-ToS", "Trust-Crypto-Safe-Checksums",
	"S3-ListObjectVersions", "Enable-Detailed-Prom-Metrics", "Force-Container-CPU-Mem",
	"Resume-Interrupted-MPU", "Keep-Unknown-FQN", "Load-Balance-GET", "Count-Object-NotFound-Stats",
	"Enable-Go-Runtime-Metrics", "Dload-Allow-Private-Egress",
};
#define NFEAT (sizeof(feat_names) / sizeof(feat_names[0]))

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
	json_t *jv = json_object_get(j, "config_version");
	if (jv && !json_is_null(jv)) {
		const char *vs = json_is_string(jv) ? json_string_value(jv) : NULL;
		if (vs ? parse_i64(vs, &c->version) : !json_is_integer(jv))
			return config_fail(err, errcap, "cluster config: config_version: expecting a number");
		if (!vs)
			c->version = json_integer_value(jv);
	}
	json_t *jf = json_object_get(j, "features");
	if (jf && !json_is_null(jf)) {
		char ferr[160];
		if (json_is_integer(jf))
			c->features = (uint64_t)json_integer_value(jf);
		else if (!json_is_string(jf) || feat_parse(json_string_value(jf), &c->features, ferr, sizeof(ferr)))
			return config_fail(err, errcap, "cluster config: features: %s",
					   json_is_string(jf) ? ferr : "expecting a string");
	}
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

int feat_parse(const char *s, uint64_t *out, char *err, size_t errcap)
{
	uint64_t f = 0;
	int64_t num;
	if (!s || !*s || !strcasecmp(s, "none") || !strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	if (!parse_i64(s, &num) && num >= 0) {
		*out = (uint64_t)num;
		return 0;
	}
	const char *p = s;
	while (*p) {
		size_t n = strcspn(p, ", ");
		if (n) {
			size_t i;
			for (i = 0; i < NFEAT; i++)
				if (strlen(feat_names[i]) == n && !strncasecmp(feat_names[i], p, n))
					break;
			if (i == NFEAT) {
				snprintf(err, errcap, "unknown feature flag \"%.*s\"", (int)n, p);
				return AIS_EINVAL;
			}
			f |= 1ULL << i;
		}
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	*out = f;
	return 0;
}

void feat_format(uint64_t f, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < NFEAT && o < cap; i++)
		if (f & (1ULL << i))
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? "," : "", feat_names[i]);
	if (!o)
		snprintf(out, cap, "none");
}

static void config_publish(config_t *c)
{
	pthread_mutex_lock(&g_mu);
	config_t *old = atomic_exchange(&g_cur, c);
	if (old) {
		if (g_nretired < (int)(sizeof(g_retired) / sizeof(g_retired[0])))
			g_retired[g_nretired++] = old;
		/* else: keep it alive (leak) rather than free memory readers may hold */
	}
	pthread_mutex_unlock(&g_mu);
}

static void config_persist(const config_t *c)
{
	char path[1100];
	if (!c->confdir[0])
		return;
	snprintf(path, sizeof(path), "%s/.ais.conf", c->confdir);
	char *txt = json_dumps(c->cluster, JSON_COMPACT);
	if (txt && !fsops_mkdir_p(c->confdir))
		fsops_write_atomic(path, txt, strlen(txt));
	free(txt);
}

int config_install_cluster(json_t *cluster, bool force, char *err, size_t errcap)
{
	config_t *cur = atomic_load(&g_cur);
	if (!cur)
		return config_fail(err, errcap, "config: not loaded");
	config_t *n = calloc(1, sizeof(*n));
	if (!n)
		return AIS_ENOMEM;
	int rc = config_parse(n, cluster, cur->local, err, errcap);
	if (rc) {
		free(n);
		return rc;
	}
	if (!force && n->version <= cur->version) {
		config_fini(n);
		free(n);
		return 0;
	}
	config_persist(n);
	config_publish(n);
	return 1;
}

int config_apply_kv(json_t *cluster, const char *key, const char *val, char *err, size_t errcap)
{
	char path[256];
	if (!strcmp(key, "features")) {
		uint64_t f;
		if (feat_parse(val, &f, err, errcap))
			return AIS_EINVAL;
		char num[32];
		snprintf(num, sizeof(num), "%llu", (unsigned long long)f);
		json_object_set_new(cluster, "features", json_string(num));
		return 0;
	}
	if (snprintf(path, sizeof(path), "%s", key) >= (int)sizeof(path) || !*key)
		return config_fail(err, errcap, "invalid config key \"%.64s\"", key);
	json_t *obj = cluster;
	char *seg = path, *dot;
	while ((dot = strchr(seg, '.'))) {
		*dot = '\0';
		json_t *next = json_object_get(obj, seg);
		if (!json_is_object(next))
			return config_fail(err, errcap, "unknown config key \"%s\"", key);
		obj = next;
		seg = dot + 1;
	}
	json_t *cur = json_object_get(obj, seg);
	if (!cur || json_is_object(cur) || json_is_array(cur) || !strcmp(key, "config_version") || !strcmp(key, "uuid"))
		return config_fail(err, errcap, "unknown or read-only config key \"%s\"", key);
	json_t *nv = NULL;
	int64_t iv;
	if (json_is_boolean(cur)) {
		if (!strcasecmp(val, "true") || !strcmp(val, "1"))
			nv = json_true();
		else if (!strcasecmp(val, "false") || !strcmp(val, "0"))
			nv = json_false();
	} else if (json_is_integer(cur)) {
		if (!parse_i64(val, &iv))
			nv = json_integer(iv);
	} else if (json_is_real(cur)) {
		char *end;
		double d = strtod(val, &end);
		if (*val && !*end)
			nv = json_real(d);
	} else {
		nv = json_string(val);
	}
	if (!nv)
		return config_fail(err, errcap, "invalid value \"%.64s\" for config key \"%s\"", val, key);
	json_object_set_new(obj, seg, nv);
	return 0;
}

json_t *config_public_json(json_t *cluster)
{
	json_t *c = json_deep_copy(cluster);
	json_t *s3 = json_object_get(c, "s3");
	const char *sk = json_string_value(json_object_get(s3, "secret_key"));
	if (sk && *sk)
		json_object_set_new(s3, "secret_key", json_string("********"));
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(s3, "keys"), i, k)
		if (json_object_get(k, "secret"))
			json_object_set_new(k, "secret", json_string("********"));
	return c;
}

void config_cleanup(void)
{
	pthread_mutex_lock(&g_mu);
	config_t *c = atomic_exchange(&g_cur, NULL);
	if (c) {
		config_fini(c);
		free(c);
	}
	for (int i = 0; i < g_nretired; i++) {
		config_fini(g_retired[i]);
		free(g_retired[i]);
	}
	g_nretired = 0;
	pthread_mutex_unlock(&g_mu);
}

/* the persisted cluster config (<confdir>/.ais.conf) when it is newer than the file's */
static void config_maybe_persisted(config_t *c)
{
	char path[1100];
	json_t *j = NULL;
	char err[256];
	snprintf(path, sizeof(path), "%s/.ais.conf", c->confdir);
	if (!c->confdir[0] || config_read_json("persisted cluster config", path, &j, err, sizeof(err)))
		return;
	config_t tmp;
	if (!config_parse(&tmp, j, c->local, err, sizeof(err))) {
		if (tmp.version > c->version) {
			config_fini(c);
			*c = tmp;
		} else {
			config_fini(&tmp);
		}
	}
	json_decref(j);
}

/* AIStore 4.7's cluster config sections with their default values: the file given at start-up
 * is merged over this, so every AIStore key exists (and can be shown and set). */
static const char config_default_text[] =
	"{\"backend\":{},\"mirror\":{\"copies\":2,\"burst_buffer\":512,\"enabled\":false},"
	"\"ec\":{\"objsize_limit\":262144,\"compression\":\"never\",\"bundle_multiplier\":2,\"data_slices\":1,"
	"\"parity_slices\":1,\"enabled\":false,\"disk_only\":false},"
	"\"chunks\":{\"objsize_limit\":\"0\",\"chunk_size\":\"1GiB\",\"max_monolithic_size\":\"1TiB\","
	"\"checkpoint_every\":0,\"flags\":0},"
	"\"log\":{\"level\":\"3\",\"max_size\":\"10mb\",\"max_total\":\"256mb\",\"flush_time\":\"60s\",\"stats_time\":\"60s\"},"
	"\"periodic\":{\"stats_time\":\"10s\",\"notif_time\":\"30s\",\"retry_sync_time\":\"2s\"},"
	"\"timeout\":{\"cplane_operation\":\"2s\",\"max_keepalive\":\"5s\",\"cold_get_conflict\":\"5s\","
	"\"max_host_busy\":\"20s\",\"startup_time\":\"1m\",\"join_startup_time\":\"3m\",\"send_file_time\":\"5m\","
	"\"ec_streams_time\":\"10m\",\"object_md\":\"2h\"},"
	"\"client\":{\"client_timeout\":\"10s\",\"client_long_timeout\":\"10m\",\"list_timeout\":\"1m\"},"
	"\"proxy\":{\"primary_url\":\"\",\"original_url\":\"\",\"discovery_url\":\"\",\"non_electable\":false},"
	"\"space\":{\"cleanupwm\":65,\"lowwm\":75,\"highwm\":90,\"out_of_space\":95,\"batch_size\":32768,"
	"\"dont_cleanup_time\":\"120m\"},"
	"\"lru\":{\"dont_evict_time\":\"120m\",\"capacity_upd_time\":\"10m\",\"batch_size\":32768,\"enabled\":true},"
	"\"disk\":{\"iostat_time_long\":\"2s\",\"iostat_time_short\":\"100ms\",\"iostat_time_smooth\":\"8s\","
	"\"disk_util_low_wm\":20,\"disk_util_high_wm\":80,\"disk_util_max_wm\":95},"
	"\"rebalance\":{\"dest_retry_time\":\"2m\",\"compression\":\"never\",\"bundle_multiplier\":2,"
	"\"burst_buffer\":1024,\"enabled\":true},"
	"\"resilver\":{\"enabled\":true},"
	"\"checksum\":{\"type\":\"xxhash2\",\"validate_cold_get\":false,\"validate_warm_get\":false,"
	"\"validate_obj_move\":false,\"enable_read_range\":false},"
	"\"transport\":{\"max_header\":4096,\"burst_buffer\":512,\"idle_teardown\":\"4s\",\"quiescent\":\"10s\","
	"\"lz4_block\":\"256kb\",\"lz4_frame_checksum\":false},"
	"\"memsys\":{\"min_free\":\"2gb\",\"default_buf\":\"32kb\",\"to_gc\":\"4gb\",\"hk_time\":\"3m\","
	"\"min_pct_total\":0,\"min_pct_free\":0},"
	"\"versioning\":{\"enabled\":true,\"validate_warm_get\":false},"
	"\"net\":{\"l4\":{\"proto\":\"tcp\",\"sndrcv_buf_size\":131072},\"http\":{\"use_https\":false,"
	"\"server_crt\":\"server.crt\",\"server_key\":\"server.key\",\"idle_conn_time\":\"6s\","
	"\"idle_conns_per_host\":32,\"idle_conns\":256,\"write_buffer_size\":0,\"read_buffer_size\":0,"
	"\"chunked_transfer\":true,\"skip_verify\":false},\"use_ipv6\":false},"
	"\"fshc\":{\"test_files\":4,\"error_limit\":2,\"io_err_limit\":10,\"io_err_time\":\"10s\",\"enabled\":true},"
	"\"auth\":{\"enabled\":false},"
	"\"keepalivetracker\":{\"proxy\":{\"interval\":\"10s\",\"name\":\"heartbeat\",\"factor\":3},"
	"\"target\":{\"interval\":\"10s\",\"name\":\"heartbeat\",\"factor\":3},\"num_retries\":3,\"retry_factor\":4},"
	"\"downloader\":{\"timeout\":\"1h\"},"
	"\"tcb\":{\"compression\":\"never\",\"bundle_multiplier\":2},"
	"\"tco\":{\"compression\":\"never\",\"bundle_multiplier\":2},"
	"\"arch\":{\"compression\":\"never\",\"bundle_multiplier\":2},"
	"\"write_policy\":{\"data\":\"\",\"md\":\"\"},"
	"\"get_batch\":{\"max_wait\":\"10s\",\"warmup_workers\":1,\"max_soft_errs\":8},"
	"\"s3\":{\"auth\":false,\"region\":\"us-east-1\",\"redirect\":false,\"access_key\":\"\",\"secret_key\":\"\"},"
	"\"features\":\"0\",\"config_version\":\"0\",\"uuid\":\"\",\"lastupdate_time\":\"\"}";

/* the defaults with `file` merged over them (new reference; NULL on OOM or malformed defaults) */
static json_t *config_with_defaults(json_t *file)
{
	json_t *d = json_loads(config_default_text, 0, NULL);
	if (d && json_is_object(file))
		jsonx_merge(d, file);
	return d;
}

int config_load(const char *cluster_path, const char *local_path, char *err, size_t errcap)
{
	json_t *cluster = NULL, *local = NULL;
	config_t *c = calloc(1, sizeof(*c));
	int rc;
	if (!c)
		return AIS_ENOMEM;
	if ((rc = config_read_json("cluster config", cluster_path, &cluster, err, errcap)))
		goto cleanup;
	if ((rc = config_read_json("local config", local_path, &local, err, errcap)))
		goto cleanup;
	if (json_is_object(cluster)) {
		json_t *full = config_with_defaults(cluster);
		if (full) {
			json_decref(cluster);
			cluster = full;
		}
	}
	if ((rc = config_parse(c, cluster, local, err, errcap)))
		goto cleanup;
	config_maybe_persisted(c);
	config_publish(c);
	c = NULL;
cleanup:
	free(c);
	json_decref(cluster);
	json_decref(local);
	return rc;
}

const config_t *config_get(void) { return atomic_load(&g_cur); }
