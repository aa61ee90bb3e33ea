/* the pure parts of global rebalance (target/treb_rule.h): the overwrite rule (a migrated copy
 * never replaces a newer version nor resurrects a deleted one), the frame's opaque codec, stage
 * names and the barrier decision from a peer's status; and the tombstones (treb_tomb.c): add,
 * the latest delete wins, restored after a restart, expired by the gc. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cksum.h"
#include "target/treb_int.h"
#include "target/treb_rule.h"

static lom_md_t md(int64_t mtime, int64_t size, const char *ck)
{
	lom_md_t m;
	lom_md_init(&m);
	m.mtime = mtime;
	m.size = size;
	m.cktype = CKSUM_XXHASH2;
	snprintf(m.ckval, sizeof(m.ckval), "%s", ck);
	return m;
}

Test(treb_rule, overwrite_invariant)
{
	lom_md_t in = md(100, 10, "aa");
	/* nothing here: write it */
	cr_assert_eq(treb_rule(NULL, 0, &in), TREB_ACCEPT);
	/* an older local version (the copy is newer): replace */
	lom_md_t older = md(50, 3, "bb");
	cr_assert_eq(treb_rule(&older, 0, &in), TREB_ACCEPT);
	/* a PUT here after that version was written: keep it */
	lom_md_t newer = md(150, 3, "cc");
	cr_assert_eq(treb_rule(&newer, 0, &in), TREB_SKIP_NEWER);
	/* the same version (e.g. fetched by get-from-neighbour first): a duplicate */
	lom_md_t same = md(100, 10, "aa");
	cr_assert_eq(treb_rule(&same, 0, &in), TREB_SKIP_SAME);
	/* same write time, other content: undecidable - the local one stays */
	lom_md_t other = md(100, 10, "ab");
	cr_assert_eq(treb_rule(&other, 0, &in), TREB_SKIP_AMBIG);
	/* deleted here after that version was written: never resurrected, also when nothing is here */
	cr_assert_eq(treb_rule(NULL, 100, &in), TREB_SKIP_DELETED);
	cr_assert_eq(treb_rule(NULL, 101, &in), TREB_SKIP_DELETED);
	cr_assert_eq(treb_rule(&older, 200, &in), TREB_SKIP_DELETED);
	/* ... but a version written after the delete (a PUT that reached the old owner) is accepted */
	cr_assert_eq(treb_rule(NULL, 99, &in), TREB_ACCEPT);
	/* a PUT after the delete at the new owner still wins over the older copy */
	cr_assert_eq(treb_rule(&newer, 99, &in), TREB_SKIP_NEWER);
	cr_assert_str_eq(treb_verdict_str(TREB_SKIP_DELETED), "deleted here after this version was written");
}

Test(treb_rule, opaque_codec)
{
	uint8_t b[TREB_OPAQUE_LEN];
	int64_t id, mt;
	treb_opaque_enc(b, 42, 1764642041281407312LL);
	cr_assert_eq(b[0], 'R');
	cr_assert_eq(treb_opaque_dec(b, sizeof(b), &id, &mt), 0);
	cr_assert_eq(id, 42);
	cr_assert_eq(mt, 1764642041281407312LL);
	cr_assert_eq(treb_opaque_dec(b, sizeof(b) - 1, &id, &mt), -1);
	cr_assert_eq(treb_opaque_dec(NULL, 0, &id, &mt), -1);
	b[1] = 2; /* other version */
	cr_assert_eq(treb_opaque_dec(b, sizeof(b), &id, &mt), -1);
	treb_opaque_enc(b, 0, 1); /* no generation 0 */
	cr_assert_eq(treb_opaque_dec(b, sizeof(b), &id, &mt), -1);
}

