/* tlist: one list-objects page of this target (GET /v1/buckets/<bck> with body
 * {"action":"list","value":LsoMsg}, keys in any case), run on a pool thread: names with the
 * prefix that sort after continuation_token and start_after, in name order, at most pagesize
 * (0 or > 10000 → 10000, apc.MaxPageSizeAIS), with the asked props (read from each object's
 * LOM when the page is filled; names-only listings read no LOM, as AIStore's LsNameOnly). Token: the last name when the page is full, "" otherwise (the
 * proxy merges pages by name and deduplicates virtual directories).
 * A listing with a uuid (the proxy always sends one) is served from its cursor (tlcursor.h): one
 * walk of %ob on every mountpath per listing, sorted once; every later page is a binary search
 * and O(page) work. Without a uuid (or over the cursor budget) each page walks the bucket,
 * keeping memory O(pagesize): candidates are sorted and cut whenever they reach twice the page.
 * LsNoRecursion lists one level and returns its subdirectories as entries "<dir>/" flagged
 * EntryIsDir (no other field), unless LsNoDirs. Which level, as AIStore 4.7 (fs.Walk's root,
 * cmn.CheckDirNoRecurs, xs.LsoXact.cb): the prefix's own directory when the prefix ends with
 * '/' or names a directory on one of this target's mountpaths (prefix "a" lists a/'s content;
 * AIStore decides per mountpath, see tl_walk_root), else the bucket root, whose
 * subdirectories are entries when they extend the prefix ("ab/" for prefix "a"); a prefix with
 * a '/' that does not end at a directory lists nothing. S3 requests (LsIsS3) instead get S3's
 * delimiter semantics: the level right under the prefix wherever it ends ("a/" for prefix
 * "a", "a/bc/" and "a/bd" for prefix "a/b"). Leaves (fqn.h) are listed under their object
 * names; at a non-recursive level a directory's leaf is an object entry and the directory an
 * entry only when it holds more than its leaf. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/lso.h"
#include "archive/arch_obj.h"
#include "cluster/node.h"
#include "core/hrw.h"
#include "backend/bk.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/memtrim.h"
#include "core/sbuf.h"
#include "net/route.h"
#include "obj/obj_get.h"
#include "fs/fs.h"
#include "stats/stats.h"
#include "target/tgt_int.h"
#include "target/tlcursor.h"
#include "target/tlnames.h"

typedef struct tl_walk {
	const lso_msg_t *msg;
	const bck_t *bck;
	const char *prefix, *token, *after;
	size_t plen;
	bool norec, nodirs, s3;
	bool arch;      /* LsArchDir: shards are followed by their files */
	bool pdir;      /* native norec: the prefix names a directory on some mountpath */
	size_t page;    /* SIZE_MAX: collect everything (a cursor's snapshot) */
	tln_t names;
	char *cutoff;   /* once cut: nothing above this can make the page */
	int mpi;
	int err;
	char *nb;       /* FQN_MAX: an object name made from a leaf's path (fqn.h) */
	smap_t *smap;   /* HRW: objects another target owns are not listed here (AIStore's
			 * LocMisplacedNode); NULL: no cluster map yet, list everything */
} tl_walk_t;

/* a file found on mountpath w->mpi is listed by this target when it owns the object (HRW under
 * its Smap), and, on a mountpath other than the object's HRW one (a resilver has not moved it
 * yet), only when the HRW mountpath holds no copy: every name once, none hidden */
static bool tl_mine(const tl_walk_t *w, const char *name)
{
	uint64_t d;
	const bck_t *b = w->bck;
	if (!w->smap || bck_node_local(b->provider, b->name) || hrw_obj_digest(b->provider, b->ns, b->name, name, &d))
		return true;
	const snode_t *owner = smap_owner(w->smap, d);
	if (owner && strcmp(owner->id, node_id()))
		return false;
	int h = fs_hrw(d);
	if (h < 0 || h == w->mpi)
		return true;
	char p[FQN_MAX];
	bool fntl;
	struct stat st;
	int n = fqn_obj(p, sizeof(p), fs_get(h)->path, b->provider, b->ns, b->name, name, &fntl);
	if (n < 0 || stat(p, &st))
		return true;
	/* a directory there: the object is its leaf, if any */
	return S_ISDIR(st.st_mode) && (fqn_leaf(p, sizeof(p), (size_t)n) < 0 || stat(p, &st));
}

