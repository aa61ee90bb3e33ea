/* pshard: the proxy's bucket actions on shards, each a job on the targets (AIStore 4.7):
 *   POST /v1/buckets/<b> {"action":"index-shard","value":IndexShardMsg}   ais://.sys-shardidx is
 *       created when missing, then x-index-shard starts on every target; answers the job ID
 *   GET  /v1/buckets/<b> {"action":"summary-shard","value":ShardSummMsg}  (AIStore's bsumm
 *       protocol) without a uuid: x-summary-shard starts on every target, 202 with the uuid;
 *       with it: 202 while any target runs, else 200 with the summed ShardSummResult
 *   PUT  /v1/buckets/<b> {"action":"archive","value":ArchiveBckMsg}   x-archive on the target
 *       that owns the destination shard (it pulls the sources; see xs_archive.c); answers the ID
 * Starting a job: one parallel round of PUT /v1/xactions {"action":"start","value":ArgsMsg,
 * "ext":<the kind's message>} (target/txact.c); a target that refuses stops the others and its
 * error is relayed; a status listener (xact_nl) follows the job for `ais job wait`.
 * Primary only (others forward to it). Runs on the pool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "archive/arch_mime.h"
#include "cluster/bmd.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/err.h"
#include "core/hrw.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/hclient.h"
#include "proxy/pbcast.h"
#include "proxy/proxy.h"
#include "xact/xact.h"
#include "xact/xact_nl.h"
#include "xact/xact_wire.h"
#include "xact/xs.h"

static int pshard_timeout_ms(void) { return pbcast_timeout_ms(2000); }

/* the active targets (or just tid) */
static int pshard_bc_init(pbcast_t *bc, const char *tid)
{
	return pbcast_init(bc, tid, SNODE_ID_MAX, tid ? 1 : 0, false);
}

static void pshard_xbck(const pbck_t *b, xact_bck_t *xb)
{
	memset(xb, 0, sizeof(*xb));
	snprintf(xb->provider, sizeof(xb->provider), "%s", b->provider);
	snprintf(xb->ns, sizeof(xb->ns), "%s", b->ns);
	snprintf(xb->name, sizeof(xb->name), "%s", b->name);
}

static char *pshard_msg(const char *action, const char *kind, const char *id, const pbck_t *b, json_t *ext)
{
	xact_args_t a;
	memset(&a, 0, sizeof(a));
	snprintf(a.id, sizeof(a.id), "%s", id);
	snprintf(a.kind, sizeof(a.kind), "%s", kind);
	pshard_xbck(b, &a.bck);
	json_t *m = json_pack("{s:s, s:o, s:O?}", "action", action, "value", xact_wire_args_json(&a), "ext", ext);
	char *s = m ? jsonx_dumps(m) : NULL;
	json_decref(m);
	return s;
}

int pshard_start(http_req_t *r, const char *kind, const pbck_t *b, json_t *ext, const char *tid, char *id)
{
	pbcast_t bc;
	if (!id[0])
		xact_gen_id(id);
	char *body = pshard_msg("start", kind, id, b, ext);
	if (!body || pshard_bc_init(&bc, tid)) {
		free(body);
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return AIS_ENOMEM;
	}
	if (!bc.n) {
		pbcast_fini(&bc);
		free(body);
		http_error(r, 503, NULL, "no storage targets in the cluster (%s)", node_name());
		return AIS_EUNAVAIL;
	}
	pbcast_run(&bc, "PUT", "/v1/xactions", body, strlen(body), pshard_timeout_ms());
	free(body);
	int bad = -1, nok = 0;
	const char *srcs[256];
	for (int i = 0; i < bc.n; i++) {
		if (bc.q[i].rc || bc.q[i].status != 200)
			bad = bad < 0 ? i : bad;
		else if (nok < 256)
			srcs[nok++] = bc.tid[i];
	}
	if (bad >= 0) {
		pbcast_relay_err(r, &bc, bad);
		char *stop = pshard_msg("stop", kind, id, b, NULL);
		pbcast_t sb;
		for (int i = 0; stop && i < nok; i++) { /* nothing partial keeps running */
			if (pshard_bc_init(&sb, srcs[i]) == 0) {
				pbcast_run(&sb, "PUT", "/v1/xactions", stop, strlen(stop), pshard_timeout_ms());
				pbcast_fini(&sb);
			}
		}
		free(stop);
		pbcast_fini(&bc);
		return AIS_EINVAL;
	}
	xact_bck_t xb;
	pshard_xbck(b, &xb);
	if (xact_nl_add(id, kind, &xb, srcs, nok))
		log_warn("x-%s[%s]: no status listener", kind, id);
	log_info("x-%s[%s] started on %d target(s)", kind, id, nok);
	pbcast_fini(&bc);
	return 0;
}

