/* isig: see isig.h. Owns the node's sender id (set once) and the replay memory of the
 * signatures it accepted. Must not: accept a signature twice within its window; log a mac. */
#include "net/isig.h"
#include "core/ckey.h"
#include "core/config.h"
#include "core/err.h"
#include "core/replay.h"
#include "core/util.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ISIG_ID_MAX 64

static char is_sender[ISIG_ID_MAX];
static replay_t *is_replay;
static pthread_once_t is_once = PTHREAD_ONCE_INIT;

static void is_init(void) { is_replay = replay_new(1u << 20); }

void isig_set_sender(const char *id) { snprintf(is_sender, sizeof(is_sender), "%s", id ? id : ""); }
const char *isig_sender(void) { return is_sender; }

const char *isig_url_target(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return url;
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

/* the signed bytes; -1 when they do not fit */
static int is_data(char *buf, size_t cap, const char *method, const char *target, const char *sender,
		   long long ms, const char *nonce)
{
	int n = snprintf(buf, cap, "ais-intra-v1\n%s\n%s\n%s\n%lld\n%s", method, target, sender, ms, nonce);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

static int is_mac(int which, const char *data, size_t n, char *out, size_t cap)
{
	uint8_t mac[CKEY_MAC_LEN];
	int rc = ckey_intra_mac(which, (int64_t)now_ns(), data, n, mac);
	if (!rc && !ckey_b64url(mac, sizeof(mac), out, cap))
		rc = AIS_EINTERNAL;
	return rc;
}

int isig_line(const char *method, const char *target, char *out, size_t cap)
{
	char nonce[20], mac[48];
	uint64_t nv = 0;
	long long ms = (long long)(now_ns() / 1000000);
	out[0] = '\0';
	if (!ckey_loaded())
		return AIS_EUNAVAIL;
	if (RAND_bytes((unsigned char *)&nv, sizeof(nv)) != 1)
		return AIS_EINTERNAL;
	snprintf(nonce, sizeof(nonce), "%016llx", (unsigned long long)nv);
	size_t tl = strlen(target) + strlen(method) + strlen(is_sender) + 96;
	char *data = malloc(tl);
	int n = data ? is_data(data, tl, method, target, is_sender, ms, nonce) : -1;
	int rc = n < 0 ? AIS_ENOMEM : is_mac(0, data, (size_t)n, mac, sizeof(mac));
	free(data);
	if (rc)
		return rc;
	int k = snprintf(out, cap, "%s: v1 %s %lld %s %s", ISIG_HDR, is_sender, ms, nonce, mac);
	if (k < 0 || (size_t)k >= cap) {
		out[0] = '\0';
		return AIS_EINVAL;
	}
	return 0;
}

static int is_fail(char *why, size_t wcap, const char *msg)
{
	snprintf(why, wcap, "invalid intra-cluster signature: %s", msg);
	return AIS_EAUTH;
}

static bool is_id_ok(const char *s, size_t n)
{
	if (!n || n >= ISIG_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

int isig_verify_parts(const char *method, const char *target, const char *value, long long now_ms,
		      long long window_ms, char *sender, size_t scap, char *why, size_t wcap)
{
	char ver[4], sid[ISIG_ID_MAX], tss[24], nonce[20], mac[48], want[48];
	const char *f[5];
	size_t fl[5];
	const char *p = value;
	for (int i = 0; i < 5; i++) {
		while (*p == ' ')
			p++;
		f[i] = p;
		while (*p && *p != ' ')
			p++;
		fl[i] = (size_t)(p - f[i]);
		if (!fl[i])
			return is_fail(why, wcap, "malformed");
	}
	while (*p == ' ')
		p++;
	if (*p || fl[0] != 2 || memcmp(f[0], "v1", 2) || !is_id_ok(f[1], fl[1]) || fl[2] >= sizeof(tss) ||
	    fl[3] != 16 || fl[4] != 43)
		return is_fail(why, wcap, "malformed");
	memcpy(ver, f[0], 2);
	ver[2] = '\0';
	memcpy(sid, f[1], fl[1]);
	sid[fl[1]] = '\0';
	memcpy(tss, f[2], fl[2]);
	tss[fl[2]] = '\0';
	memcpy(nonce, f[3], 16);
	nonce[16] = '\0';
	memcpy(mac, f[4], 43);
	mac[43] = '\0';
	int64_t ts;
	if (parse_i64(tss, &ts) || ts <= 0)
		return is_fail(why, wcap, "malformed time");
	uint64_t nv = 0;
	for (int i = 0; i < 16; i++) {
		char c = nonce[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return is_fail(why, wcap, "malformed nonce");
		nv = nv << 4 | (uint64_t)d;
	}
	size_t tl = strlen(target) + strlen(method) + strlen(sid) + 96;
	char *data = malloc(tl);
	int n = data ? is_data(data, tl, method, target, sid, (long long)ts, nonce) : -1;
	if (n < 0) {
		free(data);
		return is_fail(why, wcap, "too long");
	}
	bool ok = false;
	for (int which = 0; which < CKEY_MAX && !ok; which++)
		ok = !is_mac(which, data, (size_t)n, want, sizeof(want)) && ckey_equal(want, mac, 43);
	free(data);
	if (!ok)
		return is_fail(why, wcap, "signature mismatch (a node of another cluster, or no cluster key)");
	if (ts < now_ms - window_ms || ts > now_ms + window_ms)
		return is_fail(why, wcap, "outside the time window (clocks too far apart?)");
	pthread_once(&is_once, is_init);
	int rc = is_replay ? replay_check(is_replay, nv, now_ms * 1000000LL, (ts + window_ms) * 1000000LL)
			   : AIS_ENOMEM;
	if (rc == AIS_EEXIST)
		return is_fail(why, wcap, "replayed");
	if (rc)
		return is_fail(why, wcap, "too many requests to remember (replay protection is full)");
	if (sender)
		snprintf(sender, scap, "%s", sid);
	return 0;
}

int isig_verify(const http_req_t *r, char *sender, size_t scap, char *why, size_t wcap)
{
	const char *v = http_hdr_get(r, ISIG_HDR);
	if (!v)
		return 1;
	size_t pl = strlen(r->raw_path), ql = strlen(r->raw_query);
	char small[1024], *t = pl + ql + 2 <= sizeof(small) ? small : malloc(pl + ql + 2);
	if (!t)
		return is_fail(why, wcap, "out of memory");
	memcpy(t, r->raw_path, pl);
	if (ql) {
		t[pl] = '?';
		memcpy(t + pl + 1, r->raw_query, ql + 1);
	} else {
		t[pl] = '\0';
	}
	const config_t *cfg = config_get();
	long long win = cfg && cfg->auth_ck_nonce_window_ns > 0 ? cfg->auth_ck_nonce_window_ns / 1000000 : ISIG_WINDOW_MS;
	config_put(cfg);
	int rc = isig_verify_parts(r->method_str, t, v, (long long)(now_ns() / 1000000), win, sender, scap, why, wcap);
	if (t != small)
		free(t);
	return rc;
}
