/* oidc: see oidc.h. Owns the per-issuer JWKS cache (a small table under one mutex; lookups copy
 * the PEM out) and the background refresh thread. Fetches run outside the table lock, one at a
 * time per issuer (its fetch mutex), with a libcurl handle of their own (never the intra-cluster
 * client: no cluster signature leaves the cluster).
 * Must not: fetch over plain HTTP; fetch an issuer that is not allowed; hold the table lock over
 * I/O; log a token. */
#include "auth/oidc.h"
#include "auth/jwks.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/util.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OI_ISS_MAX 512
#define OI_ROT_DFLT (30LL * 1000000000LL)
#define OI_BG_DFLT (15LL * 60 * 1000000000LL)

typedef struct oi_ent {
	char iss[OI_ISS_MAX];
	jwks_set_t set;         /* under oi_mu */
	int64_t fetched_ns;     /* last successful fetch (0: never) */
	int64_t tried_ns;       /* last fetch attempt */
	pthread_mutex_t fetch;  /* one fetch at a time */
} oi_ent_t;

static pthread_mutex_t oi_mu = PTHREAD_MUTEX_INITIALIZER;
static oi_ent_t oi_tab[OIDC_MAX_ISSUERS];
static int oi_n;
static pthread_once_t oi_once = PTHREAD_ONCE_INIT;

static int64_t oi_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int oi_fail(char *why, size_t wcap, const char *fmt, const char *a, const char *b)
{
	snprintf(why, wcap, fmt, a, b ? b : "");
	return AIS_EAUTH;
}

bool oidc_allowed(const char *allowed, const char *iss)
{
	size_t il = strlen(iss);
	for (const char *p = allowed ? allowed : ""; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n == il && !memcmp(p, iss, n))
			return true;
		p += n + (nl ? 1 : 0);
	}
	return false;
}

/* ---------------------------------------------------------------- fetching */

static size_t oi_write(char *p, size_t sz, size_t nm, void *arg)
{
	sbuf_t *b = arg;
	size_t n = sz * nm;
	if (b->len + n > OIDC_DOC_MAX)
		return 0;
	sbuf_add(b, p, n);
	return n;
}

/* GET url (https only) into body: 0, or AIS_EIO with why filled */
static int oi_get(const char *url, const char *ca, sbuf_t *body, char *why, size_t wcap)
{
	CURL *c = curl_easy_init();
	if (!c)
		return oi_fail(why, wcap, "%s%s", "cannot create an HTTP client", NULL);
	char eb[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)OIDC_FETCH_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)OIDC_FETCH_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, oi_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, eb);
	if (ca && *ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	CURLcode cc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		snprintf(why, wcap, "GET %.200s: %.200s", url, *eb ? eb : curl_easy_strerror(cc));
		return AIS_EIO;
	}
	if (status < 200 || status >= 300) {
		snprintf(why, wcap, "GET %.200s: status %ld", url, status);
		return AIS_EIO;
	}
	return 0;
}

/* discovery, then the JWKS of iss into set: 0 or AIS_E* with why */
static int oi_fetch(const char *iss, const char *ca, jwks_set_t *set, char *why, size_t wcap)
{
	char url[OI_ISS_MAX + 64], juri[JWKS_URI_MAX];
	size_t il = strlen(iss);
	while (il && iss[il - 1] == '/')
		il--;
	snprintf(url, sizeof(url), "%.*s/.well-known/openid-configuration", (int)il, iss);
	sbuf_t b = SBUF_INIT;
	int rc = oi_get(url, ca, &b, why, wcap);
	if (!rc && jwks_parse_discovery(b.p ? b.p : "", b.len, juri, sizeof(juri))) {
		snprintf(why, wcap, "missing jwks_uri in issuer %.200s metadata", iss);
		rc = AIS_EINVAL;
	}
	if (!rc && strncmp(juri, "https://", 8)) {
		snprintf(why, wcap, "invalid JWKS URL received from discovery for issuer %.200s: must use HTTPS", iss);
		rc = AIS_EINVAL;
	}
	sbuf_fini(&b);
	if (rc)
		return rc;
	b = (sbuf_t)SBUF_INIT;
	rc = oi_get(juri, ca, &b, why, wcap);
	if (!rc && jwks_parse(b.p ? b.p : "", b.len, set)) {
		snprintf(why, wcap, "invalid JWKS document at %.200s", juri);
		rc = AIS_EINVAL;
	}
	sbuf_fini(&b);
	return rc;
}

/* ---------------------------------------------------------------- the table */

/* the entry of iss, created when missing (NULL: table full); under oi_mu */
static oi_ent_t *oi_ent(const char *iss)
{
	for (int i = 0; i < oi_n; i++)
		if (!strcmp(oi_tab[i].iss, iss))
			return &oi_tab[i];
	if (oi_n == OIDC_MAX_ISSUERS || strlen(iss) >= OI_ISS_MAX)
		return NULL;
	oi_ent_t *e = &oi_tab[oi_n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->iss, sizeof(e->iss), "%s", iss);
	pthread_mutex_init(&e->fetch, NULL);
	return e;
}

