/* fqn: object name <-> on-disk path (AIStore's "fully qualified name").
 *   <mp>/@<provider>/[#ns/]<bucket>/%ob/<object name>    object
 *   <mp>/@<provider>/[#ns/]<bucket>/%wk/<tag>.<random>   work files (in-flight PUT/APPEND)
 * Names are validated here (one place). "File name too long" names (a component > 255 bytes,
 * or the whole name > FQN_PATH_LONG bytes) are stored flat under ".x<sha256(name) hex>" with the
 * full name kept in the LOM (AIStore's docs/long_names.md, fs/fntl.go).
 * Names that are a file and a directory at once (docs/architecture.md "On-disk layout"):
 *   <name>/         (trailing '/', a directory marker)   .../%ob/<name>/%ob.dir
 *   <name> whose path is a directory (other names extend "<name>/")  .../%ob/<name>/%ob.leaf
 * The first is static (fqn_obj); the second is decided on disk by the object core (obj.c), as
 * is the move of a file into its leaf when a longer name needs its path as a directory.
 * Both reserved segments are refused in user names. Pure functions. */
#ifndef AIS_FQN_H
#define AIS_FQN_H

#include <stdbool.h>
#include <stddef.h>

#define FQN_MAX 4096           /* PATH_MAX */
#define FQN_OBJNAME_MAX 3584   /* longest accepted object name (must fit the LOM xattr) */
#define FQN_COMPONENT_MAX 255  /* NAME_MAX */
#define FQN_PATH_LONG 3072     /* AIStore's maxLenPath: longer names get shortened */
#define FQN_SHORT_LEN 66       /* ".x" + 64 hex */

#define FQN_CT_OBJ "%ob"
#define FQN_CT_WORK "%wk"

#define FQN_LEAF "%ob.leaf" /* <name>/%ob.leaf: object <name> whose own path is a directory */
#define FQN_DIRM "%ob.dir"  /* <name>/%ob.dir: object "<name>/" (a key ending in '/') */

/* 0 or AIS_EINVAL: empty, longer than FQN_OBJNAME_MAX, leading '/', empty segment ("a//b",
 * "a//"), "." or ".." segment, "~/" (AIStore), a reserved segment (FQN_LEAF, FQN_DIRM), a NUL
 * byte, not valid UTF-8. One trailing '/' is valid (S3 directory markers: "a/b/"). */
int fqn_validate(const char *name, size_t len);
/* why fqn_validate rejects name (a short static phrase, e.g. "not valid UTF-8"), NULL if valid */
const char *fqn_invalid(const char *name, size_t len);
/* the name must be stored under its short form */
bool fqn_is_fntl(const char *name, size_t len);
/* ".x" + sha256 hex of name; out >= FQN_SHORT_LEN + 1 */
void fqn_short(const char *name, size_t len, char *out);
/* "<mp>/@<provider>/[<ns-dir>/]<bucket>" where ns "" is global, "@uuid#name" otherwise.
 * Returns length or AIS_EINVAL if it does not fit. */
int fqn_bck_dir(char *out, size_t cap, const char *mp, const char *provider, const char *ns,
		const char *bucket);
/* bucket dir + "/" + ct (FQN_CT_*) */
int fqn_ct_dir(char *out, size_t cap, const char *mp, const char *provider, const char *ns,
	       const char *bucket, const char *ct);
/* object path; *fntl set when the short name was used. A name ending in '/' maps to
 * "<...>/<name>" FQN_DIRM; the FQN_LEAF form is the object core's (fqn_leaf). */
int fqn_obj(char *out, size_t cap, const char *mp, const char *provider, const char *ns,
	    const char *bucket, const char *name, bool *fntl);

/* append "/" FQN_LEAF to the object path fqn (length n): the new length, or AIS_EINVAL */
int fqn_leaf(char *fqn, size_t cap, size_t n);
/* the path ends with "/" FQN_LEAF (a leaf in its directory) */
bool fqn_is_leaf(const char *fqn, size_t n);
/* the object name of a path relative to %ob (rel, rlen bytes, not a short name): its length -
 * the name is rel's first bytes: "a/b/%ob.leaf" -> "a/b", "a/b/%ob.dir" -> "a/b/", else rlen */
size_t fqn_rel_name(const char *rel, size_t rlen);
/* segment (len bytes) is one of the reserved file names (FQN_LEAF, FQN_DIRM) */
bool fqn_reserved(const char *seg, size_t len);

#endif
