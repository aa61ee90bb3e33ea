/* tframe: encoder, validator and incremental decoder of stream frames (format in tframe.h).
 * Owns nothing but a decoder's buffers. Must not do I/O or keep global state.
 * Decoder invariants: `have` never exceeds the bytes the current state needs; the header buffer
 * holds exactly hdr_len bytes once complete; every string handed out is NUL-terminated in `strs`
 * (sized hdr_len + one NUL per string); payload bytes are never copied (events point into the
 * caller's input). */
#include "transport/tframe.h"
#include "core/err.h"

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TF_NSTR_FIXED 10 /* sid provider ns_uuid ns_name bucket objname cktype ckval version msg */
#define TF_MIN_OBJHDR (TF_NSTR_FIXED * 2 + 3 * 8 + 4 + 2 + 4)

static int tf_fail(char *err, size_t cap, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int tf_fail(char *err, size_t cap, int code, const char *fmt, ...)
{
	if (err && cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const char *tf_s(const char *s) { return s ? s : ""; }

/* ---------------------------------------------------------------- validation */

static int tf_check_str(const char *s, size_t max, const char *name, char *err, size_t cap)
{
	size_t n = strlen(tf_s(s));
	if (n > max)
		return tf_fail(err, cap, AIS_EINVAL, "transport frame: %s too long (%zu > %zu)", name, n, max);
	return 0;
}

size_t tframe_encoded_len(const tframe_hdr_t *h)
{
	const char *strs[TF_NSTR_FIXED] = {h->sid, h->provider, h->ns_uuid, h->ns_name, h->bucket,
					   h->objname, h->cksum_type, h->cksum_value, h->version, h->msg};
	size_t n = TFRAME_FIXED + TF_MIN_OBJHDR;
	for (int i = 0; i < TF_NSTR_FIXED; i++)
		n += strnlen(tf_s(strs[i]), TFRAME_HDR_MAX + 1);
	if (h->ncustom < 0 || h->ncustom > TFRAME_CUSTOM_MAX || (h->ncustom && !h->custom))
		return SIZE_MAX;
	for (int i = 0; i < h->ncustom; i++)
		n += 4 + strnlen(tf_s(h->custom[i].key), TFRAME_HDR_MAX + 1) +
		     strnlen(tf_s(h->custom[i].value), TFRAME_HDR_MAX + 1);
	if (h->opaque_len > TFRAME_HDR_MAX)
		return SIZE_MAX;
	return n + h->opaque_len;
}

static int tf_check_strings(const tframe_hdr_t *h, char *err, size_t cap)
{
	const struct {
		const char *s;
		size_t max;
		const char *name;
	} t[] = {
		{h->sid, TFRAME_SID_MAX, "sender id"},
		{h->provider, TFRAME_PROVIDER_MAX, "provider"},
		{h->ns_uuid, TFRAME_NS_MAX, "namespace uuid"},
		{h->ns_name, TFRAME_NS_MAX, "namespace name"},
		{h->bucket, TFRAME_BUCKET_MAX, "bucket name"},
		{h->objname, TFRAME_OBJNAME_MAX, "object name"},
		{h->cksum_type, TFRAME_CKTYPE_MAX, "checksum type"},
		{h->cksum_value, TFRAME_CKVAL_MAX, "checksum value"},
		{h->version, TFRAME_OBJVER_MAX, "version"},
		{h->msg, TFRAME_MSG_MAX, "message"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = tf_check_str(t[i].s, t[i].max, t[i].name, err, cap);
		if (rc)
			return rc;
	}
	if (h->ncustom < 0 || h->ncustom > TFRAME_CUSTOM_MAX)
		return tf_fail(err, cap, AIS_EINVAL, "transport frame: %d custom metadata pairs (max %d)", h->ncustom,
			       TFRAME_CUSTOM_MAX);
	if (h->ncustom && !h->custom)
		return tf_fail(err, cap, AIS_EINVAL, "transport frame: custom metadata missing");
	for (int i = 0; i < h->ncustom; i++) {
		const char *k = tf_s(h->custom[i].key);
		if (!*k)
			return tf_fail(err, cap, AIS_EINVAL, "transport frame: empty custom metadata key");
		int rc = tf_check_str(k, TFRAME_CKEY_MAX, "custom metadata key", err, cap);
		if (!rc)
			rc = tf_check_str(h->custom[i].value, TFRAME_CVAL_MAX, "custom metadata value", err, cap);
		if (rc)
			return rc;
		for (int j = 0; j < i; j++)
			if (!strcmp(k, tf_s(h->custom[j].key)))
				return tf_fail(err, cap, AIS_EINVAL, "transport frame: duplicate custom key %s", k);
	}
	if (h->opaque_len && !h->opaque)
		return tf_fail(err, cap, AIS_EINVAL, "transport frame: opaque data missing");
	return 0;
}

/* the rules that tie opcode, flags, ids, sizes and payload together */
static int tf_check_shape(const tframe_hdr_t *h, char *err, size_t cap)
{
	if (h->flags & ~TFRAME_F_ALL)
		return tf_fail(err, cap, AIS_EINVAL, "transport frame: unknown flags 0x%x", h->flags);
	if (h->payload_len > TFRAME_PAYLOAD_MAX)
		return tf_fail(err, cap, AIS_ETOOBIG, "transport frame: payload %llu too large",
			       (unsigned long long)h->payload_len);
	if (h->size < -1 || h->offset < 0)
		return tf_fail(err, cap, AIS_EINVAL, "transport frame: negative size %lld or offset %lld",
			       (long long)h->size, (long long)h->offset);
	bool reply = h->opcode == TFRAME_OP_REPLY;
	if (!reply && (h->status || (h->msg && *h->msg)))
		return tf_fail(err, cap, AIS_EINVAL, "transport frame: status and message belong to replies");
	switch (h->opcode) {
	case TFRAME_OP_OBJ:
		if ((h->flags & TFRAME_F_REPLY) && !h->id)
			return tf_fail(err, cap, AIS_EINVAL, "transport frame: a reply needs an object id");
		if ((h->flags & TFRAME_F_RESPONSE) && !h->corr)
			return tf_fail(err, cap, AIS_EINVAL, "transport frame: a response needs the request id");
		if (!(h->flags & TFRAME_F_RESPONSE) && h->corr)
			return tf_fail(err, cap, AIS_EINVAL, "transport frame: correlation id without response flag");
		if (!(h->flags & TFRAME_F_RANGE)) {
			if (h->offset)
				return tf_fail(err, cap, AIS_EINVAL, "transport frame: offset without range flag");
			if (h->size >= 0 && (uint64_t)h->size != h->payload_len)
				return tf_fail(err, cap, AIS_EINVAL,
					       "transport frame: payload %llu bytes, object size %lld",
					       (unsigned long long)h->payload_len, (long long)h->size);
		} else if (h->size >= 0 && ((uint64_t)h->offset > (uint64_t)h->size ||
					    h->payload_len > (uint64_t)h->size - (uint64_t)h->offset)) {
			return tf_fail(err, cap, AIS_EINVAL, "transport frame: range %lld+%llu outside size %lld",
				       (long long)h->offset, (unsigned long long)h->payload_len, (long long)h->size);
		}
		return 0;
	case TFRAME_OP_REQ:
		if (!h->id || h->corr || (h->flags & ~TFRAME_F_RANGE) || h->payload_len)
			return tf_fail(err, cap, AIS_EINVAL,
				       "transport frame: a request needs an id, no payload, no flags but range");
		if (!(h->flags & TFRAME_F_RANGE) && (h->offset || h->size != -1))
			return tf_fail(err, cap, AIS_EINVAL, "transport frame: request range without range flag");
		return 0;
	case TFRAME_OP_REPLY:
		if (!h->corr || h->flags || h->payload_len || h->offset || h->size != -1)
			return tf_fail(err, cap, AIS_EINVAL,
				       "transport frame: a reply needs the answered id and nothing else");
		return 0;
	default:
		return tf_fail(err, cap, AIS_EINVAL, "transport frame: unknown opcode %u", h->opcode);
	}
}

int tframe_check(const tframe_hdr_t *h, size_t hdr_max, char *err, size_t cap)
{
	if (!hdr_max || hdr_max > TFRAME_HDR_MAX)
		hdr_max = TFRAME_HDR_MAX;
	int rc = tf_check_strings(h, err, cap);
	if (!rc)
		rc = tf_check_shape(h, err, cap);
	if (rc)
		return rc;
	size_t n = tframe_encoded_len(h);
	if (n == SIZE_MAX || n - TFRAME_FIXED > hdr_max)
		return tf_fail(err, cap, AIS_ETOOBIG, "transport frame: header %zu bytes exceeds the limit %zu",
			       n == SIZE_MAX ? n : n - TFRAME_FIXED, hdr_max);
	return 0;
}

/* ---------------------------------------------------------------- encoding */

static uint8_t *tf_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *tf_put32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
	return p + 4;
}

static uint8_t *tf_put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
	return p + 8;
}

static uint8_t *tf_putstr(uint8_t *p, const char *s)
{
	size_t n = strlen(tf_s(s));
	p = tf_put16(p, (uint16_t)n);
	memcpy(p, tf_s(s), n);
	return p + n;
}

static uint32_t tf_hcksum(const uint8_t *fixed, const uint8_t *obj, size_t objlen)
{
	XXH32_state_t st;
	XXH32_reset(&st, 0);
	XXH32_update(&st, fixed, 12);
	XXH32_update(&st, fixed + 16, TFRAME_FIXED - 16);
	XXH32_update(&st, obj, objlen);
	return XXH32_digest(&st);
}

int tframe_encode(const tframe_hdr_t *h, size_t hdr_max, void *out, size_t cap, size_t *len, char *err,
		  size_t errcap)
{
	int rc = tframe_check(h, hdr_max, err, errcap);
	if (rc)
		return rc;
	size_t n = tframe_encoded_len(h);
	if (n > cap)
		return tf_fail(err, errcap, AIS_ENOMEM, "transport frame: %zu bytes do not fit in %zu", n, cap);
	uint8_t *fx = out, *p = fx + TFRAME_FIXED;
	p = tf_putstr(p, h->sid);
	p = tf_putstr(p, h->provider);
	p = tf_putstr(p, h->ns_uuid);
	p = tf_putstr(p, h->ns_name);
	p = tf_putstr(p, h->bucket);
	p = tf_putstr(p, h->objname);
	p = tf_put64(p, (uint64_t)h->size);
	p = tf_put64(p, (uint64_t)h->offset);
	p = tf_put64(p, (uint64_t)h->atime_ns);
	p = tf_putstr(p, h->cksum_type);
	p = tf_putstr(p, h->cksum_value);
	p = tf_putstr(p, h->version);
	p = tf_put32(p, (uint32_t)h->status);
	p = tf_putstr(p, h->msg);
	p = tf_put16(p, (uint16_t)h->ncustom);
	for (int i = 0; i < h->ncustom; i++) {
		p = tf_putstr(p, h->custom[i].key);
		p = tf_putstr(p, h->custom[i].value);
	}
	p = tf_put32(p, h->opaque_len);
	if (h->opaque_len)
		memcpy(p, h->opaque, h->opaque_len);
	p += h->opaque_len;
	size_t objlen = (size_t)(p - (fx + TFRAME_FIXED));
	if (objlen + TFRAME_FIXED != n)
		return tf_fail(err, errcap, AIS_EINTERNAL, "transport frame: length mismatch");
	uint8_t *q = tf_put32(fx, TFRAME_MAGIC);
	*q++ = TFRAME_PROTO;
	*q++ = h->opcode;
	q = tf_put16(q, h->flags);
	q = tf_put32(q, (uint32_t)objlen);
	q = tf_put32(q, 0); /* hcksum, below */
	q = tf_put64(q, h->payload_len);
	q = tf_put64(q, h->id);
	tf_put64(q, h->corr);
	tf_put32(fx + 12, tf_hcksum(fx, fx + TFRAME_FIXED, objlen));
	*len = n;
	return 0;
}

/* ---------------------------------------------------------------- decoding */

enum { TFD_FIXED, TFD_HDR, TFD_PAYLOAD, TFD_END, TFD_ERR };

struct tframe_dec {
	int state;
	size_t hdr_max;
	uint8_t fixed[TFRAME_FIXED];
	size_t have;            /* bytes of the current fixed header or object header */
	uint32_t hdr_len, hcksum;
	uint8_t *hbuf;          /* object header (raw) */
	size_t hcap;
	char *strs;             /* NUL-terminated copies of the header's strings */
	size_t scap, slen;
	uint64_t left;          /* payload bytes still to deliver */
	tframe_hdr_t hdr;
	tframe_kv_t kv[TFRAME_CUSTOM_MAX];
	int err;
	char errmsg[160];
};

tframe_dec_t *tframe_dec_new(size_t hdr_max)
{
	tframe_dec_t *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->hdr_max = !hdr_max || hdr_max > TFRAME_HDR_MAX ? TFRAME_HDR_MAX : hdr_max;
	d->state = TFD_FIXED;
	return d;
}

void tframe_dec_free(tframe_dec_t *d)
{
	if (!d)
		return;
	free(d->hbuf);
	free(d->strs);
	free(d);
}

const tframe_hdr_t *tframe_dec_hdr(const tframe_dec_t *d) { return &d->hdr; }
bool tframe_dec_idle(const tframe_dec_t *d) { return d->state == TFD_FIXED && d->have == 0; }
uint64_t tframe_dec_left(const tframe_dec_t *d) { return d->state == TFD_PAYLOAD ? d->left : 0; }
const char *tframe_dec_err(const tframe_dec_t *d) { return d->errmsg; }

static int tfd_fail(tframe_dec_t *d, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int tfd_fail(tframe_dec_t *d, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->errmsg, sizeof(d->errmsg), fmt, ap);
	va_end(ap);
	d->state = TFD_ERR;
	d->err = code;
	return code;
}

static uint64_t tf_get(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* the fixed header is complete: what can be checked before the object header */
static int tfd_fixed(tframe_dec_t *d)
{
	const uint8_t *f = d->fixed;
	if (tf_get(f, 4) != TFRAME_MAGIC)
		return tfd_fail(d, AIS_EINVAL, "transport frame: bad magic 0x%08llx", (unsigned long long)tf_get(f, 4));
	if (f[4] != TFRAME_PROTO)
		return tfd_fail(d, AIS_EINVAL, "transport frame: unsupported version %u", f[4]);
	d->hdr_len = (uint32_t)tf_get(f + 8, 4);
	d->hcksum = (uint32_t)tf_get(f + 12, 4);
	if (d->hdr_len > d->hdr_max)
		return tfd_fail(d, AIS_ETOOBIG, "transport frame: header %u bytes exceeds the limit %zu", d->hdr_len,
				d->hdr_max);
	if (d->hdr_len < TF_MIN_OBJHDR)
		return tfd_fail(d, AIS_EINVAL, "transport frame: header %u bytes is too short", d->hdr_len);
	if (d->hcap < d->hdr_len) {
		uint8_t *nb = realloc(d->hbuf, d->hdr_len);
		if (!nb)
			return tfd_fail(d, AIS_ENOMEM, "transport frame: out of memory");
		d->hbuf = nb;
		d->hcap = d->hdr_len;
	}
	size_t need = (size_t)d->hdr_len + TF_NSTR_FIXED + 2 * TFRAME_CUSTOM_MAX;
	if (d->scap < need) {
		char *ns = realloc(d->strs, need);
		if (!ns)
			return tfd_fail(d, AIS_ENOMEM, "transport frame: out of memory");
		d->strs = ns;
		d->scap = need;
	}
	return 0;
}

typedef struct tf_rd {
	tframe_dec_t *d;
	const uint8_t *p;
	size_t n, off;
	bool bad;
} tf_rd_t;

static uint64_t tfr_int(tf_rd_t *r, int w)
{
	if (r->bad || r->n - r->off < (size_t)w) {
		r->bad = true;
		return 0;
	}
	uint64_t v = tf_get(r->p + r->off, w);
	r->off += (size_t)w;
	return v;
}

/* a string, copied NUL-terminated into strs; NULL when truncated or holding a NUL */
static const char *tfr_str(tf_rd_t *r)
{
	size_t n = (size_t)tfr_int(r, 2);
	if (r->bad || r->n - r->off < n || memchr(r->p + r->off, 0, n)) {
		r->bad = true;
		return NULL;
	}
	tframe_dec_t *d = r->d;
	char *s = d->strs + d->slen; /* fits: scap counts every header byte plus a NUL per string */
	memcpy(s, r->p + r->off, n);
	s[n] = '\0';
	d->slen += n + 1;
	r->off += n;
	return s;
}

/* the object header is complete: parse it into d->hdr and validate the whole frame */
static int tfd_objhdr(tframe_dec_t *d)
{
	const uint8_t *f = d->fixed;
	XXH32_state_t st;
	XXH32_reset(&st, 0);
	XXH32_update(&st, f, 12);
	XXH32_update(&st, f + 16, TFRAME_FIXED - 16);
	XXH32_update(&st, d->hbuf, d->hdr_len);
	if (XXH32_digest(&st) != d->hcksum)
		return tfd_fail(d, AIS_EINVAL, "transport frame: header checksum mismatch");
	tframe_hdr_t *h = &d->hdr;
	memset(h, 0, sizeof(*h));
	h->opcode = f[5];
	h->flags = (uint16_t)tf_get(f + 6, 2);
	h->payload_len = tf_get(f + 16, 8);
	h->id = tf_get(f + 24, 8);
	h->corr = tf_get(f + 32, 8);
	d->slen = 0;
	tf_rd_t r = {.d = d, .p = d->hbuf, .n = d->hdr_len};
	h->sid = tfr_str(&r);
	h->provider = tfr_str(&r);
	h->ns_uuid = tfr_str(&r);
	h->ns_name = tfr_str(&r);
	h->bucket = tfr_str(&r);
	h->objname = tfr_str(&r);
	h->size = (int64_t)tfr_int(&r, 8);
	h->offset = (int64_t)tfr_int(&r, 8);
	h->atime_ns = (int64_t)tfr_int(&r, 8);
	h->cksum_type = tfr_str(&r);
	h->cksum_value = tfr_str(&r);
	h->version = tfr_str(&r);
	h->status = (int32_t)(uint32_t)tfr_int(&r, 4);
	h->msg = tfr_str(&r);
	uint64_t nc = tfr_int(&r, 2);
	if (nc > TFRAME_CUSTOM_MAX)
		return tfd_fail(d, AIS_EINVAL, "transport frame: %llu custom metadata pairs (max %d)",
				(unsigned long long)nc, TFRAME_CUSTOM_MAX);
	for (uint64_t i = 0; i < nc && !r.bad; i++) {
		d->kv[i].key = tfr_str(&r);
		d->kv[i].value = tfr_str(&r);
	}
	h->ncustom = (int)nc;
	h->custom = d->kv;
	uint64_t olen = tfr_int(&r, 4);
	if (r.bad || olen != r.n - r.off)
		return tfd_fail(d, AIS_EINVAL, "transport frame: malformed object header");
	h->opaque_len = (uint32_t)olen;
	h->opaque = olen ? d->hbuf + r.off : NULL;
	char why[160];
	int rc = tframe_check(h, d->hdr_max, why, sizeof(why));
	if (rc)
		return tfd_fail(d, rc, "%s", why);
	return 0;
}

static size_t tf_min(size_t a, uint64_t b) { return b < a ? (size_t)b : a; }

int tframe_dec_next(tframe_dec_t *d, const void *in, size_t len, size_t *used, tframe_ev_t *ev)
{
	const uint8_t *p = in; /* may be NULL when len is 0 */
	size_t off = 0;
	*ev = (tframe_ev_t){TFRAME_EV_NONE, NULL, 0};
	*used = 0;
	for (;;) {
		switch (d->state) {
		case TFD_ERR:
			return d->err;
		case TFD_END:
			d->state = TFD_FIXED;
			d->have = 0;
			ev->type = TFRAME_EV_END;
			*used = off;
			return 0;
		case TFD_PAYLOAD: {
			size_t k = tf_min(len - off, d->left);
			if (!k) {
				*used = off;
				return 0;
			}
			ev->type = TFRAME_EV_DATA;
			ev->data = p + off;
			ev->len = k;
			d->left -= k;
			if (!d->left)
				d->state = TFD_END;
			*used = off + k;
			return 0;
		}
		case TFD_FIXED: {
			size_t k = tf_min(len - off, TFRAME_FIXED - d->have);
			if (k)
				memcpy(d->fixed + d->have, p + off, k);
			d->have += k;
			off += k;
			if (d->have < TFRAME_FIXED) {
				*used = off;
				return 0;
			}
			int rc = tfd_fixed(d);
			if (rc)
				return rc;
			d->state = TFD_HDR;
			d->have = 0;
			break;
		}
		case TFD_HDR: {
			size_t k = tf_min(len - off, d->hdr_len - d->have);
			if (k)
				memcpy(d->hbuf + d->have, p + off, k);
			d->have += k;
			off += k;
			if (d->have < d->hdr_len) {
				*used = off;
				return 0;
			}
			int rc = tfd_objhdr(d);
			if (rc)
				return rc;
			d->left = d->hdr.payload_len;
			d->state = d->left ? TFD_PAYLOAD : TFD_END;
			ev->type = TFRAME_EV_BEGIN;
			*used = off;
			return 0;
		}
		}
	}
}
