/* unit tests: an S3 object's own metadata - s3/s3_tags.c (tag sets), s3/s3_olock.c (retention,
 * legal hold, ISO dates, the lock rules), s3/s3_omd.c (owner, ACL, access of objects),
 * s3/s3_form.c (streaming multipart/form-data) and s3/s3_postpol.c (POST policy and form
 * signatures), and lom_md_custom_del. */
#include <criterion/criterion.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/s3ck.h"
#include "obj/lom.h"
#include "s3/s3_acl.h"
#include "s3/s3_form.h"
#include "s3/s3_olock.h"
#include "s3/s3_omd.h"
#include "s3/s3_postpol.h"
#include "s3/s3_tags.h"
#include "s3/sigv4.h"

#define NS 1000000000LL

/* ---- tags ---- */

Test(s3_tags, query_canonical_sorted)
{
	s3_fail_t f = {0};
	char *c = NULL;
	cr_assert_eq(s3_tags_from_query("foo=bar&bar&k%20x=v+1", &c, &f), 0);
	cr_assert_str_eq(c, "bar=&foo=bar&k%20x=v%201");
	cr_assert_eq(s3_tags_count(c), 3);
	sbuf_t b = SBUF_INIT;
	s3_tags_xml(&b, c);
	cr_assert(strstr(sbuf_str(&b), "<Tag><Key>bar</Key><Value></Value></Tag><Tag><Key>foo</Key>"));
	cr_assert(strstr(sbuf_str(&b), "<Key>k x</Key><Value>v 1</Value>"));
	sbuf_fini(&b);
	free(c);
	cr_assert_eq(s3_tags_from_query("", &c, &f), 0);
	cr_assert_str_eq(c, "");
	cr_assert_eq(s3_tags_count(c), 0);
	free(c);
}

