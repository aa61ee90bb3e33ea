/* bprops: the bucket props table and what it drives (see bprops.h).
 * Invariants:
 *  1. props JSON only changes through bprops_apply: every leaf it writes went through its row's
 *     parser and is stored in canonical form (what Ais-Bucket-Props shows);
 *  2. a prop this build does not act on and whose change would ask for behaviour (BP_NIY) cannot
 *     change: 501, the props stay as they were;
 *  3. inherited props take type, range and default from the config table row of the same path,
 *     so a bucket and the cluster config can never disagree about what a value means.
 * AIStore reference: cmn/api.go (Bprops, DefaultProps, Validate), cmn/config.go ValidateAsProps. */
#include "cluster/bprops.h"
#include "core/config_tab.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	BP_OWN = 1 << 0,  /* typed here (not inherited from the cluster config) */
	BP_RO = 1 << 1,   /* set by the system (provider, bid, created) */
	BP_NIY = 1 << 2,  /* not built: may not change (except to ok[] values) */
	BP_OMIT = 1 << 3, /* not in a new bucket's props (AIStore omitempty / set by bmd_add) */
	BP_USED = 1 << 4, /* this implementation acts on it */
};

typedef struct bprops_row {
	unsigned flags;
	const char *dflt;          /* BP_OWN default; else an override of the inherited default */
	const char *const *ok;     /* BP_NIY: values accepted besides "unchanged" */
	ctab_row_t r;              /* BP_OWN: the whole typed row; inherited: path and doc */
} bprops_row_t;

static const char *const ok_wpolicy[] = {"", "immediate", NULL};

#define INH(p, f, dc) {.flags = (f), .r = {.path = p, .doc = dc}}
#define OWN(p, f, t, sz, d, dc) {.flags = BP_OWN | (f), .dflt = d, .r = {.path = p, .type = t, .size = sz, .lo = 1, .doc = dc}}

