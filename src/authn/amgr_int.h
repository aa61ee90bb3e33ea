/* amgr_int: what amgr.c (users, roles, login, tokens, config) and amgr_clu.c (registered clusters
 * and the calls to them) share: the manager's state and a few helpers. Private to src/authn/. */
#ifndef AIS_AMGR_INT_H
#define AIS_AMGR_INT_H

#include <pthread.h>

#include "authn/amgr.h"
#include "authn/asign.h"
#include "authn/astore.h"

struct amgr {
	aconf_t *conf;
	astore_t *db;
	asign_t *sig;
	pthread_rwlock_t sig_mu; /* guards sig (a config update may replace it) */
	pthread_mutex_t mu;      /* read-modify-write of the store; the config */
	char su[65];             /* superuser ID */
};

/* err filled from fmt; returns rc */
int amgr_fail(char *err, size_t cap, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
long long amgr_now(void);
/* sign claims (borrowed) with the current signer: a new token or NULL */
char *amgr_sign(amgr_t *m, json_t *claims);
/* the stored ID of the cluster whose ID is id, or whose ID or alias is alias, into out ("" none) */
void amgr_clu_lookup(amgr_t *m, const char *id, const char *alias, char *out, size_t cap);
/* send a revoked token to one proxy of every registered cluster (failures logged) */
void amgr_clu_broadcast(amgr_t *m, const char *token);

#endif
