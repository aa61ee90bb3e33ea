/* putsys: this machine's limit for the small-PUT syscall sequence, without HTTP. N threads, each
 * in a loop: create a work file in <dir>/%wk (open O_CREAT|O_EXCL), write SIZE bytes, set a
 * 76-byte user.ais.lom xattr (fsetxattr), close, rename it to <dir>/%ob/<32 random chars> (a
 * flat bucket, as aisloader names objects). That is the least a PUT that persists data plus
 * metadata atomically must do; the object core's PUT of a new object does exactly this (see
 * obj.c obj_commit). -prev adds what a PUT without the no-replace fast path would do for the
 * previous version (getxattr of the destination, ENOENT for a new object).
 *
 *   putsys -dir DIR [-threads 4] [-duration 5] [-size 1024] [-prev] [-json]
 *
 * Prints ops/s (and the per-op syscall count). Removes nothing: point it at a scratch directory.
 * Built by bench/put.sh (cc -O2 -pthread bench/putsys.c). Not part of libais. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static const char *g_dir;
static int g_size = 1024;
static bool g_prev;
static bool g_tmpfile; /* O_TMPFILE in %wk + linkat into %ob (no work file name at all) */
static atomic_bool g_stop;
static atomic_long g_errs;

typedef struct {
	int id;
	long ops;
	uint64_t rng;
} worker_t;

static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rand_name(uint64_t *s, char *out, int n)
{
	static const char cs[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (int i = 0; i < n; i++)
		out[i] = cs[next_rand(s) % 62];
	out[n] = '\0';
}

static void *worker(void *arg)
{
	worker_t *w = arg;
	char *buf = malloc((size_t)g_size);
	unsigned char lom[76];
	char work[4096], dst[4096], nm[40], tag[20], probe[128];
	for (int i = 0; i < g_size; i++)
		buf[i] = (char)next_rand(&w->rng);
	for (size_t i = 0; i < sizeof(lom); i++)
		lom[i] = (unsigned char)next_rand(&w->rng);
	while (!atomic_load_explicit(&g_stop, memory_order_relaxed)) {
		rand_name(&w->rng, tag, 16);
		rand_name(&w->rng, nm, 32);
		snprintf(work, sizeof(work), "%s/%%wk/put.%s", g_dir, tag);
		snprintf(dst, sizeof(dst), "%s/%%ob/%s", g_dir, nm);
		if (g_tmpfile) {
			snprintf(work, sizeof(work), "%s/%%wk", g_dir);
			int fd = open(work, O_WRONLY | O_TMPFILE | O_CLOEXEC, 0644);
			if (fd < 0 || write(fd, buf, (size_t)g_size) != g_size ||
			    fsetxattr(fd, "user.ais.lom", lom, sizeof(lom), 0)) {
				if (fd >= 0)
					close(fd);
				goto fail;
			}
			snprintf(probe, sizeof(probe), "/proc/self/fd/%d", fd);
			if (linkat(AT_FDCWD, probe, AT_FDCWD, dst, AT_SYMLINK_FOLLOW) || close(fd))
				goto fail;
			w->ops++;
			continue;
		}
		int fd = open(work, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			goto fail;
		if (write(fd, buf, (size_t)g_size) != g_size) {
			close(fd);
			goto fail;
		}
		if (g_prev && getxattr(dst, "user.ais.lom", probe, sizeof(probe)) >= 0)
			goto fail; /* (names are unique: never there) */
		if (fsetxattr(fd, "user.ais.lom", lom, sizeof(lom), 0) || close(fd) || rename(work, dst))
			goto fail;
		w->ops++;
		continue;
fail:
		atomic_fetch_add(&g_errs, 1);
	}
	free(buf);
	return NULL;
}

static void mkdir_p(const char *d)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s", d);
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	}
	mkdir(p, 0755);
}

int main(int argc, char **argv)
{
	int threads = 4;
	double dur = 5;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-dir") && i + 1 < argc)
			g_dir = argv[++i];
		else if (!strcmp(argv[i], "-threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-duration") && i + 1 < argc)
			dur = atof(argv[++i]);
		else if (!strcmp(argv[i], "-size") && i + 1 < argc)
			g_size = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-prev"))
			g_prev = true;
		else if (!strcmp(argv[i], "-tmpfile"))
			g_tmpfile = true;
		else if (!strcmp(argv[i], "-json"))
			json = true;
		else {
			fprintf(stderr, "usage: putsys -dir DIR [-threads N] [-duration S] [-size B] [-prev] [-json]\n");
			return 2;
		}
	}
	if (!g_dir || threads < 1 || threads > 1024 || g_size < 1 || dur <= 0) {
		fprintf(stderr, "putsys: -dir is required (threads 1..1024, size >= 1, duration > 0)\n");
		return 2;
	}
	char d[4096];
	snprintf(d, sizeof(d), "%s/%%wk", g_dir);
	mkdir_p(d);
	snprintf(d, sizeof(d), "%s/%%ob", g_dir);
	mkdir_p(d);
	worker_t *ws = calloc((size_t)threads, sizeof(*ws));
	pthread_t *th = calloc((size_t)threads, sizeof(*th));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < threads; i++) {
		ws[i].id = i;
		ws[i].rng = (uint64_t)t0.tv_nsec * 2654435761u + (uint64_t)i * 0x9e3779b97f4a7c15ULL + (uint64_t)getpid();
		pthread_create(&th[i], NULL, worker, &ws[i]);
	}
	usleep((useconds_t)(dur * 1e6));
	atomic_store(&g_stop, true);
	long ops = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		ops += ws[i].ops;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
		     ru.ru_stime.tv_usec / 1e6;
	double cpu_us = ops ? cpu * 1e6 / (double)ops : 0;
	int nsys = g_prev ? 6 : 5;
	if (json)
		printf("{\"threads\":%d,\"size\":%d,\"ops\":%ld,\"secs\":%.3f,\"ops_per_sec\":%.0f,\"errors\":%ld,"
		       "\"syscalls_per_op\":%d,\"cpu_us_per_op\":%.2f}\n",
		       threads, g_size, ops, secs, ops / secs, atomic_load(&g_errs), nsys, cpu_us);
	else
		printf("putsys: %d threads, %d B, %d syscalls/op: %ld ops in %.2fs = %.0f ops/s, %.1f us CPU/op (%ld errors)\n",
		       threads, g_size, nsys, ops, secs, ops / secs, cpu_us, atomic_load(&g_errs));
	free(ws);
	free(th);
	return atomic_load(&g_errs) ? 1 : 0;
}
