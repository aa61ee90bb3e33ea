/* xs_moss_emit: GetBatch phase 2, the designated target's assembly (see xs_moss.h): the items in
 * request order into one archive writer (archive/arch_wr.h) whose sink is the streamed response
 * (begun at the first flush: MEMIT_OBUF of output gathered, a local entry going out by sendfile,
 * or the end; so an error before it is still a JSON error, by sizes only, never timing) or, for
 * multipart, an unnamed spool file. Local items come from disk (a plain TAR output takes their
 * bytes by sendfile, small ones by a read), pushed ones from their slots (and the sender gets its
 * reply, i.e. its window back, once the entry is out), announced large ones and those that did
 * not arrive in get_batch.max_wait from their owner (xs_gfn). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "archive/arch_obj.h"
#include "archive/arch_wr.h"
#include "cluster/node.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/util.h"
#include "fs/fs.h"
#include "obj/obj_get.h"
#include "xact/xs_gfn.h"
#include "xact/xs_moss.h"
#include "xact/xs_moss_int.h"

#define MEMIT_BLK (256 * 1024)
#define MEMIT_OBUF (256 * 1024) /* output gathered before it goes to the response or the spool */
#define MEMIT_SENDFILE_MIN (64 * 1024) /* smaller payloads are copied: cheaper than a sendfile */

typedef struct memit {
	http_req_t *r;
	moss_wi_t *wi;
	const moss_req_t *req;
	const moss_ctx_t *ctx;
	bool mp;            /* multipart: into the spool */
	int spool;
	bool began;
	arch_wr_t *aw;
	char *blk;
	char *obuf;         /* MEMIT_OBUF: small writes (TAR headers, padding, small entries) gather here */
	size_t olen;
	int soft, ngfn, max_soft, max_gfn;
	int64_t max_wait_ns;
	json_t *outs;
	sbuf_t name;
	int status;         /* the error's HTTP status (0: from the code) */
	char err[768];
	/* the entry a GFN is writing */
	const char *gfn_name;
	int64_t gfn_size;
	bool gfn_begun;
} memit_t;

/* ---------------------------------------------------------------- sinks */

