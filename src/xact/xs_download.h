/* xs_download: the downloader job's outside view (its kind is xs_download_ops, xs.h): request
 * validation the proxy runs before starting anything, and the per-target job status the
 * /v1/download API aggregates (dload.StatusResp / dload.Job JSON). */
#ifndef AIS_XS_DOWNLOAD_H
#define AIS_XS_DOWNLOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "xact/xact.h"

/* a dload.Body (type, bucket, timeout, and the type's fields): 0 or AIS_EINVAL with err as
 * AIStore words it */
int xs_download_validate(json_t *body, char *err, size_t cap);
/* this target's StatusResp of download job x (new reference); NULL when x is not a download
 * job or was removed. with_tasks: current/finished tasks and errors too. */
json_t *xs_download_status(xact_t *x, bool only_active, bool with_tasks);
/* forget a finished job (the remove API): 0, AIS_ECONFLICT (still running), AIS_ENOTFOUND */
int xs_download_remove(xact_t *x);

#endif
