/* ckey: see ckey.h. Owns the loaded secret (and its derived intra keys) and the redirect key
 * versions. Must not: log or return any key byte; write the secret anywhere but its 0600 file.
 * Invariants: the published key set is immutable; a newer set replaces it by an atomic pointer
 * swap and the old one stays allocated until ckey_fini (readers never hold a lock). */
#include "core/ckey.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct ckey_set {
	struct ckey_set *all_next; /* every version ever published (freed at fini) */
	bool has_prev;
	uint8_t secret[CKEY_LEN], prev[CKEY_LEN];
	uint8_t intra[CKEY_LEN], intra_prev[CKEY_LEN];
	uint8_t seal[CKEY_LEN], seal_prev[CKEY_LEN];
	/* redirect versions with their derived keys */
	ckey_rver_t rcur, rprev;
	uint8_t rkey[CKEY_LEN], rkey_prev[CKEY_LEN];
	int64_t rprev_replaced;
} ckey_set_t;

static ckey_set_t *_Atomic ck_cur;
static ckey_set_t *ck_all;                 /* under ck_mu */
static pthread_mutex_t ck_mu = PTHREAD_MUTEX_INITIALIZER; /* writers */

static int ck_hmac(const uint8_t *key, const void *d, size_t n, uint8_t out[CKEY_MAC_LEN])
{
	unsigned int len = 0;
	if (!HMAC(EVP_sha256(), key, CKEY_LEN, d, n, out, &len) || len != CKEY_MAC_LEN)
		return AIS_EINTERNAL;
	return 0;
}

static void ck_derive_redir(const uint8_t secret[CKEY_LEN], const ckey_rver_t *v, uint8_t out[CKEY_LEN])
{
	uint8_t buf[64];
	static const char label[] = "ais-redirect-v1";
	size_t n = sizeof(label);
	memcpy(buf, label, n);
	for (int i = 0; i < 8; i++)
		buf[n++] = (uint8_t)(v->ver >> (56 - 8 * i));
	memcpy(buf + n, v->salt, CKEY_SALT_LEN);
	n += CKEY_SALT_LEN;
	ck_hmac(secret, buf, n, out);
	OPENSSL_cleanse(buf, sizeof(buf));
}

/* under ck_mu: publish n (a filled copy) */
static void ck_publish(ckey_set_t *n)
{
	n->all_next = ck_all;
	ck_all = n;
	atomic_store_explicit(&ck_cur, n, memory_order_release);
}

static ckey_set_t *ck_clone(const ckey_set_t *o)
{
	ckey_set_t *n = calloc(1, sizeof(*n));
	if (n && o)
		*n = *o;
	return n;
}

int ckey_set(const uint8_t secret[CKEY_LEN], const uint8_t *prev)
{
	static const char il[] = "ais-intra-v1", sl[] = "ais-seal-v1";
	pthread_mutex_lock(&ck_mu);
	ckey_set_t *n = ck_clone(atomic_load(&ck_cur));
	if (!n) {
		pthread_mutex_unlock(&ck_mu);
		return AIS_ENOMEM;
	}
	memcpy(n->secret, secret, CKEY_LEN);
	ck_hmac(n->secret, il, sizeof(il) - 1, n->intra);
	ck_hmac(n->secret, sl, sizeof(sl) - 1, n->seal);
	n->has_prev = prev != NULL;
	if (prev) {
		memcpy(n->prev, prev, CKEY_LEN);
		ck_hmac(n->prev, il, sizeof(il) - 1, n->intra_prev);
		ck_hmac(n->prev, sl, sizeof(sl) - 1, n->seal_prev);
	}
	if (n->rcur.ver)
		ck_derive_redir(n->secret, &n->rcur, n->rkey);
	if (n->rprev.ver)
		ck_derive_redir(n->secret, &n->rprev, n->rkey_prev);
	ck_publish(n);
	pthread_mutex_unlock(&ck_mu);
	return 0;
}

bool ckey_loaded(void) { return atomic_load_explicit(&ck_cur, memory_order_acquire) != NULL; }

void ckey_fini(void)
{
	pthread_mutex_lock(&ck_mu);
	atomic_store(&ck_cur, NULL);
	while (ck_all) {
		ckey_set_t *n = ck_all;
		ck_all = n->all_next;
		OPENSSL_cleanse(n, sizeof(*n));
		free(n);
	}
	pthread_mutex_unlock(&ck_mu);
}

