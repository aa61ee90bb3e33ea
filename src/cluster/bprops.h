/* bprops: the bucket props table (AIStore's cmn.Bprops, names and JSON shape of the
 * Ais-Bucket-Props header and the BMD). Each row: the prop's dotted path, whether it is inherited
 * from the cluster config (then its type, range and default come from the config table row of
 * the same path) or typed here, and its rules: read-only, not built here (a change answers 501),
 * used by this implementation. The rows drive the default props of a new bucket, set-bprops
 * validation (bmd_set_props), and the bucket props reference in docs/configuration.md.
 * Pure: no state; works on props JSON the caller owns. */
#ifndef AIS_BPROPS_H
#define AIS_BPROPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

/* the props of a new bucket of `provider`, inherited from cfg (NULL: the config table's
 * defaults), without bid/created. New reference, NULL on OOM. */
json_t *bprops_default(const char *provider, const config_t *cfg);

/* validate `patch` (a BpropsToSet JSON) against the table and apply it to a copy of *props; on
 * success *props is replaced by the new props (the old reference dropped). Unknown props and
 * wrong shapes -> AIS_EINVAL ("unknown property"), read-only props -> AIS_EINVAL, invalid values
 * -> AIS_EINVAL naming the prop, changes this build does not implement (mirror.enabled=true,
 * ec.enabled=true, per-bucket chunks, ...) -> AIS_ENOTIMPL. On error *props is untouched. */
int bprops_apply(json_t **props, json_t *patch, char *err, size_t errcap);

/* a bool prop at a dotted path ("checksum.validate_warm_get"), def when absent */
bool bprops_bool(json_t *props, const char *path, bool def);
/* a string prop at a dotted path, def when absent */
const char *bprops_str(json_t *props, const char *path, const char *def);

/* the bucket props reference of docs/configuration.md (markdown; deterministic); caller frees */
char *bprops_markdown(void);

#endif
