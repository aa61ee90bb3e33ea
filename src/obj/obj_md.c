/* obj_md: in-place LOM edits of existing objects (see obj_md.h). The edit runs between the load
 * and the store with the object's lock held, so a concurrent PUT, DELETE or another edit of the
 * same object cannot come in between (a commit renames under the same lock). */
#include "obj/obj_md.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/err.h"

int obj_md_update(const obj_t *o, obj_md_edit_fn fn, void *arg, obj_why_t *why)
{
	*why = OBJ_WHY_NONE;
	lom_md_t md;
	lom_md_init(&md);
	lom_lock(o->digest);
	int fd = obj_open_file(o, O_RDONLY, NULL);
	int rc;
	if (fd < 0) {
		rc = errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG || errno == EISDIR ? AIS_ENOTFOUND
													: AIS_EIO;
		goto out;
	}
	if ((rc = obj_load(o, fd, &md)))
		goto out;
	rc = fn(arg, &md);
	if (rc == OBJ_MD_NOCHANGE)
		rc = 0;
	else if (!rc)
		rc = lom_store(fd, NULL, &md);
	else
		goto done; /* the edit's refusal: no reason code of ours */
out:
	if (rc == AIS_ENOTFOUND)
		*why = OBJ_WHY_NOT_FOUND;
	else if (rc == AIS_ECKSUM || rc == AIS_EINVAL)
		*why = OBJ_WHY_BAD_META;
	else if (rc && rc != AIS_ETOOBIG && rc != AIS_ENOMEM)
		*why = OBJ_WHY_IO;
done:
	if (fd >= 0)
		close(fd);
	lom_unlock(o->digest);
	lom_md_fini(&md);
	return rc;
}
