/* cli_args: the flag table (one place for every flag's name, short alias, kind and usage, as
 * AIStore's cmd/cli/cli/const.go), resolution of argv into command + arguments + flags, and
 * urfave/cli-style help pages. Flags may come anywhere after the command (AIStore CLI
 * convention); "--" ends flags; a lone "-" is an argument (stdin/stdout). */
#include "cli/cli.h"
#include "cli/cli_fmt.h"
#include "cli/cli_tab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_flag_t args_flags[] = {
	{"json", "j", CLI_F_BOOL, "JSON input/output"},
	{"no-headers", "H", CLI_F_BOOL, "Display tables without headers"},
	{"no-footers", "F", CLI_F_BOOL, "Display tables without footers"},
	{"props", NULL, CLI_F_STR,
	 "Comma-separated list of object properties including name, size, version, copies, and more; e.g.:\n"
	 "--props all\n--props name,size,cached\n--props \"ec, copies, custom, location\""},
	{"bprops", NULL, CLI_F_STR,
	 "Create bucket with the specified (non-default) properties, e.g.:\n"
	 "* ais create ais://nnn --props='mirror.enabled=true mirror.copies=4 checksum.type=md5'"},
	{"prefix", NULL, CLI_F_STR, "List (or otherwise select) objects with names starting with the specified prefix"},
	{"page-size", NULL, CLI_F_STR,
	 "Maximum number of object names per page; when the flag is omitted or 0 (zero)\n"
	 "the maximum is defined by the corresponding backend; see also '--max-pages' and '--paged' (default: 0)"},
	{"paged", NULL, CLI_F_BOOL,
	 "List objects page by page - one page at a time (see also '--page-size' and '--limit')\n"
	 "note: recommended for use with very large buckets"},
	{"limit", NULL, CLI_F_STR, "The maximum number of objects to list, get, or otherwise handle (0 - unlimited; see also '--max-pages')"},
	{"max-pages", NULL, CLI_F_STR, "Maximum number of pages to display (see also '--page-size' and '--limit')"},
	{"start-after", NULL, CLI_F_STR, "List bucket's content alphabetically starting with the first name _after_ the specified"},
	{"name-only", NULL, CLI_F_BOOL, "Faster request to retrieve only the names of objects (if defined, '--props' flag will be ignored)"},
	{"all", NULL, CLI_F_BOOL, "Depending on the context, list all buckets or all jobs (including finished)"},
	{"units", NULL, CLI_F_STR,
	 "Show statistics and/or parse command-line specified sizes using one of the following units of measurement:\n"
	 "iec - IEC format, e.g.: KiB, MiB, GiB (default)\nsi  - SI (metric) format, e.g.: KB, MB, GB\n"
	 "raw - do not convert to (or from) human-readable format"},
	{"yes", "y", CLI_F_BOOL, "Assume 'yes' to all questions"},
	{"ignore-error", NULL, CLI_F_BOOL, "Ignore \"soft\" failures such as \"bucket already exists\", etc."},
	{"recursive", "r", CLI_F_BOOL, "Recursive operation"},
	{"offset", NULL, CLI_F_STR, "Object read offset; must be used together with '--length'; default formatting: IEC (use '--units' to override)"},
	{"length", NULL, CLI_F_STR, "Object read length; default formatting: IEC (use '--units' to override)"},
	{"verbose", "v", CLI_F_BOOL, "Verbose output"},
	{"set-new-custom", NULL, CLI_F_BOOL, "Remove existing custom keys (if any) and store new custom metadata"},
	{"progress", NULL, CLI_F_BOOL, "Show progress bar(s) and progress of execution in real time"},
	{"compact", "c", CLI_F_BOOL, "Display properties grouped in human-readable mode"},
	{"refresh", NULL, CLI_F_STR,
	 "Time interval for continuous monitoring; can be also used to update progress bar (at a given interval);\n"
	 "valid time units: ns, us (or µs), ms, s (default), m, h"},
	{"count", NULL, CLI_F_STR, "Used together with '--refresh' to limit the number of generated reports (default: 0)"},
	{"regex", NULL, CLI_F_STR, "Regular expression to select table columns (case-insensitive)"},
	{"transient", NULL, CLI_F_BOOL, "Update config in memory without storing the change(s) on disk"},
	{"force", "f", CLI_F_BOOL, "Force execution of the command (caution: advanced usage only)"},
	{"skip-lookup", NULL, CLI_F_BOOL, "Do not execute HEAD(bucket) request to lookup remote bucket and its properties"},
	{"dry-run", NULL, CLI_F_BOOL, "Preview the results without really running the action"},
	{"average-size", NULL, CLI_F_BOOL, "Show average GET, PUT, etc. request size"},
	{"no-rebalance", NULL, CLI_F_BOOL, "Do _not_ run global rebalance after putting node in maintenance (caution: advanced usage only!)"},
	{"no-shutdown", NULL, CLI_F_BOOL, "Do not shutdown node upon decommissioning it from the cluster"},
	{"no-resilver", NULL, CLI_F_BOOL, "Do _not_ resilver data off of the mountpaths that are being disabled or detached"},
	{"rm-user-data", NULL, CLI_F_BOOL, "Remove all user data when decommissioning node from the cluster"},
	{"keep-initial-config", NULL, CLI_F_BOOL, "Keep the original plain-text configuration the node was deployed with"},
	{"extended", NULL, CLI_F_BOOL, "Show extended (intra-cluster control and data) URLs"},
	{"silent", NULL, CLI_F_BOOL, "Server-side flag, an indication for aistore _not_ to log assorted errors"},
	{"wait", NULL, CLI_F_BOOL, "Wait for an asynchronous operation to finish (optionally, use '--timeout' to limit the waiting time)"},
	{"timeout", NULL, CLI_F_STR,
	 "Maximum time to wait for a job to finish; if omitted: wait forever or until Ctrl-C;\n"
	 "valid time units: ns, us (or µs), ms, s (default), m, h"},
	{"rm-zero-size", NULL, CLI_F_BOOL, "Remove zero size objects (caution: advanced usage only)"},
	{"keep-misplaced", NULL, CLI_F_BOOL,
	 "Do not remove misplaced objects (default: remove after 'dont_cleanup_time' grace period)\n"
	 "Tip: use 'ais config cluster log.modules space' to enable logging for dry-run visibility"},
	{"non-verbose", "nv", CLI_F_BOOL, "Non-verbose (quiet) output, minimized reporting, fewer warnings"},
	{"copies", NULL, CLI_F_STR, "Number of object replicas (default: 1)"},
	{"data-slices", "d", CLI_F_STR, "Number of data slices"},
	{"parity-slices", "p", CLI_F_STR, "Number of parity slices"},
	{"recover", NULL, CLI_F_BOOL, "Check and make sure that each and every object is properly erasure coded"},
	{"archpath", NULL, CLI_F_STR,
	 "Extract the specified file from an object (\"shard\") formatted as: .tar, .tgz or .tar.gz, .zip, .tar.lz4;\n"
	 "see also: '--archregx'"},
	{"archregx", NULL, CLI_F_STR,
	 "Specifies prefix, suffix, substring, WebDataset key, _or_ a general-purpose regular expression\n"
	 "to select possibly multiple matching archived files from a given shard;\n"
	 "is used in combination with '--archmode' (\"matching mode\") option"},
	{"archmode", NULL, CLI_F_STR,
	 "Enumerated \"matching mode\" that tells aistore how to handle '--archregx', one of:\n"
	 "  * regexp - general purpose regular expression;\n  * prefix - matching filename starts with;\n"
	 "  * suffix - matching filename ends with;\n  * substr - matching filename contains;\n"
	 "  * wdskey - WebDataset key"},
	{"archmime", NULL, CLI_F_STR,
	 "Expected format (mime type) of an object (\"shard\") formatted as .tar, .tgz or .tar.gz, .zip, .tar.lz4;\n"
	 "especially usable for shards with non-standard extensions"},
	{"archive", NULL, CLI_F_BOOL, "List archived content (see docs/archive.md for details)"},
	{"append", NULL, CLI_F_BOOL,
	 "Add newly archived content to the destination object (\"archive\", \"shard\") that must exist"},
	{"append-or-put", NULL, CLI_F_BOOL,
	 "Append to an existing destination object (\"archive\", \"shard\") iff exists; otherwise PUT a new archive (shard)"},
	{"list", NULL, CLI_F_STR, "Comma-separated list of object or file names, e.g.: --list 'o1,o2,o3'"},
	{"template", NULL, CLI_F_STR,
	 "Template to match object or file names; may contain prefix (that could be empty) with zero or more ranges\n"
	 "(with optional steps and gaps), e.g.: --template 'shard-{1000..9999}.tar'"},
	{"cont-on-err", NULL, CLI_F_BOOL, "Keep running archiving xaction (job) in presence of errors in a any given multi-object transaction"},
	{"include-src-bck", NULL, CLI_F_BOOL, "Prefix the names of archived files with the source bucket name"},
	{"non-recursive", "nr", CLI_F_BOOL, "Non-recursive operation (do not descend into nested virtual directories)"},
	{"fcount", NULL, CLI_F_STR, "Number of files in a shard (default: 5)"},
	{"fsize", NULL, CLI_F_STR, "Size of the files in a shard (default: \"1024\")"},
	{"fext", NULL, CLI_F_STR, "Comma-separated list of file extensions (default \".test\"), e.g.: --fext '.mp3,.json,.cls'"},
	{"tform", NULL, CLI_F_STR, "TAR file format selection (one of \"Unknown\", \"USTAR\", \"PAX\", or \"GNU\")"},
	{"spec", "f", CLI_F_STR, "Path to JSON request specification (or inline JSON)"},
	{"omit-src-bck", NULL, CLI_F_BOOL,
	 "When set, strip source bucket names from paths inside the archive (ie., use object names only)"},
	{"streaming", NULL, CLI_F_BOOL, "stream the resulting archive prior to finalizing it in memory"},
	{"num-workers", NULL, CLI_F_STR, "Number of concurrent workers; (-1) none; (0) auto-computed"},
	{"skip-verify", NULL, CLI_F_BOOL, "Trust existing shard indexes without loading and verifying them (fast re-run)"},
	{"cached", NULL, CLI_F_BOOL, "Only list in-cluster objects, i.e., objects from the respective remote bucket that are present (\"cached\") in the cluster"},
	{"latest", NULL, CLI_F_BOOL, "Check in-cluster metadata and, possibly, GET, download, prefetch, or otherwise copy the latest object version\n\tfrom the associated remote bucket"},
	{"sync", NULL, CLI_F_BOOL, "Fully synchronize in-cluster content of a given remote bucket with its (Cloud or remote AIS) source"},
	{"prepend", NULL, CLI_F_STR, "Prefix to prepend to every object name in the destination bucket"},
	{"blob-threshold", NULL, CLI_F_STR, "Utilize built-in blob-downloader for remote objects greater than the specified (threshold) size"},
	{"chunk-size", NULL, CLI_F_STR, "Chunk size in IEC or SI units, or \"raw\" bytes (e.g.: 4mb, 1MiB, 1048576, 128k)"},
	{"keep-md", NULL, CLI_F_BOOL, "Keep bucket metadata"},
	{"description", "desc", CLI_F_STR, "Job description; role description (ais auth)"},
	{"password", "p", CLI_F_STR, "User password"},
	{"expire", "e", CLI_F_STR,
	 "Token expiration time, '0' - for never-expiring token (the AuthN maximum);\n"
	 "valid time units: ns, us (or µs), ms, s (default), m, h"},
	{"file", "f", CLI_F_STR, "Path to file"},
	{"cluster", NULL, CLI_F_STR, "Associate role with the specified AIS cluster"},
	{"bucket", NULL, CLI_F_STR, "Associate a role with the specified bucket"},
	{"help", "h", CLI_F_BOOL, "Show help"},
};

