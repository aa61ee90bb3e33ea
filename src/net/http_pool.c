/* http_pool: worker threads that run deferred handlers (http_defer, http_read_body on_pool).
 * Owns a FIFO of connections (intrusive via task_next; each connection has at most one task
 * queued: its handler owns the request). Stop drains the queue, then joins: every queued handler
 * runs, so no request is left owned by a handler that will never respond. */
#include "net/http_int.h"
#include "core/err.h"

#include <stdlib.h>

static void *http_pool_main(void *arg)
{
	http_pool_t *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		http_conn_t *c = p->head;
		if (!c)
			break; /* stop and empty */
		p->head = c->task_next;
		if (!p->head)
			p->tail = NULL;
		c->task_next = NULL;
		pthread_mutex_unlock(&p->mu);
		http_handler_cb fn = c->pool_fn;
		fn(&c->req); /* c may be gone (handed back) after this */
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int http_pool_start(http_pool_t *p, int n)
{
	p->th = calloc((size_t)n, sizeof(*p->th));
	if (!p->th)
		return AIS_ENOMEM;
	for (int i = 0; i < n; i++) {
		if (pthread_create(&p->th[i], NULL, http_pool_main, p)) {
			http_pool_stop(p);
			return AIS_ENOMEM;
		}
		p->n = i + 1;
	}
	return 0;
}

void http_pool_push(http_pool_t *p, http_conn_t *c)
{
	pthread_mutex_lock(&p->mu);
	c->task_next = NULL;
	if (p->tail)
		p->tail->task_next = c;
	else
		p->head = c;
	p->tail = c;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void http_pool_stop(http_pool_t *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->n; i++)
		pthread_join(p->th[i], NULL);
	free(p->th);
	p->th = NULL;
	p->n = 0;
}