/* page walk: sort what was collected and keep the first page (memory stays O(page)) */
static void tl_cut(tl_walk_t *w)
{
	if (!w->names.n)
		return;
	if ((w->err = tln_sort(&w->names)))
		return;
	if (w->names.n > w->page) {
		tln_truncate(&w->names, w->page);
		free(w->cutoff);
		w->cutoff = strndup(tln_name(&w->names, w->page - 1), tln_len(&w->names, w->page - 1));
		if (!w->cutoff)
			w->err = AIS_ENOMEM;
	}
}

static bool tl_after(const tl_walk_t *w, const char *name)
{
	if (w->token && *w->token && strcmp(name, w->token) <= 0)
		return false;
	if (w->after && *w->after && strcmp(name, w->after) <= 0)
		return false;
	if (w->cutoff && strcmp(name, w->cutoff) > 0)
		return false;
	return true;
}

/* path.Join(shard, file) for the names we can address: leading "/" and "./" and repeated '/'
 * dropped; a file with a ".." segment or an empty name is not listed (false) */
static bool tl_arch_join(const char *shard, size_t sl, const char *file, sbuf_t *out)
{
	sbuf_reset(out);
	sbuf_add(out, shard, sl);
	for (const char *p = file; *p;) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (l && !(l == 1 && p[0] == '.')) {
			sbuf_add(out, "/", 1);
			sbuf_add(out, p, l);
		}
		p += l;
	}
	return out->len > sl && !out->oom;
}

/* LsArchDir (AIStore's LsoXact.cb + archive.List): the files of a shard (by extension) as
 * "<shard>/<path>" entries; an unreadable shard is listed alone (logged), not as a failure */
static void tl_arch_expand(tl_walk_t *w, const char *name, size_t nlen)
{
	arch_fmt_t f = arch_mime_by_ext(name);
	if (f == ARCH_NONE)
		return;
	obj_t o;
	obj_get_t g;
	obj_why_t why;
	arch_rd_t *rd = NULL;
	char err[256] = "", *nm = strndup(name, nlen);
	sbuf_t full = SBUF_INIT;
	memset(&o, 0, sizeof(o));
	int rc = nm ? obj_place(&o, w->bck, nm) : AIS_ENOMEM;
	if (!rc && !(rc = obj_get_open(&g, &o, OBJ_GET_QUIET, &why))) {
		if (g.chunked)
			rc = obj_get_prepare(&g, &why);
		if (!rc)
			rc = arch_obj_rd(&g, f, &rd, err, sizeof(err));
		arch_ent_t e;
		size_t shard_at = w->names.n - 1;
		while (!rc && (rc = arch_rd_next(rd, &e)) == 1) {
			rc = 0;
			if (!e.regular || !tl_arch_join(name, nlen, e.name, &full) || !tl_after(w, sbuf_str(&full)))
				continue;
			if ((rc = tln_add_member(&w->names, full.p, full.len, e.size, w->mpi)))
				w->err = rc;
		}
		if (rc < 0 && rc != w->err)
			log_warn("list %s: %s: %s (listed without its files)", w->bck->name, nm, *err ? err : arch_rd_err(rd));
		else if (!w->err && shard_at < w->names.n)
			w->names.v[shard_at].arch = TLN_SHARD;
		arch_rd_close(rd);
		obj_get_close(&g);
	}
	sbuf_fini(&full);
	free(nm);
}

