/* test_rsig: signed redirects (net/rsig.c): a signed Location verifies once, for its method,
 * path, signer and target node only, within the window after utm, with any accepted secret;
 * unsigned, tampered, expired, replayed and malformed ones are refused (AIS_EAUTH). */
#include "core/ckey.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "net/rsig.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define W (60LL * 1000000000LL)

typedef struct {
	char pid[64], utm[32], vpams[16], x[32], u[64];
} parts_t;

static void key(int b, int prev)
{
	uint8_t k[CKEY_LEN], p[CKEY_LEN];
	memset(k, b, sizeof(k));
	memset(p, prev, sizeof(p));
	cr_assert_eq(ckey_set(k, prev ? p : NULL), 0);
}

/* sign and split the appended query into its parts */
static void sign(const char *m, const char *path, const char *node, int64_t utm, const char *vpams, parts_t *p)
{
	sbuf_t s = SBUF_INIT;
	cr_assert_eq(rsig_sign(&s, m, path, "pPROXY", node, utm, vpams), 0);
	memset(p, 0, sizeof(*p));
	char *q = strdup(sbuf_str(&s)), *save = NULL;
	for (char *kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		cr_assert(eq);
		*eq = '\0';
		char *dst = !strcmp(kv, "pid") ? p->pid : !strcmp(kv, "utm") ? p->utm : !strcmp(kv, "vpams") ? p->vpams :
			    !strcmp(kv, "x") ? p->x : !strcmp(kv, "u") ? p->u : NULL;
		cr_assert(dst, "%s", kv);
		snprintf(dst, 32, "%s", eq + 1);
		if (dst == p->u)
			snprintf(p->u, sizeof(p->u), "%s", eq + 1);
	}
	free(q);
	sbuf_fini(&s);
}

static int verify(const char *m, const char *path, const char *node, const parts_t *p, int64_t now)
{
	char why[200];
	return rsig_verify_parts(m, path, p->pid, node, p->utm, p->vpams[0] ? p->vpams : NULL, p->x, p->u, now, W, why,
				 sizeof(why));
}

Test(rsig, once)
{
	key(1, 0);
	int64_t t0 = (int64_t)now_ns();
	parts_t p;
	sign("GET", "/v1/objects/b/o 1", "tT1", t0, "2a", &p);
	cr_assert_eq(verify("GET", "/v1/objects/b/o 1", "tT1", &p, t0 + 1000), 0);
	cr_assert_eq(verify("GET", "/v1/objects/b/o 1", "tT1", &p, t0 + 2000), AIS_EAUTH); /* replayed */
	/* every redirect has its own nonce */
	parts_t p2;
	sign("GET", "/v1/objects/b/o 1", "tT1", t0, "2a", &p2);
	cr_assert_str_neq(p.x, p2.x);
	cr_assert_eq(verify("GET", "/v1/objects/b/o 1", "tT1", &p2, t0 + 1000), 0);
}

Test(rsig, tampered)
{
	key(2, 0);
	int64_t t0 = (int64_t)now_ns();
	parts_t p, q;
	sign("PUT", "/v1/objects/b/o", "tT1", t0, "7", &p);
	cr_assert_eq(verify("GET", "/v1/objects/b/o", "tT1", &p, t0), AIS_EAUTH);  /* method */
	cr_assert_eq(verify("PUT", "/v1/objects/b/o2", "tT1", &p, t0), AIS_EAUTH); /* path */
	cr_assert_eq(verify("PUT", "/v1/objects/b/o", "tT2", &p, t0), AIS_EAUTH);  /* node */
	q = p;
	snprintf(q.pid, sizeof(q.pid), "pOTHER");
	cr_assert_eq(verify("PUT", "/v1/objects/b/o", "tT1", &q, t0), AIS_EAUTH);
	q = p;
	snprintf(q.utm, sizeof(q.utm), "%lld", (long long)t0 + 1);
	cr_assert_eq(verify("PUT", "/v1/objects/b/o", "tT1", &q, t0), AIS_EAUTH);
	q = p;
	snprintf(q.vpams, sizeof(q.vpams), "8");
	cr_assert_eq(verify("PUT", "/v1/objects/b/o", "tT1", &q, t0), AIS_EAUTH);
	q = p;
	q.x[0] = q.x[0] == 'a' ? 'b' : 'a';
	cr_assert_eq(verify("PUT", "/v1/objects/b/o", "tT1", &q, t0), AIS_EAUTH);
	q = p;
	q.u[5] = q.u[5] == 'A' ? 'B' : 'A';
	cr_assert_eq(verify("PUT", "/v1/objects/b/o", "tT1", &q, t0), AIS_EAUTH);
	/* another cluster's key */
	key(3, 0);
	cr_assert_eq(verify("PUT", "/v1/objects/b/o", "tT1", &p, t0), AIS_EAUTH);
	/* the old one as the second accepted secret: fine (once) */
	key(3, 2);
	cr_assert_eq(verify("PUT", "/v1/objects/b/o", "tT1", &p, t0), 0);
}

Test(rsig, expired_and_future)
{
	key(4, 0);
	int64_t t0 = (int64_t)now_ns();
	parts_t p;
	sign("GET", "/v1/objects/b/o", "tT1", t0, NULL, &p);
	cr_assert_eq(verify("GET", "/v1/objects/b/o", "tT1", &p, t0 + W + 1), AIS_EAUTH);
	cr_assert_eq(verify("GET", "/v1/objects/b/o", "tT1", &p, t0 - W - 1), AIS_EAUTH);
	cr_assert_eq(verify("GET", "/v1/objects/b/o", "tT1", &p, t0 + W - 1), 0);
}

Test(rsig, unsigned_and_malformed)
{
	key(5, 0);
	char why[200];
	int64_t now = (int64_t)now_ns();
	char utm[32];
	snprintf(utm, sizeof(utm), "%lld", (long long)now);
	cr_assert_eq(rsig_verify_parts("GET", "/p", "pP", "tT", utm, NULL, NULL, NULL, now, W, why, sizeof(why)), AIS_EAUTH);
	cr_assert(strstr(why, "not signed"), "%s", why);
	cr_assert_eq(rsig_verify_parts("GET", "/p", NULL, "tT", utm, NULL, "1", "x", now, W, why, sizeof(why)), AIS_EAUTH);
	cr_assert_eq(rsig_verify_parts("GET", "/p", "pP", "tT", "abc", NULL, "1", "x", now, W, why, sizeof(why)), AIS_EAUTH);
	cr_assert_eq(rsig_verify_parts("GET", "/p", "pP", "tT", utm, NULL, "1!", "x", now, W, why, sizeof(why)), AIS_EAUTH);
	cr_assert_eq(rsig_verify_parts("GET", "/p", "pP", "tT", utm, NULL, "zzzzzzzzzzzzzz", "x", now, W, why, sizeof(why)),
		     AIS_EAUTH);
	cr_assert_eq(rsig_verify_parts("GET", "/p", "pP", "tT", utm, NULL, "1", "short", now, W, why, sizeof(why)), AIS_EAUTH);
	cr_assert_eq(rsig_verify_parts("GET", "/p", "pP", "tT", utm, NULL, "1",
				       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", now, W, why, sizeof(why)),
		     AIS_EAUTH);
	cr_assert(strstr(why, "mismatch"), "%s", why);
}

Test(rsig, no_key)
{
	ckey_fini();
	sbuf_t s = SBUF_INIT;
	cr_assert_eq(rsig_sign(&s, "GET", "/", "p", "t", 1, NULL), AIS_EUNAVAIL);
	cr_assert_eq(s.len, 0u);
	sbuf_fini(&s);
}
