/* cli_bucket: bucket commands: create, rm, ls (buckets or objects, paged or not), props
 * show/set/reset. Output wording and tables follow AIStore's CLI (bucket.go, ls.go, teb/lso.go):
 * '"ais://b" created', 'NAME\t PRESENT' bucket tables with a "Total:" footer, object tables with a
 * trailing "\t " per column, "Listed N names" for more than 10 entries. */
#include "cli/cli.h"
#include "core/jsonx.h"
#include "cli/cli_fmt.h"
#include "cli/cli_tab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- helpers ---------------- */

static int bck_arg(cli_ctx_t *c, const char *arg, cli_bck_t *b, char *obj, size_t objcap)
{
	char err[256];
	if (cli_uri_parse(arg, b, obj, objcap, err, sizeof(err)))
		return cli_err(c, "%s", err);
	return 0;
}

/* string value → typed JSON (bool, integer, else string) */
static json_t *bck_typed(const char *v, const json_t *like)
{
	if (like && json_is_boolean(like)) {
		if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
			return json_true();
		if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
			return json_false();
		return NULL;
	}
	char *end;
	long long n = strtoll(v, &end, 10);
	if (like && json_is_integer(like)) {
		if (*v && !*end)
			return json_integer(n);
		return NULL;
	}
	if (!like) {
		if (!strcmp(v, "true"))
			return json_true();
		if (!strcmp(v, "false"))
			return json_false();
		if (*v && !*end)
			return json_integer(n);
	}
	return json_string(v);
}

/* set "a.b.c" = val inside obj (creating intermediate objects) */
static void bck_set_path(json_t *obj, const char *path, json_t *val)
{
	char key[128];
	const char *dot = strchr(path, '.');
	if (!dot) {
		json_object_set_new(obj, path, val);
		return;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
	json_t *sub = json_object_get(obj, key);
	if (!json_is_object(sub)) {
		sub = json_object();
		json_object_set_new(obj, key, sub);
	}
	bck_set_path(sub, dot + 1, val);
}

static const char *const bck_access_ops[] = {
	"GET", "HEAD-OBJECT", "PUT", "APPEND", "DELETE-OBJECT", "MOVE-OBJECT", "PROMOTE", "UPDATE-OBJECT", "HEAD-BUCKET",
	"LIST-OBJECTS", "PATCH", "SET-BUCKET-ACL", "LIST-BUCKETS", "SHOW-CLUSTER", "CREATE-BUCKET", "DESTROY-BUCKET",
	"MOVE-BUCKET", "ADMIN",
};

static void bck_access_describe(const json_t *v, char *out, size_t cap)
{
	char s[64];
	cli_out_scalar(v, s, sizeof(s));
	unsigned long long a = strtoull(s, NULL, 10);
	if (!a) {
		snprintf(out, cap, "none");
		return;
	}
	size_t off = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(bck_access_ops) / sizeof(bck_access_ops[0]); i++) {
		if (!(a & (1ULL << i)))
			continue;
		int n = snprintf(out + off, cap - off, "%s%s", off ? "," : "", bck_access_ops[i]);
		if (n < 0 || (size_t)n >= cap - off)
			break;
		off += (size_t)n;
	}
}

static void bck_created(const json_t *v, char *out, size_t cap)
{
	char s[64];
	cli_out_scalar(v, s, sizeof(s));
	long long ns = strtoll(s, NULL, 10);
	if (!ns)
		snprintf(out, cap, "-");
	else
		cli_fmt_rfc3339(ns, out, cap);
}

/* ---------------- bucket props as name/value pairs ---------------- */

typedef struct {
	char **names, **vals;
	int n, cap;
} nvlist_t;

static void nv_add(nvlist_t *l, const char *name, const char *val)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->names = realloc(l->names, (size_t)l->cap * sizeof(char *));
		l->vals = realloc(l->vals, (size_t)l->cap * sizeof(char *));
	}
	l->names[l->n] = strdup(name);
	l->vals[l->n++] = strdup(val);
}

static void nv_fini(nvlist_t *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->names[i]);
		free(l->vals[i]);
	}
	free(l->names);
	free(l->vals);
	memset(l, 0, sizeof(*l));
}

static const char *nv_get(const nvlist_t *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->names[i], name))
			return l->vals[i];
	return NULL;
}

static void nv_sort(nvlist_t *l)
{
	for (int i = 1; i < l->n; i++)
		for (int j = i; j > 0 && strcmp(l->names[j - 1], l->names[j]) > 0; j--) {
			char *t = l->names[j];
			l->names[j] = l->names[j - 1];
			l->names[j - 1] = t;
			t = l->vals[j];
			l->vals[j] = l->vals[j - 1];
			l->vals[j - 1] = t;
		}
}

