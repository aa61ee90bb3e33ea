/* hrw: rendezvous hashing exactly as AIStore (core/meta/hrw.go, fs/hrw.go): the owning target
 * of an object, and the mountpath within a target. Pure functions over caller-owned arrays. */
#ifndef AIS_HRW_H
#define AIS_HRW_H

#include <stddef.h>
#include <stdint.h>

#define HRW_SEED 1103515245ULL

/* AIStore's xoshiro256.Hash(seed) finalizer (API.md §HRW). */
uint64_t hrw_mix(uint64_t seed);
/* XXH64(s, HRW_SEED): a node's id_digest, a mountpath's path digest, an object's uname digest. */
uint64_t hrw_digest(const char *s, size_t len);
/* index of the winner among n candidate digests for key digest `d` (max of mix(cand ^ d);
 * ties go to the later candidate); -1 when n == 0. Candidates are in the caller's order. */
int hrw_pick(const uint64_t *cand, size_t n, uint64_t d);
/* writes the uname "<provider>/<ns>/<bucket>/<object>" into out (cap bytes); ns = "@#" for the
 * global namespace, "@<uuid>#<name>" otherwise (pass ns_uuid/ns_name NULL or "" for global).
 * Returns the length or -1 if it does not fit. */
int hrw_uname(char *out, size_t cap, const char *provider, const char *ns_uuid, const char *ns_name,
	      const char *bucket, const char *object);

/* split a bucket namespace as kept in the BMD ("" global, "@uuid#name", "@#name") into its uuid
 * and name parts (each "" when absent). */
void hrw_ns_split(const char *ns, char *uuid, size_t ucap, char *name, size_t ncap);
/* the uname digest of bucket (provider, ns as in the BMD, name)'s object: the key of both the
 * target HRW (smap_owner) and the mountpath HRW (fs_hrw). 0, AIS_ENOMEM. */
int hrw_obj_digest(const char *provider, const char *ns, const char *bucket, const char *object, uint64_t *out);

#endif
