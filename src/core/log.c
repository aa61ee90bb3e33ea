/* log: the node's single diagnostic stream. Owns the FILE* and level (module-local state,
 * set at start-up; the level also by a config install); lines are written with one fprintf
 * under the stdio lock. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static FILE *log_fp;
static _Atomic int log_lvl = LOG_INFO; /* set-config may change it while others log */

int log_init(const char *path, int level)
{
	log_lvl = level;
	if (!path) {
		log_fp = stderr;
		return 0;
	}
	FILE *fp = fopen(path, "a");
	if (!fp)
		return -1;
	setvbuf(fp, NULL, _IOLBF, 0);
	log_fp = fp;
	return 0;
}

void log_fini(void)
{
	if (log_fp && log_fp != stderr)
		fclose(log_fp);
	log_fp = NULL;
}

int log_level(void) { return log_lvl; }
void log_set_level(int level) { log_lvl = level; }

void log_write(int level, const char *file, int line, const char *fmt, ...)
{
	static const char tags[] = "EWID";
	if (level > log_lvl)
		return;
	FILE *fp = log_fp ? log_fp : stderr;
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(fp, "%c %02d:%02d:%02d.%06ld %s:%d %s\n", tags[level & 3], tm.tm_hour, tm.tm_min,
		tm.tm_sec, (long)tv.tv_usec, base, line, msg);
}

void log_assert_fail(const char *expr, const char *file, int line)
{
	log_write(LOG_ERR, file, line, "assertion failed: %s", expr);
	fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, expr);
	abort();
}
