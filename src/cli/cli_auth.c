/* cli_auth: `ais auth ...`, the AuthN commands (AIStore cmd/cli/cli/auth_hdlr.go): login/logout
 * (the token file ~/.config/ais/cli/auth.token or --file, JSON {"token": ...}, mode 0600),
 * add/set/rm/show of users, roles and clusters, rm token (revoke), show config/oidc/jwks/
 * public-key. The AuthN service is at $AIS_AUTHN_URL (default http://127.0.0.1:52001). Output
 * tables as AIStore's templates (NAME ROLES; ROLE DESCRIPTION; CLUSTER ID ALIAS URLs). */
#include "api/authtok.h"
#include "cli/cli.h"
#include "core/jsonx.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CA_DEFAULT_URL "http://127.0.0.1:52001"

static const char *ca_url(void)
{
	const char *u = getenv("AIS_AUTHN_URL");
	return u && *u ? u : CA_DEFAULT_URL;
}

/* AIStore's access names (apc.accessOp) and aliases ro, rw, su */
static const struct {
	const char *name;
	uint64_t bits;
} ca_perms[] = {
	{"GET", 1}, {"HEAD-OBJECT", 2}, {"PUT", 4}, {"APPEND", 8}, {"DELETE-OBJECT", 16}, {"MOVE-OBJECT", 32},
	{"PROMOTE", 64}, {"UPDATE-OBJECT", 128}, {"HEAD-BUCKET", 256}, {"LIST-OBJECTS", 512}, {"PATCH", 1024},
	{"SET-BUCKET-ACL", 2048}, {"LIST-BUCKETS", 4096}, {"SHOW-CLUSTER", 8192}, {"CREATE-BUCKET", 16384},
	{"DESTROY-BUCKET", 32768}, {"MOVE-BUCKET", 65536}, {"ADMIN", 131072},
	{"ro", 1 | 2 | 256 | 512}, {"rw", 1 | 2 | 256 | 512 | 4 | 8 | 16 | 32 | 64}, {"su", UINT64_MAX},
};

static int ca_perm(cli_ctx_t *c, const char *s, uint64_t *acc)
{
	for (size_t i = 0; i < sizeof(ca_perms) / sizeof(ca_perms[0]); i++)
		if (!strcmp(ca_perms[i].name, s)) {
			*acc = ca_perms[i].bits == UINT64_MAX ? UINT64_MAX : *acc | ca_perms[i].bits;
			return 0;
		}
	return cli_err(c, "invalid access value: \"%s\"", s);
}

/* a request to AuthN; resp kept in *out (caller: cli_req_fini) when out != NULL. 0 or 1 (printed) */
static int ca_do(cli_ctx_t *c, const char *method, const char *path, json_t *body, cli_req_t *out)
{
	char *js = body ? jsonx_dumps(body) : NULL;
	cli_req_t r = {.method = method, .base = ca_url(), .path = path, .body = js, .body_len = js ? strlen(js) : 0,
		       .fd = -1, .timeout_ms = 60000};
	int rc = 0;
	if (cli_http_do(&c->http, &r)) {
		char msg[600];
		bool unreach = false;
		cli_req_errmsg(&r, msg, sizeof(msg), &unreach);
		if (unreach)
			rc = cli_err(c, "AuthN unreachable at %s. You may need to update AIS CLI configuration or environment variable AIS_AUTHN_URL (detailed error: %s)",
				     ca_url(), msg);
		else
			rc = cli_err(c, "%s", msg);
	}
	free(js);
	if (out && !rc)
		*out = r;
	else
		cli_req_fini(&r);
	return rc;
}

static json_t *ca_get(cli_ctx_t *c, const char *path)
{
	cli_req_t r;
	if (ca_do(c, "GET", path, NULL, &r))
		return NULL;
	json_error_t je;
	json_t *j = jsonx_loadb(r.resp.p ? r.resp.p : "", r.resp.len, &je);
	cli_req_fini(&r);
	if (!j)
		cli_err(c, "AuthN: invalid JSON in response: %s", je.text);
	return j;
}

/* `show`: GET base[/<the argument>]; NULL when answered already (*rc: the exit code), also when
 * as_json printed the whole answer */