const cli_flag_t *cli_args_flag(const char *name)
{
	for (size_t i = 0; i < sizeof(args_flags) / sizeof(args_flags[0]); i++)
		if (!strcmp(args_flags[i].name, name))
			return &args_flags[i];
	return NULL;
}

/* the next flag of a command's space-separated flag list into *f (NULL if not in the table);
 * returns the rest of the list, NULL at its end */
static const char *args_flag_next(const char *p, const cli_flag_t **f)
{
	char name[64];
	while (*p == ' ')
		p++;
	if (!*p)
		return NULL;
	size_t l = strcspn(p, " ");
	snprintf(name, sizeof(name), "%.*s", (int)l, p);
	*f = cli_args_flag(name);
	return p + l;
}

/* "bprops" is shown and accepted as --props (bucket create) */
static const char *args_flag_shown(const cli_flag_t *f) { return !strcmp(f->name, "bprops") ? "props" : f->name; }

/* a command's flags: its list plus help; matching by name or alias */
static const cli_flag_t *args_cmd_flag(const cli_cmd_t *cmd, const char *tok)
{
	const cli_flag_t *f;
	for (const char *p = cmd->flags ? cmd->flags : ""; (p = args_flag_next(p, &f));)
		if (f && (!strcmp(args_flag_shown(f), tok) || (f->alias && !strcmp(f->alias, tok))))
			return f;
	if (!strcmp(tok, "help") || !strcmp(tok, "h"))
		return cli_args_flag("help");
	return NULL;
}

