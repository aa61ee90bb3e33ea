/* test_tframe: the stream frame codec: round trips of every field, decoding split at every byte
 * position (and byte by byte), canonical re-encoding, validation of bounds and shapes on both
 * sides, and malformed input (bad magic/version, oversized or short headers, checksum mismatch,
 * NUL inside strings, trailing garbage, every single-byte corruption). */
#include "core/err.h"
#include "transport/tframe.h"

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const tframe_kv_t kv3[] = {{"etag", "\"abc\""}, {"source", "aws://b/o"}, {"k", ""}};

static tframe_hdr_t full_hdr(uint64_t plen)
{
	static const char opaque[] = {1, 0, 2, 0, 3};
	tframe_hdr_t h = {
		.opcode = TFRAME_OP_OBJ,
		.flags = TFRAME_F_REPLY,
		.payload_len = plen,
		.id = 0x0102030405060708ULL,
		.sid = "t[abcDEF]",
		.provider = "ais",
		.ns_uuid = "uuid1",
		.ns_name = "ns",
		.bucket = "bck",
		.objname = "dir/obj name \xc3\xa9",
		.size = (int64_t)plen,
		.atime_ns = 1700000000123456789LL,
		.cksum_type = "xxhash",
		.cksum_value = "0123456789abcdef",
		.version = "3",
		.custom = kv3,
		.ncustom = 3,
		.opaque = opaque,
		.opaque_len = sizeof(opaque),
	};
	return h;
}

static size_t enc(const tframe_hdr_t *h, uint8_t *out, size_t cap)
{
	size_t len = 0;
	char err[160] = "";
	int rc = tframe_encode(h, 0, out, cap, &len, err, sizeof(err));
	cr_assert_eq(rc, 0, "encode: %s", err);
	cr_assert_eq(len, tframe_encoded_len(h));
	return len;
}

static void same_str(const char *a, const char *b, const char *what)
{
	cr_assert_str_eq(a ? a : "", b ? b : "", "%s", what);
}

static void same_hdr(const tframe_hdr_t *a, const tframe_hdr_t *b)
{
	cr_assert_eq(a->opcode, b->opcode);
	cr_assert_eq(a->flags, b->flags);
	cr_assert_eq(a->payload_len, b->payload_len);
	cr_assert_eq(a->id, b->id);
	cr_assert_eq(a->corr, b->corr);
	same_str(a->sid, b->sid, "sid");
	same_str(a->provider, b->provider, "provider");
	same_str(a->ns_uuid, b->ns_uuid, "ns_uuid");
	same_str(a->ns_name, b->ns_name, "ns_name");
	same_str(a->bucket, b->bucket, "bucket");
	same_str(a->objname, b->objname, "objname");
	cr_assert_eq(a->size, b->size);
	cr_assert_eq(a->offset, b->offset);
	cr_assert_eq(a->atime_ns, b->atime_ns);
	same_str(a->cksum_type, b->cksum_type, "cktype");
	same_str(a->cksum_value, b->cksum_value, "ckval");
	same_str(a->version, b->version, "version");
	cr_assert_eq(a->status, b->status);
	same_str(a->msg, b->msg, "msg");
	cr_assert_eq(a->ncustom, b->ncustom);
	for (int i = 0; i < a->ncustom; i++) {
		same_str(a->custom[i].key, b->custom[i].key, "key");
		same_str(a->custom[i].value, b->custom[i].value, "value");
	}
	cr_assert_eq(a->opaque_len, b->opaque_len);
	if (a->opaque_len)
		cr_assert_eq(memcmp(a->opaque, b->opaque, a->opaque_len), 0);
}

/* ---------------------------------------------------------------- a collecting decoder run */

typedef struct frames {
	int nbegin, nend;
	uint8_t payload[3][4096];
	uint64_t plen[3];
	uint8_t reenc[3][8192];
	size_t reenc_len[3];
	int err;
} frames_t;