static void bck_flat_cb(const char *name, const char *value, void *arg)
{
	nvlist_t *l = arg;
	if (!strcmp(name, "bid") || !strcmp(name, "created") || !strcmp(name, "access"))
		return;
	if (!strcmp(name, "chunks.objsize_limit") && !strcmp(value, "0")) {
		nv_add(l, name, "0 (auto-chunking disabled)");
		return;
	}
	nv_add(l, name, value);
}

static const char *yesno(bool b) { return b ? "yes" : "no"; }

/* AIStore's bckPropList: verbose = every field flattened; compact = one line per section */
static void bck_prop_list(json_t *p, bool compact, nvlist_t *l)
{
	char buf[1024];
	if (compact) {
		bck_created(json_object_get(p, "created"), buf, sizeof(buf));
		nv_add(l, "created", buf);
		nv_add(l, "provider", json_string_value(json_object_get(p, "provider")) ?: "");
		bck_access_describe(json_object_get(p, "access"), buf, sizeof(buf));
		nv_add(l, "access", buf);
		json_t *ck = json_object_get(p, "checksum");
		char val[256] = "";
		const char *names[] = {"validate_cold_get", "ColdGET", "validate_warm_get", "WarmGET", "validate_obj_move",
				       "ObjectMove", "enable_read_range", "ReadRange"};
		for (int i = 0; i < 8; i += 2)
			if (json_is_true(json_object_get(ck, names[i])))
				snprintf(val + strlen(val), sizeof(val) - strlen(val), "%s%s", val[0] ? "," : "", names[i + 1]);
		snprintf(buf, sizeof(buf), "Type: %s | Validate: %s", json_string_value(json_object_get(ck, "type")) ?: "",
			 val[0] ? val : "Nothing");
		nv_add(l, "checksum", buf);
		json_t *m = json_object_get(p, "mirror");
		if (json_is_true(json_object_get(m, "enabled")))
			snprintf(buf, sizeof(buf), "%lld copies", (long long)json_integer_value(json_object_get(m, "copies")));
		else
			snprintf(buf, sizeof(buf), "Disabled");
		nv_add(l, "mirror", buf);
		json_t *ec = json_object_get(p, "ec");
		if (json_is_true(json_object_get(ec, "enabled"))) {
			char sz[32];
			cli_fmt_size(json_integer_value(json_object_get(ec, "objsize_limit")), CLI_UNITS_IEC, 0, sz, sizeof(sz));
			snprintf(buf, sizeof(buf), "%lld:%lld (%s)", (long long)json_integer_value(json_object_get(ec, "data_slices")),
				 (long long)json_integer_value(json_object_get(ec, "parity_slices")), sz);
		} else {
			snprintf(buf, sizeof(buf), "Disabled");
		}
		nv_add(l, "ec", buf);
		json_t *ch = json_object_get(p, "chunks");
		cli_out_scalar(json_object_get(ch, "objsize_limit"), val, sizeof(val));
		if (!strcmp(val, "0") || !val[0])
			snprintf(buf, sizeof(buf), "auto-chunking disabled");
		else
			snprintf(buf, sizeof(buf), "objsize_limit=%s", val);
		nv_add(l, "chunks", buf);
		json_t *lru = json_object_get(p, "lru");
		if (json_is_true(json_object_get(lru, "enabled")))
			snprintf(buf, sizeof(buf), "lru.dont_evict_time=%s, lru.capacity_upd_time=%s",
				 json_string_value(json_object_get(lru, "dont_evict_time")) ?: "",
				 json_string_value(json_object_get(lru, "capacity_upd_time")) ?: "");
		else
			snprintf(buf, sizeof(buf), "Disabled");
		nv_add(l, "lru", buf);
		json_t *v = json_object_get(p, "versioning");
		if (json_is_true(json_object_get(v, "enabled")))
			snprintf(buf, sizeof(buf), "Enabled | Validate on WarmGET: %s",
				 yesno(json_is_true(json_object_get(v, "validate_warm_get"))));
		else
			snprintf(buf, sizeof(buf), "Disabled");
		nv_add(l, "versioning", buf);
	} else {
		cli_out_flatten(p, "", bck_flat_cb, l);
		bck_created(json_object_get(p, "created"), buf, sizeof(buf));
		nv_add(l, "created", buf);
		bck_access_describe(json_object_get(p, "access"), buf, sizeof(buf));
		nv_add(l, "access", buf);
	}
	char bid[64];
	cli_out_scalar(json_object_get(p, "bid"), bid, sizeof(bid));
	nv_add(l, "present", bid[0] && strcmp(bid, "0") ? "yes" : "no");
	nv_sort(l);
}

/* ---------------- create / rm ---------------- */

