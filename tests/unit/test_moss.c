/* unit tests: archive/moss.c — the MossReq parser (AIStore's api/apc/ml.go, MossIn.UnmarshalJSON):
 * every field, keys in any case, defaults (.tar), every refusal (unknown fields, wrong types,
 * empty "in", invalid names and archpaths, bad base64, unknown mime, ranges and remote providers
 * 501), uname, and the output names (bucket/obj[/archpath], onob, __404__/). */
#include <criterion/criterion.h>
#include <string.h>

#include "archive/moss.h"
#include "core/err.h"

static int parse(const char *s, moss_req_t *r)
{
	char err[512];
	return moss_req_parse(s, strlen(s), r, err, sizeof(err));
}

Test(moss, full_request)
{
	moss_req_t r;
	const char *js = "{\"MIME\":\"application/x-lz4 tar.lz4\",\"In\":[{\"objname\":\"a/b\",\"bucket\":\"x\","
			 "\"archpath\":\"/c/d.jpg\",\"opaque\":\"b3Bx\"},{\"ObjName\":\"z\",\"provider\":\"ais\"},"
			 "{\"objname\":\"u\",\"uname\":\"ais/@#/bb/dir/obj\"}],\"coer\":true,\"onob\":false,\"strm\":true,\"coloc\":1}";
	cr_assert_eq(parse(js, &r), 0);
	cr_assert_eq(r.fmt, ARCH_TAR_LZ4);
	cr_assert_eq(r.n, 3);
	cr_assert(r.coer && r.strm && !r.onob);
	cr_assert_eq(r.coloc, 1);
	cr_assert_str_eq(r.in[0].archpath, "c/d.jpg"); /* leading '/' dropped */
	cr_assert_str_eq(r.in[0].opaque, "b3Bx");
	cr_assert_str_eq(moss_in_bucket(&r.in[1], "dflt"), "dflt");
	cr_assert_str_eq(r.in[2].bucket, "bb");
	cr_assert_str_eq(r.in[2].objname, "dir/obj");
	sbuf_t n = SBUF_INIT;
	moss_name(&r, &r.in[0], "x", false, &n);
	cr_assert_str_eq(sbuf_str(&n), "x/a/b/c/d.jpg");
	moss_name(&r, &r.in[1], "dflt", true, &n);
	cr_assert_str_eq(sbuf_str(&n), "__404__/dflt/z");
	r.onob = true;
	moss_name(&r, &r.in[0], "x", false, &n);
	cr_assert_str_eq(sbuf_str(&n), "a/b/c/d.jpg");
	sbuf_fini(&n);
	moss_req_fini(&r);
	cr_assert_eq(parse("{\"in\":[{\"objname\":\"a\"}]}", &r), 0);
	cr_assert_eq(r.fmt, ARCH_TAR);
	moss_req_fini(&r);
}

Test(moss, refusals)
{
	static const struct {
		const char *js;
		int rc;
	} c[] = {
		{"", AIS_EINVAL}, {"[]", AIS_EINVAL}, {"{", AIS_EINVAL}, {"{}", AIS_EINVAL}, {"{\"in\":[]}", AIS_EINVAL},
		{"{\"in\":null}", AIS_EINVAL}, {"{\"in\":{}}", AIS_EINVAL}, {"{\"in\":[1]}", AIS_EINVAL},
		{"{\"in\":[{}]}", AIS_EINVAL}, {"{\"in\":[{\"objname\":\"\"}]}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"../a\"}]}", AIS_EINVAL}, {"{\"in\":[{\"objname\":\"a/../b\"}]}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"/a\"}]}", AIS_EINVAL}, {"{\"in\":[{\"objname\":\"a//\"}]}", AIS_EINVAL}, /* ("a/" is a name since issue 10) */
		{"{\"in\":[{\"objname\":\"a\",\"archpath\":\"../x\"}]}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"a\",\"archpath\":\"x/~/y\"}]}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"a\",\"archpath\":\"x/\"}]}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"a\",\"opaque\":\"!!\"}]}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"a\",\"bogus\":1}]}", AIS_EINVAL}, {"{\"in\":[{\"objname\":\"a\"}],\"x\":1}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"a\"}],\"mime\":\"rar\"}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"a\"}],\"mime\":7}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"a\"}],\"coer\":\"yes\"}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"a\"}],\"coloc\":3}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"a\",\"uname\":\"nonsense\"}]}", AIS_EINVAL},
		{"{\"in\":[{\"objname\":\"a\",\"length\":5}]}", AIS_ENOTIMPL},
		{"{\"in\":[{\"objname\":\"a\",\"start\":5}]}", AIS_ENOTIMPL},
		{"{\"in\":[{\"objname\":\"a\",\"provider\":\"aws\"}]}", AIS_ENOTIMPL},
		{"{\"in\":[{\"objname\":\"a\\u0000b\"}]}", AIS_EINVAL},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		moss_req_t r;
		char err[512] = "";
		int rc = moss_req_parse(c[i].js, strlen(c[i].js), &r, err, sizeof(err));
		cr_assert_eq(rc, c[i].rc, "%s: got %d (%s)", c[i].js, rc, err);
		cr_assert(err[0], "%s: no message", c[i].js);
		cr_assert_eq(r.n, 0);
		cr_assert_null(r.in);
	}
}