static const bprops_row_t bptab[] = {
	OWN("backend_bck.name", BP_NIY | BP_OMIT, CT_STR, 65, "", "remote backend bucket of an ais:// bucket: not built."),
	OWN("backend_bck.provider", BP_NIY | BP_OMIT, CT_STR, 16, "", "its provider: not built."),
	{.flags = BP_NIY, .dflt = "immediate", .ok = ok_wpolicy, .r = {.path = "write_policy.data", .doc = "object data: immediate."}},
	{.flags = BP_NIY, .dflt = "immediate", .ok = ok_wpolicy,
	 .r = {.path = "write_policy.md", .doc = "object metadata: immediate (delayed, never: not built)."}},
	OWN("provider", BP_RO, CT_STR, 16, "ais", "the bucket's provider."),
	INH("checksum.type", BP_USED, "checksum of new objects."),
	INH("checksum.validate_cold_get", BP_USED, "cold GET: a plain-MD5 ETag (or remote AIS checksum) must match what arrived."),
	INH("checksum.validate_warm_get", BP_USED, "re-hash a stored object on GET; a mismatch removes it and answers 500."),
	INH("checksum.validate_obj_move", BP_NIY, "verify moved objects: not built."),
	INH("checksum.enable_read_range", BP_NIY, "range checksums: not built."),
	OWN("extra.custom", BP_OMIT, CT_STR, 129, "", "user text (at most 128 bytes, no control characters)."),
	OWN("extra.aws.cloud_region", BP_OMIT | BP_USED, CT_STR, 65, "", "s3:// buckets: the bucket's region (set from the remote on first use; signs requests)."),
	OWN("extra.aws.endpoint", BP_OMIT | BP_USED, CT_STR, 256, "", "s3:// buckets: S3 endpoint (overrides env S3_ENDPOINT), e.g. http://host:port."),
	OWN("extra.aws.profile", BP_OMIT | BP_USED, CT_STR, 257, "", "s3:// buckets: credentials profile of ~/.aws/credentials (overrides AWS_PROFILE and env keys)."),
	{.flags = BP_OWN | BP_OMIT | BP_USED, .dflt = "0",
	 .r = {.path = "extra.aws.max_pagesize", .type = CT_INT, .lo = 0, .hi = 100000, .doc = "s3:// buckets: largest remote list page (0: 1000)."}},
	{.flags = BP_OWN | BP_OMIT | BP_USED, .dflt = "0",
	 .r = {.path = "extra.aws.multipart_size", .type = CT_SIZE, .lo = -1, .hi = (int64_t)5 << 30,
	       .doc = "s3:// buckets: part size of write-through PUTs (0: 8MiB, -1: always one part)."}},
	OWN("extra.gcp.application_creds", BP_NIY | BP_OMIT, CT_STR, 1024, "", "remote buckets: not built."),
	OWN("extra.oci.region", BP_NIY | BP_OMIT, CT_STR, 65, "", "remote buckets: not built."),
	OWN("extra.http.original_url", BP_RO | BP_OMIT, CT_STR, 1024, "", "ht:// buckets: not built."),
	INH("rate_limit.backend.num_retries", 0, "see the cluster config."),
	INH("rate_limit.backend.interval", 0, "see the cluster config."),
	INH("rate_limit.backend.per_op_max_tokens", 0, "see the cluster config."),
	INH("rate_limit.backend.max_tokens", 0, "see the cluster config."),
	INH("rate_limit.backend.enabled", BP_NIY, "backend rate limiting: not built."),
	INH("rate_limit.frontend.burst_size", 0, "see the cluster config."),
	INH("rate_limit.frontend.interval", 0, "see the cluster config."),
	INH("rate_limit.frontend.per_op_max_tokens", 0, "see the cluster config."),
	INH("rate_limit.frontend.max_tokens", 0, "see the cluster config."),
	INH("rate_limit.frontend.enabled", BP_NIY, "frontend rate limiting: not built."),
	INH("ec.objsize_limit", 0, "see the cluster config."),
	INH("ec.compression", BP_NIY, "not built: only the cluster default."),
	INH("ec.bundle_multiplier", BP_NIY, "not built: only the cluster default."),
	INH("ec.burst_buffer", BP_NIY, "not built: only the cluster default."),
	INH("ec.data_slices", 0, "see the cluster config."),
	INH("ec.parity_slices", 0, "see the cluster config."),
	INH("ec.enabled", BP_USED, "erasure coding across targets: D data + P parity slices, or P replicas below ec.objsize_limit (docs/redundancy.md)."),
	INH("ec.disk_only", BP_NIY, "not built: only the cluster default."),
	INH("chunks.objsize_limit", BP_NIY, "per bucket: not built (the cluster config's chunks.* applies)."),
	INH("chunks.max_monolithic_size", BP_NIY, "per bucket: not built."),
	INH("chunks.chunk_size", BP_NIY, "per bucket: not built (the cluster config's chunks.* applies)."),
	INH("chunks.checkpoint_every", BP_NIY, "per bucket: not built (the cluster config's chunks.* applies)."),
	INH("chunks.flags", BP_NIY, "per bucket: not built."),
	/* typed here: AIStore validates copies (2..32) only while mirroring is enabled (ValidateAsProps),
	 * and make-n-copies 1 stores copies 1 with mirroring disabled; the default is the config's */
	{.flags = BP_OWN | BP_USED,
	 .r = {.path = "mirror.copies", .type = CT_INT, .off = offsetof(config_t, mirror_copies),
	       .size = sizeof(((config_t *)0)->mirror_copies), .lo = 0, .hi = 32,
	       .doc = "replicas per object (the main one included) on distinct mountpaths of its target while mirroring is enabled (2..32)."}},
	INH("mirror.burst_buffer", BP_USED, "queued asynchronous put-copies (0: the PUT makes its copies before it answers)."),
	INH("mirror.enabled", BP_USED, "n-way mirroring: copies on distinct mountpaths, written by every PUT, healing GETs (docs/redundancy.md)."),
	INH("lru.dont_evict_time", 0, "see the cluster config."),
	INH("lru.capacity_upd_time", 0, "see the cluster config."),
	INH("lru.batch_size", 0, "see the cluster config."),
	{.flags = BP_NIY, .dflt = "false", .r = {.path = "lru.enabled", .doc = "LRU eviction (false for ais:// buckets): not built."}},
	OWN("access", BP_NIY, CT_STR, 24, "18446744073709551615", "access permissions (AccessAll): enforcement not built."),
	{.flags = BP_OWN | BP_NIY, .dflt = "0", .r = {.path = "features", .type = CT_FEAT, .doc = "per-bucket feature flags: not built."}},
	OWN("bid", BP_RO | BP_OMIT, CT_STR, 24, "", "bucket ID (set at creation)."),
	OWN("created", BP_RO | BP_OMIT, CT_STR, 24, "", "creation time, unix ns (set at creation)."),
	INH("versioning.enabled", BP_USED, "objects get a version that each overwrite increments."),
	INH("versioning.validate_warm_get", BP_USED, "remote buckets: a GET of a stored object asks the remote first (changed: fetched again; deleted: 404)."),
	INH("versioning.synchronize", BP_USED, "remote buckets: as validate_warm_get, and a remotely deleted object is removed here too."),
};
#define NBP (sizeof(bptab) / sizeof(bptab[0]))

