/* troutes: the target's entry points (target.h): start-up (mountpaths, routes), BMD reactions
 * (bucket dirs created/removed on every mountpath), mountpath and capacity reports, and the
 * method switch of /v1/objects and /v1/buckets. Holds no state of its own: mountpaths live in
 * fs.c, metadata in the BMD. */
#include "target/target.h"

#include <stdio.h>
#include <string.h>

#include "backend/bk_obj.h"
#include "target/tmove.h"
#include "xact/xs_lr.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "net/route.h"
#include "fs/fs.h"
#include "archive/arch_obj.h"
#include "target/tgt_int.h"

static void tgt_objects_cb(http_req_t *r)
{
	switch (r->method) {
	case HTTP_M_GET:
	case HTTP_M_HEAD:
		tobj_get_handle(r);
		break;
	case HTTP_M_PUT:
		tobj_put_handle(r);
		break;
	case HTTP_M_DELETE:
		tobj_ops_delete(r);
		break;
	case HTTP_M_POST:
		tobj_ops_post(r);
		break;
	case HTTP_M_PATCH:
		tobj_custom_patch(r);
		break;
	default:
		http_error(r, 405, NULL, "invalid method %s for %s", r->method_str, r->path);
		break;
	}
}

static void tgt_buckets_cb(http_req_t *r)
{
	if (r->method == HTTP_M_HEAD) {
		tlist_handle(r);
		return;
	}
	http_read_body(r, 1 << 20, tlist_handle, true);
}

static void tgt_bck_dirs(const bck_t *b, bool create)
{
	char p[FQN_MAX];
	for (int i = 0; i < fs_count(); i++) {
		if (fs_state(i) == FS_DETACHED)
			continue; /* disabled ones too: they keep the layout for a re-enable */
		const char *mp = fs_get(i)->path;
		if (create) {
			if (fqn_ct_dir(p, sizeof(p), mp, b->provider, b->ns, b->name, FQN_CT_OBJ) > 0 &&
			    fsops_mkdir_p(p))
				log_err("mkdir %s failed", p);
			if (fqn_ct_dir(p, sizeof(p), mp, b->provider, b->ns, b->name, FQN_CT_WORK) > 0)
				fsops_mkdir_p(p);
		} else if (fqn_bck_dir(p, sizeof(p), mp, b->provider, b->ns, b->name) > 0) {
			if (fsops_rm_rf(p))
				log_err("failed to remove %s", p);
		}
	}
}

void tgt_on_bmd(const bmd_t *old, const bmd_t *cur)
{
	if (old) {
		for (int i = 0; i < old->nbcks; i++) {
			const bck_t *ob = &old->bcks[i];
			const bck_t *nb = cur ? bmd_find(cur, ob->provider, ob->ns, ob->name) : NULL;
			if (!nb || nb->bid != ob->bid) {
				log_info("bucket %s://%s destroyed (or re-created): removing its data", ob->provider,
					 ob->name);
				tgt_bck_dirs(ob, false);
			}
		}
	}
	if (cur) {
		for (int i = 0; i < cur->nbcks; i++) {
			const bck_t *nb = &cur->bcks[i];
			const bck_t *ob = old ? bmd_find(old, nb->provider, nb->ns, nb->name) : NULL;
			if (!ob || ob->bid != nb->bid)
				tgt_bck_dirs(nb, true);
		}
	}
}

int tgt_init(const config_t *cfg)
{
	char err[512];
	fs_reset();
	for (int i = 0; i < cfg->nfspaths; i++) {
		int rc = fs_add(cfg->fspaths[i], err, sizeof(err));
		if (rc == AIS_EEXIST) {
			log_warn("%s", err);
			continue;
		}
		if (rc) {
			log_err("%s", err);
			return rc;
		}
		log_info("mountpath %s", fs_get(fs_count() - 1)->path);
	}
	if (fs_count() == 0) {
		log_err("no mountpaths (fspaths) configured");
		return AIS_EINVAL;
	}
	route_add(RM(HTTP_M_GET) | RM(HTTP_M_HEAD) | RM(HTTP_M_PUT) | RM(HTTP_M_DELETE) | RM(HTTP_M_POST) |
			  RM(HTTP_M_PATCH),
		  "/v1/objects", tgt_objects_cb);
	route_add(RM(HTTP_M_GET) | RM(HTTP_M_HEAD), "/v1/buckets", tgt_buckets_cb);
	txact_init();
	tlist_init();
	arch_obj_init(); /* a removed or replaced shard drops its index */
	tmpath_init();
	tremote_init();
	tdload_init();
	xs_set_mover(tmove_send); /* the copy/move jobs send to peers over the transport */
	bmd_t *m = bmd_get();
	if (m) {
		tgt_on_bmd(NULL, m);
		bmd_put(m);
	}
	return 0;
}

void tgt_fini(void)
{
	bk_flight_shutdown(); /* parked cold GETs: answered now */
	txact_fini();
	tlist_fini();
	fs_reset();
}

json_t *tgt_mountpaths_json(void) { return fs_mpl_json(); }

void tgt_capacity(uint64_t *used, uint64_t *total)
{
	fs_capacity(used, total);
}
