/* cli_config: `ais config cluster [SECTION | KEY=VALUE...]`, `ais config node NODE_ID
 * [inherited|local] [SECTION | KEY=VALUE...]`, `ais config show` / `ais show config`.
 * Showing flattens the node's JSON configuration into "section.name  value" rows (PROPERTY
 * VALUE table, JSON order); setting uses AIStore's query form: PUT /v1/cluster/set-config?k=v
 * (cluster-wide, via the endpoint) and PUT <node>/v1/daemon/set-config?k=v (one node, sent to
 * the node's own public URL). `show` and `set` verbs are accepted as well. */
#include "cli/cli.h"
#include "core/jsonx.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	sbuf_t *t;
	const char *section;
	const json_t *other; /* for node views: the cluster config (inherited vs local split) */
	int mode;            /* 0 all, 1 inherited only, 2 local only */
	int rows;
} cfg_show_t;

static void cfg_row_cb(const char *name, const char *value, void *arg)
{
	cfg_show_t *s = arg;
	size_t sl = s->section ? strlen(s->section) : 0;
	if (s->section && strcmp(name, s->section) && !(strncmp(name, s->section, sl) == 0 && name[sl] == '.'))
		return;
	if (s->other && s->mode) {
		bool inherited = cli_out_path(s->other, name) != NULL;
		if ((s->mode == 1) != inherited)
			return;
	}
	sbuf_addf(s->t, "%s\t %s\n", name, value);
	s->rows++;
}

/* print the (section of the) config as a PROPERTY/VALUE table or JSON; 1 when the section is unknown */
static int cfg_print(cli_ctx_t *c, const json_t *cfg, const char *section, const json_t *other, int mode)
{
	if (cli_flag(c, "json")) {
		if (!section) {
			cli_out_json(c, cfg);
			return 0;
		}
		json_t *s = cli_out_path(cfg, section);
		if (!s)
			return cli_err(c, "config section (or property) \"%s\" not found", section);
		json_t *o = json_object();
		json_object_set(o, section, s);
		cli_out_json(c, o);
		json_decref(o);
		return 0;
	}
	sbuf_t t = SBUF_INIT;
	if (!cli_flag(c, "no-headers"))
		sbuf_adds(&t, "PROPERTY\t VALUE\n");
	cfg_show_t s = {.t = &t, .section = section, .other = other, .mode = mode};
	cli_out_flatten(cfg, "", cfg_row_cb, &s);
	int rc = 0;
	if (!s.rows && section)
		rc = cli_err(c, "config section (or property) \"%s\" not found", section);
	else
		cli_out_tab(c, sbuf_str(&t));
	sbuf_fini(&t);
	return rc;
}

/* KEY=VALUE or KEY VALUE pairs from args[from..] into a query string; validates names against cfg */
static int cfg_pairs(cli_ctx_t *c, int from, const json_t *cfg, sbuf_t *q, json_t *shown, const char *examples)
{
	for (int i = from; i < c->nargs; i++) {
		char key[256];
		const char *v;
		if (!cli_args_kv(c, &i, false, key, sizeof(key), &v))
			return cli_err(c, "invalid key-value pair \"%s\"%s", c->args[i], examples);
		json_t *cur = cli_out_path(cfg, key);
		if (!cur || json_is_object(cur))
			return cli_err(c, "invalid property name \"%s\"%s", key, examples);
		char *ek = url_encode(key, false), *ev = url_encode(v, false);
		sbuf_addf(q, "%s%s=%s", q->len ? "&" : "", ek ? ek : "", ev ? ev : "");
		free(ek);
		free(ev);
		json_object_set_new(shown, key, json_string(v));
	}
	if (cli_flag(c, "transient"))
		sbuf_addf(q, "%stransient=true", q->len ? "&" : "");
	return 0;
}

/* the KEY=VALUE pairs of args[from..] (new values into shown) PUT to base (NULL: the proxy) + path */
static int cfg_set(cli_ctx_t *c, int from, const json_t *cfg, const char *base, const char *path, json_t *shown,
		   const char *examples)
{
	sbuf_t q = SBUF_INIT;
	int rc = cfg_pairs(c, from, cfg, &q, shown, examples);
	if (!rc) {
		cli_req_t r = {.method = "PUT", .base = base, .path = path, .query = sbuf_str(&q), .fd = -1,
			       .timeout_ms = 60000};
		rc = cli_api_do(c, &r);
		cli_req_fini(&r);
	}
	sbuf_fini(&q);
	return rc;
}

static bool cfg_is_pair(const cli_ctx_t *c, int i, const json_t *cfg)
{
	if (i >= c->nargs)
		return false;
	if (strchr(c->args[i], '='))
		return true;
	json_t *v = cli_out_path(cfg, c->args[i]);
	return v && !json_is_object(v) && i + 1 < c->nargs;
}

#define EX_CLU "\n(e.g.: 'ais config cluster log.level=4', 'ais config cluster checksum.type md5')"
#define EX_NODE "\n(e.g.: 'ais config node NODE_ID log.level=4')"

