/* config_tab: the declarative configuration table (nginx ngx_command_t, Redis static_configs[]).
 * One row per field of the cluster config (AIStore's cmn.ClusterConfig, plus our "s3" section)
 * and of the node-local config (cmn.LocalConfig): JSON path as AIStore spells it, type, where the
 * typed value lives in config_t (offset, size), AIStore 4.7's default, range or allowed values,
 * scope and runtime rules. The rows drive loading (config_parse), validation, set-config
 * (config_apply_kv), the JSON shown by `GET /v1/daemon?what=config`, the bucket props' types and
 * the generated reference in docs/configuration.md (config_tab_markdown).
 * Pure: no I/O, no global mutable state; the table is const.
 * Adding a field = one row here + one member in config_t (config.h). */
#ifndef AIS_CONFIG_TAB_H
#define AIS_CONFIG_TAB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

typedef enum {
	CT_BOOL,     /* JSON true/false (set-config: true/false/1/0) */
	CT_INT,      /* integer: JSON number (a decimal string is accepted on input); [lo, hi] */
	CT_DUR,      /* Go duration string ("10s", "1m30s") stored in ns; [lo, hi] */
	CT_SIZE,     /* IEC size string ("1GiB", "10mb", "4096") stored in bytes; [lo, hi] */
	CT_STR,      /* string, at most size-1 bytes */
	CT_ENUM,     /* string, one of vals[] */
	CT_FEAT,     /* feature flags: names or a number on input, a decimal string in JSON */
	CT_LOGLVL,   /* AIStore log level: "3" (string or number), verbosity 1..5 + module bits */
	CT_PORT,     /* TCP port: a string in AIStore's files (a number is accepted) */
	CT_HOSTS,    /* host name list: a string, spaces stripped as AIStore does */
	CT_FSPATHS,  /* {"/mountpath": {} | "label", ...}: paths cleaned like Go's filepath.Clean */
	CT_S3KEYS,   /* [{"access": "...", "secret": "..."}, ...] (our S3 extension) */
	CT_BACKEND,  /* {"aws": {}, "ais": {"<alias>": ["<url>", ...]}}: AIStore's BackendConf */
	CT_EMPTYOBJ, /* an object that must be empty (e.g. "backend": no remote backends here) */
	CT_STRL,     /* a JSON list of strings (AIStore []string), stored as the entries joined by
		      * '\n' (no entry is empty or holds a newline); a plain string is one entry ("" none);
		      * set-config's query form is AIStore's "[a b]" (spaces separate, "none" empties) */
	CT_DROPOBJ,  /* a build-tag section AIStore drops when not built in (distributed_sort, tracing):
		      * accepted at load when it does not ask for the feature, never stored or shown */
} ctab_type_t;

/* row flags */
enum {
	CF_LOCAL = 1 << 0,   /* local config (cmn.LocalConfig); otherwise cluster config */
	CF_RO = 1 << 1,      /* not settable at runtime (AIStore: absent from ConfigToSet, or readonly) */
	CF_GLOBAL = 1 << 2,  /* AIStore `allow:"cluster"`: cluster-wide set-config only, never per node */
	CF_RESTART = 1 << 3, /* settable, takes effect after a restart (AIStore's ConfigRestartRequired) */
	CF_USED = 1 << 4,    /* this implementation acts on the value */
	CF_NIY = 1 << 5,     /* the value switches on something not built here: only ok[] (or the
			      * default) is accepted; anything else -> AIS_ENOTIMPL (501) */
	CF_SECRET = 1 << 6,  /* never shown to clients (masked) */
	CF_QUOTED = 1 << 7,  /* CT_INT written as a decimal JSON string (AIStore `json:",string"`) */
	CF_REQUIRED = 1 << 8,/* must be present in the file (host_net.port) */
	CF_ZERO_OK = 1 << 9, /* CT_INT/DUR/SIZE: 0 ("system default") is accepted besides [lo, hi] */
};

