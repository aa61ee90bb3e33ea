/* apwd: password hashing for the AuthN service (aisauth). A password is stored only as
 *   "pbkdf2-sha256$<iterations>$<salt b64url>$<derived key b64url>"
 * (OpenSSL PKCS5_PBKDF2_HMAC with SHA-256, a 16-byte random salt, APWD_ITER iterations, a
 * 32-byte derived key); AIStore stores bcrypt hashes, which OpenSSL does not offer. Verification
 * compares in constant time and refuses hashes with fewer than APWD_MIN_ITER iterations or in
 * another format. Stateless, thread-safe; the clear password never leaves the caller's buffer. */
#ifndef AIS_APWD_H
#define AIS_APWD_H

#include <stdbool.h>
#include <stddef.h>

#define APWD_ITER 120000
#define APWD_MIN_ITER 100000
#define APWD_MAX_ITER 10000000
#define APWD_HASH_MAX 128

/* hash pass into out (cap >= APWD_HASH_MAX): 0, AIS_EINVAL (empty password, no room), AIS_EINTERNAL */
int apwd_hash(const char *pass, char *out, size_t cap);
/* the same with a given iteration count (tests) */
int apwd_hash_iter(const char *pass, int iter, char *out, size_t cap);
/* does pass match the stored hash? false for a malformed or weak hash */
bool apwd_verify(const char *pass, const char *hash);
/* a hash in apwd's format (the store refuses anything else, e.g. a clear password) */
bool apwd_is_hash(const char *hash);

#endif
