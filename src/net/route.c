/* route: longest-prefix route table (module-local; filled at init, read-only while serving)
 * and the gate of the closed control plane (see route.h). Must not: let a handler see a
 * request whose intra-cluster credentials did not verify. */
#include "net/route.h"
#include "core/err.h"
#include "core/log.h"
#include "net/isig.h"

#include <strings.h>

#include <stdlib.h>

#include <string.h>

struct route {
	unsigned methods;
	const char *prefix;
	size_t plen;
	http_handler_cb fn;
	int intra; /* 0 or ROUTE_* */
};

static struct route *routes; /* grows at init; read-only once the server runs */
static int nroutes, caproutes;

static bool (*rt_is_member)(const char *sid);

void route_set_member_hook(bool (*is_member)(const char *sid)) { rt_is_member = is_member; }

static int (*rt_auth)(http_req_t *r);

void route_set_auth_hook(int (*check)(http_req_t *r)) { rt_auth = check; }

static void route_push(unsigned methods, const char *prefix, http_handler_cb fn, int intra)
{
	if (nroutes == caproutes) {
		int nc = caproutes ? caproutes * 2 : 64;
		struct route *nv = realloc(routes, (size_t)nc * sizeof(*nv));
		AIS_ASSERT(nv != NULL); /* at start-up: a node missing routes must not serve */
		routes = nv;
		caproutes = nc;
	}
	routes[nroutes++] = (struct route){methods, prefix, strlen(prefix), fn, intra};
}

void route_add(unsigned methods, const char *prefix, http_handler_cb fn) { route_push(methods, prefix, fn, 0); }

void route_add_intra(unsigned methods, const char *prefix, http_handler_cb fn, int level)
{
	route_push(methods, prefix, fn, level);
}

/* AIStore's intra-cluster sender headers and the S3 forwarding marks: only a verified
 * signature may carry them */
static bool rt_has_caller_hdrs(const http_req_t *r)
{
	for (int i = 0; i < r->nhdrs; i++) {
		const char *n = r->hdrs[i].name;
		if ((n[0] == 'A' || n[0] == 'a') &&
		    (!strncasecmp(n, "Ais-Caller-", 11) || !strcasecmp(n, "Ais-S3-Forwarded-By") ||
		     !strcasecmp(n, "Ais-S3-Relayed-By")))
			return true;
	}
	return false;
}

/* verify r's intra-cluster credentials (r->caller on success; why: the reason a signature did
 * not verify, for an intra-cluster route's answer); false when answered. A signature that does
 * not verify is ignored on public routes (a node of another cluster calling this one as a
 * client, e.g. a remote-AIS backend, signs with its own key), but it never vouches for caller
 * headers. */
static bool rt_gate(http_req_t *r, char *why, size_t wcap)
{
	int rc = isig_verify(r, r->caller, sizeof(r->caller), why, wcap);
	if (rc)
		r->caller[0] = '\0';
	if (!rt_has_caller_hdrs(r))
		return true;
	const char *cid = http_hdr_get(r, "Ais-Caller-Id");
	if (!r->caller[0] || (cid && strcmp(cid, r->caller))) {
		log_warn("%s %s from %s: intra-cluster caller headers without a valid cluster signature%s%s", r->method_str,
			 r->path, r->remote_addr, why[0] ? ": " : "", why);
		http_error(r, 401, NULL, "intra-cluster caller headers (Ais-Caller-*) require a valid cluster signature (%s)%s%s",
			   ISIG_HDR, why[0] ? ": " : "", why);
		r->caller[0] = '\0';
		return false;
	}
	return true;
}

/* an intra-cluster route's own check; false when answered */
static bool rt_intra_ok(http_req_t *r, int level, const char *why)
{
	if (!r->caller[0]) {
		if (why[0])
			log_warn("%s %s from %s: %s", r->method_str, r->path, r->remote_addr, why);
		http_error(r, 401, NULL, "%s %s is an intra-cluster request: it requires a valid cluster signature (%s)%s%s",
			   r->method_str, r->path, ISIG_HDR, why[0] ? ": " : "", why);
		return false;
	}
	if (level == ROUTE_MEMBER && (!rt_is_member || !rt_is_member(r->caller))) {
		log_warn("%s %s from %s: signer %s is not a member of this cluster map", r->method_str, r->path,
			 r->remote_addr, r->caller);
		http_error(r, 403, NULL, "%s %s: node %s is not in this node's cluster map", r->method_str, r->path,
			   r->caller);
		return false;
	}
	return true;
}

void route_reset(void)
{
	free(routes);
	routes = NULL;
	nroutes = caproutes = 0;
}

static bool prefix_match(const char *path, const struct route *rt)
{
	if (strncmp(path, rt->prefix, rt->plen))
		return false;
	char c = path[rt->plen];
	return c == '\0' || c == '/' || rt->prefix[rt->plen - 1] == '/';
}

void route_dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	char why[160] = "";
	if (!rt_gate(r, why, sizeof(why)) || (rt_auth && rt_auth(r)))
		return;
	const struct route *best = NULL;
	bool path_known = false;
	for (int i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];
		if (!prefix_match(r->path, rt))
			continue;
		path_known = true;
		if (!(rt->methods & RM(r->method)))
			continue;
		if (!best || rt->plen > best->plen)
			best = rt;
	}
	if (best) {
		if (best->intra && !rt_intra_ok(r, best->intra, why))
			return;
		best->fn(r);
		return;
	}
	if (path_known)
		http_error(r, 405, NULL, "invalid method %s for %s", r->method_str, r->path);
	else
		http_error(r, 404, NULL, "invalid URL path %s", r->path);
}

int route_items(const http_req_t *r, const char *prefix, char *buf, size_t cap, const char **items, int n)
{
	size_t plen = strlen(prefix);
	const char *p = r->path;
	if (strncmp(p, prefix, plen))
		return 0;
	p += plen;
	while (*p == '/')
		p++;
	size_t len = strlen(p);
	if (len + 1 > cap)
		return -1;
	memcpy(buf, p, len + 1);
	int k = 0;
	char *s = buf;
	while (*s && k < n) {
		items[k++] = s;
		if (k == n)
			break;
		char *slash = strchr(s, '/');
		if (!slash)
			break;
		*slash = '\0';
		s = slash + 1;
	}
	return k;
}
