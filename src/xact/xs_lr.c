/* xs_lr: multi-object selection and the helpers of the bucket jobs (see xs_lr.h).
 * Sources, in order of precedence: "objnames" (a list), "template" with ranges, a prefix
 * ("template" without ranges, or the TCBMsg prefix). The local walk keeps a stack of open
 * directories (depth-first, bounded) over every mountpath in use; long names stored under their
 * short form are named from their LOM. Ownership filter: smap_owner_of (the current Smap). */
#include "xact/xs_lr.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend/bk.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/err.h"
#include "core/tmpl.h"
#include "core/util.h"
#include "fs/fqn.h"
#include "fs/fs.h"
#include "obj/chunk.h"
#include "obj/lom.h"

#define LR_MAX_DEPTH 128

static obj_send_fn lr_mover; /* set once at start-up, before any job runs */

void xs_set_mover(obj_send_fn fn) { lr_mover = fn; }
obj_send_fn xs_mover(void) { return lr_mover; }

typedef enum { LR_LIST, LR_TMPL, LR_PREFIX } lr_mode_t;

typedef struct lr_dir {
	DIR *d;
	size_t len; /* length of the path prefix for this level in path[] */
} lr_dir_t;

struct xs_lr {
	const bck_t *b;
	lr_mode_t mode;
	xs_lr_src_t src;
	bool non_recurs;
	json_t *names; /* LR_LIST: borrowed from the message (ref held) */
	size_t ni;
	tmpl_t t;
	char *prefix;
	/* remote listing */
	lso_res_t page;
	size_t pi;
	char *token;
	bool remote_end;
	/* local walk */
	int mpi;
	lr_dir_t st[LR_MAX_DEPTH];
	int sp;
	char path[FQN_MAX];
	size_t base_len; /* "<mp>/@p/b/%ob/" length */
	char name[FQN_MAX];
	smap_t *sm;
};

bool xs_msg_bool(json_t *msg, const char *key) { return json_is_true(json_object_get(msg, key)); }

int64_t xs_msg_int(json_t *msg, const char *key, int64_t def)
{
	json_t *v = json_object_get(msg, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

const char *xs_msg_str(json_t *msg, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(msg, key));
	return s ? s : def;
}

int64_t xs_msg_size(json_t *msg, const char *key, int64_t def)
{
	json_t *v = json_object_get(msg, key);
	int64_t n;
	if (!v || json_is_null(v))
		return def;
	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_string(v))
		return parse_size(json_string_value(v), &n) ? -1 : n;
	return -1;
}

int xs_bck(const xact_bck_t *xb, bmd_t **bmd, const bck_t **b, char *err, size_t cap)
{
	*bmd = bmd_get();
	*b = *bmd ? bmd_find(*bmd, xb->provider[0] ? xb->provider : "ais", xb->ns, xb->name) : NULL;
	if (*b)
		return 0;
	snprintf(err, cap, "bucket \"%s://%s\" does not exist", xb->provider[0] ? xb->provider : "ais", xb->name);
	bmd_put(*bmd);
	*bmd = NULL;
	return AIS_ENOBUCKET;
}

int xs_lr_validate(json_t *msg, char *err, size_t cap)
{
	json_t *names = json_object_get(msg, "objnames");
	if (names && !json_is_null(names) && !json_is_array(names)) {
		snprintf(err, cap, "invalid \"objnames\": expecting an array of names");
		return AIS_EINVAL;
	}
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n) {
		if (!json_is_string(n) || !json_string_length(n)) {
			snprintf(err, cap, "invalid \"objnames\"[%zu]: expecting a non-empty name", i);
			return AIS_EINVAL;
		}
	}
	json_t *t = json_object_get(msg, "template");
	if (t && !json_is_null(t) && !json_is_string(t)) {
		snprintf(err, cap, "invalid \"template\": expecting a string");
		return AIS_EINVAL;
	}
	if (json_array_size(names) && json_string_length(t)) {
		snprintf(err, cap, "list and template are mutually exclusive");
		return AIS_EINVAL;
	}
	tmpl_t tp;
	int rc = tmpl_parse(json_string_value(t), &tp, err, cap);
	if (!rc && tmpl_count(&tp) > TMPL_MAX_EXPANSION) {
		snprintf(err, cap, "template \"%s\": too large to expand (%lld vs %d max)", json_string_value(t),
			 (long long)tmpl_count(&tp), TMPL_MAX_EXPANSION);
		rc = AIS_EINVAL;
	}
	tmpl_fini(&tp);
	return rc;
}

