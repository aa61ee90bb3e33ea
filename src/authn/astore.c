/* astore: see astore.h. Invariant: `doc` always equals the file's content after the last
 * successful astore_persist (a failed write restores the previous in-memory value). Must not:
 * write the file in place, or with a mode other than 0600. */
#include "authn/astore.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct astore {
	pthread_mutex_t mu;
	json_t *doc;
	char path[PATH_MAX];
};

static const char *const astore_colls[] = {ASTORE_USER, ASTORE_ROLE, ASTORE_CLUSTER, ASTORE_REVOKED, NULL};

static int astore_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return AIS_EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void astore_fsync_dir(const char *path)
{
	char d[PATH_MAX];
	snprintf(d, sizeof(d), "%s", path);
	int fd = open(dirname(d), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* write doc to path atomically (work file + rename); caller holds mu */
static int astore_persist(astore_t *s)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->path);
	char *js = jsonx_dumpf(s->doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!js)
		return AIS_ENOMEM;
	int rc = AIS_EIO, fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_err("authn store: open %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) || astore_write_all(fd, js, strlen(js)) || fsync(fd)) {
		log_err("authn store: write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, s->path)) {
		log_err("authn store: rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	astore_fsync_dir(s->path);
	rc = 0;
out:
	free(js);
	return rc;
}

static int astore_load(astore_t *s, char *err, size_t cap)
{
	struct stat st;
	if (stat(s->path, &st)) {
		if (errno != ENOENT) {
			snprintf(err, cap, "%s: %s", s->path, strerror(errno));
			return AIS_EIO;
		}
		s->doc = json_object();
		for (int i = 0; astore_colls[i]; i++)
			json_object_set_new(s->doc, astore_colls[i], json_object());
		return astore_persist(s);
	}
	if (st.st_mode & 077) {
		snprintf(err, cap, "%s: mode %o: the AuthN database must not be readable by group or others (chmod 600)",
			 s->path, (unsigned)(st.st_mode & 0777));
		return AIS_EFORBIDDEN;
	}
	json_error_t je;
	s->doc = json_load_file(s->path, 0, &je);
	if (!json_is_object(s->doc)) {
		snprintf(err, cap, "%s: malformed: %s (line %d)", s->path, je.text, je.line);
		return AIS_EINVAL;
	}
	for (int i = 0; astore_colls[i]; i++) {
		json_t *c = json_object_get(s->doc, astore_colls[i]);
		if (!c)
			json_object_set_new(s->doc, astore_colls[i], json_object());
		else if (!json_is_object(c)) {
			snprintf(err, cap, "%s: \"%s\" is not an object", s->path, astore_colls[i]);
			return AIS_EINVAL;
		}
	}
	return 0;
}

int astore_open(const char *path, astore_t **out, char *err, size_t cap)
{
	*out = NULL;
	astore_t *s = calloc(1, sizeof(*s));
	if (!s)
		return AIS_ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	snprintf(s->path, sizeof(s->path), "%s", path);
	int rc = astore_load(s, err, cap);
	if (rc) {
		astore_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void astore_close(astore_t *s)
{
	if (!s)
		return;
	json_decref(s->doc);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static json_t *astore_coll(astore_t *s, const char *coll) { return json_object_get(s->doc, coll); }

json_t *astore_get(astore_t *s, const char *coll, const char *key)
{
	pthread_mutex_lock(&s->mu);
	json_t *v = json_deep_copy(json_object_get(astore_coll(s, coll), key));
	pthread_mutex_unlock(&s->mu);
	return v;
}

int astore_put(astore_t *s, const char *coll, const char *key, json_t *val, bool excl)
{
	if (!val)
		return AIS_ENOMEM;
	pthread_mutex_lock(&s->mu);
	json_t *c = astore_coll(s, coll), *old = json_object_get(c, key);
	int rc = 0;
	if (!c || (excl && old)) {
		rc = c ? AIS_EEXIST : AIS_EINVAL;
		json_decref(val);
		goto out;
	}
	json_incref(old);
	json_object_set_new(c, key, val);
	if ((rc = astore_persist(s))) {
		if (old)
			json_object_set(c, key, old);
		else
			json_object_del(c, key);
	}
	json_decref(old);
out:
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int astore_del(astore_t *s, const char *coll, const char *key)
{
	pthread_mutex_lock(&s->mu);
	json_t *c = astore_coll(s, coll), *old = json_incref(json_object_get(c, key));
	int rc = AIS_ENOTFOUND;
	if (old) {
		json_object_del(c, key);
		if ((rc = astore_persist(s)))
			json_object_set(c, key, old);
	}
	json_decref(old);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

json_t *astore_all(astore_t *s, const char *coll)
{
	pthread_mutex_lock(&s->mu);
	json_t *v = json_deep_copy(astore_coll(s, coll));
	pthread_mutex_unlock(&s->mu);
	return v ? v : json_object();
}

size_t astore_count(astore_t *s, const char *coll)
{
	pthread_mutex_lock(&s->mu);
	size_t n = json_object_size(astore_coll(s, coll));
	pthread_mutex_unlock(&s->mu);
	return n;
}

int astore_prune_revoked(astore_t *s, long long now)
{
	pthread_mutex_lock(&s->mu);
	json_t *c = astore_coll(s, ASTORE_REVOKED), *keep = json_deep_copy(c), *v;
	const char *k;
	void *tmp;
	int n = 0;
	json_object_foreach_safe(c, tmp, k, v) {
		if (json_is_integer(v) && json_integer_value(v) < now) {
			json_object_del(c, k);
			n++;
		}
	}
	if (n && astore_persist(s)) {
		json_object_set(s->doc, ASTORE_REVOKED, keep);
		n = 0;
	}
	json_decref(keep);
	pthread_mutex_unlock(&s->mu);
	return n;
}
