/* plcache: what the proxy keeps of a listing between its pages, keyed by the listing uuid: for
 * every target, the last name it sent, whether it has sent everything, and the entries it sent
 * that no page has returned yet (all above the page's token). With it the next page asks each
 * target only for what comes after its own last name, and only as many as the page can still
 * need (pagesize minus what is kept), so every entry crosses the network and is decoded once
 * instead of up to once per page (without it, each page re-reads a full page from every target
 * and keeps 1/ntargets of it).
 * Correct by construction: each target contributes pagesize names (kept + new) unless it has no
 * more, so the merged page's names are the smallest of the whole listing (as with full pages).
 * Bounded: PLCACHE_MAX listings and PLCACHE_MAX_ENTS kept entries (least recently used first
 * out), PLCACHE_IDLE_S idle; a listing's entry goes when its last page is served.
 * A taken entry is out of the table (its taker owns it) until plcache_put. Thread-safe. */
#ifndef AIS_PLCACHE_H
#define AIS_PLCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "api/lso.h"
#include "cluster/smap.h"

#define PLCACHE_MAX 32
#define PLCACHE_MAX_ENTS 400000
#define PLCACHE_IDLE_S 60

typedef struct plcache_tgt {
	char id[SNODE_ID_MAX];
	char *last;     /* the last name it sent in this listing (NULL: none yet) */
	bool end;       /* it has sent its last name */
	lso_res_t left; /* sent, not yet returned by a page (sorted, all > the token) */
} plcache_tgt_t;

typedef struct plcache {
	char *uuid;
	char *key;   /* bucket and every LsoMsg field but uuid and token: what must not change */
	char *token; /* the token of the last page returned: the one its next page comes with */
	plcache_tgt_t *t;
	int nt;      /* the targets asked, in Smap order */
	long long used_ns;
} plcache_t;

/* a fresh entry for listing uuid over the nt targets ids[] (nothing sent yet); NULL on ENOMEM */
plcache_t *plcache_new(const char *uuid, const char *key, const char *const *ids, int nt);
void plcache_free(plcache_t *c);
/* the listing's entry when it continues exactly where it left off (same key, same token, the
 * same targets): taken out of the table (the caller owns it); else NULL (a stale entry of the
 * uuid is dropped) */
plcache_t *plcache_take(const char *uuid, const char *key, const char *token, const char *const *ids, int nt);
/* keep c (owned by the table from here; c->token set by the caller) for the next page */
void plcache_put(plcache_t *c);
/* listings and entries kept now */
void plcache_usage(int *n, size_t *ents);

#endif
