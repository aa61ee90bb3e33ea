/* fuzz: the AuthN request-body parsers (authn/abody.c: user, role, cluster, login, token) and the
 * cluster's TokenList parser (auth/revoke.c revoke_parse). Invariants: no crash or leak; a body
 * that parses yields canonical JSON with the fields the manager relies on (strings, arrays). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/revoke.h"
#include "authn/abody.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	char err[256], pass[256], tok[512];
	json_t *o = NULL;
	if (!abody_user(b, size, true, &o, err, sizeof(err))) {
		if (!json_is_string(json_object_get(o, "id")) || !json_is_array(json_object_get(o, "roles")))
			abort();
		json_decref(o);
	}
	if (!abody_role(b, size, false, &o, err, sizeof(err))) {
		if (!json_is_array(json_object_get(o, "clusters")) || !json_is_array(json_object_get(o, "buckets")))
			abort();
		json_decref(o);
	}
	if (!abody_cluster(b, size, &o, err, sizeof(err))) {
		if (!json_is_array(json_object_get(o, "urls")))
			abort();
		json_decref(o);
	}
	bool has;
	int64_t ns;
	abody_login(b, size, pass, sizeof(pass), &has, &ns, err, sizeof(err));
	if (!abody_token(b, size, tok, sizeof(tok), err, sizeof(err)) && !tok[0])
		abort();
	if (!revoke_parse(b, size, &o, err, sizeof(err))) {
		if (!json_is_array(o))
			abort();
		json_decref(o);
	}
	return 0;
}
