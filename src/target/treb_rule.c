/* treb_rule: the overwrite rule, the frame's opaque codec and the stage barrier decision of
 * global rebalance (see treb_rule.h for the invariant). Pure functions. */
#include "target/treb_rule.h"

#include <string.h>

treb_verdict_t treb_rule(const lom_md_t *local, int64_t tomb_ns, const lom_md_t *in)
{
	if (tomb_ns && tomb_ns >= in->mtime)
		return TREB_SKIP_DELETED;
	if (!local)
		return TREB_ACCEPT;
	if (local->mtime > in->mtime)
		return TREB_SKIP_NEWER;
	if (local->mtime < in->mtime)
		return TREB_ACCEPT;
	if (local->size == in->size && local->cktype == in->cktype && !strcmp(local->ckval, in->ckval))
		return TREB_SKIP_SAME;
	return TREB_SKIP_AMBIG;
}

const char *treb_verdict_str(treb_verdict_t v)
{
	switch (v) {
	case TREB_ACCEPT:
		return "accepted";
	case TREB_SKIP_SAME:
		return "already here";
	case TREB_SKIP_NEWER:
		return "a newer version is here";
	case TREB_SKIP_DELETED:
		return "deleted here after this version was written";
	case TREB_SKIP_AMBIG:
		return "another version with the same write time is here";
	}
	return "?";
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void treb_opaque_enc(uint8_t out[TREB_OPAQUE_LEN], int64_t reb_id, int64_t mtime)
{
	out[0] = 'R';
	out[1] = 1;
	put64(out + 2, (uint64_t)reb_id);
	put64(out + 10, (uint64_t)mtime);
}

int treb_opaque_dec(const void *p, size_t len, int64_t *reb_id, int64_t *mtime)
{
	const uint8_t *b = p;
	if (!p || len != TREB_OPAQUE_LEN || b[0] != 'R' || b[1] != 1)
		return -1;
	*reb_id = (int64_t)get64(b + 2);
	*mtime = (int64_t)get64(b + 10);
	return *reb_id > 0 ? 0 : -1;
}

const char *treb_stage_str(int stage)
{
	static const char *const names[] = {"<inactive>", "<init>", "<traverse>", "<post-traverse>",
					    "<fin>", "<fin-streams>", "<done>", "<abort>"};
	return stage >= 0 && stage < (int)(sizeof(names) / sizeof(names[0])) ? names[stage] : "<?>";
}

treb_peer_t treb_peer_check(int64_t my_id, int want_stage, int64_t peer_id, int peer_stage, bool peer_running,
			    bool peer_aborted)
{
	if (peer_id > my_id)
		return TREB_PEER_NEWER;
	if (peer_id < my_id)
		return TREB_PEER_WAIT; /* has not started ours yet */
	if (peer_aborted)
		return TREB_PEER_ABORTED;
	if (peer_stage >= want_stage && peer_stage != TREB_ST_ABORT)
		return TREB_PEER_OK;
	if (!peer_running && peer_stage == TREB_ST_DONE)
		return TREB_PEER_OK;
	return TREB_PEER_WAIT;
}
