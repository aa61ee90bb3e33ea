/* ld_flags: aisloader's command-line table, parser and validation (see ld_flags.h).
 * Invariant: every flag is one row of ld_flags_tab; parsing writes only through the row's offset
 * and type, so defaults, parsing and usage can never disagree. */
#include "api/authtok.h"
#include "loader/ld_flags.h"
#include "core/cksum.h"
#include "core/err.h"
#include "core/util.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { F_STR, F_INT, F_I64, F_SIZE, F_DUR, F_BOOL, F_TRI } ld_ftype_t;

typedef struct ld_flag {
	const char *name;
	ld_ftype_t type;
	size_t off;
	size_t cap; /* F_STR: field size */
	const char *def;
	const char *help;
} ld_flag_t;

#define S(f) F_STR, offsetof(ld_params_t, f), sizeof(((ld_params_t *)0)->f)
#define T(t, f) t, offsetof(ld_params_t, f), 0

static const ld_flag_t ld_flags_tab[] = {
	{"ip", S(ip), "localhost", "AIS proxy/gateway IP address or hostname"},
	{"port", S(port), "8080", "AIS proxy/gateway port"},
	{"endpoint", S(endpoint), "", "AIS proxy URL, e.g. http://127.0.0.1:8080 (overrides -ip/-port and AIS_ENDPOINT)"},
	{"direct", T(F_BOOL, direct), "false",
	 "GET/PUT straight to the owning target: fetch the Smap once and compute HRW locally (no redirect)"},
	{"timeout", T(F_DUR, timeout_ns), "10m", "per-request timeout (0 = none)"},
	{"bucket", S(bucket), "", "bucket name or URI (ais://name, s3://name); empty: a new random name"},
	{"provider", S(provider), "ais", "ais (or s3 together with -s3endpoint)"},
	{"subdir", S(subdir), "", "virtual directory (prefix) for PUT object names and for listing before GET"},
	{"filelist", S(filelist), "", "text file with object names (one per line) to GET instead of listing the bucket"},
	{"duration", T(F_DUR, duration_ns), "1m",
	 "benchmark duration (0 = until -totalputsize/-maxputs/-epochs or Ctrl-C); unset with -totalputsize or -epochs: unlimited"},
	{"numworkers", T(F_INT, numworkers), "10", "number of workers (each: one request in flight, its own keep-alive connections)"},
	{"threads", T(F_INT, threads), "0", "event-loop threads the workers are spread over (0 = min(workers, CPUs/2 rounded up))"},
	{"pctput", T(F_INT, pctput), "0", "percentage of PUTs in the workload (the rest are GETs)"},
	{"maxputs", T(F_I64, maxputs), "0", "maximum number of objects to PUT (0 = no limit); the run ends when reached"},
	{"totalputsize", T(F_SIZE, totalputsize), "0", "stop once cumulative PUT size reaches this (suffixes K, MiB, G...; 0 = no limit)"},
	{"epochs", T(F_I64, epochs), "0", "number of full passes over the listed bucket (GET), then stop (0 = no limit)"},
	{"seed", T(F_I64, seed), "0", "random seed (0 = current time)"},
	{"minsize", T(F_SIZE, minsize), "1MiB", "minimal object size (suffixes K, MiB, G...)"},
	{"maxsize", T(F_SIZE, maxsize), "1GiB", "maximal object size (suffixes K, MiB, G...)"},
	{"readertype", S(readertype), "sg", "PUT payload source: sg or rand (both: random bytes from memory)"},
	{"cksum-type", S(cksum_type), "xxhash", "checksum sent with each native PUT (xxhash, md5, sha256, crc32c, none)"},
	{"get-batchsize", T(F_I64, get_batchsize), "0", "use the GetBatch API (/v1/ml/moss) instead of GetObject: this many objects per request (0 = off)"},
	{"cont-on-err", T(F_BOOL, cont_on_err), "false", "GetBatch: ignore missing files and/or objects - include them under __404__/ and keep going"},
	{"s3endpoint", S(s3endpoint), "", "run the same workload against this S3 endpoint (path-style), no AIStore"},
	{"s3accesskey", S(s3accesskey), "", "S3 access key (default: AWS_ACCESS_KEY_ID); empty: unsigned requests"},
	{"s3secretkey", S(s3secretkey), "", "S3 secret key (default: AWS_SECRET_ACCESS_KEY)"},
	{"s3region", S(s3region), "us-east-1", "S3 SigV4 signing region"},
	{"json", T(F_BOOL, json), "false", "print the statistics in JSON"},
	{"statsinterval", T(F_I64, statsinterval), "10", "seconds between periodic stats lines (0 = only the final summary)"},
	{"stats-output", S(stats_output), "", "file for the statistics (default: standard output)"},
	{"cleanup", T(F_TRI, cleanup), "", "required: true destroys the bucket (S3: deletes the objects and the bucket) at the end"},
	{"stoppable", T(F_BOOL, stoppable), "false", "Ctrl-C stops the run gracefully (final stats, cleanup)"},
	{"quiet", T(F_BOOL, quiet), "false", "do not print the runtime configuration"},
	{"dry-run", T(F_BOOL, dry_run), "false", "print the runtime configuration and exit"},
	{"skiplist", T(F_BOOL, skiplist), "false", "do not list the bucket before a 100% PUT workload"},
	{"usage", T(F_BOOL, usage), "false", "show the flags and exit"},
};
#define LD_NFLAGS (sizeof(ld_flags_tab) / sizeof(ld_flags_tab[0]))

