/* aconf: the AuthN service's configuration, AIStore's authn.json (api/authn/config.go) in the
 * config dir (the -config flag, or AIS_AUTHN_CONF_DIR which wins) with AIStore's environment
 * overrides: AIS_AUTHN_PORT, AIS_AUTHN_EXTERNAL_URL, AIS_AUTHN_SECRET_KEY, AIS_AUTHN_PRIVATE_KEY_FILE,
 * AIS_AUTHN_LOG_DIR, AIS_AUTHN_LOG_LEVEL, AIS_AUTHN_TTL, AIS_AUTHN_USE_HTTPS. Defaults and limits as
 * AIStore's: port 52001, expiration_time 24h, max_token_age 90 days (>= 1m each, expiry <= max age),
 * RSA bits >= 2048. Not built (refused at start with a message, never ignored): HTTPS, an encrypted
 * private key (AIS_AUTHN_PRIVATE_KEY_PASS), db.type other than "". Unknown fields are an error.
 * The struct is plain data owned by the caller; aconf_save writes authn.json atomically (0600). */
#ifndef AIS_ACONF_H
#define AIS_ACONF_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACONF_FILE "authn.json"
#define ACONF_DB "authn.db"
#define ACONF_RSA_KEY "authn_rsa.key"
#define ACONF_DEFAULT_PORT 52001

typedef struct aconf {
	char path[PATH_MAX];    /* authn.json */
	char db_path[PATH_MAX];
	char key_path[PATH_MAX];
	char log_dir[PATH_MAX];
	int log_level;          /* AIStore's 3..5 */
	int port;
	char external_url[512]; /* the issuer: net.external_url or http://localhost:<port> */
	char secret[512];       /* HMAC secret ("" → RS256) */
	int64_t expire_ns, max_age_ns, timeout_ns;
	int rsa_bits;
	bool key_external;      /* auth.signing_key.mode "external": the key file must exist */
	json_t *raw;            /* the file's JSON as loaded/updated (secret never shown from here) */
} aconf_t;

/* load dir_or_file (flag) with the environment; 0 or AIS_E* with err filled */
int aconf_load(aconf_t *c, const char *flag_conf, char *err, size_t cap);
void aconf_fini(aconf_t *c);
/* the config as GET /v1/daemon shows it (secret masked); new reference */
json_t *aconf_json(const aconf_t *c);
/* apply AIStore's ConfigToUpdate {"auth": {"secret", "expiration_time"}} (body JSON) and save:
 * 0, AIS_EINVAL (err filled: unknown field, bad value), AIS_EIO. *secret_changed set. */
int aconf_update(aconf_t *c, const char *body, size_t len, bool *secret_changed, char *err, size_t cap);

#endif
