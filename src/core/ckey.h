/* ckey: the cluster secret and the keys derived from it (see docs/security.md).
 *
 * The cluster secret is what makes a node a member: every intra-cluster request is signed with
 * a key derived from it (net/isig.h), every redirect a proxy issues too (net/rsig.h), and
 * secrets in cluster metadata travel sealed with it. It never travels itself: nodes load it
 * from a file
 *   $AIS_CLUSTER_KEY_FILE, else <confdir>/.ais.cluster_key
 * (64 hex digits; an optional second line is a second accepted secret, used while an operator
 * rotates the secret); a node that finds no file generates a random secret and persists it with
 * mode 0600 (so a single node needs no setup; further nodes must be given the same file). A file
 * readable by group or others is refused.
 *
 * Rotation without downtime: ckey_reload() re-reads the file when it changed (aisnode calls it
 * every few seconds). The first line signs; every line is accepted; a secret that a reload
 * dropped stays accepted for auth.cluster_key.rotation_grace (the grace passed to ckey_reload).
 * The usual sequence: every node "OLD\nNEW" (accept NEW), then "NEW\nOLD" (sign with NEW), then
 * "NEW" (OLD accepted for the grace period, then no more).
 *
 * Derived keys (HMAC-SHA256 of a label under the secret; no key material in any message):
 *   intra "ais-intra-v1", seal "ais-seal-v1", redirect "ais-redirect-v1".
 *
 * Thread-safety: the loaded key set is an immutable version published through an atomic
 * pointer; readers never lock. Versions are freed at ckey_fini (reloads are rare). */
#ifndef AIS_CKEY_H
#define AIS_CKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CKEY_LEN 32      /* secret and derived key bytes */
#define CKEY_MAC_LEN 32  /* HMAC-SHA256 */
#define CKEY_MAX 4       /* accepted secrets: the file's two lines + two retired in their grace */
#define CKEY_ENV_FILE "AIS_CLUSTER_KEY_FILE"
#define CKEY_FILE_NAME ".ais.cluster_key"

/* load (or generate) the secret; err says why on failure. 0 or AIS_E*. */
int ckey_load(const char *confdir, char *err, size_t errcap);
/* re-read the file ckey_load used when its contents changed; secrets it no longer lists stay
 * accepted until now_ns + grace_ns. 1 reloaded, 0 unchanged, AIS_E* (the old keys stay). */
int ckey_reload(int64_t now_ns, int64_t grace_ns, char *err, size_t errcap);
/* automatic rotation (cluster/ckrot.h): the new secret new_hex (64 hex digits) is written to the
 * key file (0600, atomically) and installed. !sign_new: the file becomes "CURRENT\nNEW" (NEW is
 * accepted, CURRENT still signs); sign_new: the file becomes "NEW" (NEW signs; the secrets it
 * drops stay accepted for grace_ns) - AIS_ECONFLICT when NEW is not accepted yet. A no-op when
 * the file already says so. 0 or AIS_E* with err filled. */
int ckey_rotate(const char *new_hex, bool sign_new, int64_t now_ns, int64_t grace_ns, char *err, size_t errcap);
/* the secrets from memory (tests, tools): 32 bytes each; prev may be NULL */
int ckey_set(const uint8_t secret[CKEY_LEN], const uint8_t *prev);
bool ckey_loaded(void);
/* a number that changes with every new key set (per-thread caches of derived keys) */
uint64_t ckey_gen(void);
void ckey_fini(void);

/* which derived key */
typedef enum { CKEY_INTRA, CKEY_SEAL, CKEY_REDIR, CKEY_NKINDS } ckey_kind_t;

/* the derived key of accepted secret i (0: the signing one) at now_ns: 0 and out filled (until:
 * 0, or when the secret's grace ends; may be NULL), AIS_ENOTFOUND when there is no such secret
 * (or its grace is over), AIS_EUNAVAIL before a load */
int ckey_derived(ckey_kind_t kind, int i, int64_t now_ns, uint8_t out[CKEY_LEN], int64_t *until);
/* HMAC-SHA256 with the intra key of secret i (as ckey_derived, which at now_ns) */
int ckey_intra_mac(int i, int64_t now_ns, const void *data, size_t len, uint8_t out[CKEY_MAC_LEN]);

/* secrets in cluster metadata on the wire (the cluster config's s3 keys in a join answer or a
 * metasync push) travel sealed: AES-256-GCM with the seal key:
 *   "enc:v1:" base64url(iv[12] | ciphertext | tag[16])
 * ckey_seal: 0, AIS_EUNAVAIL (no key), AIS_EINVAL (out too small, plain > 512 bytes). ckey_open:
 * the plaintext, NUL-terminated (any accepted secret); AIS_EINVAL when malformed or not sealed by
 * this cluster (tampered, another cluster's key). */
#define CKEY_SEAL_PREFIX "enc:v1:"
int ckey_seal(const char *plain, char *out, size_t cap);
int ckey_open(const char *sealed, char *out, size_t cap);
bool ckey_is_sealed(const char *s);

/* constant-time comparison */
bool ckey_equal(const void *a, const void *b, size_t n);
/* base64url without padding (43 chars for 32 bytes) into out (cap >= 4*ceil(n/3)+1); returns
 * length (0: no room) */
size_t ckey_b64url(const uint8_t *in, size_t n, char *out, size_t cap);
/* decode base64url (no padding); returns decoded length or -1 */
long ckey_b64url_dec(const char *in, size_t n, uint8_t *out, size_t cap);

#endif