/* --props: JSON, or space-separated KEY=VALUE pairs */
static json_t *bck_create_props(cli_ctx_t *c, const char *s)
{
	json_error_t jerr;
	if (s[0] == '{') {
		json_t *j = jsonx_loadb(s, strlen(s), &jerr);
		if (!j)
			cli_err(c, "invalid JSON in --props: %s", jerr.text);
		return j;
	}
	json_t *j = json_object();
	char *dup = strdup(s), *save = NULL;
	for (char *tok = strtok_r(dup, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			cli_err(c, "invalid property \"%s\" (expecting KEY=VALUE)", tok);
			json_decref(j);
			j = NULL;
			break;
		}
		*eq = '\0';
		bck_set_path(j, tok, bck_typed(eq + 1, NULL));
	}
	free(dup);
	return j;
}

int cli_bucket_create(cli_ctx_t *c)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing bucket name");
	json_t *props = NULL;
	const char *ps = cli_flag_str(c, "bprops", NULL);
	if (ps && !(props = bck_create_props(c, ps)))
		return 1;
	int rc = 0;
	for (int i = 0; i < c->nargs && !rc; i++) {
		cli_bck_t b;
		char cn[300];
		if ((rc = bck_arg(c, c->args[i], &b, NULL, 0)))
			break;
		if (!b.name[0]) {
			rc = cli_err(c, "missing bucket name in \"%s\"", c->args[i]);
			break;
		}
		cli_uri_cname(&b, NULL, cn, sizeof(cn));
		json_t *msg = json_pack("{s:s}", "action", "create-bck");
		if (props)
			json_object_set(msg, "value", props);
		char *body = jsonx_dumps(msg);
		json_decref(msg);
		sbuf_t p = SBUF_INIT, q = SBUF_INIT;
		cli_api_bck_path(&b, &p);
		cli_api_bck_query(&b, &q);
		cli_req_t r = {.method = "POST", .path = sbuf_str(&p), .query = sbuf_str(&q), .body = body,
			       .body_len = strlen(body), .fd = -1};
		if (cli_http_do(&c->http, &r)) {
			char m[1024];
			bool unreach;
			cli_req_errmsg(&r, m, sizeof(m), &unreach);
			if (r.status == 409) {
				if (cli_flag(c, "ignore-error"))
					printf("Bucket \"%s\" already exists\n", cn);
				else
					rc = cli_err(c, "Bucket \"%s\" already exists", cn);
			} else if (unreach) {
				rc = cli_api_fail(c, &r);
			} else {
				rc = cli_err(c, "failed to create \"%s\": %s", cn, m);
			}
		} else {
			printf("\"%s\" created\n", cn);
		}
		cli_req_fini(&r);
		sbuf_fini(&p);
		sbuf_fini(&q);
		free(body);
	}
	json_decref(props);
	return rc;
}

/* has at least one object? (-1: could not tell) */
static int bck_nonempty(cli_ctx_t *c, const cli_bck_t *b)
{
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_bck_path(b, &p);
	cli_api_bck_query(b, &q);
	const char *body = "{\"action\":\"list\",\"value\":{\"props\":\"name\",\"pagesize\":1,\"flags\":\"16\"}}";
	cli_req_t r = {.method = "GET", .path = sbuf_str(&p), .query = sbuf_str(&q), .body = body, .body_len = strlen(body),
		       .fd = -1, .timeout_ms = 30000};
	int rc = -1;
	if (!cli_http_do(&c->http, &r)) {
		json_error_t jerr;
		json_t *j = jsonx_loadb(r.resp.p ? r.resp.p : "", r.resp.len, &jerr);
		rc = json_array_size(json_object_get(j, "entries")) > 0;
		json_decref(j);
	}
	cli_req_fini(&r);
	sbuf_fini(&p);
	sbuf_fini(&q);
	return rc;
}

int cli_bucket_rm(cli_ctx_t *c)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing bucket name");
	int rc = 0;
	for (int i = 0; i < c->nargs && !rc; i++) {
		cli_bck_t b;
		char cn[300], prompt[400];
		if ((rc = bck_arg(c, c->args[i], &b, NULL, 0)))
			break;
		cli_uri_cname(&b, NULL, cn, sizeof(cn));
		if (!cli_flag(c, "yes") && c->in_tty && bck_nonempty(c, &b) == 1) {
			snprintf(prompt, sizeof(prompt), "Proceed to destroy %s?", cn);
			if (!cli_confirm(c, prompt))
				continue;
		}
		const char *body = "{\"action\":\"destroy-bck\"}";
		sbuf_t p = SBUF_INIT, q = SBUF_INIT;
		cli_api_bck_path(&b, &p);
		cli_api_bck_query(&b, &q);
		cli_req_t r = {.method = "DELETE", .path = sbuf_str(&p), .query = sbuf_str(&q), .body = body,
			       .body_len = strlen(body), .fd = -1};
		if (cli_http_do(&c->http, &r)) {
			if (r.status == 404 && cli_flag(c, "ignore-error"))
				;
			else if (r.status == 404)
				rc = cli_err(c, "bucket \"%s\" does not exist", cn);
			else
				rc = cli_api_fail(c, &r);
		} else {
			printf("\"%s\" destroyed\n", cn);
		}
		cli_req_fini(&r);
		sbuf_fini(&p);
		sbuf_fini(&q);
	}
	return rc;
}

