/* obj_get: GET/HEAD of an object (handlers in tgt_int.h). Exposes the pure Range parser. */
#ifndef AIS_OBJ_GET_H
#define AIS_OBJ_GET_H

#include <stdint.h>

/* RFC 7233 single byte range as AIStore (ais/utils.go parseMultiRange) for an object of `size`:
 *   0            no range to apply (serve the whole object)
 *   1            one satisfiable range: *off, *len
 *   AIS_ERANGE   unsatisfiable (416 with "Content-Range: bytes * /size")
 *   AIS_EINVAL   malformed (416)
 *   AIS_ENOTIMPL more than one range (416, "multi-range read" unsupported) */
int obj_get_range(const char *hdr, int64_t size, int64_t *off, int64_t *len);

#endif