static bool args_name_match(const cli_cmd_t *cmd, const char *tok)
{
	if (!strcmp(cmd->name, tok))
		return true;
	if (!cmd->aliases)
		return false;
	size_t tl = strlen(tok);
	for (const char *p = cmd->aliases; *p;) {
		size_t l = strcspn(p, "|");
		if (l == tl && !strncmp(p, tok, l))
			return true;
		p += l;
		if (*p == '|')
			p++;
	}
	return false;
}

int cli_args_usage_err(cli_ctx_t *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "Incorrect '%s' usage: %s.\n\nUSAGE:\n   %s %s%s%s\n\nSee '--help' for details.\n", c->cmdpath,
		msg, c->cmdpath, c->cmd && c->cmd->args ? c->cmd->args : "", c->cmd && c->cmd->args ? " " : "",
		c->cmd && c->cmd->flags ? "[command options]" : "");
	return 2;
}

bool cli_args_kv(const cli_ctx_t *c, int *i, bool strict, char *key, size_t cap, const char **v)
{
	const char *a = c->args[*i], *eq = strchr(a, '=');
	if (eq) {
		snprintf(key, cap, "%.*s", (int)(eq - a), a);
		*v = eq + 1;
	} else if (*i + 1 < c->nargs && !(strict && strchr(c->args[*i + 1], '='))) {
		snprintf(key, cap, "%s", a);
		*v = c->args[++*i];
	} else {
		return false;
	}
	return true;
}