/* feed `in` in the pieces given by cuts (ascending positions); collect events */
static void run(const uint8_t *in, size_t len, const size_t *cuts, int ncuts, frames_t *f)
{
	memset(f, 0, sizeof(*f));
	tframe_dec_t *d = tframe_dec_new(0);
	cr_assert_not_null(d);
	size_t start = 0;
	for (int c = 0; c <= ncuts && !f->err; c++) {
		size_t end = c < ncuts ? cuts[c] : len;
		size_t off = start;
		for (;;) {
			size_t used = 0;
			tframe_ev_t ev;
			int rc = tframe_dec_next(d, in + off, end - off, &used, &ev);
			if (rc) {
				f->err = rc;
				break;
			}
			cr_assert_leq(used, end - off);
			off += used;
			if (ev.type == TFRAME_EV_NONE) {
				cr_assert_eq(off, end);
				break;
			}
			int i = f->nbegin - 1;
			if (ev.type == TFRAME_EV_BEGIN) {
				cr_assert_eq(f->nbegin, f->nend, "BEGIN before the previous END");
				cr_assert_lt(f->nbegin, 3);
				i = f->nbegin++;
				const tframe_hdr_t *h = tframe_dec_hdr(d);
				char err[160];
				cr_assert_eq(tframe_encode(h, 0, f->reenc[i], sizeof(f->reenc[i]), &f->reenc_len[i], err,
							   sizeof(err)), 0, "%s", err);
			} else if (ev.type == TFRAME_EV_DATA) {
				cr_assert_gt(ev.len, 0);
				cr_assert(ev.data >= in + start && ev.data + ev.len <= in + end, "data outside input");
				cr_assert_leq(f->plen[i] + ev.len, sizeof(f->payload[i]));
				memcpy(f->payload[i] + f->plen[i], ev.data, ev.len);
				f->plen[i] += ev.len;
			} else {
				cr_assert_eq(f->nend + 1, f->nbegin);
				cr_assert_eq(f->plen[i], tframe_dec_hdr(d)->payload_len);
				f->nend++;
			}
		}
		start = end;
	}
	if (!f->err)
		cr_assert(tframe_dec_idle(d));
	tframe_dec_free(d);
}

/* three frames: full OBJ with payload, empty OBJ, REQ */
static size_t three_frames(uint8_t *buf, size_t cap, size_t *starts, uint8_t *payload, size_t plen)
{
	tframe_hdr_t a = full_hdr(plen);
	tframe_hdr_t b = {.opcode = TFRAME_OP_OBJ, .sid = "t1", .bucket = "b", .objname = "empty", .size = 0};
	tframe_hdr_t c = {.opcode = TFRAME_OP_REQ, .flags = TFRAME_F_RANGE, .id = 77, .sid = "t1", .bucket = "b",
			  .objname = "x", .offset = 5, .size = 100};
	size_t n = 0;
	starts[0] = 0;
	n += enc(&a, buf, cap);
	memcpy(buf + n, payload, plen);
	n += plen;
	starts[1] = n;
	n += enc(&b, buf + n, cap - n);
	starts[2] = n;
	n += enc(&c, buf + n, cap - n);
	return n;
}

Test(tframe, round_trip_every_field)
{
	uint8_t buf[8192], payload[1000];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	size_t starts[3];
	size_t n = three_frames(buf, sizeof(buf), starts, payload, sizeof(payload));
	frames_t f;
	run(buf, n, NULL, 0, &f);
	cr_assert_eq(f.err, 0);
	cr_assert_eq(f.nbegin, 3);
	cr_assert_eq(f.nend, 3);
	cr_assert_eq(f.plen[0], sizeof(payload));
	cr_assert_eq(memcmp(f.payload[0], payload, sizeof(payload)), 0);
	cr_assert_eq(f.plen[1], 0);
	/* canonical: each decoded header re-encodes to exactly the bytes it came from */
	cr_assert_eq(f.reenc_len[0], starts[0] + f.reenc_len[0] - starts[0]);
	cr_assert_eq(memcmp(f.reenc[0], buf, f.reenc_len[0]), 0);
	cr_assert_eq(memcmp(f.reenc[1], buf + starts[1], f.reenc_len[1]), 0);
	cr_assert_eq(memcmp(f.reenc[2], buf + starts[2], f.reenc_len[2]), 0);
	cr_assert_eq(f.reenc_len[2], n - starts[2]);
}

