/* ld_flags: aisloader's command line. One declarative table (name, type, field, default, help)
 * drives parsing, validation, `-usage` and the "Runtime configuration" dump. Go-flag syntax as
 * AIStore's aisloader: -name=value, -name value, --name=value; booleans -name or -name=false.
 * Pure: no I/O except ld_flags_usage(); no global state (the params live with the caller). */
#ifndef AIS_LD_FLAGS_H
#define AIS_LD_FLAGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define LD_STR 512

typedef struct ld_params {
	/* cluster */
	char ip[256];
	char port[16];
	char endpoint[LD_STR];   /* -endpoint or AIS_ENDPOINT; else http://ip:port */
	char proxy_url[LD_STR + 300];  /* resolved: where control and (non-direct) data requests go */
	bool direct;             /* resolve owners from the Smap (HRW) and skip the proxy */
	int64_t timeout_ns;
	/* bucket */
	char bucket[256];        /* name only (provider prefix stripped) */
	char provider[16];       /* "ais" or "s3" */
	char subdir[256];
	char filelist[LD_STR];   /* object names to GET, one per line (instead of listing) */
	/* workload */
	int64_t duration_ns;
	bool duration_set;
	int numworkers;
	int threads;             /* event-loop threads (0: auto) */
	int pctput;
	int64_t maxputs;
	int64_t totalputsize;
	int64_t epochs;
	int64_t seed;
	/* sizes */
	int64_t minsize, maxsize;
	char readertype[16];
	char cksum_type[16];
	/* GetBatch: accepted, must be 0 (see docs/aisloader.md) */
	int64_t get_batchsize;
	bool cont_on_err;
	/* S3 */
	char s3endpoint[LD_STR];
	char s3accesskey[128];
	char s3secretkey[128];
	char s3region[32];
	/* stats */
	bool json;
	int64_t statsinterval;   /* seconds, 0 = off */
	char stats_output[LD_STR];
	/* AuthN: "Authorization: Bearer ..." of the native API, "" none (api/authtok.h) */
	char bearer[2048];
	/* misc */
	int cleanup;             /* -1 unset, 0, 1 */
	bool stoppable, quiet, dry_run, usage, skiplist;
} ld_params_t;

/* set every field to its default. */
void ld_flags_defaults(ld_params_t *p);
/* parse argv[1..argc) into p (call ld_flags_defaults first); then ld_flags_finish.
 * On error returns AIS_EINVAL with a message in err. */
int ld_flags_parse(ld_params_t *p, int argc, char **argv, char *err, size_t errcap);
/* derive and validate: bucket URI, endpoint (env AIS_ENDPOINT unless -endpoint given),
 * S3 credentials (env AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), size and percentage ranges,
 * the required -cleanup. */
int ld_flags_finish(ld_params_t *p, char *err, size_t errcap);
/* print every flag with type, default and help. */
void ld_flags_usage(FILE *f);
/* true when name is a known flag (tests). */
bool ld_flags_known(const char *name);

#endif
