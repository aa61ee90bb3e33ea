/* obj_walk: the %ob walk of one bucket on one mountpath (see obj_walk.h). Depth-first with one
 * path buffer (no allocation per entry); a short-named file at the top of %ob is reported under
 * the full name its LOM keeps, a leaf (fqn.h: FQN_LEAF, FQN_DIRM) under its object name. Invariant: the callback gets only regular files, with the name
 * relative to %ob (or the LOM's full name), never a work file or another content type. */
#include "obj/obj_walk.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "fs/fqn.h"
#include "fs/fs.h"
#include "obj/lom.h"

#define WALK_MAX_DEPTH 512

typedef struct walk {
	obj_walk_fn cb;
	void *arg;
	char *path;   /* FQN_MAX */
	size_t rel;   /* where the object name starts in path */
	int rc;
} walk_t;

static bool walk_short(const char *nm)
{
	if (strlen(nm) != FQN_SHORT_LEN || nm[0] != '.' || nm[1] != 'x')
		return false;
	for (int i = 2; i < FQN_SHORT_LEN; i++)
		if (!((nm[i] >= '0' && nm[i] <= '9') || (nm[i] >= 'a' && nm[i] <= 'f')))
			return false;
	return true;
}

static void walk_file(walk_t *w, const char *nm, size_t len, int depth)
{
	if (depth == 0 && walk_short(nm)) {
		lom_md_t md;
		lom_md_init(&md);
		if (lom_load(-1, w->path, &md) == 0 && md.name)
			w->rc = w->cb(w->arg, md.name, strlen(md.name), w->path);
		lom_md_fini(&md);
		return;
	}
	const char *rel = w->path + w->rel;
	size_t rl = len - w->rel, nl = fqn_rel_name(rel, rl);
	if (nl == rl) {
		w->rc = w->cb(w->arg, rel, rl, w->path);
		return;
	}
	char *name = strndup(rel, nl); /* "a/b/%ob.leaf" -> "a/b", "a/b/%ob.dir" -> "a/b/" */
	w->rc = name ? w->cb(w->arg, name, nl, w->path) : AIS_ENOMEM;
	free(name);
}

static void walk_dir(walk_t *w, size_t len, int depth)
{
	if (depth > WALK_MAX_DEPTH || w->rc)
		return;
	DIR *d = opendir(w->path);
	if (!d)
		return;
	struct dirent *de;
	while (!w->rc && (de = readdir(d))) {
		const char *nm = de->d_name;
		if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
			continue;
		size_t nl = strlen(nm);
		if (len + 1 + nl + 1 >= FQN_MAX)
			continue;
		w->path[len] = '/';
		memcpy(w->path + len + 1, nm, nl + 1);
		int ty = de->d_type;
		if (ty == DT_UNKNOWN) {
			struct stat st;
			if (lstat(w->path, &st) == 0)
				ty = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (ty == DT_DIR)
			walk_dir(w, len + 1 + nl, depth + 1);
		else if (ty == DT_REG)
			walk_file(w, nm, len + 1 + nl, depth);
		w->path[len] = '\0';
	}
	closedir(d);
}

int obj_walk(const bck_t *b, int mpi, obj_walk_fn cb, void *arg)
{
	const mpath_t *mp = fs_get(mpi);
	if (!mp)
		return 0;
	walk_t w = {.cb = cb, .arg = arg, .path = malloc(FQN_MAX)};
	if (!w.path)
		return AIS_ENOMEM;
	int n = fqn_ct_dir(w.path, FQN_MAX, mp->path, b->provider, b->ns, b->name, FQN_CT_OBJ);
	if (n > 0) {
		w.rel = (size_t)n + 1;
		walk_dir(&w, (size_t)n, 0);
	}
	free(w.path);
	return w.rc;
}
