/* ecmeta: EC slice metadata round trip, every rejected shape (types, ranges, missing fields,
 * duplicates, trailing bytes), slice lengths. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/err.h"
#include "obj/ecmeta.h"

static ecmeta_t sample(void)
{
	ecmeta_t m;
	memset(&m, 0, sizeof(m));
	m.bid = 18446744073709551615ull;
	m.size = 4194305;
	m.gen = 1700000000123456789;
	m.d = 4;
	m.p = 2;
	m.idx = 6;
	m.cktype = CKSUM_XXHASH2;
	strcpy(m.ck, "0123456789abcdef");
	ecmeta_sck("abc", 3, m.sck);
	strcpy(m.version, "12");
	return m;
}

Test(ecmeta, round_trip_and_lengths)
{
	ecmeta_t m = sample(), m2;
	char buf[ECMETA_MAX + 1];
	int n = ecmeta_encode(&m, buf, sizeof(buf));
	cr_assert_gt(n, 0);
	cr_assert_eq(ecmeta_decode(buf, (size_t)n, &m2), 0, "%s", buf);
	cr_assert(!memcmp(&m, &m2, sizeof(m)));
	cr_assert_eq(ecmeta_slice_len(&m), 1048577);
	m.idx = 0;
	cr_assert_eq(ecmeta_slice_len(&m), 4194305);
	m.size = 0;
	m.idx = 1;
	cr_assert_eq(ecmeta_slice_len(&m), 1);
	cr_assert_eq(ecmeta_encode(&m, buf, 10), AIS_EINVAL); /* does not fit */
	m.d = 33;
	cr_assert_eq(ecmeta_encode(&m, buf, sizeof(buf)), AIS_EINVAL);
}

Test(ecmeta, rejects)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{}",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":5,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":0,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":33,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":\"1\",\"ck\":\"XYZ\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"nope\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":\"-1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":1,\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":-1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":2,\"ver\":\"\"}",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1}",
		"{\"bid\":\"1\",\"bid\":\"2\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"} x",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2.5,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}",
		"{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":0,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"a\\u0000b\"}",
	};
	ecmeta_t m;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(ecmeta_decode(bad[i], strlen(bad[i]), &m), AIS_EINVAL, "accepted: %s", bad[i]);
	const char *ok = "{\"bid\":\"1\",\"ck\":\"\",\"ck_type\":\"none\",\"d\":2,\"gen\":1,\"idx\":4,\"p\":2,\"sck\":\"0000000000000000\",\"size\":1,\"v\":1,\"ver\":\"\"}";
	cr_assert_eq(ecmeta_decode(ok, strlen(ok), &m), 0);
	cr_assert_eq(m.idx, 4);
}