/* ---------------- ls: buckets ---------------- */

static const char *bck_display_provider(const char *p)
{
	if (!strcmp(p, "ais"))
		return "AIS";
	if (!strcmp(p, "aws"))
		return "AWS";
	if (!strcmp(p, "gcp"))
		return "GCP";
	if (!strcmp(p, "azure"))
		return "Azure";
	if (!strcmp(p, "oci"))
		return "OCI";
	if (!strcmp(p, "ht"))
		return "HT";
	return p;
}

static int bck_ls_buckets(cli_ctx_t *c, const cli_bck_t *qb)
{
	sbuf_t q = SBUF_INIT;
	if (qb->provider[0] && strcmp(qb->provider, "") && qb->name[0] == '\0' && qb->provider[0])
		sbuf_addf(&q, "provider=%s", qb->provider);
	const char *body = "{\"action\":\"list\"}";
	cli_req_t r = {.method = "GET", .path = "/v1/buckets/", .query = sbuf_str(&q), .body = body,
		       .body_len = strlen(body), .fd = -1, .timeout_ms = 60000};
	int rc = cli_api_do(c, &r);
	json_t *arr = NULL;
	if (rc)
		goto out;
	json_error_t jerr;
	arr = jsonx_loadb(r.resp.p ? r.resp.p : "[]", r.resp.len ? r.resp.len : 2, &jerr);
	if (!json_is_array(arr)) {
		rc = cli_err(c, "list buckets: invalid response");
		goto out;
	}
	/* optional namespace filter from "ais://#ns" */
	if (cli_flag(c, "json")) {
		cli_out_json(c, arr);
		goto out;
	}
	if (!json_array_size(arr)) {
		if (qb->provider[0] && c->nargs > 0)
			printf("No \"%s://\" buckets in the cluster. Use '--all' option to list matching remote buckets, if any.\n",
			       qb->provider);
		else
			printf("No buckets in the cluster.\n");
		goto out;
	}
	static const char *const provs[] = {"ais", "aws", "gcp", "azure", "oci", "ht"};
	for (size_t pi = 0; pi < sizeof(provs) / sizeof(provs[0]); pi++) {
		sbuf_t t = SBUF_INIT;
		int cnt = 0;
		if (!cli_flag(c, "no-headers"))
			sbuf_adds(&t, "NAME\t PRESENT\n");
		size_t i;
		json_t *e;
		json_array_foreach(arr, i, e)
		{
			const char *p = json_string_value(json_object_get(e, "provider"));
			if (!p || strcmp(p, provs[pi]))
				continue;
			cli_bck_t b = {0};
			snprintf(b.provider, sizeof(b.provider), "%s", p);
			snprintf(b.name, sizeof(b.name), "%s", json_string_value(json_object_get(e, "name")) ?: "");
			json_t *ns = json_object_get(e, "namespace");
			snprintf(b.ns_uuid, sizeof(b.ns_uuid), "%s", json_string_value(json_object_get(ns, "uuid")) ?: "");
			snprintf(b.ns_name, sizeof(b.ns_name), "%s", json_string_value(json_object_get(ns, "name")) ?: "");
			if ((qb->ns_name[0] && strcmp(qb->ns_name, b.ns_name)) || (qb->ns_uuid[0] && strcmp(qb->ns_uuid, b.ns_uuid)))
				continue;
			char cn[300];
			sbuf_addf(&t, "%s\t %s\n", cli_uri_cname(&b, NULL, cn, sizeof(cn)), "yes");
			cnt++;
		}
		if (cnt) {
			cli_out_tab(c, sbuf_str(&t));
			if (!cli_flag(c, "no-footers")) {
				char foot[160], cb[200];
				snprintf(foot, sizeof(foot), "Total: [%s bucket%s: %d] ========", bck_display_provider(provs[pi]),
					 cnt == 1 ? "" : "s", cnt);
				printf("%s\n", cli_out_cyan(c, foot, cb, sizeof(cb)));
			}
			printf("\n");
		}
		sbuf_fini(&t);
	}
out:
	json_decref(arr);
	cli_req_fini(&r);
	sbuf_fini(&q);
	return rc;
}

/* ---------------- ls: objects ---------------- */

static const char *const ls_all_props[] = {"name", "size", "checksum", "atime", "version", "cached",
					  "status", "copies", "ec", "custom", "location", NULL};