static void tl_add(tl_walk_t *w, const char *name, size_t nlen, const char *rel, bool dir)
{
	if (w->err)
		return;
	if ((w->err = tln_add(&w->names, name, nlen, rel, rel ? strlen(rel) : 0, w->mpi, dir)))
		return;
	if (w->arch && !dir)
		tl_arch_expand(w, name, nlen);
	if (w->page != SIZE_MAX && w->names.n >= 2 * w->page)
		tl_cut(w);
}

static void tl_walk_dir(tl_walk_t *w, char *dir, size_t dlen, size_t rel_off, int depth);
/* directory dir (a name's path at the listed level of a non-recursive walk): is object "<rel>"
 * stored in it as its leaf, and does it hold anything else (names that extend "<rel>/": its
 * virtual directory entry)? A directory without a leaf is there for longer names (or is an empty
 * leftover, as before): one stat. dir is restored on return. */
static void tl_dir_scan(char *dir, size_t clen, bool *leaf, bool *other)
{
	struct stat st;
	*leaf = false;
	*other = true;
	if (fqn_leaf(dir, FQN_MAX, clen) < 0)
		return;
	*leaf = !stat(dir, &st) && S_ISREG(st.st_mode);
	dir[clen] = '\0';
	if (!*leaf)
		return;
	*other = false;
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && !*other && (de = readdir(d))) {
		const char *nm = de->d_name;
		*other = strcmp(nm, ".") && strcmp(nm, "..") && strcmp(nm, FQN_LEAF);
	}
	if (d)
		closedir(d);
}

/* object "<rel>" stored as the leaf of directory dir (clen; rel at rel_off) when it has the
 * prefix (and, s3, nothing below it) and sorts after the token; dir is restored */
static void tl_add_leaf(tl_walk_t *w, char *dir, size_t clen, size_t rel_off)
{
	const char *rel = dir + rel_off;
	size_t rlen = clen - rel_off;
	if (rlen < w->plen || strncmp(rel, w->prefix, w->plen))
		return;
	if (w->s3 && memchr(rel + w->plen, '/', rlen - w->plen))
		return;
	if (!tl_after(w, rel) || !tl_mine(w, rel))
		return;
	memcpy(w->nb, rel, rlen);
	w->nb[rlen] = '\0';
	if (fqn_leaf(dir, FQN_MAX, clen) > 0)
		tl_add(w, w->nb, rlen, dir + rel_off, false);
	dir[clen] = '\0';
}

static bool tl_is_short(const char *base)
{
	if (strlen(base) != FQN_SHORT_LEN || base[0] != '.' || base[1] != 'x')
		return false;
	for (int i = 2; i < FQN_SHORT_LEN; i++)
		if (!((base[i] >= '0' && base[i] <= '9') || (base[i] >= 'a' && base[i] <= 'f')))
			return false;
	return true;
}

typedef enum { TL_DIR_SKIP, TL_DIR_DESCEND, TL_DIR_ADD } tl_dir_t;

/* AIStore's CheckDirNoRecurs for directory rel (no trailing '/'): add it as an entry, or walk
 * into it, which also takes processDir's check (on the prefix's branch); a directory that
 * processDir skips still gets CheckDirNoRecurs's entry (fs.joggerBck.cb with IncludeDirs) */
static tl_dir_t tl_dir_norec(const char *prefix, size_t plen, const char *rel, size_t rlen)
{
	if (!plen || (plen == 1 && prefix[0] == '/'))
		return TL_DIR_ADD;
	size_t pn = prefix[plen - 1] == '/' ? plen - 1 : plen;
	if (rlen < pn || strncmp(rel, prefix, pn))
		return TL_DIR_SKIP; /* another subtree */
	const char *suf = rel + pn;
	size_t sl = rlen - pn;
	if (sl && *suf == '/') {
		suf++;
		sl--;
	}
	if (!sl) /* the prefix's own directory (on its branch: processDir lets it through) */
		return TL_DIR_DESCEND;
	return memchr(suf, '/', sl) ? TL_DIR_SKIP : TL_DIR_ADD;
}

