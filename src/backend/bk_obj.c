/* bk_obj: cold GET with single flight, warm-GET check, write-through (see bk_obj.h).
 * State: the flight table (fl_mu): a short array of in-flight fetches, each with its followers.
 * Lock order: fl_mu is never held while calling out (callbacks, network, disk). */
#include "backend/bk_obj.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster/bprops.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "obj/obj_get.h"
#include "obj/obj_put.h"
#include "obj/ufest.h"
#include "stats/stats.h"

/* ---- single flight ---- */

typedef struct fl_waiter {
	bk_flight_cb cb;
	void *arg;
	struct fl_waiter *next;
} fl_waiter_t;

struct bk_flight {
	uint64_t digest;
	char *uname;          /* provider/ns/bucket/name: exact identity */
	fl_waiter_t *waiters; /* LIFO; run in arrival order */
	struct bk_flight *next;
};

static pthread_mutex_t fl_mu = PTHREAD_MUTEX_INITIALIZER;
static bk_flight_t *fl_head;
static int fl_n;

static char *fl_uname(const obj_t *o)
{
	const bck_t *b = o->bck;
	size_t n = strlen(b->provider) + strlen(b->ns) + strlen(b->name) + o->olen + 4;
	char *u = malloc(n);
	if (u)
		snprintf(u, n, "%s/%s/%s/%s", b->provider, b->ns, b->name, o->oname);
	return u;
}

int bk_flight_join(const obj_t *o, bk_flight_cb cb, void *arg, bk_flight_t **out)
{
	char *un = fl_uname(o);
	fl_waiter_t *w = malloc(sizeof(*w));
	bk_flight_t *nf = malloc(sizeof(*nf));
	if (!un || !w || !nf) {
		free(un);
		free(w);
		free(nf);
		return AIS_ENOMEM;
	}
	pthread_mutex_lock(&fl_mu);
	for (bk_flight_t *f = fl_head; f; f = f->next) {
		if (f->digest != o->digest || strcmp(f->uname, un))
			continue;
		w->cb = cb;
		w->arg = arg;
		w->next = f->waiters;
		f->waiters = w;
		pthread_mutex_unlock(&fl_mu);
		free(un);
		free(nf);
		return BK_FOLLOWER;
	}
	nf->digest = o->digest;
	nf->uname = un;
	nf->waiters = NULL;
	nf->next = fl_head;
	fl_head = nf;
	fl_n++;
	pthread_mutex_unlock(&fl_mu);
	free(w);
	*out = nf;
	return BK_LEADER;
}

static void fl_run(fl_waiter_t *w, int rc, const bk_err_t *e)
{
	/* reverse (LIFO -> arrival order), then call */
	fl_waiter_t *r = NULL;
	while (w) {
		fl_waiter_t *n = w->next;
		w->next = r;
		r = w;
		w = n;
	}
	while (r) {
		fl_waiter_t *n = r->next;
		r->cb(r->arg, rc, e);
		free(r);
		r = n;
	}
}

void bk_flight_done(bk_flight_t *f, int rc, const bk_err_t *e)
{
	pthread_mutex_lock(&fl_mu);
	for (bk_flight_t **pp = &fl_head; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			fl_n--;
			break;
		}
	fl_waiter_t *w = f->waiters;
	f->waiters = NULL;
	pthread_mutex_unlock(&fl_mu);
	fl_run(w, rc, e);
	free(f->uname);
	free(f);
}

void bk_flight_shutdown(void)
{
	bk_err_t e;
	bk_fail(&e, 503, NULL, "node is shutting down");
	pthread_mutex_lock(&fl_mu);
	fl_waiter_t *all = NULL;
	for (bk_flight_t *f = fl_head; f; f = f->next) {
		while (f->waiters) {
			fl_waiter_t *w = f->waiters;
			f->waiters = w->next;
			w->next = all;
			all = w;
		}
	}
	pthread_mutex_unlock(&fl_mu);
	fl_run(all, AIS_EUNAVAIL, &e);
}

int bk_flight_count(void)
{
	pthread_mutex_lock(&fl_mu);
	int n = fl_n;
	pthread_mutex_unlock(&fl_mu);
	return n;
}