Test(tframe, decoded_header_matches)
{
	uint8_t buf[4096], payload[10] = "0123456789";
	tframe_hdr_t h = full_hdr(sizeof(payload));
	size_t n = enc(&h, buf, sizeof(buf));
	memcpy(buf + n, payload, sizeof(payload));
	tframe_dec_t *d = tframe_dec_new(0);
	size_t used;
	tframe_ev_t ev;
	cr_assert_eq(tframe_dec_next(d, buf, n + sizeof(payload), &used, &ev), 0);
	cr_assert_eq(ev.type, TFRAME_EV_BEGIN);
	cr_assert_eq(used, n);
	same_hdr(&h, tframe_dec_hdr(d));
	cr_assert_eq(tframe_dec_left(d), sizeof(payload));
	cr_assert_eq(tframe_dec_next(d, buf + n, sizeof(payload), &used, &ev), 0);
	cr_assert_eq(ev.type, TFRAME_EV_DATA);
	cr_assert_eq(ev.len, sizeof(payload));
	cr_assert_eq(tframe_dec_next(d, buf + n + used, 0, &used, &ev), 0);
	cr_assert_eq(ev.type, TFRAME_EV_END);
	cr_assert_eq(used, 0);
	cr_assert_eq(tframe_dec_next(d, NULL, 0, &used, &ev), 0);
	cr_assert_eq(ev.type, TFRAME_EV_NONE);
	cr_assert(tframe_dec_idle(d));
	tframe_dec_free(d);
}

Test(tframe, every_split_point)
{
	uint8_t buf[8192], payload[300];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i ^ 0x5a);
	size_t starts[3];
	size_t n = three_frames(buf, sizeof(buf), starts, payload, sizeof(payload));
	frames_t ref;
	run(buf, n, NULL, 0, &ref);
	for (size_t cut = 0; cut <= n; cut++) {
		frames_t f;
		run(buf, n, &cut, 1, &f);
		cr_assert_eq(f.err, 0, "cut %zu", cut);
		cr_assert_eq(f.nend, 3, "cut %zu", cut);
		cr_assert_eq(f.plen[0], sizeof(payload));
		cr_assert_eq(memcmp(f.payload[0], payload, sizeof(payload)), 0, "cut %zu", cut);
		for (int i = 0; i < 3; i++)
			cr_assert_eq(memcmp(f.reenc[i], ref.reenc[i], ref.reenc_len[i]), 0, "cut %zu", cut);
	}
	/* two cuts: every pair inside the first frame's header and around its payload */
	for (size_t c1 = 0; c1 < starts[1]; c1 += 3) {
		for (size_t c2 = c1; c2 <= n; c2 += 17) {
			size_t cuts[2] = {c1, c2};
			frames_t f;
			run(buf, n, cuts, 2, &f);
			cr_assert_eq(f.nend, 3, "cuts %zu %zu", c1, c2);
			cr_assert_eq(memcmp(f.payload[0], payload, sizeof(payload)), 0);
		}
	}
}

Test(tframe, byte_by_byte)
{
	uint8_t buf[8192], payload[64];
	memset(payload, 0xee, sizeof(payload));
	size_t starts[3];
	size_t n = three_frames(buf, sizeof(buf), starts, payload, sizeof(payload));
	size_t *cuts = malloc(n * sizeof(*cuts));
	for (size_t i = 0; i < n; i++)
		cuts[i] = i;
	frames_t f;
	run(buf, n, cuts, (int)n, &f);
	free(cuts);
	cr_assert_eq(f.err, 0);
	cr_assert_eq(f.nend, 3);
	cr_assert_eq(memcmp(f.payload[0], payload, sizeof(payload)), 0);
}

/* ---------------------------------------------------------------- validation (encode side) */

static int check(const tframe_hdr_t *h)
{
	char err[160] = "";
	int rc = tframe_check(h, 0, err, sizeof(err));
	if (rc)
		cr_assert_neq(err[0], '\0', "an error must say why");
	return rc;
}