/* a directory met by the native non-recursive walk: dir holds its path (length clen) */
static void tl_dir_ais(tl_walk_t *w, char *dir, size_t clen, size_t rel_off, int depth)
{
	const char *rel = dir + rel_off;
	size_t rlen = clen - rel_off;
	switch (tl_dir_norec(w->prefix, w->plen, rel, rlen)) {
	case TL_DIR_DESCEND:
		tl_walk_dir(w, dir, clen, rel_off, depth + 1);
		break;
	case TL_DIR_ADD: {
		bool leaf, other;
		tl_dir_scan(dir, clen, &leaf, &other);
		if (leaf)
			tl_add_leaf(w, dir, clen, rel_off);
		if (other && !w->nodirs && clen + 1 < FQN_MAX) {
			dir[clen] = '/'; /* "rel/": [convention] dir names end with '/' */
			dir[clen + 1] = '\0';
			if (tl_after(w, rel))
				tl_add(w, rel, rlen + 1, NULL, true);
			dir[clen] = '\0';
		}
		break;
	}
	case TL_DIR_SKIP:
		break;
	}
}

/* dir: absolute path buffer (cap FQN_MAX) of length dlen; rel starts at dir + rel_off */
static void tl_walk_dir(tl_walk_t *w, char *dir, size_t dlen, size_t rel_off, int depth)
{
	if (depth > 512 || w->err)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) && !w->err) {
		const char *nm = de->d_name;
		if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
			continue;
		size_t nl = strlen(nm);
		if (dlen + 1 + nl + 1 >= FQN_MAX)
			continue;
		dir[dlen] = '/';
		memcpy(dir + dlen + 1, nm, nl + 1);
		size_t clen = dlen + 1 + nl;
		const char *rel = dir + rel_off; /* relative name under %ob */
		size_t rlen = clen - rel_off;
		int ty = de->d_type;
		if (ty == DT_UNKNOWN) {
			struct stat st;
			if (lstat(dir, &st) == 0)
				ty = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (ty == DT_DIR && w->norec && !w->s3) {
			tl_dir_ais(w, dir, clen, rel_off, depth);
		} else if (ty == DT_DIR) {
			/* relation of "rel/" to the prefix */
			bool above = w->plen > rlen && !strncmp(w->prefix, rel, rlen) && w->prefix[rlen] == '/';
			bool below = rlen + 1 >= w->plen && !strncmp(rel, w->prefix, rlen < w->plen ? rlen : w->plen) &&
				     (rlen >= w->plen || w->prefix[rlen] == '/');
			if (above) {
				tl_walk_dir(w, dir, clen, rel_off, depth + 1);
			} else if (below) {
				bool leaf = false, other = true;
				if (w->norec)
					tl_dir_scan(dir, clen, &leaf, &other);
				if (leaf)
					tl_add_leaf(w, dir, clen, rel_off);
				if (!w->norec) {
					tl_walk_dir(w, dir, clen, rel_off, depth + 1);
				} else if (!w->nodirs && other) {
					/* "rel/" after the prefix must have exactly one '/' (at its end) */
					const char *rest = rel + (w->plen <= rlen ? w->plen : rlen);
					if (!memchr(rest, '/', (size_t)(rel + rlen - rest))) {
						char dn[FQN_MAX];
						memcpy(dn, rel, rlen);
						dn[rlen] = '/';
						dn[rlen + 1] = '\0';
						if (tl_after(w, dn))
							tl_add(w, dn, rlen + 1, NULL, true);
					}
				}
			}
		} else if (ty == DT_REG) {
			if (rel_off && depth == 0 && tl_is_short(nm)) {
				lom_md_t md;
				lom_md_init(&md);
				if (lom_load(-1, dir, &md) == 0 && md.name) {
					size_t ml = strlen(md.name);
					const char *sl = ml >= w->plen ? strchr(md.name + w->plen, '/') : NULL;
					bool match = ml >= w->plen && !strncmp(md.name, w->prefix, w->plen);
					if (match && w->norec && sl) {
						/* deeper than the listed level: its first directory */
						size_t dl = (size_t)(sl - md.name) + 1;
						char *dn = strndup(md.name, dl);
						if (dn && !w->nodirs && tl_after(w, dn))
							tl_add(w, dn, dl, NULL, true);
						free(dn);
					} else if (match && tl_after(w, md.name) && tl_mine(w, md.name)) {
						tl_add(w, md.name, ml, rel, false);
					}
				}
				lom_md_fini(&md);
			} else {
				/* a leaf ("a/b/%ob.leaf", "a/b/%ob.dir"): listed under its object name */
				size_t onl = fqn_rel_name(rel, rlen);
				const char *name = rel;
				if (onl != rlen) {
					memcpy(w->nb, rel, onl);
					w->nb[onl] = '\0';
					name = w->nb;
				}
				if (onl >= w->plen && !strncmp(name, w->prefix, w->plen) &&
				    (!w->norec || !w->s3 || !memchr(name + w->plen, '/', onl - w->plen)) &&
				    tl_after(w, name) && tl_mine(w, name))
					/* (AIStore's non-recursive walk only visits the listed level: no depth check) */
					tl_add(w, name, onl, rel, false);
			}
		}
		dir[dlen] = '\0';
	}
	closedir(d);
}

