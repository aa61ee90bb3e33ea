/* aisauth: the AuthN service (docs/authn.md; AIStore's cmd/authn). Thin main: config, manager,
 * routes, HTTP server on net.http.port (AIS_AUTHN_PORT), until SIGINT/SIGTERM. */
#include "authn/aconf.h"
#include "authn/amgr.h"
#include "authn/aserv.h"
#include "core/err.h"
#include "core/log.h"
#include "net/hclient.h"
#include "net/http.h"
#include "net/route.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(const char *prog)
{
	printf("aisauth: AIS Authentication Server (AuthN): token-based secure access to AIStore\n\n"
	       "USAGE:\n  %s -config <dir or authn.json>\n\n"
	       "  For initial setup, you must set the AIS_AUTHN_SU_PASS environment variable.\n\n"
	       "ENVIRONMENT (overrides the config file):\n"
	       "  AIS_AUTHN_CONF_DIR, AIS_AUTHN_PORT, AIS_AUTHN_EXTERNAL_URL, AIS_AUTHN_SECRET_KEY,\n"
	       "  AIS_AUTHN_PRIVATE_KEY_FILE, AIS_AUTHN_LOG_DIR, AIS_AUTHN_LOG_LEVEL, AIS_AUTHN_TTL,\n"
	       "  AIS_AUTHN_SU_NAME, AIS_AUTHN_SU_PASS\n",
	       prog);
}

static int open_log(const aconf_t *c)
{
	if (!c->log_dir[0])
		return log_init(NULL, c->log_level > 3 ? LOG_DBG : LOG_INFO);
	char path[PATH_MAX + 16];
	mkdir(c->log_dir, 0700);
	snprintf(path, sizeof(path), "%s/authn.log", c->log_dir);
	return log_init(path, c->log_level > 3 ? LOG_DBG : LOG_INFO);
}

int main(int argc, char **argv)
{
	const char *conf = NULL;
	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-config") || !strcmp(argv[i], "--config")) && i + 1 < argc)
			conf = argv[++i];
		else if (!strncmp(argv[i], "-config=", 8) || !strncmp(argv[i], "--config=", 9))
			conf = strchr(argv[i], '=') + 1;
		else {
			usage(argv[0]);
			return strstr(argv[i], "help") ? 0 : 2;
		}
	}
	if (!conf && !getenv("AIS_AUTHN_CONF_DIR")) {
		usage(argv[0]);
		return 0;
	}
	static aconf_t cfg;
	char err[1024] = "";
	if (aconf_load(&cfg, conf, err, sizeof(err))) {
		fprintf(stderr, "aisauth: invalid config: %s\n", err);
		return 2;
	}
	if (open_log(&cfg)) {
		fprintf(stderr, "aisauth: cannot open the log in %s\n", cfg.log_dir);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	hclient_global_init();
	amgr_t *m = NULL;
	if (amgr_open(&cfg, &m, err, sizeof(err))) {
		fprintf(stderr, "aisauth: %s\n", err);
		log_err("AuthN service failed to start: %s", err);
		return 2;
	}
	http_set_node_name("AuthN");
	aserv_init(m);
	http_config_t hc = {.dispatch = route_dispatch, .nloops = 1, .npool = 4};
	http_config_env(&hc);
	http_server_t *srv = http_server_new(&hc);
	int rc = srv ? http_server_listen(srv, NULL, cfg.port) : AIS_ENOMEM;
	if (rc < 0 || http_server_start(srv)) {
		fprintf(stderr, "aisauth: cannot listen on port %d: %s\n", cfg.port, err_str(rc));
		return 2;
	}
	log_info("AuthN: listening on :%d (issuer %s, %s)", cfg.port, cfg.external_url, cfg.secret[0] ? "HS256" : "RS256");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	int sig = 0;
	sigwait(&set, &sig);
	log_info("AuthN: signal %d, shutting down", sig);
	http_server_stop(srv);
	amgr_close(m);
	hclient_global_fini();
	aconf_fini(&cfg);
	log_fini();
	return 0;
}
