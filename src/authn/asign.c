/* asign: see asign.h. Must not: write the private key anywhere but its 0600 file (work file +
 * rename), accept a key file readable by group/others, or sign with "none". */
#include "authn/asign.h"
#include "core/ckey.h"
#include "core/err.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <jwt.h>
#include <limits.h>
#include <stdbool.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct asign {
	char *secret;   /* HS256, else NULL */
	char *priv_pem; /* RS256 */
	char *pub_pem;
	char n64[700], e64[16], kid[48];
};

static char *asign_bio_str(BIO *b)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	char *s = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (s) {
		memcpy(s, p, (size_t)n);
		s[n] = 0;
	}
	return s;
}

static int asign_bn64(EVP_PKEY *k, const char *name, char *out, size_t cap)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	if (!EVP_PKEY_get_bn_param(k, name, &bn))
		return AIS_EINTERNAL;
	int n = BN_num_bytes(bn);
	int rc = n > 0 && (size_t)n <= sizeof(buf) && BN_bn2bin(bn, buf) == n ? 0 : AIS_EINTERNAL;
	BN_free(bn);
	if (!rc && !ckey_b64url(buf, (size_t)n, out, cap))
		rc = AIS_EINTERNAL;
	return rc;
}

/* public PEM, JWK n/e and the RFC 7638 thumbprint from the private key */
static int asign_derive(asign_t *s, EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (!b || PEM_write_bio_PUBKEY(b, k) != 1) {
		BIO_free(b);
		return AIS_EINTERNAL;
	}
	s->pub_pem = asign_bio_str(b);
	BIO_free(b);
	if (!s->pub_pem || asign_bn64(k, OSSL_PKEY_PARAM_RSA_N, s->n64, sizeof(s->n64)) ||
	    asign_bn64(k, OSSL_PKEY_PARAM_RSA_E, s->e64, sizeof(s->e64)))
		return AIS_EINTERNAL;
	char tp[800];
	unsigned char d[SHA256_DIGEST_LENGTH];
	int n = snprintf(tp, sizeof(tp), "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", s->e64, s->n64);
	SHA256((const unsigned char *)tp, (size_t)n, d);
	ckey_b64url(d, sizeof(d), s->kid, sizeof(s->kid));
	return 0;
}

static int asign_write_key(const char *path, const char *pem, char *err, size_t cap)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(pem);
	if (fd < 0 || fchmod(fd, 0600) || write(fd, pem, n) != (ssize_t)n || fsync(fd)) {
		snprintf(err, cap, "write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return AIS_EIO;
	}
	close(fd);
	if (rename(tmp, path)) {
		snprintf(err, cap, "rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return AIS_EIO;
	}
	return 0;
}

/* load the key file, or generate and write it */
static int asign_rsa(asign_t *s, const char *path, int bits, char *err, size_t cap)
{
	EVP_PKEY *k = NULL;
	struct stat st;
	int rc = AIS_EINTERNAL;
	bool loaded = !stat(path, &st);
	if (loaded) {
		if (st.st_mode & 077) {
			snprintf(err, cap, "%s: mode %o: the private key must not be readable by group or others", path,
				 (unsigned)(st.st_mode & 0777));
			return AIS_EFORBIDDEN;
		}
		FILE *f = fopen(path, "r");
		k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
		if (f)
			fclose(f);
		if (!k || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
			snprintf(err, cap, "%s: not a PEM RSA private key", path);
			rc = AIS_EINVAL;
			goto out;
		}
		log_info("AuthN: loaded the RSA private key from %s", path);
	} else {
		k = EVP_RSA_gen((unsigned)bits);
		if (!k) {
			snprintf(err, cap, "RSA key generation failed");
			goto out;
		}
		log_info("AuthN: generated a %d-bit RSA key pair, private key in %s", bits, path);
	}
	BIO *b = BIO_new(BIO_s_mem());
	if (!b || PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1) {
		BIO_free(b);
		goto out;
	}
	s->priv_pem = asign_bio_str(b);
	BIO_free(b);
	if (!s->priv_pem || (rc = asign_derive(s, k)))
		goto out;
	rc = loaded ? 0 : asign_write_key(path, s->priv_pem, err, cap);
out:
	EVP_PKEY_free(k);
	return rc;
}

int asign_new(const char *secret, const char *keyfile, int bits, asign_t **out, char *err, size_t cap)
{
	*out = NULL;
	asign_t *s = calloc(1, sizeof(*s));
	if (!s)
		return AIS_ENOMEM;
	int rc = 0;
	if (secret && *secret)
		rc = (s->secret = strdup(secret)) ? 0 : AIS_ENOMEM;
	else
		rc = asign_rsa(s, keyfile, bits < 2048 ? 2048 : bits, err, cap);
	if (rc) {
		asign_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void asign_free(asign_t *s)
{
	if (!s)
		return;
	if (s->secret)
		OPENSSL_cleanse(s->secret, strlen(s->secret));
	if (s->priv_pem)
		OPENSSL_cleanse(s->priv_pem, strlen(s->priv_pem));
	free(s->secret);
	free(s->priv_pem);
	free(s->pub_pem);
	free(s);
}

const char *asign_method(const asign_t *s) { return s->secret ? "HS256" : "RS256"; }
const char *asign_pubkey(const asign_t *s) { return s->secret ? NULL : s->pub_pem; }
const char *asign_kid(const asign_t *s) { return s->secret ? "" : s->kid; }

char *asign_sign(const asign_t *s, json_t *claims)
{
	jwt_t *t = NULL;
	char *js = json_dumps(claims, JSON_COMPACT), *tok = NULL;
	if (!js || jwt_new(&t))
		goto out;
	const char *key = s->secret ? s->secret : s->priv_pem;
	if (jwt_set_alg(t, s->secret ? JWT_ALG_HS256 : JWT_ALG_RS256, (const unsigned char *)key, (int)strlen(key)))
		goto out;
	if (!s->secret && jwt_add_header(t, "kid", s->kid))
		goto out;
	if (jwt_add_grants_json(t, js))
		goto out;
	tok = jwt_encode_str(t);
out:
	jwt_free(t);
	free(js);
	return tok;
}

int asign_verify(const asign_t *s, const char *token, long long now, jwtv_claims_t *c, char *why, size_t cap)
{
	jwtv_conf_t jc = {.method = asign_method(s), .key = s->secret ? s->secret : s->pub_pem, .aud = "",
			  .version = -1};
	return jwtv_verify(&jc, token, (int64_t)now, c, why, cap);
}

json_t *asign_jwks(const asign_t *s)
{
	if (s->secret)
		return NULL;
	json_t *k = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "alg", "RS256", "e", s->e64, "kid", s->kid, "kty",
			      "RSA", "n", s->n64, "use", "sig");
	return json_pack("{s:[o]}", "keys", k);
}

json_t *asign_validation_conf(const asign_t *s)
{
	if (!s->secret)
		return json_pack("{s:s}", "public_key", s->pub_pem);
	unsigned char d[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	SHA256((const unsigned char *)s->secret, strlen(s->secret), d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return json_pack("{s:s}", "secret", hex);
}
