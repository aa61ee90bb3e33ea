/* aserv: the AuthN REST API (AIStore cmd/authn/hserv.go) on the project's HTTP server:
 *   /v1/users[/<id>]       GET (admin; one user: admin or self), POST (add: admin; /<id>: login),
 *                          PUT /<id> (admin, or self changing only the password), DELETE /<id> (admin)
 *   /v1/roles[/<name>]     GET (open, as AIStore), POST/PUT/DELETE (admin)
 *   /v1/clusters[/<id>]    GET (open, as AIStore), POST/PUT/DELETE (admin)
 *   /v1/tokens             DELETE {"token"} revoke (the token itself is the credential)
 *   /v1/daemon             GET/PUT the service config (admin)
 *   /v1/public-key         GET {"public_key"} (RS256)      /v1/rotate-key  POST: not built (501)
 *   /.well-known/openid-configuration, /.well-known/jwks.json  GET (open)
 * "admin" means a valid, unrevoked token of this service with the admin claim; anything less is
 * 401 as in AIStore. Handlers run on the server's pool (KDF, RSA and cluster calls block). */
#ifndef AIS_ASERV_H
#define AIS_ASERV_H

#include "authn/amgr.h"

/* register the routes (net/route.h) for m (borrowed for the server's lifetime) */
void aserv_init(amgr_t *m);

#endif
