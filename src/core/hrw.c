/* hrw: rendezvous (highest-random-weight) placement, exactly as AIStore 4.7
 * (core/meta/hrw.go HrwName2T/HrwHash2T, fs/hrw.go Hrw, cmn/bck.go MakeUname, cmn/xoshiro256):
 *   uname   = provider "/" ns_uname "/" bucket "/" object; ns_uname = "@" uuid "#" name, which is
 *             "@#" for the global namespace (both empty); provider is the normalized one ("ais").
 *   digest  = XXH64(uname, seed 1103515245)   (OneOfOne Checksum64S with cos.MLCG32)
 *   node id_digest = XXH64(daemon_id, same seed); mountpath digest = XXH64(filepath.Clean(path), same seed)
 *   winner  = argmax over candidates of xoshiro256.Hash(cand_digest ^ digest) with `>=`, starting
 *             from max 0: ties go to the later candidate (AIStore iterates a Go map, so its order is
 *             random; ours is the caller's). Targets in maintenance/decommission and mountpaths
 *             waiting for DD are excluded by the caller before calling hrw_pick.
 * Pure functions; no state. */
#include "core/hrw.h"
#include "core/cksum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static inline uint64_t hrw_rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

uint64_t hrw_mix(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z = (z ^ (z >> 31)) + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z = (z ^ (z >> 31)) * 5;
	return hrw_rotl(z, 7) * 9;
}

uint64_t hrw_digest(const char *s, size_t len) { return cksum_xxh64(s, len, HRW_SEED); }

int hrw_pick(const uint64_t *cand, size_t n, uint64_t d)
{
	int best = -1;
	uint64_t max_h = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t h = hrw_mix(cand[i] ^ d);
		if (h >= max_h) {
			max_h = h;
			best = (int)i;
		}
	}
	return best;
}

static int hrw_put(char *out, size_t cap, size_t *off, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (*off + n >= cap)
		return -1;
	if (n)
		memcpy(out + *off, s, n);
	*off += n;
	out[*off] = '\0';
	return 0;
}

int hrw_uname(char *out, size_t cap, const char *provider, const char *ns_uuid, const char *ns_name,
	      const char *bucket, const char *object)
{
	size_t off = 0;
	if (!out || cap == 0)
		return -1;
	out[0] = '\0';
	if (hrw_put(out, cap, &off, provider) || hrw_put(out, cap, &off, "/@") ||
	    hrw_put(out, cap, &off, ns_uuid) || hrw_put(out, cap, &off, "#") ||
	    hrw_put(out, cap, &off, ns_name) || hrw_put(out, cap, &off, "/") ||
	    hrw_put(out, cap, &off, bucket) || hrw_put(out, cap, &off, "/") ||
	    hrw_put(out, cap, &off, object)) {
		out[0] = '\0';
		return -1;
	}
	return (int)off;
}

void hrw_ns_split(const char *ns, char *uuid, size_t ucap, char *name, size_t ncap)
{
	if (ucap)
		uuid[0] = '\0';
	if (ncap)
		name[0] = '\0';
	if (!ns || !*ns)
		return;
	const char *hash = strchr(ns, '#');
	if (ns[0] == '@' && ucap)
		snprintf(uuid, ucap, "%.*s", (int)(hash ? (size_t)(hash - ns - 1) : strlen(ns) - 1), ns + 1);
	if (hash && ncap)
		snprintf(name, ncap, "%s", hash + 1);
}

int hrw_obj_digest(const char *provider, const char *ns, const char *bucket, const char *object, uint64_t *out)
{
	char uuid[80], name[80];
	hrw_ns_split(ns, uuid, sizeof(uuid), name, sizeof(name));
	size_t cap = strlen(provider) + strlen(uuid) + strlen(name) + strlen(bucket) + strlen(object) + 8;
	char stackbuf[1024];
	char *un = cap <= sizeof(stackbuf) ? stackbuf : malloc(cap);
	if (!un)
		return AIS_ENOMEM;
	int n = hrw_uname(un, cap, provider, uuid, name, bucket, object);
	if (n >= 0)
		*out = hrw_digest(un, (size_t)n);
	if (un != stackbuf)
		free(un);
	return n < 0 ? AIS_EINVAL : 0;
}