static json_t *ca_show_get(cli_ctx_t *c, const char *base, bool as_json, int *rc)
{
	char p[512];
	char *esc = c->nargs ? url_encode(c->args[0], false) : NULL;
	snprintf(p, sizeof(p), "%s%s%s", base, esc ? "/" : "", esc ? esc : "");
	free(esc);
	json_t *j = ca_get(c, p);
	*rc = j ? 0 : 1;
	if (j && as_json) {
		cli_out_json(c, j);
		json_decref(j);
		return NULL;
	}
	return j;
}

static const char *ca_token_path(cli_ctx_t *c, char *out, size_t cap)
{
	const char *f = cli_flag_str(c, "file", NULL);
	if (f && *f)
		snprintf(out, cap, "%s", f);
	else if ((f = getenv("AIS_AUTHN_TOKEN_FILE")) && *f)
		snprintf(out, cap, "%s", f);
	else
		snprintf(out, cap, "%s/.config/ais/cli/auth.token", getenv("HOME") ? getenv("HOME") : ".");
	return out;
}

static int ca_mkdirs(const char *path)
{
	char d[4096];
	snprintf(d, sizeof(d), "%s", path);
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(d, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* the password from -p, else a prompt on a terminal */
static int ca_password(cli_ctx_t *c, bool optional, char *out, size_t cap)
{
	const char *p = cli_flag_str(c, "password", NULL);
	if (p) {
		snprintf(out, cap, "%s", p);
		return 0;
	}
	*out = 0;
	if (optional)
		return 0;
	if (!c->in_tty)
		return cli_err(c, "password required (--password)");
	char *g = getpass("User password: ");
	snprintf(out, cap, "%s", g ? g : "");
	return *out ? 0 : cli_err(c, "password required");
}

/* ---- login / logout ---- */
static int ca_login(cli_ctx_t *c)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing USER_NAME");
	char pass[1024], path[4096], p[512];
	if (ca_password(c, false, pass, sizeof(pass)))
		return 1;
	json_t *b = json_pack("{s:s}", "password", pass);
	const char *e = cli_flag_str(c, "expire", NULL);
	if (e) {
		int64_t ns, secs;
		if (parse_duration(e, &ns) && !parse_i64(e, &secs) && secs >= 0 && secs < INT64_MAX / 1000000000LL)
			ns = secs * 1000000000LL; /* a plain number: seconds (the flag's default unit) */
		else if (parse_duration(e, &ns)) {
			json_decref(b);
			return cli_err(c, "invalid --expire \"%s\"", e);
		}
		json_object_set_new(b, "expires_in", json_integer(ns));
	}
	char *esc = url_encode(c->args[0], false);
	snprintf(p, sizeof(p), "/v1/users/%s", esc ? esc : "");
	free(esc);
	cli_req_t r;
	int rc = ca_do(c, "POST", p, b, &r);
	memset(pass, 0, sizeof(pass));
	json_decref(b);
	if (rc)
		return rc;
	json_t *j = jsonx_loadb(r.resp.p ? r.resp.p : "", r.resp.len, NULL);
	cli_req_fini(&r);
	const char *tok = jsonx_str(j, "token", "");
	if (!*tok) {
		json_decref(j);
		return cli_err(c, "AuthN: no token in the login response");
	}
	ca_token_path(c, path, sizeof(path));
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	char *js = json_dumps(json_pack("{s:s}", "token", tok), JSON_COMPACT);
	json_decref(j);
	int fd = ca_mkdirs(path) ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	bool ok = fd >= 0 && js && write(fd, js, strlen(js)) == (ssize_t)strlen(js);
	if (fd >= 0)
		close(fd);
	ok = ok && !rename(tmp, path);
	free(js);
	if (!ok) {
		unlink(tmp);
		return cli_err(c, "failed to write token \"%s\": %s", path, strerror(errno));
	}
	printf("Logged in (%s)\n", path);
	return 0;
}

static int ca_revoke_tok(cli_ctx_t *c, const char *tok)
{
	json_t *b = json_pack("{s:s}", "token", tok);
	int rc = ca_do(c, "DELETE", "/v1/tokens", b, NULL);
	json_decref(b);
	return rc;
}

/* the token of the token file (not $AIS_AUTHN_TOKEN: logout is about the file) */
static int ca_file_token(cli_ctx_t *c, const char *path, char *tok, size_t cap)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	const char *t = jsonx_str(j, "token", "");
	int rc = *t && strlen(t) < cap ? 0 : 1;
	if (!rc)
		snprintf(tok, cap, "%s", t);
	json_decref(j);
	return rc ? cli_err(c, "cannot logout: no token in \"%s\"", path) : 0;
}