static void tl_custom(sbuf_t *b, const lom_md_t *md)
{
	size_t pos = 0;
	const char *k, *v;
	bool any = false;
	sbuf_adds(b, "[");
	while (lom_md_custom_next(md, &pos, &k, &v)) {
		if (!strcmp(k, "orig_fntl"))
			continue;
		sbuf_addf(b, "%s%s:%s", any ? " " : "", k, v);
		any = true;
	}
	sbuf_adds(b, "]");
	if (!any)
		sbuf_reset(b);
}

/* fill one entry from the LOM of names' item i; false if the object is gone or defunct */
static bool tl_fill(const bck_t *b, const lso_msg_t *m, const tln_t *names, size_t i, lso_ent_t *e)
{
	const tln_item_t *it = &names->v[i];
	e->name = strndup(tln_name(names, i), tln_len(names, i));
	if (!e->name)
		return false;
	if (it->dir) {
		e->flags = LSO_ENTRY_IS_DIR;
		return true;
	}
	e->flags = LSO_ENTRY_IS_CACHED | LSO_LOC_OK;
	if (it->arch == TLN_MEMBER) { /* name and size, the shard's flags (AIStore: minus IsArchive) */
		e->flags |= LSO_ENTRY_IN_ARCH;
		e->size = tln_member_size(names, i);
		return true;
	}
	if (it->arch == TLN_SHARD)
		e->flags |= LSO_ENTRY_IS_ARCHIVE;
	if ((m->flags & LS_NAME_ONLY) && !it->rlen)
		return true; /* names only: no metadata to read (AIStore's shortcut; long names came from it) */
	char path[FQN_MAX];
	int n = fqn_ct_dir(path, sizeof(path), fs_get(it->mpi)->path, b->provider, b->ns, b->name, FQN_CT_OBJ);
	if (n < 0 || (size_t)n + 2 > sizeof(path) || !tln_rel(names, i, path + n + 1, sizeof(path) - (size_t)n - 1))
		return false;
	path[n] = '/';
	lom_md_t md;
	lom_md_init(&md);
	if (lom_load(-1, path, &md))
		return false;
	if (md.bid && b->bid && md.bid != b->bid) {
		lom_md_fini(&md);
		return false;
	}
	if (m->flags & LS_NAME_ONLY) {
		lom_md_fini(&md);
		return true;
	}
	if ((m->flags & LS_NAME_SIZE) || lso_want(m, "size"))
		e->size = md.size;
	if (!(m->flags & LS_NAME_SIZE)) {
		if (lso_want(m, "checksum") && md.cktype != CKSUM_NONE && md.ckval[0])
			e->checksum = strdup(md.ckval);
		if (lso_want(m, "atime") && md.atime) {
			char t[80];
			lso_fmt_time(md.atime, m->time_format, t, sizeof(t));
			e->atime = strdup(t);
		}
		if (lso_want(m, "version") && md.version[0])
			e->version = strdup(md.version);
		if (lso_want(m, "location")) {
			char loc[1200];
			snprintf(loc, sizeof(loc), "%s:%s", node_name(), fs_get(it->mpi)->path);
			e->location = strdup(loc);
		}
		if (lso_want(m, "copies"))
			e->copies = 1;
		if (lso_want(m, "custom")) {
			sbuf_t cb = SBUF_INIT;
			tl_custom(&cb, &md);
			if (cb.len)
				e->custom = sbuf_take(&cb);
			sbuf_fini(&cb);
		}
	}
	lom_md_fini(&md);
	return true;
}

