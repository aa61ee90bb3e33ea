/* fuzz_http: arbitrary bytes as one client connection's request stream into the HTTP server's
 * connection state machine (llhttp parsing, request building, bodies, responses) through the
 * http_fuzz_feed seam; must neither crash nor leak. */
#include "core/err.h"
#include "net/http.h"
#include "net/http_fuzz.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fz_data(http_req_t *r, const char *d, size_t n)
{
	size_t *seen = r->user;
	*seen += n;
	return (n && d[0] == '!') ? AIS_ECKSUM : 0;
}

static void fz_end(http_req_t *r, int status)
{
	size_t *seen = r->user;
	free(seen);
	r->user = NULL;
	if (status)
		http_error_code(r, status, "stream: %d", status);
	else
		http_respond(r, 201, NULL, NULL, 0);
}

static void fz_body(http_req_t *r)
{
	http_respond(r, 200, "application/octet-stream", r->body, r->body_len);
}

static void fz_dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	char tmp[256];
	switch (r->path[1]) {
	case 'b':
		http_read_body(r, 1000, fz_body, false);
		break;
	case 's':
		r->user = calloc(1, sizeof(size_t));
		http_stream_body(r, fz_data, fz_end);
		break;
	case 'e':
		http_error(r, 404, http_query_get(r, "t"), "not found: %s", r->path);
		break;
	case 'f': {
		int fd = open("/dev/null", O_RDONLY);
		http_respond_fd(r, 200, fd, 0, 10);
		break;
	}
	case 'r':
		http_redirect(r, 307, r->raw_path);
		break;
	default:
		for (int i = 0; i < r->nhdrs && i < 4; i++)
			http_hdr_add(r, "X-Echo", r->hdrs[i].value);
		snprintf(tmp, sizeof(tmp), "%s|%s|%d|%d", r->path, r->raw_query, r->nquery,
			 http_query_bool(r, "x"));
		http_respond(r, 200, "text/plain", tmp, strlen(tmp));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	http_config_t cfg = {.nloops = 1, .max_head = 4096, .dispatch = fz_dispatch};
	http_fuzz_feed(&cfg, data, size);
	return 0;
}
