/* astore: the AuthN service's database, one JSON document
 *   {"user": {<id>: {...}}, "role": {<name>: {...}}, "cluster": {<id>: {...}}, "revoked": {<token>: <exp>}}
 * (AIStore's collections, cmd/authn/const.go) kept in memory and written atomically after every
 * change: a work file (mode 0600) is written and fsynced, renamed over the file, the directory
 * fsynced. A change that cannot be persisted is undone (the caller gets AIS_EIO): what an answer
 * acknowledged is on disk. The file must not be readable by group or others (open refuses it).
 * Thread-safe (one mutex); values go in and out as deep copies, so callers own what they get. */
#ifndef AIS_ASTORE_H
#define AIS_ASTORE_H

#include <jansson.h>
#include <stdbool.h>

typedef struct astore astore_t;

#define ASTORE_USER "user"
#define ASTORE_ROLE "role"
#define ASTORE_CLUSTER "cluster"
#define ASTORE_REVOKED "revoked"

/* open (or create, empty) the store at path: 0, AIS_EINVAL (malformed file, err filled),
 * AIS_EFORBIDDEN (group/other may read it), AIS_EIO */
int astore_open(const char *path, astore_t **out, char *err, size_t cap);
void astore_close(astore_t *s);
/* a copy of coll[key], or NULL */
json_t *astore_get(astore_t *s, const char *coll, const char *key);
/* set coll[key] = val (reference stolen) and persist; excl: AIS_EEXIST when present.
 * 0, AIS_EEXIST, AIS_EIO (nothing changed) */
int astore_put(astore_t *s, const char *coll, const char *key, json_t *val, bool excl);
/* delete coll[key] and persist: 0, AIS_ENOTFOUND, AIS_EIO (nothing changed) */
int astore_del(astore_t *s, const char *coll, const char *key);
/* a copy of the whole collection (an object, maybe empty) */
json_t *astore_all(astore_t *s, const char *coll);
/* number of entries in coll */
size_t astore_count(astore_t *s, const char *coll);
/* drop the revoked tokens whose expiry (unix s) is before now and persist; returns how many */
int astore_prune_revoked(astore_t *s, long long now);

#endif
