/* rsig: signed redirects (docs/security.md). A node that redirects a client to a target (the
 * proxy for objects; a target to the owner of an object) marks the Location with AIStore's
 * redirect parameters pid (its id) and utm (unix ns), vpams (the Smap version, optional), and
 * signs it:
 *   x = nonce (base 36), u = base64url(HMAC-SHA256(redirect key,
 *       "ais-redirect-v1" 0 method 0 path 0 pid 0 node 0 utm 0 vpams 0 x))
 * with path the decoded URL path and node the ID of the target the redirect points to; the
 * redirect key is derived from the cluster secret (core/ckey.h). A target serves a request that
 * carries the redirect parameters only when the signature is right (any accepted secret), names
 * this target, the request came within auth.cluster_key.nonce_window after utm (clocks within
 * that window of each other), and its nonce was not used before: a redirect URL is good once.
 * Anything else is 401 (AIStore's answer to a bad signature; unlike AIStore, an unsigned
 * redirect is refused too).
 * Cost: the MAC uses a per-thread HMAC context per accepted key (set up once per key set), no
 * allocation per request; the nonce is a per-thread counter from a random start. */
#ifndef AIS_RSIG_H
#define AIS_RSIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "net/http.h"

#define RSIG_MAC_B64 43

/* append "pid=..&utm=..[&vpams=..]&x=..&u=.." (no leading separator) to loc for a redirect of
 * method + path (decoded) to node. 0, or AIS_EUNAVAIL (no cluster key: nothing appended). */
int rsig_sign(sbuf_t *loc, const char *method, const char *path, const char *pid, const char *node, int64_t utm_ns,
	      const char *vpams);
/* does r carry redirect parameters (pid or utm or x or u)? */
bool rsig_present(const http_req_t *r);
/* verify the redirect parameters of r for this node (self): 0, or AIS_EAUTH with why filled;
 * AIS_EAGAIN when the replay memory is full (answer 503) */
int rsig_verify(const http_req_t *r, const char *self, char *why, size_t wcap);
/* the same from parts (tests, fuzzing); now and window in ns; any of the strings may be NULL */
int rsig_verify_parts(const char *method, const char *path, const char *pid, const char *node, const char *utm,
		      const char *vpams, const char *x, const char *u, int64_t now, int64_t window, char *why,
		      size_t wcap);

#endif