/* ---------------------------------------------------------------- index-shard */

static bool pshard_bck_exists(const pbck_t *b)
{
	bmd_t *m = bmd_get();
	bool ok = m && bmd_find(m, b->provider, b->ns, b->name);
	bmd_put(m);
	return ok;
}

static int pshard_need(http_req_t *r, const pbck_t *b)
{
	if (!node_is_primary()) {
		pfwd_to_primary(r);
		return AIS_EAGAIN;
	}
	if (!pshard_bck_exists(b)) {
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", b->provider, b->name);
		return AIS_ENOBUCKET;
	}
	return 0;
}

void pshard_index(http_req_t *r, const pbck_t *b, json_t *msg)
{
	char prefix[1024], err[512], id[XACT_ID_MAX] = "";
	int nw;
	bool sv;
	json_t *v = json_object_get(msg, "value");
	if (pshard_need(r, b))
		return;
	if (xs_shardidx_msg(v, prefix, sizeof(prefix), &nw, &sv, err, sizeof(err))) {
		http_error(r, 400, NULL, "%s", err);
		return;
	}
	pbck_t sys = {.provider = "ais", .name = BCK_SYS_SHARDIDX};
	int rc = pbck_create(&sys, NULL, err, sizeof(err));
	if (rc && rc != AIS_EEXIST) {
		http_error_code(r, rc, "failed to create ais://%s: %s", BCK_SYS_SHARDIDX, err);
		return;
	}
	if (pshard_start(r, "index-shard", b, v, NULL, id))
		return;
	http_respond(r, 200, "text/plain", id, strlen(id));
}

/* ---------------------------------------------------------------- summary-shard */

static int pshard_summ_add(json_t *sum, const hreq_t *q)
{
	static const char *const keys[] = {"tar-objs", "tar-size", "shards", "shard-size", "archived-objs",
					   "stale-indexes", "invalid-indexes", NULL};
	json_error_t je;
	json_t *j = jsonx_loadb(q->resp.p ? q->resp.p : "", q->resp.len, &je);
	if (!json_is_object(j)) {
		json_decref(j);
		return AIS_EINVAL;
	}
	for (int i = 0; keys[i]; i++) {
		int64_t a = 0, v = 0;
		parse_i64(jsonx_str(sum, keys[i], "0"), &a);
		parse_i64(jsonx_str(j, keys[i], "0"), &v);
		char s[32];
		snprintf(s, sizeof(s), "%lld", (long long)(a + v));
		json_object_set_new(sum, keys[i], json_string(s));
	}
	json_decref(j);
	return 0;
}