Test(s3_tags, limits)
{
	s3_fail_t f = {0};
	char *c = NULL;
	char q[4096] = "";
	for (int i = 0; i < 11; i++)
		snprintf(q + strlen(q), sizeof(q) - strlen(q), "%sk%d=v", i ? "&" : "", i);
	cr_assert_eq(s3_tags_from_query(q, &c, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "InvalidTag");
	char k[200];
	memset(k, 'k', 129);
	k[129] = '\0';
	snprintf(q, sizeof(q), "%s=v", k);
	cr_assert_eq(s3_tags_from_query(q, &c, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "InvalidTag");
	k[128] = '\0'; /* 128 characters: fine */
	snprintf(q, sizeof(q), "%s=v", k);
	cr_assert_eq(s3_tags_from_query(q, &c, &f), 0);
	free(c);
	cr_assert_eq(s3_tags_from_query("a=1&a=2", &c, &f), AIS_EINVAL);
	cr_assert_eq(s3_tags_from_query("aws:x=1", &c, &f), AIS_EINVAL);
	cr_assert_eq(s3_tags_from_query("a=%ZZ", &c, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "InvalidArgument");
	/* 256 two-byte characters are 256 characters */
	char v[1600] = "k="; /* 2 + 256 * 6 + 1 */
	for (int i = 0; i < 256; i++)
		strcat(v, "%C3%A9");
	cr_assert_eq(s3_tags_from_query(v, &c, &f), 0);
	free(c);
	strcat(v, "x");
	cr_assert_eq(s3_tags_from_query(v, &c, &f), AIS_EINVAL);
}

Test(s3_tags, xml)
{
	s3_fail_t f = {0};
	char *c = NULL;
	const char *x = "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>b</Key><Value>2"
			"</Value></Tag><Tag><Key>a</Key><Value></Value></Tag></TagSet></Tagging>";
	cr_assert_eq(s3_tags_from_xml(x, strlen(x), &c, &f), 0);
	cr_assert_str_eq(c, "a=&b=2");
	free(c);
	cr_assert_eq(s3_tags_from_xml("<Tagging/>", 10, &c, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "MalformedXML");
	cr_assert_eq(s3_tags_from_xml("", 0, &c, &f), AIS_EINVAL);
	const char *nov = "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>";
	cr_assert_eq(s3_tags_from_xml(nov, strlen(nov), &c, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "MalformedXML");
}

/* ---- object lock ---- */

Test(s3_olock, iso_dates)
{
	int64_t ns;
	cr_assert_eq(s3_iso_parse("2030-01-01T00:00:00Z", &ns), 0);
	cr_assert_eq(ns, 1893456000LL * NS);
	cr_assert_eq(s3_iso_parse("2030-01-01T00:00:00.250Z", &ns), 0);
	cr_assert_eq(ns, 1893456000LL * NS + 250000000LL);
	cr_assert_eq(s3_iso_parse("2030-01-01T05:30:00+05:30", &ns), 0);
	cr_assert_eq(ns, 1893456000LL * NS);
	cr_assert_eq(s3_iso_parse("2030-01-01 00:00:00", &ns), AIS_EINVAL);
	cr_assert_eq(s3_iso_parse("2030-01-01T00:00:00", &ns), AIS_EINVAL); /* no zone */
	cr_assert_eq(s3_iso_parse("2030-01-01T00:00:00Zjunk", &ns), AIS_EINVAL);
	char t[40];
	s3_lock_fmt_until(1893456000LL * NS, t, sizeof(t));
	cr_assert_str_eq(t, "2030-01-01T00:00:00.000Z");
}

Test(s3_olock, store_load_and_rules)
{
	lom_md_t md;
	lom_md_init(&md);
	s3_lock_t l = {.mode = "GOVERNANCE", .until = 2000 * NS, .hold = "ON"}, got;
	cr_assert_eq(s3_lock_store(&md, &l), 0);
	s3_lock_load(&md, &got);
	cr_assert_str_eq(got.mode, "GOVERNANCE");
	cr_assert_eq(got.until, 2000 * NS);
	cr_assert_str_eq(got.hold, "ON");
	cr_assert_not_null(s3_lock_denies(&got, 1000 * NS, true)); /* legal hold: always */
	snprintf(got.hold, sizeof(got.hold), "OFF");
	cr_assert_not_null(s3_lock_denies(&got, 1000 * NS, false));
	cr_assert_null(s3_lock_denies(&got, 1000 * NS, true));     /* GOVERNANCE: bypass */
	cr_assert_null(s3_lock_denies(&got, 3000 * NS, false));    /* expired */
	snprintf(got.mode, sizeof(got.mode), "COMPLIANCE");
	cr_assert_not_null(s3_lock_denies(&got, 1000 * NS, true));
	l.mode[0] = l.hold[0] = '\0';
	cr_assert_eq(s3_lock_store(&md, &l), 0);
	cr_assert_null(lom_md_custom_get(&md, S3MD_LOCK_MODE));
	cr_assert_null(lom_md_custom_get(&md, S3MD_LEGAL_HOLD));
	lom_md_fini(&md);
}

Test(s3_olock, retention_changes)
{
	s3_fail_t f = {0};
	s3_lock_t gov = {.mode = "GOVERNANCE", .until = 2000 * NS}, comp = {.mode = "COMPLIANCE", .until = 2000 * NS};
	s3_lock_t longer = gov, shorter = gov, tocomp = comp, none = {0};
	longer.until = 3000 * NS;
	shorter.until = 1500 * NS;
	int64_t now = 1000 * NS;
	cr_assert_eq(s3_lock_retention_change(&gov, &longer, now, false, &f), 0);
	cr_assert_eq(s3_lock_retention_change(&gov, &shorter, now, false, &f), AIS_EFORBIDDEN);
	cr_assert_str_eq(f.code, "AccessDenied");
	cr_assert_eq(s3_lock_retention_change(&gov, &shorter, now, true, &f), 0);
	cr_assert_eq(s3_lock_retention_change(&gov, &tocomp, now, false, &f), AIS_EFORBIDDEN);
	cr_assert_eq(s3_lock_retention_change(&gov, &none, now, true, &f), 0);
	s3_lock_t comp_longer = comp, comp_to_gov = gov;
	comp_longer.until = 5000 * NS;
	cr_assert_eq(s3_lock_retention_change(&comp, &comp_longer, now, false, &f), 0);
	cr_assert_eq(s3_lock_retention_change(&comp, &comp_to_gov, now, true, &f), AIS_EFORBIDDEN);
	cr_assert_eq(s3_lock_retention_change(&comp, &none, now, true, &f), AIS_EFORBIDDEN);
	cr_assert_eq(s3_lock_retention_change(&comp, &comp_to_gov, 9000 * NS, false, &f), 0); /* expired */
}

Test(s3_olock, xml)
{
	s3_fail_t f = {0};
	s3_lock_t l;
	const char *ok = "<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>"
			 "</Retention>";
	cr_assert_eq(s3_lock_retention_xml_parse(ok, strlen(ok), 0, &l, &f), 0);
	cr_assert_str_eq(l.mode, "COMPLIANCE");
	cr_assert_eq(l.until, 1893456000LL * NS);
	cr_assert_eq(s3_lock_retention_xml_parse(ok, strlen(ok), 1893456000LL * NS, &l, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "InvalidArgument"); /* not in the future */
	const char *low = "<Retention><Mode>governance</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>"
			  "</Retention>";
	cr_assert_eq(s3_lock_retention_xml_parse(low, strlen(low), 0, &l, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "MalformedXML");
	bool on = false;
	cr_assert_eq(s3_lock_hold_xml_parse("<LegalHold><Status>ON</Status></LegalHold>", 42, &on, &f), 0);
	cr_assert(on);
	const char *bad = "<LegalHold><Status>abc</Status></LegalHold>";
	cr_assert_eq(s3_lock_hold_xml_parse(bad, strlen(bad), &on, &f), AIS_EINVAL);
	cr_assert_str_eq(f.code, "MalformedXML");
}

Test(s3_olock, bucket_default)
{
	json_t *s3 = json_pack("{s:{s:b, s:s, s:i}}", "lock", "enabled", 1, "mode", "GOVERNANCE", "days", 2);
	s3_lock_t l = {0};
	s3_lock_default(s3, 100 * NS, &l);
	cr_assert_str_eq(l.mode, "GOVERNANCE");
	cr_assert_eq(l.until, 100 * NS + 2 * 86400LL * NS);
	json_decref(s3);
}

/* ---- owner and object access ---- */

Test(s3_omd, owner_grants_access)
{
	lom_md_t md;
	lom_md_init(&md);
	json_t *bs3 = json_pack("{s:{s:s, s:s}}", "owner", "id", "bo", "name", "Bucket Owner");
	cr_assert_str_eq(s3_omd_owner(&md, bs3), "bo"); /* written natively: the bucket owner's */
	cr_assert_eq(lom_md_custom_set(&md, S3MD_OWNER, "w"), 0);
	cr_assert_str_eq(s3_omd_owner(&md, bs3), "w");
	json_t *g = s3_omd_grants(&md, "w");
	cr_assert_eq(json_array_size(g), 1);
	s3_acc_t acc = {.enforce = true, .need = S3P_READ, .public_ok = true};
	snprintf(acc.id.id, sizeof(acc.id.id), "other");
	cr_assert_eq(s3_access_object_q(&acc, 0, "w", g), AIS_EFORBIDDEN);
	json_decref(g);
	cr_assert_eq(lom_md_custom_set(&md, S3MD_ACL, "[{\"id\":\"w\",\"perm\":\"FULL_CONTROL\"},{\"uri\":\""
					   S3_GRP_AUTH "\",\"perm\":\"READ\"}]"), 0);
	g = s3_omd_grants(&md, "w");
	cr_assert_eq(s3_access_object_q(&acc, 0, "w", g), 0);             /* AuthenticatedUsers READ */
	cr_assert_eq(s3_access_object_q(&acc, S3P_READ_ACP, "w", g), AIS_EFORBIDDEN);
	acc.public_ok = false;                                            /* IgnorePublicAcls */
	cr_assert_eq(s3_access_object_q(&acc, 0, "w", g), AIS_EFORBIDDEN);
	snprintf(acc.id.id, sizeof(acc.id.id), "w");                      /* the owner: READ_ACP implicitly */
	cr_assert_eq(s3_access_object_q(&acc, S3P_READ_ACP | S3P_WRITE_ACP, "w", g), 0);
	json_decref(g);
	/* missing objects: 404 only with the right to list */
	acc.may_list = false;
	cr_assert_eq(s3_access_object_q(&acc, 0, NULL, NULL), AIS_EFORBIDDEN);
	acc.may_list = true;
	cr_assert_eq(s3_access_object_q(&acc, 0, NULL, NULL), AIS_ENOTFOUND);
	/* BucketOwnerEnforced: only the bucket owner (and policies) */
	acc.owner_enforced = true;
	cr_assert_eq(s3_access_object_q(&acc, 0, "w", NULL), AIS_EFORBIDDEN);
	acc.bucket_owner = true;
	cr_assert_eq(s3_access_object_q(&acc, 0, "w", NULL), 0);
	cr_assert(s3_omd_is_attr_key(S3MD_ACL) && s3_omd_is_attr_key(S3MD_LOCK_UNTIL) && !s3_omd_is_attr_key("ETag"));
	json_decref(bs3);
	lom_md_fini(&md);
}

Test(s3_omd, lom_custom_del)
{
	lom_md_t md;
	lom_md_init(&md);
	cr_assert_eq(lom_md_custom_set(&md, "a", "1"), 0);
	cr_assert_eq(lom_md_custom_set(&md, "b", "2"), 0);
	cr_assert_eq(lom_md_custom_del(&md, "a"), 0);
	cr_assert_null(lom_md_custom_get(&md, "a"));
	cr_assert_str_eq(lom_md_custom_get(&md, "b"), "2");
	cr_assert_eq(lom_md_custom_del(&md, "missing"), 0);
	cr_assert_eq(lom_md_custom_del(&md, "b"), 0);
	cr_assert_eq(md.custom_len, 0);
	lom_md_fini(&md);
}

/* ---- multipart/form-data ---- */

typedef struct fx {
	sbuf_t log;
	sbuf_t file;
} fx_t;

static int fx_field(void *arg, const char *name, const char *value, size_t vlen)
{
	fx_t *x = arg;
	sbuf_addf(&x->log, "[%s=%.*s]", name, (int)vlen, value);
	return 0;
}

static int fx_begin(void *arg, const char *name, const char *filename, const char *ctype)
{
	fx_t *x = arg;
	sbuf_addf(&x->log, "<%s|%s|%s>", name, filename, ctype);
	return 0;
}

static int fx_data(void *arg, const char *d, size_t n)
{
	return sbuf_add(&((fx_t *)arg)->file, d, n);
}

static int fx_end(void *arg)
{
	sbuf_adds(&((fx_t *)arg)->log, "</file>");
	return 0;
}

static const s3_form_cb_t fx_cb = {.field = fx_field, .file_begin = fx_begin, .file_data = fx_data, .file_end = fx_end};

static const char *FORM = "--b0undary\r\nContent-Disposition: form-data; name=\"key\"; filename=\"key\"\r\n\r\n"
			  "k/${filename}\r\n--b0undary\r\nContent-Disposition: form-data; name=\"acl\"\r\n\r\n"
			  "private\r\n--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\""
			  "\r\nContent-Type: text/plain\r\n\r\nline1\r\n--b0und not a boundary\r\n--b0undary\r\n"
			  "Content-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n--b0undary--\r\nepilogue";

Test(s3_form, every_split)
{
	size_t n = strlen(FORM);
	for (size_t step = 1; step <= n; step += (step < 40 ? 1 : 37)) {
		fx_t x = {SBUF_INIT, SBUF_INIT};
		char err[160];
		s3_form_t *f = s3_form_new("multipart/form-data; boundary=b0undary", &fx_cb, &x, err, sizeof(err));
		cr_assert_not_null(f);
		for (size_t off = 0; off < n; off += step)
			cr_assert_eq(s3_form_feed(f, FORM + off, n - off < step ? n - off : step), 0, "step %zu", step);
		cr_assert_eq(s3_form_finish(f), 0);
		cr_assert_str_eq(sbuf_str(&x.log), "[key=k/${filename}][acl=private]<file|a.txt|text/plain></file>");
		cr_assert_str_eq(sbuf_str(&x.file), "line1\r\n--b0und not a boundary");
		s3_form_free(f);
		sbuf_fini(&x.log);
		sbuf_fini(&x.file);
	}
}

Test(s3_form, malformed)
{
	fx_t x = {SBUF_INIT, SBUF_INIT};
	char err[160], b[80];
	cr_assert_null(s3_form_new("text/plain", &fx_cb, &x, err, sizeof(err)));
	cr_assert_eq(s3_form_boundary("multipart/form-data; boundary=\"quoted b\"", b, sizeof(b)), 0);
	cr_assert_str_eq(b, "quoted b");
	cr_assert_eq(s3_form_boundary("multipart/form-data", b, sizeof(b)), AIS_EINVAL);
	s3_form_t *f = s3_form_new("multipart/form-data; boundary=zz", &fx_cb, &x, err, sizeof(err));
	const char *bad = "--zz\r\nContent-Disposition: attachment\r\n\r\nx\r\n--zz--";
	cr_assert_eq(s3_form_feed(f, bad, strlen(bad)), AIS_EINVAL);
	s3_form_free(f);
	f = s3_form_new("multipart/form-data; boundary=zz", &fx_cb, &x, err, sizeof(err));
	const char *cut = "--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue";
	cr_assert_eq(s3_form_feed(f, cut, strlen(cut)), 0);
	cr_assert_eq(s3_form_finish(f), AIS_EINVAL); /* no closing boundary */
	s3_form_free(f);
	sbuf_fini(&x.log);
	sbuf_fini(&x.file);
}

/* ---- POST policy and signatures ---- */

static s3_conf_t pconf;

static void b64(const char *in, char *out)
{
	s3_b64_encode((const unsigned char *)in, strlen(in), out);
}

static void pform(s3_pform_t *pf, const char *policy_json)
{
	char p[4096];
	b64(policy_json, p);
	memset(pf, 0, sizeof(*pf));
	s3_pform_add(pf, "key", "foo.txt");
	s3_pform_add(pf, "acl", "private");
	s3_pform_add(pf, "Content-Type", "text/plain");
	s3_pform_add(pf, "policy", p);
}

Test(s3_postpol, conditions)
{
	s3_pform_t pf;
	s3_fail_t f = {0};
	int64_t mn, mx, now = 1000 * NS;
	pform(&pf, "{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [{\"bUcKeT\": \"b\"}, [\"StArTs-WiTh\", "
		   "\"$KeY\", \"foo\"], {\"acl\": \"private\"}, [\"starts-with\", \"$Content-Type\", \"text/\"], "
		   "[\"content-length-range\", 1, 1024]]}");
	cr_assert_eq(s3_postpol_check(&pf, "b", "foo.txt", now, &mn, &mx, &f), 0, "%s", f.msg);
	cr_assert_eq(mn, 1);
	cr_assert_eq(mx, 1024);
	cr_assert_eq(s3_postpol_check(&pf, "other", "foo.txt", now, &mn, &mx, &f), AIS_EFORBIDDEN);
	cr_assert_eq(s3_postpol_check(&pf, "b", "bar.txt", now, &mn, &mx, &f), AIS_EFORBIDDEN);
	cr_assert_eq(s3_postpol_check(&pf, "b", "foo.txt", 1893456000LL * NS, &mn, &mx, &f), AIS_EFORBIDDEN); /* expired */
	s3_pform_add(&pf, "x-amz-meta-extra", "1"); /* no condition names it */
	cr_assert_eq(s3_postpol_check(&pf, "b", "foo.txt", now, &mn, &mx, &f), AIS_EFORBIDDEN);
	cr_assert(strstr(f.msg, "Extra input fields"));
	s3_pform_fini(&pf);
	const char *bad[] = {
		"{\"conditions\": []}",                                                       /* no expiration */
		"{\"EXPIRATION\": \"2030-01-01T00:00:00Z\", \"conditions\": []}",             /* case-sensitive */
		"{\"expiration\": \"2030-01-01 00:00:00\", \"conditions\": []}",              /* date format */
		"{\"expiration\": \"2030-01-01T00:00:00Z\"}",                                 /* no conditions */
		"{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [{}]}",           /* empty condition */
		"{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", 0]]}",
		"{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", -1, 0]]}",
		"not json",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pform(&pf, bad[i]);
		memset(&f, 0, sizeof(f));
		cr_assert_eq(s3_postpol_check(&pf, "b", "foo.txt", now, &mn, &mx, &f), AIS_EINVAL, "%s", bad[i]);
		cr_assert_eq(f.status, 400);
		cr_assert_str_eq(f.code, "InvalidPolicyDocument");
		s3_pform_fini(&pf);
	}
}

Test(s3_postpol, signatures)
{
	pconf = (s3_conf_t){.auth = true, .nkeys = 1, .region = "us-east-1",
			    .keys = {{.access = "AK", .secret = "SK", .user = "u1", .display_name = "One"}}};
	s3_pform_t pf;
	s3_fail_t f = {0};
	s3_ident_t id;
	pform(&pf, "{}");
	const char *pol = s3_pform_get(&pf, "policy");
	/* V2: base64 HMAC-SHA1(secret, policy) */
	unsigned char mac[20];
	unsigned int ml = 0;
	HMAC(EVP_sha1(), "SK", 2, (const unsigned char *)pol, strlen(pol), mac, &ml);
	char sig[64];
	s3_b64_encode(mac, ml, sig);
	cr_assert_eq(s3_postpol_auth(&pf, &pconf, 0, &id, &f), AIS_EINVAL); /* policy without signature */
	s3_pform_add(&pf, "AWSAccessKeyId", "AK");
	s3_pform_add(&pf, "signature", sig);
	cr_assert_eq(s3_postpol_auth(&pf, &pconf, 0, &id, &f), 0, "%s", f.msg);
	cr_assert_str_eq(id.id, "u1");
	s3_pform_fini(&pf);
	pform(&pf, "{}");
	s3_pform_add(&pf, "AWSAccessKeyId", "AK");
	s3_pform_add(&pf, "signature", "AAAA");
	cr_assert_eq(s3_postpol_auth(&pf, &pconf, 0, &id, &f), AIS_EFORBIDDEN);
	cr_assert_str_eq(f.code, "SignatureDoesNotMatch");
	s3_pform_fini(&pf);
	pform(&pf, "{}");
	s3_pform_add(&pf, "AWSAccessKeyId", "nope");
	s3_pform_add(&pf, "signature", sig);
	cr_assert_eq(s3_postpol_auth(&pf, &pconf, 0, &id, &f), AIS_EFORBIDDEN);
	cr_assert_str_eq(f.code, "InvalidAccessKeyId");
	s3_pform_fini(&pf);
	/* V4: hex HMAC-SHA256(signing key, policy) */
	pform(&pf, "{}");
	pol = s3_pform_get(&pf, "policy");
	unsigned char key[32], m4[32];
	sigv4_signing_key("SK", "20300101", "us-east-1", "s3", key);
	sigv4_hmac(key, 32, pol, strlen(pol), m4);
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", m4[i]);
	s3_pform_add(&pf, "x-amz-algorithm", "AWS4-HMAC-SHA256");
	s3_pform_add(&pf, "x-amz-credential", "AK/20300101/us-east-1/s3/aws4_request");
	s3_pform_add(&pf, "x-amz-date", "20300101T000000Z");
	s3_pform_add(&pf, "x-amz-signature", hex);
	cr_assert_eq(s3_postpol_auth(&pf, &pconf, 0, &id, &f), 0, "%s", f.msg);
	cr_assert_str_eq(id.id, "u1");
	s3_pform_fini(&pf);
	/* no policy and no signature: anonymous */
	memset(&pf, 0, sizeof(pf));
	s3_pform_add(&pf, "key", "k");
	cr_assert_eq(s3_postpol_auth(&pf, &pconf, 0, &id, &f), 0);
	cr_assert(id.anon);
	s3_pform_fini(&pf);
}
