/* aisnode: the daemon's entry point for both roles. Parses AIStore-style flags, loads the
 * configs, establishes identity, restores persisted cluster metadata, registers the role's
 * routes, serves the public, intra-control and intra-data ports, joins (or bootstraps) the
 * cluster, and runs until SIGTERM/SIGINT. */
#include "auth/agate.h"
#include "auth/oidc.h"
#include "auth/revoke.h"
#include "cluster/bmd.h"
#include "cluster/bprops.h"
#include "cluster/daemon.h"
#include "cluster/membership.h"
#include "cluster/metasync.h"
#include "cluster/node.h"
#include "cluster/primary.h"
#include "cluster/rmd.h"
#include "cluster/smap.h"
#include "cluster/vote.h"
#include "core/config.h"
#include "core/ckey.h"
#include "core/config_tab.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "net/hclient.h"
#include "net/http.h"
#include "net/isig.h"
#include "net/route.h"
#include "net/tls.h"
#include "proxy/proxy.h"
#include "s3/s3.h"
#include "stats/stats.h"
#include "target/target.h"
#include "target/tec.h"
#include "target/tmove.h"
#include "target/treb.h"
#include "transport/transport.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

struct args {
	const char *role, *config, *local_config;
};

static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	while (*a == '-')
		a++;
	size_t n = strlen(name);
	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/* -dump-config-table / -dump-bprops-table: the generated reference of docs/configuration.md */
static int dump_table(char *md)
{
	if (md)
		fputs(md, stdout);
	free(md);
	return md ? 1 : -1;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *v;
		if ((v = flag_value(argc, argv, &i, "role")))
			a->role = v;
		else if ((v = flag_value(argc, argv, &i, "local_config")))
			a->local_config = v;
		else if ((v = flag_value(argc, argv, &i, "config")))
			a->config = v;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
		else if (!strcmp(argv[i], "-dump-config-table") || !strcmp(argv[i], "--dump-config-table"))
			return dump_table(config_tab_markdown());
		else if (!strcmp(argv[i], "-dump-bprops-table") || !strcmp(argv[i], "--dump-bprops-table"))
			return dump_table(bprops_markdown());
		else {
			fprintf(stderr, "aisnode: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	if (!a->role || !a->config || !a->local_config || (strcmp(a->role, "proxy") && strcmp(a->role, "target"))) {
		fprintf(stderr, "aisnode: -role=proxy|target, -config and -local_config are required\n");
		return -1;
	}
	return 0;
}

/* set-config of net.http.server_crt/server_key (cluster-wide or this node): the new files are
 * loaded at once (new connections), as load-x509 would (docs/https.md) */
static void on_config(const config_t *old, const config_t *cur)
{
	if (!tls_on() || (!strcmp(old->net_http_server_crt, cur->net_http_server_crt) &&
			  !strcmp(old->net_http_server_key, cur->net_http_server_key)))
		return;
	char err[512] = "";
	if (!tls_reload(cur->net_http_server_crt, cur->net_http_server_key, err, sizeof(err)))
		log_info("X.509 certificate reloaded from %s (set-config)", cur->net_http_server_crt);
}

static int setup_logging(const config_t *cfg)
{
	char path[1100];
	if (!cfg->log_dir[0] || cfg->log_to_stderr)
		return log_init(NULL, cfg->log_level);
	if (fsops_mkdir_p(cfg->log_dir))
		return -1;
	snprintf(path, sizeof(path), "%s/aisnode.log", cfg->log_dir);
	return log_init(path, cfg->log_level);
}

static void restore_metadata(const config_t *cfg)
{
	char path[1100];
	fsops_mkdir_p(cfg->confdir);
	snprintf(path, sizeof(path), "%s/.ais.smap", cfg->confdir);
	smap_set_persist_path(path);
	snprintf(path, sizeof(path), "%s/.ais.bmd", cfg->confdir);
	bmd_set_persist_path(path);
	snprintf(path, sizeof(path), "%s/.ais.rmd", cfg->confdir);
	rmd_set_persist_path(path);
	smap_load_persisted();
	bmd_load_persisted();
	rmd_load_persisted();
}

/* as many fds as the hard limit allows (client connections, object files, peers); the HTTP
 * server sizes its connection limit from the result */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rlim_t was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		log_warn("cannot raise the open-files limit from %llu to %llu: %s", (unsigned long long)was,
			 (unsigned long long)rl.rlim_max, strerror(errno));
	else
		log_info("open-files limit raised from %llu to %llu", (unsigned long long)was,
			 (unsigned long long)rl.rlim_max);
}

