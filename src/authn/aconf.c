/* aconf: see aconf.h. Must not: accept a value it does not apply (unknown field, HTTPS, key
 * passphrase), or write authn.json in place. */
#include "authn/aconf.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AC_MIN_EXP (60LL * 1000000000LL)

static int ac_fail(char *err, size_t cap, const char *msg, const char *what)
{
	snprintf(err, cap, msg, what);
	return AIS_EINVAL;
}

static int ac_keys(json_t *o, const char *const *ok, const char *where, char *err, size_t cap)
{
	if (o && !json_is_object(o))
		return ac_fail(err, cap, "invalid %s: not a JSON object", where);
	const char *bad = o ? jsonx_unknown_key(o, ok) : NULL;
	if (bad) {
		snprintf(err, cap, "unknown field %s.%s", where, bad);
		return AIS_EINVAL;
	}
	return 0;
}

static int ac_dur(json_t *o, const char *key, int64_t dflt, int64_t *out, char *err, size_t cap)
{
	json_t *v = json_object_get(o, key);
	*out = dflt;
	if (!v)
		return 0;
	if (json_is_integer(v)) { /* Go cos.Duration also takes nanoseconds */
		*out = json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v) || (json_string_length(v) && parse_duration(json_string_value(v), out)))
		return ac_fail(err, cap, "invalid duration %s", key);
	if (!json_string_length(v) || *out == 0)
		*out = dflt;
	return 0;
}

static int ac_validate(aconf_t *c, char *err, size_t cap)
{
	if (c->expire_ns < AC_MIN_EXP)
		return ac_fail(err, cap, "invalid auth.expiration_time, expected 0 (default 24h) or >= 1m%s", "");
	if (c->max_age_ns < AC_MIN_EXP)
		return ac_fail(err, cap, "invalid auth.max_token_age, expected >= 1m%s", "");
	if (c->expire_ns > c->max_age_ns)
		return ac_fail(err, cap, "invalid config: auth.expiration_time cannot exceed auth.max_token_age%s", "");
	if (c->port < 1024 || c->port > 65535)
		return ac_fail(err, cap, "invalid net.http.port (expected 1024-65535)%s", "");
	if (c->rsa_bits < 2048 || c->rsa_bits > 16384)
		return ac_fail(err, cap, "invalid auth.signing_key.bits (must be >= 2048)%s", "");
	return 0;
}

static int ac_parse(aconf_t *c, json_t *j, char *err, size_t cap)
{
	static const char *const top[] = {"auth", "log", "net", "timeout", NULL};
	static const char *const auth[] = {"secret", "expiration_time", "max_token_age", "public_key", "rsa_key_bits",
					   "signing_key", "db", NULL};
	static const char *const skey[] = {"bits", "mode", NULL}, *const db[] = {"type", "filepath", NULL};
	static const char *const log[] = {"dir", "level", "flush_interval", NULL};
	static const char *const net[] = {"external_url", "http", NULL};
	static const char *const http[] = {"server_crt", "server_key", "port", "use_https", NULL};
	static const char *const tmo[] = {"default_timeout", NULL};
	json_t *a = json_object_get(j, "auth"), *l = json_object_get(j, "log"), *n = json_object_get(j, "net");
	json_t *h = json_object_get(n, "http"), *t = json_object_get(j, "timeout");
	json_t *sk = json_object_get(a, "signing_key"), *d = json_object_get(a, "db");
	int rc;
	if ((rc = ac_keys(j, top, "config", err, cap)) || (rc = ac_keys(a, auth, "auth", err, cap)) ||
	    (rc = ac_keys(sk, skey, "auth.signing_key", err, cap)) || (rc = ac_keys(d, db, "auth.db", err, cap)) ||
	    (rc = ac_keys(l, log, "log", err, cap)) || (rc = ac_keys(n, net, "net", err, cap)) ||
	    (rc = ac_keys(h, http, "net.http", err, cap)) || (rc = ac_keys(t, tmo, "timeout", err, cap)))
		return rc;
	snprintf(c->secret, sizeof(c->secret), "%s", jsonx_str(a, "secret", ""));
	if ((rc = ac_dur(a, "expiration_time", 24LL * 3600 * 1000000000LL, &c->expire_ns, err, cap)) ||
	    (rc = ac_dur(a, "max_token_age", 90LL * 24 * 3600 * 1000000000LL, &c->max_age_ns, err, cap)) ||
	    (rc = ac_dur(t, "default_timeout", 30LL * 1000000000LL, &c->timeout_ns, err, cap)))
		return rc;
	json_t *pk = json_object_get(a, "public_key");
	if (pk && !json_is_null(pk) && json_string_length(pk))
		return ac_fail(err, cap, "auth.public_key: an externally provided public key is not supported%s", "");
	c->rsa_bits = (int)json_integer_value(json_object_get(sk, "bits"));
	if (!c->rsa_bits)
		c->rsa_bits = (int)json_integer_value(json_object_get(a, "rsa_key_bits"));
	if (!c->rsa_bits)
		c->rsa_bits = 2048;
	const char *mode = jsonx_str(sk, "mode", "");
	if (*mode && strcmp(mode, "external"))
		return ac_fail(err, cap, "invalid auth.signing_key.mode=%s (valid values: \"external\" or empty)", mode);
	c->key_external = *mode != 0;
	if (*jsonx_str(d, "type", ""))
		return ac_fail(err, cap, "auth.db.type=%s: not supported (the database is a JSON file)",
			       jsonx_str(d, "type", ""));
	if (*jsonx_str(d, "filepath", ""))
		snprintf(c->db_path, sizeof(c->db_path), "%s", jsonx_str(d, "filepath", ""));
	if (json_is_true(json_object_get(h, "use_https")))
		return ac_fail(err, cap, "net.http.use_https: HTTPS is not built in aisauth%s", "");
	c->port = json_object_get(h, "port") ? (int)json_integer_value(json_object_get(h, "port")) : 0;
	if (!c->port)
		c->port = ACONF_DEFAULT_PORT;
	snprintf(c->log_dir, sizeof(c->log_dir), "%s", jsonx_str(l, "dir", ""));
	c->log_level = atoi(jsonx_str(l, "level", "3"));
	snprintf(c->external_url, sizeof(c->external_url), "%s", jsonx_str(n, "external_url", ""));
	return 0;
}

