/* lso: AIStore's list-objects wire types (api/apc/lsmsg.go, cmn/objlist.go): LsoMsg (request),
 * LsoEnt (one entry) and LsoRes (a page). JSON field names are exact; LsoMsg rejects unknown
 * fields as AIStore does. `flags` is a uint64 sent as a decimal string (`json:"flags,string"`);
 * a bare number is accepted too. Entry `size` is a string too (`json:"size,string"`).
 * Ownership: parsed structs own their strings; release with the matching _fini. */
#ifndef AIS_LSO_H
#define AIS_LSO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* LsoMsg flags (apc.Ls*) */
enum {
	LS_CACHED = 1 << 0,
	LS_MISSING = 1 << 1,
	LS_DELETED = 1 << 2,
	LS_ARCH_DIR = 1 << 3,
	LS_NAME_ONLY = 1 << 4,
	LS_NAME_SIZE = 1 << 5,
	LS_BCK_PRESENT = 1 << 6,
	LS_DONT_HEAD_REMOTE = 1 << 7,
	LS_DONT_ADD_REMOTE = 1 << 8,
	LS_NOT_CACHED = 1 << 9,
	LS_ONLY_REMOTE_PROPS = 1 << 10,
	LS_NO_RECURSION = 1 << 11,
	LS_DIFF = 1 << 12,
	LS_NO_DIRS = 1 << 13,
	LS_IS_S3 = 1 << 14,
	LS_NBI = 1 << 15,
};

/* LsoEnt flags (apc.Entry*, status in the low 5 bits) */
enum {
	LSO_LOC_OK = 0,
	LSO_STATUS_MASK = (1 << 5) - 1,
	LSO_ENTRY_IS_CACHED = 1 << 6,
	LSO_ENTRY_IN_ARCH = 1 << 7,
	LSO_ENTRY_IS_DIR = 1 << 8,
	LSO_ENTRY_IS_ARCHIVE = 1 << 9,
	LSO_ENTRY_VER_CHANGED = 1 << 10,
	LSO_ENTRY_VER_REMOVED = 1 << 11,
	LSO_ENTRY_HEAD_FAIL = 1 << 12,
	LSO_ENTRY_IS_CHUNKED = 1 << 13,
};

#define LSO_MAX_PAGE_AIS 10000 /* apc.MaxPageSizeAIS */

typedef struct lso_msg {
	char *uuid;
	char *props;              /* comma-separated GetProps* names ("" = defaults) */
	char *time_format;        /* Go layout; "" = RFC822 */
	char *prefix;
	char *start_after;
	char *continuation_token;
	char *target;             /* "target" (SID) */
	uint64_t flags;
	int64_t pagesize;
	json_t *hdr;              /* "hdr" (request headers for remote backends); owned ref or NULL */
} lso_msg_t;

typedef struct lso_ent {
	char *name;
	char *checksum;
	char *atime;
	char *version;
	char *location;
	char *custom;
	int64_t size;
	int copies;
	unsigned flags;
} lso_ent_t;

typedef struct lso_res {
	char *uuid;
	char *continuation_token;
	lso_ent_t *entries;
	size_t n, cap;
	uint32_t flags;
} lso_res_t;

void lso_msg_init(lso_msg_t *m);
void lso_msg_fini(lso_msg_t *m);
/* parse an LsoMsg JSON object (or null = all defaults). 0 or AIS_EINVAL with err filled. */
int lso_msg_from_json(json_t *j, lso_msg_t *m, char *err, size_t errcap);
int lso_msg_parse(const char *buf, size_t len, lso_msg_t *m, char *err, size_t errcap);
json_t *lso_msg_to_json(const lso_msg_t *m);
/* AIStore's WantProp: substring match in props */
bool lso_want(const lso_msg_t *m, const char *prop);
/* AIStore's NormalizeNameSizeDflt: default props and name-only/name-size flags. */
void lso_msg_normalize(lso_msg_t *m);

void lso_ent_fini(lso_ent_t *e);
json_t *lso_ent_to_json(const lso_ent_t *e);
int lso_ent_from_json(json_t *j, lso_ent_t *e);

void lso_res_init(lso_res_t *r);
void lso_res_fini(lso_res_t *r);
/* append an entry (takes ownership of e's strings; e is zeroed). 0 or AIS_ENOMEM */
int lso_res_add(lso_res_t *r, lso_ent_t *e);
json_t *lso_res_to_json(const lso_res_t *r);
int lso_res_from_json(json_t *j, lso_res_t *r, char *err, size_t errcap);
/* the page as AIStore's msgpack (what it answers to `Accept: application/msgpack`): a map
 * {"UUID","ContinuationToken","Entries","Flags"}, entries with the short keys n, cs, a, v,
 * t, m, s, c, f (omitempty). malloc'd buffer (caller frees) with *len, or NULL on OOM. */
char *lso_res_msgpack(const lso_res_t *r, size_t *len);
/* the proxy's merge of the targets' pages for message m (AIStore's concatLso + finLsoA):
 * takes every entry of pages[] (they are left empty), ORs their flags, sorts (by name for
 * LsNoRecursion, else virtual dirs first, then name, then status), drops repeated names
 * under LsNoRecursion (each target lists the same virtual directory), keeps at most
 * m->pagesize (0 = LSO_MAX_PAGE_AIS) and, when the page is full, sets continuation_token to
 * its last name ("" marks the last page). out->uuid = m->uuid. 0 or AIS_ENOMEM. */
int lso_res_merge(lso_res_t *pages, size_t npages, const lso_msg_t *m, lso_res_t *out);
/* the same, and the entries after the cut that sort above the token go back, in order, to
 * rest[p] (npages of them, initialized by the caller) for the page p they came from (the proxy
 * keeps them for the listing's next page); when the page is not full there is no rest; rest
 * NULL frees them. 0 or AIS_ENOMEM. */
int lso_res_merge_rest(lso_res_t *pages, size_t npages, const lso_msg_t *m, lso_res_t *out, lso_res_t *rest);

/* format a unix-ns time with a Go layout: "" / RFC822 ("02 Jan 06 15:04 MST"), RFC822Z,
 * RFC1123, RFC1123Z, RFC3339, RFC3339Nano, Stamp*; anything else falls back to RFC822. UTC. */
void lso_fmt_time(int64_t ns, const char *layout, char *out, size_t cap);

#endif
