/* rsig: see rsig.h. Owns the per-thread MAC contexts (built from the current key set, rebuilt
 * when ckey_gen() changes, freed at thread exit), the per-thread nonce counters and the replay
 * memory of the redirects this node accepted. Must not: accept a redirect twice within its
 * window; allocate per request on the data path. */
#include "net/rsig.h"
#include "core/ckey.h"
#include "core/config.h"
#include "core/err.h"
#include "core/replay.h"
#include "core/util.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RSIG_B64_CAP 48 /* ckey_b64url's room for 32 bytes (it counts the padding) */
#define RS_WINDOW_DFLT (60LL * 1000000000LL) /* auth.cluster_key.nonce_window's default */

typedef struct rs_tls {
	uint64_t gen;                 /* ckey_gen() the contexts were made for */
	int n;
	EVP_MAC_CTX *ctx[CKEY_MAX];   /* keyed; re-initialized per MAC without the key */
	int64_t until[CKEY_MAX];
	uint64_t nonce;               /* next nonce of this thread */
} rs_tls_t;

static pthread_key_t rs_key;
static pthread_once_t rs_once = PTHREAD_ONCE_INIT;
static EVP_MAC *rs_mac;
static replay_t *rs_replay;

static void rs_tls_free(void *p)
{
	rs_tls_t *t = p;
	for (int i = 0; t && i < t->n; i++)
		EVP_MAC_CTX_free(t->ctx[i]);
	free(t);
}

static void rs_init(void)
{
	pthread_key_create(&rs_key, rs_tls_free);
	rs_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	rs_replay = replay_new(0);
}

/* this thread's contexts for the current key set; NULL without keys (or memory) */
static rs_tls_t *rs_tls(int64_t now)
{
	pthread_once(&rs_once, rs_init);
	rs_tls_t *t = pthread_getspecific(rs_key);
	if (!t) {
		if (!(t = calloc(1, sizeof(*t))))
			return NULL;
		if (RAND_bytes((unsigned char *)&t->nonce, sizeof(t->nonce)) != 1 || pthread_setspecific(rs_key, t)) {
			free(t);
			return NULL;
		}
	}
	uint64_t g = ckey_gen();
	if (g == t->gen)
		return t->n ? t : NULL;
	for (int i = 0; i < t->n; i++)
		EVP_MAC_CTX_free(t->ctx[i]);
	t->n = 0;
	t->gen = g;
	char dg[] = "SHA256";
	OSSL_PARAM ps[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, dg, 0), OSSL_PARAM_construct_end()};
	for (int i = 0; i < CKEY_MAX && rs_mac; i++) {
		uint8_t k[CKEY_LEN];
		int64_t until = 0;
		if (ckey_derived(CKEY_REDIR, i, now, k, &until))
			break;
		EVP_MAC_CTX *c = EVP_MAC_CTX_new(rs_mac);
		if (c && EVP_MAC_init(c, k, CKEY_LEN, ps) == 1) {
			t->ctx[t->n] = c;
			t->until[t->n++] = until;
		} else {
			EVP_MAC_CTX_free(c);
		}
		OPENSSL_cleanse(k, sizeof(k));
	}
	return t->n ? t : NULL;
}

static int rs_upd(EVP_MAC_CTX *c, const char *s)
{
	return EVP_MAC_update(c, (const unsigned char *)(s ? s : ""), strlen(s ? s : "") + 1) == 1 ? 0 : -1;
}

/* base64url MAC of the fields with context i of t into out (RSIG_B64_CAP bytes) */
static int rs_mac_b64(rs_tls_t *t, int i, const char *const f[8], char *out)
{
	EVP_MAC_CTX *c = t->ctx[i];
	uint8_t mac[CKEY_MAC_LEN];
	size_t ml = 0;
	if (EVP_MAC_init(c, NULL, 0, NULL) != 1)
		return AIS_EINTERNAL;
	for (int k = 0; k < 8; k++)
		if (rs_upd(c, f[k]))
			return AIS_EINTERNAL;
	if (EVP_MAC_final(c, mac, &ml, sizeof(mac)) != 1 || ml != sizeof(mac))
		return AIS_EINTERNAL;
	return ckey_b64url(mac, sizeof(mac), out, RSIG_B64_CAP) == RSIG_MAC_B64 ? 0 : AIS_EINTERNAL;
}