/* ---------------------------------------------------------------- the file */

static int ck_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 64 hex digits at p (whitespace after) into out; the number of chars consumed, or -1 */
static int ck_parse_hex(const char *p, uint8_t out[CKEY_LEN])
{
	for (int i = 0; i < CKEY_LEN; i++) {
		int hi = ck_hexval((unsigned char)p[2 * i]), lo = hi < 0 ? -1 : ck_hexval((unsigned char)p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 2 * CKEY_LEN;
}

static int ck_parse(const char *txt, uint8_t cur[CKEY_LEN], uint8_t prev[CKEY_LEN], bool *has_prev)
{
	const char *p = txt;
	while (*p == ' ' || *p == '\t')
		p++;
	int n = ck_parse_hex(p, cur);
	if (n < 0)
		return AIS_EINVAL;
	p += n;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	*has_prev = false;
	if (*p) {
		if ((n = ck_parse_hex(p, prev)) < 0)
			return AIS_EINVAL;
		p += n;
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p)
			return AIS_EINVAL;
		*has_prev = true;
	}
	return 0;
}

/* a new random secret into path (0600), atomically and only if no file is there: written to a
 * temp file and hard-linked to the name (link fails when another node won the race) */
static int ck_generate(const char *path, char *err, size_t errcap)
{
	uint8_t k[CKEY_LEN];
	char hex[2 * CKEY_LEN + 2], tmp[1200];
	if (RAND_bytes(k, sizeof(k)) != 1) {
		snprintf(err, errcap, "cluster key: no randomness");
		return AIS_EINTERNAL;
	}
	for (int i = 0; i < CKEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", k[i]);
	hex[2 * CKEY_LEN] = '\n';
	hex[2 * CKEY_LEN + 1] = '\0';
	OPENSSL_cleanse(k, sizeof(k));
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int rc = fd < 0 ? err_from_errno(errno) : fsops_write_all(fd, hex, strlen(hex));
	if (!rc && fsync(fd))
		rc = err_from_errno(errno);
	if (fd >= 0)
		close(fd);
	OPENSSL_cleanse(hex, sizeof(hex));
	if (!rc && link(tmp, path) && errno != EEXIST)
		rc = err_from_errno(errno);
	unlink(tmp);
	if (rc)
		snprintf(err, errcap, "cluster key: cannot create %s: %s", path, err_str(rc));
	else
		log_warn("cluster key: generated a new cluster secret in %s (mode 0600): other nodes of this "
			 "cluster need the same file (%s)", path, CKEY_ENV_FILE);
	return rc;
}

int ckey_load(const char *confdir, char *err, size_t errcap)
{
	char path[1100];
	const char *env = getenv(CKEY_ENV_FILE);
	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else
		snprintf(path, sizeof(path), "%s/%s", confdir, CKEY_FILE_NAME);
	struct stat st;
	if (stat(path, &st) && errno == ENOENT) {
		fsops_mkdir_parent(path);
		int rc = ck_generate(path, err, errcap);
		if (rc)
			return rc;
	}
	if (stat(path, &st)) {
		snprintf(err, errcap, "cluster key: %s: %s", path, strerror(errno));
		return err_from_errno(errno);
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		snprintf(err, errcap, "cluster key: %s must be a regular file that only its owner can read (mode 0600, "
			 "have %04o)", path, (unsigned)(st.st_mode & 07777));
		return AIS_EFORBIDDEN;
	}
	char *txt = NULL;
	size_t len = 0;
	int rc = fsops_read_file(path, 4096, &txt, &len);
	if (rc) {
		snprintf(err, errcap, "cluster key: cannot read %s: %s", path, err_str(rc));
		return rc;
	}
	uint8_t cur[CKEY_LEN], prev[CKEY_LEN];
	bool has_prev = false;
	rc = ck_parse(txt, cur, prev, &has_prev);
	OPENSSL_cleanse(txt, len);
	free(txt);
	if (rc) {
		snprintf(err, errcap, "cluster key: %s: expecting 64 hex digits (and optionally the previous key, "
			 "64 hex digits, on a second line)", path);
		return rc;
	}
	rc = ckey_set(cur, has_prev ? prev : NULL);
	OPENSSL_cleanse(cur, sizeof(cur));
	OPENSSL_cleanse(prev, sizeof(prev));
	if (!rc)
		log_info("cluster key: loaded from %s%s", path, has_prev ? " (with the previous key)" : "");
	return rc;
}

/* ---------------------------------------------------------------- keys */

int ckey_intra_mac(int which, const void *data, size_t len, uint8_t out[CKEY_MAC_LEN])
{
	const ckey_set_t *s = atomic_load_explicit(&ck_cur, memory_order_acquire);
	if (!s)
		return AIS_EUNAVAIL;
	if (which == 1 && !s->has_prev)
		return AIS_ENOTFOUND;
	return ck_hmac(which ? s->intra_prev : s->intra, data, len, out);
}

void ckey_redir_cur(ckey_rver_t *out)
{
	const ckey_set_t *s = atomic_load_explicit(&ck_cur, memory_order_acquire);
	memset(out, 0, sizeof(*out));
	if (s)
		*out = s->rcur;
}

void ckey_redir_prev(ckey_rver_t *out, int64_t *replaced_ns)
{
	const ckey_set_t *s = atomic_load_explicit(&ck_cur, memory_order_acquire);
	memset(out, 0, sizeof(*out));
	*replaced_ns = 0;
	if (s) {
		*out = s->rprev;
		*replaced_ns = s->rprev_replaced;
	}
}

int ckey_redir_install(const ckey_rver_t *v, bool force, int64_t now)
{
	if (!v->ver)
		return AIS_EINVAL;
	pthread_mutex_lock(&ck_mu);
	ckey_set_t *o = atomic_load(&ck_cur);
	if (!o) {
		pthread_mutex_unlock(&ck_mu);
		return AIS_EUNAVAIL;
	}
	if (v->ver == o->rcur.ver ? !memcmp(v->salt, o->rcur.salt, CKEY_SALT_LEN) : (!force && v->ver < o->rcur.ver)) {
		pthread_mutex_unlock(&ck_mu);
		return 0;
	}
	ckey_set_t *n = ck_clone(o);
	if (!n) {
		pthread_mutex_unlock(&ck_mu);
		return AIS_ENOMEM;
	}
	if (o->rcur.ver) {
		n->rprev = o->rcur;
		memcpy(n->rkey_prev, o->rkey, CKEY_LEN);
		n->rprev_replaced = now;
	}
	n->rcur = *v;
	ck_derive_redir(n->secret, &n->rcur, n->rkey);
	ck_publish(n);
	pthread_mutex_unlock(&ck_mu);
	return 1;
}

int ckey_redir_next(ckey_rver_t *out, int64_t now)
{
	ckey_rver_t cur;
	ckey_redir_cur(&cur);
	memset(out, 0, sizeof(*out));
	out->ver = cur.ver + 1;
	out->created = now;
	return RAND_bytes(out->salt, CKEY_SALT_LEN) == 1 ? 0 : AIS_EINTERNAL;
}

int ckey_redir_mac(uint64_t ver, int64_t now, int64_t grace_ns, const void *data, size_t len,
		   uint8_t out[CKEY_MAC_LEN])
{
	const ckey_set_t *s = atomic_load_explicit(&ck_cur, memory_order_acquire);
	if (!s || !ver)
		return AIS_ENOTFOUND;
	if (ver == s->rcur.ver)
		return ck_hmac(s->rkey, data, len, out);
	if (ver == s->rprev.ver && now < s->rprev_replaced + grace_ns)
		return ck_hmac(s->rkey_prev, data, len, out);
	return AIS_ENOTFOUND;
}

/* ---------------------------------------------------------------- sealed secrets */

#define CK_IV 12
#define CK_TAG 16
#define CK_SEAL_MAX 512 /* plaintext bytes */

bool ckey_is_sealed(const char *s) { return s && !strncmp(s, CKEY_SEAL_PREFIX, sizeof(CKEY_SEAL_PREFIX) - 1); }

/* AES-256-GCM one shot; enc: 1 seal, 0 open (tag checked). 0 or AIS_EINVAL. */
static int ck_gcm(int enc, const uint8_t key[CKEY_LEN], const uint8_t iv[CK_IV], const uint8_t *in, int n,
		  uint8_t *out, uint8_t tag[CK_TAG])
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0, ok = x && EVP_CipherInit_ex(x, EVP_aes_256_gcm(), NULL, key, iv, enc) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, CK_TAG, tag) == 1;
	if (ok)
		ok = EVP_CipherUpdate(x, out, &len, in, n) == 1 && EVP_CipherFinal_ex(x, out + len, &fin) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, CK_TAG, tag) == 1;
	EVP_CIPHER_CTX_free(x);
	return ok && len + fin == n ? 0 : AIS_EINVAL;
}