/* ---- custom metadata ---- */

int bk_stats_backend(const bck_t *b) { return !strcmp(b->provider, "aws") ? STATS_RB_AWS : STATS_RB_REMAIS; }

int bk_md_from_oattrs(lom_md_t *md, const char *provider, const bk_oattrs_t *oa)
{
	int rc = lom_md_custom_set(md, "source", provider);
	if (!rc && oa->etag[0])
		rc = lom_md_custom_set(md, "ETag", oa->etag);
	if (!rc && oa->md5[0])
		rc = lom_md_custom_set(md, "md5", oa->md5);
	if (!rc && oa->version[0])
		rc = lom_md_custom_set(md, "version", oa->version);
	if (!rc && oa->mtime_ns) { /* time.RFC3339 (seconds) */
		char t[64];
		time_t s = (time_t)(oa->mtime_ns / 1000000000LL);
		struct tm tm;
		gmtime_r(&s, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
		rc = lom_md_custom_set(md, "LastModified", t);
	}
	if (!rc && oa->last_modified[0])
		rc = lom_md_custom_set(md, "Last-Modified", oa->last_modified);
	snprintf(md->version, sizeof(md->version), "%s", oa->version);
	return rc;
}

/* ---- cold GET ---- */

typedef struct cold {
	const obj_t *o;
	const bk_tee_t *tee;
	bool tee_off;
	bool validate;
	obj_put_t *w;
	bk_oattrs_t oa;
	int64_t t0;
} cold_t;

/* the writer starts once the size is known: above chunks.objsize_limit the object is chunked */
static int cold_hdr(void *arg, const bk_oattrs_t *oa)
{
	cold_t *c = arg;
	c->oa = *oa;
	obj_put_opts_t opt = {.size_hint = oa->size, .acct = OBJ_ACCT_NONE, .tag = "cold", .keep_version = true,
			      .md5 = c->validate && oa->md5[0]};
	obj_why_t why;
	int rc = obj_put_begin(c->o, &opt, &c->w, &why);
	if (rc)
		return rc;
	if (c->tee && c->tee->begin && c->tee->begin(c->tee->arg, oa))
		c->tee_off = true;
	return 0;
}

static int cold_sink(void *arg, const char *buf, size_t n)
{
	cold_t *c = arg;
	int rc = obj_put_write(c->w, buf, n);
	if (rc)
		return rc;
	if (!c->tee_off && c->tee && c->tee->data && c->tee->data(c->tee->arg, buf, n))
		c->tee_off = true; /* the requester is gone: keep fetching for the others */
	return 0;
}

static int cold_md_cb(void *arg, lom_md_t *md, const obj_put_res_t *res)
{
	cold_t *c = arg;
	if (c->validate && c->oa.md5[0] && strcmp(res->md5_hex, c->oa.md5))
		return AIS_ECKSUM;
	if (c->validate && c->oa.cktype != CKSUM_NONE && c->oa.cktype == md->cktype && strcmp(md->ckval, c->oa.ckval))
		return AIS_ECKSUM;
	return bk_md_from_oattrs(md, c->o->bck->provider, &c->oa);
}

int bk_cold_get(const obj_t *o, const bk_tee_t *tee, lom_md_t *md, bk_err_t *e)
{
	const bk_ops_t *ops = bk_of(o->bck);
	if (!ops)
		return bk_fail(e, 400, NULL, "not a remote bucket");
	cold_t c = {.o = o, .tee = tee, .validate = o->bck->validate_cold_get, .t0 = stats_now()};
	e->status = 0;
	int rc = ops->get_obj(o->bck, o->oname, 0, 0, cold_hdr, cold_sink, &c, &c.oa, e);
	if (rc) {
		obj_put_abort(c.w, 0);
		return rc;
	}
	if (!c.w && (rc = cold_hdr(&c, &c.oa))) /* (an empty body: no header callback before it) */
		return bk_fail(e, err_http_status(rc), NULL, "%s: failed to store: %s", o->oname, err_str(rc));
	stats_remote(bk_stats_backend(o->bck), STATS_RB_GET_N, c.t0, c.oa.size);
	obj_put_res_t res;
	obj_why_t why;
	/* the md callback is set late: the validation needs what the headers said */
	obj_put_set_md_cb(c.w, cold_md_cb, &c);
	rc = obj_put_commit(c.w, &res, &why);
	c.w = NULL;
	if (rc) {
		char cn[OBJ_UNAME_MAX];
		bk_cname(o->bck, o->oname, cn, sizeof(cn));
		if (rc == AIS_ECKSUM)
			bk_fail(e, 500, "ErrBadCksum", "BAD DATA CHECKSUM: %s: the object's MD5 differs from its ETag (%s)", cn,
				c.oa.etag);
		else
			bk_fail(e, err_http_status(rc), NULL, "%s: failed to store the cold GET: %s", cn, err_str(rc));
	} else if (md) {
		lom_md_fini(md);
		*md = res.md;
		lom_md_init(&res.md);
	}
	lom_md_fini(&res.md);
	return rc;
}

/* ---- blocking single flight (jobs) ---- */

typedef struct fetch_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	int rc;
	bk_err_t e;
} fetch_wait_t;

