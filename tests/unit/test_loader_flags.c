/* unit tests: aisloader flag parsing and validation (src/loader/ld_flags.c) */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/err.h"
#include "loader/ld_flags.h"

static ld_params_t P;
static char err[512];

static int parse(int argc, char **argv)
{
	ld_flags_defaults(&P);
	int rc = ld_flags_parse(&P, argc, argv, err, sizeof(err));
	return rc ? rc : ld_flags_finish(&P, err, sizeof(err));
}

#define ARGV(...) ((char *[]){"aisloader", __VA_ARGS__})
#define ARGC(...) ((int)(sizeof((char *[]){"aisloader", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(...) parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

TestSuite(loader_flags, .init = NULL);

Test(loader_flags, defaults)
{
	unsetenv("AIS_ENDPOINT");
	cr_assert_eq(PARSE("-cleanup=false"), 0, "%s", err);
	cr_assert_str_eq(P.proxy_url, "http://localhost:8080");
	cr_assert_eq(P.numworkers, 10);
	cr_assert_eq(P.pctput, 0);
	cr_assert_eq(P.minsize, 1 << 20);
	cr_assert_eq(P.maxsize, 1LL << 30);
	cr_assert_eq(P.duration_ns, 60LL * 1000000000LL);
	cr_assert_eq(P.statsinterval, 10);
	cr_assert_str_eq(P.provider, "ais");
	cr_assert_eq(P.cleanup, 0);
	cr_assert_not(P.json);
}

Test(loader_flags, go_syntax)
{
	unsetenv("AIS_ENDPOINT");
	cr_assert_eq(PARSE("-bucket=ais://abc", "--numworkers", "16", "-pctput=30", "-minsize=4K", "-maxsize", "1MiB",
			   "-duration", "1m30s", "-json", "-cleanup", "-direct=true", "-ip=10.0.0.1", "-port=51080"),
		     0, "%s", err);
	cr_assert_str_eq(P.bucket, "abc");
	cr_assert_str_eq(P.provider, "ais");
	cr_assert_eq(P.numworkers, 16);
	cr_assert_eq(P.pctput, 30);
	cr_assert_eq(P.minsize, 4096);
	cr_assert_eq(P.maxsize, 1 << 20);
	cr_assert_eq(P.duration_ns, 90LL * 1000000000LL);
	cr_assert(P.duration_set);
	cr_assert(P.json);
	cr_assert(P.direct);
	cr_assert_eq(P.cleanup, 1);
	cr_assert_str_eq(P.proxy_url, "http://10.0.0.1:51080");
}

Test(loader_flags, endpoint_precedence)
{
	setenv("AIS_ENDPOINT", "127.0.0.1:9999", 1);
	cr_assert_eq(PARSE("-cleanup=false", "-ip=h", "-port=1"), 0, "%s", err);
	cr_assert_str_eq(P.proxy_url, "http://127.0.0.1:9999");
	cr_assert_eq(PARSE("-cleanup=false", "-endpoint=http://x:1/"), 0, "%s", err);
	cr_assert_str_eq(P.proxy_url, "http://x:1");
	unsetenv("AIS_ENDPOINT");
	cr_assert_eq(PARSE("-cleanup=false", "-endpoint=https://x:1"), 0, "%s", err); /* TLS */
	cr_assert_str_eq(P.proxy_url, "https://x:1");
	cr_assert_neq(PARSE("-cleanup=false", "-endpoint=ftp://x:1"), 0);
}

Test(loader_flags, cleanup_required)
{
	cr_assert_eq(PARSE("-bucket=abc"), AIS_EINVAL);
	cr_assert(strstr(err, "-cleanup"), "%s", err);
}

