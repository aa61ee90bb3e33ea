/* ld_ep: the HTTP endpoints aisloader talks to (the proxy or S3 server, and each target) and
 * URL splitting. An endpoint is resolved once (getaddrinfo) before the run; during the run the
 * table is read-only and shared by all loop threads. */
#ifndef AIS_LD_EP_H
#define AIS_LD_EP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define LD_EP_MAX 512

typedef struct ld_ep {
	char host[256];
	int port;
	char hostport[300]; /* Host header value */
	struct sockaddr_storage sa;
	socklen_t salen;
	bool tls;           /* https:// (net/tls.h client context, ld_ep_tls_init) */
} ld_ep_t;

/* split "http://host[:port][/path...]" (or "https://", default port 443) into host, port
 * (default 80) and the rest (path+query, "/" when empty; pass NULL to ignore). 0 or AIS_EINVAL. */
int ld_ep_split(const char *url, char *host, size_t hcap, int *port, const char **rest);
/* fill ep from a URL and resolve it. 0, AIS_EINVAL (bad URL) or AIS_ENOTFOUND (no address). */
int ld_ep_init(ld_ep_t *ep, const char *url);
/* index of the endpoint with this host and port among eps[0..n), -1 if none */
int ld_ep_find(const ld_ep_t *eps, int n, const char *host, size_t hlen, int port);
/* https endpoints: the client TLS context from AIStore's client environment (AIS_CLIENT_CA,
 * AIS_SKIP_VERIFY_CRT, AIS_CRT, AIS_CRT_KEY). 0 or AIS_E* with err. */
int ld_ep_tls_init(char *err, size_t cap);

#endif