static const ld_flag_t *ld_flags_find(const char *name, size_t len)
{
	for (size_t i = 0; i < LD_NFLAGS; i++)
		if (strlen(ld_flags_tab[i].name) == len && !strncmp(ld_flags_tab[i].name, name, len))
			return &ld_flags_tab[i];
	return NULL;
}

bool ld_flags_known(const char *name)
{
	return ld_flags_find(name, strlen(name)) != NULL;
}

static int ld_flags_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "t")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "f")) {
		*out = false;
		return 0;
	}
	return AIS_EINVAL;
}

/* parse v by the row's type into x (integers, sizes, durations, tri-state) or b (bool), then
 * store it in the field's C type */
static int ld_flags_set(ld_params_t *p, const ld_flag_t *f, const char *v)
{
	char *base = (char *)p + f->off;
	int64_t x = 0;
	bool b = false;
	int bad = 0;
	switch (f->type) {
	case F_STR:
		if (strlen(v) >= f->cap)
			return AIS_EINVAL;
		memcpy(base, v, strlen(v) + 1);
		return 0;
	case F_INT:
		bad = parse_i64(v, &x) || x < -1000000000LL || x > 1000000000LL;
		break;
	case F_I64:
		bad = parse_i64(v, &x);
		break;
	case F_SIZE:
		bad = strcmp(v, "0") && (parse_size(v, &x) || x < 0);
		break;
	case F_DUR:
		bad = parse_duration(v, &x) || x < 0;
		break;
	case F_BOOL:
		bad = ld_flags_bool(v, &b);
		break;
	case F_TRI:
		bad = *v && ld_flags_bool(v, &b);
		x = !*v ? -1 : b ? 1 : 0;
		break;
	}
	if (bad)
		return AIS_EINVAL;
	if (f->type == F_BOOL)
		*(bool *)base = b;
	else if (f->type == F_INT || f->type == F_TRI)
		*(int *)base = (int)x;
	else
		*(int64_t *)base = x;
	return 0;
}

void ld_flags_defaults(ld_params_t *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < LD_NFLAGS; i++)
		(void)ld_flags_set(p, &ld_flags_tab[i], ld_flags_tab[i].def);
}

int ld_flags_parse(ld_params_t *p, int argc, char **argv, char *err, size_t errcap)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "usage") || !strcmp(a, "help")) {
			p->usage = true;
			continue;
		}
		if (a[0] != '-' || !a[1]) {
			snprintf(err, errcap, "unexpected argument %s (flags start with -)", a);
			return AIS_EINVAL;
		}
		a += (a[1] == '-') ? 2 : 1;
		if (!strcmp(a, "h") || !strcmp(a, "help")) {
			p->usage = true;
			continue;
		}
		const char *eq = strchr(a, '=');
		size_t nl = eq ? (size_t)(eq - a) : strlen(a);
		const ld_flag_t *f = ld_flags_find(a, nl);
		if (!f) {
			snprintf(err, errcap, "flag provided but not defined: -%.*s", (int)nl, a);
			return AIS_EINVAL;
		}
		const char *v;
		if (eq)
			v = eq + 1;
		else if (f->type == F_BOOL || f->type == F_TRI)
			v = "true";
		else if (i + 1 < argc)
			v = argv[++i];
		else {
			snprintf(err, errcap, "flag needs an argument: -%s", f->name);
			return AIS_EINVAL;
		}
		if (ld_flags_set(p, f, v)) {
			snprintf(err, errcap, "invalid value \"%s\" for flag -%s", v, f->name);
			return AIS_EINVAL;
		}
		if (!strcmp(f->name, "duration"))
			p->duration_set = true;
	}
	return 0;
}