/* the typed row of a prop: its own, or the config table's of the same path */
static const ctab_row_t *bp_typed(const bprops_row_t *b)
{
	return (b->flags & BP_OWN) ? &b->r : config_tab_find(b->r.path);
}

static const bprops_row_t *bp_find(const char *path)
{
	for (size_t i = 0; i < NBP; i++)
		if (!strcmp(bptab[i].r.path, path))
			return &bptab[i];
	return NULL;
}

static bool bp_is_section(const char *path)
{
	size_t l = strlen(path);
	for (size_t i = 0; i < NBP; i++)
		if (!strncmp(bptab[i].r.path, path, l) && bptab[i].r.path[l] == '.')
			return true;
	return false;
}

static json_t *bp_at(json_t *root, const char *path)
{
	char buf[128], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *o = root;
	for (char *seg = strtok_r(buf, ".", &save); seg && o; seg = strtok_r(NULL, ".", &save))
		o = json_is_object(o) ? json_object_get(o, seg) : NULL;
	return o;
}

/* v (reference stolen) at a dotted path, creating sections */
static void bp_set(json_t *root, const char *path, json_t *v)
{
	char buf[128], *save = NULL, *next;
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *o = root;
	char *seg = strtok_r(buf, ".", &save);
	while (seg && (next = strtok_r(NULL, ".", &save))) {
		json_t *s = json_object_get(o, seg);
		if (!json_is_object(s)) {
			s = json_object();
			json_object_set_new(o, seg, s);
		}
		o = s;
		seg = next;
	}
	json_object_set_new(o, seg, v);
}

/* the canonical JSON of a text value for row r (a default) */
static json_t *bp_text_json(const ctab_row_t *r, const char *text)
{
	char err[200];
	ctab_val_t v;
	json_t *in = config_tab_from_str(r, text, err, sizeof(err)), *out = NULL;
	if (in && !config_tab_parse(r, in, &v, NULL, err, sizeof(err)))
		out = config_tab_val_json(r, &v);
	json_decref(in);
	return out;
}