int cli_args_parse(cli_ctx_t *c, const cli_cmd_t *root, int argc, char **argv)
{
	const cli_cmd_t *cur = root;
	int i = 0;
	snprintf(c->cmdpath, sizeof(c->cmdpath), "ais");
	c->cmd = root;
	/* descend through subcommand names */
	while (i < argc && cur->subs && argv[i][0] != '-') {
		const cli_cmd_t *next = NULL;
		for (const cli_cmd_t *s = cur->subs; s->name; s++)
			if (args_name_match(s, argv[i])) {
				next = s;
				break;
			}
		if (!next) {
			if (cur->run)
				break; /* a command with both subcommands and its own action: an argument */
			fprintf(stderr, "Incorrect '%s' usage: unknown subcommand \"%s\".\n\n", c->cmdpath, argv[i]);
			cli_args_help(c, c->cmdpath, cur);
			return 2;
		}
		cur = next;
		size_t l = strlen(c->cmdpath);
		snprintf(c->cmdpath + l, sizeof(c->cmdpath) - l, " %s", cur->name);
		c->cmd = cur;
		i++;
	}
	bool only_args = false, help = false;
	for (; i < argc; i++) {
		char *a = argv[i];
		if (only_args || a[0] != '-' || !a[1]) {
			if (c->nargs >= CLI_MAX_ARGS)
				return cli_args_usage_err(c, "too many arguments");
			c->args[c->nargs++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = true;
			continue;
		}
		char tok[96];
		const char *s = a + (a[1] == '-' ? 2 : 1);
		const char *eq = strchr(s, '=');
		snprintf(tok, sizeof(tok), "%.*s", (int)(eq ? (size_t)(eq - s) : strlen(s)), s);
		const cli_flag_t *f = args_cmd_flag(cur, tok);
		if (!f) {
			fprintf(stderr, "Incorrect '%s' usage: flag provided but not defined: -%s.\n\n", c->cmdpath, tok);
			cli_args_help(c, c->cmdpath, cur);
			return 2;
		}
		if (!strcmp(f->name, "help")) {
			help = true;
			continue;
		}
		const char *val = "true";
		if (f->kind == CLI_F_STR) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return cli_args_usage_err(c, "flag needs an argument: --%s", tok);
		} else if (eq) {
			val = eq + 1;
		}
		if (c->nflags >= CLI_MAX_FLAGS)
			return cli_args_usage_err(c, "too many flags");
		c->fl[c->nflags] = f;
		c->fv[c->nflags++] = val;
	}
	if (help || !cur->run) {
		cli_args_help(c, c->cmdpath, cur);
		return 1;
	}
	return 0;
}

