/* mkobjs: fill an ais bucket with many small objects straight on the targets' mountpaths
 * (no HTTP), each exactly as a PUT leaves it: placed by HRW (target from the cluster map,
 * mountpath within it), data file under %ob, LOM xattr (size, atime, bucket ID, xxhash2
 * checksum, version 1). For list-objects benchmarks of a million objects, which 1M HTTP PUTs
 * would take long to create. Links libais (hrw, fqn, lom, cksum, smap codec).
 *
 *   mkobjs -smap smap.json -bucket NAME -bid BID -n COUNT [-threads 4] [-size 0]
 *          [-layout dirs|flat] [-prefix P] -mp TARGET_ID=MOUNTPATH [-mp ...]
 *
 * -mp once per mountpath (a target's in its config order); dirs: "P%04d/obj-%08d" (1000 per
 * directory), flat: "P%010d-<8 random chars>". The bucket must exist (its BID from the BMD). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cluster/smap.h"
#include "core/cksum.h"
#include "core/fsops.h"
#include "core/hrw.h"
#include "core/jsonx.h"
#include "core/util.h"
#include "fs/fqn.h"
#include "obj/lom.h"

#define MK_MAX_MP 64

typedef struct mk_mp {
	char tid[SNODE_ID_MAX];
	const char *path;
	uint64_t digest;
} mk_mp_t;

static smap_t *mk_smap;
static mk_mp_t mk_mps[MK_MAX_MP];
static int mk_nmp;
static const char *mk_bucket, *mk_prefix = "";
static uint64_t mk_bid;
static long mk_n;
static int mk_size;
static bool mk_flat;
static atomic_long mk_done, mk_errs;

typedef struct {
	long from, to;
} mk_range_t;

static const char *mk_place(const char *name, uint64_t *digest)
{
	if (hrw_obj_digest("ais", "", mk_bucket, name, digest))
		return NULL;
	const snode_t *t = smap_owner(mk_smap, *digest);
	if (!t)
		return NULL;
	uint64_t cand[MK_MAX_MP];
	int idx[MK_MAX_MP], k = 0;
	for (int i = 0; i < mk_nmp; i++) {
		if (!strcmp(mk_mps[i].tid, t->id)) {
			cand[k] = mk_mps[i].digest;
			idx[k++] = i;
		}
	}
	int w = hrw_pick(cand, (size_t)k, *digest);
	return w < 0 ? NULL : mk_mps[idx[w]].path;
}

static void *mk_worker(void *arg)
{
	mk_range_t *r = arg;
	char name[256], path[FQN_MAX], ck[CKSUM_MAX_HEX];
	char *data = calloc(1, (size_t)mk_size + 1);
	uint64_t seed = (uint64_t)r->from * 2654435761u + 1;
	for (int i = 0; i < mk_size; i++)
		data[i] = (char)(seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) ;
	cksum_t c;
	cksum_init(&c, CKSUM_XXHASH2);
	cksum_update(&c, data, (size_t)mk_size);
	cksum_final(&c, ck);
	for (long i = r->from; i < r->to; i++) {
		if (mk_flat) {
			char rnd[9];
			rand_alnum(rnd, 8);
			snprintf(name, sizeof(name), "%s%010ld-%s", mk_prefix, i, rnd);
		} else {
			snprintf(name, sizeof(name), "%s%04ld/obj-%08ld", mk_prefix, i / 1000, i);
		}
		uint64_t d;
		const char *mp = mk_place(name, &d);
		bool fntl;
		if (!mp || fqn_obj(path, sizeof(path), mp, "ais", "", mk_bucket, name, &fntl) < 0 || fntl) {
			atomic_fetch_add(&mk_errs, 1);
			continue;
		}
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 && errno == ENOENT) {
			fsops_mkdir_parent(path);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		}
		lom_md_t md;
		lom_md_init(&md);
		md.size = mk_size;
		md.atime = now_ns();
		md.bid = mk_bid;
		md.cktype = CKSUM_XXHASH2;
		snprintf(md.ckval, sizeof(md.ckval), "%s", ck);
		snprintf(md.version, sizeof(md.version), "1");
		if (fd < 0 || (mk_size && write(fd, data, (size_t)mk_size) != mk_size) || lom_store(fd, NULL, &md)) {
			atomic_fetch_add(&mk_errs, 1);
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		atomic_fetch_add(&mk_done, 1);
	}
	free(data);
	return NULL;
}

static int mk_load_smap(const char *file)
{
	json_error_t je;
	FILE *f = fopen(file, "r");
	char *buf = malloc(1 << 22);
	size_t n = f && buf ? fread(buf, 1, (1 << 22) - 1, f) : 0;
	if (f)
		fclose(f);
	json_t *j = n ? jsonx_loadb(buf, n, &je) : NULL; /* (id_digest: unsigned 64-bit numbers) */
	free(buf);
	char err[256];
	mk_smap = j ? smap_from_json(j, err, sizeof(err)) : NULL;
	json_decref(j);
	if (!mk_smap)
		fprintf(stderr, "mkobjs: %s: not a cluster map\n", file);
	return mk_smap ? 0 : -1;
}