/* dir (length n) + "/" + the prefix without its trailing '/' (length pl): a directory? */
static bool tl_prefix_isdir(const tl_walk_t *w, char *dir, size_t n, size_t pl)
{
	struct stat st;
	if (n + 1 + pl >= FQN_MAX)
		return false;
	dir[n] = '/';
	memcpy(dir + n + 1, w->prefix, pl);
	dir[n + 1 + pl] = '\0';
	bool isdir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	dir[n] = '\0';
	return isdir;
}

/* walk one mountpath's %ob (dir, length n). The native non-recursive walk starts at the
 * prefix's directory when the prefix ends with '/' or names a directory (fs.Walk's _join).
 * AIStore decides "names a directory" per mountpath, which makes the result depend on
 * placement when names extend the directory's name ("d1/..." and "d1x"); here the target
 * decides once for all its mountpaths (w->pdir). */
static void tl_walk_root(tl_walk_t *w, char *dir, size_t n)
{
	if (w->norec && !w->s3 && w->plen) {
		size_t pl = w->prefix[w->plen - 1] == '/' ? w->plen - 1 : w->plen;
		if (pl && (w->pdir || pl != w->plen)) {
			if (tl_prefix_isdir(w, dir, n, pl)) {
				dir[n] = '/';
				tl_walk_dir(w, dir, n + 1 + pl, n + 1, 1);
			}
			return; /* (nothing here when this mountpath has no such directory) */
		}
		/* prefix "/" or no directory: from the bucket root */
	}
	tl_walk_dir(w, dir, n, n + 1, 0);
}

static void tl_walk_init(tl_walk_t *w, const bck_t *bck, const lso_msg_t *msg, size_t page, size_t budget)
{
	memset(w, 0, sizeof(*w));
	w->msg = msg;
	w->bck = bck;
	w->prefix = msg->prefix ? msg->prefix : "";
	w->plen = strlen(w->prefix);
	w->token = msg->continuation_token;
	w->after = msg->start_after;
	w->norec = msg->flags & LS_NO_RECURSION;
	w->nodirs = msg->flags & LS_NO_DIRS;
	w->s3 = msg->flags & LS_IS_S3;
	w->arch = (msg->flags & LS_ARCH_DIR) && !w->s3;
	w->page = page;
	w->smap = smap_get();
	tln_init(&w->names, budget);
}

static size_t tl_page_size(const lso_msg_t *msg)
{
	return (msg->pagesize <= 0 || msg->pagesize > LSO_MAX_PAGE_AIS) ? LSO_MAX_PAGE_AIS : (size_t)msg->pagesize;
}

/* walk every mountpath (names > token and start_after, the page's or all of them) */
static int tl_walk(tl_walk_t *w)
{
	const bck_t *bck = w->bck;
	char *dir = malloc(FQN_MAX);
	w->nb = malloc(FQN_MAX);
	if (!dir || !w->nb) {
		free(dir);
		free(w->nb);
		w->nb = NULL;
		return AIS_ENOMEM;
	}
	for (int i = 0; w->norec && !w->s3 && w->plen && !w->pdir && i < fs_count(); i++) {
		if (!fs_in_use(i))
			continue;
		int n = fqn_ct_dir(dir, FQN_MAX, fs_get(i)->path, bck->provider, bck->ns, bck->name, FQN_CT_OBJ);
		size_t pl = w->prefix[w->plen - 1] == '/' ? w->plen - 1 : w->plen;
		w->pdir = n >= 0 && pl && tl_prefix_isdir(w, dir, (size_t)n, pl);
	}
	for (int i = 0; i < fs_count() && !w->err; i++) {
		if (!fs_in_use(i))
			continue; /* disabled or detached: their content is not served */
		int n = fqn_ct_dir(dir, FQN_MAX, fs_get(i)->path, bck->provider, bck->ns, bck->name, FQN_CT_OBJ);
		if (n < 0)
			continue;
		w->mpi = i;
		tl_walk_root(w, dir, (size_t)n);
	}
	free(dir);
	free(w->nb);
	w->nb = NULL;
	return w->err;
}

