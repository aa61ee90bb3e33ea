/* sysinfo: what the node reports about its process and machine, read on demand (scrape,
 * node_status), never on the data path: process CPU/RSS/threads/fds/start time from /proc/self,
 * memory and load from /proc/meminfo and /proc/loadavg, per-mountpath capacity via statfs plus
 * the device/fs type from /proc/self/mountinfo, and the node-state flags derived from them.
 * Owns only the previous machine-wide CPU sample (for cpu_util), under a mutex. */
#include "stats/stats_int.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cluster/membership.h"
#include "cluster/node.h"
#include "cluster/smap.h"
#include "core/config.h"
#include "core/util.h"
#include "fs/fs.h"

static pthread_mutex_t si_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t si_prev_busy, si_prev_all; /* machine-wide /proc/stat "cpu" jiffies */

static int si_read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (int)n;
}

static uint64_t si_meminfo_kb(const char *mi, const char *key)
{
	const char *p = strstr(mi, key);
	if (!p)
		return 0;
	p += strlen(key);
	return strtoull(p, NULL, 10);
}

static void si_proc_stat(st_sys_t *s, long tick, long page)
{
	char buf[2048];
	if (si_read_file("/proc/self/stat", buf, sizeof(buf)) <= 0)
		return;
	char *p = strrchr(buf, ')'); /* comm may contain spaces */
	if (!p)
		return;
	/* fields from 3 (state) on */
	unsigned long long f[64] = {0};
	int i = 3;
	char *save = NULL;
	for (char *tok = strtok_r(p + 2, " ", &save); tok && i < 64; tok = strtok_r(NULL, " ", &save), i++)
		f[i] = strtoull(tok, NULL, 10);
	s->cpu_user_ticks = f[14];
	s->cpu_sys_ticks = f[15];
	s->cpu_seconds = (double)(f[14] + f[15]) / (double)tick;
	s->threads = (int)f[20];
	s->vsize_bytes = f[23];
	s->rss_bytes = f[24] * (unsigned long long)page;
	char st[8192];
	if (si_read_file("/proc/stat", st, sizeof(st)) <= 0)
		return;
	const char *b = strstr(st, "\nbtime ");
	if (b)
		s->start_time_s = (double)strtoull(b + 7, NULL, 10) + (double)f[22] / (double)tick;
	/* machine CPU utilization since the previous read (first read: since boot) */
	unsigned long long c[8] = {0};
	if (sscanf(st, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &c[0], &c[1], &c[2], &c[3], &c[4], &c[5],
		   &c[6], &c[7]) >= 4) {
		uint64_t all = 0;
		for (int k = 0; k < 8; k++)
			all += c[k];
		uint64_t busy = all - c[3] - c[4]; /* minus idle and iowait */
		pthread_mutex_lock(&si_mu);
		if (all > si_prev_all && busy >= si_prev_busy)
			s->cpu_util = (int)((busy - si_prev_busy) * 100 / (all - si_prev_all));
		si_prev_busy = busy;
		si_prev_all = all;
		pthread_mutex_unlock(&si_mu);
	}
}

int sysinfo_read(st_sys_t *s)
{
	memset(s, 0, sizeof(*s));
	long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	if (tick <= 0)
		tick = 100;
	if (page <= 0)
		page = 4096;
	s->ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	si_proc_stat(s, tick, page);

	char buf[256];
	if (si_read_file("/proc/self/statm", buf, sizeof(buf)) > 0) {
		unsigned long long sz = 0, res = 0, shr = 0;
		if (sscanf(buf, "%llu %llu %llu", &sz, &res, &shr) == 3)
			s->shared_bytes = shr * (unsigned long long)page;
	}
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				s->open_fds++;
		closedir(d);
		s->open_fds--; /* the DIR's own descriptor */
	}
	char mi[8192];
	if (si_read_file("/proc/meminfo", mi, sizeof(mi)) > 0) {
		s->mem_total = si_meminfo_kb(mi, "MemTotal:") * 1024;
		s->mem_free = si_meminfo_kb(mi, "MemFree:") * 1024;
		s->mem_avail = si_meminfo_kb(mi, "MemAvailable:") * 1024;
		s->buffcache = (si_meminfo_kb(mi, "Buffers:") + si_meminfo_kb(mi, "\nCached:")) * 1024;
		s->swap_total = si_meminfo_kb(mi, "SwapTotal:") * 1024;
		s->swap_free = si_meminfo_kb(mi, "SwapFree:") * 1024;
	}
	if (si_read_file("/proc/loadavg", buf, sizeof(buf)) > 0)
		(void)sscanf(buf, "%lf %lf %lf", &s->load1, &s->load5, &s->load15);

	/* lifetime-average process CPU % over all CPUs (AIStore's ProcCPUStats.Percent) */
	double life = (double)now_ns() / 1e9 - s->start_time_s;
	if (s->start_time_s > 0 && life > 0)
		s->pct_cpu = s->cpu_seconds * 100.0 / life / (s->ncpu > 0 ? s->ncpu : 1);
	return 0;
}