void xs_lr_str(json_t *msg, char *out, size_t cap)
{
	json_t *names = json_object_get(msg, "objnames");
	const char *t = xs_msg_str(msg, "template", "");
	size_t n = json_array_size(names);
	if (n > 3)
		snprintf(out, cap, "list(%zu names):[%s, ...]", n, json_string_value(json_array_get(names, 0)));
	else if (n)
		snprintf(out, cap, "list:[%s%s%s%s%s]", json_string_value(json_array_get(names, 0)), n > 1 ? " " : "",
			 n > 1 ? json_string_value(json_array_get(names, 1)) : "", n > 2 ? " " : "",
			 n > 2 ? json_string_value(json_array_get(names, 2)) : "");
	else if (strchr(t, '{') || strchr(t, '@'))
		snprintf(out, cap, "template:%s", t);
	else if (*t)
		snprintf(out, cap, "prefix:%s", t);
	else
		snprintf(out, cap, "%s", "");
}

int xs_lr_open(xs_lr_t **out, const bck_t *b, json_t *msg, const char *prefix, xs_lr_src_t src, bool non_recurs,
	       char *err, size_t cap)
{
	xs_lr_t *it = calloc(1, sizeof(*it));
	if (!it)
		return AIS_ENOMEM;
	it->b = b;
	it->src = src;
	it->non_recurs = non_recurs;
	it->mpi = -1;
	lso_res_init(&it->page);
	int rc = 0;
	json_t *names = json_object_get(msg, "objnames");
	if (json_array_size(names)) {
		it->mode = LR_LIST;
		it->names = json_incref(names);
	} else if ((rc = tmpl_parse(prefix ? prefix : xs_msg_str(msg, "template", ""), &it->t, err, cap))) {
		free(it);
		return rc;
	} else if (it->t.n) {
		it->mode = LR_TMPL;
	} else {
		it->mode = LR_PREFIX;
		it->prefix = strdup(it->t.prefix ? it->t.prefix : "");
		if (!it->prefix)
			rc = AIS_ENOMEM;
	}
	it->sm = smap_get();
	if (rc) {
		xs_lr_close(it);
		return rc;
	}
	*out = it;
	return 0;
}

static bool lr_mine(xs_lr_t *it, const char *name)
{
	const snode_t *t = it->sm ? smap_owner_of(it->sm, it->b->provider, it->b->ns, it->b->name, name) : NULL;
	return !t || !strcmp(t->id, node_id());
}

/* ---- remote listing ---- */

static int lr_remote_next(xs_lr_t *it, const char **name, int64_t *size, char *err, size_t cap)
{
	for (;;) {
		while (it->pi < it->page.n) {
			lso_ent_t *e = &it->page.entries[it->pi++];
			if ((e->flags & LSO_ENTRY_IS_DIR) || !lr_mine(it, e->name))
				continue;
			*name = e->name;
			*size = e->size;
			return 1;
		}
		if (it->remote_end)
			return 0;
		lso_res_fini(&it->page);
		lso_res_init(&it->page);
		it->pi = 0;
		lso_msg_t m;
		lso_msg_init(&m);
		m.prefix = it->prefix;
		m.continuation_token = it->token;
		m.flags = LS_NAME_SIZE | (it->non_recurs ? LS_NO_RECURSION : 0);
		bk_err_t e;
		int rc = bk_of(it->b)->list_page(it->b, &m, &it->page, &e);
		if (rc) {
			snprintf(err, cap, "%s", e.msg);
			return rc;
		}
		free(it->token);
		it->token = it->page.continuation_token;
		it->page.continuation_token = NULL;
		it->remote_end = !it->token || !*it->token;
	}
}

/* ---- local walk ---- */

static void lr_pop(xs_lr_t *it)
{
	closedir(it->st[--it->sp].d);
}

static bool lr_push(xs_lr_t *it, size_t len)
{
	if (it->sp == LR_MAX_DEPTH)
		return false;
	DIR *d = opendir(it->path);
	if (!d)
		return false;
	it->st[it->sp++] = (lr_dir_t){d, len};
	return true;
}

