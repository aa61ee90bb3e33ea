/* obj_get: GET and HEAD /v1/objects/<bck>/<obj>. GET: open, fstat, LOM from the xattr, Ais-*
 * headers, then the file goes out with sendfile (http_respond_fd), whole or one range.
 * With checksum.validate_warm_get the content is re-hashed first (on a pool thread); a
 * mismatch removes the corrupted object and fails with 500 ErrBadCksum - never bad bytes
 * (AIStore's goi.validateRecover without redundancy). HEAD: the same headers, no body. */
#include "target/obj_get.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/node.h"
#include "core/err.h"
#include "core/fsops.h"
#include "core/log.h"
#include "fs/fs.h"
#include "stats/stats.h"
#include "target/tgt_int.h"
#include "obj/chunk.h"

static int parse_num(const char *s, size_t n, int64_t *v)
{
	if (n == 0 || n > 18)
		return AIS_EINVAL;
	int64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return AIS_EINVAL;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

int obj_get_range(const char *hdr, int64_t size, int64_t *off, int64_t *len)
{
	if (!hdr || !*hdr)
		return 0;
	if (strncmp(hdr, "bytes=", 6))
		return AIS_EINVAL;
	const char *p = hdr + 6;
	int nr = 0;
	bool no_overlap = false;
	while (1) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *s = p;
		trim(&s, &n);
		if (n) {
			const char *dash = memchr(s, '-', n);
			if (!dash)
				return AIS_EINVAL;
			const char *a = s, *b = dash + 1;
			size_t an = (size_t)(dash - s), bn = n - an - 1;
			trim(&a, &an);
			trim(&b, &bn);
			int64_t o, l, x;
			if (an == 0) {
				/* suffix: last x bytes */
				if (parse_num(b, bn, &x))
					return AIS_EINVAL;
				if (x == 0) {
					no_overlap = true;
					goto next;
				}
				if (x > size)
					x = size;
				o = size - x;
				l = x;
				if (l == 0) {
					no_overlap = true;
					goto next;
				}
			} else {
				if (parse_num(a, an, &o))
					return AIS_EINVAL;
				if (o >= size) {
					no_overlap = true;
					goto next;
				}
				if (bn == 0) {
					l = size - o;
				} else {
					if (parse_num(b, bn, &x) || x < o)
						return AIS_EINVAL;
					if (x >= size)
						x = size - 1;
					l = x - o + 1;
				}
			}
			if (++nr > 1)
				return AIS_ENOTIMPL;
			*off = o;
			*len = l;
		}
next:
		if (!comma)
			break;
		p = comma + 1;
	}
	if (nr == 1)
		return 1;
	return no_overlap ? AIS_ERANGE : 0;
}

/* GET state carried to the pool when the content must be validated first */
typedef struct get_ctx {
	obj_t o;
	lom_md_t md;
	int fd;
	int status;
	off_t off;
	size_t len;
	int64_t size;
	bool head;
	int64_t t0; /* stats */
} get_ctx_t;

static void get_ctx_free(get_ctx_t *g)
{
	if (g->fd >= 0)
		close(g->fd);
	lom_md_fini(&g->md);
	obj_fini(&g->o);
	free(g);
}

static void add_head_props(http_req_t *r, const obj_t *o);

/* headers are added only once the response is certain (not before validation) */
static void get_send(http_req_t *r, get_ctx_t *g)
{
	if (g->head) {
		tobj_add_md_hdrs(r, &g->md);
		add_head_props(r, &g->o);
	} else {
		http_hdr_add(r, "Content-Type", "application/octet-stream");
		tobj_add_md_hdrs(r, &g->md);
		if (g->status == 206) {
			http_hdr_add(r, "Accept-Ranges", "bytes");
			http_hdr_addf(r, "Content-Range", "bytes %lld-%lld/%lld", (long long)g->off,
				      (long long)(g->off + (off_t)g->len - 1), (long long)g->size);
		}
	}
	int fd = g->fd;
	g->fd = -1;
	stats_op(g->head ? STATS_HEAD : STATS_GET, STATS_BCK(g->o.bck), g->t0, g->head ? -1 : (int64_t)g->len);
	http_respond_fd(r, g->status, fd, g->off, g->len);
}

static int get_cksum_sink(void *arg, const char *buf, size_t n)
{
	cksum_update(arg, buf, n);
	return 0;
}

