/* s3_ver: S3 object versioning at the target, on AIStore's native versioning plus the retained
 * versions of obj/obj_ver.h. The current version of a key is the ordinary object in %ob (native
 * GET/list see exactly it); the older versions and delete markers live in %ov. Every version's
 * LOM version is its sequence number (AIStore's native version: "1", "2", ...; unique per key,
 * increasing). What makes it an S3 version is in its LOM custom metadata:
 *   s3-vid  its S3 version ID (= the sequence number) when written while versioning was Enabled;
 *           absent: the version ID is "null" (written while Suspended, or before versioning)
 *   s3-dm   "1": a delete marker (an empty file in %ov, never in %ob)
 * Invariants: the current version is in %ob when it is an object, or is the newest %ov entry
 * when it is a delete marker; at most one "null" version per key. All changes of one key run
 * under the S3 object lock stripe (s3_olock), which the callers hold. Blocking disk I/O. */
#ifndef AIS_S3_VER_H
#define AIS_S3_VER_H

#include <stdbool.h>
#include <stdint.h>

#include "net/http.h"
#include "obj/obj.h"
#include "s3/s3_bmeta.h"
#include "s3/s3_int.h"

#define S3MD_VID "s3-vid"
#define S3MD_DM "s3-dm"
#define S3V_ID_MAX 24

typedef enum { S3V_OFF = 0, S3V_ENABLED, S3V_SUSPENDED } s3v_state_t;

/* the bucket's S3 versioning: OFF until configured through S3 (PutBucketVersioning or object
 * lock), then Enabled / Suspended by the native prop versioning.enabled */
s3v_state_t s3_ver_state(const bck_t *b);

/* "null" or a positive decimal */
bool s3_ver_id_valid(const char *vid);
/* md's S3 version ID ("null" without s3-vid) */
void s3_ver_id(const lom_md_t *md, char *out, size_t cap);
bool s3_ver_is_marker(const lom_md_t *md);

/* one version of a key */
typedef struct s3_ver {
	bool current;            /* the object in %ob */
	bool marker;
	int64_t seq;
	char vid[S3V_ID_MAX];
	lom_md_t md;
} s3_ver_t;

/* every version of o, newest first (the %ob object first): *v malloc'd; s3_ver_free. 0 or AIS_E* */
int s3_ver_all(const obj_t *o, s3_ver_t **v, int *n);
void s3_ver_free(s3_ver_t *v, int n);
/* the index of version vid in v, -1 when absent */
int s3_ver_find(const s3_ver_t *v, int n, const char *vid);
/* a GET/HEAD/subresource request's ?versionId=vid of o (vst: its bucket's state): 0 with
 * *use_vo false (the current object; "null" of an unversioned bucket) or true (vo opened on the
 * retained version), or answered and < 0: 400 malformed id, 404 NoSuchVersion, 405 with
 * x-amz-delete-marker for a delete marker */
int s3_ver_resolve(http_req_t *r, obj_t *o, s3v_state_t vst, const char *vid, obj_t *vo, bool *use_vo);

/* a write of a new current version (PUT, copy, multipart completion) into a versioned bucket,
 * under s3_olock, before the commit: numbers the new version (md->version, s3-vid; the writer
 * must keep it: keep_version), retains the current object as a version unless it is the null
 * version being replaced (Suspended). 0 or AIS_E* (nothing changed). */
typedef struct s3_vput {
	int64_t kept;            /* the retained copy of the previous current (0: none) */
	int64_t drop_null;       /* Suspended: the %ov null version to remove once committed (0: none) */
} s3_vput_t;
int s3_ver_put_begin(const obj_t *o, s3v_state_t st, lom_md_t *md, s3_vput_t *u);
/* after the commit (ok: it succeeded): finish or undo s3_ver_put_begin */
void s3_ver_put_end(const obj_t *o, const s3_vput_t *u, bool ok);

/* DELETE of a versioned bucket's key, under s3_olock: vid NULL: a new delete marker (the current
 * object retained; Suspended: the null version replaced); else that version removed (the next
 * one becomes current). lock: the bucket has object lock (a protected version is refused unless
 * bypass allows it). owner: the requester (the marker's owner). 0 with vid_out / *marker set
 * (the response's x-amz-version-id / x-amz-delete-marker; vid_out "" for an absent version), or
 * < 0 with f set. */
int s3_ver_delete(const obj_t *o, s3v_state_t st, const char *vid, bool lock, bool bypass, const char *owner,
		  char *vid_out, bool *marker, s3_fail_t *f);

/* a copy source's version vid (NULL: the current object) of src, local or owned by another
 * target (remote): 0 with *view = a malloc'd view of the retained version (free it; NULL: the
 * current object) or, remote, *seq = the version's sequence number to pull (0: the current);
 * AIS_EINVAL (malformed id), AIS_ENOTFOUND (no such version), AIS_EMETHOD (a delete marker),
 * AIS_ENOTIMPL (the null version of a remote source) */
int s3_ver_src(const obj_t *src, const char *vid, bool remote, obj_t **view, int64_t *seq);
/* the source (bucket b, LOM md) is version vid (NULL: any) and not a delete marker? In an
 * unversioned bucket "null" and the object's native version name it. 0, AIS_ENOTFOUND,
 * AIS_EMETHOD */
int s3_ver_src_check(const bck_t *b, const char *vid, const lom_md_t *md);
/* "?versionId=<id>" of an x-amz-copy-source header into vid (cap >= S3V_ID_MAX + 1): true when present */
bool s3_ver_copy_src_vid(const char *hdr, char *vid, size_t cap);

/* the newest version is a delete marker: true with its version ID (GET/HEAD without versionId) */
bool s3_ver_latest_marker(const obj_t *o, char *vid, size_t cap);

/* target: this target's versions of bucket q->bucket under ?prefix as JSON for the proxy's
 * ListObjectVersions ([{"key","vid","seq","cur","dm","size","etag","mtime","owner"}]); pool */
void s3_ver_list_local(http_req_t *r, s3_req_t *q);
/* proxy: ListObjectVersions of a bucket versioned through S3 (every target's versions merged) */
void s3_ver_list(http_req_t *r, const char *bucket);
/* proxy: how many versions and delete markers the bucket holds (DeleteBucket: BucketNotEmpty
 * while any is left); 0, or responds and returns < 0 */
int s3_ver_count(http_req_t *r, const char *bucket, int *count);

#endif
