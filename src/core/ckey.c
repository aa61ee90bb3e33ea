/* ckey: see ckey.h. Owns the loaded secrets and their derived keys, and the path it loaded them
 * from. Must not: log or return any secret byte; write the secret anywhere but its 0600 file.
 * Invariants: a published key set is immutable; a newer set replaces it by an atomic pointer
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

typedef struct ck_key {
	uint8_t secret[CKEY_LEN];
	uint8_t d[CKEY_NKINDS][CKEY_LEN]; /* derived keys */
	int64_t until;                    /* 0: accepted while listed; else the end of its grace */
} ck_key_t;

typedef struct ckey_set {
	struct ckey_set *all_next; /* every version ever published (freed at fini) */
	uint64_t gen;
	int n;                     /* keys[0] signs */
	ck_key_t keys[CKEY_MAX];
} ckey_set_t;

static ckey_set_t *_Atomic ck_cur;
static ckey_set_t *ck_all;                 /* under ck_mu */
static uint64_t ck_ngen;                   /* under ck_mu */
static char ck_path[1100];                 /* under ck_mu: the file ckey_load read */
static char *ck_text;                      /* under ck_mu: its last contents (to see a change) */
static pthread_mutex_t ck_mu = PTHREAD_MUTEX_INITIALIZER; /* writers */

static int ck_hmac(const uint8_t *key, const void *d, size_t n, uint8_t out[CKEY_MAC_LEN])
{
	unsigned int len = 0;
	if (!HMAC(EVP_sha256(), key, CKEY_LEN, d, n, out, &len) || len != CKEY_MAC_LEN)
		return AIS_EINTERNAL;
	return 0;
}

static void ck_key_init(ck_key_t *k, const uint8_t secret[CKEY_LEN], int64_t until)
{
	static const char *const labels[CKEY_NKINDS] = {"ais-intra-v1", "ais-seal-v1", "ais-redirect-v1"};
	memcpy(k->secret, secret, CKEY_LEN);
	for (int i = 0; i < CKEY_NKINDS; i++)
		ck_hmac(secret, labels[i], strlen(labels[i]), k->d[i]);
	k->until = until;
}

/* under ck_mu: publish n */
static void ck_publish(ckey_set_t *n)
{
	n->gen = ++ck_ngen;
	n->all_next = ck_all;
	ck_all = n;
	atomic_store_explicit(&ck_cur, n, memory_order_release);
}

/* under ck_mu: the new set of secrets sec[0..ns); with grace_ns > 0, keys of the current set
 * that are not listed any more stay accepted until now + grace */
static int ck_install(const uint8_t sec[][CKEY_LEN], int ns, int64_t now, int64_t grace_ns)
{
	ckey_set_t *n = calloc(1, sizeof(*n)), *o = atomic_load(&ck_cur);
	if (!n)
		return AIS_ENOMEM;
	for (int i = 0; i < ns; i++)
		ck_key_init(&n->keys[n->n++], sec[i], 0);
	for (int i = 0; o && grace_ns > 0 && i < o->n && n->n < CKEY_MAX; i++) {
		const ck_key_t *k = &o->keys[i];
		bool listed = false;
		for (int j = 0; j < ns; j++)
			listed |= !memcmp(k->secret, sec[j], CKEY_LEN);
		int64_t until = k->until ? k->until : now + grace_ns;
		if (!listed && until > now)
			ck_key_init(&n->keys[n->n++], k->secret, until);
	}
	ck_publish(n);
	return 0;
}

int ckey_set(const uint8_t secret[CKEY_LEN], const uint8_t *prev)
{
	uint8_t sec[2][CKEY_LEN];
	memcpy(sec[0], secret, CKEY_LEN);
	if (prev)
		memcpy(sec[1], prev, CKEY_LEN);
	pthread_mutex_lock(&ck_mu);
	int rc = ck_install((const uint8_t(*)[CKEY_LEN])sec, prev ? 2 : 1, 0, 0);
	pthread_mutex_unlock(&ck_mu);
	OPENSSL_cleanse(sec, sizeof(sec));
	return rc;
}

bool ckey_loaded(void) { return atomic_load_explicit(&ck_cur, memory_order_acquire) != NULL; }

