/* xs_blob: "blob-download" (AIStore's xs/blob_download.go, apc.BlobMsg): download one or more
 * large remote objects ("name", or "objnames") with the blob downloader (backend/bk_blob.h):
 * concurrent range reads ("num-workers") of "chunk-size" into a chunked object. Each target
 * downloads the objects it owns. Present objects are skipped unless "latest-ver" finds them
 * changed. Counters: in-objs/in-bytes as bytes arrive (progress), loc-objs/loc-bytes per
 * completed object. Abort: the workers stop at the next range; nothing partial is committed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/bk.h"
#include "backend/bk_blob.h"
#include "backend/bk_obj.h"
#include "cluster/smap.h"
#include "cluster/node.h"
#include "core/err.h"
#include "xact/xs.h"
#include "xact/xs_job.h"

typedef struct bl {
	xs_job_t j;
	json_t *names;
	bk_blob_opts_t opt;
	bool latest;
} bl_t;

static void bl_progress(void *arg, int64_t bytes) { xact_in_add(arg, 0, bytes); }
static bool bl_aborted(void *arg) { return xact_aborted(arg); }

static int bl_prep(xact_t *x, const xact_args_t *a, char *err, size_t cap)
{
	bl_t *p;
	int rc = xs_job_prep(x, a, sizeof(*p), (void **)&p, err, cap);
	if (rc || (rc = xs_job_remote(&p->j, "blob-download", "", err, cap)))
		return rc;
	json_t *msg = p->j.msg;
	p->names = json_array();
	const char *one = xs_msg_str(msg, "name", "");
	if (*one)
		json_array_append_new(p->names, json_string(one));
	json_array_extend(p->names, json_object_get(msg, "objnames"));
	if (!json_array_size(p->names)) {
		snprintf(err, cap, "blob-download: missing object name");
		return AIS_EINVAL;
	}
	p->opt.chunk_size = xs_msg_size(msg, "chunk-size", 0);
	p->opt.full_size = xs_msg_size(msg, "full-size", 0);
	p->opt.nworkers = (int)xs_msg_int(msg, "num-workers", 0);
	if (p->opt.chunk_size < 0 || p->opt.full_size < 0 || p->opt.nworkers < -1 || p->opt.nworkers > 128) {
		snprintf(err, cap, "blob-download: invalid chunk-size, full-size or num-workers");
		return AIS_EINVAL;
	}
	if (p->opt.chunk_size && (p->opt.chunk_size < BK_BLOB_MIN_CHUNK || p->opt.chunk_size > BK_BLOB_MAX_CHUNK)) {
		snprintf(err, cap, "blob-download: invalid chunk size %lld (expecting %d..%d)", (long long)p->opt.chunk_size,
			 BK_BLOB_MIN_CHUNK, BK_BLOB_MAX_CHUNK);
		return AIS_EINVAL;
	}
	p->opt.progress = bl_progress;
	p->opt.aborted = bl_aborted;
	p->opt.arg = x;
	p->latest = xs_msg_bool(msg, "latest-ver");
	char s[400];
	snprintf(s, sizeof(s), "%s%s", json_string_value(json_array_get(p->names, 0)),
		 json_array_size(p->names) > 1 ? ", ..." : "");
	xact_set_ctlmsg(x, s);
	return 0;
}

static void bl_run(xact_t *x)
{
	bl_t *p = xact_priv(x);
	smap_t *sm = smap_get();
	size_t i;
	json_t *n;
	json_array_foreach(p->names, i, n) {
		const char *name = json_string_value(n);
		if (!name || xact_aborted(x))
			continue;
		const bck_t *b = p->j.b;
		const snode_t *t = sm ? smap_owner_of(sm, b->provider, b->ns, b->name, name) : NULL;
		if (t && strcmp(t->id, node_id()))
			continue; /* another target's */
		obj_t o;
		memset(&o, 0, sizeof(o));
		if (obj_place(&o, b, name)) {
			xact_add_err(x, "blob-download: invalid object name \"%s\"", name);
			continue;
		}
		bool here;
		if (xs_obj_current(&o, p->latest, &here))
			continue;
		bk_err_t e = {0};
		lom_md_t md;
		lom_md_init(&md);
		int rc = bk_blob_get(&o, &p->opt, &md, &e);
		if (rc)
			xact_add_err(x, "%s", e.msg);
		else
			xact_objs_add(x, 1, md.size);
		lom_md_fini(&md);
	}
	smap_put(sm);
}

static void bl_fini(xact_t *x)
{
	bl_t *p = xact_priv(x);
	if (p)
		json_decref(p->names);
	xs_job_fini(x);
}

const xact_ops_t xs_blob_ops = {.prep = bl_prep, .run = bl_run, .fini = bl_fini};
