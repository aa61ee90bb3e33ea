/* err: the node's error codes and their one mapping to HTTP status, AIStore error type
 * ("tcode") and S3 error code. Functions return 0 on success or a negative AIS_E* code. */
#ifndef AIS_ERR_H
#define AIS_ERR_H

enum {
	AIS_OK = 0,
	AIS_EINVAL = -1,        /* bad request: malformed input, invalid name, bad param */
	AIS_ENOTFOUND = -2,     /* object not found */
	AIS_ENOBUCKET = -3,     /* bucket does not exist */
	AIS_EEXIST = -4,        /* bucket (or object, where exclusive) already exists */
	AIS_ENOTEMPTY = -5,     /* bucket not empty */
	AIS_ERANGE = -6,        /* unsatisfiable range */
	AIS_ECKSUM = -7,        /* checksum mismatch (client-supplied or on-disk corruption) */
	AIS_EIO = -8,           /* local I/O error */
	AIS_ENOSPC = -9,        /* out of space */
	AIS_ETOOBIG = -10,      /* entity or header too large */
	AIS_EUNAVAIL = -11,     /* node/target unavailable, cluster not ready */
	AIS_ETIMEOUT = -12,     /* peer timed out */
	AIS_EMETHOD = -13,      /* method not allowed */
	AIS_EFORBIDDEN = -14,   /* forbidden */
	AIS_ENOMEM = -15,       /* out of memory */
	AIS_ECONFLICT = -16,    /* concurrent modification / version conflict */
	AIS_EINTERNAL = -17,    /* bug or unexpected state */
	AIS_ENOTIMPL = -18,     /* feature not supported */
	AIS_EAGAIN = -19,       /* would block: a bounded queue is full, try again later */
	AIS_EAUTH = -20,        /* not authenticated: no, invalid, expired or revoked credentials (401) */
};

/* HTTP status for an error code (500 for unknown). */
int err_http_status(int code);
/* AIStore's error type name for the JSON "tcode" field, or NULL when AIStore sends none. */
const char *err_tcode(int code);
/* S3 error code ("NoSuchKey", ...). */
const char *err_s3_code(int code);
/* short human name ("not found"). */
const char *err_str(int code);
/* map errno to an AIS_E* code. */
int err_from_errno(int e);

#endif