/* out to the spool (multipart) or the response (begun at the first bytes) */
static int memit_out_raw(memit_t *m, const void *buf, size_t len)
{
	if (m->mp) {
		const char *p = buf;
		while (len) {
			ssize_t n = write(m->spool, p, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return err_from_errno(n < 0 ? errno : ENOSPC);
			p += n;
			len -= (size_t)n;
		}
		return 0;
	}
	if (!m->began) {
		m->began = true;
		int rc = http_resp_begin(m->r, 200, arch_mime_ctype(m->req->fmt), -1);
		if (rc)
			return rc;
	}
	return http_resp_write(m->r, buf, len);
}

/* what is gathered goes out now (before a sendfile, a wait, the end) */
static int memit_flush(memit_t *m)
{
	if (!m->olen)
		return 0;
	int rc = memit_out_raw(m, m->obuf, m->olen);
	m->olen = 0;
	return rc;
}

static int memit_write(void *arg, const void *buf, size_t len)
{
	memit_t *m = arg;
	if (m->olen + len > MEMIT_OBUF) {
		int rc = memit_flush(m);
		if (rc || len > MEMIT_OBUF / 2)
			return rc ? rc : memit_out_raw(m, buf, len);
	}
	memcpy(m->obuf + m->olen, buf, len);
	m->olen += len;
	return 0;
}

static int memit_sendfile(void *arg, int fd, int64_t off, int64_t len)
{
	memit_t *m = arg;
	if (m->mp) {
		int rc = memit_flush(m); /* the spool keeps the order */
		if (rc)
			return rc;
		while (len > 0) {
			loff_t o = off;
			ssize_t n = copy_file_range(fd, &o, m->spool, NULL, (size_t)len, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break; /* (a cross-filesystem copy: read and write below) */
			off += n;
			len -= n;
		}
	}
	if (!m->mp && len >= MEMIT_SENDFILE_MIN) {
		int rc = memit_flush(m); /* (begins the response when nothing went out yet) */
		if (!rc && !m->began)
			rc = memit_out_raw(m, "", 0);
		return rc ? rc : http_resp_sendfile(m->r, fd, off, (uint64_t)len);
	}
	while (len > 0) {
		size_t want = len < MEMIT_BLK ? (size_t)len : MEMIT_BLK;
		ssize_t n = pread(fd, m->blk, want, off);
		if (n <= 0)
			return n < 0 ? err_from_errno(errno) : AIS_EIO;
		int rc = memit_write(m, m->blk, (size_t)n);
		if (rc)
			return rc;
		off += n;
		len -= n;
	}
	return 0;
}

static int memit_obj_sink(void *arg, const char *buf, size_t n) { return arch_wr_data(((memit_t *)arg)->aw, buf, n); }

/* ---------------------------------------------------------------- entries */

static int memit_entry(memit_t *m, const char *name, int64_t size, int64_t mtime_s)
{
	int rc = arch_wr_begin(m->aw, name, size, mtime_s);
	if (rc && !m->err[0])
		snprintf(m->err, sizeof(m->err), "%s", arch_wr_err(m->aw));
	return rc;
}

static void memit_out(memit_t *m, const moss_in_t *in, const char *bucket, int64_t size, const char *emsg)
{
	if (!m->outs)
		return;
	json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "objname", in->objname, "bucket", bucket, "provider", "ais", "size",
			      (json_int_t)size);
	if (*in->archpath)
		json_object_set_new(o, "archpath", json_string(in->archpath));
	if (emsg && *emsg)
		json_object_set_new(o, "err_msg", json_string(emsg));
	if (*in->opaque)
		json_object_set_new(o, "opaque", json_string(in->opaque));
	json_array_append_new(m->outs, o);
}

/* a missing item: the placeholder (coer, within the soft limit) or the request's failure */
static int memit_missing(memit_t *m, int i, const char *bucket)
{
	const moss_in_t *in = &m->req->in[i];
	char why[512];
	const char *w = m->err[0] ? m->err : "does not exist";
	size_t wn = strnlen(w, sizeof(why) - 1); /* a long reason is cut */
	memcpy(why, w, wn);
	why[wn] = '\0';
	m->status = 404;
	if (!m->req->coer)
		return AIS_ENOTFOUND; /* m->err says why */
	if (++m->soft > m->max_soft) {
		snprintf(m->err, sizeof(m->err), "get-batch[%s]: wid=\"%s\" exceeded soft-errors limit: %d (max: %d): %s",
			 m->ctx->xid, m->wi->wid, m->soft, m->max_soft, why);
		return AIS_ENOTFOUND;
	}
	m->status = 0;
	moss_name(m->req, in, bucket, true, &m->name);
	int rc = memit_entry(m, sbuf_str(&m->name), 0, 0);
	if (!rc)
		memit_out(m, in, bucket, 0, why);
	return rc;
}

static int memit_local_arch(memit_t *m, obj_get_t *g, const moss_in_t *in, const char *bucket, int64_t *size)
{
	arch_fmt_t f;
	arch_loc_t loc;
	char err[400] = "", cn[300];
	int rc = arch_obj_fmt(g, "", &f, err, sizeof(err));
	if (!rc)
		rc = arch_obj_find(g, f, in->archpath, &loc, err, sizeof(err));
	if (rc == AIS_ENOTFOUND) {
		obj_cname(g->o->bck, g->o->oname, cn, sizeof(cn));
		snprintf(m->err, sizeof(m->err), "%s in %s does not exist", in->archpath, cn);
		return rc;
	}
	if (rc) {
		obj_cname(g->o->bck, g->o->oname, cn, sizeof(cn));
		snprintf(m->err, sizeof(m->err), "%s: failed to read archive: %s", cn, err);
		m->status = rc == AIS_EINVAL ? 400 : 0;
		return rc;
	}
	moss_name(m->req, in, bucket, false, &m->name);
	if (!(rc = memit_entry(m, sbuf_str(&m->name), loc.size, 0))) {
		if (loc.data_off >= 0 && !g->chunked)
			rc = arch_wr_data_fd(m->aw, g->fd, loc.data_off, loc.size);
		else
			rc = arch_obj_read(g, &loc, memit_obj_sink, m, err, sizeof(err));
	}
	arch_loc_fini(&loc);
	*size = loc.size;
	return rc;
}

static int memit_local(memit_t *m, int i, const char *bucket, int64_t *size)
{
	const moss_in_t *in = &m->req->in[i];
	obj_t o;
	obj_get_t g;
	obj_why_t why;
	char cn[400];
	memset(&o, 0, sizeof(o));
	memset(&g, 0, sizeof(g));
	int rc = obj_place(&o, m->wi->bck[i], in->objname);
	if (!rc)
		rc = obj_get_open(&g, &o, OBJ_GET_QUIET, &why);
	if (!rc && g.chunked)
		rc = obj_get_prepare(&g, &why);
	if (rc) {
		obj_cname(m->wi->bck[i], in->objname, cn, sizeof(cn));
		snprintf(m->err, sizeof(m->err), "%s: %s %s", node_name(), cn, rc == AIS_ENOTFOUND ? "does not exist" : obj_why_str(why));
		goto out;
	}
	if (*in->archpath) {
		rc = memit_local_arch(m, &g, in, bucket, size);
		goto out;
	}
	moss_name(m->req, in, bucket, false, &m->name);
	*size = g.size;
	if ((rc = memit_entry(m, sbuf_str(&m->name), g.size, g.md.atime / 1000000000LL)))
		goto out;
	if (!g.chunked) {
		rc = arch_wr_data_fd(m->aw, g.fd, 0, g.size);
	} else {
		for (int64_t pos = 0; !rc && pos < g.size;) {
			ssize_t n = obj_get_pread(&g, m->blk, MEMIT_BLK, pos);
			rc = n <= 0 ? (n < 0 ? (int)n : AIS_EIO) : arch_wr_data(m->aw, m->blk, (size_t)n);
			pos += n > 0 ? n : 0;
		}
	}
out:
	obj_get_close(&g);
	obj_fini(&o);
	return rc;
}

static int memit_gfn_begin(void *arg, int64_t size)
{
	memit_t *m = arg;
	if (size < 0)
		return AIS_EINVAL;
	m->gfn_size = size;
	m->gfn_begun = true;
	return memit_entry(m, m->gfn_name, size, 0);
}

static int memit_gfn_data(void *arg, const void *buf, size_t n) { return arch_wr_data(((memit_t *)arg)->aw, buf, n); }

/* fetch item i from its owner (announced large, or never pushed) */
static int memit_gfn(memit_t *m, int i, const char *bucket, int64_t *size)
{
	const moss_in_t *in = &m->req->in[i];
	const snode_t *owner = &m->wi->smap->targets[m->wi->slots[i].owner];
	xs_gfn_cb_t cb = {.begin = memit_gfn_begin, .data = memit_gfn_data, .arg = m};
	moss_name(m->req, in, bucket, false, &m->name);
	m->gfn_name = sbuf_str(&m->name);
	m->gfn_begun = false;
	int rc = xs_gfn_get(owner, m->wi->bck[i], in->objname, in->archpath, (int)(m->max_wait_ns / 1000000) * 2 + 60000,
			    &cb, NULL, m->err, sizeof(m->err));
	if (rc == AIS_ENOTFOUND && m->gfn_begun)
		rc = AIS_EIO; /* (a broken transfer, not a missing item) */
	*size = m->gfn_size;
	return rc;
}

/* wait for a pushed entry: the slot (locked) once it is not WAIT, or NULL after max_wait */
static mslot_t *memit_wait(memit_t *m, int i)
{
	moss_wi_t *wi = m->wi;
	mslot_t *s = &wi->slots[i];
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	int64_t ns = dl.tv_nsec + m->max_wait_ns;
	dl.tv_sec += ns / 1000000000LL;
	dl.tv_nsec = ns % 1000000000LL;
	pthread_mutex_lock(&wi->mu);
	while (s->st == MS_WAIT && !wi->gone)
		if (pthread_cond_timedwait(&wi->cv, &wi->mu, &dl) == ETIMEDOUT)
			break;
	if (s->st == MS_READY)
		return s;
	pthread_mutex_unlock(&wi->mu);
	return NULL;
}

static int memit_remote(memit_t *m, int i, const char *bucket, int64_t *size)
{
	int rc;
	pthread_mutex_lock(&m->wi->mu);
	bool ready = m->wi->slots[i].st != MS_WAIT;
	pthread_mutex_unlock(&m->wi->mu);
	/* once the response began, the client gets what there is while we wait; before, the output
	 * keeps gathering, so whether an error is still a JSON error depends on sizes only */
	if (!ready && m->began && (rc = memit_flush(m)))
		return rc;
	mslot_t *s = memit_wait(m, i);
	if (!s) { /* not pushed in time: get it from its owner (AIStore's GFN) */
		if (m->max_gfn >= 0 && m->ngfn >= m->max_gfn) {
			snprintf(m->err, sizeof(m->err), "get-batch[%s]: timed out waiting for entry %d (wid=\"%s\")", m->ctx->xid,
				 i, m->wi->wid);
			return AIS_ETIMEOUT;
		}
		m->ngfn++;
		return memit_gfn(m, i, bucket, size);
	}
	s->st = MS_DONE;
	char *buf = s->buf, *emsg = s->emsg;
	uint8_t fl = s->fl;
	int64_t sz = s->size, atime = s->atime_ns;
	s->buf = NULL;
	s->emsg = NULL;
	pthread_mutex_unlock(&m->wi->mu);
	if (fl & MF_MISSING) {
		snprintf(m->err, sizeof(m->err), "%s", emsg ? emsg : "does not exist");
		rc = AIS_ENOTFOUND;
	} else if (fl & MF_BIG) {
		rc = memit_gfn(m, i, bucket, size);
	} else {
		moss_name(m->req, &m->req->in[i], bucket, false, &m->name);
		rc = memit_entry(m, sbuf_str(&m->name), sz, atime / 1000000000LL);
		if (!rc && sz)
			rc = arch_wr_data(m->aw, buf, (size_t)sz);
		*size = sz;
	}
	pthread_mutex_lock(&m->wi->mu);
	moss_slot_reply(s, 0, NULL); /* the sender's window moves on */
	pthread_mutex_unlock(&m->wi->mu);
	free(buf);
	free(emsg);
	return rc;
}

static int memit_item(memit_t *m, int i)
{
	const moss_in_t *in = &m->req->in[i];
	const char *bucket = m->wi->bck[i]->name;
	int64_t size = 0;
	m->err[0] = '\0';
	bool loc = m->wi->slots[i].owner < 0;
	int rc = loc ? memit_local(m, i, bucket, &size) : memit_remote(m, i, bucket, &size);
	if (rc == AIS_ENOTFOUND)
		return memit_missing(m, i, bucket);
	if (rc)
		return rc;
	memit_out(m, in, bucket, size, NULL);
	xact_objs_add(m->wi->x, 1, size);
	return 0;
}

/* ---------------------------------------------------------------- multipart */

static void memit_boundary(char *out)
{
	for (int k = 0; k < 4; k++) {
		uint64_t v = rand_u64();
		snprintf(out + 16 * k, 17, "%016llx", (unsigned long long)v);
	}
	out[60] = '\0';
}

/* Go's mime/multipart: the metadata field, then the archive as a form file; sent by sendfile */
static int memit_multipart(memit_t *m)
{
	char b[72];
	memit_boundary(b);
	json_t *resp = json_pack("{s:s, s:O}", "uuid", m->ctx->xid, "out", m->outs);
	char *js = resp ? jsonx_dumps(resp) : NULL;
	json_decref(resp);
	off_t size = lseek(m->spool, 0, SEEK_END);
	sbuf_t head = SBUF_INIT, tail = SBUF_INIT;
	sbuf_addf(&head, "--%s\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n%s\n", b, js ? js : "{}");
	sbuf_addf(&head, "\r\n--%s\r\nContent-Disposition: form-data; name=\"archive\"; filename=\"get-batch[%s]\"\r\n"
		  "Content-Type: application/octet-stream\r\n\r\n", b, m->ctx->xid);
	sbuf_addf(&tail, "\r\n--%s--\r\n", b);
	free(js);
	char ct[128];
	snprintf(ct, sizeof(ct), "multipart/mixed; boundary=%s", b);
	int rc = head.oom || tail.oom || size < 0 ? AIS_ENOMEM : 0;
	if (!rc)
		rc = http_resp_begin(m->r, 200, ct, (int64_t)(head.len + (size_t)size + tail.len));
	m->began = !rc;
	if (!rc)
		rc = http_resp_write(m->r, head.p, head.len);
	if (!rc && size)
		rc = http_resp_sendfile(m->r, m->spool, 0, (uint64_t)size);
	if (!rc)
		rc = http_resp_write(m->r, tail.p, tail.len);
	sbuf_fini(&head);
	sbuf_fini(&tail);
	return rc;
}

/* ---------------------------------------------------------------- assemble */

static int memit_spool(memit_t *m)
{
	for (int i = 0; i < fs_count(); i++) {
		if (!fs_in_use(i))
			continue;
		m->spool = open(fs_get(i)->path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (m->spool >= 0)
			return 0;
	}
	snprintf(m->err, sizeof(m->err), "get-batch: no spool file: %s", strerror(errno));
	return AIS_EIO;
}

static void memit_config(memit_t *m)
{
	const config_t *c = config_get();
	m->max_soft = c ? c->get_batch_max_soft_errs : 8;
	m->max_gfn = c ? c->get_batch_max_gfn : 5;
	m->max_wait_ns = c && c->get_batch_max_wait_ns > 0 ? c->get_batch_max_wait_ns : 10000000000LL;
	config_put(c);
}

static void memit_drain_body(http_req_t *r, char *buf)
{
	size_t total = 0;
	for (ssize_t n; (n = http_body_read(r, buf, MEMIT_BLK)) > 0;)
		if ((total += (size_t)n) > MOSS_BODY_MAX_DFLT * 4)
			break;
}

static int memit_run(memit_t *m)
{
	arch_sink_t sink = {.write = memit_write, .sendfile = memit_sendfile, .arg = m};
	int rc = m->mp ? memit_spool(m) : 0;
	if (!rc && (rc = arch_wr_new(&m->aw, m->req->fmt, &sink)))
		snprintf(m->err, sizeof(m->err), "get-batch: archive writer: %s", err_str(rc));
	for (int i = 0; !rc && i < m->req->n; i++) {
		if (xact_aborted(m->wi->x)) {
			snprintf(m->err, sizeof(m->err), "get-batch[%s] aborted", m->ctx->xid);
			rc = AIS_EUNAVAIL;
		} else {
			rc = memit_item(m, i);
		}
	}
	if (!rc && (rc = arch_wr_close(m->aw)))
		snprintf(m->err, sizeof(m->err), "%s", arch_wr_err(m->aw));
	if (!rc)
		rc = memit_flush(m);
	if (!rc && m->mp)
		rc = memit_multipart(m);
	return rc;
}

void xs_moss_assemble(http_req_t *r, const moss_ctx_t *ctx)
{
	memit_t m = {.r = r, .ctx = ctx, .spool = -1, .name = SBUF_INIT};
	if (!(m.blk = malloc(MEMIT_BLK)) || !(m.obuf = malloc(MEMIT_OBUF))) {
		free(m.blk);
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	memit_drain_body(r, m.blk); /* the MossReq again: phase 1 has it */
	moss_wi_t *wi = moss_wi_find(ctx->wid);
	bool mine = false;
	if (wi) {
		pthread_mutex_lock(&wi->mu);
		mine = !wi->taken && !wi->gone;
		wi->taken = true;
		pthread_mutex_unlock(&wi->mu);
	}
	if (!mine) {
		http_error(r, wi ? 409 : 404, NULL, "x-moss: wid=\"%s\" %s (xid %s)", ctx->wid,
			   wi ? "is being assembled already" : "not found (prep-rx not done?)", ctx->xid);
		moss_wi_put(wi);
		free(m.blk);
		free(m.obuf);
		return;
	}
	m.wi = wi;
	m.req = &wi->req;
	m.mp = !wi->req.strm;
	m.outs = m.mp ? json_array() : NULL;
	memit_config(&m);
	int rc = memit_run(&m);
	if (!rc && !m.mp) {
		http_resp_end(r);
	} else if (rc && m.began) { /* cut: never a well-formed short archive */
		log_warn("get-batch %s: wid %s failed after output began: %s", ctx->xid, wi->wid, m.err[0] ? m.err : err_str(rc));
		http_resp_abort(r);
	} else if (rc) {
		if (m.status)
			http_error(r, m.status, m.status == 404 ? "ErrNotFound" : NULL, "%s", m.err[0] ? m.err : err_str(rc));
		else
			http_error_code(r, rc, "%s", m.err[0] ? m.err : err_str(rc));
	} else {
		http_resp_end(r);
	}
	arch_wr_free(m.aw);
	if (m.spool >= 0)
		close(m.spool);
	json_decref(m.outs);
	sbuf_fini(&m.name);
	free(m.blk);
	free(m.obuf);
	moss_wi_unreg(wi);
	moss_wi_put(wi);
}