int rsig_sign(sbuf_t *loc, const char *method, const char *path, const char *pid, const char *node, int64_t utm_ns,
	      const char *vpams)
{
	rs_tls_t *t = rs_tls(utm_ns);
	if (!t)
		return AIS_EUNAVAIL;
	char utm[24], x[16], u[RSIG_B64_CAP];
	snprintf(utm, sizeof(utm), "%lld", (long long)utm_ns);
	u64_base36(t->nonce++, x, sizeof(x));
	const char *f[8] = {"ais-redirect-v1", method, path, pid, node, utm, vpams ? vpams : "", x};
	int rc = rs_mac_b64(t, 0, f, u);
	if (rc)
		return rc;
	sbuf_addf(loc, "pid=%s&utm=%s%s%s&x=%s&u=%s", pid, utm, vpams && *vpams ? "&vpams=" : "", vpams ? vpams : "", x,
		  u);
	return loc->oom ? AIS_ENOMEM : 0;
}

bool rsig_present(const http_req_t *r)
{
	for (int i = 0; i < r->nquery; i++) {
		const char *n = r->query[i].name;
		if (!strcmp(n, "pid") || !strcmp(n, "utm") || !strcmp(n, "x") || !strcmp(n, "u"))
			return true;
	}
	return false;
}

static int rs_fail(char *why, size_t wcap, const char *msg)
{
	snprintf(why, wcap, "invalid redirect: %s", msg);
	return AIS_EAUTH;
}

/* a base-36 nonce (AIStore's base for signed integers) into v; false when malformed */
static bool rs_nonce(const char *x, uint64_t *v)
{
	size_t n = strlen(x);
	if (!n || n > 13)
		return false;
	unsigned __int128 acc = 0;
	for (size_t i = 0; i < n; i++) {
		char c = x[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : -1;
		if (d < 0)
			return false;
		acc = acc * 36 + (unsigned)d;
	}
	if (acc > UINT64_MAX)
		return false;
	*v = (uint64_t)acc;
	return true;
}

int rsig_verify_parts(const char *method, const char *path, const char *pid, const char *node, const char *utm,
		      const char *vpams, const char *x, const char *u, int64_t now, int64_t window, char *why,
		      size_t wcap)
{
	if (!pid || !*pid || !utm || !*utm)
		return rs_fail(why, wcap, "missing pid or utm");
	if (!x || !u)
		return rs_fail(why, wcap, "not signed (the cluster's redirects carry x and u)");
	int64_t ts;
	uint64_t nv;
	if (parse_i64(utm, &ts) || ts <= 0)
		return rs_fail(why, wcap, "malformed utm");
	if (!rs_nonce(x, &nv))
		return rs_fail(why, wcap, "malformed nonce");
	if (strlen(u) != RSIG_MAC_B64)
		return rs_fail(why, wcap, "malformed signature");
	rs_tls_t *t = rs_tls(now);
	if (!t)
		return rs_fail(why, wcap, "no cluster key");
	const char *f[8] = {"ais-redirect-v1", method, path, pid, node, utm, vpams ? vpams : "", x};
	bool ok = false;
	for (int i = 0; i < t->n && !ok; i++) {
		char want[RSIG_B64_CAP];
		if (t->until[i] && now >= t->until[i])
			continue;
		ok = !rs_mac_b64(t, i, f, want) && ckey_equal(want, u, RSIG_MAC_B64);
	}
	if (!ok)
		return rs_fail(why, wcap, "HMAC signature mismatch");
	if (ts > now + window || now - ts > window)
		return rs_fail(why, wcap, "expired (or the clocks are more than auth.cluster_key.nonce_window apart)");
	/* the nonce alone: each signing thread counts from its own random 64-bit start, so nonces
	 * do not repeat within a window (mixing in utm could make two redirects collide) */
	int rc = rs_replay ? replay_check(rs_replay, nv, now, ts + window) : AIS_ENOMEM;
	if (rc == AIS_EEXIST)
		return rs_fail(why, wcap, "replayed (a redirect URL is good once)");
	if (rc) {
		snprintf(why, wcap, "too many redirects to remember (replay protection is full): retry");
		return AIS_EAGAIN;
	}
	return 0;
}

int rsig_verify(const http_req_t *r, const char *self, char *why, size_t wcap)
{
	const config_t *cfg = config_get();
	int64_t win = cfg && cfg->auth_ck_nonce_window_ns > 0 ? cfg->auth_ck_nonce_window_ns : RS_WINDOW_DFLT;
	config_put(cfg);
	return rsig_verify_parts(r->method_str, r->path, http_query_get(r, "pid"), self, http_query_get(r, "utm"),
				 http_query_get(r, "vpams"), http_query_get(r, "x"), http_query_get(r, "u"),
				 (int64_t)now_ns(), win, why, wcap);
}
