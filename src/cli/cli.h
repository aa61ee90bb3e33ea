/* cli: internal interface of the `ais` command-line tool (AIStore CLI-compatible commands).
 * One run of the tool = one cli_ctx_t: the resolved command, its positional arguments and
 * flags, the HTTP client to the cluster endpoint (AIS_ENDPOINT, default
 * http://127.0.0.1:8080), terminal facts. Command handlers (cli_bucket, cli_object, cli_show,
 * cli_perf, cli_job, cli_config, cli_cluster) take the context and return the process exit code:
 * 0 ok, 1 error (already printed as one "Error: ..." line on stderr), 2 usage error.
 * Modules: cli_args (flags, argv parsing, help), cli_out (tables, JSON, messages, prompts),
 * cli_api (requests to the cluster and AIStore-style error reporting). No global mutable state:
 * everything a handler needs hangs off the context. */
#ifndef AIS_CLI_H
#define AIS_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli/cli_http.h"
#include "cli/cli_uri.h"
#include "core/sbuf.h"

#define CLI_VERSION "1.30"
#define CLI_DEFAULT_ENDPOINT "http://127.0.0.1:8080"

typedef enum { CLI_F_BOOL, CLI_F_STR } cli_fkind_t;

typedef struct cli_flag {
	const char *name;
	const char *alias; /* one-letter short name or NULL */
	cli_fkind_t kind;
	const char *usage;
} cli_flag_t;

typedef struct cli_ctx cli_ctx_t;
typedef int (*cli_run_fn)(cli_ctx_t *c);

typedef struct cli_cmd {
	const char *name;            /* NULL terminates a subcommand array */
	const char *aliases;         /* '|'-separated alternative names, or NULL */
	const char *usage;           /* description (may span lines) */
	const char *args;            /* arguments usage, e.g. "BUCKET [BUCKET...]" */
	const char *flags;           /* space-separated names from the flag table */
	cli_run_fn run;              /* NULL for a pure group */
	const struct cli_cmd *subs;  /* subcommands, or NULL */
} cli_cmd_t;

#define CLI_MAX_ARGS 1024
#define CLI_MAX_FLAGS 32

struct cli_ctx {
	const cli_cmd_t *cmd;
	char cmdpath[160];               /* "ais bucket ls" */
	int nargs;
	char *args[CLI_MAX_ARGS];        /* point into argv */
	int nflags;
	const cli_flag_t *fl[CLI_MAX_FLAGS];
	const char *fv[CLI_MAX_FLAGS];   /* "true" for bool flags */
	cli_http_t http;
	char endpoint[256];
	bool out_tty, err_tty, in_tty, color;
	int units;                       /* CLI_UNITS_* from --units */
};

/* ---- cli (cli.c): entry point and the command tree ---- */
int cli_main(int argc, char **argv);
const cli_cmd_t *cli_root(void);

/* ---- cli_args: flags, argv → command + args + flags, help ---- */
const cli_flag_t *cli_args_flag(const char *name);
/* resolve argv (after the program name and global options) against root; fills c. Returns 0,
 * 1 when help was printed (exit 0), or 2 on a usage error (printed). */
