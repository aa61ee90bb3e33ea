/* s3_tags: S3 object tag sets as data - parsing and validation of the two forms clients send
 * (the x-amz-tagging header "k1=v1&k2" of PutObject / CreateMultipartUpload / POST forms, URL
 * query encoded; the <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging> body of
 * PutObjectTagging), the canonical stored form, and the XML of GetObjectTagging. No storage, no
 * protocol handling.
 * Rules (AWS object tags): at most 10 tags, unique keys of 1..128 characters, values of 0..256
 * characters (characters, not bytes: UTF-8 required), no "aws:" keys. Violations are 400
 * InvalidTag; an unparsable body is 400 MalformedXML, a bad header 400 InvalidArgument.
 * Canonical form (kept in the object's metadata): "k=v&k2=v2", keys and values URL-encoded
 * (RFC 3986 unreserved characters kept), sorted by key (byte order), "" for an empty set. */
#ifndef AIS_S3_TAGS_H
#define AIS_S3_TAGS_H

#include <stddef.h>

#include "core/sbuf.h"
#include "s3/s3_bmeta.h"

#define S3_TAGS_MAX 10
#define S3_TAG_KEY_MAX 128
#define S3_TAG_VAL_MAX 256

/* x-amz-tagging: 0 with *out (malloc'd canonical form; "" for an empty header) or < 0 with f set */
int s3_tags_from_query(const char *q, char **out, s3_fail_t *f);
/* a Tagging document: 0 with *out (malloc'd canonical form) or < 0 with f set */
int s3_tags_from_xml(const char *xml, size_t len, char **out, s3_fail_t *f);
/* the <Tagging> document of a canonical tag set (NULL or "": an empty TagSet) */
void s3_tags_xml(sbuf_t *b, const char *canon);
/* number of tags in a canonical set (NULL: 0) */
int s3_tags_count(const char *canon);

#endif
