/* tjson: the target's JSON answers (see tjson.h). */
#include "target/tjson.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/jsonx.h"

void tjson_respond(http_req_t *r, json_t *j)
{
	char *s = j ? jsonx_dumps(j) : NULL;
	if (s)
		http_respond(r, 200, "application/json", s, strlen(s));
	else
		http_error_code(r, AIS_ENOMEM, "out of memory");
	free(s);
	json_decref(j);
}