static bool ls_known_prop(const char *p)
{
	for (int i = 0; ls_all_props[i]; i++)
		if (!strcmp(ls_all_props[i], p))
			return true;
	return !strcmp(p, "chunked");
}

/* one entry's value for a column */
static void ls_cell(cli_ctx_t *c, json_t *e, const char *prop, char *out, size_t cap)
{
	char v[1024];
	uint64_t fl = (uint64_t)json_integer_value(json_object_get(e, "flags"));
	if (!strcmp(prop, "name")) {
		size_t ind = fl & (1u << 7) && cap > 4 ? 4 : 0; /* archived files under their shard */
		memcpy(out, "    ", ind);
		cli_out_scalar(json_object_get(e, "name"), out + ind, cap - ind);
	} else if (!strcmp(prop, "size")) {
		if (fl & (1u << 8)) { /* a virtual directory */
			snprintf(out, cap, "%s", "");
			return;
		}
		cli_out_scalar(json_object_get(e, "size"), v, sizeof(v));
		cli_fmt_size(strtoll(v, NULL, 10), c->units, 2, out, cap);
	} else if (!strcmp(prop, "custom")) {
		cli_out_scalar(json_object_get(e, "custom-md"), v, sizeof(v));
		snprintf(out, cap, "%s", v[0] ? v : "-");
	} else if (!strcmp(prop, "copies")) {
		snprintf(out, cap, "%lld", (long long)json_integer_value(json_object_get(e, "copies")));
	} else if (!strcmp(prop, "status")) {
		int st = (int)(fl & 31);
		static const char *const sts[] = {"ok", "misplaced(cluster)", "misplaced(mountpath)", "replica",
						  "replica(object-is-missing)"};
		snprintf(out, cap, "%s", st < 5 ? sts[st] : "invalid");
	} else if (!strcmp(prop, "chunked")) {
		snprintf(out, cap, "%s", fl & (1u << 13) ? "yes" : "");
	} else if (!strcmp(prop, "cached")) {
		snprintf(out, cap, "%s", fl & (1u << 6) ? "yes" : "no");
	} else {
		cli_out_scalar(json_object_get(e, prop), out, cap);
	}
}

typedef struct {
	const char *cols[16];
	int ncols;
} ls_cols_t;

/* AIStore's LsoTemplate column order: props as given ("cached" and "status" moved to the end),
 * CHUNKED for --props all, STATUS last; "ec" has no column; CACHED only for remote buckets */
static void ls_columns(const char *props, bool all, bool remote, ls_cols_t *lc)
{
	static char buf[512];
	snprintf(buf, sizeof(buf), "%s", props);
	bool status = false, cached = false;
	lc->ncols = 0;
	char *save = NULL;
	for (char *p = strtok_r(buf, ",", &save); p && lc->ncols < 13; p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		cached |= !strcmp(p, "cached");
		if (!strcmp(p, "cached") || !strcmp(p, "ec"))
			continue;
		if (!strcmp(p, "status")) {
			status = true;
			continue;
		}
		lc->cols[lc->ncols++] = p;
	}
	if (all)
		lc->cols[lc->ncols++] = "chunked";
	if (cached && remote)
		lc->cols[lc->ncols++] = "cached";
	if (status)
		lc->cols[lc->ncols++] = "status";
}

static void ls_print(cli_ctx_t *c, json_t *entries, size_t from, size_t to, const ls_cols_t *lc, int npage)
{
	sbuf_t t = SBUF_INIT;
	if (!cli_flag(c, "no-headers")) {
		for (int i = 0; i < lc->ncols; i++) {
			for (const char *p = lc->cols[i]; *p; p++) {
				char ch = *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
				sbuf_add(&t, &ch, 1);
			}
			sbuf_adds(&t, "\t ");
		}
		sbuf_adds(&t, "\n");
	}
	for (size_t k = from; k < to; k++) {
		json_t *e = json_array_get(entries, k);
		for (int i = 0; i < lc->ncols; i++) {
			char v[1024];
			ls_cell(c, e, lc->cols[i], v, sizeof(v));
			sbuf_adds(&t, v);
			sbuf_adds(&t, "\t ");
		}
		sbuf_adds(&t, "\n");
	}
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
	size_t n = to - from;
	if (!cli_flag(c, "no-footers") && n > 10) {
		char num[32], pr[32], pb[64];
		if (npage > 0)
			snprintf(pr, sizeof(pr), "Page %d:", npage);
		else
			snprintf(pr, sizeof(pr), "Listed");
		printf("%s %s names\n", cli_out_blue(c, pr, pb, sizeof(pb)), cli_fmt_bigint((int64_t)n, num, sizeof(num)));
	}
}

static int bck_ls_objects(cli_ctx_t *c, const cli_bck_t *b, const char *uri_prefix)
{
	return cli_bucket_ls_objects(c, b, uri_prefix, cli_flag(c, "archive"));
}