Test(tframe, shapes)
{
	tframe_hdr_t h = {.opcode = TFRAME_OP_OBJ, .size = 10, .payload_len = 10};
	cr_assert_eq(check(&h), 0);
	h.payload_len = 9; /* payload shorter than the object */
	cr_assert_eq(check(&h), AIS_EINVAL);
	h.size = -1; /* unknown size: any payload */
	cr_assert_eq(check(&h), 0);
	h.size = -2;
	cr_assert_eq(check(&h), AIS_EINVAL);
	h = (tframe_hdr_t){.opcode = TFRAME_OP_OBJ, .flags = TFRAME_F_RANGE, .size = 10, .offset = 4, .payload_len = 6};
	cr_assert_eq(check(&h), 0);
	h.payload_len = 7; /* past the end */
	cr_assert_eq(check(&h), AIS_EINVAL);
	h.offset = INT64_MAX;
	h.payload_len = 1;
	cr_assert_eq(check(&h), AIS_EINVAL);
	h = (tframe_hdr_t){.opcode = TFRAME_OP_OBJ, .size = 0, .offset = 1};
	cr_assert_eq(check(&h), AIS_EINVAL); /* offset without range */
	h = (tframe_hdr_t){.opcode = TFRAME_OP_OBJ, .flags = TFRAME_F_REPLY, .size = -1};
	cr_assert_eq(check(&h), AIS_EINVAL); /* reply needs an id */
	h.id = 1;
	cr_assert_eq(check(&h), 0);
	h = (tframe_hdr_t){.opcode = TFRAME_OP_OBJ, .flags = TFRAME_F_RESPONSE, .size = -1};
	cr_assert_eq(check(&h), AIS_EINVAL); /* response needs corr */
	h.corr = 3;
	cr_assert_eq(check(&h), 0);
	h.flags = 0;
	cr_assert_eq(check(&h), AIS_EINVAL); /* corr without response */
	h = (tframe_hdr_t){.opcode = TFRAME_OP_OBJ, .flags = 8, .size = -1};
	cr_assert_eq(check(&h), AIS_EINVAL);
	h = (tframe_hdr_t){.opcode = 9, .size = -1};
	cr_assert_eq(check(&h), AIS_EINVAL);
	h = (tframe_hdr_t){.opcode = TFRAME_OP_OBJ, .size = -1, .status = 5};
	cr_assert_eq(check(&h), AIS_EINVAL); /* status only on replies */
	h = (tframe_hdr_t){.opcode = TFRAME_OP_OBJ, .size = -1, .payload_len = TFRAME_PAYLOAD_MAX + 1};
	cr_assert_eq(check(&h), AIS_ETOOBIG);
	/* requests */
	h = (tframe_hdr_t){.opcode = TFRAME_OP_REQ, .id = 1, .size = -1};
	cr_assert_eq(check(&h), 0);
	h.payload_len = 1;
	h.size = 1;
	cr_assert_eq(check(&h), AIS_EINVAL);
	h = (tframe_hdr_t){.opcode = TFRAME_OP_REQ, .size = -1};
	cr_assert_eq(check(&h), AIS_EINVAL);
	h = (tframe_hdr_t){.opcode = TFRAME_OP_REQ, .id = 1, .size = 5};
	cr_assert_eq(check(&h), AIS_EINVAL); /* a length without range */
	h.flags = TFRAME_F_RANGE;
	cr_assert_eq(check(&h), 0);
	h.flags = TFRAME_F_REPLY;
	cr_assert_eq(check(&h), AIS_EINVAL);
	/* replies */
	h = (tframe_hdr_t){.opcode = TFRAME_OP_REPLY, .corr = 9, .size = -1, .status = AIS_ENOTFOUND, .msg = "nope"};
	cr_assert_eq(check(&h), 0);
	h.corr = 0;
	cr_assert_eq(check(&h), AIS_EINVAL);
	h.corr = 9;
	h.flags = TFRAME_F_REPLY;
	cr_assert_eq(check(&h), AIS_EINVAL);
}