Test(loader_flags, bad_values)
{
	cr_assert_neq(PARSE("-cleanup=false", "-nosuchflag=1"), 0);
	cr_assert(strstr(err, "not defined"));
	cr_assert_neq(PARSE("-cleanup=false", "-pctput=101"), 0);
	cr_assert_neq(PARSE("-cleanup=false", "-numworkers=0"), 0);
	cr_assert_neq(PARSE("-cleanup=false", "-numworkers=abc"), 0);
	cr_assert_neq(PARSE("-cleanup=false", "-duration=5x"), 0);
	cr_assert_neq(PARSE("-cleanup=false", "-pctput=10", "-minsize=2M", "-maxsize=1M"), 0);
	cr_assert_neq(PARSE("-cleanup=false", "-readertype=file"), 0);
	cr_assert_neq(PARSE("-cleanup=false", "-cksum-type=blake"), 0);
	cr_assert_neq(PARSE("-cleanup=maybe"), 0);
	cr_assert_neq(PARSE("-cleanup=false", "-numworkers"), 0); /* missing value */
	cr_assert_neq(PARSE("-cleanup=false", "-bucket=ais://a/b"), 0);
	cr_assert_neq(PARSE("-cleanup=false", "-bucket=gcp://a"), 0); /* no native remote buckets */
}

/* GetBatch exists now (/v1/ml/moss): a batch size is accepted within AIStore's bounds, refused
 * outside them and against a plain S3 endpoint (before: every non-zero size was refused) */
Test(loader_flags, getbatch_bounds)
{
	cr_assert_eq(PARSE("-cleanup=false", "-get-batchsize=64"), 0);
	cr_assert_eq(PARSE("-cleanup=false", "-get-batchsize=64", "-cont-on-err"), 0);
	cr_assert_eq(PARSE("-cleanup=false", "-get-batchsize=-1"), AIS_EINVAL);
	cr_assert(strstr(err, "get-batchsize"), "%s", err);
	cr_assert_eq(PARSE("-cleanup=false", "-get-batchsize=10001"), AIS_EINVAL);
	cr_assert_eq(PARSE("-cleanup=false", "-get-batchsize=8", "-s3endpoint=http://localhost:9"), AIS_EINVAL);
	cr_assert(strstr(err, "GetBatch"), "%s", err);
	cr_assert_eq(PARSE("-cleanup=false", "-get-batchsize=0"), 0);
}

Test(loader_flags, unbounded_duration)
{
	cr_assert_eq(PARSE("-cleanup=false", "-pctput=100", "-totalputsize=1G"), 0, "%s", err);
	cr_assert_eq(P.duration_ns, 0);
	cr_assert_eq(P.totalputsize, 1LL << 30);
	cr_assert_eq(PARSE("-cleanup=false", "-pctput=100", "-maxputs=100", "-duration=5s"), 0, "%s", err);
	cr_assert_eq(P.duration_ns, 5000000000LL);
	cr_assert_eq(P.maxputs, 100);
}

Test(loader_flags, s3)
{
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	cr_assert_eq(PARSE("-cleanup=false", "-bucket=s3://xyz", "-s3endpoint=http://127.0.0.1:7480"), 0, "%s", err);
	cr_assert_str_eq(P.provider, "s3");
	cr_assert_str_eq(P.bucket, "xyz");
	cr_assert_str_eq(P.s3accesskey, "");
	setenv("AWS_ACCESS_KEY_ID", "AK", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SK", 1);
	cr_assert_eq(PARSE("-cleanup=false", "-bucket=xyz", "-s3endpoint=http://h:1"), 0, "%s", err);
	cr_assert_str_eq(P.provider, "s3");
	cr_assert_str_eq(P.s3accesskey, "AK");
	cr_assert_str_eq(P.s3secretkey, "SK");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	cr_assert_neq(PARSE("-cleanup=false", "-bucket=s3://xyz"), 0); /* s3:// needs -s3endpoint */
	cr_assert_neq(PARSE("-cleanup=false", "-s3endpoint=http://h:1", "-direct"), 0);
	cr_assert_neq(PARSE("-cleanup=false", "-s3endpoint=http://h:1", "-s3accesskey=A"), 0); /* no secret */
}

Test(loader_flags, usage_words)
{
	cr_assert_eq(PARSE("usage"), 0, "%s", err);
	cr_assert(P.usage);
	cr_assert(ld_flags_known("numworkers"));
	cr_assert_not(ld_flags_known("numworker"));
}
