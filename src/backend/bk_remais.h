/* bk_remais: the remote AIS clusters this cluster is attached to (AIStore's AISbp alias/remote
 * tables, ais/backend/ais.go): the aliases and URLs come from the cluster config (backend.ais,
 * changed by `PUT /v1/cluster/attach|detach`), each cluster's UUID is learned by asking it for
 * its Smap (GET <url>/v1/cluster?what=smap) and cached. A bucket's namespace "@<alias|uuid>"
 * names its cluster. Thread-safe (one mutex over the cache; no network call under it). */
#ifndef AIS_BK_REMAIS_H
#define AIS_BK_REMAIS_H

#include <jansson.h>

#include "backend/bk.h"

typedef struct bk_remais {
	char alias[64];
	char uuid[64];
	char url[256];
} bk_remais_t;

/* the cluster of namespace ns ("@alias", "@alias#", "@uuid"): 0 with out filled (out may be
 * NULL: only check), or AIS_ENOTFOUND with e = AIStore's 404 "remote cluster \"alias\" not found"
 * (not attached, or detached). Probes the cluster once to learn its UUID when needed. */
int bk_remais_resolve(const char *ns, bk_remais_t *out, bk_err_t *e);
/* ask url for its Smap: 0 with the UUID (and a new reference to the Smap JSON when smap is
 * not NULL), or AIS_E* with e filled (unreachable: 503, not an AIStore gateway: 400) */
int bk_remais_probe(const char *url, char *uuid, size_t cap, json_t **smap, bk_err_t *e);
/* AIStore's meta.RemAisVec of the attached clusters {"a":[{"url","alias","uuid","smap"}],"ver"}:
 * each probed now (unreachable ones keep the cached UUID, smap null); new reference */
json_t *bk_remais_vec(void);

#endif