/* bind one port; a port in use is the usual reason to fail: say so on stderr too */
static int listen_port(http_server_t *srv, const char *host, int port)
{
	int rc = http_server_listen(srv, host, port);
	if (rc == AIS_EEXIST)
		fprintf(stderr, "aisnode: cannot listen on %s:%d: address in use (is another aisnode running?)\n",
			host && *host ? host : "*", port);
	else if (rc < 0)
		fprintf(stderr, "aisnode: cannot listen on %s:%d: %s\n", host && *host ? host : "*", port, err_str(rc));
	return rc;
}

static int listen_ports(http_server_t *srv, const config_t *cfg)
{
	/* net.use_ipv6 without a hostname: listen on every IPv6 address (and IPv4, dual-stack) */
	const char *pub = cfg->host[0] ? cfg->host : cfg->net_use_ipv6 ? "::" : cfg->host;
	if (listen_port(srv, pub, cfg->port) < 0)
		return -1;
	if (cfg->port_ctl && cfg->port_ctl != cfg->port &&
	    listen_port(srv, cfg->host_ctl[0] ? cfg->host_ctl : pub, cfg->port_ctl) < 0)
		return -1;
	if (cfg->port_data && cfg->port_data != cfg->port && cfg->port_data != cfg->port_ctl &&
	    listen_port(srv, cfg->host_data[0] ? cfg->host_data : pub, cfg->port_data) < 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = {0};
	char err[512] = "";
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (config_load(a.config, a.local_config, err, sizeof(err))) {
		fprintf(stderr, "aisnode: %s\n", err);
		return 2;
	}
	const config_t *cfg = config_get(); /* the start-up version: held until exit */
	if (setup_logging(cfg)) {
		fprintf(stderr, "aisnode: cannot open log in %s\n", cfg->log_dir);
		return 2;
	}
	raise_nofile();
	/* net.http.use_https: every port and every intra-cluster client speaks TLS (docs/https.md);
	 * before the node's identity, whose URLs carry the scheme */
	tls_conf_t tc = {.enabled = cfg->net_http_use_https, .crt = cfg->net_http_server_crt,
			 .key = cfg->net_http_server_key, .ca = cfg->net_http_client_ca_tls,
			 .client_auth = cfg->net_http_client_auth_tls, .skip_verify = cfg->net_http_skip_verify,
			 .ktls = true};
	if (tls_init(&tc, err, sizeof(err))) {
		fprintf(stderr, "aisnode: https: %s\n", err);
		log_err("https: %s", err);
		return 2;
	}
	config_set_listener(on_config);
	node_role_t role = !strcmp(a.role, "proxy") ? ROLE_PROXY : ROLE_TARGET;
	if (node_init(role, cfg)) {
		fprintf(stderr, "aisnode: cannot establish node identity in %s\n", cfg->confdir);
		return 2;
	}
	http_set_node_name(node_name());
	/* the cluster secret: every intra-cluster request is signed with it (docs/security.md) */
	if (ckey_load(cfg->confdir, err, sizeof(err))) {
		fprintf(stderr, "aisnode: %s\n", err);
		log_err("%s", err);
		return 2;
	}
	isig_set_sender(node_id());
	route_set_auth_hook(agate_check); /* auth.enabled: JWT access control (auth/agate.h) */
	oidc_start(); /* JWKS prefetch and background refresh of auth.oidc issuers (auth/oidc.h) */

	/* the ports first: a second node on them must stop before it touches anything */
	http_config_t hc = {.dispatch = route_dispatch, .server_name = NULL, .on_write_err = stats_http_write_err};
	if (role == ROLE_PROXY)
		hc.npool = 16; /* blocking control-plane handlers (bucket ops, list merges, job control);
				* S3 object forwarding runs on the loops (http_proxy_pass) */
	http_config_env(&hc);
	http_server_t *srv = http_server_new(&hc);
	if (!srv || listen_ports(srv, cfg)) {
		log_err("cannot listen on %s:%d/%d/%d", cfg->host, cfg->port, cfg->port_ctl, cfg->port_data);
		http_server_stop(srv);
		return 2;
	}
	hclient_global_init();

	/* SIGTERM/SIGINT are taken by sigwait below: block them before any thread starts */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP); /* reload the X.509 certificate (https) */
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (role == ROLE_TARGET) {
		bmd_set_listener(tgt_on_bmd);
		if ((rc = tgt_init(cfg))) {
			fprintf(stderr, "aisnode: target init failed: %s (see log in %s)\n", err_str(rc), cfg->log_dir);
			return 2;
		}
		daemon_set_target_hooks(tgt_mountpaths_json, tgt_capacity);
		/* target-to-target streams: PUT /v1/transport/<trname>; peers reply to our data URL */
		if ((rc = transport_init(node_id(), node_self()->data.url, cfg->transport_burst))) {
			fprintf(stderr, "aisnode: transport init failed: %s\n", err_str(rc));
			return 2;
		}
		/* objects between targets: "obj-put" (copy/rename to a peer), "obj-pull" (S3 copies) */
		if ((rc = tmove_init())) {
			fprintf(stderr, "aisnode: transport movers init failed: %s\n", err_str(rc));
			return 2;
		}
		tmoss_init(); /* GetBatch: /v1/ml/moss and the "moss" receive handler */
		/* erasure coding: the "ec" stream, the encoder, the object core's hook */
		if ((rc = tec_init())) {
			fprintf(stderr, "aisnode: EC init failed: %s\n", err_str(rc));
			return 2;
		}
	} else {
		proxy_init();
	}
	s3_init(role == ROLE_PROXY);
	restore_metadata(cfg);
	/* global rebalance (after the persisted RMD is in: a generation never runs twice) */
	if (role == ROLE_TARGET && (rc = treb_init(cfg))) {
		fprintf(stderr, "aisnode: rebalance init failed: %s\n", err_str(rc));
		return 2;
	}
	daemon_set_status_hook(stats_status_json);
	daemon_init();
	stats_init();
	revoke_init(); /* the revoked-token list rides in metasync (auth/revoke.h) */
	metasync_init();
	membership_init();
	vote_init();
	primary_init();

	if (http_server_start(srv)) {
		fprintf(stderr, "aisnode: cannot start the HTTP server\n");
		log_err("cannot start the HTTP server");
		return 2;
	}
	log_info("%s %s listening on %s (control %d, data %d)", role == ROLE_PROXY ? "proxy" : "target", node_name(),
		 node_self()->pub.url, cfg->port_ctl, cfg->port_data);
	if ((rc = membership_start())) {
		log_err("membership start failed: %s", err_str(rc));
		return 2;
	}
	int sig = 0;
	while (!sigwait(&sigs, &sig) && sig == SIGHUP) {
		if (!tls_on()) {
			log_info("%s: SIGHUP ignored (plain HTTP)", node_name());
			continue;
		}
		if (!tls_reload(NULL, NULL, err, sizeof(err)))
			log_info("%s: SIGHUP: X.509 certificate reloaded", node_name());
	}
	log_info("%s: signal %d, shutting down", node_name(), sig);
	membership_fini();
	metasync_fini();
	http_server_stop(srv);
	if (role == ROLE_TARGET) {
		tmoss_fini();
		tec_fini();
		treb_fini();
		tmove_fini();
		transport_fini();
		tgt_fini();
	}
	hclient_global_fini();
	tls_fini();
	log_fini();
	config_put(cfg);
	config_cleanup();
	return 0;
}