/* pool thread: re-hash the whole object and compare with the stored checksum */
static void get_validate_cb(http_req_t *r)
{
	get_ctx_t *g = r->user;
	r->user = NULL;
	cksum_t ck;
	char val[CKSUM_MAX_HEX];
	int rc = cksum_init(&ck, g->md.cktype);
	if (!rc && (rc = obj_read_all(g->fd, NULL, get_cksum_sink, &ck, NULL)))
		cksum_abort(&ck);
	if (rc && rc != AIS_EIO) {
		http_error_code(r, rc == AIS_ENOMEM ? rc : AIS_EINTERNAL, "validate-on-read: %s", err_str(rc));
		goto out;
	}
	if (rc) {
		stats_err(STATS_ERR_IO_GET, STATS_BCK(g->o.bck));
		http_error(r, 500, NULL, "%s: failed to read %s: %s", node_name(), g->o.fqn, strerror(errno));
		goto out;
	}
	cksum_final(&ck, val);
	if (strcmp(val, g->md.ckval)) {
		char cn[FQN_OBJNAME_MAX + 256];
		obj_cname(g->o.bck, g->o.oname, cn, sizeof(cn));
		log_err("%s: corrupted object %s (%s): stored %s, computed %s - removing", node_name(), cn,
			g->o.fqn, g->md.ckval, val);
		lom_lock(g->o.digest);
		unlink(g->o.fqn);
		lom_unlock(g->o.digest);
		stats_err(STATS_ERR_GET, STATS_BCK(g->o.bck));
		http_error(r, 500, "ErrBadCksum", "BAD DATA CHECKSUM: %s(%s != %s) (context: %s)",
			   cksum_type_str(g->md.cktype), g->md.ckval, val, cn);
		goto out;
	}
	get_send(r, g);
out:
	get_ctx_free(g);
}

/* pool thread: a chunked object streams its chunks in order (pread into a buffer); a commit
 * that raced with us (another manifest id) is retried with the object re-opened. */
static void get_chunked_cb(http_req_t *r)
{
	get_ctx_t *g = r->user;
	r->user = NULL;
	ufest_t u;
	ufest_init(&u);
	int rc = chunk_load(&g->o, &g->md, &u);
	for (int i = 0; rc == AIS_ECONFLICT && i < 5; i++) {
		usleep(2000);
		close(g->fd);
		lom_md_fini(&g->md);
		g->fd = open(g->o.fqn, O_RDONLY | O_CLOEXEC);
		rc = g->fd < 0 ? AIS_ENOTFOUND : obj_load(&g->o, g->fd, &g->md);
		if (!rc && !(g->md.flags & LOM_FL_CHUNKED)) {
			struct stat st;
			if (fstat(g->fd, &st) || g->off + (off_t)g->len > st.st_size) {
				rc = AIS_ECONFLICT;
				continue;
			}
			get_send(r, g); /* replaced by a monolithic version meanwhile */
			goto out;
		}
		if (!rc)
			rc = chunk_load(&g->o, &g->md, &u);
	}
	if (rc || g->off + (int64_t)g->len > u.size) {
		char cn[FQN_OBJNAME_MAX + 256];
		obj_cname(g->o.bck, g->o.oname, cn, sizeof(cn));
		if (rc == AIS_ENOTFOUND)
			tobj_err_notfound(r, &g->o);
		else
			http_error(r, 500, NULL, "%s: %s: chunk manifest: %s", node_name(), cn,
				   err_str(rc ? rc : AIS_EINVAL));
		goto out;
	}
	tobj_add_md_hdrs(r, &g->md);
	if (g->status == 206) {
		http_hdr_add(r, "Accept-Ranges", "bytes");
		http_hdr_addf(r, "Content-Range", "bytes %lld-%lld/%lld", (long long)g->off,
			      (long long)(g->off + (off_t)g->len - 1), (long long)g->size);
	}
	chunk_rd_t rd;
	chunk_rd_init(&rd, &u, g->fd);
	size_t bufsz = 1 << 20;
	char *buf = malloc(bufsz);
	rc = buf ? http_resp_begin(r, g->status, "application/octet-stream", (int64_t)g->len) : AIS_ENOMEM;
	if (rc == AIS_ENOMEM) {
		http_error_code(r, rc, "out of memory");
		chunk_rd_fini(&rd);
		goto out;
	}
	int64_t pos = g->off, end = g->off + (int64_t)g->len;
	while (!rc && pos < end) {
		size_t want = (size_t)(end - pos) < bufsz ? (size_t)(end - pos) : bufsz;
		ssize_t n = chunk_rd_pread(&rd, buf, want, pos);
		if (n <= 0) {
			rc = n ? (int)n : AIS_EIO; /* short: the server closes the connection */
			break;
		}
		rc = http_resp_write(r, buf, (size_t)n);
		pos += n;
	}
	free(buf);
	chunk_rd_fini(&rd);
	stats_op(STATS_GET, STATS_BCK(g->o.bck), g->t0, (int64_t)g->len);
	http_resp_end(r);
out:
	ufest_fini(&u);
	get_ctx_free(g);
}

