/* cli_tab: Go text/tabwriter-compatible alignment and a small table builder (see cli_tab.h).
 * Invariants of the renderer (same as Go's): the last cell of a line is never aligned; a column
 * block is a run of consecutive lines that all have a cell in that column; a cell's width is its
 * UTF-8 rune count; column width = max(cell width + padding); padding goes out as TABs to the
 * next multiple of tabwidth. */
#include "cli/cli_tab.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

#define TAB_WIDTH 8

typedef struct {
	const char *p;
	int size;  /* bytes */
	int width; /* runes */
} tcell_t;

typedef struct {
	tcell_t *cells;
	int n;
} tline_t;

typedef struct {
	tline_t *lines;
	int nlines;
	int widths[64];
	int nwidths;
	int padding;
	char padchar;
	bool last_nl; /* the input ends with a newline */
	sbuf_t *out;
} tw_t;

static int tw_runes(const char *p, int n)
{
	int w = 0;
	for (int i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xC0) != 0x80)
			w++;
	return w;
}

static void tw_padding(tw_t *tw, int textw, int cellw)
{
	if (tw->padchar != '\t') {
		for (int i = cellw - textw; i > 0; i--)
			sbuf_add(tw->out, &tw->padchar, 1);
		return;
	}
	cellw = (cellw + TAB_WIDTH - 1) / TAB_WIDTH * TAB_WIDTH;
	int n = cellw - textw;
	for (int i = (n + TAB_WIDTH - 1) / TAB_WIDTH; i > 0; i--)
		sbuf_add(tw->out, "\t", 1);
}

static void tw_write_lines(tw_t *tw, int line0, int line1)
{
	for (int i = line0; i < line1; i++) {
		bool nl = i + 1 < tw->nlines || tw->last_nl; /* Go: the last unterminated line gets none */
		const tline_t *l = &tw->lines[i];
		for (int j = 0; j < l->n; j++) {
			const tcell_t *c = &l->cells[j];
			if (c->size > 0)
				sbuf_add(tw->out, c->p, (size_t)c->size);
			if (j < tw->nwidths && j < l->n - 1)
				tw_padding(tw, c->width, tw->widths[j]);
		}
		if (nl)
			sbuf_add(tw->out, "\n", 1);
	}
}

static void tw_format(tw_t *tw, int line0, int line1)
{
	int column = tw->nwidths;
	for (int this = line0; this < line1; this++) {
		if (column >= tw->lines[this].n - 1)
			continue;
		tw_write_lines(tw, line0, this);
		line0 = this;
		int width = 0;
		for (; this < line1; this++) {
			const tline_t *l = &tw->lines[this];
			if (column >= l->n - 1)
				break;
			int w = l->cells[column].width + tw->padding;
			if (w > width)
				width = w;
		}
		if (tw->nwidths < (int)(sizeof(tw->widths) / sizeof(tw->widths[0]))) {
			tw->widths[tw->nwidths++] = width;
			tw_format(tw, line0, this);
			tw->nwidths--;
		}
		line0 = this; /* `this` ended the block: it has no cell here, the increment skips it */
	}
	tw_write_lines(tw, line0, line1);
}

int cli_tab_render(const char *text, size_t len, sbuf_t *out)
{
	return cli_tab_render_opts(text, len, out, 1, '\t');
}

int cli_tab_render_opts(const char *text, size_t len, sbuf_t *out, int padding, char padchar)
{
	/* split into lines and cells (pointers into text) */
	int nlines = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			nlines++;
	if (len && text[len - 1] != '\n')
		nlines++;
	tw_t tw = {.lines = calloc((size_t)nlines + 1, sizeof(tline_t)), .out = out, .padding = padding, .padchar = padchar};
	if (!tw.lines)
		return AIS_ENOMEM;
	size_t pos = 0;
	int rc = 0;
	for (int li = 0; li < nlines; li++) {
		size_t end = pos;
		int ncells = 1;
		while (end < len && text[end] != '\n') {
			if (text[end] == '\t')
				ncells++;
			end++;
		}
		tline_t *l = &tw.lines[li];
		l->cells = calloc((size_t)ncells, sizeof(tcell_t));
		if (!l->cells) {
			rc = AIS_ENOMEM;
			goto out;
		}
		size_t cs = pos;
		for (size_t k = pos; k <= end; k++) {
			if (k == end || text[k] == '\t') {
				tcell_t *c = &l->cells[l->n++];
				c->p = text + cs;
				c->size = (int)(k - cs);
				c->width = tw_runes(c->p, c->size);
				cs = k + 1;
			}
		}
		pos = end + 1;
	}
	tw.nlines = nlines;
	tw.last_nl = len == 0 || text[len - 1] == '\n';
	tw_format(&tw, 0, nlines);
out:
	for (int li = 0; li < nlines; li++)
		free(tw.lines[li].cells);
	free(tw.lines);
	return rc;
}

int cli_tab_init(cli_tab_t *t, const char *headers)
{
	memset(t, 0, sizeof(*t));
	int n = 1;
	for (const char *p = headers; *p; p++)
		n += *p == '|';
	t->hdr = calloc((size_t)n, sizeof(char *));
	t->hide = calloc((size_t)n, sizeof(bool));
	if (!t->hdr || !t->hide)
		return AIS_ENOMEM;
	const char *s = headers;
	for (int i = 0; i < n; i++) {
		const char *e = strchr(s, '|');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		t->hdr[i] = strndup(s, l);
		s = e ? e + 1 : s + l;
	}
	t->ncols = n;
	return 0;
}

void cli_tab_fini(cli_tab_t *t)
{
	for (int i = 0; i < t->ncols; i++)
		free(t->hdr ? t->hdr[i] : NULL);
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->hdr);
	free(t->hide);
	memset(t, 0, sizeof(*t));
}

void cli_tab_hide(cli_tab_t *t, int col, bool hide)
{
	if (col >= 0 && col < t->ncols)
		t->hide[col] = hide;
}

int cli_tab_row(cli_tab_t *t, const char *const *vals)
{
	if (t->nrows == t->cap) {
		int ncap = t->cap ? t->cap * 2 : 16;
		char **nc = realloc(t->cells, (size_t)ncap * (size_t)t->ncols * sizeof(char *));
		if (!nc)
			return AIS_ENOMEM;
		t->cells = nc;
		t->cap = ncap;
	}
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = strdup(vals[i] ? vals[i] : "");
	t->nrows++;
	return 0;
}

static void tab_line(const cli_tab_t *t, char *const *vals, sbuf_t *out)
{
	bool first = true;
	for (int i = 0; i < t->ncols; i++) {
		if (t->hide[i])
			continue;
		if (!first)
			sbuf_add(out, "\t ", 2);
		sbuf_adds(out, vals[i] ? vals[i] : "");
		first = false;
	}
	sbuf_add(out, "\n", 1);
}

void cli_tab_text(const cli_tab_t *t, bool no_hdr, sbuf_t *out)
{
	if (!no_hdr)
		tab_line(t, t->hdr, out);
	for (int r = 0; r < t->nrows; r++)
		tab_line(t, t->cells + r * t->ncols, out);
}