Test(treb_rule, stages_and_barriers)
{
	cr_assert_str_eq(treb_stage_str(TREB_ST_TRAVERSE), "<traverse>");
	cr_assert_str_eq(treb_stage_str(TREB_ST_POST_TRAVERSE), "<post-traverse>");
	cr_assert_str_eq(treb_stage_str(99), "<?>");
	/* the peer is at or past the stage of the same generation */
	cr_assert_eq(treb_peer_check(7, TREB_ST_TRAVERSE, 7, TREB_ST_TRAVERSE, true, false), TREB_PEER_OK);
	cr_assert_eq(treb_peer_check(7, TREB_ST_TRAVERSE, 7, TREB_ST_POST_TRAVERSE, true, false), TREB_PEER_OK);
	cr_assert_eq(treb_peer_check(7, TREB_ST_POST_TRAVERSE, 7, TREB_ST_DONE, false, false), TREB_PEER_OK);
	/* not yet */
	cr_assert_eq(treb_peer_check(7, TREB_ST_POST_TRAVERSE, 7, TREB_ST_TRAVERSE, true, false), TREB_PEER_WAIT);
	cr_assert_eq(treb_peer_check(7, TREB_ST_TRAVERSE, 7, TREB_ST_INIT, true, false), TREB_PEER_WAIT);
	/* still on an older one (its RMD not in yet, or restarted): wait */
	cr_assert_eq(treb_peer_check(7, TREB_ST_TRAVERSE, 6, TREB_ST_DONE, false, false), TREB_PEER_WAIT);
	cr_assert_eq(treb_peer_check(7, TREB_ST_TRAVERSE, 6, TREB_ST_ABORT, false, true), TREB_PEER_WAIT);
	/* runs a newer one: we are preempted; aborted ours: so do we */
	cr_assert_eq(treb_peer_check(7, TREB_ST_TRAVERSE, 8, TREB_ST_INIT, true, false), TREB_PEER_NEWER);
	cr_assert_eq(treb_peer_check(7, TREB_ST_TRAVERSE, 7, TREB_ST_ABORT, false, true), TREB_PEER_ABORTED);
	cr_assert_eq(treb_peer_check(7, TREB_ST_POST_TRAVERSE, 7, TREB_ST_TRAVERSE, false, true), TREB_PEER_ABORTED);
}

static bck_t tb(const char *name, uint64_t bid)
{
	bck_t b;
	memset(&b, 0, sizeof(b));
	snprintf(b.provider, sizeof(b.provider), "ais");
	snprintf(b.name, sizeof(b.name), "%s", name);
	b.bid = bid;
	return b;
}

Test(treb_tomb, record_restore_expire)
{
	char dir[] = "/tmp/test_treb_tomb_XXXXXX", path[128];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/.ais.reb_tombs", dir);
	cr_assert_eq(treb_tomb_init(path), 0);
	bck_t b = tb("b", 1), b2 = tb("b", 2), c = tb("c", 1);
	cr_assert_eq(treb_tomb_get(&b, "x"), 0);
	treb_tomb_add(&b, "x", 100);
	treb_tomb_add(&b, "x", 50); /* an older delete does not lower it */
	treb_tomb_add(&b, "dir/y", 300);
	cr_assert_eq(treb_tomb_get(&b, "x"), 100);
	cr_assert_eq(treb_tomb_get(&b, "dir/y"), 300);
	cr_assert_eq(treb_tomb_get(&c, "x"), 0);   /* another bucket */
	cr_assert_eq(treb_tomb_get(&b2, "x"), 0);  /* the bucket re-created */
	cr_assert_eq(treb_tomb_get(&b, "y"), 0);
	cr_assert_eq(treb_tomb_count(), 2);
	/* a restart restores them */
	treb_tomb_fini();
	cr_assert_eq(treb_tomb_count(), 0);
	cr_assert_eq(treb_tomb_init(path), 0);
	cr_assert_eq(treb_tomb_get(&b, "x"), 100);
	cr_assert_eq(treb_tomb_get(&b, "dir/y"), 300);
	/* they expire (timestamps here are ancient): the file follows */
	treb_tomb_add(&b, "fresh", INT64_MAX / 2);
	treb_tomb_gc((int64_t)3600 * 1000000000LL);
	cr_assert_eq(treb_tomb_count(), 1);
	cr_assert_eq(treb_tomb_get(&b, "x"), 0);
	treb_tomb_fini();
	cr_assert_eq(treb_tomb_init(path), 0);
	cr_assert_eq(treb_tomb_count(), 1);
	cr_assert_eq(treb_tomb_get(&b, "fresh"), INT64_MAX / 2);
	treb_tomb_fini();
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
