/* err: the single table from AIS_E* codes to HTTP status, AIStore tcode and S3 code. */
#include "core/err.h"

#include <errno.h>
#include <stddef.h>

struct err_row {
	int code, status;
	const char *tcode, *s3, *str;
};

static const struct err_row err_rows[] = {
	{AIS_EINVAL, 400, NULL, "InvalidArgument", "invalid request"},
	{AIS_ENOTFOUND, 404, "ErrNotFound", "NoSuchKey", "not found"},
	{AIS_ENOBUCKET, 404, "ErrBckNotFound", "NoSuchBucket", "bucket does not exist"},
	{AIS_EEXIST, 409, "ErrBckAlreadyExists", "BucketAlreadyOwnedByYou", "already exists"},
	{AIS_ENOTEMPTY, 409, NULL, "BucketNotEmpty", "not empty"},
	{AIS_ERANGE, 416, "ErrRangeNotSatisfiable", "InvalidRange", "range not satisfiable"},
	{AIS_ECKSUM, 400, "ErrBadCksum", "BadDigest", "checksum mismatch"},
	{AIS_EIO, 500, NULL, "InternalError", "I/O error"},
	{AIS_ENOSPC, 507, "ErrCapacityExceeded", "InternalError", "out of space"},
	{AIS_ETOOBIG, 413, NULL, "EntityTooLarge", "too large"},
	{AIS_EUNAVAIL, 503, NULL, "ServiceUnavailable", "unavailable"},
	{AIS_ETIMEOUT, 504, NULL, "RequestTimeout", "timed out"},
	{AIS_EMETHOD, 405, NULL, "MethodNotAllowed", "method not allowed"},
	{AIS_EFORBIDDEN, 403, NULL, "AccessDenied", "forbidden"},
	{AIS_ENOMEM, 500, NULL, "InternalError", "out of memory"},
	{AIS_ECONFLICT, 409, NULL, "OperationAborted", "conflict"},
	{AIS_EINTERNAL, 500, NULL, "InternalError", "internal error"},
	{AIS_ENOTIMPL, 501, NULL, "NotImplemented", "not implemented"},
	{AIS_EAGAIN, 503, NULL, "SlowDown", "busy, try again"},
	{AIS_EAUTH, 401, NULL, "AccessDenied", "unauthorized"},
};

static const struct err_row *err_find(int code)
{
	for (size_t i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++)
		if (err_rows[i].code == code)
			return &err_rows[i];
	return NULL;
}

int err_http_status(int code)
{
	const struct err_row *r = err_find(code);
	return r ? r->status : 500;
}

const char *err_tcode(int code)
{
	const struct err_row *r = err_find(code);
	return r ? r->tcode : NULL;
}

const char *err_s3_code(int code)
{
	const struct err_row *r = err_find(code);
	return r ? r->s3 : "InternalError";
}

const char *err_str(int code)
{
	const struct err_row *r = err_find(code);
	return r ? r->str : "error";
}

int err_from_errno(int e)
{
	switch (e) {
	case 0: return AIS_OK;
	case ENOENT: case ENOTDIR: return AIS_ENOTFOUND;
	case EEXIST: return AIS_EEXIST;
	case ENOTEMPTY: return AIS_ENOTEMPTY;
	case ENOSPC: case EDQUOT: return AIS_ENOSPC;
	case ENAMETOOLONG: case EINVAL: return AIS_EINVAL;
	case ENOMEM: return AIS_ENOMEM;
	case EACCES: case EPERM: return AIS_EFORBIDDEN;
	case ETIMEDOUT: return AIS_ETIMEOUT;
	default: return AIS_EIO;
	}
}
