/* cli_progress: in-place terminal progress bars (see cli_progress.h). Redraw moves the cursor up
 * over the previously drawn lines (ANSI "ESC[nA"), clears each line and rewrites it. */
#include "cli/cli_progress.h"
#include "cli/cli_fmt.h"
#include "core/util.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void cli_progress_init(cli_progress_t *p, bool enabled, FILE *out)
{
	memset(p, 0, sizeof(*p));
	p->enabled = enabled;
	p->out = out ? out : stdout;
	p->start_ns = mono_ns();
	p->width = 100;
	struct winsize ws;
	if (enabled && ioctl(fileno(p->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		p->width = ws.ws_col;
}

int cli_progress_add(cli_progress_t *p, const char *label, int64_t total, bool bytes)
{
	if (p->nbars >= CLI_PROGRESS_MAX)
		return CLI_PROGRESS_MAX - 1;
	int i = p->nbars++;
	snprintf(p->bar[i].label, sizeof(p->bar[i].label), "%s", label);
	p->bar[i].total = total;
	p->bar[i].bytes = bytes;
	return i;
}

void cli_progress_set(cli_progress_t *p, int bar, int64_t done)
{
	if (bar >= 0 && bar < p->nbars)
		p->bar[bar].done = done;
}

void cli_progress_total(cli_progress_t *p, int bar, int64_t total)
{
	if (bar >= 0 && bar < p->nbars)
		p->bar[bar].total = total;
}

void cli_progress_line(const char *label, int64_t done, int64_t total, bool bytes, int64_t elapsed_ns, int width,
		       char *buf, size_t cap)
{
	char d[32], t[32], rate[40] = "", eta[48] = "";
	if (bytes) {
		cli_fmt_size(done, CLI_UNITS_IEC, 2, d, sizeof(d));
		cli_fmt_size(total, CLI_UNITS_IEC, 2, t, sizeof(t));
	} else {
		snprintf(d, sizeof(d), "%lld", (long long)done);
		snprintf(t, sizeof(t), "%lld", (long long)total);
	}
	double secs = (double)elapsed_ns / 1e9;
	if (secs > 0.05 && done > 0) {
		double r = (double)done / secs;
		if (bytes) {
			char rs[32];
			cli_fmt_size((int64_t)r, CLI_UNITS_IEC, 2, rs, sizeof(rs));
			snprintf(rate, sizeof(rate), " %s/s", rs);
		} else {
			snprintf(rate, sizeof(rate), " %.1f/s", r);
		}
		if (total > done) {
			char es[32];
			cli_fmt_duration((int64_t)((double)(total - done) / r * 1e9) / 1000000000 * 1000000000, es, sizeof(es));
			snprintf(eta, sizeof(eta), " ETA %s", es);
		} else {
			char es[32];
			cli_fmt_duration(elapsed_ns, es, sizeof(es));
			snprintf(eta, sizeof(eta), " in %s", es);
		}
	}
	int pct = total > 0 ? (int)(done * 100 / total) : 0;
	if (pct > 100)
		pct = 100;
	char head[128], tail[128];
	snprintf(head, sizeof(head), "%s %s / %s ", label, d, t);
	snprintf(tail, sizeof(tail), " %3d%%%s%s", pct, rate, eta);
	int barw = width - (int)strlen(head) - (int)strlen(tail) - 3;
	if (barw > 50)
		barw = 50;
	if (barw < 10)
		barw = 10;
	char bar[64];
	int fill = total > 0 ? (int)((int64_t)barw * (done > total ? total : done) / total) : 0;
	for (int i = 0; i < barw; i++)
		bar[i] = i < fill ? '=' : (i == fill ? '>' : '-');
	if (fill >= barw && barw > 0)
		bar[barw - 1] = '=';
	bar[barw] = '\0';
	snprintf(buf, cap, "%s[%s]%s", head, bar, tail);
}

void cli_progress_draw(cli_progress_t *p, bool force)
{
	if (!p->enabled || !p->nbars)
		return;
	int64_t now = mono_ns();
	if (!force && now - p->last_ns < 100000000)
		return;
	p->last_ns = now;
	if (p->drawn)
		fprintf(p->out, "\x1b[%dA", p->drawn);
	for (int i = 0; i < p->nbars; i++) {
		char line[512];
		cli_progress_line(p->bar[i].label, p->bar[i].done, p->bar[i].total, p->bar[i].bytes, now - p->start_ns,
				  p->width, line, sizeof(line));
		fprintf(p->out, "\r\x1b[K%s\n", line);
	}
	p->drawn = p->nbars;
	fflush(p->out);
}

void cli_progress_done(cli_progress_t *p)
{
	if (!p->enabled)
		return;
	cli_progress_draw(p, true);
}
