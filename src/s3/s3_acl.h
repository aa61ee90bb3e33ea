/* s3_acl: S3 access control lists as data - no protocol handling, no storage. A grant list is
 * a JSON array [{"id": "<canonical user ID>"} or {"uri": "<group URI>"}, "perm": "<permission>"}]
 * (email grants are resolved to user IDs when set, as S3 does). Builds lists from canned ACLs
 * (x-amz-acl), grant headers (x-amz-grant-*) and AccessControlPolicy XML; writes the
 * AccessControlPolicy XML; evaluates what a requester is granted. The bucket (or object) owner
 * always keeps READ_ACP and WRITE_ACP implicitly (not from here: s3_access.c). */
#ifndef AIS_S3_ACL_H
#define AIS_S3_ACL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/sbuf.h"
#include "s3/s3_bmeta.h"
#include "s3/s3_int.h"

#define S3_GRP_ALL "http://acs.amazonaws.com/groups/global/AllUsers"
#define S3_GRP_AUTH "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
#define S3_GRP_LOG "http://acs.amazonaws.com/groups/s3/LogDelivery"

enum {
	S3P_READ = 1,
	S3P_WRITE = 2,
	S3P_READ_ACP = 4,
	S3P_WRITE_ACP = 8,
	S3P_FULL = 15,
};

/* grants of a canned ACL for a resource owned by owner_id in a bucket owned by bucket_owner
 * (the bucket-owner-* ACLs; may equal owner_id). 0 with *out (new reference), or AIS_EINVAL for
 * an unknown name (f: 400 InvalidArgument). */
int s3_acl_canned(const char *canned, const char *owner_id, const char *bucket_owner, json_t **out, s3_fail_t *f);
/* a canned ACL that grants to AllUsers or AuthenticatedUsers */
bool s3_acl_canned_public(const char *canned);
/* From the request's x-amz-acl / x-amz-grant-{read,write,read-acp,write-acp,full-control}:
 * 0 with *out NULL (none given) or the grants (new reference); < 0 with f set (both kinds, an
 * unknown canned name, a malformed grantee, an unknown user or email). */
int s3_acl_from_headers(const http_req_t *r, const s3_conf_t *c, const char *owner_id, const char *bucket_owner,
			json_t **out, s3_fail_t *f);
/* AccessControlPolicy XML: 0 with *out (new reference); < 0 with f set (MalformedACLError,
 * InvalidArgument for an unknown user or group, UnresolvableGrantByEmailAddress, AccessDenied
 * when the document names another owner). */
int s3_acl_from_xml(const char *xml, size_t len, const s3_conf_t *c, const char *owner_id, json_t **out,
		    s3_fail_t *f);
/* the AccessControlPolicy document (display names looked up among the configured users) */
void s3_acl_xml(sbuf_t *b, const s3_conf_t *c, const char *owner_id, const char *owner_name, const json_t *grants);
/* permissions (S3P_* bits) the grants give the requester; public: honour grants to AllUsers
 * and AuthenticatedUsers (false under IgnorePublicAcls) */
unsigned s3_acl_perms(const json_t *grants, const s3_ident_t *id, bool public);
/* any grant to AllUsers or AuthenticatedUsers */
bool s3_acl_public(const json_t *grants);

#endif