uint64_t ckey_gen(void)
{
	const ckey_set_t *s = atomic_load_explicit(&ck_cur, memory_order_acquire);
	return s ? s->gen : 0;
}

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
	if (ck_text) {
		OPENSSL_cleanse(ck_text, strlen(ck_text));
		free(ck_text);
		ck_text = NULL;
	}
	ck_path[0] = '\0';
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

/* under ck_mu: read, check and install ck_path; 1 installed, 0 unchanged (when only_changed) */
static int ck_read(bool only_changed, int64_t now, int64_t grace_ns, char *err, size_t errcap)
{
	struct stat st;
	if (stat(ck_path, &st)) {
		snprintf(err, errcap, "cluster key: %s: %s", ck_path, strerror(errno));
		return err_from_errno(errno);
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		snprintf(err, errcap, "cluster key: %s must be a regular file that only its owner can read (mode 0600, "
			 "have %04o)", ck_path, (unsigned)(st.st_mode & 07777));
		return AIS_EFORBIDDEN;
	}
	char *txt = NULL;
	size_t len = 0;
	int rc = fsops_read_file(ck_path, 4096, &txt, &len);
	if (rc) {
		snprintf(err, errcap, "cluster key: cannot read %s: %s", ck_path, err_str(rc));
		return rc;
	}
	if (only_changed && ck_text && !strcmp(ck_text, txt)) {
		OPENSSL_cleanse(txt, len);
		free(txt);
		return 0;
	}
	uint8_t sec[2][CKEY_LEN];
	bool has_prev = false;
	rc = ck_parse(txt, sec[0], sec[1], &has_prev);
	if (rc) {
		snprintf(err, errcap, "cluster key: %s: expecting 64 hex digits (and optionally a second accepted key, "
			 "64 hex digits, on a second line)", ck_path);
		OPENSSL_cleanse(txt, len);
		free(txt);
		return rc;
	}
	rc = ck_install((const uint8_t(*)[CKEY_LEN])sec, has_prev ? 2 : 1, now, grace_ns);
	OPENSSL_cleanse(sec, sizeof(sec));
	if (rc) {
		OPENSSL_cleanse(txt, len);
		free(txt);
		return rc;
	}
	if (ck_text) {
		OPENSSL_cleanse(ck_text, strlen(ck_text));
		free(ck_text);
	}
	ck_text = txt;
	log_info("cluster key: %s %s%s", only_changed ? "reloaded" : "loaded from", ck_path,
		 has_prev ? " (with a second accepted key)" : "");
	return 1;
}

int ckey_load(const char *confdir, char *err, size_t errcap)
{
	const char *env = getenv(CKEY_ENV_FILE);
	pthread_mutex_lock(&ck_mu);
	if (env && *env)
		snprintf(ck_path, sizeof(ck_path), "%s", env);
	else
		snprintf(ck_path, sizeof(ck_path), "%s/%s", confdir, CKEY_FILE_NAME);
	struct stat st;
	int rc = 0;
	if (stat(ck_path, &st) && errno == ENOENT) {
		fsops_mkdir_parent(ck_path);
		rc = ck_generate(ck_path, err, errcap);
	}
	if (!rc)
		rc = ck_read(false, 0, 0, err, errcap);
	pthread_mutex_unlock(&ck_mu);
	return rc < 0 ? rc : 0;
}

int ckey_reload(int64_t now_ns, int64_t grace_ns, char *err, size_t errcap)
{
	pthread_mutex_lock(&ck_mu);
	int rc = ck_path[0] ? ck_read(true, now_ns, grace_ns, err, errcap) : 0;
	pthread_mutex_unlock(&ck_mu);
	return rc;
}

/* under ck_mu: replace ck_path with txt (0600; temp file, fsync, rename) */
static int ck_write(const char *txt, char *err, size_t errcap)
{
	char tmp[1200];
	snprintf(tmp, sizeof(tmp), "%s.rot.%d", ck_path, (int)getpid());
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int rc = fd < 0 ? err_from_errno(errno) : fsops_write_all(fd, txt, strlen(txt));
	if (!rc && fsync(fd))
		rc = err_from_errno(errno);
	if (fd >= 0)
		close(fd);
	if (!rc && rename(tmp, ck_path))
		rc = err_from_errno(errno);
	if (rc) {
		unlink(tmp);
		snprintf(err, errcap, "cluster key: cannot write %s: %s", ck_path, err_str(rc));
	}
	return rc;
}

