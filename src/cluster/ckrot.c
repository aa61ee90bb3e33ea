/* ckrot: see ckrot.h. State: the primary's next rotation time (membership thread only). */
#include "cluster/ckrot.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/ckey.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "net/hclient.h"
#include "net/http.h"
#include "net/route.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CKROT_RETRY_NS (5LL * 1000000000LL)
#define CKROT_SEALED_MAX 256

static int64_t ckr_next; /* mono ns of the next rotation (0: not scheduled); membership thread */

static int64_t ckr_grace(void)
{
	const config_t *c = config_get();
	int64_t g = c && c->auth_ck_rotation_grace_ns > 0 ? c->auth_ck_rotation_grace_ns : 60000000000LL;
	config_put(c);
	return g;
}

/* ---------------------------------------------------------------- every node */

/* PUT /v1/daemon/cluster-key {"phase": "add"|"switch", "key": <sealed 64 hex digits>} */
static void ckr_recv_cb(http_req_t *r)
{
	json_error_t je;
	json_t *b = jsonx_loadb(r->body, r->body_len, &je);
	const char *phase = jsonx_str(b, "phase", ""), *sealed = jsonx_str(b, "key", "");
	char hex[2 * CKEY_LEN + 8], err[256] = "";
	int rc = AIS_EINVAL;
	if (strcmp(phase, "add") && strcmp(phase, "switch"))
		snprintf(err, sizeof(err), "cluster key: invalid phase");
	else if (!ckey_is_sealed(sealed) || ckey_open(sealed, hex, sizeof(hex)))
		snprintf(err, sizeof(err), "cluster key: the new secret does not open with this cluster's key");
	else
		rc = ckey_rotate(hex, !strcmp(phase, "switch"), now_ns(), ckr_grace(), err, sizeof(err));
	OPENSSL_cleanse(hex, sizeof(hex));
	json_decref(b);
	if (!rc)
		http_respond(r, 200, NULL, NULL, 0);
	else
		http_error(r, rc == AIS_ECONFLICT ? 409 : rc == AIS_EINVAL ? 400 : 500, NULL, "%s: %s", node_name(), err);
}

static void ckr_recv(http_req_t *r) { http_read_body(r, 4096, ckr_recv_cb, true); }

void ckrot_init(void) { route_add_intra(RM(HTTP_M_PUT), CKROT_PATH, ckr_recv, ROUTE_MEMBER); }

/* ---------------------------------------------------------------- the primary */

/* send phase to every other node of m still unacked (unacked[i] cleared when it answered 200);
 * the number still failing */
static int ckr_round(const smap_t *m, const char *phase, const char *sealed, bool *unacked)
{
	int n = m->nproxies + m->ntargets, nq = 0, fails = 0;
	hreq_t *q = calloc((size_t)n, sizeof(*q));
	int *idx = calloc((size_t)n, sizeof(*idx));
	char (*url)[160] = calloc((size_t)n, sizeof(*url));
	char body[CKROT_SEALED_MAX + 64];
	snprintf(body, sizeof(body), "{\"phase\":\"%s\",\"key\":\"%s\"}", phase, sealed);
	if (!q || !idx || !url) {
		free(q), free(idx), free(url);
		return n;
	}
	for (int i = 0; i < n; i++) {
		const snode_t *s = i < m->nproxies ? &m->proxies[i] : &m->targets[i - m->nproxies];
		if (!unacked[i])
			continue;
		snprintf(url[nq], sizeof(url[nq]), "%s%s", s->ctl.url, CKROT_PATH);
		q[nq] = (hreq_t){.method = "PUT", .url = url[nq], .body = body, .body_len = strlen(body), .timeout_ms = 5000};
		idx[nq++] = i;
	}
	if (nq)
		hclient_fanout(q, nq);
	for (int k = 0; k < nq; k++) {
		if (!q[k].rc && q[k].status == 200) {
			unacked[idx[k]] = false;
		} else {
			fails++;
			log_warn("cluster key rotation (%s): %s: %s %.*s", phase, url[k], q[k].rc ? q[k].errmsg : "status",
				 (int)(q[k].resp.len > 200 ? 200 : q[k].resp.len), q[k].resp.p ? q[k].resp.p : "");
		}
		hreq_fini(&q[k]);
	}
	OPENSSL_cleanse(body, sizeof(body));
	free(q), free(idx), free(url);
	return fails;
}

/* a fresh "not yet answered" flag per node of m: every node but this one */
static bool *ckr_unacked(const smap_t *m)
{
	int n = m->nproxies + m->ntargets;
	bool *t = calloc((size_t)n + 1, sizeof(*t));
	for (int i = 0; t && i < n; i++) {
		const snode_t *s = i < m->nproxies ? &m->proxies[i] : &m->targets[i - m->nproxies];
		t[i] = strcmp(s->id, node_id()) != 0;
	}
	return t;
}

/* one rotation: 0 done, or AIS_E* (abandoned before anyone switched, or a node missed the switch) */
static int ckr_rotate(void)
{
	uint8_t k[CKEY_LEN];
	char hex[2 * CKEY_LEN + 1], sealed[CKROT_SEALED_MAX], err[256] = "";
	if (RAND_bytes(k, sizeof(k)) != 1)
		return AIS_EINTERNAL;
	for (int i = 0; i < CKEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", k[i]);
	OPENSSL_cleanse(k, sizeof(k));
	smap_t *m = smap_get();
	bool *unacked = m ? ckr_unacked(m) : NULL;
	int rc = !m || !unacked ? AIS_EUNAVAIL : ckey_seal(hex, sealed, sizeof(sealed));
	if (!rc && (rc = ckey_rotate(hex, false, now_ns(), ckr_grace(), err, sizeof(err))))
		log_err("cluster key rotation: %s", err);
	if (!rc && ckr_round(m, "add", sealed, unacked)) {
		log_warn("cluster key rotation: not every node accepts the new secret: abandoned (nothing switched)");
		rc = AIS_EUNAVAIL;
	}
	if (!rc) {
		free(unacked);
		unacked = ckr_unacked(m);
		int left = unacked ? ckr_round(m, "switch", sealed, unacked) : 1;
		for (int t = 0; left && t < 3; t++) {
			usleep(200 * 1000);
			left = ckr_round(m, "switch", sealed, unacked);
		}
		if ((rc = ckey_rotate(hex, true, now_ns(), ckr_grace(), err, sizeof(err))))
			log_err("cluster key rotation: %s", err);
		if (left)
			log_err("cluster key rotation: %d node(s) still sign with the previous secret (accepted for "
				"auth.cluster_key.rotation_grace)", left);
		if (!rc)
			log_info("cluster key rotation: every node signs with the new secret (Smap v%lld)",
				 (long long)m->version);
	}
	OPENSSL_cleanse(hex, sizeof(hex));
	OPENSSL_cleanse(sealed, sizeof(sealed));
	free(unacked);
	smap_put(m);
	return rc;
}

void ckrot_tick(void)
{
	const config_t *c = config_get();
	int64_t ttl = c ? c->auth_ck_ttl_ns : 0;
	config_put(c);
	int64_t now = mono_ns();
	if (!ttl || !node_is_primary()) {
		ckr_next = 0;
		return;
	}
	if (!ckr_next || ckr_next > now + ttl) /* first tick, or the ttl got shorter */
		ckr_next = now + ttl;
	if (now < ckr_next)
		return;
	ckr_next = ckr_rotate() == AIS_EUNAVAIL ? now + CKROT_RETRY_NS : now + ttl;
}