json_t *bprops_default(const char *provider, const config_t *cfg)
{
	config_t dflt;
	const config_t *c = cfg;
	json_t *p = json_object();
	if (!cfg) {
		if (config_defaults(&dflt)) {
			json_decref(p);
			return NULL;
		}
		c = &dflt;
	}
	for (size_t i = 0; p && i < NBP; i++) {
		const bprops_row_t *b = &bptab[i];
		const ctab_row_t *r = bp_typed(b);
		json_t *v;
		if (b->flags & BP_OMIT)
			continue;
		AIS_ASSERT(r != NULL); /* an inherited prop without a config row: table bug */
		if (!strcmp(b->r.path, "provider"))
			v = json_string(provider);
		else if (b->dflt)
			v = bp_text_json(r, b->dflt);
		else
			v = config_tab_json(r, c, false);
		if (!v) {
			json_decref(p);
			p = NULL;
			break;
		}
		bp_set(p, b->r.path, v);
	}
	if (!cfg)
		config_fini(&dflt);
	return p;
}

/* does a parsed value equal the current JSON value (by value: "1GiB" == "1024MiB")? */
static bool bp_same(const ctab_row_t *r, const ctab_val_t *v, json_t *cur)
{
	ctab_val_t c;
	char err[64];
	if (!cur || config_tab_parse(r, cur, &c, NULL, err, sizeof(err)))
		return false;
	if (r->type == CT_STR || r->type == CT_ENUM || r->type == CT_HOSTS)
		return !strcmp(v->s ? v->s : "", c.s ? c.s : "");
	return v->i == c.i;
}

/* one leaf of a patch */
static int bp_leaf(json_t *np, const bprops_row_t *b, json_t *v, char *err, size_t errcap)
{
	const ctab_row_t *r = bp_typed(b);
	ctab_val_t val;
	int rc;
	if (!r) {
		snprintf(err, errcap, "bucket property %s: no such config field (table bug)", b->r.path);
		return AIS_EINTERNAL;
	}
	if (b->flags & BP_RO) {
		snprintf(err, errcap, "property \"%s\" is readonly", b->r.path);
		return AIS_EINVAL;
	}
	json_t *in = json_is_string(v) && (r->type == CT_BOOL || r->type == CT_INT) && !(r->flags & CF_QUOTED)
			     ? config_tab_from_str(r, json_string_value(v), err, errcap) /* "true", "3" as the CLI sends */
			     : json_incref(v);
	if (!in)
		return AIS_EINVAL;
	rc = config_tab_parse(r, in, &val, "invalid bucket props", err, errcap);
	if (rc) {
		json_decref(in);
		return rc;
	}
	json_t *canon = config_tab_val_json(r, &val);
	json_decref(in);
	if (!canon)
		return AIS_ENOMEM;
	if (b->flags & BP_NIY) {
		bool same = bp_same(r, &val, bp_at(np, b->r.path));
		for (int i = 0; !same && b->ok && b->ok[i]; i++)
			same = json_is_string(canon) && !strcmp(json_string_value(canon), b->ok[i]);
		if (!same) {
			char *t = json_dumps(canon, JSON_ENCODE_ANY);
			snprintf(err, errcap, "bucket property %s=%.64s is not implemented by this build (%s)", b->r.path,
				 t ? t : "?", b->r.doc);
			free(t);
			json_decref(canon);
			return AIS_ENOTIMPL;
		}
	}
	bp_set(np, b->r.path, canon);
	return 0;
}

