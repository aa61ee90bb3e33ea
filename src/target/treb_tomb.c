/* treb_tomb: tombstones - the names this target deleted during a rebalance window and when, so
 * that a migrated older copy arriving later is refused (treb_rule.h, rule (a)). In memory: a hash
 * table keyed by (provider, namespace, bucket, bucket ID, name); on disk: an append-only log
 * (<confdir>/.ais.reb_tombs, one record per delete, rewritten by the gc) so a target restarted in
 * the middle of a rebalance still refuses what it deleted before. Bounded: TOMB_MAX entries, the
 * oldest go first when full (logged). Invariant: the file holds at least the entries in memory;
 * one mutex guards table and file. */
#include "target/treb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fsops.h"
#include "core/hrw.h"
#include "core/log.h"
#include "core/util.h"

#define TOMB_NBUCKETS 4096
#define TOMB_MAX (1u << 20)
#define TOMB_KEY_MAX 8192

typedef struct tomb {
	struct tomb *next;       /* hash chain */
	struct tomb *older, *newer; /* age list */
	int64_t t;
	uint32_t klen;
	char key[];              /* provider \0 ns \0 bucket \0 bid(16 hex) \0 name */
} tomb_t;

static pthread_mutex_t tomb_mu = PTHREAD_MUTEX_INITIALIZER;
static tomb_t *tomb_tab[TOMB_NBUCKETS];
static tomb_t *tomb_oldest, *tomb_newest;
static size_t tomb_n;
static atomic_bool tomb_any; /* tomb_n > 0 (read without the lock) */
static int tomb_fd = -1;
static char tomb_path[1024];

static size_t tomb_key(const bck_t *b, const char *name, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s%c%s%c%s%c%016llx%c%s", b->provider, 0, b->ns, 0, b->name, 0,
			 (unsigned long long)b->bid, 0, name);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static uint32_t tomb_slot(const char *k, size_t l) { return (uint32_t)(hrw_digest(k, l) % TOMB_NBUCKETS); }

/* under tomb_mu */
static tomb_t *tomb_find(const char *k, size_t l)
{
	for (tomb_t *t = tomb_tab[tomb_slot(k, l)]; t; t = t->next)
		if (t->klen == l && !memcmp(t->key, k, l))
			return t;
	return NULL;
}

/* under tomb_mu: unlink t from the table and the age list, free it */
static void tomb_drop(tomb_t *t)
{
	tomb_t **pp = &tomb_tab[tomb_slot(t->key, t->klen)];
	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
	if (t->older)
		t->older->newer = t->newer;
	else
		tomb_oldest = t->newer;
	if (t->newer)
		t->newer->older = t->older;
	else
		tomb_newest = t->older;
	tomb_n--;
	if (!tomb_n)
		atomic_store_explicit(&tomb_any, false, memory_order_release);
	free(t);
}

/* under tomb_mu: (re)insert key with time t as the newest */
static void tomb_put(const char *k, size_t l, int64_t t)
{
	tomb_t *e = tomb_find(k, l);
	if (e) {
		if (e->t >= t)
			return;
		tomb_drop(e);
	}
	if (tomb_n >= TOMB_MAX && tomb_oldest) {
		log_warn("rebalance: more than %u tombstones: forgetting the oldest", TOMB_MAX);
		tomb_drop(tomb_oldest);
	}
	e = malloc(sizeof(*e) + l);
	if (!e) {
		log_err("rebalance: out of memory recording a tombstone");
		return;
	}
	e->t = t;
	e->klen = (uint32_t)l;
	memcpy(e->key, k, l);
	uint32_t s = tomb_slot(k, l);
	e->next = tomb_tab[s];
	tomb_tab[s] = e;
	e->newer = NULL;
	e->older = tomb_newest;
	if (tomb_newest)
		tomb_newest->newer = e;
	else
		tomb_oldest = e;
	tomb_newest = e;
	tomb_n++;
	atomic_store_explicit(&tomb_any, true, memory_order_release);
}