static int ca_logout(cli_ctx_t *c)
{
	char path[4096], tok[AUTHTOK_MAX];
	ca_token_path(c, path, sizeof(path));
	if (ca_file_token(c, path, tok, sizeof(tok)) || ca_revoke_tok(c, tok))
		return 1;
	if (unlink(path))
		return cli_err(c, "failed to logout, could not remove token file \"%s\": %s", path, strerror(errno));
	printf("Logged out (removed/revoked \"%s\")\n", path);
	return 0;
}

static int ca_rm_token(cli_ctx_t *c)
{
	char path[4096], tok[AUTHTOK_MAX];
	if (c->nargs >= 1)
		return ca_revoke_tok(c, c->args[0]);
	ca_token_path(c, path, sizeof(path));
	return ca_file_token(c, path, tok, sizeof(tok)) || ca_revoke_tok(c, tok);
}

/* ---- users ---- */
static int ca_user_body(cli_ctx_t *c, bool optional_pass, json_t **out)
{
	char pass[1024];
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing USER_NAME");
	if (ca_password(c, optional_pass, pass, sizeof(pass)))
		return 1;
	json_t *u = json_pack("{s:s, s:[]}", "id", c->args[0], "roles");
	if (*pass)
		json_object_set_new(u, "pass", json_string(pass));
	memset(pass, 0, sizeof(pass));
	for (int i = 1; i < c->nargs; i++) {
		char p[512];
		char *esc = url_encode(c->args[i], false);
		snprintf(p, sizeof(p), "/v1/roles/%s", esc ? esc : "");
		free(esc);
		json_t *r = ca_get(c, p);
		if (!r) {
			fprintf(stderr, "Role \"%s\" not found\n", c->args[i]);
			json_decref(u);
			return 1;
		}
		json_object_del(r, "clusters"); /* as stored; the service resolves the role by name */
		json_object_del(r, "buckets");
		json_array_append_new(json_object_get(u, "roles"), r);
	}
	*out = u;
	return 0;
}

/* method base[/<id, URL-escaped>] with the JSON body (consumed) */
static int ca_send(cli_ctx_t *c, const char *method, const char *base, const char *id, json_t *body)
{
	char p[512];
	char *esc = id ? url_encode(id, false) : NULL;
	snprintf(p, sizeof(p), "%s%s%s", base, esc ? "/" : "", esc ? esc : "");
	free(esc);
	int rc = ca_do(c, method, p, body, NULL);
	json_decref(body);
	return rc;
}

static int ca_user_add(cli_ctx_t *c)
{
	json_t *u = NULL;
	return ca_user_body(c, false, &u) ? 1 : ca_send(c, "POST", "/v1/users", NULL, u);
}

static int ca_user_set(cli_ctx_t *c)
{
	json_t *u = NULL;
	return ca_user_body(c, true, &u) ? 1 : ca_send(c, "PUT", "/v1/users", c->args[0], u);
}

static void ca_user_row(sbuf_t *t, json_t *u)
{
	json_t *r;
	size_t i;
	sbuf_addf(t, "%s\t", jsonx_str(u, "id", ""));
	json_array_foreach(json_object_get(u, "roles"), i, r)
		sbuf_addf(t, "%s%s", i ? ", " : "", jsonx_str(r, "name", ""));
	sbuf_addf(t, "\n");
}

static int ca_show_user(cli_ctx_t *c)
{
	int rc;
	json_t *j = ca_show_get(c, "/v1/users", cli_flag(c, "json"), &rc), *u;
	if (!j)
		return rc;
	sbuf_t t = SBUF_INIT;
	if (!cli_flag(c, "no-headers"))
		sbuf_addf(&t, "NAME\tROLES\n");
	if (c->nargs)
		ca_user_row(&t, j);
	else {
		const char *k;
		json_object_foreach(j, k, u)
			ca_user_row(&t, u);
	}
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
	json_decref(j);
	return 0;
}

