/* ld_ep: endpoint resolution and URL splitting (see ld_ep.h). */
#include "loader/ld_ep.h"
#include "core/err.h"
#include "net/tls.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ld_ep_split(const char *url, char *host, size_t hcap, int *port, const char **rest)
{
	bool tls = !strncmp(url, "https://", 8);
	if (strncmp(url, "http://", 7) && !tls)
		return AIS_EINVAL;
	const char *h = url + (tls ? 8 : 7), *e = h;
	if (*h == '[') { /* IPv6 literal */
		e = strchr(h, ']');
		if (!e)
			return AIS_EINVAL;
		h++;
	} else {
		while (*e && *e != ':' && *e != '/' && *e != '?')
			e++;
	}
	size_t hl = (size_t)(e - h);
	if (hl == 0 || hl >= hcap)
		return AIS_EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (*e == ']')
		e++;
	*port = tls ? 443 : 80;
	if (*e == ':') {
		char *end;
		long v = strtol(e + 1, &end, 10);
		if (end == e + 1 || v <= 0 || v > 65535)
			return AIS_EINVAL;
		*port = (int)v;
		e = end;
	}
	if (*e && *e != '/' && *e != '?')
		return AIS_EINVAL;
	if (rest)
		*rest = *e ? e : "/";
	return 0;
}

int ld_ep_init(ld_ep_t *ep, const char *url)
{
	memset(ep, 0, sizeof(*ep));
	if (ld_ep_split(url, ep->host, sizeof(ep->host), &ep->port, NULL))
		return AIS_EINVAL;
	ep->tls = !strncmp(url, "https://", 8);
	if (strchr(ep->host, ':'))
		snprintf(ep->hostport, sizeof(ep->hostport), "[%s]:%d", ep->host, ep->port);
	else
		snprintf(ep->hostport, sizeof(ep->hostport), "%s:%d", ep->host, ep->port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	char ps[16];
	snprintf(ps, sizeof(ps), "%d", ep->port);
	if (getaddrinfo(ep->host, ps, &hints, &res) || !res)
		return AIS_ENOTFOUND;
	/* prefer IPv4 (servers here listen on 127.0.0.1) */
	struct addrinfo *pick = res;
	for (struct addrinfo *a = res; a; a = a->ai_next)
		if (a->ai_family == AF_INET) {
			pick = a;
			break;
		}
	memcpy(&ep->sa, pick->ai_addr, pick->ai_addrlen);
	ep->salen = pick->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int ld_ep_tls_init(char *err, size_t cap)
{
	const char *ca = getenv("AIS_CLIENT_CA"), *skip = getenv("AIS_SKIP_VERIFY_CRT");
	bool sk = skip && (!strcasecmp(skip, "true") || !strcmp(skip, "1") || !strcasecmp(skip, "yes"));
	return tls_client_init(ca, getenv("AIS_CRT"), getenv("AIS_CRT_KEY"), sk, err, cap);
}

int ld_ep_find(const ld_ep_t *eps, int n, const char *host, size_t hlen, int port)
{
	for (int i = 0; i < n; i++)
		if (eps[i].port == port && strlen(eps[i].host) == hlen && !strncmp(eps[i].host, host, hlen))
			return i;
	return -1;
}