static void fetch_wait_cb(void *arg, int rc, const bk_err_t *e)
{
	fetch_wait_t *fw = arg;
	pthread_mutex_lock(&fw->mu);
	fw->rc = rc;
	if (e)
		fw->e = *e;
	fw->done = true;
	pthread_cond_signal(&fw->cv);
	pthread_mutex_unlock(&fw->mu);
}

static bool obj_present(const obj_t *o)
{
	obj_get_t g;
	obj_why_t why;
	int rc = obj_get_open(&g, o, OBJ_GET_QUIET | OBJ_GET_HEAD, &why);
	obj_get_close(&g);
	return rc == 0;
}

int bk_fetch(const obj_t *o, bool refresh, bk_err_t *e)
{
	fetch_wait_t fw = {.done = false};
	pthread_mutex_init(&fw.mu, NULL);
	pthread_cond_init(&fw.cv, NULL);
	bk_flight_t *f = NULL;
	int rc = bk_flight_join(o, fetch_wait_cb, &fw, &f);
	if (rc == BK_LEADER) {
		rc = !refresh && obj_present(o) ? 0 : bk_cold_get(o, NULL, NULL, e);
		bk_flight_done(f, rc, e);
	} else if (rc == BK_FOLLOWER) {
		pthread_mutex_lock(&fw.mu);
		while (!fw.done)
			pthread_cond_wait(&fw.cv, &fw.mu);
		pthread_mutex_unlock(&fw.mu);
		rc = fw.rc;
		if (rc)
			*e = fw.e;
	} else {
		bk_fail(e, 500, NULL, "out of memory");
	}
	pthread_mutex_destroy(&fw.mu);
	pthread_cond_destroy(&fw.cv);
	return rc;
}

/* ---- warm GET ---- */

bool bk_warm_wanted(const obj_t *o, bool latest)
{
	if (latest)
		return true;
	json_t *p = o->bck->props;
	return p && (bprops_bool(p, "versioning.validate_warm_get", false) || bprops_bool(p, "versioning.synchronize", false));
}

int bk_warm_check(const obj_t *o, const lom_md_t *md, bk_warm_t *verdict, bk_err_t *e)
{
	const bk_ops_t *ops = bk_of(o->bck);
	bk_oattrs_t oa;
	*verdict = BK_WARM_SAME;
	if (!ops)
		return 0;
	int rc = ops->head_obj(o->bck, o->oname, &oa, e);
	stats_remote(bk_stats_backend(o->bck), STATS_RB_HEAD_N, 0, -1);
	if (rc == AIS_ENOTFOUND && e->status == 404) {
		*verdict = BK_WARM_DELETED;
		return 0;
	}
	if (rc)
		return rc;
	int matches = 0;
	bool changed = false;
	if (oa.size >= 0 && md->size != oa.size)
		changed = true;
	const char *lv = lom_md_custom_get(md, "version");
	if (!changed && oa.version[0] && lv && *lv) {
		changed = strcmp(lv, oa.version) != 0;
		matches++;
	}
	if (!changed && oa.cktype != CKSUM_NONE && oa.cktype == md->cktype && md->ckval[0]) {
		changed = strcmp(oa.ckval, md->ckval) != 0;
		matches++;
	}
	const char *le = lom_md_custom_get(md, "ETag");
	if (!changed && oa.etag[0] && le && *le) {
		changed = strcmp(le, oa.etag) != 0;
		matches++;
	}
	*verdict = changed || !matches ? BK_WARM_CHANGED : BK_WARM_SAME;
	return 0;
}