/* device and fs type of the filesystem with this st_dev, from /proc/self/mountinfo */
static void si_mount_of(dev_t dev, char *fs, size_t fscap, char *type, size_t tcap)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, mnr;
		if (sscanf(line, "%*s %*s %u:%u", &maj, &mnr) != 2 || maj != major(dev) || mnr != minor(dev))
			continue;
		char *sep = strstr(line, " - ");
		if (!sep)
			continue;
		char t[64] = "", src[512] = "";
		if (sscanf(sep + 3, "%63s %511s", t, src) >= 1) {
			snprintf(type, tcap, "%s", t);
			snprintf(fs, fscap, "%s", src);
		}
		/* keep scanning: the last mount of a device is the one in effect */
	}
	fclose(f);
}

int sysinfo_mpaths(st_mpath_cap_t *out, int cap)
{
	int n = 0;
	for (int i = 0; i < fs_count() && n < cap; i++) {
		const mpath_t *mp = fs_get(i);
		if (!mp || !fs_in_use(i))
			continue;
		st_mpath_cap_t *c = &out[n];
		memset(c, 0, sizeof(*c));
		snprintf(c->path, sizeof(c->path), "%s", mp->path);
		struct statfs sf;
		if (statfs(mp->path, &sf) == 0) {
			uint64_t bs = (uint64_t)sf.f_bsize;
			uint64_t tot = (uint64_t)sf.f_blocks * bs, fr = (uint64_t)sf.f_bfree * bs;
			c->used = tot - (fr < tot ? fr : tot);
			c->avail = (uint64_t)sf.f_bavail * bs;
			c->total = c->used + c->avail;
			c->pct_used = c->total ? (int)(c->used * 100 / c->total) : 0;
			memcpy(c->fsid, &sf.f_fsid, sizeof(c->fsid));
		}
		struct stat st;
		if (stat(mp->path, &st) == 0)
			si_mount_of(st.st_dev, c->fs, sizeof(c->fs), c->fstype, sizeof(c->fstype));
		n++;
	}
	return n;
}

/* cos.NodeStateFlags bits (cmn/cos/node_state.go) */
enum {
	NSF_CLUSTER_STARTED = 1 << 1,
	NSF_NODE_STARTED = 1 << 2,
	NSF_OOS = 1 << 8,
	NSF_MAINTENANCE = 1 << 10,
	NSF_LOW_CAPACITY = 1 << 11,
};

uint64_t st_state_flags(const st_mpath_cap_t *caps, int ncaps)
{
	uint64_t f = NSF_NODE_STARTED;
	if (membership_joined())
		f |= NSF_CLUSTER_STARTED;
	smap_t *m = smap_get();
	const snode_t *self = m ? smap_find(m, node_id()) : NULL;
	if (self && (self->flags & (SNODE_MAINT | SNODE_DECOMM)))
		f |= NSF_MAINTENANCE;
	smap_put(m);
	int pmax = 0;
	for (int i = 0; i < ncaps; i++)
		if (caps[i].pct_used > pmax)
			pmax = caps[i].pct_used;
	const config_t *c = config_get();
	if (ncaps && c) {
		if (pmax >= c->space_oos)
			f |= NSF_OOS;
		else if (pmax >= c->space_highwm)
			f |= NSF_LOW_CAPACITY;
	}
	config_put(c);
	return f;
}