static void pshard_summ_query(http_req_t *r, const char *uuid)
{
	pbcast_t bc;
	char *u = url_encode(uuid, false);
	sbuf_t path = SBUF_INIT;
	sbuf_addf(&path, "/v1/xactions?what=shard-summ&uuid=%s", u ? u : "");
	free(u);
	if (pshard_bc_init(&bc, NULL)) {
		sbuf_fini(&path);
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	pbcast_run(&bc, "GET", sbuf_str(&path), NULL, 0, pshard_timeout_ms());
	json_t *sum = json_object();
	int busy = 0, bad = -1;
	for (int i = 0; i < bc.n; i++) {
		if (bc.q[i].rc || (bc.q[i].status != 200 && bc.q[i].status != 202))
			bad = bad < 0 ? i : bad;
		else if (bc.q[i].status == 202)
			busy++;
		else if (pshard_summ_add(sum, &bc.q[i]))
			bad = bad < 0 ? i : bad;
	}
	if (bad >= 0) {
		pbcast_relay_err(r, &bc, bad);
	} else if (busy) {
		http_respond(r, 202, "text/plain", uuid, strlen(uuid));
	} else {
		char *s = jsonx_dumps(sum);
		http_respond(r, 200, "application/json", s, s ? strlen(s) : 0);
		free(s);
	}
	json_decref(sum);
	pbcast_fini(&bc);
	sbuf_fini(&path);
}

void pshard_summary(http_req_t *r, const pbck_t *b, json_t *msg)
{
	static const char *const keys[] = {"uuid", "prefix", NULL};
	json_t *v = json_object_get(msg, "value");
	if (pshard_need(r, b))
		return;
	const char *bad = v && !json_is_null(v) ? (json_is_object(v) ? jsonx_unknown_key(v, keys) : "(not an object)") : NULL;
	json_t *u = v ? json_object_get(v, "uuid") : NULL, *p = v ? json_object_get(v, "prefix") : NULL;
	if (bad || (u && !json_is_string(u)) || (p && !json_is_string(p))) {
		http_error(r, 400, NULL, "invalid shard-summary message: %s%s", bad ? "unknown field " : "wrong field type",
			   bad ? bad : "");
		return;
	}
	const char *uuid = u ? json_string_value(u) : "";
	if (*uuid) {
		if (!xact_id_valid(uuid)) {
			http_error(r, 400, NULL, "invalid xaction (job) UUID \"%s\"", uuid);
			return;
		}
		pshard_summ_query(r, uuid);
		return;
	}
	char id[XACT_ID_MAX] = "";
	if (pshard_start(r, "summary-shard", b, v, NULL, id))
		return;
	http_respond(r, 202, "text/plain", id, strlen(id));
}

/* ---------------------------------------------------------------- archive */

void pshard_archive(http_req_t *r, const pbck_t *b, json_t *msg)
{
	static const char *const keys[] = {"tobck", "archname", "mime", "template", "objnames", "bnonly", "isbn",
					   "aate", "coer", "non-recurs", NULL};
	json_t *v = json_object_get(msg, "value");
	char err[512];
	if (pshard_need(r, b))
		return;
	const char *bad = json_is_object(v) ? jsonx_unknown_key(v, keys) : "(value: not an object)";
	if (bad) {
		http_error(r, 400, NULL, "failed to unmarshal archive message: unknown field %s", bad);
		return;
	}
	const char *archname = jsonx_str(v, "archname", ""), *mime = jsonx_str(v, "mime", "");
	arch_fmt_t fe = arch_mime_by_ext(archname), fm;
	if (fe == ARCH_NONE) { /* AIStore's archive.Strict: the standard extensions only */
		http_error(r, 400, NULL, "unknown filename extension (\"%s\"): expecting one of .tar, .tgz, .tar.gz, .zip, .tar.lz4",
			   archname);
		return;
	}
	if (*mime && (arch_mime_norm(mime, &fm) || fm != fe)) {
		http_error(r, 400, NULL, "mime mismatch \"%s\" vs \"%s\"", mime, arch_mime_ext(fe));
		return;
	}
	/* destination: tobck, default the source; its owner of archname runs the job */
	pbck_t to = *b;
	json_t *tb = json_object_get(v, "tobck");
	if (json_is_object(tb) && *jsonx_str(tb, "name", "")) {
		xact_bck_t xb;
		if (xact_wire_bck_parse(tb, &xb, err, sizeof(err))) {
			http_error(r, 400, NULL, "invalid tobck: %s", err);
			return;
		}
		if (strlen(xb.name) >= sizeof(to.name) || strlen(xb.ns) >= sizeof(to.ns)) {
			http_error(r, 400, NULL, "invalid tobck: name too long");
			return;
		}
		snprintf(to.provider, sizeof(to.provider), "%s", xb.provider[0] ? xb.provider : "ais");
		memcpy(to.ns, xb.ns, strlen(xb.ns) + 1);
		memcpy(to.name, xb.name, strlen(xb.name) + 1);
		if (!pshard_bck_exists(&to)) {
			http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", to.provider, to.name);
			return;
		}
	}
	smap_t *m = smap_get();
	const snode_t *dt = m ? smap_owner_of(m, to.provider, to.ns, to.name, archname) : NULL;
	char tid[SNODE_ID_MAX] = "";
	if (dt)
		snprintf(tid, sizeof(tid), "%s", dt->id);
	smap_put(m);
	if (!tid[0]) {
		http_error(r, 503, NULL, "no storage targets in the cluster (%s)", node_name());
		return;
	}
	json_t *ext = json_deep_copy(v);
	json_t *xtb = json_pack("{s:s, s:s, s:{s:s, s:s}}", "name", to.name, "provider", to.provider, "namespace",
				"uuid", "", "name", "");
	if (xtb && to.ns[0]) {
		char uuid[80], nsn[80];
		hrw_ns_split(to.ns, uuid, sizeof(uuid), nsn, sizeof(nsn));
		json_object_set_new(json_object_get(xtb, "namespace"), "uuid", json_string(uuid));
		json_object_set_new(json_object_get(xtb, "namespace"), "name", json_string(nsn));
	}
	json_object_set_new(ext, "tobck", xtb);
	char id[XACT_ID_MAX] = "";
	int rc = pshard_start(r, "archive", b, ext, tid, id);
	json_decref(ext);
	if (!rc)
		http_respond(r, 200, "text/plain", id, strlen(id));
}