int main(int argc, char **argv)
{
	int threads = 4;
	const char *smapf = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr, "mkobjs: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "-smap"))
			smapf = v;
		else if (!strcmp(a, "-bucket"))
			mk_bucket = v;
		else if (!strcmp(a, "-bid"))
			mk_bid = strtoull(v, NULL, 10);
		else if (!strcmp(a, "-n"))
			mk_n = atol(v);
		else if (!strcmp(a, "-threads"))
			threads = atoi(v);
		else if (!strcmp(a, "-size"))
			mk_size = atoi(v);
		else if (!strcmp(a, "-prefix"))
			mk_prefix = v;
		else if (!strcmp(a, "-layout"))
			mk_flat = !strcmp(v, "flat");
		else if (!strcmp(a, "-mp") && mk_nmp < MK_MAX_MP && strchr(v, '=')) {
			const char *eq = strchr(v, '=');
			snprintf(mk_mps[mk_nmp].tid, SNODE_ID_MAX, "%.*s", (int)(eq - v), v);
			mk_mps[mk_nmp].path = eq + 1;
			mk_mps[mk_nmp].digest = hrw_digest(eq + 1, strlen(eq + 1));
			mk_nmp++;
		} else {
			fprintf(stderr, "mkobjs: unknown or bad argument %s\n", a);
			return 2;
		}
	}
	if (!smapf || !mk_bucket || !mk_bid || mk_n <= 0 || !mk_nmp || threads < 1 || mk_size < 0) {
		fprintf(stderr, "usage: mkobjs -smap F -bucket B -bid N -n COUNT [-threads T] [-size S] "
				"[-layout dirs|flat] [-prefix P] -mp TID=PATH...\n");
		return 2;
	}
	if (mk_load_smap(smapf))
		return 1;
	pthread_t th[threads];
	mk_range_t rs[threads];
	int64_t t0 = mono_ns();
	for (int i = 0; i < threads; i++) {
		/* whole directories per thread (dirs layout): no two threads create the same one */
		long per = (mk_n / threads / 1000 + 1) * 1000;
		rs[i].from = per * i < mk_n ? per * i : mk_n;
		rs[i].to = per * (i + 1) < mk_n ? per * (i + 1) : mk_n;
		pthread_create(&th[i], NULL, mk_worker, &rs[i]);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	double secs = (double)(mono_ns() - t0) / 1e9;
	printf("mkobjs: %ld objects in %.1fs (%.0f/s), %ld errors\n", atomic_load(&mk_done), secs,
	       (double)atomic_load(&mk_done) / secs, atomic_load(&mk_errs));
	smap_free(mk_smap);
	return atomic_load(&mk_errs) ? 1 : 0;
}