int cli_bucket_ls_objects(cli_ctx_t *c, const cli_bck_t *b, const char *uri_prefix, bool arch)
{
	int64_t page_size, limit, max_pages;
	if (cli_flag_int(c, "page-size", 0, &page_size) || cli_flag_int(c, "limit", 0, &limit) ||
	    cli_flag_int(c, "max-pages", 0, &max_pages))
		return 1;
	const char *prefix = cli_flag_str(c, "prefix", uri_prefix);
	const char *pflag = cli_flag_str(c, "props", NULL);
	char props[512];
	bool all = false;
	uint64_t flags = 0;
	if (cli_flag(c, "name-only")) {
		snprintf(props, sizeof(props), "name");
		flags |= 1u << 4;
	} else if (!pflag) {
		snprintf(props, sizeof(props), "name,size");
	} else if (strstr(pflag, "all")) {
		snprintf(props, sizeof(props), "name,size,checksum,atime,version,cached,status,copies,ec,custom,location");
		all = true;
	} else {
		/* name first, then the requested ones (deduplicated) */
		snprintf(props, sizeof(props), "name");
		char buf[512];
		snprintf(buf, sizeof(buf), "%s", pflag);
		char *save = NULL;
		for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			while (*p == ' ')
				p++;
			if (!ls_known_prop(p))
				return cli_err(c,
					       "unknown object property \"%s\" (expecting one of: name, size, checksum, atime, "
					       "version, cached, status, copies, custom, location)",
					       p);
			char probe[80];
			snprintf(probe, sizeof(probe), ",%s,", p);
			char cur[520];
			snprintf(cur, sizeof(cur), ",%s,", props);
			if (!strstr(cur, probe))
				snprintf(props + strlen(props), sizeof(props) - strlen(props), ",%s", p);
		}
	}
	if (arch)
		flags |= 1u << 3; /* LsArchDir */
	bool remote = (b->provider[0] && strcmp(b->provider, "ais")) || b->ns_uuid[0];
	if (remote && !pflag && !cli_flag(c, "name-only"))
		snprintf(props, sizeof(props), "name,size,cached"); /* AIStore's default for remote buckets */
	if (cli_flag(c, "cached"))
		flags |= 1u; /* apc.LsCached */
	ls_cols_t lc;
	ls_columns(props, all, remote && !cli_flag(c, "cached"), &lc);
	sbuf_t path = SBUF_INIT, q = SBUF_INIT;
	cli_api_bck_path(b, &path);
	cli_api_bck_query(b, &q);
	json_t *acc = json_array();
	char token[1024] = "", uuid[128] = "";
	int rc = 0, npage = 0;
	bool paged = cli_flag(c, "paged");
	size_t shown = 0;
	for (;;) {
		json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "uuid", uuid, "props", props, "prefix",
				      prefix ? prefix : "", "continuation_token", token, "flags", "0", "pagesize",
				      (json_int_t)page_size);
		char fl[32];
		snprintf(fl, sizeof(fl), "%llu", (unsigned long long)flags);
		json_object_set_new(v, "flags", json_string(fl));
		const char *sa = cli_flag_str(c, "start-after", NULL);
		if (sa)
			json_object_set_new(v, "start_after", json_string(sa));
		json_t *msg = json_pack("{s:s, s:o}", "action", "list", "value", v);
		char *body = jsonx_dumps(msg);
		json_decref(msg);
		cli_req_t r = {.method = "GET", .path = sbuf_str(&path), .query = sbuf_str(&q), .body = body,
			       .body_len = strlen(body), .fd = -1, .timeout_ms = 300000};
		rc = cli_api_do(c, &r);
		free(body);
		json_t *page = NULL;
		if (!rc) {
			json_error_t jerr;
			page = jsonx_loadb(r.resp.p ? r.resp.p : "", r.resp.len, &jerr);
			if (!page)
				rc = cli_err(c, "list-objects: invalid response: %s", jerr.text);
		}
		cli_req_fini(&r);
		if (rc) {
			json_decref(page);
			break;
		}
		json_t *ents = json_object_get(page, "entries");
		snprintf(token, sizeof(token), "%s", json_string_value(json_object_get(page, "continuation_token")) ?: "");
		snprintf(uuid, sizeof(uuid), "%s", json_string_value(json_object_get(page, "uuid")) ?: uuid);
		size_t n = json_array_size(ents);
		if (limit > 0 && shown + n > (size_t)limit)
			n = (size_t)limit - shown;
		if (paged) {
			npage++;
			json_t *slice = json_array();
			for (size_t k = 0; k < n; k++)
				json_array_append(slice, json_array_get(ents, k));
			if (cli_flag(c, "json"))
				cli_out_json(c, slice);
			else
				ls_print(c, slice, 0, n, &lc, npage);
			json_decref(slice);
		} else {
			for (size_t k = 0; k < n; k++)
				json_array_append(acc, json_array_get(ents, k));
		}
		shown += n;
		json_decref(page);
		if (!token[0] || (limit > 0 && shown >= (size_t)limit) || (paged && max_pages > 0 && npage >= max_pages))
			break;
	}
	if (!rc && !paged) {
		char cn[600];
		if (cli_flag(c, "json")) {
			cli_out_json(c, acc);
		} else if (!json_array_size(acc)) {
			if (prefix && *prefix)
				rc = cli_err(c, "%s not found", cli_uri_cname(b, prefix, cn, sizeof(cn)));
			else
				printf("No objects in %s\n", cli_uri_cname(b, NULL, cn, sizeof(cn)));
		} else {
			ls_print(c, acc, 0, json_array_size(acc), &lc, 0);
		}
	}
	json_decref(acc);
	sbuf_fini(&path);
	sbuf_fini(&q);
	return rc;
}

