/* unit tests: cluster/suspect.c — the probe tells a refused connection from a live node, a node
 * that is not ready and one that does not answer; the probe thread marks a target of the
 * installed Smap that refuses, leaves the live one alone, and clears on keepalive/answer. */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cluster/smap.h"
#include "cluster/suspect.h"
#include "core/util.h"

/* a listening socket on a free loopback port; *port set */
static int listen_any(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(fd, 16), 0);
	socklen_t al = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return fd;
}

/* a port nothing listens on */
static int dead_port(void)
{
	int port;
	close(listen_any(&port));
	return port;
}

typedef struct srv {
	int lfd;
	const char *answer; /* NULL: accept and stay silent */
	volatile int stop;
} srv_t;

static void *srv_fn(void *arg)
{
	srv_t *s = arg;
	while (!s->stop) {
		int c = accept(s->lfd, NULL, NULL);
		if (c < 0)
			break;
		char buf[512];
		ssize_t n = recv(c, buf, sizeof(buf), 0);
		(void)n;
		if (s->answer)
			(void)!send(c, s->answer, strlen(s->answer), MSG_NOSIGNAL);
		else
			usleep(400 * 1000);
		close(c);
	}
	return NULL;
}

static pthread_t srv_start(srv_t *s, int *port, const char *answer)
{
	s->lfd = listen_any(port);
	s->answer = answer;
	s->stop = 0;
	pthread_t th;
	pthread_create(&th, NULL, srv_fn, s);
	return th;
}

static void srv_stop(srv_t *s, pthread_t th)
{
	s->stop = 1;
	shutdown(s->lfd, SHUT_RDWR);
	close(s->lfd);
	pthread_join(th, NULL);
}

Test(suspect, probe_outcomes)
{
	cr_assert_eq(suspect_probe("127.0.0.1", dead_port(), 500), SUSPECT_PROBE_REFUSED);
	srv_t s;
	int port;
	pthread_t th = srv_start(&s, &port, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	cr_assert_eq(suspect_probe("127.0.0.1", port, 1000), SUSPECT_PROBE_OK);
	srv_stop(&s, th);
	th = srv_start(&s, &port, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
	cr_assert_eq(suspect_probe("127.0.0.1", port, 1000), SUSPECT_PROBE_UNKNOWN); /* alive, not ready */
	srv_stop(&s, th);
	th = srv_start(&s, &port, NULL);
	int64_t t0 = mono_ns();
	cr_assert_eq(suspect_probe("127.0.0.1", port, 200), SUSPECT_PROBE_UNKNOWN); /* silent: no verdict */
	cr_assert_lt(mono_ns() - t0, 350 * 1000000LL);
	srv_stop(&s, th);
	cr_assert_eq(suspect_probe("no-such-host.invalid", 80, 200), SUSPECT_PROBE_UNKNOWN);
}

static bool wait_for(const char *id, bool want, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (suspect_is(id) == want)
			return true;
		usleep(10 * 1000);
	}
	return suspect_is(id) == want;
}

Test(suspect, thread_marks_refusing_target_only)
{
	srv_t s;
	int live;
	pthread_t th = srv_start(&s, &live, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	int dead = dead_port();
	smap_t *m = smap_new();
	snode_t n;
	snode_init(&n, "tlive", 't', "127.0.0.1", live, live, live);
	smap_upsert(m, &n);
	snode_init(&n, "tdead", 't', "127.0.0.1", dead, dead, dead);
	smap_upsert(m, &n);
	m->version = 1;
	smap_install(m, true);
	cr_assert(!suspect_is("tdead"));
	cr_assert_eq(suspect_start(), 0);
	cr_assert(wait_for("tdead", true, 1000), "a refusing target is suspect within a second");
	cr_assert(!suspect_is("tlive"));
	cr_assert(!suspect_is("nobody"));
	/* a keepalive clears it; the next refused probe marks it again */
	suspect_clear("tdead");
	cr_assert(!suspect_is("tdead"));
	cr_assert(wait_for("tdead", true, 1000));
	/* the live one goes away: reported, probed at once */
	srv_stop(&s, th);
	suspect_report("tlive");
	cr_assert(wait_for("tlive", true, 500));
	/* it comes back on the same port: cleared by the next probe */
	s.lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)live),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(s.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	listen(s.lfd, 16);
	s.stop = 0;
	pthread_create(&th, NULL, srv_fn, &s);
	cr_assert(wait_for("tlive", false, 1500));
	/* a target that leaves the Smap leaves the table */
	smap_t *m2 = smap_new();
	snode_init(&n, "tlive", 't', "127.0.0.1", live, live, live);
	smap_upsert(m2, &n);
	m2->version = 2;
	smap_install(m2, true);
	cr_assert(wait_for("tdead", false, 1000));
	suspect_stop();
	srv_stop(&s, th);
	cr_assert(!suspect_is("tdead"));
}
