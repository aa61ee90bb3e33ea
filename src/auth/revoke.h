/* revoke: the node's set of revoked JWTs (AIStore ais/prxauth.go RevokedTokensMap). A proxy
 * receives them from AuthN (DELETE /v1/tokens with a TokenList {"tokens": [...], "version": "N"},
 * proxy/ptokens.c); the primary adds them here and metasyncs the whole list to every node under
 * the tag "tokens" (AIStore's revsTokenTag), so every proxy and target - also one that joins
 * later (join answers carry the metasync payload) - refuses them (auth/agate.c: 401). A token
 * stays in the set until its "exp" (read from its payload; the signature does not matter here)
 * has passed; a token without a readable exp stays until the node restarts. In memory only, as
 * AIStore (AuthN re-sends its list when a cluster registers). Thread-safe (rwlock; a lock-free
 * emptiness check keeps the request path free when nothing was revoked). */
#ifndef AIS_REVOKE_H
#define AIS_REVOKE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* tokens kept at most (more: the add is refused, 400): the whole set rides in every metasync
 * payload, so it stays small (tokens expire; AuthN's default lifetime is 24h) */
#define REVOKE_MAX 10000
#define REVOKE_TOKEN_MAX 16384 /* bytes of one token */

/* register the "tokens" metasync rev (before the server starts) */
int revoke_init(void);
bool revoke_has(const char *token);
/* parse a TokenList body: 0 and *tokens (a new array of non-empty strings), or AIS_EINVAL + err */
int revoke_parse(const char *body, size_t len, json_t **tokens, char *err, size_t cap);
/* add the tokens (borrowed array of strings) and drop expired ones: 0, or AIS_ETOOBIG (the set
 * would exceed REVOKE_MAX; nothing added) */
int revoke_add(json_t *tokens, char *err, size_t cap);
/* {"tokens": [...], "version": "N"} (new reference), or NULL when the set is empty */
json_t *revoke_list_json(void);
size_t revoke_count(void);
void revoke_clear(void); /* tests */

#endif