int cli_bucket_ls(cli_ctx_t *c)
{
	cli_bck_t b = {0};
	char prefix[1024] = "";
	if (c->nargs > 1)
		return cli_args_usage_err(c, "too many arguments");
	if (c->nargs == 1 && bck_arg(c, c->args[0], &b, prefix, sizeof(prefix)))
		return 1;
	if (!b.name[0])
		return bck_ls_buckets(c, &b);
	return bck_ls_objects(c, &b, prefix);
}

/* ---------------- props ---------------- */

static void bck_print_props(cli_ctx_t *c, const nvlist_t *l, const char *section)
{
	sbuf_t t = SBUF_INIT;
	if (!cli_flag(c, "no-headers"))
		sbuf_adds(&t, "PROPERTY\t VALUE\n");
	for (int i = 0; i < l->n; i++) {
		size_t sl = section ? strlen(section) : 0;
		if (section && strcmp(l->names[i], section) && !(strncmp(l->names[i], section, sl) == 0 && l->names[i][sl] == '.'))
			continue;
		sbuf_addf(&t, "%s\t %s\n", l->names[i], l->vals[i]);
	}
	cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
}

int cli_bucket_props_show(cli_ctx_t *c)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing bucket name");
	if (c->nargs > 2)
		return cli_args_usage_err(c, "too many arguments");
	cli_bck_t b;
	if (bck_arg(c, c->args[0], &b, NULL, 0))
		return 1;
	json_t *props = NULL;
	if (cli_api_head_bck(c, &b, &props))
		return 1;
	const char *section = c->nargs > 1 ? c->args[1] : NULL;
	int rc = 0;
	if (cli_flag(c, "json")) {
		if (section) {
			json_t *s = cli_out_path(props, section);
			if (!s) {
				rc = cli_err(c, "section \"%s\" not found (try 'ais bucket props show %s --json')", section,
					     c->args[0]);
			} else {
				json_t *o = json_object();
				json_object_set(o, section, s);
				cli_out_json(c, o);
				json_decref(o);
			}
		} else {
			cli_out_json(c, props);
		}
	} else {
		nvlist_t l = {0};
		bck_prop_list(props, cli_flag(c, "compact"), &l);
		bool any = !section;
		for (int i = 0; section && i < l.n; i++)
			if (!strcmp(l.names[i], section) || (!strncmp(l.names[i], section, strlen(section)) &&
							      l.names[i][strlen(section)] == '.'))
				any = true;
		if (!any)
			cli_note(c, "no non-default values in section \"%s\"; try '--json' to see all supported properties",
				 section);
		else
			bck_print_props(c, &l, section);
		nv_fini(&l);
	}
	json_decref(props);
	return rc;
}

static const char *bck_access_alias(const char *v)
{
	if (!strcmp(v, "ro"))
		return "771"; /* GET | HEAD-OBJECT | HEAD-BUCKET | LIST-OBJECTS */
	if (!strcmp(v, "rw"))
		return "895"; /* ro | PUT | APPEND | DELETE-OBJECT | MOVE-OBJECT | PROMOTE */
	if (!strcmp(v, "su"))
		return "18446744073709551615";
	return v;
}

static int bck_patch(cli_ctx_t *c, const cli_bck_t *b, json_t *msg)
{
	char *body = jsonx_dumps(msg);
	sbuf_t p = SBUF_INIT, q = SBUF_INIT;
	cli_api_bck_path(b, &p);
	cli_api_bck_query(b, &q);
	cli_req_t r = {.method = "PATCH", .path = sbuf_str(&p), .query = sbuf_str(&q), .body = body,
		       .body_len = strlen(body), .fd = -1};
	int rc = cli_api_do(c, &r);
	cli_req_fini(&r);
	sbuf_fini(&p);
	sbuf_fini(&q);
	free(body);
	return rc;
}