static int lr_local_next(xs_lr_t *it, const char **name, int64_t *size)
{
	for (;;) {
		if (!it->sp) { /* the next mountpath */
			for (it->mpi++; it->mpi < fs_count() && !fs_in_use(it->mpi); it->mpi++)
				;
			if (it->mpi >= fs_count())
				return 0;
			int n = fqn_ct_dir(it->path, sizeof(it->path), fs_get(it->mpi)->path, it->b->provider, it->b->ns,
					   it->b->name, FQN_CT_OBJ);
			if (n < 0 || (size_t)n + 2 >= sizeof(it->path))
				continue;
			it->path[n] = '/';
			it->path[n + 1] = '\0';
			it->base_len = (size_t)n + 1;
			lr_push(it, it->base_len);
			continue;
		}
		lr_dir_t *top = &it->st[it->sp - 1];
		struct dirent *de = readdir(top->d);
		if (!de) {
			lr_pop(it);
			continue;
		}
		const char *nm = de->d_name;
		if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
			continue;
		size_t nl = strlen(nm);
		if (top->len + nl + 2 >= sizeof(it->path))
			continue;
		memcpy(it->path + top->len, nm, nl + 1);
		struct stat st;
		if (lstat(it->path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (it->non_recurs && it->mode == LR_PREFIX) {
				/* names only at the prefix's level: skip subdirectories */
				const char *rel = it->path + it->base_len;
				const char *slash = strrchr(it->prefix, '/');
				size_t dl = slash ? (size_t)(slash - it->prefix + 1) : 0;
				if (strlen(rel) + 1 > dl) {
					/* but object "<rel>" stored as its leaf is at this level (fqn.h) */
					size_t pl = top->len + nl;
					if (pl + sizeof(FQN_LEAF) + 1 >= sizeof(it->path))
						continue;
					snprintf(it->path + pl, sizeof(it->path) - pl, "/%s", FQN_LEAF);
					bool leaf = !stat(it->path, &st) && S_ISREG(st.st_mode);
					it->path[pl] = '\0';
					if (!leaf || strncmp(rel, it->prefix, strlen(it->prefix)))
						continue;
					snprintf(it->name, sizeof(it->name), "%s", rel);
					*name = it->name;
					*size = st.st_size;
					return 1;
				}
			}
			it->path[top->len + nl] = '/';
			it->path[top->len + nl + 1] = '\0';
			lr_push(it, top->len + nl + 1);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		const char *rel = it->path + it->base_len;
		snprintf(it->name, sizeof(it->name), "%.*s", (int)fqn_rel_name(rel, strlen(rel)), rel); /* (a leaf: its object) */
		if (nm[0] == '.' && nm[1] == 'x' && fqn_is_fntl(nm, nl)) { /* a long name's short form */
			lom_md_t md;
			lom_md_init(&md);
			if (!lom_load(-1, it->path, &md) && md.name)
				snprintf(it->name, sizeof(it->name), "%s", md.name);
			lom_md_fini(&md);
		}
		if (strncmp(it->name, it->prefix, strlen(it->prefix)))
			continue;
		*name = it->name;
		*size = st.st_size;
		return 1;
	}
}

int xs_lr_next(xs_lr_t *it, const char **name, int64_t *size, char *err, size_t cap)
{
	*size = -1;
	switch (it->mode) {
	case LR_LIST:
		while (it->ni < json_array_size(it->names)) {
			const char *n = json_string_value(json_array_get(it->names, it->ni++));
			if (n && *n && lr_mine(it, n)) {
				*name = n;
				return 1;
			}
		}
		return 0;
	case LR_TMPL: {
		const char *n;
		while (tmpl_next(&it->t, &n))
			if (lr_mine(it, n)) {
				*name = n;
				return 1;
			}
		return 0;
	}
	case LR_PREFIX:
		if (it->src == XS_LR_REMOTE && bk_of(it->b))
			return lr_remote_next(it, name, size, err, cap);
		return lr_local_next(it, name, size);
	}
	return 0;
}

void xs_lr_close(xs_lr_t *it)
{
	if (!it)
		return;
	while (it->sp)
		lr_pop(it);
	json_decref(it->names);
	tmpl_fini(&it->t);
	free(it->prefix);
	free(it->token);
	lso_res_fini(&it->page);
	smap_put(it->sm);
	free(it);
}

/* ---- workers ---- */

typedef struct lr_pool {
	xact_t *x;
	xs_lr_t *it;
	xs_work_fn fn;
	void *arg;
	pthread_mutex_t mu; /* it, rc, err */
	int rc;
	char *err;
	size_t cap;
} lr_pool_t;

static void *lr_worker(void *a)
{
	lr_pool_t *p = a;
	char name[FQN_MAX];
	for (;;) {
		const char *n;
		int64_t size;
		pthread_mutex_lock(&p->mu);
		int rc = p->rc || xact_aborted(p->x) ? 0 : xs_lr_next(p->it, &n, &size, p->err, p->cap);
		if (rc == 1)
			snprintf(name, sizeof(name), "%s", n);
		else if (rc < 0 && !p->rc)
			p->rc = rc;
		pthread_mutex_unlock(&p->mu);
		if (rc != 1)
			break;
		rc = p->fn(p->arg, name, size);
		if (rc < 0) {
			pthread_mutex_lock(&p->mu);
			if (!p->rc)
				p->rc = rc;
			pthread_mutex_unlock(&p->mu);
			break;
		}
	}
	return NULL;
}

int xs_run_workers(xact_t *x, xs_lr_t *it, int n, xs_work_fn fn, void *arg, char *err, size_t cap)
{
	lr_pool_t p = {.x = x, .it = it, .fn = fn, .arg = arg, .err = err, .cap = cap};
	pthread_mutex_init(&p.mu, NULL);
	if (n > 64)
		n = 64;
	pthread_t th[64];
	int started = 0;
	for (int i = 1; i < n; i++)
		if (!pthread_create(&th[started], NULL, lr_worker, &p))
			started++;
	lr_worker(&p);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	return p.rc;
}