static int ac_env(aconf_t *c, char *err, size_t cap)
{
	const char *v;
	if ((v = getenv("AIS_AUTHN_PORT")) && *v) {
		int64_t p;
		if (parse_i64(v, &p))
			return ac_fail(err, cap, "invalid AIS_AUTHN_PORT=%s", v);
		c->port = (int)p;
	}
	if ((v = getenv("AIS_AUTHN_SECRET_KEY")) && *v)
		snprintf(c->secret, sizeof(c->secret), "%s", v);
	if ((v = getenv("AIS_AUTHN_EXTERNAL_URL")) && *v)
		snprintf(c->external_url, sizeof(c->external_url), "%s", v);
	if ((v = getenv("AIS_AUTHN_PRIVATE_KEY_FILE")) && *v)
		snprintf(c->key_path, sizeof(c->key_path), "%s", v);
	if ((v = getenv("AIS_AUTHN_LOG_DIR")) && *v)
		snprintf(c->log_dir, sizeof(c->log_dir), "%s", v);
	if ((v = getenv("AIS_AUTHN_LOG_LEVEL")) && *v)
		c->log_level = atoi(v);
	if ((v = getenv("AIS_AUTHN_TTL")) && *v) {
		int64_t ns;
		if (parse_duration(v, &ns))
			return ac_fail(err, cap, "invalid AIS_AUTHN_TTL=%s", v);
		c->expire_ns = ns ? ns : 24LL * 3600 * 1000000000LL;
	}
	if ((v = getenv("AIS_AUTHN_USE_HTTPS")) && (!strcmp(v, "true") || !strcmp(v, "1")))
		return ac_fail(err, cap, "AIS_AUTHN_USE_HTTPS=%s: HTTPS is not built in aisauth", v);
	if ((v = getenv("AIS_AUTHN_PRIVATE_KEY_PASS")) && *v)
		return ac_fail(err, cap, "AIS_AUTHN_PRIVATE_KEY_PASS: an encrypted private key is not supported%s", "");
	return 0;
}

int aconf_load(aconf_t *c, const char *flag_conf, char *err, size_t cap)
{
	memset(c, 0, sizeof(*c));
	const char *p = getenv("AIS_AUTHN_CONF_DIR");
	if (!p || !*p)
		p = flag_conf;
	if (!p || !*p)
		return ac_fail(err, cap, "missing AuthN configuration file (use '-config' or '%s')", "AIS_AUTHN_CONF_DIR");
	struct stat st;
	if (stat(p, &st)) {
		snprintf(err, cap, "invalid file path \"%s\": %s", p, strerror(errno));
		return AIS_EINVAL;
	}
	char dir[PATH_MAX];
	if (S_ISDIR(st.st_mode)) {
		snprintf(dir, sizeof(dir), "%s", p);
		if (snprintf(c->path, sizeof(c->path), "%s/%s", p, ACONF_FILE) >= (int)sizeof(c->path))
			return ac_fail(err, cap, "config dir path too long: %s", p);
	} else {
		snprintf(c->path, sizeof(c->path), "%s", p);
		snprintf(dir, sizeof(dir), "%s", p);
		char *sl = strrchr(dir, '/');
		if (sl)
			*sl = 0;
		else
			snprintf(dir, sizeof(dir), ".");
	}
	json_error_t je;
	c->raw = json_load_file(c->path, 0, &je);
	if (!json_is_object(c->raw)) {
		snprintf(err, cap, "%s: %s", c->path, je.text);
		return AIS_EINVAL;
	}
	if (snprintf(c->db_path, sizeof(c->db_path), "%s/%s", dir, ACONF_DB) >= (int)sizeof(c->db_path) ||
	    snprintf(c->key_path, sizeof(c->key_path), "%s/%s", dir, ACONF_RSA_KEY) >= (int)sizeof(c->key_path))
		return ac_fail(err, cap, "config dir path too long: %s", dir);
	int rc = ac_parse(c, c->raw, err, cap);
	if (!rc)
		rc = ac_env(c, err, cap);
	if (!rc)
		rc = ac_validate(c, err, cap);
	if (!rc && !c->external_url[0])
		snprintf(c->external_url, sizeof(c->external_url), "http://localhost:%d", c->port);
	size_t ul = strlen(c->external_url);
	while (ul > 1 && c->external_url[ul - 1] == '/')
		c->external_url[--ul] = 0;
	if (!rc && strncmp(c->external_url, "http://", 7) && strncmp(c->external_url, "https://", 8))
		rc = ac_fail(err, cap, "external URL \"%s\": scheme must be http or https", c->external_url);
	return rc;
}