/* one page without a cursor: walk, keeping only the first page's worth; fills res */
static int tl_page(const bck_t *bck, lso_msg_t *msg, lso_res_t *res)
{
	tl_walk_t w;
	tl_walk_init(&w, bck, msg, tl_page_size(msg), 0);
	int rc = tl_walk(&w);
	if (!rc)
		tl_cut(&w);
	rc = rc ? rc : w.err;
	if (!rc) {
		bool full = w.names.n == w.page;
		for (size_t i = 0; i < w.names.n && !rc; i++) {
			lso_ent_t e = {0};
			if (full && i == w.names.n - 1) {
				free(res->continuation_token);
				res->continuation_token = strndup(tln_name(&w.names, i), tln_len(&w.names, i));
			}
			if (tl_fill(bck, msg, &w.names, i, &e))
				rc = lso_res_add(res, &e);
			lso_ent_fini(&e);
		}
	}
	tln_fini(&w.names);
	free(w.cutoff);
	smap_put(w.smap);
	return rc;
}

/* the next page from a cursor's names: from the first name > lower, filled entries until the
 * page is full (names whose object is gone meanwhile are skipped, not counted) */
static int tl_serve(const bck_t *bck, const lso_msg_t *msg, const tln_t *names, const char *lower, lso_res_t *res,
		    size_t *from, bool *end)
{
	size_t page = tl_page_size(msg), i = tln_upper(names, lower), got = 0;
	int rc = 0;
	*from = i;
	for (; i < names->n && got < page && !rc; i++) {
		lso_ent_t e = {0};
		if (tl_fill(bck, msg, names, i, &e)) {
			rc = lso_res_add(res, &e);
			got++;
		}
		lso_ent_fini(&e);
	}
	if (!rc && got == page) {
		free(res->continuation_token);
		res->continuation_token = strdup(res->entries[res->n - 1].name);
		if (!res->continuation_token)
			rc = AIS_ENOMEM;
	}
	*end = i >= names->n;
	return rc;
}

/* one page of a listing: from its cursor (tlcursor.h) when it has a uuid, else a page walk */
static int tl_list(const bck_t *bck, lso_msg_t *msg, lso_res_t *res)
{
	const char *tok = msg->continuation_token ? msg->continuation_token : "";
	const char *aft = msg->start_after ? msg->start_after : "";
	const char *lower = strcmp(tok, aft) >= 0 ? tok : aft;
	tlc_key_t k = {.uuid = msg->uuid, .provider = bck->provider, .ns = bck->ns, .bucket = bck->name,
		       .bid = bck->bid, .prefix = msg->prefix,
		       .flags = msg->flags & (LS_NO_RECURSION | LS_NO_DIRS | LS_IS_S3 | LS_ARCH_DIR)};
	tlc_t *c = NULL;
	tlc_plan_t plan = tlc_take(&k, lower, &c);
	if (plan == TLC_WALK)
		return tl_page(bck, msg, res);
	if (plan == TLC_BUILD) {
		size_t budget = tlc_budget();
		if (!budget) /* (every byte held by listings in progress: this page walks) */
			return tl_page(bck, msg, res);
		tl_walk_t w;
		tl_walk_init(&w, bck, msg, SIZE_MAX, budget);
		int rc = tl_walk(&w);
		if (!rc)
			rc = tln_sort(&w.names);
		free(w.cutoff);
		smap_put(w.smap);
		if (rc) {
			tln_fini(&w.names);
			if (rc != AIS_ETOOBIG)
				return rc;
			tlc_too_big(&k);
			return tl_page(bck, msg, res);
		}
		if (!(c = tlc_install(&k, lower, &w.names)))
			return AIS_ENOMEM;
	}
	size_t from = 0;
	bool end = false;
	int rc = tl_serve(bck, msg, tlc_names(c), lower, res, &from, &end);
	tlc_release(c, lower, from, end, !rc && res->n == 0);
	return rc;
}

