/* bk: remote backends (AIStore's core.Backend): the buckets whose data lives elsewhere - an S3
 * bucket (provider "aws", bk_s3.c: libcurl + our SigV4) or a bucket of another AIStore cluster
 * (provider "ais" with a remote namespace "@<alias|uuid>", bk_ais.c: its native API) - and the
 * one interface every caller (the object adapters in target/, the jobs in xact/, the proxy's
 * bucket lookups) uses to reach them. Dispatch is by bucket: bk_of(). All calls block on the
 * network: pool threads and job threads only, never an event-loop thread.
 * Errors: every call returns 0 or a negative AIS_E* and fills a bk_err_t with what the remote
 * said, as AIStore reports it: the HTTP status to answer with (the remote's 403/404/429/503,
 * 500 when it could not be reached) and an AIStore-style message ("aws-error[NoSuchKey: ...]",
 * "aws bucket \"s3://b\" does not exist", "remote-cluster[uuid/@alias]: ...").
 * Ownership: results are filled into caller-owned structs; nothing returned needs freeing
 * except lso_res_t pages (lso_res_fini). */
#ifndef AIS_BK_H
#define AIS_BK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "api/lso.h"
#include "cluster/bmd.h"
#include "obj/lom.h"

#define BK_MSG_MAX 512
#define BK_ETAG_MAX 96

typedef struct bk_err {
	int status;            /* HTTP status to answer with (0 = none) */
	char code[64];         /* the remote's error code ("NoSuchKey", "SignatureDoesNotMatch") or "" */
	char msg[BK_MSG_MAX];  /* AIStore-style message */
} bk_err_t;

/* what a remote says about an object (HEAD, or the headers of a GET/PUT) */
typedef struct bk_oattrs {
	int64_t size;                  /* -1 unknown */
	char version[LOM_VERSION_MAX]; /* S3 VersionId (not "null"), remote AIS version */
	char etag[BK_ETAG_MAX];        /* unquoted */
	char md5[33];                  /* hex MD5 when the ETag is one (single-part upload) */
	char last_modified[64];        /* HTTP date as sent */
	int64_t mtime_ns;              /* the same as unix ns (0 unknown) */
	cksum_type_t cktype;           /* AIStore checksum the remote carries (remote AIS; S3 meta) */
	char ckval[CKSUM_MAX_HEX];
	char ctype[128];               /* Content-Type */
} bk_oattrs_t;

/* what HEAD(bucket) learns: the props AIStore fills into a remote bucket's BMD entry */
typedef struct bk_bprops {
	char region[64];       /* extra.aws.cloud_region */
	bool versioning;       /* versioning.enabled (S3 GetBucketVersioning == Enabled) */
	char remais_uuid[64];  /* remote AIS: the cluster's UUID */
	char remais_url[256];
} bk_bprops_t;

/* a GET's body goes to sink (non-zero return stops the transfer with that code); hdr (optional)
 * is called once with the response's attributes before the first byte */
typedef int (*bk_sink_fn)(void *arg, const char *buf, size_t n);
typedef int (*bk_hdr_fn)(void *arg, const bk_oattrs_t *oa);
/* a PUT's body: n > 0 bytes written to buf, 0 at the end, < 0 error */
typedef ssize_t (*bk_src_fn)(void *arg, char *buf, size_t cap);

/* one multipart part (S3 CompleteMultipartUpload) */
typedef struct bk_part {
	int num;
	char etag[BK_ETAG_MAX];
} bk_part_t;

/* a provider's implementation; all blocking */
typedef struct bk_ops {
	const char *name; /* "aws", "ais" (remote AIS) */
	int (*head_bucket)(const bck_t *b, bk_bprops_t *out, bk_err_t *e);
	/* one page: m's prefix, continuation token, page size, LsNoRecursion; entries carry name,
	 * size, checksum (MD5 of a plain ETag), version and custom (ETag, LastModified) as AIStore's */
	int (*list_page)(const bck_t *b, const lso_msg_t *m, lso_res_t *out, bk_err_t *e);
	int (*head_obj)(const bck_t *b, const char *name, bk_oattrs_t *oa, bk_err_t *e);
	/* the object's bytes [off, off+len) (len <= 0: all of it) into sink */
	int (*get_obj)(const bck_t *b, const char *name, int64_t off, int64_t len, bk_hdr_fn hdr, bk_sink_fn sink,
		       void *arg, bk_oattrs_t *oa, bk_err_t *e);
	/* upload size bytes read from fd at offset 0 (pread: retries may re-read); md: the LOM being
	 * committed (its checksum travels as AIStore's custom metadata); oa: what the remote answered */
	int (*put_obj)(const bck_t *b, const char *name, int fd, int64_t size, const lom_md_t *md, bk_oattrs_t *oa,
		       bk_err_t *e);
	int (*delete_obj)(const bck_t *b, const char *name, bk_err_t *e);
	/* multipart upload to the remote (NULL: not supported by the provider) */
	int (*mpt_start)(const bck_t *b, const char *name, char *upload_id, size_t cap, bk_err_t *e);
	int (*mpt_part)(const bck_t *b, const char *name, const char *upload_id, int num, int fd, int64_t off,
			int64_t size, char *etag, size_t cap, bk_err_t *e);
	int (*mpt_complete)(const bck_t *b, const char *name, const char *upload_id, const bk_part_t *parts, int n,
			    bk_oattrs_t *oa, bk_err_t *e);
	int (*mpt_abort)(const bck_t *b, const char *name, const char *upload_id, bk_err_t *e);
} bk_ops_t;

/* "s3" -> "aws" (apc.NormalizeProvider); NULL for a provider AIStore does not know */
const char *bk_norm_provider(const char *p);
/* the URL scheme of a provider ("aws" -> "s3") */
const char *bk_scheme(const char *provider);
/* provider is a cloud provider (aws, gcp, azure, oci, ht) */
bool bk_is_cloud(const char *provider);
/* ns names a remote AIS cluster: "@<alias|uuid>[#name]" with a non-empty uuid part */
bool bk_ns_is_remais(const char *ns);
/* is (provider, ns) a remote bucket: a cloud provider, or ais with a remote-AIS namespace */
bool bk_is_remote(const char *provider, const char *ns);
/* the backend of bucket b; NULL for an in-cluster (ais://) bucket */
const bk_ops_t *bk_of(const bck_t *b);
/* is the backend of (provider, ns) configured in the cluster config ("backend": {"aws": {}},
 * backend.ais with the alias)? 0, or AIS_ENOTFOUND with e filled: AIStore's "... backend is
 * missing in the cluster configuration" / remote cluster "alias" not found (404). */
int bk_check_configured(const char *provider, const char *ns, bk_err_t *e);

/* errors: fill e (printf-style message) and return the AIS_E* code matching status */
int bk_fail(bk_err_t *e, int status, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* the AIS_E* code of an HTTP status (404 -> AIS_ENOTFOUND, 403 -> AIS_EFORBIDDEN, ...) */
int bk_status_rc(int status);
/* "s3://b" or "s3://b/o" (cmn.Bck.Cname) */
void bk_cname(const bck_t *b, const char *oname, char *out, size_t cap);

/* process-wide init (curl) and shutdown */
void bk_init(void);
void bk_fini(void);

#endif
