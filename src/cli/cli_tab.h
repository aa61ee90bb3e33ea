/* cli_tab: table output as AIStore's CLI produces it. AIStore renders every table through Go's
 * text/tabwriter (minwidth 0, tabwidth 8, padding 1, padchar '\t'): tab-separated cells,
 * columns aligned per block of consecutive lines ("elastic tabstops"), padding written as TABs.
 * cli_tab_render() reimplements that algorithm so the bytes match; cli_tab_t builds the
 * "NAME\t SIZE\n" style text from headers and rows (hidden columns dropped), the way AIStore's
 * teb.Table does. Ownership: a cli_tab_t owns copies of every string added; free with
 * cli_tab_fini. */
#ifndef AIS_CLI_TAB_H
#define AIS_CLI_TAB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/sbuf.h"

/* render tab-separated text (lines end in '\n') into out, aligned as Go's tabwriter does. */
int cli_tab_render(const char *text, size_t len, sbuf_t *out);
/* the same with another padding/padchar (e.g. 2, ' ' as AIStore's newTabWriter) */
int cli_tab_render_opts(const char *text, size_t len, sbuf_t *out, int padding, char padchar);

typedef struct cli_tab {
	int ncols;
	char **hdr;
	bool *hide;
	int nrows, cap;
	char **cells; /* nrows x ncols */
} cli_tab_t;

/* columns from a '|'-separated list of header names */
int cli_tab_init(cli_tab_t *t, const char *headers);
void cli_tab_fini(cli_tab_t *t);
void cli_tab_hide(cli_tab_t *t, int col, bool hide);
/* add a row of ncols values (copied; NULL = "") */
int cli_tab_row(cli_tab_t *t, const char *const *vals);
/* the template text: visible cells joined with "\t " per line (header first unless no_hdr). */
void cli_tab_text(const cli_tab_t *t, bool no_hdr, sbuf_t *out);

#endif
