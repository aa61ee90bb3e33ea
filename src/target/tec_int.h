/* tec_int: what tec.c (encoder, queue, delete), tec_rx.c ("ec" receiver: store, drop, serve) and
 * tec_get.c (restore) share; not for other modules. Frames on the "ec" stream:
 *   OBJ, opaque = ecmeta JSON ('{...'), payload = the slice or replica    store it
 *   OBJ, opaque = "D" + 8-byte generation (big-endian), no payload        drop slices up to gen
 *   REQ, opaque = 8-byte token                                            send me your slice
 *   OBJ F_RESPONSE, opaque = token + ecmeta JSON, payload = the slice      the answer (else a
 *                                                                         REPLY AIS_ENOTFOUND) */
#ifndef AIS_TEC_INT_H
#define AIS_TEC_INT_H

#include <stdint.h>

#include "cluster/smap.h"
#include "obj/ecmeta.h"
#include "target/tec.h"
#include "transport/transport.h"

#define TEC_MAX_SLICE ((int64_t)256 << 20) /* larger slices are refused (kept in memory) */
#define TEC_MAX_TGTS 64

/* the active targets (not in maintenance) in HRW order for o (the owner first); returns n */
int tec_order(const obj_t *o, snode_t *out, int cap);
/* the same over Smap m (NULL: none) */
int tec_order_in(const smap_t *m, const obj_t *o, snode_t *out, int cap);
void tec_tok_put(uint8_t b[8], uint64_t v);
uint64_t tec_tok_get(const uint8_t *b);

/* tec_get.c: a response arrived for the waiter of token (loop thread): the slice (buf, owned now
 * by the waiter) and its metadata; false if nobody waits (the caller frees buf) */
bool tec_get_deliver(uint64_t token, const ecmeta_t *m, unsigned char *buf, size_t len);

extern const transport_rx_ops_t tec_rx_ops; /* tec_rx.c */

#endif
