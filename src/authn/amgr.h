/* amgr: the AuthN service's manager (AIStore cmd/authn/mgr.go + aisreq.go): users, roles,
 * registered clusters, login (token issue), token revocation and its push to every registered
 * cluster, the service config. Owns the store (astore), the signer (asign) and the config (aconf).
 * Calls return 0 or AIS_E* with a message in err (the HTTP layer maps the code: EINVAL 400,
 * EAUTH 401, EFORBIDDEN 403, ENOTFOUND 404, EEXIST 409, EIO 500, EUNAVAIL 502 for a cluster that
 * cannot be reached). Blocking (PBKDF2, RSA, calls to clusters): pool threads only. Thread-safe:
 * read-modify-write sequences hold the manager's mutex; the signer is swapped under a rwlock. */
#ifndef AIS_AMGR_H
#define AIS_AMGR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/jwtv.h"
#include "authn/aconf.h"

typedef struct amgr amgr_t;

#define AMGR_ADMIN_ROLE "Admin"

/* conf is borrowed for the manager's lifetime. Creates the Admin role and the superuser
 * (AIS_AUTHN_SU_NAME, default "admin"; AIS_AUTHN_SU_PASS, required) in an empty database. */
int amgr_open(aconf_t *conf, amgr_t **out, char *err, size_t cap);
void amgr_close(amgr_t *m);

/* the claims of the request's "Authorization: Bearer" token: 0, or AIS_EAUTH (none, invalid,
 * expired, revoked) */
int amgr_claims(amgr_t *m, const char *authz, jwtv_claims_t *c, char *err, size_t cap);

int amgr_user_add(amgr_t *m, json_t *u, char *err, size_t cap);                 /* abody_user form */
int amgr_user_update(amgr_t *m, const char *id, json_t *u, char *err, size_t cap);
int amgr_user_del(amgr_t *m, const char *id, char *err, size_t cap);
json_t *amgr_user_get(amgr_t *m, const char *id); /* without the password hash; NULL: not found */
json_t *amgr_user_list(amgr_t *m);                /* {id: user} */
/* login: a new token (caller frees) into *tok */
int amgr_login(amgr_t *m, const char *id, const char *pass, bool has_exp, int64_t exp_ns, char **tok, char *err,
	       size_t cap);

int amgr_role_add(amgr_t *m, json_t *r, char *err, size_t cap); /* abody_role form */
int amgr_role_update(amgr_t *m, const char *name, json_t *r, char *err, size_t cap);
int amgr_role_del(amgr_t *m, const char *name, char *err, size_t cap);
json_t *amgr_role_get(amgr_t *m, const char *name); /* NULL: not found */
json_t *amgr_role_list(amgr_t *m);                  /* [role] */

int amgr_clu_add(amgr_t *m, json_t *c, char *err, size_t cap); /* abody_cluster form */
int amgr_clu_update(amgr_t *m, const char *id, json_t *c, char *err, size_t cap);
int amgr_clu_del(amgr_t *m, const char *id_or_alias, char *err, size_t cap);
json_t *amgr_clu_get(amgr_t *m, const char *id_or_alias); /* {"clusters": {id: clu}} or NULL */
json_t *amgr_clu_list(amgr_t *m);                         /* {"clusters": {...}} */

/* revoke a valid token and push it to every registered cluster (best effort, logged) */
int amgr_revoke(amgr_t *m, const char *token, char *err, size_t cap);

json_t *amgr_conf(amgr_t *m);
int amgr_conf_update(amgr_t *m, const char *body, size_t len, char *err, size_t cap);
json_t *amgr_oidc(amgr_t *m);
/* JWKS (RS256) or NULL; PEM public key copy (RS256, caller frees) or NULL */
json_t *amgr_jwks(amgr_t *m);
char *amgr_pubkey(amgr_t *m);

#endif