void tlist_init(void)
{
	if (tlc_start())
		log_warn("list-objects: no cursor sweeper thread (idle cursors go at the next listing)");
}

void tlist_fini(void)
{
	tlc_stop();
}

void tlist_handle(http_req_t *r)
{
	char buf[256], ns[80], err[256] = "";
	const char *items[1] = {NULL};
	bmd_t *bmd = NULL;
	json_t *j = NULL;
	lso_msg_t msg;
	lso_res_t res;
	lso_msg_init(&msg);
	lso_res_init(&res);
	int n = route_items(r, "/v1/buckets", buf, sizeof(buf), items, 1);
	if (n < 1 || !items[0][0] || strchr(items[0], '/')) {
		http_error(r, 400, NULL, "invalid URL path %s: expecting /v1/buckets/<bucket>", r->path);
		goto out;
	}
	char prov[16];
	if (tobj_bck_query(r, prov, sizeof(prov), ns, sizeof(ns)))
		goto out;
	bmd = bmd_get();
	const bck_t *b = bmd_find(bmd, prov, ns, items[0]);
	if (!b) {
		http_error(r, 404, "ErrBckNotFound", "bucket \"%s://%s\" does not exist", bk_scheme(prov), items[0]);
		goto out;
	}
	if (r->method == HTTP_M_HEAD) {
		if (b->props) {
			char *p = json_dumps(b->props, JSON_COMPACT);
			if (p)
				http_hdr_add(r, "Ais-Bucket-Props", p);
			free(p);
		}
		http_respond(r, 200, NULL, NULL, 0);
		goto out;
	}
	json_error_t je;
	j = r->body_len ? json_loadb(r->body, r->body_len, 0, &je) : NULL;
	static const char *const actkeys[] = {"action", "name", "value", NULL};
	if (j && jsonx_canon_keys(j, actkeys)) { /* ActMsg keys in any case */
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	const char *act = j ? json_string_value(json_object_get(j, "action")) : NULL;
	if (!act || strcmp(act, "list")) {
		http_error(r, 400, NULL, "%s: invalid action %s%s%s (expecting \"list\")", node_name(),
			   act ? "\"" : "", act ? act : "(none)", act ? "\"" : "");
		goto out;
	}
	if (lso_msg_from_json(json_object_get(j, "value"), &msg, err, sizeof(err))) {
		http_error(r, 400, NULL, "%s", err);
		goto out;
	}
	lso_msg_normalize(&msg);
	res.uuid = msg.uuid ? strdup(msg.uuid) : NULL;
	int rc = tl_list(b, &msg, &res);
	if (rc) {
		stats_err(STATS_ERR_LIST, STATS_BCK(b));
		http_error_code(r, rc, "%s: list %s: %s", node_name(), items[0], err_str(rc));
		goto out;
	}
	json_t *out = lso_res_to_json(&res);
	char *s = out ? json_dumps(out, JSON_COMPACT) : NULL;
	if (out)
		json_decref(out);
	if (!s) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		goto out;
	}
	http_respond(r, 200, "application/json", s, strlen(s));
	memtrim_after(strlen(s) * 2, !res.continuation_token || !*res.continuation_token);
	free(s);
out:
	if (j)
		json_decref(j);
	lso_msg_fini(&msg);
	lso_res_fini(&res);
	if (bmd)
		bmd_put(bmd);
}
