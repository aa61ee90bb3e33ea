/* http_buf: a loop's pools of connection buffers: read buffers (HTTP_RBUF_SMALL), request-head
 * buffers (cfg.max_head) and arena blocks (HTTP_ARENA_BLOCK). Connections take them when bytes
 * arrive and give them back while idle, so an idle or half-open connection holds no buffer and
 * a burst of connections leaves at most HTTP_BUFPOOL_MAX free buffers of each kind behind.
 * Invariants: loop thread only (no locking); every pooled buffer is a plain malloc block of its
 * kind's exact size; a full pool frees what it is given. */
#include "net/http_int.h"

#include <stdlib.h>

static size_t http_buf_size(const http_loop_t *l, int kind)
{
	switch (kind) {
	case HTTP_BUF_RBUF: return HTTP_RBUF_SMALL;
	case HTTP_BUF_HEAD: return l->srv->cfg.max_head;
	default: return sizeof(http_arena_blk_t) + HTTP_ARENA_BLOCK;
	}
}

void *http_buf_get(http_loop_t *l, int kind)
{
	http_bufstack_t *b = &l->bufs[kind];
	if (b->n)
		return b->items[--b->n];
	return malloc(http_buf_size(l, kind));
}

void http_buf_put(http_loop_t *l, int kind, void *p)
{
	if (!p)
		return;
	http_bufstack_t *b = &l->bufs[kind];
	if (b->n < HTTP_BUFPOOL_MAX)
		b->items[b->n++] = p;
	else
		free(p);
}

void http_buf_fini(http_loop_t *l)
{
	for (int k = 0; k < HTTP_BUF_NKINDS; k++) {
		http_bufstack_t *b = &l->bufs[k];
		while (b->n)
			free(b->items[--b->n]);
	}
}
