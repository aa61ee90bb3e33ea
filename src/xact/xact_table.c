/* xact_table: the kind table, AIStore's xact.Table (xact/api_table.go at v1.4.7): every kind
 * AIStore knows, with its display name, scope and the properties the API checks (startable,
 * idles, reports to IC, generic start refused). Rows whose `ops` is NULL are kinds this build
 * knows by name but cannot run: starting one answers 501, querying or stopping works (nothing
 * matches). Rows are sorted by display name (the order `ais show job` lists kinds in).
 * Must not: hold state; the table is const. */
#include "xact/xact.h"
#include "xact/xs.h"
#include "xact/xs_moss.h"

#include <string.h>

#define S XACT_KF_STARTABLE
#define I XACT_KF_IDLES
#define IC XACT_KF_IC

static const xact_kind_t xact_table_rows[] = {
	{"archive", NULL, XACT_SCOPE_B, I, &xs_archive_ops},
	{"blob-download", NULL, XACT_SCOPE_B, S | IC, &xs_blob_ops},
	{"cleanup-store", "cleanup", XACT_SCOPE_GB, S | IC | XACT_KF_SINGLE, &xs_cleanup_ops},
	{"copy-bck", "copy-bucket", XACT_SCOPE_B, IC, &xs_copy_bck_ops},
	{"copy-listrange", "copy-objects", XACT_SCOPE_B, I, &xs_copy_lr_ops},
	{"create-inventory", NULL, XACT_SCOPE_B, IC, NULL},
	{"delete-listrange", "delete-objects", XACT_SCOPE_B, IC | XACT_KF_NS_API, &xs_delete_ops},
	{"download", NULL, XACT_SCOPE_G, I | IC | XACT_KF_NS_API, &xs_download_ops},
	{"dsort", "dsort", XACT_SCOPE_B, 0, NULL},
	{"ec-encode", "ec-bucket", XACT_SCOPE_B, S | IC | XACT_KF_NS_API, NULL},
	{"ec-get", NULL, XACT_SCOPE_B, I, NULL},
	{"ec-put", NULL, XACT_SCOPE_B, I, NULL},
	{"ec-resp", NULL, XACT_SCOPE_B, I, NULL},
	{"election", "elect-primary", XACT_SCOPE_G, XACT_KF_SINGLE | XACT_KF_NS_API, &xs_election_ops},
	{"etl-bck", "etl-bucket", XACT_SCOPE_B, IC, NULL},
	{"etl-inline", NULL, XACT_SCOPE_G, IC, NULL},
	{"etl-listrange", "etl-objects", XACT_SCOPE_B, I, NULL},
	{"evict-listrange", "evict-objects", XACT_SCOPE_B, IC | XACT_KF_NS_API, &xs_evict_ops},
	{"evict-remote-bck", "evict-remote-bucket", XACT_SCOPE_B, 0, &xs_evict_bck_ops},
	{"get-batch", NULL, XACT_SCOPE_GB, I, &xs_moss_ops},
	{"index-shard", NULL, XACT_SCOPE_B, S | IC, &xs_shardidx_ops},
	{"list", NULL, XACT_SCOPE_B, I, NULL},
	{"lru", "lru-eviction", XACT_SCOPE_GB, S | IC, NULL},
	{"make-n-copies", "mirror", XACT_SCOPE_B, S | IC | XACT_KF_NS_API, NULL},
	{"prefetch-listrange", "prefetch-objects", XACT_SCOPE_B, S | IC, &xs_prefetch_ops},
	{"promote", "promote-files", XACT_SCOPE_B, IC, &xs_promote_ops},
	{"put-copies", NULL, XACT_SCOPE_B, I | XACT_KF_NS_PUTS, NULL},
	{"rebalance", NULL, XACT_SCOPE_G, S | IC, NULL},
	{"rechunk", NULL, XACT_SCOPE_B, S | IC, NULL},
	{"move-bck", "rename-bucket", XACT_SCOPE_B, IC, &xs_move_bck_ops},
	{"resilver", NULL, XACT_SCOPE_T, S, &xs_resilver_ops},
	{"summary-shard", "shard-summary", XACT_SCOPE_B, 0, &xs_shardsumm_ops},
	{"summary-bck", "summary", XACT_SCOPE_GB, 0, NULL},
	{"load-lom-cache", "warm-up-metadata", XACT_SCOPE_B, S, NULL},
};

#define XACT_TABLE_N ((int)(sizeof(xact_table_rows) / sizeof(xact_table_rows[0])))

const xact_kind_t *xact_table_at(int i) { return i >= 0 && i < XACT_TABLE_N ? &xact_table_rows[i] : NULL; }

const char *xact_table_dname(const xact_kind_t *k) { return k->display ? k->display : k->name; }

const xact_kind_t *xact_table_find(const char *s)
{
	if (!s || !*s)
		return NULL;
	for (int i = 0; i < XACT_TABLE_N; i++)
		if (!strcmp(xact_table_rows[i].name, s))
			return &xact_table_rows[i];
	for (int i = 0; i < XACT_TABLE_N; i++)
		if (xact_table_rows[i].display && !strcmp(xact_table_rows[i].display, s))
			return &xact_table_rows[i];
	return NULL;
}

const xact_kind_t *xact_table_similar(const char *s)
{
	const xact_kind_t *k = xact_table_find(s), *sim = NULL;
	if (k || !s || !*s)
		return k;
	size_t l = strlen(s);
	for (int i = 0; i < XACT_TABLE_N; i++) {
		const xact_kind_t *r = &xact_table_rows[i];
		const char *names[2] = {r->name, r->display};
		for (int j = 0; j < 2; j++) {
			if (!names[j] || strncmp(names[j], s, l) || names[j][l] != '-')
				continue;
			if (sim && sim != r)
				return NULL; /* ambiguous */
			sim = r;
		}
	}
	return sim;
}