/* ---- roles ---- */
/* the registered cluster's ID for an ID or alias ("" when the flag is empty); 1 printed */
static int ca_cluster_id(cli_ctx_t *c, const char *name, char *id, size_t cap)
{
	*id = 0;
	if (!name || !*name)
		return 0;
	json_t *j = ca_get(c, "/v1/clusters"), *v;
	const char *k;
	if (!j)
		return 1;
	json_object_foreach(json_object_get(j, "clusters"), k, v)
		if (!strcmp(k, name) || !strcmp(jsonx_str(v, "alias", ""), name))
			snprintf(id, cap, "%s", k);
	json_decref(j);
	return *id ? 0 : cli_err(c, "cluster \"%s\" not found", name);
}

static int ca_role_body(cli_ctx_t *c, json_t **out)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing ROLE");
	const char *clu = cli_flag_str(c, "cluster", NULL), *bck = cli_flag_str(c, "bucket", NULL);
	if (bck && !clu)
		return cli_err(c, "flag '--bucket' requires '--cluster' to be specified");
	char cid[160], perm[24];
	uint64_t acc = 0;
	if (ca_cluster_id(c, clu, cid, sizeof(cid)))
		return 1;
	for (int i = 1; i < c->nargs; i++)
		if (ca_perm(c, c->args[i], &acc))
			return 1;
	snprintf(perm, sizeof(perm), "%llu", (unsigned long long)acc);
	json_t *r = json_pack("{s:s, s:s, s:[], s:[]}", "name", c->args[0], "desc",
			      cli_flag_str(c, "description", ""), "clusters", "buckets");
	if (bck) {
		cli_bck_t b;
		char err[256];
		if (cli_uri_parse(bck, &b, NULL, 0, err, sizeof(err))) {
			json_decref(r);
			return cli_err(c, "%s", err);
		}
		json_array_append_new(json_object_get(r, "buckets"),
				      json_pack("{s:{s:s, s:s, s:{s:s, s:s}}, s:s}", "bck", "name", b.name, "provider",
						b.provider[0] ? b.provider : "ais", "namespace", "uuid", cid, "name", "", "perm",
						perm));
	} else {
		json_array_append_new(json_object_get(r, "clusters"), json_pack("{s:s, s:s}", "id", cid, "perm", perm));
	}
	*out = r;
	return 0;
}

static int ca_role_add(cli_ctx_t *c)
{
	json_t *r = NULL;
	return ca_role_body(c, &r) ? 1 : ca_send(c, "POST", "/v1/roles", NULL, r);
}

static int ca_role_set(cli_ctx_t *c)
{
	json_t *r = NULL;
	return ca_role_body(c, &r) ? 1 : ca_send(c, "PUT", "/v1/roles", c->args[0], r);
}

static int ca_show_role(cli_ctx_t *c)
{
	int rc;
	json_t *j = ca_show_get(c, "/v1/roles", cli_flag(c, "json") || (c->nargs && cli_flag(c, "verbose")), &rc), *r;
	if (!j)
		return rc;
	sbuf_t t = SBUF_INIT;
	if (!cli_flag(c, "no-headers"))
		sbuf_addf(&t, "ROLE\tDESCRIPTION\n");
	if (c->nargs)
		sbuf_addf(&t, "%s\t%s\n", jsonx_str(j, "name", ""), jsonx_str(j, "desc", ""));
	else {
		size_t i;
		json_array_foreach(j, i, r)
			sbuf_addf(&t, "%s\t%s\n", jsonx_str(r, "name", ""), jsonx_str(r, "desc", ""));
	}
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
	json_decref(j);
	return 0;
}

/* ---- clusters ---- */
/* [ALIAS] [URL...] into a CluACL; the ID is the cluster's Smap UUID (from the first URL or the
 * CLI's endpoint) */