static void add_head_props(http_req_t *r, const obj_t *o)
{
	http_hdr_add(r, "Ais-Bucket-Name", o->bck->name);
	http_hdr_add(r, "Ais-Bucket-Provider", o->bck->provider);
	http_hdr_add(r, "Ais-Name", o->oname);
	http_hdr_addf(r, "Ais-Location", "%s:%s", node_name(), fs_get(o->mpi)->path);
	http_hdr_add(r, "Ais-Mirror-Copies", "1");
	http_hdr_add(r, "Ais-Present", "true");
}

void obj_get_handle(http_req_t *r)
{
	bool head = r->method == HTTP_M_HEAD;
	get_ctx_t *g = calloc(1, sizeof(*g));
	if (!g) {
		http_error_code(r, AIS_ENOMEM, "out of memory");
		return;
	}
	g->fd = -1;
	g->t0 = stats_now();
	lom_md_init(&g->md);
	if (tobj_init(&g->o, r))
		goto out;
	obj_t *o = &g->o;
	g->fd = open(o->fqn, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (g->fd < 0 || fstat(g->fd, &st) || !S_ISREG(st.st_mode)) {
		if (g->fd < 0 && errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG) {
			http_error(r, 500, NULL, "%s: open %s: %s", node_name(), o->fqn, strerror(errno));
			stats_err(head ? STATS_ERR_HEAD : STATS_ERR_IO_GET, STATS_BCK(o->bck));
			goto out;
		}
		tobj_err_notfound(r, o);
		goto out;
	}
	int rc = obj_load(o, g->fd, &g->md);
	if (rc == AIS_ENOTFOUND) {
		tobj_err_notfound(r, o);
		goto out;
	}
	if (rc) {
		char cn[FQN_OBJNAME_MAX + 256];
		stats_err(head ? STATS_ERR_HEAD : STATS_ERR_GET, STATS_BCK(o->bck));
		obj_cname(o->bck, o->oname, cn, sizeof(cn));
		http_error(r, 500, rc == AIS_ECKSUM ? "ErrBadCksum" : NULL, "%s: %s: %s metadata (%s)",
			   node_name(), cn, rc == AIS_ECKSUM ? "BAD META CHECKSUM" : "corrupted", err_str(rc));
		goto out;
	}
	int64_t size = (g->md.flags & LOM_FL_CHUNKED) ? g->md.size : st.st_size;
	g->size = size;
	g->head = head;
	if (head) {
		g->status = 200;
		g->off = 0;
		g->len = (size_t)size;
		get_send(r, g);
		goto out;
	}
	int64_t off = 0, len = size;
	rc = obj_get_range(http_hdr_get(r, "Range"), size, &off, &len);
	if (rc < 0) {
		stats_err(STATS_ERR_GET, STATS_BCK(o->bck));
		if (rc == AIS_ERANGE) {
			http_hdr_addf(r, "Content-Range", "bytes */%lld", (long long)size);
			http_error(r, 416, "ErrRangeNotSatisfiable",
				   "object size = %lld, read range(s) %s not satisfiable", (long long)size,
				   http_hdr_get(r, "Range"));
		} else if (rc == AIS_ENOTIMPL) {
			http_error(r, 416, "ErrUnsupp", "multi-range read is not supported");
		} else {
			http_error(r, 416, NULL, "read range \"%s\" is invalid", http_hdr_get(r, "Range"));
		}
		goto out;
	}
	g->status = rc == 1 ? 206 : 200;
	g->off = off;
	g->len = (size_t)len;
	if (g->md.flags & LOM_FL_CHUNKED) {
		r->user = g;
		http_defer_stream(r, get_chunked_cb);
		return;
	}
	if (o->bck->validate_warm_get && g->md.cktype != CKSUM_NONE && g->md.ckval[0]) {
		r->user = g;
		http_defer(r, get_validate_cb);
		return;
	}
	get_send(r, g);
out:
	get_ctx_free(g);
}
