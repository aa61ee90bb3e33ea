/* bk_xml: a small pull-free XML walker over expat for the S3 answers the backend reads
 * (ListBucketResult, Error, InitiateMultipartUploadResult, CompleteMultipartUploadResult,
 * VersioningConfiguration): every element's text is handed to a callback with its path from the
 * root ("ListBucketResult/Contents/Key"); namespaces are ignored. Pure. */
#ifndef AIS_BK_XML_H
#define AIS_BK_XML_H

#include <stddef.h>

/* called at each element end: path of the element, its text (NUL-terminated, trimmed of
 * nothing); depth = number of path segments. Return non-zero to stop. */
typedef int (*bk_xml_fn)(void *arg, const char *path, int depth, const char *text, size_t len);
/* walk doc; 0, AIS_EINVAL (malformed XML), AIS_ENOMEM, or what fn returned */
int bk_xml_walk(const char *doc, size_t len, bk_xml_fn fn, void *arg);
/* the text of the first element at path (exact), copied into out; 0 or AIS_ENOTFOUND */
int bk_xml_get(const char *doc, size_t len, const char *path, char *out, size_t cap);

#endif
