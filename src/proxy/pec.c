/* pec: the proxy's side of erasure coding (AIStore 4.7's ecEncode / validateECConf and the
 * re-EC of set-bprops, ais/prxtxn.go):
 *   POST /v1/buckets/<b> {"action":"ec-encode","value":ECConfToSet[,"name":"recover"]}   the value
 *       as a JSON object or, as AIStore's Go client sends it, a JSON-encoded string; data_slices
 *       and parity_slices required; EC enabled with them (changing D or P of an EC bucket: 400),
 *       then x-ec-encode on every target ({"recover": true} with the name "recover"); answers
 *       the job ID
 *   set-bprops enabling EC: the same target-count check first, x-ec-encode after (its ID).
 * Target count (ECConf.ValidateAsProps): D+P+1 targets (P+1 when objsize_limit is -1) else
 * "not enough target nodes: EC configuration (D = 2, P = 2) requires at least 5 targets (have 3)";
 * a soft error (AIStore's ErrWarning) that `force` overrides unless P alone exceeds the targets
 * or everything is replicated. Primary only; pool threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cluster/bmd.h"
#include "cluster/bprops.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "proxy/proxy.h"

static int pec_int(json_t *props, const char *k)
{
	return (int)json_integer_value(json_object_get(json_object_get(props, "ec"), k));
}

int pec_check_targets(json_t *np, bool force, char *err, size_t cap)
{
	if (!bprops_bool(np, "ec.enabled", false))
		return 0;
	int d = pec_int(np, "data_slices"), p = pec_int(np, "parity_slices");
	int64_t lim = json_integer_value(json_object_get(json_object_get(np, "ec"), "objsize_limit"));
	int need = lim == -1 ? p + 1 : d + p + 1;
	smap_t *m = smap_get();
	int have = m ? smap_active_targets(m) : 0;
	smap_put(m);
	if (need <= have || (force && lim != -1 && p <= have))
		return 0;
	snprintf(err, cap, "not enough target nodes: EC configuration (D = %d, P = %d) requires at least %d targets (have %d)",
		 d, p, need, have);
	return AIS_EINVAL;
}

static int pec_start(http_req_t *r, const pbck_t *b, bool recover, char *id)
{
	json_t *ext = json_pack("{s:b}", "recover", recover);
	int rc = ext ? pshard_start(r, "ec-encode", b, ext, NULL, id) : AIS_ENOMEM;
	json_decref(ext);
	if (!ext)
		http_error_code(r, rc, "out of memory");
	return rc;
}

/* ECConfToSet from the action's value (an object, or a JSON-encoded string); new ref or NULL */
static json_t *pec_conf(json_t *v, char *err, size_t cap)
{
	static const char *const keys[] = {"objsize_limit", "data_slices", "parity_slices", "enabled", "disk_only",
					   "compression", "bundle_multiplier", "burst_buffer", NULL};
	json_t *c = NULL;
	if (json_is_string(v)) {
		json_error_t je;
		c = json_loads(json_string_value(v), 0, &je);
	} else if (json_is_object(v)) {
		c = json_incref(v);
	}
	const char *bad = json_is_object(c) ? jsonx_unknown_key(c, keys) : NULL;
	if (!json_is_object(c) || bad) {
		if (bad)
			snprintf(err, cap, "invalid ec-encode request: unknown field %s", bad);
		else
			snprintf(err, cap, "invalid ec-encode request");
		json_decref(c);
		return NULL;
	}
	if (!json_object_get(c, "data_slices") || json_is_null(json_object_get(c, "data_slices"))) {
		snprintf(err, cap, "missing number of data slices");
		json_decref(c);
		return NULL;
	}
	if (!json_object_get(c, "parity_slices") || json_is_null(json_object_get(c, "parity_slices"))) {
		snprintf(err, cap, "missing number of parity slices");
		json_decref(c);
		return NULL;
	}
	json_object_set_new(c, "enabled", json_true());
	return c;
}

void pec_encode(http_req_t *r, const pbck_t *b, json_t *msg)
{
	char err[512] = "", id[64] = "";
	if (!node_is_primary()) {
		pfwd_to_primary(r);
		return;
	}
	bmd_t *m = bmd_get();
	const bck_t *bk = m ? bmd_find(m, b->provider, b->ns, b->name) : NULL;
	json_t *np = bk ? json_deep_copy(bk->props) : NULL;
	bool was = bk && bk->ec_enabled;
	int od = bk ? bk->ec_d : 0, op = bk ? bk->ec_p : 0;
	bmd_put(m);
	if (!np) {
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", b->provider, b->name);
		return;
	}
	json_t *conf = pec_conf(json_object_get(msg, "value"), err, sizeof(err));
	json_t *patch = conf ? json_pack("{s:o, s:b}", "ec", conf, "force", true) : NULL;
	int rc = patch ? 0 : AIS_EINVAL;
	if (!rc && was && (json_integer_value(json_object_get(conf, "data_slices")) != od ||
			   json_integer_value(json_object_get(conf, "parity_slices")) != op)) {
		/* changing D or P on the fly is unsupported (AIStore's validateECConf) */
		snprintf(err, sizeof(err), "%s: EC is already enabled on the bucket %s://%s", node_name(), b->provider, b->name);
		rc = AIS_EINVAL;
	}
	if (!rc)
		rc = bprops_apply(&np, patch, err, sizeof(err));
	if (!rc)
		rc = pec_check_targets(np, false, err, sizeof(err));
	if (!rc)
		rc = pbck_set_props(b, patch, err, sizeof(err));
	json_decref(patch);
	json_decref(np);
	if (rc) {
		http_error_code(r, rc, "%s", err[0] ? err : err_str(rc));
		return;
	}
	if (pec_start(r, b, !strcmp(jsonx_str(msg, "name", ""), "recover"), id))
		return;
	http_respond(r, 200, "text/plain", id, strlen(id));
}

int pec_before_props(const pbck_t *b, json_t *patch, bool *reec, char *err, size_t cap)
{
	*reec = false;
	if (!json_is_object(json_object_get(patch, "ec")))
		return 0;
	bmd_t *m = bmd_get();
	const bck_t *bk = m ? bmd_find(m, b->provider, b->ns, b->name) : NULL;
	json_t *np = bk ? json_deep_copy(bk->props) : NULL;
	bool was = bk && bk->ec_enabled;
	bmd_put(m);
	if (!np)
		return 0; /* the set-bprops itself answers */
	char e2[256];
	int rc = 0;
	if (!bprops_apply(&np, patch, e2, sizeof(e2)) && bprops_bool(np, "ec.enabled", false)) {
		rc = pec_check_targets(np, json_is_true(json_object_get(patch, "force")), err, cap);
		*reec = !rc && !was;
	}
	json_decref(np);
	return rc;
}

void pec_after_props(http_req_t *r, const pbck_t *b)
{
	char id[64] = "";
	if (pec_start(r, b, false, id))
		return;
	http_respond(r, 200, "text/plain", id, strlen(id));
}