int cli_args_parse(cli_ctx_t *c, const cli_cmd_t *root, int argc, char **argv);
void cli_args_help(cli_ctx_t *c, const char *path, const cli_cmd_t *cmd);
bool cli_flag(const cli_ctx_t *c, const char *name);
const char *cli_flag_str(const cli_ctx_t *c, const char *name, const char *dflt);
/* integer flag ("123"); returns dflt when absent; -1 with an error printed when malformed */
int cli_flag_int(cli_ctx_t *c, const char *name, int64_t dflt, int64_t *out);
int cli_args_usage_err(cli_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* KEY=VALUE, or KEY VALUE (strict: only if VALUE has no '='), at args[*i] into key and *v; *i
 * moves to the last argument used. false (nothing set) when args[*i] has no value. */
bool cli_args_kv(const cli_ctx_t *c, int *i, bool strict, char *key, size_t cap, const char **v);

/* ---- cli_out: output ---- */
/* render tab-separated text as AIStore does (Go tabwriter) to stdout */
void cli_out_tab(cli_ctx_t *c, const char *text);
/* JSON with 4-space indent (Go MarshalIndent style) to stdout; takes no ownership */
void cli_out_json(cli_ctx_t *c, const json_t *j);
int cli_err(cli_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));      /* returns 1 */
void cli_warn(cli_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_note(cli_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "[Y/N]" prompt on a terminal; without a terminal on stdin the answer is yes (scripts). */
bool cli_confirm(cli_ctx_t *c, const char *prompt);
/* color wrappers (no-ops without color): return s or a colored copy in buf */
const char *cli_out_cyan(cli_ctx_t *c, const char *s, char *buf, size_t cap);
const char *cli_out_blue(cli_ctx_t *c, const char *s, char *buf, size_t cap);
/* flatten a JSON object into sorted or ordered "a.b.c" → value pairs (value strings as AIStore
 * shows them: arrays joined with ',', null → ""); calls fn for each leaf */
typedef void (*cli_flat_fn)(const char *name, const char *value, void *arg);
void cli_out_flatten(const json_t *j, const char *prefix, cli_flat_fn fn, void *arg);
/* one scalar as text */
void cli_out_scalar(const json_t *v, char *out, size_t cap);
/* AIStore stats tracker value: {"v":"N"}, a decimal string or a number; 0 otherwise. */
int64_t cli_out_tracker(const json_t *v);
/* the value at a dotted path ("a.b.c") of nested objects, or NULL */
json_t *cli_out_path(const json_t *j, const char *path);

/* ---- cli_api: requests to the cluster ---- */
/* do the request; on failure print the AIStore-style error and return 1 */
int cli_api_do(cli_ctx_t *c, cli_req_t *r);
/* print the error of a failed request (AIStore wording for unreachable clusters); returns 1 */
int cli_api_fail(cli_ctx_t *c, const cli_req_t *r);
/* GET base+path?query and parse JSON (uint64-safe); NULL when failed (error printed unless quiet) */
json_t *cli_api_get_json(cli_ctx_t *c, const char *base, const char *path, const char *query, bool quiet);
/* "provider=ais[&namespace=...]" */
void cli_api_bck_query(const cli_bck_t *b, sbuf_t *q);
/* "/v1/buckets/<name>" and "/v1/objects/<bck>/<escaped object>" */
void cli_api_bck_path(const cli_bck_t *b, sbuf_t *p);
void cli_api_obj_path(const cli_bck_t *b, const char *obj, sbuf_t *p);
/* current cluster map from the endpoint (NULL: error printed) */
json_t *cli_api_smap(cli_ctx_t *c);
/* find a node by ID (or "p[ID]"/"t[ID]") in the Smap: the Snode JSON (borrowed) or NULL */
json_t *cli_api_smap_node(const json_t *smap, const char *id, bool *is_proxy);
/* "p[ID]" / "t[ID]" */
const char *cli_api_sname(const char *id, bool proxy, char *out, size_t cap);
/* the node's public URL from its Snode JSON */
const char *cli_api_node_url(const json_t *snode);
/* HEAD bucket: 0 exists (props returned if wanted, new ref), 1 error printed */
int cli_api_head_bck(cli_ctx_t *c, const cli_bck_t *b, json_t **props);

/* GET one object (or, with archpath or the --arch* flags, archived content) to out: a file, a
 * directory, "-" or /dev/null (cli_object.c) */
int cli_obj_get(cli_ctx_t *c, const cli_bck_t *b, const char *oname, const char *out, const char *archpath, bool quiet);
/* list a bucket's objects; arch: with their archived files (LsArchDir) (cli_bucket.c) */
int cli_bucket_ls_objects(cli_ctx_t *c, const cli_bck_t *b, const char *prefix, bool arch);

/* ---- command handlers ---- */
int cli_bucket_create(cli_ctx_t *c);
int cli_bucket_rm(cli_ctx_t *c);
int cli_bucket_ls(cli_ctx_t *c);
int cli_bucket_props_show(cli_ctx_t *c);
int cli_bucket_props_set(cli_ctx_t *c);
int cli_bucket_props_reset(cli_ctx_t *c);
int cli_object_put(cli_ctx_t *c);
int cli_object_get(cli_ctx_t *c);
int cli_object_cat(cli_ctx_t *c);
int cli_object_rm(cli_ctx_t *c);
int cli_object_show(cli_ctx_t *c);
int cli_object_mv(cli_ctx_t *c);
/* archives and GetBatch (cli_archive.c) */
int cli_archive_put(cli_ctx_t *c);
int cli_archive_get(cli_ctx_t *c);
int cli_archive_ls(cli_ctx_t *c);
int cli_archive_bucket(cli_ctx_t *c);
int cli_archive_gen_shards(cli_ctx_t *c);
int cli_ml_get_batch(cli_ctx_t *c);
int cli_shard_index_build(cli_ctx_t *c);
int cli_shard_index_summary(cli_ctx_t *c);
int cli_object_cp(cli_ctx_t *c);
int cli_object_set_custom(cli_ctx_t *c);
int cli_show_cluster(cli_ctx_t *c);
int cli_show_smap(cli_ctx_t *c);
int cli_show_bmd(cli_ctx_t *c);
int cli_show_config(cli_ctx_t *c);
int cli_perf_all(cli_ctx_t *c);
int cli_perf_counters(cli_ctx_t *c);
int cli_perf_throughput(cli_ctx_t *c);
int cli_perf_latency(cli_ctx_t *c);
int cli_job_show(cli_ctx_t *c);
int cli_job_stop(cli_ctx_t *c);
int cli_job_wait(cli_ctx_t *c);
int cli_job_cleanup(cli_ctx_t *c);
/* ais start mirror BUCKET --copies N (cli_mirror.c) */
int cli_mirror_start(cli_ctx_t *c);
/* ais start ec-encode BUCKET -d D -p P [--recover] (cli_mirror.c) */
int cli_ec_encode_start(cli_ctx_t *c);
/* wait for a job this command started (--timeout, --progress): 0 done, 1 error printed */
int cli_job_wait_started(cli_ctx_t *c, const char *kind, const char *id, const char *msg);
/* remote buckets, bucket copies, downloads (cli_remote.c) */
int cli_remote_prefetch(cli_ctx_t *c);
int cli_remote_evict(cli_ctx_t *c);
int cli_remote_bucket_cp(cli_ctx_t *c);
int cli_remote_bucket_mv(cli_ctx_t *c);
int cli_remote_download(cli_ctx_t *c);
int cli_remote_blob(cli_ctx_t *c);
int cli_remote_attach(cli_ctx_t *c);
int cli_tls_show(cli_ctx_t *c); /* cli_tls.c */
int cli_tls_load(cli_ctx_t *c);
int cli_remote_detach(cli_ctx_t *c);
int cli_remote_show(cli_ctx_t *c);
int cli_config_cluster(cli_ctx_t *c);
int cli_config_node(cli_ctx_t *c);
int cli_config_show(cli_ctx_t *c);
int cli_cluster_maint(cli_ctx_t *c);
int cli_cluster_setprimary(cli_ctx_t *c);
int cli_reb_show(cli_ctx_t *c);
int cli_reb_start(cli_ctx_t *c);
int cli_reb_stop(cli_ctx_t *c);
int cli_resilver_start(cli_ctx_t *c);
int cli_mpath_action(cli_ctx_t *c);
/* `ais auth ...`: the AuthN commands (cli_auth.c) */
extern const cli_cmd_t cli_auth_cmds[];

#endif
