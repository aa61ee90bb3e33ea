/* cli: the `ais` command tree (AIStore CLI names, aliases and flags) and the entry point:
 * global options (--no-color, --version, --help), the endpoint from AIS_ENDPOINT, terminal
 * detection, dispatch to the handler, exit code. The tree is static const data. */
#include "cli/cli.h"
#include "cli/cli_fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define F_LS "all props prefix page-size paged limit max-pages start-after name-only archive units no-headers no-footers json skip-lookup silent cached"

#define F_JOBW "wait timeout progress refresh non-verbose"
#define F_LR "list template prefix " F_JOBW
#define F_PREFETCH F_LR " latest blob-threshold num-workers"
#define F_EVICT F_LR " keep-md"
#define F_BCP "prefix prepend dry-run latest sync " F_JOBW
#define F_BLOB "chunk-size num-workers list latest " F_JOBW

static const cli_cmd_t props_cmds[] = {
	{"show", NULL, "Show bucket properties", "BUCKET [PROP_PREFIX]", "json compact no-headers", cli_bucket_props_show, NULL},
	{"set", NULL,
	 "Update bucket properties; the command accepts both JSON-formatted input and plain Name=Value pairs, e.g.:\n"
	 "* ais bucket props set ais://nnn checksum.type=md5 versioning.enabled=false\n"
	 "* ais bucket props set ais://nnn '{\"mirror\": {\"enabled\": true, \"copies\": 2}}'",
	 "BUCKET JSON-formatted-KEY-VALUE | KEY=VALUE [KEY=VALUE...]", "force skip-lookup", cli_bucket_props_set, NULL},
	{"reset", NULL, "Reset bucket properties to cluster defaults", "BUCKET", NULL, cli_bucket_props_reset, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t shard_index_cmds[] = {
	{"build", NULL,
	 "Build a shard index for each TAR object in a bucket (for fast random access into archives), e.g.:\n"
	 "\t- 'ais bucket shard-index build ais://nnn'\t- index all TAR shards in 'ais://nnn';\n"
	 "\t- 'ais bucket shard-index build ais://nnn --prefix shards/'\t- only index TAR shards under 'shards/';\n"
	 "\t- 'ais bucket shard-index build ais://nnn --skip-verify'\t- fast re-run: trust existing indexes;\n"
	 "\t- 'ais bucket shard-index build ais://nnn --wait'\t- start and wait for the job to finish",
	 "BUCKET[/PREFIX]", "prefix num-workers skip-verify wait non-verbose", cli_shard_index_build, NULL},
	{"summary", NULL, "Show the shard-index coverage of a bucket's TAR shards (job 'summary-shard')", "BUCKET[/PREFIX]",
	 "prefix json no-headers units", cli_shard_index_summary, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t bucket_cmds[] = {
	{"create", NULL, "Create AIS buckets", "BUCKET [BUCKET...]", "bprops ignore-error force skip-lookup", cli_bucket_create, NULL},
	{"rm", NULL, "Remove (destroy) AIS buckets along with all their objects", "BUCKET [BUCKET...]", "ignore-error yes",
	 cli_bucket_rm, NULL},
	{"ls", NULL,
	 "List buckets, or objects in a bucket:\n"
	 "* ais ls                                  - list all buckets in the cluster;\n"
	 "* ais ls ais://abc                        - list objects with default properties (name, size);\n"
	 "* ais ls ais://abc --props all            - list objects with all properties;\n"
	 "* ais ls ais://abc --prefix dir/          - list objects in the virtual directory dir/;\n"
	 "* ais ls ais://abc --paged --page-size 20 - one page at a time",
	 "[BUCKET[/PREFIX]] [PROVIDER]", F_LS, cli_bucket_ls, NULL},
	{"props", NULL, "Show, update or reset bucket properties", NULL, NULL, NULL, props_cmds},
	{"cp", NULL, "Copy a bucket (or the objects under '--prefix') to another bucket (created when it does not exist)",
	 "SRC_BUCKET DST_BUCKET", F_BCP, cli_remote_bucket_cp, NULL},
	{"mv", NULL, "Move (rename) an ais bucket", "SRC_BUCKET DST_BUCKET", F_JOBW, cli_remote_bucket_mv, NULL},
	{"evict", NULL, "Evict a remote bucket's cached objects, or all of them (with '--keep-md' the bucket stays)",
	 "BUCKET[/PREFIX]", F_EVICT, cli_remote_evict, NULL},
	{"show", NULL, "Show bucket properties", "BUCKET [PROP_PREFIX]", "json compact no-headers", cli_bucket_props_show, NULL},
	{"shard-index", NULL,
	 "Manage TAR shard indexes for fast random access into archives:\n"
	 "\t- build\t- build a shard index for each TAR object in a bucket;\n"
	 "\t- summary\t- show how many TAR shards are indexed (fresh), stale or invalid",
	 NULL, NULL, NULL, shard_index_cmds},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

#define F_PUT "recursive yes dry-run progress verbose units"
#define F_GET "offset length archpath archregx archmode archmime yes progress units verbose silent"

static const cli_cmd_t object_cmds[] = {
	{"put", NULL,
	 "PUT (write) a file, a directory, or standard input ('-') as object(s), e.g.:\n"
	 "* ais put FILE ais://bucket/name            - one file as a named object;\n"
	 "* ais put FILE ais://bucket                 - the object is named after the file;\n"
	 "* ais put DIR ais://bucket[/prefix] -r      - every file under DIR, recursively;\n"
	 "* cat FILE | ais put - ais://bucket/name    - standard input",
	 "[-|FILE|DIRECTORY] BUCKET[/OBJECT_NAME_or_PREFIX]", F_PUT, cli_object_put, NULL},
	{"get", NULL,
	 "GET (read) an object and write it to a file, a directory, standard output ('-'), or /dev/null;\n"
	 "use '--offset' and '--length' to read a range",
	 "BUCKET/OBJECT_NAME [OUT_FILE|OUT_DIR|-]", F_GET, cli_object_get, NULL},
	{"cat", NULL, "Print the object's content to standard output (same as 'ais get BUCKET/OBJECT -')",
	 "BUCKET/OBJECT_NAME", "offset length units", cli_object_cat, NULL},
	{"rm", NULL, "Remove object(s) from a bucket", "BUCKET/OBJECT_NAME [BUCKET/OBJECT_NAME...]", "verbose yes",
	 cli_object_rm, NULL},
	{"show", NULL, "Show object properties", "BUCKET/OBJECT_NAME", "props json no-headers units silent", cli_object_show, NULL},
	{"mv", NULL, "Move (rename) an object within its bucket", "BUCKET/OBJECT_NAME NEW_OBJECT_NAME", NULL, cli_object_mv, NULL},
	{"cp", NULL, "Copy an object (to the same or another bucket)", "SRC_BUCKET/OBJECT_NAME DST_BUCKET[/OBJECT_NAME]",
	 NULL, cli_object_cp, NULL},
	{"set-custom", NULL, "Set object's custom properties",
	 "BUCKET/OBJECT_NAME JSON_formatted_key_value | KEY=VALUE [KEY=VALUE...], e.g.:\n"
	 "mykey1=value1 mykey2=value2\n"
	 "'{\"mykey1\":\"value1\", \"mykey2\":\"value2\"}'",
	 "set-new-custom", cli_object_set_custom, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t show_cluster_cmds[] = {
	{"smap", NULL, "Show cluster map (Smap)", "[NODE_ID]", "json extended no-headers", cli_show_smap, NULL},
	{"bmd", NULL, "Show bucket metadata (BMD)", "[NODE_ID]", "json no-headers", cli_show_bmd, NULL},
	{"config", NULL, "Show cluster or node configuration", "[NODE_ID] [SECTION]", "json no-headers", cli_show_config, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

#define F_PERF "refresh count regex units no-headers average-size verbose"

static const cli_cmd_t perf_cmds[] = {
	{"counters", NULL, "Show (GET, PUT, DELETE, ...) object counts, sizes, and error counters, if any", "[TARGET_ID]",
	 F_PERF, cli_perf_counters, NULL},
	{"throughput", NULL, "Show GET and PUT throughput, associated (cumulative, average) sizes and counters",
	 "[TARGET_ID]", F_PERF, cli_perf_throughput, NULL},
	{"latency", NULL, "Show GET, PUT, and other latencies computed over the '--refresh' interval", "[TARGET_ID]",
	 F_PERF, cli_perf_latency, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t tls_cmds[] = {
	{"show", NULL, "Show TLS certificate's version, issuer's common name, and from/to validity bounds", "[NODE_ID]",
	 "json", cli_tls_show, NULL},
	{"load-certificate", NULL, "Load TLS certificate (all nodes, or the one named)", "[NODE_ID]", NULL, cli_tls_load,
	 NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t show_cmds[] = {
	{"tls", NULL, "Show TLS certificate's version, issuer's common name, and from/to validity bounds", "[NODE_ID]",
	 "json", cli_tls_show, NULL},
	{"cluster", NULL,
	 "Show cluster: proxies and targets (memory, capacity, uptime, status, version) and a summary;\n"
	 "also: 'ais show cluster smap|bmd|config', or one node: 'ais show cluster NODE_ID'",
	 "[NODE_ID] | [proxy|target]", "json no-headers verbose units", cli_show_cluster, show_cluster_cmds},
	{"bucket", NULL, "Show bucket properties", "BUCKET [PROP_PREFIX]", "json compact no-headers", cli_bucket_props_show, NULL},
	{"object", NULL, "Show object properties", "BUCKET/OBJECT_NAME", "props json no-headers units silent", cli_object_show, NULL},
	{"config", NULL, "Show cluster or node configuration", "cluster|NODE_ID [SECTION]", "json no-headers", cli_config_show, NULL},
	{"remote-cluster", NULL, "Show attached remote AIS clusters", NULL, "json no-headers", cli_remote_show, NULL},
	{"job", NULL, "Show running (or all, with '--all') jobs (xactions)", "[NAME] [JOB_ID] [NODE_ID] [BUCKET]",
	 "all json no-headers verbose", cli_job_show, NULL},
	{"performance", NULL, "Show performance counters, throughput and latency", "[TARGET_ID]", F_PERF, cli_perf_all, perf_cmds},
	{"rebalance", NULL,
	 "Show global rebalance status and per-target stats.\n"
	 "   e.g.:\n"
	 "\t- show rebalance\t- show the most recent rebalance (running or finished);\n"
	 "\t- show rebalance g21\t- show a specific rebalance by ID;\n"
	 "\t- show rebalance --all\t- include all rebalances: running, finished, and aborted",
	 "[REB_ID] [NODE_ID]", "all no-headers json units", cli_reb_show, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

#define U_CLEANUP                                                                                       \
	"Remove:\n"                                                                                      \
	"\t- old/obsolete workfiles;\n"                                                                 \
	"\t- orphan chunks and partial chunk manifests (abandoned multipart uploads).\n"                \
	"\n"                                                                                              \
	"\tNot in this version: removing deleted or misplaced objects, and '--rm-zero-size' (refused)."
#define F_CLEANUP "force keep-misplaced rm-zero-size timeout wait non-verbose"
#define U_STOP                                                                                                     \
	"Terminate a single batch job or multiple jobs, e.g.:\n"                                                     \
	"\t- 'stop tco-cysbohAGL'\t- terminate a given (multi-object copy/transform) job identified by its unique ID;\n" \
	"\t- 'stop copy-listrange'\t- terminate all multi-object copies;\n"                                         \
	"\t- 'stop copy-objects'\t- same as above (using display name);\n"                                          \
	"\t- 'stop list'\t- stop all list-objects jobs;\n"                                                          \
	"\t- 'stop ls'\t- same as above;\n"                                                                         \
	"\t- 'stop prefetch-listrange'\t- stop all prefetch jobs;\n"                                                \
	"\t- 'stop prefetch'\t- same as above;\n"                                                                   \
	"\t- 'stop g731 --force'\t- forcefully abort global rebalance g731 (advanced usage only);\n"                \
	"\t- 'stop --all'\t- terminate all running jobs\n"                                                          \
	"press <TAB-TAB> to select, '--help' for more options."
#define U_WAIT                                                                                                     \
	"Wait for a specific job to complete, e.g.:\n"                                                               \
	"\t- 'wait prefetch-listrange'\t- wait for prefetch job to finish (silent);\n"                              \
	"\t- 'wait prefetch-listrange --refresh 5s'\t- wait with progress updates every 5 seconds."
#define A_JOB "[NAME] [JOB_ID] [NODE_ID] [BUCKET]"

static const cli_cmd_t job_start_cmds[] = {
	{"cleanup", NULL, U_CLEANUP, "[BUCKET]", F_CLEANUP, cli_job_cleanup, NULL},
	{"mirror", NULL,
	 "Configure (or unconfigure) bucket as n-way mirror, and run the corresponding batch job, e.g.:\n"
	 "\t- 'ais start mirror ais://m --copies 3'\t- configure ais://m as a 3-way mirror;\n"
	 "\t- 'ais start mirror ais://m --copies 1'\t- configure ais://m for no redundancy (no extra copies).",
	 "BUCKET", "copies non-verbose", cli_mirror_start, NULL},
	{"ec-encode", NULL,
	 "Erasure code entire bucket, e.g.:\n"
	 "\t- 'ais start ec-encode ais://nnn -d 8 -p 2'\t- erasure-code ais://nnn for 8 data and 2 parity slices;\n"
	 "\t- 'ais start ec-encode ais://nnn --data-slices 8 --parity-slices 2'\t- same as above;\n"
	 "\t- 'ais start ec-encode ais://nnn --recover'\t- check and make sure that every ais://nnn object is properly erasure-coded.",
	 "BUCKET", "data-slices parity-slices non-verbose recover", cli_ec_encode_start, NULL},
	{"rebalance", NULL, "Rebalance ais cluster", NULL, "wait timeout", cli_reb_start, NULL},
	{"resilver", NULL,
	 "Resilver user data on a given target (or all targets in the cluster): fix data redundancy\n"
	 "   with respect to bucket configuration, remove migrated objects and old/obsolete workfiles",
	 "TARGET_ID", "wait timeout", cli_resilver_start, NULL},
	{"prefetch", NULL, "Prefetch (proactively fetch into the cluster) objects of a remote bucket", "BUCKET[/PREFIX]",
	 F_PREFETCH, cli_remote_prefetch, NULL},
	{"download", NULL, "Download a URL (or a range template of URLs) into a bucket", "SOURCE DESTINATION",
	 "description timeout wait progress refresh", cli_remote_download, NULL},
	{"blob-download", NULL, "Download a large remote object (or --list of them) with concurrent range reads",
	 "BUCKET/OBJECT_NAME", F_BLOB, cli_remote_blob, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t job_cmds[] = {
	{"start", NULL, "Run batch job", NULL, NULL, NULL, job_start_cmds},
	{"stop", NULL, U_STOP, A_JOB, "all regex force yes", cli_job_stop, NULL},
	{"wait", NULL, U_WAIT, A_JOB, "refresh progress timeout", cli_job_wait, NULL},
	{"show", NULL, "Show running (or all, with '--all') jobs (xactions)", A_JOB, "all json no-headers verbose",
	 cli_job_show, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

#define A_MPATH "NODE_ID=MOUNTPATH [NODE_ID=MOUNTPATH...]"
static const cli_cmd_t mpath_cmds[] = {
	{"attach", NULL, "Attach mountpath to a given target node", A_MPATH, NULL, cli_mpath_action, NULL},
	{"enable", NULL, "(Re)enable target's mountpath", A_MPATH, NULL, cli_mpath_action, NULL},
	{"detach", NULL, "Detach mountpath from a target node (disable and remove it from the target's volume)", A_MPATH,
	 "no-resilver", cli_mpath_action, NULL},
	{"disable", NULL, "Disable mountpath (deactivate for reading and writing)", A_MPATH, "no-resilver",
	 cli_mpath_action, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t storage_cmds[] = {
	{"cleanup", NULL, U_CLEANUP, "[BUCKET]", F_CLEANUP, cli_job_cleanup, NULL},
	{"mountpath", NULL, "Show and attach/detach target mountpaths", NULL, NULL, NULL, mpath_cmds},
	{"resilver", NULL, "Resilver user data on a given target: move objects to their HRW mountpaths", "TARGET_ID",
	 "wait timeout", cli_resilver_start, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t config_cmds[] = {
	{"cluster", NULL,
	 "Show or update cluster configuration, e.g.:\n"
	 "* ais config cluster                      - show the entire cluster configuration;\n"
	 "* ais config cluster checksum             - show the 'checksum' section;\n"
	 "* ais config cluster checksum.type=md5    - update one value (also: 'checksum.type md5');\n"
	 "* ais config cluster show|set ...         - the same, with explicit verbs",
	 "[KEY=VALUE [KEY=VALUE...]] | [SECTION]", "json transient", cli_config_cluster, NULL},
	{"node", NULL,
	 "Show or update one node's configuration, e.g.:\n"
	 "* ais config node NODE_ID [inherited|local] [SECTION] - show;\n"
	 "* ais config node NODE_ID log.level=4               - update",
	 "NODE_ID [KEY=VALUE [KEY=VALUE...]] | [inherited|local] [SECTION]", "json transient", cli_config_node, NULL},
	{"show", NULL, "Show cluster or node configuration", "cluster|NODE_ID [SECTION]", "json no-headers", cli_config_show, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

#define F_MAINT "yes no-rebalance no-shutdown rm-user-data keep-initial-config"

static const cli_cmd_t membership_cmds[] = {
	{"start-maintenance", NULL, "Put node in maintenance mode, temporarily suspend its operation", "NODE_ID", F_MAINT,
	 cli_cluster_maint, NULL},
	{"stop-maintenance", NULL, "Activate node by taking it back from \"maintenance\"", "NODE_ID", F_MAINT,
	 cli_cluster_maint, NULL},
	{"shutdown", NULL, "Shutdown a node, gracefully or immediately;\n"
	 "   note: upon shutdown, the node won't be decommissioned - it'll remain in the cluster map\n"
	 "   and can be manually restarted to rejoin the cluster at any later time",
	 "NODE_ID", F_MAINT, cli_cluster_maint, NULL},
	{"decommission", NULL, "Safely and permanently remove node from the cluster", "NODE_ID", F_MAINT,
	 cli_cluster_maint, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t cluster_cmds[] = {
	{"show", NULL, "Show cluster: proxies, targets and a summary", "[NODE_ID] | [proxy|target]",
	 "json no-headers verbose units", cli_show_cluster, show_cluster_cmds},
	{"remote-attach", NULL, "Attach a remote AIS cluster (its buckets become ais://@ALIAS/BUCKET)", "ALIAS=URL", NULL,
	 cli_remote_attach, NULL},
	{"remote-detach", NULL, "Detach a remote AIS cluster", "ALIAS", NULL, cli_remote_detach, NULL},
	{"add-remove-nodes", NULL, "Manage cluster membership: maintenance mode and decommissioning", NULL, NULL, NULL,
	 membership_cmds},
	{"set-primary", NULL,
	 "Select a new primary proxy/gateway.\n"
	 "Without '--force': orderly handover within the same cluster; NODE_ID must be an electable proxy of this cluster.\n"
	 "With '--force' and a NODE_ID of a different cluster: force-join this whole cluster to the cluster led by NODE_ID\n"
	 "at URL (split-brain recovery, merging clusters; advanced usage only), e.g.:\n"
	 "* ais cluster set-primary p[abc]                           - transfer the primary role to p[abc];\n"
	 "* ais cluster set-primary p[dst] http://DST:PORT --force   - force-join this cluster into the one led by p[dst]",
	 "NODE_ID [URL]", "force yes", cli_cluster_setprimary, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

#define F_ARCH_GET "archpath archregx archmode archmime yes progress units verbose"

static const cli_cmd_t archive_cmds[] = {
	{"put", NULL,
	 "Archive a file, a directory, or standard input as (.tar, .tgz or .tar.gz, .zip, .tar.lz4)-formatted object - aka \"shard\";\n"
	 "both APPEND (to an existing shard) and PUT (a new version of the shard) are supported, e.g.:\n"
	 "\t- 'local-file ais://q/shard-00123.tar.lz4 --append --archpath name-in-archive' - append file to a given shard;\n"
	 "\t- 'local-file ais://q/shard-00123.tar.lz4 --append-or-put --archpath name-in-archive' - append, or create the shard;\n"
	 "\t- 'src-dir ais://w/shard-999.zip --append-or-put -r' - archive an entire directory, one file at a time",
	 "[-|FILE|DIRECTORY] BUCKET/SHARD_NAME", "archpath archmime append append-or-put recursive verbose yes",
	 cli_archive_put, NULL},
	{"get", NULL,
	 "Get an archived file, or a TAR of archived files that match '--archregx' ('--archmode'), e.g.:\n"
	 "\t- ais://abc/trunk-0123.tar.lz4 --archpath file45.jpeg /tmp/out - extract one named file;\n"
	 "\t- ais://abc/trunk-0123.tar.lz4/file45.jpeg /tmp/out - same as above ('--archpath' is implied);\n"
	 "\t- ais://abc/trunk-0123.tar 111.tar --archregx=jpeg --archmode=suffix - all *.jpeg files as 111.tar",
	 "BUCKET/SHARD_NAME[/ARCHPATH] [OUT_FILE|OUT_DIR|-]", F_ARCH_GET, cli_archive_get, NULL},
	{"ls", NULL, "List archived content (supported formats: .tar, .tgz or .tar.gz, .zip, .tar.lz4)", "BUCKET[/SHARD_NAME]",
	 "prefix props page-size limit units no-headers no-footers json", cli_archive_ls, NULL},
	{"bucket", NULL,
	 "Archive selected or matching objects from SRC_BUCKET as (.tar, .tgz or .tar.gz, .zip, .tar.lz4)-formatted shard, e.g.:\n"
	 "\t- 'ais archive bucket ais://src gs://dst/a.tar.lz4 --template \"trunk-{001..997}\"' - archive a range;\n"
	 "\t- 'ais archive bucket \"ais://src/trunk-{998..999}\" ais://dst/a.tar.lz4 --append-or-put' - add two more;\n"
	 "\t- 'ais archive bucket ais://bck/arch.tar --list obj1,obj2' - source and destination in one bucket",
	 "SRC_BUCKET[/TEMPLATE] DST_BUCKET/SHARD_NAME",
	 "list template prefix append-or-put cont-on-err include-src-bck non-recursive wait", cli_archive_bucket, NULL},
	{"gen-shards", NULL,
	 "Generate random (.tar, .tgz or .tar.gz, .zip, .tar.lz4)-formatted objects (\"shards\"), e.g.:\n"
	 "\t- gen-shards 'ais://bucket1/shard-{001..999}.tar' - write 999 random shards (default sizes) to ais://bucket1",
	 "\"BUCKET/TEMPLATE.EXT\"", "fcount fsize fext tform", cli_archive_gen_shards, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t ml_cmds[] = {
	{"get-batch", NULL,
	 "Get multiple objects and/or archived files from different buckets and package them into one archive\n"
	 "(GetBatch: one request, the exact order); the destination's extension picks the format: .tar (default),\n"
	 ".tgz or .tar.gz, .zip, .tar.lz4, e.g.:\n"
	 "\t- 'ais ml get-batch ais://dataset --list \"audio1.wav,audio2.wav\" training.tar';\n"
	 "\t- 'ais ml get-batch ais://models --template \"checkpoint-{001..100}.pth\" model-v2.tgz';\n"
	 "\t- 'ais ml get-batch ais://data/shard.tar/file.wav dataset.zip' - one archived file;\n"
	 "\t- 'ais ml get-batch training.tar --spec batch.json' - a MossReq in JSON",
	 "[BUCKET[/NAME_or_TEMPLATE] ...] DST_ARCHIVE", "list template prefix spec omit-src-bck cont-on-err streaming "
	 "units verbose non-verbose yes", cli_ml_get_batch, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t root_cmds[] = {
	{"archive", NULL, "Archive multiple objects from a given bucket; archive local files and directories; list archived content",
	 NULL, NULL, NULL, archive_cmds},
	{"ml", NULL, "Machine learning operations: get-batch (many objects and archived files into one archive)", NULL, NULL,
	 NULL, ml_cmds},
	{"bucket", NULL, "Create, destroy, list buckets; show and update their properties", NULL, NULL, NULL, bucket_cmds},
	{"object", NULL, "PUT, GET, show, move, copy and remove objects", NULL, NULL, NULL, object_cmds},
	{"cluster", NULL, "Monitor and manage the cluster: nodes and their membership", NULL, NULL, NULL, cluster_cmds},
	{"tls", NULL, "Load or reload (an updated) TLS certificate; display information about currently deployed certificates",
	 NULL, NULL, NULL, tls_cmds},
	{"config", NULL, "Show and update cluster and node configuration", NULL, NULL, NULL, config_cmds},
	{"show", NULL, "Show cluster, buckets, objects, configuration, jobs and performance", NULL, NULL, NULL, show_cmds},
	{"auth", NULL, "Add/remove/show users, manage user roles, manage access to AIS clusters", NULL, NULL, NULL,
	 cli_auth_cmds},
	{"job", NULL, "Monitor, query, start/stop and manage jobs and eXtended actions (xactions)", NULL, NULL, NULL,
	 job_cmds},
	{"storage", NULL, "Monitor and manage clustered storage", NULL, NULL, NULL, storage_cmds},
	{"performance", NULL, "Show performance counters, throughput and latency (same as 'ais show performance')",
	 "[TARGET_ID]", F_PERF, cli_perf_all, perf_cmds},
	{"ls", NULL, "(alias for \"bucket ls\") List buckets, or objects in a bucket", "[BUCKET[/PREFIX]] [PROVIDER]", F_LS,
	 cli_bucket_ls, NULL},
	{"create", NULL, "(alias for \"bucket create\") Create AIS buckets", "BUCKET [BUCKET...]",
	 "bprops ignore-error force skip-lookup", cli_bucket_create, NULL},
	{"rmb", NULL, "(alias for \"bucket rm\") Remove AIS buckets", "BUCKET [BUCKET...]", "ignore-error yes", cli_bucket_rm, NULL},
	{"put", NULL, "(alias for \"object put\") PUT a file, a directory, or standard input as object(s)",
	 "[-|FILE|DIRECTORY] BUCKET[/OBJECT_NAME_or_PREFIX]", F_PUT, cli_object_put, NULL},
	{"get", NULL, "(alias for \"object get\") GET an object", "BUCKET/OBJECT_NAME [OUT_FILE|OUT_DIR|-]", F_GET,
	 cli_object_get, NULL},
	{"rmo", NULL, "(alias for \"object rm\") Remove objects", "BUCKET/OBJECT_NAME [BUCKET/OBJECT_NAME...]", "verbose yes",
	 cli_object_rm, NULL},
	{"start", NULL, "(alias for \"job start\") Run batch job", NULL, NULL, NULL, job_start_cmds},
	{"stop", NULL, "(alias for \"job stop\") " U_STOP, A_JOB, "all regex force yes", cli_job_stop, NULL},
	{"wait", NULL, "(alias for \"job wait\") " U_WAIT, A_JOB, "refresh progress timeout", cli_job_wait, NULL},
	{"prefetch", NULL, "(alias for \"job start prefetch\") Prefetch objects of a remote bucket", "BUCKET[/PREFIX]",
	 F_PREFETCH, cli_remote_prefetch, NULL},
	{"evict", NULL, "(alias for \"bucket evict\") Evict a remote bucket's cached objects", "BUCKET[/PREFIX]", F_EVICT,
	 cli_remote_evict, NULL},
	{"blob-download", NULL, "(alias for \"job start blob-download\") Download a large remote object with concurrent "
	 "range reads", "BUCKET/OBJECT_NAME", F_BLOB, cli_remote_blob, NULL},
	{"space-cleanup", NULL, "(alias for \"storage cleanup\") " U_CLEANUP, "[BUCKET]", F_CLEANUP, cli_job_cleanup, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cli_cmd_t root = {"ais", NULL, "AIS CLI: command-line management utility for AIStore (aistore-c)", NULL, NULL,
			       NULL, root_cmds};

const cli_cmd_t *cli_root(void) { return &root; }

int cli_main(int argc, char **argv)
{
	cli_ctx_t *c = calloc(1, sizeof(*c));
	if (!c) {
		fprintf(stderr, "Error: out of memory\n");
		return 1;
	}
	int rc = 0, i = 1;
	c->color = getenv("TERM") == NULL || strcmp(getenv("TERM"), "dumb") != 0;
	c->out_tty = isatty(STDOUT_FILENO);
	c->err_tty = isatty(STDERR_FILENO);
	c->in_tty = isatty(STDIN_FILENO);
	snprintf(c->cmdpath, sizeof(c->cmdpath), "ais");
	c->cmd = &root;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--no-color")) {
			c->color = false;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-v")) {
			printf("ais version %s (aistore-c, AIStore 4.7 API)\n", CLI_VERSION);
			goto out;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_args_help(c, "ais", &root);
			goto out;
		} else {
			fprintf(stderr, "Incorrect usage: flag provided but not defined: %s\n\n", a);
			cli_args_help(c, "ais", &root);
			rc = 2;
			goto out;
		}
	}
	if (i >= argc || !strcmp(argv[i], "help")) {
		cli_args_help(c, "ais", &root);
		goto out;
	}
	rc = cli_args_parse(c, &root, argc - i, argv + i);
	if (rc) {
		rc = rc == 1 ? 0 : rc;
		goto out;
	}
	const char *ep = getenv("AIS_ENDPOINT");
	snprintf(c->endpoint, sizeof(c->endpoint), "%s", ep && *ep ? ep : CLI_DEFAULT_ENDPOINT);
	c->units = cli_fmt_units(cli_flag_str(c, "units", ""));
	if (c->units < 0) {
		rc = cli_err(c, "invalid \"%s\" (expecting one of: iec, si, raw or \"\")", cli_flag_str(c, "units", ""));
		goto out;
	}
	if (cli_http_init(&c->http, c->endpoint)) {
		rc = cli_err(c, "failed to initialize the HTTP client");
		goto out;
	}
	rc = c->cmd->run(c);
	fflush(stdout);
	cli_http_fini(&c->http);
out:
	free(c);
	return rc;
}
