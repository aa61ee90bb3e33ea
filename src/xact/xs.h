/* xs: the job kinds this build runs, one xs_<kind>.c each, referenced only by the kind table
 * (xact_table.c). Adding a kind: write xs_<kind>.c with its xact_ops_t, declare it here, and
 * point its row in xact_table.c at it. */
#ifndef AIS_XS_H
#define AIS_XS_H

#include "xact/xact.h"

extern const xact_ops_t xs_cleanup_ops;   /* cleanup-store (xs_cleanup.c) */
extern const xact_ops_t xs_election_ops;  /* election (xs_election.c, proxies only) */
extern const xact_ops_t xs_shardidx_ops;  /* index-shard (xs_shardidx.c) */
extern const xact_ops_t xs_shardsumm_ops; /* summary-shard (xs_shardsumm.c) */
extern const xact_ops_t xs_archive_ops;   /* archive (xs_archive.c) */

/* apc.IndexShardMsg ({"prefix","num-workers","skip-verify"}; NULL/null: defaults). 0 or AIS_EINVAL */
int xs_shardidx_msg(json_t *m, char *prefix, size_t pcap, int *nworkers, bool *skip_verify, char *err, size_t cap);
/* a summary-shard job's apc.ShardSummResult (numbers as strings); new reference, NULL if none */
json_t *xs_shardsumm_result(const xact_t *x);
extern const xact_ops_t xs_resilver_ops; /* resilver (xs_resilver.c) */
extern const xact_ops_t xs_prefetch_ops;   /* prefetch-listrange (xs_prefetch.c) */
extern const xact_ops_t xs_evict_ops;      /* evict-listrange (xs_evict.c) */
extern const xact_ops_t xs_delete_ops;     /* delete-listrange (xs_delete.c) */
extern const xact_ops_t xs_evict_bck_ops;  /* evict-remote-bck (xs_evict_bck.c) */
extern const xact_ops_t xs_copy_bck_ops;   /* copy-bck (xs_copy_bck.c) */
extern const xact_ops_t xs_copy_lr_ops;    /* copy-listrange (xs_copy_lr.c) */
extern const xact_ops_t xs_move_bck_ops;   /* move-bck (xs_move_bck.c) */
extern const xact_ops_t xs_promote_ops;    /* promote (xs_promote.c) */
extern const xact_ops_t xs_blob_ops;       /* blob-download (xs_blob.c) */
extern const xact_ops_t xs_download_ops;   /* download (xs_download.c) */

#endif
