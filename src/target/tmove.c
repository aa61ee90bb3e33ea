/* tmove: the movers' shared machinery (see tmove.h, tmove_int.h): registration of "obj-put" and
 * "obj-pull" on the node's transport endpoint, the worker threads that do the receive side's
 * disk I/O (receive callbacks run on loop threads and must not block), the pipe from the loop to
 * the writer, and the frame header helpers.
 * Workers: TM_NWORKERS threads over one FIFO of intrusive tasks. A task may queue another (a
 * receive callback run inside transport_rx_resume on a worker); tmove_fini lets the queue drain
 * completely (no worker leaves while one still runs), so every accepted object ends (committed
 * or aborted, replied) before the transport endpoint is freed. */
#include "target/tmove_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/err.h"
#include "core/log.h"

#define TM_NWORKERS 4

/* ---------------------------------------------------------------- workers */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	tm_task_t *head, *tail;
	int running;   /* tasks being run */
	bool stop;
	pthread_t th[TM_NWORKERS];
	int nth;
} tm_wq = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *tm_worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&tm_wq.mu);
	for (;;) {
		while (!tm_wq.head && !(tm_wq.stop && !tm_wq.running))
			pthread_cond_wait(&tm_wq.cv, &tm_wq.mu);
		tm_task_t *t = tm_wq.head;
		if (!t)
			break; /* stopping, nothing queued, nothing running that could queue more */
		tm_wq.head = t->next;
		if (!tm_wq.head)
			tm_wq.tail = NULL;
		t->next = NULL;
		tm_wq.running++;
		pthread_mutex_unlock(&tm_wq.mu);
		t->fn(t); /* may free t */
		pthread_mutex_lock(&tm_wq.mu);
		if (!--tm_wq.running && tm_wq.stop)
			pthread_cond_broadcast(&tm_wq.cv);
	}
	pthread_mutex_unlock(&tm_wq.mu);
	return NULL;
}

void tm_submit(tm_task_t *t)
{
	pthread_mutex_lock(&tm_wq.mu);
	AIS_ASSERT(tm_wq.nth > 0); /* tmove_init ran; tmove_fini waits for the queue */
	t->next = NULL;
	if (tm_wq.tail)
		tm_wq.tail->next = t;
	else
		tm_wq.head = t;
	tm_wq.tail = t;
	pthread_cond_signal(&tm_wq.cv);
	pthread_mutex_unlock(&tm_wq.mu);
}

static void tm_wq_stop(void)
{
	pthread_mutex_lock(&tm_wq.mu);
	tm_wq.stop = true;
	pthread_cond_broadcast(&tm_wq.cv);
	int n = tm_wq.nth;
	pthread_mutex_unlock(&tm_wq.mu);
	for (int i = 0; i < n; i++)
		pthread_join(tm_wq.th[i], NULL);
	pthread_mutex_lock(&tm_wq.mu);
	tm_wq.nth = 0;
	tm_wq.stop = false;
	pthread_mutex_unlock(&tm_wq.mu);
}

/* ---------------------------------------------------------------- init */

int tmove_init(void)
{
	transport_ep_t *ep = transport_node();
	if (!ep)
		return AIS_EINVAL;
	for (int i = 0; i < TM_NWORKERS; i++) {
		if (pthread_create(&tm_wq.th[i], NULL, tm_worker, NULL)) {
			tm_wq_stop();
			return AIS_ENOMEM;
		}
		tm_wq.nth = i + 1;
	}
	int rc = transport_register(ep, TMOVE_PUT, &tm_put_ops, NULL);
	if (!rc && (rc = transport_register(ep, TMOVE_PULL, &tm_pull_ops, NULL)))
		transport_unregister(ep, TMOVE_PUT);
	if (rc)
		tm_wq_stop();
	return rc;
}

int tmove_register(const char *trname, const tmove_policy_t *pol)
{
	transport_ep_t *ep = transport_node();
	return ep ? transport_register(ep, trname, &tm_put_ops, (void *)pol) : AIS_EINVAL;
}

void tmove_fini(void)
{
	tm_wq_stop(); /* the server has stopped: what is queued or running finishes, nothing new comes */
	transport_ep_t *ep = transport_node();
	if (ep) {
		transport_unregister(ep, TMOVE_PUT);
		transport_unregister(ep, TMOVE_PULL);
	}
}

/* ---------------------------------------------------------------- pipe */

void tm_pipe_init(tm_pipe_t *p)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
}

