/* s3xml: S3 XML documents. Writing: a small builder with correct escaping (sbuf-backed).
 * Reading: expat-based parsers for the request bodies S3 clients send (DeleteObjects,
 * CompleteMultipartUpload, CreateBucketConfiguration), with size and count limits, and a small
 * generic tree (s3xml_dom_*) for the bucket configuration documents. */
#ifndef AIS_S3XML_H
#define AIS_S3XML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/sbuf.h"

/* builder */
void s3xml_begin(sbuf_t *b);                           /* <?xml version="1.0" encoding="UTF-8"?> */
void s3xml_open(sbuf_t *b, const char *tag);           /* <tag> */
void s3xml_open_ns(sbuf_t *b, const char *tag);        /* <tag xmlns="http://s3.amazonaws.com/doc/2006-03-01/"> */
void s3xml_close(sbuf_t *b, const char *tag);          /* </tag> */
void s3xml_elem(sbuf_t *b, const char *tag, const char *text);  /* <tag>escaped</tag> */
void s3xml_elemf(sbuf_t *b, const char *tag, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void s3xml_escape(sbuf_t *b, const char *text);
/* <tag>text</tag>, text URL-encoded first when enc (encoding-type=url; "" if that runs out of memory) */
void s3xml_elem_enc(sbuf_t *b, const char *tag, const char *text, bool enc);
/* <tag><ID>1</ID><DisplayName>ais</DisplayName></tag> (Owner, Initiator) */
void s3xml_owner(sbuf_t *b, const char *tag);

/* S3 error document: <Error><Code/><Message/><Resource/><RequestId/></Error> */
void s3xml_error(sbuf_t *b, const char *code, const char *message, const char *resource, const char *request_id);

/* DeleteObjects request: <Delete><Quiet>true</Quiet><Object><Key>k</Key><VersionId/></Object>...</Delete> */
typedef struct s3xml_delete {
	bool quiet;
	char **keys;
	char **versions; /* per key: its <VersionId> or NULL */
	int nkeys;
} s3xml_delete_t;
int s3xml_parse_delete(const char *xml, size_t len, s3xml_delete_t *out, char *err, size_t errcap);
void s3xml_delete_fini(s3xml_delete_t *d);

/* CompleteMultipartUpload request: <CompleteMultipartUpload><Part><PartNumber>1</PartNumber>
 * <ETag>"..."</ETag><ChecksumCRC32>..</ChecksumCRC32>...</Part>...</CompleteMultipartUpload> */
typedef struct s3xml_part {
	int number;
	char etag[80];
	char checksum[80];      /* value of whichever Checksum* element was present */
	char checksum_algo[16]; /* "CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME" or "" */
} s3xml_part_t;
typedef struct s3xml_complete {
	s3xml_part_t *parts;
	int nparts;
} s3xml_complete_t;
int s3xml_parse_complete(const char *xml, size_t len, s3xml_complete_t *out, char *err, size_t errcap);
void s3xml_complete_fini(s3xml_complete_t *c);

/* CreateBucketConfiguration: returns the LocationConstraint ("" if none) */
int s3xml_parse_location(const char *xml, size_t len, char *region, size_t cap, char *err, size_t errcap);

/* Generic document tree for the small configuration bodies (ACL, CORS, tagging, versioning,
 * object lock, public-access-block, ownership controls). Elements by local name (any or no
 * namespace); text is the element's character data (all of it, untrimmed; "" if none); `type`
 * is the value of an attribute whose local name is "type" (xsi:type of an ACL Grantee) or NULL.
 * Limits: the parser's document/text/depth limits, at most S3XML_DOM_MAX_NODES elements.
 * The tree is owned by the caller (s3xml_dom_free). */
#define S3XML_DOM_MAX_NODES 20000
typedef struct s3xml_node {
	char *name;
	char *text;
	char *type;
	struct s3xml_node *child; /* first child */
	struct s3xml_node *next;  /* next sibling */
} s3xml_node_t;
/* root: the required root element's local name. 0, or AIS_EINVAL (malformed, wrong root, over a
 * limit; message in err) or AIS_ENOMEM. */
int s3xml_dom_parse(const char *xml, size_t len, const char *root, s3xml_node_t **out, char *err, size_t errcap);
void s3xml_dom_free(s3xml_node_t *n);
/* the first child of n named `name` (NULL: none), and the next sibling of c with c's name */
const s3xml_node_t *s3xml_child(const s3xml_node_t *n, const char *name);
const s3xml_node_t *s3xml_next(const s3xml_node_t *c);
/* number of children named `name` */
int s3xml_nchild(const s3xml_node_t *n, const char *name);
/* text of the child `name` with surrounding blanks trimmed into out (cap bytes); NULL if there is
 * no such child or the text does not fit, else out */
const char *s3xml_child_text(const s3xml_node_t *n, const char *name, char *out, size_t cap);

#endif