int cli_config_cluster(cli_ctx_t *c)
{
	int first = 0;
	bool set_verb = false;
	if (c->nargs && !strcmp(c->args[0], "show"))
		first = 1;
	else if (c->nargs && !strcmp(c->args[0], "set"))
		first = 1, set_verb = true;
	json_t *cfg = cli_api_get_json(c, NULL, "/v1/cluster", "what=config", false);
	if (!cfg)
		return 1;
	int rc = 0;
	if (!cfg_is_pair(c, first, cfg) && !set_verb) {
		if (c->nargs - first > 1)
			rc = cli_args_usage_err(c, "expecting [SECTION] or KEY=VALUE pairs");
		else
			rc = cfg_print(c, cfg, c->nargs > first ? c->args[first] : NULL, NULL, 0);
		json_decref(cfg);
		return rc;
	}
	if (first >= c->nargs) {
		json_decref(cfg);
		return cli_args_usage_err(c, "missing KEY=VALUE pairs");
	}
	json_t *shown = json_object();
	rc = cfg_set(c, first, cfg, NULL, "/v1/cluster/set-config", shown, EX_CLU);
	if (!rc) {
		json_t *after = cli_api_get_json(c, NULL, "/v1/cluster", "what=config", false);
		/* show each updated section once */
		char done[32][64];
		int nd = 0;
		const char *k;
		json_t *v;
		json_object_foreach(shown, k, v)
		{
			char sec[64];
			snprintf(sec, sizeof(sec), "%.*s", (int)strcspn(k, "."), k);
			bool seen = false;
			for (int i = 0; i < nd && !seen; i++)
				seen = !strcmp(done[i], sec);
			if (seen || nd >= 32)
				continue;
			snprintf(done[nd++], sizeof(done[0]), "%s", sec);
			if (after && !cli_flag(c, "json"))
				cfg_print(c, after, sec, NULL, 0);
		}
		printf("\nCluster config updated\n");
		json_decref(after);
	}
	json_decref(shown);
	json_decref(cfg);
	return rc;
}

/* the node (by ID) and its config */
static json_t *cfg_node(cli_ctx_t *c, const char *id, char *sname, size_t cap, char *url, size_t ucap)
{
	json_t *smap = cli_api_smap(c);
	if (!smap)
		return NULL;
	bool isp = false;
	json_t *sn = cli_api_smap_node(smap, id, &isp), *cfg = NULL;
	if (!sn) {
		cli_err(c, "node \"%s\" does not exist (see 'ais show cluster')", id);
	} else {
		cli_api_sname(json_string_value(json_object_get(sn, "daemon_id")) ?: id, isp, sname, cap);
		snprintf(url, ucap, "%s", cli_api_node_url(sn));
		cfg = cli_api_get_json(c, url, "/v1/daemon", "what=config", false);
	}
	json_decref(smap);
	return cfg;
}

static int cfg_show_node(cli_ctx_t *c, const char *id, int argi)
{
	char sname[128], url[256];
	json_t *cfg = cfg_node(c, id, sname, sizeof(sname), url, sizeof(url));
	if (!cfg)
		return 1;
	int mode = 0;
	if (argi < c->nargs && !strcmp(c->args[argi], "inherited"))
		mode = 1, argi++;
	else if (argi < c->nargs && !strcmp(c->args[argi], "local"))
		mode = 2, argi++;
	json_t *clu = mode ? cli_api_get_json(c, NULL, "/v1/cluster", "what=config", false) : NULL;
	int rc = mode && !clu ? 1 : cfg_print(c, cfg, argi < c->nargs ? c->args[argi] : NULL, clu, mode);
	json_decref(clu);
	json_decref(cfg);
	return rc;
}

int cli_config_node(cli_ctx_t *c)
{
	if (c->nargs < 1)
		return cli_args_usage_err(c, "missing NODE_ID");
	int argi = 1;
	if (argi < c->nargs && (!strcmp(c->args[argi], "show")))
		argi++;
	bool set_verb = argi < c->nargs && !strcmp(c->args[argi], "set");
	if (set_verb)
		argi++;
	char sname[128], url[256];
	json_t *cfg = cfg_node(c, c->args[0], sname, sizeof(sname), url, sizeof(url));
	if (!cfg)
		return 1;
	int rc = 0;
	if (!set_verb && !cfg_is_pair(c, argi, cfg)) {
		json_decref(cfg);
		return cfg_show_node(c, c->args[0], argi);
	}
	if (argi < c->nargs && !strcmp(c->args[argi], "local")) {
		json_decref(cfg);
		return cli_err(c, "local configuration cannot be updated at runtime (edit the node's local config and restart it)");
	}
	json_t *shown = json_object();
	rc = cfg_set(c, argi, cfg, url, "/v1/daemon/set-config", shown, EX_NODE);
	if (!rc) {
		cli_out_json(c, shown);
		printf("\nnode %s config updated\n", sname);
	}
	json_decref(shown);
	json_decref(cfg);
	return rc;
}

int cli_config_show(cli_ctx_t *c)
{
	if (c->nargs < 1 || !strcmp(c->args[0], "cluster")) {
		json_t *cfg = cli_api_get_json(c, NULL, "/v1/cluster", "what=config", false);
		if (!cfg)
			return 1;
		int rc = cfg_print(c, cfg, c->nargs > 1 ? c->args[1] : NULL, NULL, 0);
		json_decref(cfg);
		return rc;
	}
	if (!strcmp(c->args[0], "cli"))
		return cli_err(c, "this CLI keeps no configuration file: it uses AIS_ENDPOINT (default %s)", CLI_DEFAULT_ENDPOINT);
	return cfg_show_node(c, c->args[0], 1);
}

/* `ais show cluster config [NODE_ID] [SECTION]` */
int cli_show_config(cli_ctx_t *c)
{
	if (c->nargs > 0 && strcmp(c->args[0], "cluster")) {
		json_t *smap = cli_api_smap(c);
		if (!smap)
			return 1;
		bool isp;
		bool node = cli_api_smap_node(smap, c->args[0], &isp) != NULL;
		json_decref(smap);
		if (node)
			return cfg_show_node(c, c->args[0], 1);
		json_t *cfg = cli_api_get_json(c, NULL, "/v1/cluster", "what=config", false);
		if (!cfg)
			return 1;
		int rc = cfg_print(c, cfg, c->args[0], NULL, 0);
		json_decref(cfg);
		return rc;
	}
	return cli_config_show(c);
}