void aconf_fini(aconf_t *c)
{
	json_decref(c->raw);
	c->raw = NULL;
}

/* a Go-style duration: "24h", "90m", "45s" */
static const char *ac_dur_str(int64_t ns, char *b, size_t cap)
{
	long long s = (long long)(ns / 1000000000LL);
	if (s && s % 3600 == 0)
		snprintf(b, cap, "%lldh", s / 3600);
	else if (s && s % 60 == 0)
		snprintf(b, cap, "%lldm", s / 60);
	else
		snprintf(b, cap, "%llds", s);
	return b;
}

json_t *aconf_json(const aconf_t *c)
{
	json_t *j = json_deep_copy(c->raw);
	json_t *a = json_object_get(j, "auth");
	if (!a) {
		a = json_object();
		json_object_set_new(j, "auth", a);
	}
	json_object_set_new(a, "secret", json_string(c->secret[0] ? "**********" : ""));
	char b[64];
	json_object_set_new(a, "expiration_time", json_string(ac_dur_str(c->expire_ns, b, sizeof(b))));
	json_object_set_new(a, "max_token_age", json_string(ac_dur_str(c->max_age_ns, b, sizeof(b))));
	json_t *h = json_object_get(json_object_get(j, "net"), "http");
	if (h)
		json_object_set_new(h, "port", json_integer(c->port));
	return j;
}

static int ac_save(const aconf_t *c)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", c->path);
	char *js = json_dumps(c->raw, JSON_INDENT(4));
	int fd = js ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	int rc = AIS_EIO;
	if (fd >= 0 && !fchmod(fd, 0600) && write(fd, js, strlen(js)) == (ssize_t)strlen(js) && !fsync(fd))
		rc = 0;
	if (fd >= 0)
		close(fd);
	if (!rc && rename(tmp, c->path))
		rc = AIS_EIO;
	if (rc)
		unlink(tmp);
	free(js);
	return rc;
}

int aconf_update(aconf_t *c, const char *body, size_t len, bool *secret_changed, char *err, size_t cap)
{
	static const char *const top[] = {"auth", NULL}, *const auth[] = {"secret", "expiration_time", NULL};
	*secret_changed = false;
	json_error_t je;
	json_t *j = json_loadb(body, len, 0, &je), *a = json_object_get(j, "auth");
	int rc = AIS_EINVAL;
	if (!json_is_object(j)) {
		snprintf(err, cap, "Invalid request: %s", je.text);
		goto out;
	}
	if (!a || json_is_null(a)) {
		snprintf(err, cap, "configuration is empty");
		goto out;
	}
	if ((rc = ac_keys(j, top, "config", err, cap)) || (rc = ac_keys(a, auth, "auth", err, cap)))
		goto out;
	rc = AIS_EINVAL;
	json_t *s = json_object_get(a, "secret"), *e = json_object_get(a, "expiration_time");
	if (s && (!json_is_string(s) || !json_string_length(s) || json_string_length(s) >= sizeof(c->secret))) {
		snprintf(err, cap, "secret defined but empty string");
		goto out;
	}
	int64_t exp = c->expire_ns;
	if (e && ac_dur(a, "expiration_time", c->expire_ns, &exp, err, cap))
		goto out;
	if (exp < AC_MIN_EXP || exp > c->max_age_ns) {
		snprintf(err, cap, "invalid auth.expiration_time: expected >= 1m and <= auth.max_token_age");
		goto out;
	}
	json_t *ra = json_object_get(c->raw, "auth");
	if (!ra) {
		ra = json_object();
		json_object_set_new(c->raw, "auth", ra);
	}
	json_t *old = json_deep_copy(c->raw);
	if (s)
		json_object_set(ra, "secret", s);
	if (e)
		json_object_set(ra, "expiration_time", e);
	if ((rc = ac_save(c))) {
		json_decref(c->raw);
		c->raw = old;
		snprintf(err, cap, "failed to save %s", c->path);
		goto out;
	}
	json_decref(old);
	c->expire_ns = exp;
	if (s && strcmp(c->secret, json_string_value(s))) {
		snprintf(c->secret, sizeof(c->secret), "%s", json_string_value(s));
		*secret_changed = true;
	}
out:
	json_decref(j);
	return rc;
}