/* refresh e's set unless one newer than since_ns was fetched meanwhile: 0 or AIS_E* with why */
static int oi_refresh(oi_ent_t *e, const char *ca, int64_t since_ns, char *why, size_t wcap)
{
	pthread_mutex_lock(&e->fetch);
	pthread_mutex_lock(&oi_mu);
	bool fresh = e->fetched_ns > since_ns;
	e->tried_ns = oi_now();
	pthread_mutex_unlock(&oi_mu);
	if (fresh) {
		pthread_mutex_unlock(&e->fetch);
		return 0;
	}
	jwks_set_t *ns = malloc(sizeof(*ns));
	int rc = ns ? oi_fetch(e->iss, ca, ns, why, wcap) : AIS_ENOMEM;
	if (!rc) {
		pthread_mutex_lock(&oi_mu);
		jwks_set_free(&e->set);
		e->set = *ns;
		e->fetched_ns = oi_now();
		pthread_mutex_unlock(&oi_mu);
		log_info("oidc: fetched %d key(s) of issuer %s", ns->n, e->iss);
	} else {
		log_warn("oidc: issuer %s: %s", e->iss, why);
	}
	free(ns);
	pthread_mutex_unlock(&e->fetch);
	return rc;
}

/* copy the key kid of e out (under oi_mu): true when found */
static bool oi_copy(oi_ent_t *e, const char *kid, char *pem, size_t pcap, char *alg, size_t acap)
{
	const jwks_key_t *k = jwks_find(&e->set, kid);
	if (!k || strlen(k->pem) >= pcap)
		return false;
	snprintf(pem, pcap, "%s", k->pem);
	snprintf(alg, acap, "%s", k->alg);
	return true;
}

int oidc_key(const oidc_params_t *p, const char *iss, const char *kid, char *pem, size_t pcap, char *alg, size_t acap,
	     char *why, size_t wcap)
{
	int64_t rot = p->rot_ns > 0 ? p->rot_ns : OI_ROT_DFLT;
	pthread_mutex_lock(&oi_mu);
	oi_ent_t *e = oi_ent(iss);
	if (!e) {
		pthread_mutex_unlock(&oi_mu);
		return oi_fail(why, wcap, "too many issuers (max %s)%s", "16", NULL);
	}
	if (oi_copy(e, kid, pem, pcap, alg, acap)) {
		pthread_mutex_unlock(&oi_mu);
		return 0;
	}
	int64_t now = oi_now(), fetched = e->fetched_ns, tried = e->tried_ns;
	pthread_mutex_unlock(&oi_mu);
	/* never fetched: fetch now (a failed attempt is retried after min_rotation_refresh); a kid
	 * not in the cached set: re-fetch at most once per min_rotation_refresh */
	if (tried && now - tried < rot)
		return oi_fail(why, wcap, "unrecognized key id %.128s for issuer %.200s (JWKS refresh throttled)", kid, iss);
	char ferr[512];
	if (oi_refresh(e, p->ca, fetched, ferr, sizeof(ferr))) {
		snprintf(why, wcap, "failed to get keyset for issuer %.200s: %.200s", iss, ferr);
		return AIS_EAUTH;
	}
	pthread_mutex_lock(&oi_mu);
	bool ok = oi_copy(e, kid, pem, pcap, alg, acap);
	pthread_mutex_unlock(&oi_mu);
	return ok ? 0 : oi_fail(why, wcap, "unrecognized key id %.128s for issuer %.200s", kid, iss);
}

void oidc_cache_clear(void)
{
	pthread_mutex_lock(&oi_mu);
	for (int i = 0; i < oi_n; i++) {
		jwks_set_free(&oi_tab[i].set);
		oi_tab[i].fetched_ns = oi_tab[i].tried_ns = 0;
	}
	pthread_mutex_unlock(&oi_mu);
}

/* ---------------------------------------------------------------- background refresh */

/* one pass: prefetch configured issuers never fetched, re-fetch sets older than the period */
static void oi_tick(void)
{
	const config_t *cfg = config_get();
	if (!cfg)
		return;
	char allowed[CONFIG_LIST_MAX], ca[sizeof(cfg->auth_oidc_ca)];
	bool on = cfg->auth_enabled && !cfg->auth_sig_key[0] && cfg->auth_oidc_iss[0];
	snprintf(allowed, sizeof(allowed), "%s", cfg->auth_oidc_iss);
	snprintf(ca, sizeof(ca), "%s", cfg->auth_oidc_ca);
	int64_t rot = cfg->auth_jwks_rot_ns > 0 ? cfg->auth_jwks_rot_ns : OI_ROT_DFLT;
	int64_t bg = cfg->auth_jwks_bg_ns > 0 ? cfg->auth_jwks_bg_ns : OI_BG_DFLT;
	config_put(cfg);
	if (!on)
		return;
	for (char *p = allowed, *nl; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		pthread_mutex_lock(&oi_mu);
		oi_ent_t *e = oi_ent(p);
		int64_t now = oi_now(), fetched = e ? e->fetched_ns : 0, tried = e ? e->tried_ns : 0;
		pthread_mutex_unlock(&oi_mu);
		if (!e)
			continue;
		bool due = fetched ? now - fetched >= bg : (!tried || now - tried >= rot);
		char why[512];
		if (due)
			oi_refresh(e, ca, fetched, why, sizeof(why));
	}
}

static void *oi_main(void *arg)
{
	(void)arg;
	for (;;) {
		oi_tick();
		sleep(1);
	}
	return NULL;
}

static void oi_start_once(void)
{
	pthread_t th;
	if (!pthread_create(&th, NULL, oi_main, NULL))
		pthread_detach(th);
}

void oidc_start(void)
{
	pthread_once(&oi_once, oi_start_once);
}
