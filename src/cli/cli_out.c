/* cli_out: everything the CLI writes: tables through the tabwriter, indented JSON, one-line
 * errors/warnings/notes on stderr (colored only on a terminal and without --no-color),
 * confirmations, and the flattening of nested JSON (configs, bucket props) into
 * "section.name" rows. */
#include "core/jsonx.h"
#include "cli/cli.h"
#include "cli/cli_tab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C_RED "\x1b[91m"
#define C_CYAN "\x1b[36m"
#define C_BLUE "\x1b[94m"
#define C_OFF "\x1b[0m"

void cli_out_tab(cli_ctx_t *c, const char *text)
{
	sbuf_t out = SBUF_INIT;
	(void)c;
	if (cli_tab_render(text, strlen(text), &out) == 0 && out.len)
		fwrite(out.p, 1, out.len, stdout);
	sbuf_fini(&out);
}

void cli_out_json(cli_ctx_t *c, const json_t *j)
{
	(void)c;
	char *s = jsonx_dumpf(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (!s)
		return;
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
}

static const char *out_color(cli_ctx_t *c, bool err, const char *code)
{
	return c->color && (err ? c->err_tty : c->out_tty) ? code : "";
}

/* one stderr line "<label>: msg", the label colored on a terminal; trailing newlines dropped if trim */
static void out_msg(cli_ctx_t *c, const char *code, const char *label, bool trim, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t l = strlen(msg);
	while (trim && l && msg[l - 1] == '\n')
		msg[--l] = '\0';
	const char *on = out_color(c, true, code);
	fflush(stdout);
	fprintf(stderr, "%s%s:%s %s\n", on, label, *on ? C_OFF : "", msg);
}

int cli_err(cli_ctx_t *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_msg(c, C_RED, "Error", true, fmt, ap);
	va_end(ap);
	return 1;
}

void cli_warn(cli_ctx_t *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_msg(c, C_CYAN, "Warning", false, fmt, ap);
	va_end(ap);
}

void cli_note(cli_ctx_t *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_msg(c, C_BLUE, "Note", false, fmt, ap);
	va_end(ap);
}

bool cli_confirm(cli_ctx_t *c, const char *prompt)
{
	if (!c->in_tty)
		return true;
	char line[64];
	for (;;) {
		fprintf(stdout, "%s [Y/N]: ", prompt);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return false;
		char ch = line[0] | 0x20;
		if (ch == 'y' || !strncmp(line, "true", 4) || line[0] == '1')
			return true;
		if (ch == 'n' || !strncmp(line, "false", 5) || line[0] == '0') {
			printf("Operation canceled.\n");
			return false;
		}
		fprintf(stderr, "Invalid input! Choose 'Y' for 'Yes' or 'N' for 'No'\n");
	}
}

static const char *out_wrap(cli_ctx_t *c, const char *code, const char *s, char *buf, size_t cap)
{
	if (!c->color || !c->out_tty)
		return s;
	snprintf(buf, cap, "%s%s%s", code, s, C_OFF);
	return buf;
}

const char *cli_out_cyan(cli_ctx_t *c, const char *s, char *buf, size_t cap) { return out_wrap(c, C_CYAN, s, buf, cap); }
const char *cli_out_blue(cli_ctx_t *c, const char *s, char *buf, size_t cap) { return out_wrap(c, C_BLUE, s, buf, cap); }

void cli_out_scalar(const json_t *v, char *out, size_t cap)
{
	if (!v || json_is_null(v)) {
		snprintf(out, cap, "%s", "");
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (!strncmp(s, "\x01u64:", 5))
			s += 5;
		snprintf(out, cap, "%s", s);
	} else if (json_is_integer(v)) {
		snprintf(out, cap, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(out, cap, "%g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		snprintf(out, cap, "%s", json_is_true(v) ? "true" : "false");
	} else if (json_is_array(v)) {
		size_t i, off = 0;
		json_t *e;
		if (cap)
			out[0] = '\0';
		json_array_foreach(v, i, e)
		{
			char one[256];
			cli_out_scalar(e, one, sizeof(one));
			int n = snprintf(out + off, cap > off ? cap - off : 0, "%s%s", i ? "," : "", one);
			if (n > 0)
				off += (size_t)n;
			if (off >= cap)
				break;
		}
	} else {
		char *s = json_dumps(v, JSON_COMPACT);
		snprintf(out, cap, "%s", s ? s : "");
		free(s);
	}
}

void cli_out_flatten(const json_t *j, const char *prefix, cli_flat_fn fn, void *arg)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)j, k, v)
	{
		char name[256];
		snprintf(name, sizeof(name), "%s%s%s", prefix ? prefix : "", prefix && *prefix ? "." : "", k);
		if (json_is_object(v) && json_object_size(v)) {
			cli_out_flatten(v, name, fn, arg);
		} else {
			char val[4096];
			cli_out_scalar(v, val, sizeof(val));
			fn(name, val, arg);
		}
	}
}

int64_t cli_out_tracker(const json_t *v)
{
	if (json_is_object(v))
		v = json_object_get(v, "v");
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

json_t *cli_out_path(const json_t *j, const char *path)
{
	char key[128];
	const char *dot = strchr(path, '.');
	if (!dot)
		return json_object_get(j, path);
	snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
	return cli_out_path(json_object_get(j, key), dot + 1);
}
