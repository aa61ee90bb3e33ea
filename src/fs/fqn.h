/* fqn: object name <-> on-disk path (AIStore's "fully qualified name").
 *   <mp>/@<provider>/[#ns/]<bucket>/%ob/<object name>    object
 *   <mp>/@<provider>/[#ns/]<bucket>/%wk/<tag>.<random>   work files (in-flight PUT/APPEND)
 * Names are validated here (one place). "File name too long" names (a component > 255 bytes,
 * or the whole name > FQN_PATH_LONG bytes) are stored flat under ".x<sha256(name) hex>" with the
 * full name kept in the LOM (AIStore's docs/long_names.md, fs/fntl.go). Pure functions. */
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

/* 0 or AIS_EINVAL: empty, longer than FQN_OBJNAME_MAX, leading or trailing '/', empty
 * segment ("a//b"), "." or ".." segment, "~/" (AIStore), a NUL byte, not valid UTF-8. */
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
/* object path; *fntl set when the short name was used. */
int fqn_obj(char *out, size_t cap, const char *mp, const char *provider, const char *ns,
	    const char *bucket, const char *name, bool *fntl);

#endif