static int ca_cluster_body(cli_ctx_t *c, bool need_uuid, json_t **out)
{
	json_t *cl = json_pack("{s:s, s:s, s:[]}", "id", "", "alias", "", "urls");
	for (int i = 0; i < c->nargs; i++) {
		const char *a = c->args[i];
		if (!strncasecmp(a, "http:", 5) || !strncasecmp(a, "https:", 6))
			json_array_append_new(json_object_get(cl, "urls"), json_string(a));
		else if (*jsonx_str(cl, "alias", "")) {
			json_decref(cl);
			return cli_err(c, "either invalid URL or duplicated alias \"%s\"", a);
		} else
			json_object_set_new(cl, "alias", json_string(a));
	}
	json_t *urls = json_object_get(cl, "urls");
	if (!json_array_size(urls))
		json_array_append_new(urls, json_string(c->endpoint));
	if (need_uuid) {
		json_t *smap = cli_api_get_json(c, json_string_value(json_array_get(urls, 0)), "/v1/daemon", "what=smap", false);
		if (!smap || !*jsonx_str(smap, "uuid", "")) {
			json_decref(smap);
			json_decref(cl);
			return smap ? cli_err(c, "failed to add cluster: no cluster UUID in the Smap") : 1;
		}
		json_object_set(cl, "id", json_object_get(smap, "uuid"));
		json_decref(smap);
	}
	*out = cl;
	return 0;
}

static int ca_cluster_add(cli_ctx_t *c)
{
	json_t *cl = NULL;
	return ca_cluster_body(c, true, &cl) ? 1 : ca_send(c, "POST", "/v1/clusters", NULL, cl);
}

static int ca_cluster_set(cli_ctx_t *c)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing CLUSTER_ID");
	char cid[160];
	if (ca_cluster_id(c, c->args[0], cid, sizeof(cid)))
		return 1;
	json_t *cl = NULL;
	c->args[0] = cid; /* the ID itself is not an alias to set */
	if (ca_cluster_body(c, false, &cl))
		return 1;
	json_object_set_new(cl, "id", json_string(cid));
	if (!strcmp(jsonx_str(cl, "alias", ""), cid))
		json_object_set_new(cl, "alias", json_string(""));
	return ca_send(c, "PUT", "/v1/clusters", cid, cl);
}

static int ca_show_cluster(cli_ctx_t *c)
{
	int rc;
	json_t *j = ca_show_get(c, "/v1/clusters", cli_flag(c, "json"), &rc), *v, *u;
	if (!j)
		return rc;
	sbuf_t t = SBUF_INIT;
	if (!cli_flag(c, "no-headers"))
		sbuf_addf(&t, "CLUSTER ID\tALIAS\tURLs\n");
	const char *k;
	json_object_foreach(json_object_get(j, "clusters"), k, v) {
		size_t i;
		sbuf_addf(&t, "%s\t%s\t", k, jsonx_str(v, "alias", ""));
		json_array_foreach(json_object_get(v, "urls"), i, u)
			sbuf_addf(&t, "%s%s", i ? ", " : "", json_string_value(u));
		sbuf_addf(&t, "\n");
	}
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
	json_decref(j);
	return 0;
}

/* ---- rm ---- */
static int ca_rm(cli_ctx_t *c, const char *coll, const char *what)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing %s", what);
	char p[512];
	char *esc = url_encode(c->args[0], false);
	snprintf(p, sizeof(p), "/v1/%s/%s", coll, esc ? esc : "");
	free(esc);
	return ca_do(c, "DELETE", p, NULL, NULL);
}
static int ca_rm_user(cli_ctx_t *c) { return ca_rm(c, "users", "USER_NAME"); }
static int ca_rm_role(cli_ctx_t *c) { return ca_rm(c, "roles", "ROLE"); }
static int ca_rm_cluster(cli_ctx_t *c) { return ca_rm(c, "clusters", "CLUSTER_ID"); }

/* ---- config, oidc, jwks, public key ---- */
static void ca_flat_cb(const char *name, const char *value, void *arg) { sbuf_addf(arg, "%s\t%s\n", name, value); }

static int ca_show_props(cli_ctx_t *c, const char *path)
{
	json_t *j = ca_get(c, path);
	if (!j)
		return 1;
	if (cli_flag(c, "json")) {
		cli_out_json(c, j);
	} else {
		sbuf_t t = SBUF_INIT;
		if (!cli_flag(c, "no-headers"))
			sbuf_addf(&t, "PROPERTY\tVALUE\n");
		cli_out_flatten(j, "", ca_flat_cb, &t);
		cli_out_tab(c, sbuf_str(&t));
		sbuf_fini(&t);
	}
	json_decref(j);
	return 0;
}
static int ca_show_config(cli_ctx_t *c) { return ca_show_props(c, "/v1/daemon"); }
static int ca_show_oidc(cli_ctx_t *c) { return ca_show_props(c, "/.well-known/openid-configuration"); }