static int bp_walk(json_t *np, json_t *patch, const char *prefix, char *err, size_t errcap)
{
	const char *key;
	json_t *v;
	json_object_foreach(patch, key, v) {
		char path[128];
		int rc = 0;
		if (!*prefix && !strcmp(key, "force"))
			continue; /* BpropsToSet.Force: skips validations this build does not have */
		if (snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key) >= (int)sizeof(path)) {
			snprintf(err, errcap, "unknown property \"%.64s...\"", path);
			return AIS_EINVAL;
		}
		const bprops_row_t *b = bp_find(path);
		if (json_is_null(v) && (b || bp_is_section(path)))
			continue; /* as a field left out */
		if (b) {
			rc = bp_leaf(np, b, v, err, errcap);
		} else if (bp_is_section(path)) {
			if (!json_is_object(v)) {
				snprintf(err, errcap, "invalid bucket props: %s: expecting a JSON object", path);
				return AIS_EINVAL;
			}
			rc = bp_walk(np, v, path, err, errcap);
		} else {
			snprintf(err, errcap, "unknown property \"%s\"", path);
			rc = AIS_EINVAL;
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int64_t bp_size(json_t *props, const char *path)
{
	const ctab_row_t *r = config_tab_find(path);
	json_t *v = bp_at(props, path);
	ctab_val_t val;
	char err[64];
	return r && v && !config_tab_parse(r, v, &val, NULL, err, sizeof(err)) ? val.i : 0;
}

/* AIStore's Bprops.Validate cross-field rules (the per-value ones ran in bp_leaf) */
static int bp_validate(json_t *np, char *err, size_t errcap)
{
	int64_t lim = bp_size(np, "chunks.objsize_limit"), mms = bp_size(np, "chunks.max_monolithic_size");
	if (lim > (mms ? mms : (int64_t)1 << 40)) {
		snprintf(err, errcap, "invalid bucket props: chunks.objsize_limit cannot be greater than chunks.max_monolithic_size");
		return AIS_EINVAL;
	}
	const char *custom = bprops_str(np, "extra.custom", "");
	for (const char *s = custom; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			snprintf(err, errcap, "invalid extra.custom: control character at byte position %d", (int)(s - custom));
			return AIS_EINVAL;
		}
	/* extra.aws.* configure the S3 client of an s3:// bucket; elsewhere they could only act through
	 * backend_bck, which is not built */
	if (strcmp(bprops_str(np, "provider", "ais"), "aws")) {
		static const char *const aws[] = {"extra.aws.cloud_region", "extra.aws.endpoint", "extra.aws.profile",
						  "extra.aws.max_pagesize", "extra.aws.multipart_size"};
		for (size_t i = 0; i < sizeof(aws) / sizeof(aws[0]); i++) {
			json_t *v = bp_at(np, aws[i]);
			if (v && !(json_is_string(v) && !*json_string_value(v)) && !(json_is_integer(v) && !json_integer_value(v)) &&
			    !(json_is_string(v) && !strcmp(json_string_value(v), "0"))) {
				snprintf(err, errcap, "%s is not implemented for %s:// buckets (it applies to s3:// buckets; "
					 "backend_bck is not built)", aws[i], bprops_str(np, "provider", "ais"));
				return AIS_ENOTIMPL;
			}
		}
	}
	json_t *burst = bp_at(np, "rate_limit.frontend.burst_size"), *maxt = bp_at(np, "rate_limit.frontend.max_tokens");
	if (json_is_integer(burst) && json_is_integer(maxt) && json_integer_value(burst) > json_integer_value(maxt) / 2) {
		snprintf(err, errcap, "invalid bucket props: rate_limit.frontend.burst_size must be <= 50%% of max_tokens");
		return AIS_EINVAL;
	}
	return 0;
}

static int64_t bp_int(json_t *props, const char *path)
{
	json_t *v = bp_at(props, path);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* AIStore's mirror rules (proxy's bmodSetProps, MirrorConf.ValidateAsProps): enabling with one
 * copy means the configured number (at least 2); one copy while enabled disables mirroring;
 * while enabled, copies must be 2..32 */
/* AIStore's EC rules (the proxy's bmodSetProps): once enabled, D and P change only by disabling
 * first, and objsize_limit only with force (the target count is the proxy's check) */
static int bp_ec(json_t *old, json_t *np, bool force, char *err, size_t errcap)
{
	if (!bprops_bool(old, "ec.enabled", false) || !bprops_bool(np, "ec.enabled", false))
		return 0;
	bool same = bp_int(old, "ec.data_slices") == bp_int(np, "ec.data_slices") &&
		    bp_int(old, "ec.parity_slices") == bp_int(np, "ec.parity_slices");
	if (!same || (bp_int(old, "ec.objsize_limit") != bp_int(np, "ec.objsize_limit") && !force)) {
		snprintf(err, errcap, "once enabled, EC configuration can be only disabled but cannot change%s",
			 same ? " (objsize_limit: use force)" : "");
		return AIS_EINVAL;
	}
	return 0;
}

static int bp_mirror(json_t *old, json_t *np, char *err, size_t errcap)
{
	bool was = bprops_bool(old, "mirror.enabled", false), on = bprops_bool(np, "mirror.enabled", false);
	int64_t copies = bp_int(np, "mirror.copies");
	if (!was && on && copies == 1) {
		const config_t *c = config_get();
		copies = c && c->mirror_copies > 2 ? c->mirror_copies : 2;
		config_put(c);
		bp_set(np, "mirror.copies", json_integer(copies));
	} else if (copies == 1 && on) {
		bp_set(np, "mirror.enabled", json_false());
		on = false;
	}
	if (on && (copies < 2 || copies > 32)) {
		snprintf(err, errcap, "invalid mirror.copies: %lld (expected value in range [2, 32])", (long long)copies);
		return AIS_EINVAL;
	}
	return 0;
}

int bprops_apply(json_t **props, json_t *patch, char *err, size_t errcap)
{
	if (!json_is_object(patch)) {
		snprintf(err, errcap, "invalid bucket props: expecting a JSON object");
		return AIS_EINVAL;
	}
	json_t *np = json_deep_copy(*props);
	if (!np)
		return AIS_ENOMEM;
	int rc = bp_walk(np, patch, "", err, errcap);
	if (!rc)
		rc = bp_mirror(*props, np, err, errcap);
	if (!rc)
		rc = bp_ec(*props, np, json_is_true(json_object_get(patch, "force")), err, errcap);
	if (!rc)
		rc = bp_validate(np, err, errcap);
	if (rc) {
		json_decref(np);
		return rc;
	}
	json_decref(*props);
	*props = np;
	return 0;
}

bool bprops_bool(json_t *props, const char *path, bool def)
{
	json_t *v = bp_at(props, path);
	return json_is_boolean(v) ? json_is_true(v) : def;
}

const char *bprops_str(json_t *props, const char *path, const char *def)
{
	const char *s = json_string_value(bp_at(props, path));
	return s ? s : def;
}

char *bprops_markdown(void)
{
	sbuf_t b = SBUF_INIT;
	sbuf_adds(&b, "| prop | type | default | status | meaning |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < NBP; i++) {
		const bprops_row_t *p = &bptab[i];
		const ctab_row_t *r = bp_typed(p);
		static const char *const tn[] = {
			[CT_BOOL] = "bool", [CT_INT] = "int", [CT_DUR] = "duration", [CT_SIZE] = "size",
			[CT_STR] = "string", [CT_ENUM] = "enum", [CT_FEAT] = "feature flags", [CT_LOGLVL] = "log level",
			[CT_PORT] = "port", [CT_HOSTS] = "hosts", [CT_FSPATHS] = "-", [CT_S3KEYS] = "-",
			[CT_BACKEND] = "-", [CT_EMPTYOBJ] = "-", [CT_DROPOBJ] = "-",
		};
		char dflt[96];
		if (p->flags & BP_OMIT)
			snprintf(dflt, sizeof(dflt), "(absent)");
		else if (p->dflt)
			snprintf(dflt, sizeof(dflt), "`%s`", *p->dflt ? p->dflt : "\"\"");
		else
			snprintf(dflt, sizeof(dflt), "cluster `%s`", p->r.path);
		const char *st = (p->flags & BP_RO)	   ? "read-only"
				 : (p->flags & BP_NIY)	   ? "cannot change (501)"
				 : (p->flags & BP_USED) ? "used"
							   : "stored and shown, not used yet";
		sbuf_addf(&b, "| `%s` | %s | %s | %s | %s |\n", p->r.path, r ? tn[r->type] : "?", dflt,
			  p->ok ? "used; only immediate (else 501)" : st, p->r.doc ? p->r.doc : "");
	}
	return sbuf_take(&b);
}
