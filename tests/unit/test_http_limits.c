/* test_http_limits: the server at its connection limit and out of file descriptors: idle
 * connections are closed longest-idle first to make room (the newest survive, a new request is
 * served), when nothing can be closed a waiting connection is shed (no hang in the backlog) and
 * accepts pause instead of spinning; EMFILE from accept (a low RLIMIT_NOFILE, clients in a child
 * process) is handled the same way; a port in use is refused at listen. */
#include "core/err.h"
#include "net/http.h"

#include "http_testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static http_server_t *srv;
static int port;

static void dispatch(http_req_t *r, void *arg)
{
	(void)arg;
	http_respond(r, 200, "text/plain", "ok", 2);
}

static void start(int max_conns, int header_ms)
{
	http_config_t cfg = {.nloops = 1, .npool = 1, .dispatch = dispatch, .max_conns = max_conns,
			     .header_timeout_ms = header_ms};
	srv = http_server_new(&cfg);
	cr_assert(srv);
	cr_assert_eq(http_server_listen(srv, "127.0.0.1", 0), 0);
	port = http_server_port(srv, 0);
	cr_assert_eq(http_server_start(srv), 0);
}

static void stop(void)
{
	http_server_stop(srv);
	srv = NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* a request on a new connection: true when "200" came back within 2 s */
static bool served(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = {2, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	bool ok = false;
	if (!connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		const char g[] = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";
		char b[512];
		ssize_t n = raw_send(fd, g, sizeof(g) - 1) ? recv(fd, b, sizeof(b) - 1, 0) : -1;
		ok = n > 12 && !strncmp(b, "HTTP/1.1 200", 12);
	}
	close(fd);
	return ok;
}

/* no bytes: closed (EOF or reset) rather than answered or left hanging, within ms */
static bool shed_within(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, ms) != 1)
		return false;
	char b[64];
	ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

TestSuite(limits, .fini = stop, .timeout = 60);

Test(limits, idle_connections_make_room_oldest_first)
{
	start(8, 30000);
	int fds[8];
	for (int i = 0; i < 8; i++) {
		fds[i] = ht_connect(port, 5);
		usleep(20000); /* distinct ages */
	}
	usleep(100000);
	cr_assert(served(), "a new request was not served at the limit");
	cr_assert(ht_closed_within(fds[0], 1000, true), "the longest idle connection was not closed");
	cr_assert(!ht_closed_within(fds[7], 300, true), "the newest connection was closed");
	for (int i = 0; i < 8; i++)
		close(fds[i]);
}

Test(limits, busy_at_limit_sheds_then_recovers)
{
	start(4, 1500);
	int busy[4];
	const char partial[] = "GET /x HTTP/1.1\r\nX-Slow: ";
	for (int i = 0; i < 4; i++) {
		busy[i] = ht_connect(port, 5);
		raw_send(busy[i], partial, sizeof(partial) - 1);
	}
	usleep(200000);
	double c0 = cpu_s(), t0 = now_s();
	/* nothing can be closed: the newcomer is shed, not left in the backlog */
	int fd = ht_connect(port, 5);
	const char g[] = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_send(fd, g, sizeof(g) - 1);
	cr_assert(shed_within(fd, 1000), "a connection beyond the limit was neither shed nor served");
	close(fd);
	usleep(500000);
	double cpu = (cpu_s() - c0) / (now_s() - t0);
	cr_assert(cpu < 0.3, "the server spins at the limit: %.0f%% CPU", cpu * 100);
	/* the busy ones run out of header time; then requests are served again */
	usleep(2000000);
	cr_assert(served());
	for (int i = 0; i < 4; i++)
		close(busy[i]);
}

static int open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			n++;
	return n;
}

/* child: nidle idle connections and nbusy with unfinished heads, then one request; writes 'S'
 * (served), 'X' (shed) or 'H' (hung) to wfd; exits when the parent closes its end of rfd */
static void emfile_child(int nidle, int nbusy, int wfd, int rfd)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	int *fds = calloc((size_t)(nidle + nbusy), sizeof(int));
	const char partial[] = "GET /x HTTP/1.1\r\nX-Slow: ";
	for (int i = 0; i < nidle + nbusy; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(fds[i], (struct sockaddr *)&a, sizeof(a)))
			_exit(3);
		if (i >= nidle)
			send(fds[i], partial, sizeof(partial) - 1, MSG_NOSIGNAL);
		usleep(5000);
	}
	usleep(200000);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	char r = 'H';
	if (!connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		const char g[] = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";
		send(fd, g, sizeof(g) - 1, MSG_NOSIGNAL);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 1500) == 1) {
			char b[256];
			ssize_t n = recv(fd, b, sizeof(b), 0);
			r = n > 12 && !strncmp(b, "HTTP/1.1 200", 12) ? 'S' : 'X';
		}
	}
	if (write(wfd, &r, 1) != 1)
		_exit(4);
	char x;
	while (read(rfd, &x, 1) > 0)
		;
	_exit(0);
}

/* run the child against the server with RLIMIT_NOFILE just above what the process has open */
static char emfile_run(int nidle, int nbusy, double *cpu)
{
	int up[2], down[2];
	cr_assert_eq(pipe(up), 0);
	cr_assert_eq(pipe(down), 0);
	struct rlimit rl, low;
	getrlimit(RLIMIT_NOFILE, &rl);
	low = rl;
	low.rlim_cur = (rlim_t)open_fds() + 8; /* room for 8 client connections */
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	double c0 = cpu_s(), t0 = now_s();
	pid_t pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		emfile_child(nidle, nbusy, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	char r = '?';
	cr_assert_eq(read(up[0], &r, 1), 1);
	*cpu = (cpu_s() - c0) / (now_s() - t0);
	close(down[1]);
	int st;
	waitpid(pid, &st, 0);
	close(up[0]);
	setrlimit(RLIMIT_NOFILE, &rl);
	return r;
}

Test(limits, emfile_closes_idle_connections)
{
	start(100000, 30000); /* the limit is the fd table, not max_conns */
	double cpu;
	char r = emfile_run(30, 0, &cpu);
	cr_assert_eq(r, 'S', "out of fds with idle connections: the request was %s",
		     r == 'X' ? "shed" : "not answered");
	cr_assert(cpu < 0.5, "%.0f%% CPU", cpu * 100);
	cr_assert(served());
}

Test(limits, emfile_all_busy_sheds_without_spinning)
{
	start(100000, 2000);
	double cpu;
	char r = emfile_run(0, 30, &cpu);
	cr_assert_eq(r, 'X', "out of fds, all busy: the request was %s", r == 'S' ? "served" : "left hanging");
	cr_assert(cpu < 0.5, "the server spins on EMFILE: %.0f%% CPU", cpu * 100);
	usleep(2500000); /* the unfinished heads time out */
	cr_assert(served());
}

Test(limits, port_in_use_is_refused)
{
	start(0, 0);
	http_config_t cfg = {.nloops = 2, .dispatch = dispatch};
	http_server_t *two = http_server_new(&cfg);
	cr_assert(two);
	cr_assert_eq(http_server_listen(two, "127.0.0.1", port), AIS_EEXIST);
	http_server_stop(two);
	cr_assert(served());
}