void tm_pipe_fini(tm_pipe_t *p)
{
	free(p->fill.p);
	free(p->full.p);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

static int tm_buf_add(tm_buf_t *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : TM_BUF;
		while (cap < b->len + n)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return AIS_ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
	return 0;
}

static void tm_buf_swap(tm_buf_t *a, tm_buf_t *b)
{
	tm_buf_t t = *a;
	*a = *b;
	*b = t;
}

/* p->mu held: there is work for a writer; *kick when none is active */
static void tm_pipe_wake(tm_pipe_t *p, bool *kick)
{
	pthread_cond_signal(&p->cv);
	if (!p->active)
		p->active = *kick = true;
}

int tm_pipe_data(tm_pipe_t *p, transport_rx_t *rx, const void *data, size_t len, bool *kick)
{
	*kick = false;
	int rc = 0;
	pthread_mutex_lock(&p->mu);
	if (p->err) {
		rc = p->err;
		goto out;
	}
	if ((rc = tm_buf_add(&p->fill, data, len))) {
		p->err = rc;
		goto out;
	}
	p->bytes += (int64_t)len;
	if (p->fill.len < TM_BUF)
		goto out;
	if (!p->full.len) {
		tm_buf_swap(&p->fill, &p->full); /* the writer takes it; we go on filling the other */
		tm_pipe_wake(p, kick);
	} else {
		p->stalled = true; /* both busy: stop reading until the writer took `fill` */
		p->rx = rx;
		rc = TRANSPORT_PAUSE;
	}
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int tm_pipe_keep(tm_pipe_t *p, const void *data, size_t len)
{
	pthread_mutex_lock(&p->mu);
	int rc = p->err ? p->err : tm_buf_add(&p->fill, data, len);
	if (rc && !p->err)
		p->err = rc;
	if (!rc)
		p->bytes += (int64_t)len;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void tm_pipe_end(tm_pipe_t *p, int status, bool *kick)
{
	*kick = false;
	pthread_mutex_lock(&p->mu);
	p->ended = true;
	p->status = status;
	if (status)
		p->fill.len = 0;
	tm_pipe_wake(p, kick);
	pthread_mutex_unlock(&p->mu);
}

int tm_pipe_run(tm_pipe_t *p, bool wait, obj_sink_fn sink, void *arg)
{
	pthread_mutex_lock(&p->mu);
	for (;;) {
		bool resume = false;
		if (p->err) { /* failed: nothing more is written; a stalled loop goes on (and is refused) */
			p->full.len = 0;
			if (p->stalled || p->ended)
				p->fill.len = 0;
		}
		if (!p->full.len && p->fill.len && (p->stalled || p->ended))
			tm_buf_swap(&p->fill, &p->full);
		if (p->stalled && !p->fill.len) {
			p->stalled = false;
			resume = true;
		}
		if (resume) {
			transport_rx_t *rx = p->rx;
			pthread_mutex_unlock(&p->mu);
			transport_rx_resume(rx); /* a failed stream's on_end may run in here: not under mu */
			pthread_mutex_lock(&p->mu);
		}
		if (p->full.len) {
			const char *b = p->full.p;
			size_t n = p->full.len;
			pthread_mutex_unlock(&p->mu); /* `full` is ours while its len > 0 */
			int rc = sink(arg, b, n);
			pthread_mutex_lock(&p->mu);
			p->full.len = 0;
			if (rc && !p->err)
				p->err = rc;
			continue;
		}
		if (resume)
			continue; /* the state may have changed meanwhile */
		if (p->ended && !p->fill.len)
			break;
		if (!wait) {
			p->active = false;
			pthread_mutex_unlock(&p->mu);
			return TM_IDLE;
		}
		if (p->done)
			break; /* answered without (more) payload */
		pthread_cond_wait(&p->cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return TM_END;
}

/* ---------------------------------------------------------------- headers */

void tm_ns_split(const char *ns, char *uuid, size_t ucap, char *name, size_t ncap)
{
	uuid[0] = name[0] = '\0';
	if (!ns || ns[0] != '@')
		return;
	const char *hash = strchr(ns, '#');
	if (hash) {
		snprintf(uuid, ucap, "%.*s", (int)(hash - ns - 1), ns + 1);
		snprintf(name, ncap, "%s", hash + 1);
	} else {
		snprintf(uuid, ucap, "%s", ns + 1);
	}
}

void tm_ns_join(const char *uuid, const char *name, char *ns, size_t cap)
{
	if ((uuid && *uuid) || (name && *name))
		snprintf(ns, cap, "@%s#%s", uuid ? uuid : "", name ? name : "");
	else
		ns[0] = '\0';
}

int tm_hdr_attrs(tframe_hdr_t *h, const lom_md_t *md, tframe_kv_t *kv, int kvcap)
{
	h->size = md->size;
	h->atime_ns = md->atime;
	if (md->cktype != CKSUM_NONE && md->ckval[0]) {
		h->cksum_type = cksum_type_str(md->cktype);
		h->cksum_value = md->ckval;
	}
	h->version = md->version;
	size_t pos = 0;
	const char *k, *v;
	int n = 0;
	while (lom_md_custom_next(md, &pos, &k, &v)) {
		if (n >= kvcap)
			return AIS_ETOOBIG;
		kv[n].key = k;
		kv[n].value = v;
		n++;
	}
	h->custom = kv;
	h->ncustom = n;
	return 0;
}

int tm_timeout_ms(void)
{
	const config_t *c = config_get();
	int64_t ns = c ? c->send_file_time_ns : 0;
	config_put(c);
	int64_t ms = ns / 1000000;
	if (ms <= 0)
		ms = 5 * 60 * 1000; /* AIStore's default timeout.send_file_time */
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}