static void ld_flags_strset(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

int ld_flags_finish(ld_params_t *p, char *err, size_t errcap)
{
	if (authtok_header(p->bearer, sizeof(p->bearer))) {
		snprintf(err, errcap, "invalid AuthN token (AIS_AUTHN_TOKEN, AIS_AUTHN_TOKEN_FILE or ~/.config/ais/cli/auth.token)");
		return AIS_EINVAL;
	}
	/* bucket URI: ais://name, s3://name */
	const char *sep = strstr(p->bucket, "://");
	if (sep) {
		char prov[16];
		size_t pl = (size_t)(sep - p->bucket);
		if (pl == 0 || pl >= sizeof(prov)) {
			snprintf(err, errcap, "invalid bucket URI %s", p->bucket);
			return AIS_EINVAL;
		}
		memcpy(prov, p->bucket, pl);
		prov[pl] = '\0';
		if (!strcmp(prov, "aws"))
			ld_flags_strset(prov, sizeof(prov), "s3");
		ld_flags_strset(p->provider, sizeof(p->provider), prov);
		memmove(p->bucket, sep + 3, strlen(sep + 3) + 1);
		if (strchr(p->bucket, '/')) {
			snprintf(err, errcap, "expecting a bucket name or URI with no object name in it: %s", p->bucket);
			return AIS_EINVAL;
		}
	}
	if (!strcmp(p->provider, "aws"))
		ld_flags_strset(p->provider, sizeof(p->provider), "s3");
	if (p->s3endpoint[0]) {
		if (strcmp(p->provider, "ais") && strcmp(p->provider, "s3")) {
			snprintf(err, errcap, "option -s3endpoint requires an s3 bucket (have %s://)", p->provider);
			return AIS_EINVAL;
		}
		ld_flags_strset(p->provider, sizeof(p->provider), "s3");
		if (strncmp(p->s3endpoint, "http://", 7) && strncmp(p->s3endpoint, "https://", 8)) {
			snprintf(err, errcap, "-s3endpoint: only http:// and https:// endpoints are supported (have %s)",
				 p->s3endpoint);
			return AIS_EINVAL;
		}
		const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
		if (!p->s3accesskey[0] && ak)
			ld_flags_strset(p->s3accesskey, sizeof(p->s3accesskey), ak);
		if (!p->s3secretkey[0] && sk)
			ld_flags_strset(p->s3secretkey, sizeof(p->s3secretkey), sk);
		if (p->s3accesskey[0] && !p->s3secretkey[0]) {
			snprintf(err, errcap, "S3 access key given without a secret key (-s3secretkey or AWS_SECRET_ACCESS_KEY)");
			return AIS_EINVAL;
		}
		if (p->direct) {
			snprintf(err, errcap, "-direct applies to AIStore only, not to -s3endpoint");
			return AIS_EINVAL;
		}
	} else if (strcmp(p->provider, "ais")) {
		snprintf(err, errcap, "bucket provider %s:// needs -s3endpoint (only ais:// buckets are native)", p->provider);
		return AIS_EINVAL;
	}
	/* proxy URL: -endpoint, else AIS_ENDPOINT, else -ip/-port */
	const char *env = getenv("AIS_ENDPOINT");
	const char *ep = p->endpoint[0] ? p->endpoint : (env && *env ? env : NULL);
	if (ep) {
		if (strstr(ep, "://"))
			snprintf(p->proxy_url, sizeof(p->proxy_url), "%s", ep);
		else
			snprintf(p->proxy_url, sizeof(p->proxy_url), "http://%s", ep);
	} else if (strstr(p->ip, "://")) {
		snprintf(p->proxy_url, sizeof(p->proxy_url), "%s:%s", p->ip, p->port);
	} else {
		/* an IPv6 literal (-ip ::1) goes in brackets */
		bool v6 = strchr(p->ip, ':') && p->ip[0] != '[';
		snprintf(p->proxy_url, sizeof(p->proxy_url), v6 ? "http://[%s]:%s" : "http://%s:%s", p->ip, p->port);
	}
	size_t ul = strlen(p->proxy_url);
	while (ul > 0 && p->proxy_url[ul - 1] == '/')
		p->proxy_url[--ul] = '\0';
	if (strncmp(p->proxy_url, "http://", 7) && strncmp(p->proxy_url, "https://", 8)) {
		snprintf(err, errcap, "only http:// and https:// endpoints are supported (have %s)", p->proxy_url);
		return AIS_EINVAL;
	}
	if (p->numworkers < 1 || p->numworkers > 100000) {
		snprintf(err, errcap, "-numworkers must be in [1, 100000] (have %d)", p->numworkers);
		return AIS_EINVAL;
	}
	if (p->threads < 0 || p->threads > 256) {
		snprintf(err, errcap, "-threads must be in [0, 256] (have %d)", p->threads);
		return AIS_EINVAL;
	}
	if (p->pctput < 0 || p->pctput > 100) {
		snprintf(err, errcap, "-pctput must be in [0, 100] (have %d)", p->pctput);
		return AIS_EINVAL;
	}
	if (p->maxputs < 0 || p->epochs < 0 || p->statsinterval < 0 || p->seed < 0) {
		snprintf(err, errcap, "-maxputs, -epochs, -seed and -statsinterval must not be negative");
		return AIS_EINVAL;
	}
	if (p->pctput > 0) {
		if (p->minsize > p->maxsize) {
			snprintf(err, errcap, "-minsize (%lld) is greater than -maxsize (%lld)", (long long)p->minsize,
				 (long long)p->maxsize);
			return AIS_EINVAL;
		}
	}
	if (strcmp(p->readertype, "sg") && strcmp(p->readertype, "rand")) {
		snprintf(err, errcap, "-readertype %s is not supported (sg or rand: random bytes from memory)", p->readertype);
		return AIS_EINVAL;
	}
	if (cksum_type_from_str(p->cksum_type) < 0) {
		snprintf(err, errcap, "invalid -cksum-type %s", p->cksum_type);
		return AIS_EINVAL;
	}
	if (p->get_batchsize < 0 || p->get_batchsize > 10000) {
		snprintf(err, errcap, "invalid -get-batchsize %lld (expecting 0..10000)", (long long)p->get_batchsize);
		return AIS_EINVAL;
	}
	if (p->get_batchsize > 0 && p->s3endpoint[0]) {
		snprintf(err, errcap, "-get-batchsize: GetBatch is AIStore's API, not S3's (drop -s3endpoint)");
		return AIS_EINVAL;
	}
	if (p->cleanup < 0 && !p->usage) {
		snprintf(err, errcap, "-cleanup is a required option: -cleanup=true destroys the bucket at the end, "
				      "e.g. -cleanup=false keeps it");
		return AIS_EINVAL;
	}
	if (!p->duration_set && (p->totalputsize > 0 || p->epochs > 0 || p->maxputs > 0))
		p->duration_ns = 0; /* run until the other bound */
	if (p->epochs > 0 && p->pctput == 100) {
		snprintf(err, errcap, "-epochs is a GET bound; it makes no sense with -pctput=100");
		return AIS_EINVAL;
	}
	return 0;
}

void ld_flags_usage(FILE *f)
{
	static const char *tn[] = {"string", "int", "int", "size", "duration", "bool", "bool"};
	fprintf(f, "aisloader (aistore-c): load generator for AIStore and S3 endpoints\n\n"
		   "usage: aisloader -bucket=ais://NAME -cleanup=true|false [flags]\n\nflags:\n");
	for (size_t i = 0; i < LD_NFLAGS; i++) {
		const ld_flag_t *x = &ld_flags_tab[i];
		fprintf(f, "  -%s %s\n\t%s", x->name, tn[x->type], x->help);
		if (x->def[0] && x->type != F_BOOL)
			fprintf(f, " (default %s)", x->def);
		fputc('\n', f);
	}
	fprintf(f, "\nexamples:\n"
		   "  aisloader -bucket=ais://abc -duration=30s -numworkers=8 -minsize=1K -maxsize=1K -pctput=100 -cleanup=false\n"
		   "  aisloader -bucket=ais://abc -duration=30s -numworkers=16 -pctput=0 -direct -cleanup=true\n"
		   "  aisloader -bucket=s3://abc -s3endpoint=http://127.0.0.1:7480 -pctput=20 -minsize=4K -maxsize=4K "
		   "-cleanup=true\n"
		   "docs: docs/aisloader.md\n");
}
