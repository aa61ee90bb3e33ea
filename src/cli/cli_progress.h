/* cli_progress: terminal progress bars (objects, bytes, rate, ETA) for long transfers and
 * waits. Up to 4 bars redrawn in place at most 10 times a second; disabled (every call a no-op)
 * unless created enabled - callers enable it only when stdout is a terminal. Not thread-safe.
 * Line layout:  "<label> <done>/<total> [=====>-----]  42% <rate> ETA <dur>" */
#ifndef AIS_CLI_PROGRESS_H
#define AIS_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_PROGRESS_MAX 4

typedef struct cli_progress {
	bool enabled;
	FILE *out;
	int nbars;
	struct {
		char label[40];
		int64_t total, done;
		bool bytes;
	} bar[CLI_PROGRESS_MAX];
	int64_t start_ns, last_ns;
	int drawn; /* lines currently on screen */
	int width; /* terminal columns */
} cli_progress_t;

void cli_progress_init(cli_progress_t *p, bool enabled, FILE *out);
int cli_progress_add(cli_progress_t *p, const char *label, int64_t total, bool bytes);
void cli_progress_set(cli_progress_t *p, int bar, int64_t done);
void cli_progress_total(cli_progress_t *p, int bar, int64_t total);
/* redraw now if forced or 100 ms passed */
void cli_progress_draw(cli_progress_t *p, bool force);
/* final redraw; leaves the bars on screen followed by a newline */
void cli_progress_done(cli_progress_t *p);
/* one bar line into buf (pure; used by the renderer and unit tests) */
void cli_progress_line(const char *label, int64_t done, int64_t total, bool bytes, int64_t elapsed_ns, int width,
		       char *buf, size_t cap);

#endif
