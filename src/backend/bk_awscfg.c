/* bk_awscfg: S3 session resolution (see bk_awscfg.h). Owns a tiny cache of the two shared
 * files' contents (credentials, config), keyed by path and mtime, guarded by awc_mu. */
#include "backend/bk_awscfg.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cluster/bprops.h"
#include "core/config.h"
#include "core/err.h"
#include "core/util.h"

typedef struct awc_file {
	char path[512];
	int64_t mtime;
	int64_t checked;
	char *text; /* NULL when missing */
} awc_file_t;

static pthread_mutex_t awc_mu = PTHREAD_MUTEX_INITIALIZER;
static awc_file_t awc_cred, awc_conf;

static const char *awc_env(const char *k)
{
	const char *v = getenv(k);
	return v && *v ? v : NULL;
}

/* (re)load f from path when it changed; under awc_mu */
static void awc_load(awc_file_t *f, const char *path)
{
	int64_t now = now_ns();
	if (!strcmp(f->path, path) && now - f->checked < 1000000000LL)
		return;
	f->checked = now;
	struct stat st;
	int64_t mt = stat(path, &st) ? -1 : (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	if (!strcmp(f->path, path) && mt == f->mtime)
		return;
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->mtime = mt;
	free(f->text);
	f->text = NULL;
	FILE *fp = mt >= 0 ? fopen(path, "r") : NULL;
	if (!fp)
		return;
	size_t cap = (size_t)st.st_size + 1;
	if (cap < 1 << 20 && (f->text = malloc(cap))) {
		size_t n = fread(f->text, 1, cap - 1, fp);
		f->text[n] = '\0';
	}
	fclose(fp);
}

static void awc_trim(char *s)
{
	size_t l = strlen(s);
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r'))
		s[--l] = '\0';
	size_t i = 0;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, l - i + 1);
}

int bk_awscfg_ini_get(const char *text, const char *section, const char *key, char *out, size_t cap)
{
	bool in = false;
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", (int)(l < sizeof(line) ? l : sizeof(line) - 1), p);
		awc_trim(line);
		p = nl ? nl + 1 : NULL;
		if (!line[0] || line[0] == '#' || line[0] == ';')
			continue;
		if (line[0] == '[') {
			char *e = strchr(line, ']');
			if (e)
				*e = '\0';
			char *sec = line + 1;
			awc_trim(sec);
			in = !strcmp(sec, section);
			continue;
		}
		char *eq = strchr(line, '=');
		if (!in || !eq)
			continue;
		*eq = '\0';
		char *k = line, *v = eq + 1;
		awc_trim(k);
		awc_trim(v);
		if (!strcmp(k, key)) {
			snprintf(out, cap, "%s", v);
			return 0;
		}
	}
	return AIS_ENOTFOUND;
}

static void awc_path(char *out, size_t cap, const char *env, const char *leaf)
{
	const char *v = awc_env(env), *home = awc_env("HOME");
	if (v)
		snprintf(out, cap, "%s", v);
	else
		snprintf(out, cap, "%s/.aws/%s", home ? home : "", leaf);
}

/* key of a profile: the credentials file's [name], else the config file's [profile name]
 * ([default] in both); under awc_mu */
static int awc_profile_get(const char *profile, const char *key, char *out, size_t cap)
{
	char sect[96];
	if (awc_cred.text && !bk_awscfg_ini_get(awc_cred.text, profile, key, out, cap))
		return 0;
	if (strcmp(profile, "default"))
		snprintf(sect, sizeof(sect), "profile %s", profile);
	else
		snprintf(sect, sizeof(sect), "default");
	if (awc_conf.text && !bk_awscfg_ini_get(awc_conf.text, sect, key, out, cap))
		return 0;
	return AIS_ENOTFOUND;
}

