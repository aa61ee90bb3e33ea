/* ld_loop: aisloader's data path. Each loop is one thread with its own epoll set driving a
 * share of the workers; a worker keeps exactly one request in flight (closed loop, like
 * AIStore's aisloader goroutines) over its own keep-alive connections (one per endpoint it has
 * talked to: the proxy, targets after a redirect, or the S3 server). Requests are written with
 * sendmsg from a shared random buffer (no per-request copy), responses are parsed by llhttp in
 * response mode and their bodies counted, not kept.
 * Shared state: ld_cfg_t (read-only during the run, plus its atomic counters and stop flag) and
 * the name list; each loop's counters are behind the loop's own mutex (ld_loop_take). */
#ifndef AIS_LD_LOOP_H
#define AIS_LD_LOOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cluster/smap.h"
#include "core/cksum.h"
#include "loader/ld_ep.h"
#include "loader/ld_flags.h"
#include "loader/ld_names.h"
#include "loader/ld_stats.h"

enum { LD_OP_GET = 0, LD_OP_PUT = 1, LD_OP_BATCH = 2, LD_NOPS = 3 }; /* BATCH: GetBatch (/v1/ml/moss) */

typedef struct ld_cfg {
	const ld_params_t *p;
	bool s3;
	ld_ep_t eps[LD_EP_MAX];      /* [0]: the proxy (or the S3 endpoint); then every target */
	int neps;
	const smap_t *smap;          /* -direct: owners by HRW; NULL otherwise */
	int tgt_ep[LD_EP_MAX];       /* smap->targets[i] -> eps index */
	char obj_prefix[1200];       /* "/v1/objects/<bck>/" or "[/<s3 path>]/<bck>/" (URL-encoded) */
	char moss_path[1200];        /* "/v1/ml/moss/<bck>" (-get-batchsize) */
	char name_prefix[300];       /* "<subdir>/" or "": generated (PUT) names start with it */
	char name_prefix_enc[900];   /* the same, URL-encoded */
	ld_names_t *names;
	size_t nlisted;              /* names present at start (shuffled; the unit of -epochs) */
	const unsigned char *rbuf;   /* random PUT payload, rlen bytes, reused cyclically */
	size_t rlen;
	cksum_type_t cksum;
	/* run-wide, updated by the loops */
	_Atomic int64_t puts_issued, put_bytes_issued, gets_issued;
	_Atomic int stop;            /* set: start nothing new */
	_Atomic int redirect_unknown;
	_Atomic int errors_printed;  /* the first few failed requests are described on stderr */ /* redirects to a node not in the Smap (counted once printed) */
} ld_cfg_t;

typedef struct ld_loop ld_loop_t;

/* a loop with nworkers workers; the PRNG is seeded from seed. NULL on ENOMEM. */
ld_loop_t *ld_loop_new(ld_cfg_t *cfg, int id, int nworkers, uint64_t seed);
int ld_loop_start(ld_loop_t *l);     /* spawns the thread; 0 or AIS_EINTERNAL */
bool ld_loop_done(ld_loop_t *l);     /* every worker stopped */
void ld_loop_join(ld_loop_t *l);
/* adds the counters since the previous call into out[LD_NOPS] and resets them */
void ld_loop_take(ld_loop_t *l, ld_stat_t *out);
/* merges the whole-run latency histograms into out[LD_NOPS] */
void ld_loop_hist(ld_loop_t *l, ld_hist_t *out);
void ld_loop_free(ld_loop_t *l);

#endif