bool cli_flag(const cli_ctx_t *c, const char *name)
{
	for (int i = c->nflags - 1; i >= 0; i--)
		if (!strcmp(c->fl[i]->name, name))
			return strcmp(c->fv[i], "false") != 0;
	return false;
}

const char *cli_flag_str(const cli_ctx_t *c, const char *name, const char *dflt)
{
	for (int i = c->nflags - 1; i >= 0; i--)
		if (!strcmp(c->fl[i]->name, name))
			return c->fv[i];
	return dflt;
}

int cli_flag_int(cli_ctx_t *c, const char *name, int64_t dflt, int64_t *out)
{
	const char *s = cli_flag_str(c, name, NULL);
	*out = dflt;
	if (!s)
		return 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 0) {
		cli_err(c, "invalid value \"%s\" for flag --%s: expecting a non-negative integer", s, name);
		return -1;
	}
	*out = v;
	return 0;
}

/* urfave/cli (v1) help layout as AIStore prints it */
void cli_args_help(cli_ctx_t *c, const char *path, const cli_cmd_t *cmd)
{
	sbuf_t t = SBUF_INIT;
	const char *usage = cmd->usage ? cmd->usage : "";
	/* NAME: first usage line after the path, the rest indented */
	sbuf_addf(&t, "NAME:\n   %s - ", path);
	for (const char *p = usage; *p; p++) {
		sbuf_add(&t, p, 1);
		if (*p == '\n')
			sbuf_adds(&t, "     ");
	}
	sbuf_adds(&t, "\n\nUSAGE:\n   ");
	if (cmd == cli_root())
		sbuf_adds(&t, "ais [global options] command [command options] [arguments...]\n");
	else if (!cmd->run)
		sbuf_addf(&t, "%s command [arguments...] [command options]\n", path);
	else
		sbuf_addf(&t, "%s%s%s [command options]\n", path, cmd->args ? " " : "", cmd->args ? cmd->args : "");
	if (cmd == cli_root())
		sbuf_addf(&t, "\nVERSION:\n   %s\n", CLI_VERSION);
	if (cmd->subs) {
		sbuf_t cmds = SBUF_INIT, out = SBUF_INIT;
		sbuf_adds(&t, "\nCOMMANDS:\n");
		for (const cli_cmd_t *s = cmd->subs; s->name; s++) {
			size_t l = strcspn(s->usage ? s->usage : "", "\n");
			sbuf_addf(&cmds, "   %s%s%s\t%.*s\n", s->name, s->aliases ? ", " : "", s->aliases ? s->aliases : "",
				  (int)l, s->usage ? s->usage : "");
		}
		cli_tab_render_opts(sbuf_str(&cmds), cmds.len, &out, 2, ' ');
		sbuf_add(&t, out.p ? out.p : "", out.len);
		sbuf_fini(&cmds);
		sbuf_fini(&out);
	}
	sbuf_adds(&t, cmd == cli_root() ? "\nGLOBAL OPTIONS:\n" : "\nOPTIONS:\n");
	{
		sbuf_t opts = SBUF_INIT, out = SBUF_INIT;
		const cli_flag_t *f;
		for (const char *p = cmd->flags ? cmd->flags : ""; (p = args_flag_next(p, &f));) {
			if (!f)
				continue;
			sbuf_addf(&opts, "   --%s%s%s%s\t", args_flag_shown(f), f->kind == CLI_F_STR ? " value" : "", f->alias ? ", -" : "",
				  f->alias ? f->alias : "");
			for (const char *u = f->usage; *u; u++) {
				sbuf_add(&opts, u, 1);
				if (*u == '\n')
					sbuf_adds(&opts, "\t");
			}
			sbuf_adds(&opts, "\n");
		}
		if (cmd == cli_root()) {
			sbuf_adds(&opts, "   --no-color\tDisable colored output\n");
			sbuf_adds(&opts, "   --help, -h\tShow help\n");
			sbuf_adds(&opts, "   --version, -v\tPrint the version\n");
		} else {
			sbuf_adds(&opts, "   --help, -h\tShow help\n");
		}
		cli_tab_render_opts(sbuf_str(&opts), opts.len, &out, 2, ' ');
		/* Go's tabwriter pads with tabs; help pages read better with spaces */
		sbuf_add(&t, out.p ? out.p : "", out.len);
		sbuf_fini(&opts);
		sbuf_fini(&out);
	}
	fputs(sbuf_str(&t), stdout);
	sbuf_fini(&t);
	(void)c;
}
