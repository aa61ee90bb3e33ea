/* tobj: the native API's side of the object context: parse /v1/objects/<bck>/<obj> with the
 * provider/namespace query into a placed obj_t (answering the request's errors), and the native
 * object headers and 404 message. */
#include "target/tgt_int.h"

#include <stdio.h>
#include <string.h>

#include "cluster/node.h"
#include "core/err.h"
#include "net/route.h"

int tobj_bck_query(http_req_t *r, char *ns, size_t nscap)
{
	const char *prov = http_query_get(r, "provider");
	if (prov && *prov && strcmp(prov, "ais")) {
		if (!strcmp(prov, "aws") || !strcmp(prov, "s3") || !strcmp(prov, "gcp") || !strcmp(prov, "gs") ||
		    !strcmp(prov, "azure") || !strcmp(prov, "az") || !strcmp(prov, "oci") || !strcmp(prov, "ht"))
			http_error(r, 501, NULL, "provider \"%s\": remote backends are not supported yet", prov);
		else
			http_error(r, 400, NULL, "invalid bucket provider \"%s\"", prov);
		return AIS_EINVAL;
	}
	const char *q = http_query_get(r, "namespace");
	ns[0] = '\0';
	if (q && *q && strcmp(q, "@#")) {
		if (q[0] == '#')
			snprintf(ns, nscap, "@%s", q);
		else
			snprintf(ns, nscap, "%s", q);
	}
	return 0;
}

int tobj_init(obj_t *o, http_req_t *r)
{
	memset(o, 0, sizeof(*o));
	o->mpi = -1;
	const char *items[2] = {NULL, NULL};
	char ns[80], buf[sizeof(o->ibuf)];
	int n = route_items(r, "/v1/objects", buf, sizeof(buf), items, 2);
	if (n < 0) {
		http_error(r, 400, NULL, "object name too long");
		return AIS_EINVAL;
	}
	if (n < 2 || !items[1][0]) {
		http_error(r, 400, NULL, "invalid URL path %s: expecting /v1/objects/<bucket>/<object>", r->path);
		return AIS_EINVAL;
	}
	if (tobj_bck_query(r, ns, sizeof(ns)))
		return AIS_EINVAL;
	obj_why_t why;
	int rc = obj_init(o, "ais", ns, items[0], items[1], &why);
	if (why == OBJ_WHY_NO_BUCKET) {
		if (ns[0])
			http_error(r, 404, "ErrBckNotFound", "bucket \"ais://%s/%s\" does not exist", ns, items[0]);
		else
			http_error(r, 404, "ErrBckNotFound", "bucket \"ais://%s\" does not exist", items[0]);
	} else if (why == OBJ_WHY_BAD_NAME) {
		http_error(r, 400, NULL, "invalid object name \"%s\"", items[1]);
	} else if (rc) {
		http_error_code(r, rc, "%s: no mountpaths available", node_name());
	}
	return rc;
}

void tobj_err_notfound(http_req_t *r, const obj_t *o)
{
	char cn[FQN_OBJNAME_MAX + 256];
	obj_cname(o->bck, o->oname, cn, sizeof(cn));
	http_error(r, 404, "ErrNotFound", "%s: %s does not exist", node_name(), cn);
}

void tobj_add_md_hdrs(http_req_t *r, const lom_md_t *md)
{
	if (md->cktype != CKSUM_NONE && md->ckval[0]) {
		http_hdr_add(r, "Ais-Checksum-Type", cksum_type_str(md->cktype));
		http_hdr_add(r, "Ais-Checksum-Value", md->ckval);
	}
	if (md->atime)
		http_hdr_addf(r, "Ais-Atime", "%lld", (long long)md->atime);
	if (md->version[0])
		http_hdr_add(r, "Ais-Version", md->version);
	size_t pos = 0;
	const char *k, *v;
	while (lom_md_custom_next(md, &pos, &k, &v)) {
		if (!strcmp(k, "orig_fntl"))
			continue;
		http_hdr_addf(r, "Ais-Custom-Md", "%s=%s", k, v);
		if (!strcmp(k, "ETag"))
			http_hdr_add(r, "ETag", v);
	}
}
