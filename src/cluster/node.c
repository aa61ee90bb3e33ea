/* node: this process's identity. The daemon ID is generated once (random letters + the
 * public port, in the spirit of AIStore's playground IDs) and persisted in
 * <confdir>/.ais.daemon_id, so a restarted node rejoins as itself. Set once by node_init. */
#include "cluster/node.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "core/util.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static node_role_t self_role;
static snode_t self;
static char self_name[SNODE_ID_MAX + 4];
static int64_t self_start;

static int node_load_id(const config_t *cfg, char *id, size_t cap)
{
	char path[1100], *s = NULL;
	snprintf(path, sizeof(path), "%s/.ais.daemon_id", cfg->confdir);
	if (!fsops_read_file(path, 256, &s, NULL)) {
		size_t n = strcspn(s, "\r\n \t");
		s[n] = '\0';
		if (n > 0 && n < cap) {
			memcpy(id, s, n + 1);
			free(s);
			return 0;
		}
		free(s);
	}
	char rnd[8];
	rand_alnum(rnd, 4);
	snprintf(id, cap, "%s%c%d", rnd, self_role == ROLE_PROXY ? 'p' : 't', cfg->port);
	int rc = fsops_mkdir_p(cfg->confdir);
	if (!rc)
		rc = fsops_write_atomic(path, id, strlen(id));
	if (rc)
		log_err("cannot persist daemon ID to %s: %s", path, err_str(rc));
	return rc;
}

/* net.use_ipv6 without a configured hostname: the first global IPv6 address of an interface
 * that is up, else ::1 (AIStore discovers an address of the preferred family the same way). */
static void node_ipv6_host(char *out, size_t cap)
{
	struct ifaddrs *ifa = NULL;
	snprintf(out, cap, "::1");
	if (getifaddrs(&ifa))
		return;
	for (struct ifaddrs *a = ifa; a; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET6)
			continue;
		const struct in6_addr *x = &((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(x) || IN6_IS_ADDR_LINKLOCAL(x) || IN6_IS_ADDR_UNSPECIFIED(x))
			continue;
		char ip[INET6_ADDRSTRLEN];
		if (inet_ntop(AF_INET6, x, ip, sizeof(ip))) {
			snprintf(out, cap, "%s", ip);
			break;
		}
	}
	freeifaddrs(ifa);
}

int node_init(node_role_t role, const config_t *cfg)
{
	char id[SNODE_ID_MAX], v6[INET6_ADDRSTRLEN] = "";
	self_role = role;
	self_start = now_ns();
	int rc = node_load_id(cfg, id, sizeof(id));
	if (rc)
		return rc;
	const char *host = cfg->host;
	if (!host[0] && cfg->net_use_ipv6) {
		node_ipv6_host(v6, sizeof(v6));
		host = v6;
	}
	snode_init(&self, id, (char)role, host, cfg->port, cfg->port_ctl, cfg->port_data);
	if (cfg->host_ctl[0])
		snprintf(self.ctl.host, sizeof(self.ctl.host), "%s", cfg->host_ctl);
	if (cfg->host_data[0])
		snprintf(self.data.host, sizeof(self.data.host), "%s", cfg->host_data);
	snode_url(self.ctl.url, sizeof(self.ctl.url), self.ctl.host, self.ctl.port);
	snode_url(self.data.url, sizeof(self.data.url), self.data.host, self.data.port);
	snprintf(self_name, sizeof(self_name), "%c[%s]", role == ROLE_PROXY ? 'p' : 't', id);
	return 0;
}

node_role_t node_role(void) { return self_role; }
const char *node_id(void) { return self.id; }
const snode_t *node_self(void) { return &self; }
const char *node_name(void) { return self_name; }
int64_t node_start_ns(void) { return self_start; }

bool node_is_primary(void)
{
	if (self_role != ROLE_PROXY)
		return false;
	smap_t *m = smap_get();
	bool p;
	if (m && m->primary_id[0]) {
		p = !strcmp(m->primary_id, self.id);
	} else {
		const config_t *c = config_get();
		p = c && (!strcmp(c->primary_url, self.pub.url) || !strcmp(c->primary_url, self.ctl.url));
		config_put(c);
	}
	smap_put(m);
	return p;
}

void node_sender_hdrs(char *buf, size_t cap)
{
	smap_t *m = smap_get();
	bool prim = self_role == ROLE_PROXY && m && !strcmp(m->primary_id, self.id);
	snprintf(buf, cap, "Ais-Caller-Id: %s\nAis-Caller-Name: %s\nAis-Caller-Smap-Ver: %lld%s", self.id, self_name,
		 (long long)(m ? m->version : 0), prim ? "\nAis-Caller-Is-Primary: true" : "");
	smap_put(m);
}
