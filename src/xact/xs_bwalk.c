/* xs_bwalk: visit a bucket's local objects by prefix (see xs_bwalk.h). Depth-first over %ob of
 * every mountpath in use; subtrees that cannot hold the prefix are not entered. */
#include "xact/xs_bwalk.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "fs/fqn.h"
#include "fs/fs.h"
#include "obj/lom.h"

typedef struct bw {
	const char *prefix;
	size_t plen;
	xs_bwalk_fn cb;
	void *arg;
	bool stop;
} bw_t;

/* can names under directory rel (length rl, no trailing '/') start with the prefix? */
static bool bw_dir_ok(const bw_t *w, const char *rel, size_t rl)
{
	size_t m = rl < w->plen ? rl : w->plen;
	return !strncmp(rel, w->prefix, m); /* a prefix may end inside a directory name ("d1/a" of "d1/ab/x") */
}

static void bw_file(bw_t *w, const char *path, const char *rel, bool top)
{
	if (top && strlen(rel) == FQN_SHORT_LEN && rel[0] == '.' && rel[1] == 'x') {
		lom_md_t md;
		lom_md_init(&md);
		if (!lom_load(-1, path, &md) && md.name && !strncmp(md.name, w->prefix, w->plen))
			w->stop = !w->cb(w->arg, md.name);
		lom_md_fini(&md);
		return;
	}
	size_t rl = strlen(rel), nl = fqn_rel_name(rel, rl);
	if (nl != rl) { /* a leaf: its object name (fqn.h) */
		char *name = strndup(rel, nl);
		if (name && !strncmp(name, w->prefix, w->plen))
			w->stop = !w->cb(w->arg, name);
		free(name);
		return;
	}
	if (!strncmp(rel, w->prefix, w->plen))
		w->stop = !w->cb(w->arg, rel);
}

static void bw_dir(bw_t *w, char *dir, size_t dlen, size_t rel_off, int depth)
{
	DIR *d = depth > 256 ? NULL : opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while (!w->stop && (de = readdir(d))) {
		const char *nm = de->d_name;
		if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
			continue;
		size_t nl = strlen(nm);
		if (dlen + 1 + nl + 1 >= FQN_MAX)
			continue;
		dir[dlen] = '/';
		memcpy(dir + dlen + 1, nm, nl + 1);
		size_t clen = dlen + 1 + nl;
		const char *rel = dir + rel_off;
		int ty = de->d_type;
		if (ty == DT_UNKNOWN) {
			struct stat st;
			ty = lstat(dir, &st) ? DT_UNKNOWN : S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (ty == DT_DIR && bw_dir_ok(w, rel, clen - rel_off))
			bw_dir(w, dir, clen, rel_off, depth + 1);
		else if (ty == DT_REG)
			bw_file(w, dir, rel, depth == 0);
		dir[dlen] = '\0';
	}
	closedir(d);
}

int xs_bwalk(const bck_t *b, const char *prefix, xs_bwalk_fn cb, void *arg)
{
	bw_t w = {.prefix = prefix ? prefix : "", .cb = cb, .arg = arg};
	w.plen = strlen(w.prefix);
	char *dir = malloc(FQN_MAX);
	if (!dir)
		return AIS_ENOMEM;
	for (int i = 0; i < fs_count() && !w.stop; i++) {
		if (!fs_in_use(i))
			continue;
		int n = fqn_ct_dir(dir, FQN_MAX, fs_get(i)->path, b->provider, b->ns, b->name, FQN_CT_OBJ);
		if (n > 0)
			bw_dir(&w, dir, (size_t)n, (size_t)n + 1, 0);
	}
	free(dir);
	return 0;
}