int cli_bucket_props_set(cli_ctx_t *c)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing bucket name");
	cli_bck_t b;
	char cn[300];
	if (bck_arg(c, c->args[0], &b, NULL, 0))
		return 1;
	cli_uri_cname(&b, NULL, cn, sizeof(cn));
	if (c->nargs < 2)
		return cli_args_usage_err(c, "missing property key-value pairs");
	json_t *cur = NULL, *val = NULL, *after = NULL;
	int rc = cli_api_head_bck(c, &b, &cur);
	if (rc)
		return rc;
	if (c->nargs == 2 && c->args[1][0] == '{') {
		json_error_t jerr;
		val = jsonx_loadb(c->args[1], strlen(c->args[1]), &jerr);
		if (!json_is_object(val)) {
			rc = cli_err(c, "invalid JSON: %s", jerr.text);
			goto out;
		}
	} else {
		val = json_object();
		for (int i = 1; i < c->nargs; i++) {
			char key[256];
			const char *v;
			if (!cli_args_kv(c, &i, true, key, sizeof(key), &v)) {
				rc = cli_err(c, "invalid property \"%s\" (expecting KEY=VALUE pairs)", c->args[i]);
				goto out;
			}
			if (!strcmp(key, "provider") || !strcmp(key, "bid") || !strcmp(key, "created")) {
				rc = cli_err(c, "property \"%s\" is readonly", key);
				goto out;
			}
			json_t *like = cli_out_path(cur, key);
			if (!like || json_is_object(like)) {
				rc = cli_err(c, "unknown property \"%s\"", key);
				goto out;
			}
			if (!strcmp(key, "access"))
				v = bck_access_alias(v);
			json_t *tv = bck_typed(v, like);
			if (!tv) {
				rc = cli_err(c, "invalid value \"%s\" for property \"%s\"", v, key);
				goto out;
			}
			bck_set_path(val, key, tv);
		}
	}
	/* nothing to change? */
	{
		json_t *merged = json_deep_copy(cur);
		json_t *stack[2] = {merged, val};
		(void)stack;
		nvlist_t a = {0}, m = {0};
		bck_prop_list(cur, false, &a);
		/* apply val onto merged (recursively) */
		const char *k;
		json_t *vv;
		json_object_foreach(val, k, vv)
		{
			json_t *dst = json_object_get(merged, k);
			if (json_is_object(dst) && json_is_object(vv))
				json_object_update_recursive(dst, vv);
			else
				json_object_set(merged, k, vv);
		}
		bck_prop_list(merged, false, &m);
		bool same = true;
		for (int i = 0; i < m.n && same; i++) {
			const char *o = nv_get(&a, m.names[i]);
			same = o && !strcmp(o, m.vals[i]);
		}
		nv_fini(&a);
		nv_fini(&m);
		json_decref(merged);
		if (same) {
			if (c->nargs == 2 && c->args[1][0] != '{')
				printf("Bucket \"%s\": property \"%s\", nothing to do\n", cn, c->args[1]);
			else
				printf("Bucket \"%s\" already has the same values of props, nothing to do\n", cn);
			goto out;
		}
	}
	json_t *msg = json_pack("{s:s, s:O}", "action", "set-bprops", "value", val);
	rc = bck_patch(c, &b, msg);
	json_decref(msg);
	if (rc)
		goto out;
	if (cli_api_head_bck(c, &b, &after)) {
		rc = 1;
		goto out;
	}
	nvlist_t ol = {0}, nl = {0};
	bck_prop_list(cur, false, &ol);
	bck_prop_list(after, false, &nl);
	for (int i = 0; i < nl.n; i++) {
		const char *o = nv_get(&ol, nl.names[i]);
		if (o && strcmp(o, nl.vals[i]))
			printf("\"%s\" set to: \"%s\" (was: \"%s\")\n", nl.names[i], nl.vals[i], o);
		else if (!o && nl.vals[i][0])
			printf("\"%s\" set to: \"%s\" (was: n/a)\n", nl.names[i], nl.vals[i]);
	}
	nv_fini(&ol);
	nv_fini(&nl);
	printf("\nBucket props successfully updated.\n");
out:
	json_decref(cur);
	json_decref(val);
	json_decref(after);
	return rc;
}

int cli_bucket_props_reset(cli_ctx_t *c)
{
	if (c->nargs != 1)
		return cli_args_usage_err(c, "expecting one bucket");
	cli_bck_t b;
	if (bck_arg(c, c->args[0], &b, NULL, 0))
		return 1;
	json_t *msg = json_pack("{s:s}", "action", "reset-bprops");
	int rc = bck_patch(c, &b, msg);
	json_decref(msg);
	if (!rc)
		printf("Bucket props successfully reset to cluster defaults\n");
	return rc;
}
