/* route: longest-prefix route table (module-local; filled at init, read-only while serving). */
#include "net/route.h"
#include "core/err.h"
#include "core/log.h"

#include <stdlib.h>

#include <string.h>

struct route {
	unsigned methods;
	const char *prefix;
	size_t plen;
	http_handler_cb fn;
};

static struct route *routes; /* grows at init; read-only once the server runs */
static int nroutes, caproutes;

void route_add(unsigned methods, const char *prefix, http_handler_cb fn)
{
	if (nroutes == caproutes) {
		int nc = caproutes ? caproutes * 2 : 64;
		struct route *nv = realloc(routes, (size_t)nc * sizeof(*nv));
		AIS_ASSERT(nv != NULL); /* at start-up: a node missing routes must not serve */
		routes = nv;
		caproutes = nc;
	}
	routes[nroutes++] = (struct route){methods, prefix, strlen(prefix), fn};
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