/* record: u32 key length, key, i64 time (big-endian) */
static void tomb_append(int fd, const char *k, size_t l, int64_t t)
{
	unsigned char h[4], tb[8];
	for (int i = 0; i < 4; i++)
		h[i] = (unsigned char)(l >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		tb[i] = (unsigned char)((uint64_t)t >> (56 - 8 * i));
	if (fsops_write_all(fd, h, 4) || fsops_write_all(fd, k, l) || fsops_write_all(fd, tb, 8))
		log_err("rebalance: failed to persist a tombstone in %s", tomb_path);
}

static void tomb_load(void)
{
	char *s = NULL;
	size_t len = 0;
	if (fsops_read_file(tomb_path, 1u << 30, &s, &len))
		return;
	size_t pos = 0;
	while (pos + 4 <= len) {
		const unsigned char *p = (const unsigned char *)s + pos;
		size_t l = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
		if (!l || l > TOMB_KEY_MAX || pos + 4 + l + 8 > len)
			break; /* a torn last record */
		uint64_t t = 0;
		for (int i = 0; i < 8; i++)
			t = t << 8 | p[4 + l + i];
		tomb_put(s + pos + 4, l, (int64_t)t);
		pos += 4 + l + 8;
	}
	free(s);
	if (tomb_n)
		log_info("rebalance: %zu tombstone(s) restored from %s", tomb_n, tomb_path);
}

int treb_tomb_init(const char *path)
{
	pthread_mutex_lock(&tomb_mu);
	snprintf(tomb_path, sizeof(tomb_path), "%s", path);
	tomb_load();
	tomb_fd = open(tomb_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	int rc = tomb_fd < 0 ? err_from_errno(errno) : 0;
	pthread_mutex_unlock(&tomb_mu);
	if (rc)
		log_err("rebalance: cannot open %s: %s (tombstones kept in memory only)", path, err_str(rc));
	return 0;
}

void treb_tomb_fini(void)
{
	pthread_mutex_lock(&tomb_mu);
	while (tomb_oldest)
		tomb_drop(tomb_oldest);
	if (tomb_fd >= 0)
		close(tomb_fd);
	tomb_fd = -1;
	pthread_mutex_unlock(&tomb_mu);
}

void treb_tomb_add(const bck_t *b, const char *name, int64_t t)
{
	char *k = malloc(TOMB_KEY_MAX);
	size_t l = k ? tomb_key(b, name, k, TOMB_KEY_MAX) : 0;
	if (l) {
		pthread_mutex_lock(&tomb_mu);
		tomb_put(k, l, t);
		if (tomb_fd >= 0)
			tomb_append(tomb_fd, k, l, t);
		pthread_mutex_unlock(&tomb_mu);
	}
	free(k);
}

int64_t treb_tomb_get(const bck_t *b, const char *name)
{
	if (!atomic_load_explicit(&tomb_any, memory_order_acquire))
		return 0; /* (the common case: no delete during a rebalance) */
	char *k = malloc(TOMB_KEY_MAX);
	size_t l = k ? tomb_key(b, name, k, TOMB_KEY_MAX) : 0;
	int64_t t = 0;
	if (l) {
		pthread_mutex_lock(&tomb_mu);
		const tomb_t *e = tomb_n ? tomb_find(k, l) : NULL;
		t = e ? e->t : 0;
		pthread_mutex_unlock(&tomb_mu);
	}
	free(k);
	return t;
}

void treb_tomb_gc(int64_t max_age_ns)
{
	int64_t now = now_ns();
	pthread_mutex_lock(&tomb_mu);
	size_t n0 = tomb_n;
	while (tomb_oldest && now - tomb_oldest->t > max_age_ns)
		tomb_drop(tomb_oldest);
	if (n0 != tomb_n && tomb_path[0]) { /* rewrite the log with what is left */
		char tmp[1100];
		snprintf(tmp, sizeof(tmp), "%s.tmp", tomb_path);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		for (tomb_t *t = tomb_oldest; fd >= 0 && t; t = t->newer)
			tomb_append(fd, t->key, t->klen, t->t);
		if (fd >= 0 && !close(fd) && !rename(tmp, tomb_path)) {
			if (tomb_fd >= 0)
				close(tomb_fd);
			tomb_fd = open(tomb_path, O_WRONLY | O_APPEND | O_CLOEXEC);
		} else {
			unlink(tmp);
		}
	}
	pthread_mutex_unlock(&tomb_mu);
	if (n0 != tomb_n)
		log_info("rebalance: %zu tombstone(s) expired, %zu kept", n0 - tomb_n, tomb_n);
}

size_t treb_tomb_count(void)
{
	pthread_mutex_lock(&tomb_mu);
	size_t n = tomb_n;
	pthread_mutex_unlock(&tomb_mu);
	return n;
}
