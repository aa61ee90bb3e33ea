/* mirror_q: the asynchronous put-copies queue of n-way mirroring (AIStore's mirror.XactPut: a
 * PUT into a mirrored bucket hands the object to a job whose work channel holds
 * mirror.burst_buffer objects). Owns one queue shared by the target's mirrored buckets, in
 * MQ_THREADS FIFO lanes by the object's digest (one object's copies in commit order), and the
 * threads that drain them (started on first use, live as long as the process). A commit queues
 * its object while fewer than its bucket's burst_buffer objects wait; otherwise (or when no
 * thread can start) the caller makes the copies inline. A thread brings each object to
 * its bucket's current copies (mirror_sync: the main replica as it is then - a newer commit's
 * copies replace an older one's; a deleted object is skipped). Must not: block a caller (posting
 * never waits). Pending copies are lost if the process exits (the main replicas are committed;
 * make-n-copies or the resilver's mirror pass bring them back). Counter: objects handled. */
#include "obj/mirror.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "obj/lom.h"

#define MQ_THREADS 8 /* AIStore: a worker per mountpath; here lanes by the object's digest (one
		      * object's copies in commit order) */

typedef struct mq_item {
	struct mq_item *next;
	int lane;
	char provider[16], ns[80], bck[BCK_NAME_MAX + 1];
	char name[];
} mq_item_t;

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv, idle;
	mq_item_t *head[MQ_THREADS], *tail[MQ_THREADS];
	int n;            /* queued, every lane */
	int busy;         /* threads making copies */
	int nth;          /* threads started */
	bool started, failed;
	int64_t handled;
} mq = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER};

static void mq_run(mq_item_t *it)
{
	obj_t o;
	obj_why_t why;
	memset(&o, 0, sizeof(o));
	if (obj_init(&o, it->provider, it->ns, it->bck, it->name, &why))
		return; /* the bucket is gone */
	int n = o.bck->mirror_copies;
	lom_md_t md;
	lom_md_init(&md);
	bool have = obj_load(&o, -1, &md) == 0; /* (deleted meanwhile: nothing to copy, nothing to heal) */
	lom_md_fini(&md);
	if (n > 1 && have) {
		int rc = mirror_sync(&o, n, NULL);
		if (rc && rc != AIS_ENOTFOUND)
			log_warn("%s: %d-way mirror (put-copies): %s", o.fqn, n, err_str(rc));
	}
	obj_fini(&o);
}

static bool mq_empty(void)
{
	for (int i = 0; i < MQ_THREADS; i++)
		if (mq.head[i])
			return false;
	return true;
}

static void *mq_thread(void *arg)
{
	int lane = (int)(intptr_t)arg;
	pthread_mutex_lock(&mq.mu);
	for (;;) {
		while (!mq.head[lane])
			pthread_cond_wait(&mq.cv, &mq.mu);
		mq_item_t *it = mq.head[lane];
		mq.head[lane] = it->next;
		if (!mq.head[lane])
			mq.tail[lane] = NULL;
		mq.n--;
		mq.busy++;
		pthread_mutex_unlock(&mq.mu);
		mq_run(it);
		free(it);
		pthread_mutex_lock(&mq.mu);
		mq.busy--;
		mq.handled++;
		if (!mq.busy && mq_empty())
			pthread_cond_broadcast(&mq.idle);
	}
	return NULL;
}

/* (mq.mu) */
static bool mq_start(void)
{
	if (mq.started || mq.failed)
		return mq.started;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	for (mq.nth = 0; mq.nth < MQ_THREADS; mq.nth++) {
		pthread_t th;
		if (pthread_create(&th, &at, mq_thread, (void *)(intptr_t)mq.nth))
			break;
	}
	pthread_attr_destroy(&at);
	mq.started = mq.nth > 0;
	mq.failed = !mq.started;
	if (mq.failed)
		log_err("mirror: cannot start the put-copies threads: copies are made inline");
	return mq.started;
}

int mirror_q_post(const obj_t *o, int burst)
{
	size_t nl = strlen(o->oname);
	mq_item_t *it = calloc(1, sizeof(*it) + nl + 1);
	if (!it)
		return AIS_ENOMEM;
	snprintf(it->provider, sizeof(it->provider), "%s", o->bck->provider);
	snprintf(it->ns, sizeof(it->ns), "%s", o->bck->ns);
	snprintf(it->bck, sizeof(it->bck), "%s", o->bck->name);
	memcpy(it->name, o->oname, nl + 1);
	pthread_mutex_lock(&mq.mu);
	if (mq.n >= burst || !mq_start()) {
		pthread_mutex_unlock(&mq.mu);
		free(it);
		return AIS_EAGAIN;
	}
	int l = it->lane = (int)(o->digest % (uint64_t)mq.nth);
	if (mq.tail[l])
		mq.tail[l]->next = it;
	else
		mq.head[l] = it;
	mq.tail[l] = it;
	mq.n++;
	pthread_cond_broadcast(&mq.cv); /* (each thread waits for its own lane) */
	pthread_mutex_unlock(&mq.mu);
	return 0;
}

int64_t mirror_q_drain(void)
{
	pthread_mutex_lock(&mq.mu);
	while (!mq_empty() || mq.busy)
		pthread_cond_wait(&mq.idle, &mq.mu);
	int64_t n = mq.handled;
	pthread_mutex_unlock(&mq.mu);
	return n;
}
