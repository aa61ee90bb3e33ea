/* tframe: the wire format of target-to-target object streams; pure functions, no I/O, no state.
 * A stream is the chunked body of one HTTP PUT /v1/transport/<trname>; the body is a sequence of
 * frames, each = fixed header (TFRAME_FIXED bytes) + object header (hdr_len bytes) + payload
 * (payload_len bytes). All integers big-endian. See docs/transport.md for the field tables.
 *
 *   fixed:  magic "AIST" | version u8 | opcode u8 | flags u16 | hdr_len u32 | hcksum u32 |
 *           payload_len u64 | id u64 | corr u64
 *   object: str sid, provider, ns_uuid, ns_name, bucket, objname | i64 size, offset, atime_ns |
 *           str cksum_type, cksum_value, version | i32 status | str msg |
 *           u16 ncustom, ncustom x (str key, str value) | u32 opaque_len, opaque bytes
 *   str = u16 length + bytes (no NUL inside); hcksum = XXH32 (seed 0) of the fixed header with
 *   the hcksum field left out, followed by the object header bytes.
 *
 * Invariants (tframe_check, applied by the encoder before writing and by the decoder to every
 * frame it reads): every length within the TFRAME_*_MAX bounds; reserved values zero; one
 * encoding per header (the format is canonical: decode + encode gives back the same bytes);
 * an OBJ frame without TFRAME_F_RANGE carries exactly `size` payload bytes when size is known,
 * with TFRAME_F_RANGE offset + payload_len <= size; REQ and REPLY frames carry no payload.
 * The decoder is a state machine fed arbitrary slices (split anywhere); malformed input makes it
 * return an error (sticky), never read or write out of bounds. */
#ifndef AIS_TFRAME_H
#define AIS_TFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFRAME_MAGIC 0x41495354u /* "AIST" */
#define TFRAME_PROTO 1           /* wire version */
#define TFRAME_FIXED 40          /* fixed header bytes */

/* opcodes */
enum {
	TFRAME_OP_OBJ = 1,   /* an object (or a byte range of one): header + payload */
	TFRAME_OP_REQ = 2,   /* a request ("send me X on this trname"): header only, id = request id */
	TFRAME_OP_REPLY = 3, /* the answer to frame `corr`: status + msg, header only */
};
/* flags */
enum {
	TFRAME_F_REPLY = 1,    /* OBJ: the sender waits for a REPLY to `id` */
	TFRAME_F_RESPONSE = 2, /* OBJ: this object answers the REQ whose id is `corr` */
	TFRAME_F_RANGE = 4,    /* OBJ: payload = bytes [offset, offset+payload_len) of the object;
				* REQ: asks for [offset, offset+size) (size -1: to the end) */
	TFRAME_F_ALL = 7,
};

/* bounds (bytes, without NUL) */
#define TFRAME_HDR_MAX (64 * 1024) /* object header, hard limit (a stream may set a lower one) */
#define TFRAME_SID_MAX 63
#define TFRAME_PROVIDER_MAX 16
#define TFRAME_NS_MAX 64
#define TFRAME_BUCKET_MAX 255
#define TFRAME_OBJNAME_MAX 4096
#define TFRAME_CKTYPE_MAX 16
#define TFRAME_CKVAL_MAX 128
#define TFRAME_OBJVER_MAX 128
#define TFRAME_MSG_MAX 1024
#define TFRAME_CUSTOM_MAX 64       /* key/value pairs */
#define TFRAME_CKEY_MAX 256
#define TFRAME_CVAL_MAX 4096
#define TFRAME_PAYLOAD_MAX (1ULL << 48)

typedef struct tframe_kv {
	const char *key;
	const char *value;
} tframe_kv_t;

/* A frame header. Strings are NUL-terminated; NULL means "" when encoding. After decoding, every
 * pointer refers to the decoder's buffers and stays valid until the decoder reads the next
 * frame's header (or is freed). */
typedef struct tframe_hdr {
	uint8_t opcode;        /* TFRAME_OP_* */
	uint16_t flags;        /* TFRAME_F_* */
	uint64_t payload_len;  /* bytes following the header */
	uint64_t id;           /* the sender's id for this frame (unique per sending node); 0: none */
	uint64_t corr;         /* REPLY: the id answered; OBJ with F_RESPONSE: the request's id */
	const char *sid;       /* sender node id */
	const char *provider, *ns_uuid, *ns_name, *bucket, *objname;
	int64_t size;          /* the object's size; -1 unknown */
	int64_t offset;        /* F_RANGE: where the payload starts in the object */
	int64_t atime_ns;      /* 0: unset */
	const char *cksum_type, *cksum_value, *version;
	int32_t status;        /* REPLY: 0 or AIS_E*; 0 elsewhere */
	const char *msg;       /* REPLY: message; "" elsewhere */
	const tframe_kv_t *custom; /* custom metadata, keys non-empty and distinct */
	int ncustom;
	const void *opaque;    /* the user's blob (the meaning is the handler's business) */
	uint32_t opaque_len;
} tframe_hdr_t;

/* ---- encoding ---- */
/* validate h as a frame whose object header may take at most hdr_max bytes (<= TFRAME_HDR_MAX).
 * 0, or AIS_EINVAL / AIS_ETOOBIG with a message in err (may be NULL). */
int tframe_check(const tframe_hdr_t *h, size_t hdr_max, char *err, size_t errcap);
/* bytes of fixed + object header for h (h need not be valid; saturates at SIZE_MAX) */
size_t tframe_encoded_len(const tframe_hdr_t *h);
/* check h, then write fixed + object header into out (cap bytes). *len receives the length.
 * 0, AIS_EINVAL/AIS_ETOOBIG (invalid), or AIS_ENOMEM when cap is too small. */
int tframe_encode(const tframe_hdr_t *h, size_t hdr_max, void *out, size_t cap, size_t *len, char *err,
		  size_t errcap);

/* ---- incremental decoding ---- */
typedef enum {
	TFRAME_EV_NONE = 0, /* the input was used up; feed more */
	TFRAME_EV_BEGIN,    /* a header is complete: tframe_dec_hdr() */
	TFRAME_EV_DATA,     /* payload bytes: ev.data / ev.len point into the caller's input */
	TFRAME_EV_END,      /* the frame's payload is complete (follows BEGIN at once when empty) */
} tframe_ev_type_t;

typedef struct tframe_ev {
	tframe_ev_type_t type;
	const uint8_t *data;
	size_t len;
} tframe_ev_t;

typedef struct tframe_dec tframe_dec_t;

/* hdr_max: the largest object header accepted (0: TFRAME_HDR_MAX). NULL when out of memory. */
tframe_dec_t *tframe_dec_new(size_t hdr_max);
void tframe_dec_free(tframe_dec_t *d);
/* Consume from in[0..len): sets *used (bytes consumed) and *ev. Returns 0, or a negative AIS_E*
 * for malformed input (then every later call returns the same error; tframe_dec_err() says
 * why). Call again with in + *used until it reports TFRAME_EV_NONE. */
int tframe_dec_next(tframe_dec_t *d, const void *in, size_t len, size_t *used, tframe_ev_t *ev);
/* the current frame's header (after BEGIN, until the next frame's BEGIN) */
const tframe_hdr_t *tframe_dec_hdr(const tframe_dec_t *d);
/* true between frames (nothing of a next frame read yet) */
bool tframe_dec_idle(const tframe_dec_t *d);
/* payload bytes of the current frame not yet delivered */
uint64_t tframe_dec_left(const tframe_dec_t *d);
const char *tframe_dec_err(const tframe_dec_t *d);

#endif