static bool awc_host_is_ip(const char *host)
{
	if (host[0] == '[')
		return true; /* IPv6 literal */
	if (!strncmp(host, "localhost", 9) && (!host[9] || host[9] == ':'))
		return true;
	for (const char *p = host; *p && *p != ':'; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			return false;
	return true;
}

static int awc_endpoint(bk_awscfg_t *c, const char *ep, bk_err_t *e)
{
	const char *rest;
	if (!strncmp(ep, "http://", 7)) {
		snprintf(c->scheme, sizeof(c->scheme), "http");
		rest = ep + 7;
	} else if (!strncmp(ep, "https://", 8)) {
		snprintf(c->scheme, sizeof(c->scheme), "https");
		rest = ep + 8;
	} else {
		return bk_fail(e, 400, NULL, "invalid S3 endpoint \"%.200s\": expecting http(s)://host[:port]", ep);
	}
	size_t hl = strcspn(rest, "/");
	if (!hl || hl >= sizeof(c->host))
		return bk_fail(e, 400, NULL, "invalid S3 endpoint \"%.200s\"", ep);
	snprintf(c->host, sizeof(c->host), "%.*s", (int)hl, rest);
	snprintf(c->base_path, sizeof(c->base_path), "%s", rest + hl);
	size_t bl = strlen(c->base_path);
	while (bl && c->base_path[bl - 1] == '/')
		c->base_path[--bl] = '\0';
	return 0;
}

int bk_awscfg_resolve(const bck_t *b, bk_awscfg_t *c, bk_err_t *e)
{
	memset(c, 0, sizeof(*c));
	json_t *props = b ? b->props : NULL;
	const char *bprof = props ? bprops_str(props, "extra.aws.profile", "") : "";
	const char *bep = props ? bprops_str(props, "extra.aws.endpoint", "") : "";
	const char *breg = props ? bprops_str(props, "extra.aws.cloud_region", "") : "";
	snprintf(c->profile, sizeof(c->profile), "%s", *bprof ? bprof : awc_env("AWS_PROFILE") ? awc_env("AWS_PROFILE") : "default");
	char cred_path[512], conf_path[512], region[64] = "";
	awc_path(cred_path, sizeof(cred_path), "AWS_SHARED_CREDENTIALS_FILE", "credentials");
	awc_path(conf_path, sizeof(conf_path), "AWS_CONFIG_FILE", "config");
	pthread_mutex_lock(&awc_mu);
	awc_load(&awc_cred, cred_path);
	awc_load(&awc_conf, conf_path);
	if (!*breg && !awc_env("AWS_REGION"))
		awc_profile_get(c->profile, "region", region, sizeof(region));
	int have = 0;
	if (*bprof) {
		have = !awc_profile_get(c->profile, "aws_access_key_id", c->access, sizeof(c->access)) &&
		       !awc_profile_get(c->profile, "aws_secret_access_key", c->secret, sizeof(c->secret));
		if (have)
			awc_profile_get(c->profile, "aws_session_token", c->token, sizeof(c->token));
	} else if (awc_env("AWS_ACCESS_KEY_ID") && awc_env("AWS_SECRET_ACCESS_KEY")) {
		snprintf(c->access, sizeof(c->access), "%s", awc_env("AWS_ACCESS_KEY_ID"));
		snprintf(c->secret, sizeof(c->secret), "%s", awc_env("AWS_SECRET_ACCESS_KEY"));
		snprintf(c->token, sizeof(c->token), "%s", awc_env("AWS_SESSION_TOKEN") ? awc_env("AWS_SESSION_TOKEN") : "");
		have = 1;
	} else {
		have = !awc_profile_get(c->profile, "aws_access_key_id", c->access, sizeof(c->access)) &&
		       !awc_profile_get(c->profile, "aws_secret_access_key", c->secret, sizeof(c->secret));
		if (have)
			awc_profile_get(c->profile, "aws_session_token", c->token, sizeof(c->token));
	}
	pthread_mutex_unlock(&awc_mu);
	if (*bprof && !have)
		return bk_fail(e, 400, NULL, "failed to load AWS config: profile \"%s\" (bucket prop extra.aws.profile) "
				     "has no credentials in %s", c->profile, cred_path);
	c->anon = !have;
	snprintf(c->region, sizeof(c->region), "%s",
		 *breg ? breg : awc_env("AWS_REGION") ? awc_env("AWS_REGION") : region[0] ? region : "us-east-1");
	char ep[300];
	if (*bep)
		snprintf(ep, sizeof(ep), "%s", bep);
	else if (awc_env("S3_ENDPOINT"))
		snprintf(ep, sizeof(ep), "%s", awc_env("S3_ENDPOINT"));
	else if (!strcmp(c->region, "us-east-1"))
		snprintf(ep, sizeof(ep), "https://s3.amazonaws.com");
	else
		snprintf(ep, sizeof(ep), "https://s3.%s.amazonaws.com", c->region);
	int rc = awc_endpoint(c, ep, e);
	if (rc)
		return rc;
	c->path_style = (config_features() & FEAT_S3_USE_PATH_STYLE) || awc_host_is_ip(c->host);
	return 0;
}
