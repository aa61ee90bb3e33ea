/* log: leveled, thread-safe logging to one stream (a file or stderr).
 * Owns the log stream and level; nothing else in the node writes diagnostics.
 * Each line: "I 15:04:05.000000 file.c:123 message". Never blocks on anything but the stream. */
#ifndef AIS_LOG_H
#define AIS_LOG_H

enum { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DBG = 3 };

/* open path for appending (NULL: stderr); level: one of LOG_*. Returns 0 or -errno. */
int log_init(const char *path, int level);
void log_fini(void);
int log_level(void);
/* change the level at runtime (a config install with another log.level) */
void log_set_level(int level);
void log_write(int level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_err(...)  log_write(LOG_ERR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_dbg(...)  do { if (log_level() >= LOG_DBG) log_write(LOG_DBG, __FILE__, __LINE__, __VA_ARGS__); } while (0)

/* AIS_ASSERT: an invariant whose violation would lose or corrupt data (Redis serverAssert,
 * HAProxy BUG_ON). Stays on in release builds: logs the expression and location, then aborts. */
_Noreturn void log_assert_fail(const char *expr, const char *file, int line);
#define AIS_ASSERT(cond) ((cond) ? (void)0 : log_assert_fail(#cond, __FILE__, __LINE__))

#endif