Test(tframe, bounds)
{
	static char big[TFRAME_HDR_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	tframe_hdr_t h = {.opcode = TFRAME_OP_OBJ, .size = -1};
	char name[TFRAME_OBJNAME_MAX + 2];
	memset(name, 'n', sizeof(name) - 1);
	name[TFRAME_OBJNAME_MAX + 1] = '\0';
	h.objname = name;
	cr_assert_eq(check(&h), AIS_EINVAL);
	name[TFRAME_OBJNAME_MAX] = '\0';
	cr_assert_eq(check(&h), 0);
	char sid[TFRAME_SID_MAX + 2];
	memset(sid, 's', sizeof(sid) - 1);
	sid[sizeof(sid) - 1] = '\0';
	h.sid = sid;
	cr_assert_eq(check(&h), AIS_EINVAL);
	h.sid = "t1";
	tframe_kv_t kv[TFRAME_CUSTOM_MAX + 1];
	char keys[TFRAME_CUSTOM_MAX + 1][16];
	for (int i = 0; i <= TFRAME_CUSTOM_MAX; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		kv[i] = (tframe_kv_t){keys[i], "v"};
	}
	h.custom = kv;
	h.ncustom = TFRAME_CUSTOM_MAX;
	cr_assert_eq(check(&h), 0);
	h.ncustom = TFRAME_CUSTOM_MAX + 1;
	cr_assert_eq(check(&h), AIS_EINVAL);
	kv[1].key = "k0";
	h.ncustom = 2;
	cr_assert_eq(check(&h), AIS_EINVAL); /* duplicate key */
	kv[1].key = "";
	cr_assert_eq(check(&h), AIS_EINVAL); /* empty key */
	h.ncustom = 0;
	/* the whole header against its limit */
	h.opaque = big;
	h.opaque_len = TFRAME_HDR_MAX;
	cr_assert_eq(check(&h), AIS_ETOOBIG);
	h.opaque_len = 100;
	char err[160];
	cr_assert_eq(tframe_check(&h, 64, err, sizeof(err)), AIS_ETOOBIG);
	/* encode into too small a buffer */
	uint8_t out[64];
	size_t len;
	cr_assert_eq(tframe_encode(&h, 0, out, sizeof(out), &len, err, sizeof(err)), AIS_ENOMEM);
}

/* ---------------------------------------------------------------- malformed input */

static void fix_cksum(uint8_t *f, size_t len)
{
	XXH32_state_t st;
	XXH32_reset(&st, 0);
	XXH32_update(&st, f, 12);
	XXH32_update(&st, f + 16, len - 16);
	uint32_t c = XXH32_digest(&st);
	f[12] = (uint8_t)(c >> 24);
	f[13] = (uint8_t)(c >> 16);
	f[14] = (uint8_t)(c >> 8);
	f[15] = (uint8_t)c;
}

static int decode_all(const uint8_t *in, size_t len, size_t hdr_max)
{
	tframe_dec_t *d = tframe_dec_new(hdr_max);
	size_t off = 0;
	int rc = 0;
	for (;;) {
		size_t used;
		tframe_ev_t ev;
		rc = tframe_dec_next(d, in + off, len - off, &used, &ev);
		if (rc)
			break;
		off += used;
		if (ev.type == TFRAME_EV_NONE)
			break;
	}
	if (!rc && !tframe_dec_idle(d))
		rc = 1; /* incomplete: waits for bytes that never come */
	if (rc < 0) { /* sticky */
		size_t used;
		tframe_ev_t ev;
		cr_assert_eq(tframe_dec_next(d, in, len, &used, &ev), rc);
		cr_assert_neq(tframe_dec_err(d)[0], '\0');
	}
	tframe_dec_free(d);
	return rc;
}

Test(tframe, malformed)
{
	uint8_t buf[4096], m[4096];
	tframe_hdr_t h = full_hdr(0);
	size_t n = enc(&h, buf, sizeof(buf));
	cr_assert_eq(decode_all(buf, n, 0), 0);
	memcpy(m, buf, n);
	m[0] = 'X'; /* magic */
	cr_assert_eq(decode_all(m, n, 0), AIS_EINVAL);
	memcpy(m, buf, n);
	m[4] = 2; /* version */
	cr_assert_eq(decode_all(m, n, 0), AIS_EINVAL);
	cr_assert_eq(decode_all(buf, n, 64), AIS_ETOOBIG); /* header over the receiver's limit */
	memcpy(m, buf, n);
	m[8] = 0x7f; /* hdr_len ~2 GiB */
	cr_assert_eq(decode_all(m, n, 0), AIS_ETOOBIG);
	memcpy(m, buf, n);
	m[8] = m[9] = m[10] = 0;
	m[11] = 10; /* too short to hold the fixed fields */
	cr_assert_eq(decode_all(m, n, 0), AIS_EINVAL);
	memcpy(m, buf, n);
	m[TFRAME_FIXED + 5] ^= 1; /* a header byte: checksum mismatch */
	cr_assert_eq(decode_all(m, n, 0), AIS_EINVAL);
	/* a NUL inside a string, with a valid checksum */
	memcpy(m, buf, n);
	size_t sid_at = TFRAME_FIXED + 2; /* first string's bytes */
	m[sid_at + 1] = 0;
	fix_cksum(m, n);
	cr_assert_eq(decode_all(m, n, 0), AIS_EINVAL);
	/* a string length running past the header, valid checksum */
	memcpy(m, buf, n);
	m[TFRAME_FIXED] = 0xff;
	fix_cksum(m, n);
	cr_assert_eq(decode_all(m, n, 0), AIS_EINVAL);
	/* trailing garbage inside hdr_len: grow hdr_len by one, append a byte, fix checksum */
	memcpy(m, buf, n);
	uint32_t hl = (uint32_t)(n - TFRAME_FIXED) + 1;
	m[8] = (uint8_t)(hl >> 24);
	m[9] = (uint8_t)(hl >> 16);
	m[10] = (uint8_t)(hl >> 8);
	m[11] = (uint8_t)hl;
	m[n] = 0;
	fix_cksum(m, n + 1);
	cr_assert_eq(decode_all(m, n + 1, 0), AIS_EINVAL);
	/* a declared size that disagrees with the payload: shape check on the decoder side */
	tframe_hdr_t bad = {.opcode = TFRAME_OP_OBJ, .size = -1, .payload_len = 3};
	n = enc(&bad, buf, sizeof(buf));
	memcpy(m, buf, n);
	/* size field: after 6 empty strings (2 bytes each) */
	size_t size_at = TFRAME_FIXED + 12;
	memset(m + size_at, 0, 8);
	m[size_at + 7] = 4;
	fix_cksum(m, n);
	cr_assert_eq(decode_all(m, n, 0), AIS_EINVAL);
}

Test(tframe, every_single_byte_corruption)
{
	uint8_t buf[4096], m[4096];
	tframe_hdr_t h = full_hdr(0);
	size_t n = enc(&h, buf, sizeof(buf));
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(m, buf, n);
			m[i] ^= (uint8_t)(1u << bit);
			/* every flipped bit of a header is caught (checksum or a structural check) or
			 * makes the frame longer than the input (never a valid different frame) */
			cr_assert_neq(decode_all(m, n, 0), 0, "byte %zu bit %d", i, bit);
		}
	}
}

Test(tframe, truncated_is_incomplete_not_error)
{
	uint8_t buf[4096];
	tframe_hdr_t h = full_hdr(100);
	size_t n = enc(&h, buf, sizeof(buf));
	for (size_t k = 0; k < n; k++) {
		tframe_dec_t *d = tframe_dec_new(0);
		size_t used;
		tframe_ev_t ev;
		cr_assert_eq(tframe_dec_next(d, buf, k, &used, &ev), 0);
		cr_assert_eq(ev.type, TFRAME_EV_NONE);
		cr_assert_eq(used, k);
		cr_assert_eq(tframe_dec_idle(d), k == 0);
		tframe_dec_free(d);
	}
}