int ckey_seal(const char *plain, char *out, size_t cap)
{
	const ckey_set_t *s = atomic_load_explicit(&ck_cur, memory_order_acquire);
	size_t n = strlen(plain);
	uint8_t buf[CK_IV + CK_SEAL_MAX + CK_TAG];
	size_t pl = sizeof(CKEY_SEAL_PREFIX) - 1;
	if (!s)
		return AIS_EUNAVAIL;
	if (n > CK_SEAL_MAX || cap < pl + 4 * ((CK_IV + n + CK_TAG + 2) / 3) + 1)
		return AIS_EINVAL;
	if (RAND_bytes(buf, CK_IV) != 1 ||
	    ck_gcm(1, s->seal, buf, (const uint8_t *)plain, (int)n, buf + CK_IV, buf + CK_IV + n))
		return AIS_EINTERNAL;
	memcpy(out, CKEY_SEAL_PREFIX, pl);
	ckey_b64url(buf, CK_IV + n + CK_TAG, out + pl, cap - pl);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

int ckey_open(const char *sealed, char *out, size_t cap)
{
	const ckey_set_t *s = atomic_load_explicit(&ck_cur, memory_order_acquire);
	uint8_t buf[CK_IV + CK_SEAL_MAX + CK_TAG + 4], pt[CK_SEAL_MAX];
	if (!s)
		return AIS_EUNAVAIL;
	if (!ckey_is_sealed(sealed))
		return AIS_EINVAL;
	const char *b = sealed + sizeof(CKEY_SEAL_PREFIX) - 1;
	long m = ckey_b64url_dec(b, strlen(b), buf, sizeof(buf));
	if (m < CK_IV + CK_TAG)
		return AIS_EINVAL;
	size_t n = (size_t)m - CK_IV - CK_TAG;
	if (n + 1 > cap)
		return AIS_EINVAL;
	int rc = ck_gcm(0, s->seal, buf, buf + CK_IV, (int)n, pt, buf + CK_IV + n);
	if (rc && s->has_prev)
		rc = ck_gcm(0, s->seal_prev, buf, buf + CK_IV, (int)n, pt, buf + CK_IV + n);
	if (!rc) {
		if (memchr(pt, 0, n))
			rc = AIS_EINVAL;
		else {
			memcpy(out, pt, n);
			out[n] = '\0';
		}
	}
	OPENSSL_cleanse(pt, sizeof(pt));
	return rc;
}

/* ---------------------------------------------------------------- helpers */

bool ckey_equal(const void *a, const void *b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }

size_t ckey_b64url(const uint8_t *in, size_t n, char *out, size_t cap)
{
	if (n > (1u << 20) || cap < 4 * ((n + 2) / 3) + 1)
		return 0;
	int m = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	size_t k = 0;
	for (int i = 0; i < m; i++) {
		char c = out[i];
		if (c == '=')
			break;
		out[k++] = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	out[k] = '\0';
	return k;
}

long ckey_b64url_dec(const char *in, size_t n, uint8_t *out, size_t cap)
{
	if (n % 4 == 1)
		return -1;
	size_t padded = (n + 3) / 4 * 4;
	char *tmp = malloc(padded + 1);
	unsigned char *dec = malloc(padded / 4 * 3 + 1);
	long rc = -1;
	if (!tmp || !dec)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			goto out; /* '+', '/', '=' and anything else are not base64url */
		tmp[i] = c;
	}
	for (size_t i = n; i < padded; i++)
		tmp[i] = '=';
	tmp[padded] = '\0';
	int m = padded ? EVP_DecodeBlock(dec, (unsigned char *)tmp, (int)padded) : 0;
	if (m < 0)
		goto out;
	size_t len = (size_t)m - (padded - n); /* EVP_DecodeBlock counts the padding as zero bytes */
	if (len > cap)
		goto out;
	memcpy(out, dec, len);
	rc = (long)len;
out:
	free(tmp);
	free(dec);
	return rc;
}
