/* ckey: the cluster secret and the keys derived from it (see docs/security.md).
 *
 * The cluster secret is what makes a node a member: every intra-cluster request is signed with
 * a key derived from it (net/isig.h) and every redirect a proxy issues is signed with a
 * versioned key derived from it (auth/redir.h). It never travels: nodes load it from a file
 *   $AIS_CLUSTER_KEY_FILE, else <confdir>/.ais.cluster_key
 * (64 hex digits; an optional second line is the previous secret, still accepted while an
 * operator rotates the secret); a node that finds no file generates a random secret and
 * persists it with mode 0600 (so a single-node cluster needs no setup; further nodes must be
 * given the same file). A file readable by group or others is refused.
 *
 * Derived keys (HMAC-SHA256 over a label; no key material ever appears in a message):
 *   intra      K = HMAC(secret, "ais-intra-v1")              signs intra-cluster requests
 *   redirect   K(v) = HMAC(secret, "ais-redirect-v1" | v | salt(v))
 * The redirect key version v and its random salt are chosen by the primary and distributed by
 * metasync ("csk"); a node accepts the current version and, for the configured rotation grace,
 * the previous one (AIStore's auth.cluster_key: ttl, rotation_grace).
 *
 * Thread-safety: the loaded key set is an immutable version published through an atomic
 * pointer; readers never lock. Versions are freed at ckey_fini (rotations are rare). */
#ifndef AIS_CKEY_H
#define AIS_CKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CKEY_LEN 32      /* secret and derived key bytes */
#define CKEY_MAC_LEN 32  /* HMAC-SHA256 */
#define CKEY_SALT_LEN 16
#define CKEY_ENV_FILE "AIS_CLUSTER_KEY_FILE"
#define CKEY_FILE_NAME ".ais.cluster_key"

/* load (or generate) the secret; err says why on failure. 0 or AIS_E*. */
int ckey_load(const char *confdir, char *err, size_t errcap);
/* the secret from memory (tests, tools): 32 bytes; prev may be NULL */
int ckey_set(const uint8_t secret[CKEY_LEN], const uint8_t *prev);
bool ckey_loaded(void);
void ckey_fini(void);

/* HMAC-SHA256 with the intra key. which: 0 the current secret's, 1 the previous one's
 * (AIS_ENOTFOUND when there is none). 0 or AIS_E*. */
int ckey_intra_mac(int which, const void *data, size_t len, uint8_t out[CKEY_MAC_LEN]);

/* redirect keys */
typedef struct ckey_rver {
	uint64_t ver;                 /* 0: none yet */
	uint8_t salt[CKEY_SALT_LEN];
	int64_t created;              /* unix ns, when the primary made it */
} ckey_rver_t;
/* the current version (ver 0 before the first one arrived) */
void ckey_redir_cur(ckey_rver_t *out);
/* the previous version and when this node replaced it (unix ns); ver 0 when none */
void ckey_redir_prev(ckey_rver_t *out, int64_t *replaced_ns);
/* install v if newer than the current one (force: any other version); now: unix ns.
 * Returns 1 installed, 0 not newer, AIS_E* on error. */
int ckey_redir_install(const ckey_rver_t *v, bool force, int64_t now);
/* a new version after cur (random salt); not installed */
int ckey_redir_next(ckey_rver_t *out, int64_t now);
/* HMAC-SHA256 with the redirect key of version ver: the current one, or the previous one while
 * now < replaced + grace_ns. AIS_ENOTFOUND for any other version. */
int ckey_redir_mac(uint64_t ver, int64_t now, int64_t grace_ns, const void *data, size_t len,
		   uint8_t out[CKEY_MAC_LEN]);

/* secrets in cluster metadata on the wire (the cluster config's s3 keys in a join answer or a
 * metasync push) travel sealed: AES-256-GCM with K = HMAC(secret, "ais-seal-v1"):
 *   "enc:v1:" base64url(iv[12] | ciphertext | tag[16])
 * ckey_seal: 0, AIS_EUNAVAIL (no key), AIS_EINVAL (out too small). ckey_open: the plaintext
 * (current or previous secret), NUL-terminated; AIS_EINVAL when malformed or not sealed by this
 * cluster (tampered, another cluster's key). */
#define CKEY_SEAL_PREFIX "enc:v1:"
int ckey_seal(const char *plain, char *out, size_t cap);
int ckey_open(const char *sealed, char *out, size_t cap);
bool ckey_is_sealed(const char *s);

/* constant-time comparison */
bool ckey_equal(const void *a, const void *b, size_t n);
/* base64url without padding (43 chars for 32 bytes) into out (cap >= 4*ceil(n/3)+1); returns length (0: no room) */
size_t ckey_b64url(const uint8_t *in, size_t n, char *out, size_t cap);
/* decode base64url (no padding); returns decoded length or -1 */
long ckey_b64url_dec(const char *in, size_t n, uint8_t *out, size_t cap);

#endif