typedef struct ctab_row {
	const char *path;          /* dotted JSON path: "timeout.max_keepalive" */
	ctab_type_t type;
	unsigned flags;
	size_t off, size;          /* the typed member of config_t (size 0: no member) */
	const char *dflt;          /* AIStore 4.7 default in its JSON spelling ("10s", "3", "true") */
	int64_t lo, hi;            /* CT_INT/DUR/SIZE range (inclusive); lo > hi: no range */
	const char *const *vals;   /* CT_ENUM: allowed values (NULL-terminated) */
	const char *const *ok;     /* CF_NIY: the values this build supports (NULL: only dflt) */
	const char *noun;          /* what a bad value is called in messages ("factor"); NULL: "value" */
	const char *doc;           /* one line for docs/configuration.md */
} ctab_row_t;

/* one parsed scalar value (what a row's type yields before it is stored) */
typedef struct ctab_val {
	int64_t i;                 /* BOOL (0/1), INT, DUR (ns), SIZE, FEAT (bits), LOGLVL (verbosity), PORT */
	const char *s;             /* STR/ENUM/HOSTS: borrowed from the input JSON (valid while it lives) */
	char txt[CONFIG_TXT_MAX];  /* DUR/SIZE/LOGLVL: the spelling as given, shown back unchanged */
	char lst[CONFIG_LIST_MAX]; /* STRL: the entries joined by '\n' (s points here after a parse) */
} ctab_val_t;

/* the rows (n) in table order; index i is also the slot of config_t.txt */
const ctab_row_t *config_tab_rows(size_t *n);
/* the row at an exact dotted path (any scope); NULL if none */
const ctab_row_t *config_tab_find(const char *path);
/* index of a row of config_tab_rows() */
size_t config_tab_index(const ctab_row_t *r);

/* parse a JSON value (not null) for row r: type, range, allowed values. `what` prefixes messages
 * ("cluster config"; NULL: none): "<what>: <path>: <problem>". 0 or AIS_EINVAL. */
int config_tab_parse(const ctab_row_t *r, json_t *v, ctab_val_t *out, const char *what, char *err, size_t errcap);
/* a set-config string ("true", "10s", "Fsync-PUT,S3-API-via-Root") as the JSON value the row
 * takes on input (new reference), or NULL with err filled (invalid value). */
json_t *config_tab_from_str(const ctab_row_t *r, const char *s, char *err, size_t errcap);
/* the canonical JSON for a parsed value (new reference): what is stored and shown */
json_t *config_tab_val_json(const ctab_row_t *r, const ctab_val_t *v);
/* CF_NIY: 0 when v is a value this build supports, else AIS_ENOTIMPL with err naming the field */
int config_tab_niy_check(const ctab_row_t *r, const ctab_val_t *v, char *err, size_t errcap);

/* store a parsed value into c's member (and c->txt); load it back */
void config_tab_store(const ctab_row_t *r, config_t *c, const ctab_val_t *v);
void config_tab_load(const ctab_row_t *r, const config_t *c, ctab_val_t *out);
/* the value of row r in c as JSON (new reference; NULL for CT_DROPOBJ); secrets masked if pub */
json_t *config_tab_json(const ctab_row_t *r, const config_t *c, bool pub);

/* the special types (their parsers write c directly): 0 or AIS_EINVAL/AIS_ENOMEM, err filled */
int config_tab_fspaths(config_t *c, json_t *fsp, const char *what, char *err, size_t errcap);
int config_tab_s3keys(config_t *c, json_t *keys, const char *what, char *err, size_t errcap);
int config_tab_backend(config_t *c, json_t *v, const char *what, char *err, size_t errcap);
int config_tab_dropobj(const ctab_row_t *r, json_t *v, const char *what, char *err, size_t errcap);
/* AIStore's testing layout: test_fspaths.count > 0 replaces fspaths with root/mp1..mpN[/instance] */
int config_tab_test_fspaths(config_t *c, const char *what, char *err, size_t errcap);

/* cross-field rules (AIStore's per-section Validate()), run after every parse. 0 or AIS_EINVAL. */
int config_tab_validate(const config_t *c, const char *what, char *err, size_t errcap);

/* feature flag names (AIStore cmn/feat Cluster order: bit i = name i) and the bits this build
 * implements (others are rejected with 501) */
const char *config_tab_feat_name(int bit);
uint64_t config_tab_feat_supported(void);

/* the reference table of docs/configuration.md (markdown; deterministic); caller frees */
char *config_tab_markdown(void);

#endif
