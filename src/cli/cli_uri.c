/* cli_uri: parsing and printing of bucket/object names (see cli_uri.h). Pure. */
#include "cli/cli_uri.h"

#include <stdio.h>
#include <string.h>

static const char *const uri_alias[][2] = {
	{"ais", "ais"}, {"aws", "aws"}, {"s3", "aws"}, {"gcp", "gcp"}, {"gs", "gcp"}, {"azure", "azure"},
	{"az", "azure"}, {"oci", "oci"}, {"oc", "oci"}, {"ht", "ht"},
};

const char *cli_uri_provider(const char *scheme)
{
	for (size_t i = 0; i < sizeof(uri_alias) / sizeof(uri_alias[0]); i++)
		if (!strcmp(scheme, uri_alias[i][0]))
			return uri_alias[i][1];
	return NULL;
}

static int uri_err(char *err, size_t cap, const char *fmt, const char *a)
{
	snprintf(err, cap, fmt, a);
	return -1;
}

int cli_uri_parse(const char *uri, cli_bck_t *b, char *obj, size_t objcap, char *err, size_t errcap)
{
	memset(b, 0, sizeof(*b));
	if (obj && objcap)
		obj[0] = '\0';
	const char *rest = uri;
	const char *sep = strstr(uri, "://");
	char scheme[32] = "";
	if (sep) {
		snprintf(scheme, sizeof(scheme), "%.*s", (int)(sep - uri), uri);
		rest = sep + 3;
	} else if (uri[0] && uri[strlen(uri) - 1] == ':' && !strchr(uri, '/')) {
		snprintf(scheme, sizeof(scheme), "%.*s", (int)strlen(uri) - 1, uri); /* "s3:" */
		rest = "";
	} else if (cli_uri_provider(uri)) {
		snprintf(scheme, sizeof(scheme), "%s", uri); /* "ais", "s3" alone: provider */
		rest = "";
	}
	if (scheme[0]) {
		const char *p = cli_uri_provider(scheme);
		if (!p)
			return uri_err(err, errcap, "invalid backend provider \"%s\"", scheme);
		snprintf(b->provider, sizeof(b->provider), "%s", p);
	} else {
		snprintf(b->provider, sizeof(b->provider), "ais");
	}
	/* namespace: "@uuid#name/" or "#name/" */
	if (rest[0] == '@' || rest[0] == '#') {
		const char *slash = strchr(rest, '/');
		size_t l = slash ? (size_t)(slash - rest) : strlen(rest);
		const char *hash = memchr(rest, '#', l);
		if (rest[0] == '@') {
			size_t ul = hash ? (size_t)(hash - rest - 1) : l - 1;
			snprintf(b->ns_uuid, sizeof(b->ns_uuid), "%.*s", (int)ul, rest + 1);
		}
		if (hash)
			snprintf(b->ns_name, sizeof(b->ns_name), "%.*s", (int)(l - (size_t)(hash - rest) - 1), hash + 1);
		rest = slash ? slash + 1 : rest + l;
	}
	const char *slash = strchr(rest, '/');
	size_t bl = slash ? (size_t)(slash - rest) : strlen(rest);
	if (bl >= sizeof(b->name))
		return uri_err(err, errcap, "bucket name \"%.100s\" is too long", rest);
	snprintf(b->name, sizeof(b->name), "%.*s", (int)bl, rest);
	const char *o = slash ? slash + 1 : "";
	if (*o) {
		if (!obj)
			return uri_err(err, errcap, "unexpected object name in \"%s\" (expecting a bucket)", uri);
		if (strlen(o) >= objcap)
			return uri_err(err, errcap, "object name in \"%.100s\" is too long", uri);
		snprintf(obj, objcap, "%s", o);
	}
	for (const char *p = b->name; *p; p++) {
		char ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_' || ch == '.'))
			return uri_err(err, errcap,
				       "bucket name \"%s\" is invalid: may only contain letters, numbers, dashes (-), "
				       "underscores (_), and dots (.)",
				       b->name);
	}
	return 0;
}

const char *cli_uri_ns(const cli_bck_t *b, char *out, size_t cap)
{
	if (b->ns_uuid[0])
		snprintf(out, cap, "@%s#%s", b->ns_uuid, b->ns_name);
	else if (b->ns_name[0])
		snprintf(out, cap, "#%s", b->ns_name);
	else if (cap)
		out[0] = '\0';
	return out;
}

const char *cli_uri_cname(const cli_bck_t *b, const char *obj, char *out, size_t cap)
{
	char ns[140];
	cli_uri_ns(b, ns, sizeof(ns));
	/* apc.ToScheme: aws -> s3, gcp -> gs, azure -> az, oci -> oc */
	static const char *const sch[][2] = {{"aws", "s3"}, {"gcp", "gs"}, {"azure", "az"}, {"oci", "oc"}};
	const char *p = b->provider[0] ? b->provider : "ais";
	for (size_t i = 0; i < sizeof(sch) / sizeof(sch[0]); i++)
		if (!strcmp(p, sch[i][0]))
			p = sch[i][1];
	snprintf(out, cap, "%s://%s%s%s%s%s", p, ns, ns[0] ? "/" : "", b->name, obj && *obj ? "/" : "", obj && *obj ? obj : "");
	return out;
}