static int ca_show_jwks(cli_ctx_t *c)
{
	json_t *j = ca_get(c, "/.well-known/jwks.json");
	if (!j)
		return 1;
	cli_out_json(c, j);
	json_decref(j);
	return 0;
}

static int ca_show_pubkey(cli_ctx_t *c)
{
	json_t *j = ca_get(c, "/v1/public-key");
	if (!j)
		return 1;
	printf("%s", jsonx_str(j, "public_key", ""));
	json_decref(j);
	return 0;
}

/* ---- the command tree ---- */
static const cli_cmd_t ca_show_cmds[] = {
	{"cluster", NULL, "Show AIS clusters managed by this AuthN instance", "[CLUSTER_ID]", "json no-headers", ca_show_cluster, NULL},
	{"role", NULL, "Show existing AuthN roles", "[ROLE]", "json no-headers verbose", ca_show_role, NULL},
	{"user", NULL, "Show user list and details", "[USER_NAME]", "json no-headers", ca_show_user, NULL},
	{"config", NULL, "Show AuthN server configuration", NULL, "json no-headers", ca_show_config, NULL},
	{"oidc", NULL, "Show AuthN OIDC configuration", NULL, "json no-headers", ca_show_oidc, NULL},
	{"jwks", NULL, "Show AuthN public JWKS", NULL, NULL, ca_show_jwks, NULL},
	{"public-key", NULL, "Show AuthN public key (asymmetric signing, e.g. RSA)", NULL, NULL, ca_show_pubkey, NULL},
	{0},
};
static const cli_cmd_t ca_add_cmds[] = {
	{"user", NULL, "Add a new user", "USER_NAME [ROLE...]", "password", ca_user_add, NULL},
	{"cluster", NULL, "Add AIS cluster (to authenticate access to buckets and to the cluster)",
	 "[CLUSTER_ALIAS] [URL...]", NULL, ca_cluster_add, NULL},
	{"role", NULL, "Create a new role", "ROLE [PERMISSION ...]", "description cluster bucket", ca_role_add, NULL},
	{0},
};
static const cli_cmd_t ca_rm_cmds[] = {
	{"user", NULL, "Remove an existing user", "USER_NAME", NULL, ca_rm_user, NULL},
	{"cluster", NULL, "Remove AIS cluster", "CLUSTER_ID", NULL, ca_rm_cluster, NULL},
	{"role", NULL, "Remove an existing role", "ROLE", NULL, ca_rm_role, NULL},
	{"token", NULL, "Revoke AuthN token", "[TOKEN]", "file", ca_rm_token, NULL},
	{0},
};
static const cli_cmd_t ca_set_cmds[] = {
	{"cluster", NULL, "Update AIS cluster configuration (the cluster must be previously added to AuthN)",
	 "CLUSTER_ID [ALIAS] [URL...]", NULL, ca_cluster_set, NULL},
	{"user", NULL, "Update an existing user", "USER_NAME [ROLE...]", "password", ca_user_set, NULL},
	{"role", NULL, "Update an existing role for all users that have it", "ROLE [PERMISSION ...]",
	 "description cluster bucket", ca_role_set, NULL},
	{0},
};
const cli_cmd_t cli_auth_cmds[] = {
	{"show", NULL, "Show entity in authn", NULL, NULL, NULL, ca_show_cmds},
	{"add", NULL, "Add AuthN entity: user, role, AIS cluster", NULL, NULL, NULL, ca_add_cmds},
	{"rm", NULL, "Remove an entity from AuthN", NULL, NULL, NULL, ca_rm_cmds},
	{"set", NULL, "Update AuthN configuration and its entities: users, roles, and AIS clusters", NULL, NULL, NULL,
	 ca_set_cmds},
	{"login", NULL, "Log in with existing user ID and password", "USER_NAME", "file password expire", ca_login, NULL},
	{"logout", NULL, "Log out", NULL, "file", ca_logout, NULL},
	{0},
};