/* ---- write-through ---- */

int bk_put_through(const obj_t *o, int fd, int64_t size, lom_md_t *md, bk_err_t *e)
{
	const bk_ops_t *ops = bk_of(o->bck);
	if (!ops)
		return 0;
	bk_oattrs_t oa;
	int64_t t0 = stats_now();
	memset(&oa, 0, sizeof(oa));
	int rc = ops->put_obj(o->bck, o->oname, fd, size, md, &oa, e);
	if (rc)
		return rc;
	stats_remote(bk_stats_backend(o->bck), STATS_RB_PUT_N, t0, size);
	if (!oa.md5[0] && !oa.etag[0] && md->cktype == CKSUM_NONE)
		log_warn("%s: remote answered the PUT without an ETag", o->oname);
	return bk_md_from_oattrs(md, o->bck->provider, &oa) ? bk_fail(e, 500, NULL, "out of memory") : 0;
}

int bk_mpu_through(const obj_t *o, const ufest_t *u, lom_md_t *md, bk_err_t *e)
{
	const bk_ops_t *ops = bk_of(o->bck);
	if (!ops)
		return 0;
	bk_oattrs_t oa;
	memset(&oa, 0, sizeof(oa));
	int64_t t0 = stats_now();
	int rc = 0;
	if (u->count == 1) {
		int fd = open(u->chunks[0].path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return bk_fail(e, 500, NULL, "%s: open part 1: %s", o->oname, strerror(errno));
		rc = ops->put_obj(o->bck, o->oname, fd, u->chunks[0].size, md, &oa, e);
		close(fd);
		goto done;
	}
	if (!ops->mpt_start)
		return bk_fail(e, 501, NULL, "%s: multipart upload to a %s backend is not supported", o->oname, ops->name);
	char id[512];
	if ((rc = ops->mpt_start(o->bck, o->oname, id, sizeof(id), e)))
		return rc;
	bk_part_t *parts = calloc((size_t)u->count, sizeof(*parts));
	if (!parts) {
		rc = bk_fail(e, 500, NULL, "out of memory");
		goto abort;
	}
	for (int i = 0; i < u->count && !rc; i++) {
		int fd = open(u->chunks[i].path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			rc = bk_fail(e, 500, NULL, "%s: open part %d: %s", o->oname, u->chunks[i].num, strerror(errno));
			break;
		}
		parts[i].num = i + 1; /* the remote's parts are 1..N whatever the local numbers */
		rc = ops->mpt_part(o->bck, o->oname, id, i + 1, fd, 0, u->chunks[i].size, parts[i].etag, sizeof(parts[i].etag), e);
		close(fd);
	}
	if (!rc)
		rc = ops->mpt_complete(o->bck, o->oname, id, parts, u->count, &oa, e);
	free(parts);
	if (!rc)
		goto done;
abort:;
	bk_err_t ae;
	ops->mpt_abort(o->bck, o->oname, id, &ae);
	return rc;
done:
	if (rc)
		return rc;
	stats_remote(bk_stats_backend(o->bck), STATS_RB_PUT_N, t0, u->size);
	return bk_md_from_oattrs(md, o->bck->provider, &oa) ? bk_fail(e, 500, NULL, "out of memory") : 0;
}

int bk_delete_through(const obj_t *o, bk_err_t *e)
{
	const bk_ops_t *ops = bk_of(o->bck);
	if (!ops)
		return 0;
	return ops->delete_obj(o->bck, o->oname, e);
}
