/* tlcursor: list-objects cursors kept between pages, keyed by the listing's uuid (the proxy makes
 * one per listing and sends it with every page; AIStore keeps a listing's state per uuid too, in
 * its list xaction). A cursor is the sorted snapshot (tlnames) of everything one walk of this
 * target found for (bucket, prefix, flags) above the first page's token; each later page
 * binary-searches its token and reads the next names: a page costs O(page), not O(bucket).
 *
 *   tlc_take ─┬─ SERVE (cursor taken) ─────────────────────────────► serve ─► tlc_release
 *             ├─ BUILD: walk everything into a tln_t ─► tlc_install ─► serve ─► tlc_release
 *             │          (over budget: tlc_too_big, then a page walk)
 *             └─ WALK: a one-off page walk (no uuid, cursor busy, listing too big, or a
 *                      continuing page whose uuid is new here: remembered, its next page builds)
 *
 * Bounded: at most TLC_MAX entries and TLC_BUDGET bytes per target (a BUILD first evicts idle
 * cursors, least recently used first; a walk that outgrows its budget is not kept). Released
 * when the listing ends (a page finds nothing more: the cursor shrinks to that last page and
 * goes TLC_DONE_S later; an empty page frees it), when the same uuid comes with another
 * bucket/prefix/flags or a token below what the cursor still holds (rebuilt), or after
 * TLC_IDLE_S without a page (the sweeper thread, and every tlc_take). As the listing advances,
 * names below the token are dropped (memory shrinks with it).
 * A cursor is a snapshot: objects PUT after the first page are not listed by that listing;
 * objects deleted since are skipped (their metadata is read when the page is filled).
 * Thread-safety: one mutex for the table; a taken cursor is its taker's until released. */
#ifndef AIS_TLCURSOR_H
#define AIS_TLCURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/tlnames.h"

#define TLC_MAX 64                       /* cursors (and remembered listings) per target */
#define TLC_BUDGET ((size_t)256 << 20)   /* bytes of names all cursors may hold */
#define TLC_IDLE_S 60                    /* a listing idle this long is forgotten */
#define TLC_DONE_S 10                    /* ... and one that reached its end */

typedef struct tlc_key {
	const char *uuid;
	const char *provider, *ns, *bucket;
	uint64_t bid;
	const char *prefix;
	uint64_t flags; /* the LsoMsg flags that change which names a walk finds */
} tlc_key_t;

typedef struct tlc tlc_t;
typedef enum { TLC_SERVE, TLC_BUILD, TLC_WALK } tlc_plan_t;

/* the plan for one page whose names are all > lower (the larger of continuation_token and
 * start_after; "" for none). SERVE: *c is the cursor, taken until tlc_release. */
tlc_plan_t tlc_take(const tlc_key_t *k, const char *lower, tlc_t **c);
/* the cursor's names (sorted) */
const tln_t *tlc_names(const tlc_t *c);
/* bytes a BUILD may collect now (idle cursors were evicted to make room; 0: none, walk the
 * page instead). Builds running at once each get what was free when they asked. */
size_t tlc_budget(void);
/* keep names (sorted by tln_sort; moved into the cursor, names is left empty) as the listing's
 * cursor; every name is > lower. Returns it taken (as SERVE), or NULL on ENOMEM (names freed). */
tlc_t *tlc_install(const tlc_key_t *k, const char *lower, tln_t *names);
/* a BUILD outgrew its budget: later pages of this listing walk page by page */
void tlc_too_big(const tlc_key_t *k);
/* give a taken cursor back after a page: its names were those from index `from` on (all the
 * cursor's names before `from` are <= lower, the page's bound); `end`: the page reached the
 * last name; `empty`: it had no entries at all (the listing is over: freed now). */
void tlc_release(tlc_t *c, const char *lower, size_t from, bool end, bool empty);
/* the sweeper thread (targets): start at init, stop (and free every cursor) at exit */
int tlc_start(void);
void tlc_stop(void);
/* cursors and bytes held now (tests, stats) */
void tlc_usage(int *ncursors, size_t *bytes);

#endif
