/* authtok: see authtok.h. */
#include "api/authtok.h"
#include "core/err.h"
#include "core/fsops.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int authtok_load(char *out, size_t cap)
{
	const char *env = getenv("AIS_AUTHN_TOKEN");
	out[0] = '\0';
	if (env && *env) {
		if (strlen(env) >= cap)
			return AIS_EINVAL;
		snprintf(out, cap, "%s", env);
		return 0;
	}
	char path[1024];
	const char *f = getenv("AIS_AUTHN_TOKEN_FILE"), *home = getenv("HOME");
	if (f && *f)
		snprintf(path, sizeof(path), "%s", f);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.config/ais/cli/auth.token", home);
	else
		return AIS_ENOTFOUND;
	char *txt = NULL;
	size_t len = 0;
	if (fsops_read_file(path, 64 * 1024, &txt, &len))
		return AIS_ENOTFOUND;
	json_t *j = json_loadb(txt, len, 0, NULL);
	const char *t = json_string_value(json_object_get(j, "token"));
	int rc = t && *t && strlen(t) < cap ? 0 : AIS_EINVAL;
	if (!rc)
		snprintf(out, cap, "%s", t);
	json_decref(j);
	free(txt);
	return rc;
}

int authtok_header(char *out, size_t cap)
{
	char tok[AUTHTOK_MAX];
	out[0] = '\0';
	int rc = authtok_load(tok, sizeof(tok));
	if (rc == AIS_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	int n = snprintf(out, cap, "Authorization: Bearer %s", tok);
	if (n < 0 || (size_t)n >= cap) {
		out[0] = '\0';
		return AIS_EINVAL;
	}
	return 0;
}
