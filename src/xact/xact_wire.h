/* xact_wire: the job API's JSON: AIStore's xact.ArgsMsg (start/stop) and xact.QueryMsg (what=
 * status|status_all|qryxstats|running_all) decoded as Go decodes them (keys matched case-
 * insensitively: Go clients send "Kind","ID", curl examples "kind","id"; unknown keys ignored;
 * null leaves a field unset; a value of the wrong type is an error), cmn.Bck both ways, the
 * nl.Status JSON the proxy answers, and the names AIStore prints (ArgsMsg/QueryMsg String(),
 * bucket cname). Pure functions, no state; every decoder has a fuzz driver
 * (tests/fuzz/fuzz_xact_wire.c). */
#ifndef AIS_XACT_WIRE_H
#define AIS_XACT_WIRE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "xact/xact.h"

/* xact.QueryMsg: ID may be a comma-separated list (AIStore's SepaID) */
typedef struct xact_query {
	char id[256];
	char kind[XACT_NAME_MAX];
	char node[64];
	xact_bck_t bck;
	int only_running; /* "show_active": -1 absent/null, 0 false, 1 true */
} xact_query_t;

/* ArgsMsg from the ActMsg "value" (NULL/null → all empty). 0, or AIS_EINVAL with err. On success
 * the caller owns a->buckets (xact_wire_args_fini). a->params is left NULL. */
int xact_wire_args_parse(json_t *v, xact_args_t *a, char *err, size_t cap);
void xact_wire_args_fini(xact_args_t *a);
/* ArgsMsg as AIStore marshals it ({"ID","Kind","DaemonID","Bck","Buckets","Timeout","Force",
 * "OnlyRunning"} + "flags" when non-zero); new reference */
json_t *xact_wire_args_json(const xact_args_t *a);
/* QueryMsg from a request body (NULL/empty body → all empty). 0 or AIS_EINVAL with err. */
int xact_wire_query_parse(const char *body, size_t len, xact_query_t *q, char *err, size_t cap);
/* QueryMsg as AIStore marshals it ("show_active" null unless set, "bck","id","kind", "node"
 * when set); new reference */
json_t *xact_wire_query_json(const xact_query_t *q);
/* cmn.Bck: {"name","provider","namespace":{"uuid","name"}} */
int xact_wire_bck_parse(json_t *j, xact_bck_t *b, char *err, size_t cap);
json_t *xact_wire_bck_json(const xact_bck_t *b);
/* "ais://name" or "ais://@uuid#ns/name" (provider "" → ais) */
void xact_wire_bck_cname(const xact_bck_t *b, char *out, size_t cap);
/* AIStore's ArgsMsg.String(): "xa-<kind>[<id>]-<bck>-node[<id>]-0x<flags>" (parts when set) */
void xact_wire_args_str(const xact_args_t *a, char *out, size_t cap);
/* AIStore's QueryMsg.String(): "x-<kind>[<id>]-<bck>-node[<id>]-only-running" */
void xact_wire_query_str(const xact_query_t *q, char *out, size_t cap);
/* nl.Status: {"kind","uuid","err","end_time":<ns>,"aborted"} + "is_idle" when true */
json_t *xact_wire_status_json(const char *kind, const char *uuid, const char *err, int64_t end_ns, bool aborted,
			      bool idle);
/* xact.ParseCname: "kind[id]" → kind, id. 0 or AIS_EINVAL. */
int xact_wire_parse_cname(const char *cname, char *kind, size_t kcap, char *id, size_t icap);

#endif