static void ck_hex(const uint8_t k[CKEY_LEN], char *out)
{
	for (int i = 0; i < CKEY_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", k[i]);
}

int ckey_rotate(const char *new_hex, bool sign_new, int64_t now, int64_t grace_ns, char *err, size_t errcap)
{
	uint8_t nk[CKEY_LEN];
	char txt[4 * CKEY_LEN + 4];
	if (strlen(new_hex) != 2 * CKEY_LEN || ck_parse_hex(new_hex, nk) < 0) {
		snprintf(err, errcap, "cluster key: malformed new secret");
		return AIS_EINVAL;
	}
	pthread_mutex_lock(&ck_mu);
	const ckey_set_t *s = atomic_load(&ck_cur);
	int rc = 0;
	if (!s || !ck_path[0]) {
		snprintf(err, errcap, "cluster key: not loaded");
		rc = AIS_EUNAVAIL;
		goto out;
	}
	bool signs = !memcmp(s->keys[0].secret, nk, CKEY_LEN), accepted = false;
	for (int i = 0; i < s->n; i++)
		accepted |= !memcmp(s->keys[i].secret, nk, CKEY_LEN) && (!s->keys[i].until || s->keys[i].until > now);
	if (signs || (accepted && !sign_new))
		goto out; /* already so */
	if (sign_new && !accepted) {
		snprintf(err, errcap, "cluster key: the new secret is not accepted yet");
		rc = AIS_ECONFLICT;
		goto out;
	}
	if (sign_new) {
		ck_hex(nk, txt);
		snprintf(txt + 2 * CKEY_LEN, sizeof(txt) - 2 * CKEY_LEN, "\n");
	} else {
		ck_hex(s->keys[0].secret, txt);
		txt[2 * CKEY_LEN] = '\n';
		ck_hex(nk, txt + 2 * CKEY_LEN + 1);
		snprintf(txt + 4 * CKEY_LEN + 1, sizeof(txt) - 4 * CKEY_LEN - 1, "\n");
	}
	rc = ck_write(txt, err, errcap);
	if (!rc)
		rc = ck_read(true, now, grace_ns, err, errcap) < 0 ? AIS_EIO : 0;
	if (!rc)
		log_info("cluster key: rotation: %s", sign_new ? "signing with the new secret" : "accepting a new secret");
out:
	pthread_mutex_unlock(&ck_mu);
	OPENSSL_cleanse(nk, sizeof(nk));
	OPENSSL_cleanse(txt, sizeof(txt));
	return rc;
}

/* ---------------------------------------------------------------- keys */

int ckey_derived(ckey_kind_t kind, int i, int64_t now_ns, uint8_t out[CKEY_LEN], int64_t *until)
{
	const ckey_set_t *s = atomic_load_explicit(&ck_cur, memory_order_acquire);
	if (!s)
		return AIS_EUNAVAIL;
	if (i < 0 || i >= s->n || (unsigned)kind >= CKEY_NKINDS || (s->keys[i].until && now_ns >= s->keys[i].until))
		return AIS_ENOTFOUND;
	memcpy(out, s->keys[i].d[kind], CKEY_LEN);
	if (until)
		*until = s->keys[i].until;
	return 0;
}

int ckey_intra_mac(int i, int64_t now_ns, const void *data, size_t len, uint8_t out[CKEY_MAC_LEN])
{
	uint8_t k[CKEY_LEN];
	int rc = ckey_derived(CKEY_INTRA, i, now_ns, k, NULL);
	if (!rc)
		rc = ck_hmac(k, data, len, out);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
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
	    ck_gcm(1, s->keys[0].d[CKEY_SEAL], buf, (const uint8_t *)plain, (int)n, buf + CK_IV, buf + CK_IV + n))
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
	int rc = AIS_EINVAL;
	for (int i = 0; i < s->n && rc; i++)
		rc = ck_gcm(0, s->keys[i].d[CKEY_SEAL], buf, buf + CK_IV, (int)n, pt, buf + CK_IV + n);
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
	if (n % 4) {
		/* canonical only: the unused low bits of the last character are zero (else two
		 * encodings would decode to the same bytes) */
		const char *al = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		int v = (int)(strchr(al, tmp[n - 1]) - al);
		if (v & (n % 4 == 2 ? 0xf : 0x3))
			goto out;
	}
	if (len > cap)
		goto out;
	memcpy(out, dec, len);
	rc = (long)len;
out:
	free(tmp);
	free(dec);
	return rc;
}
