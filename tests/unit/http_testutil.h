/* http_testutil.h: raw-socket client helpers shared by test_http.c and test_http_stream.c
 * (each unit test is built alone against libais.a, so these are static inline). */
#ifndef AIS_TESTS_HTTP_TESTUTIL_H
#define AIS_TESTS_HTTP_TESTUTIL_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>

/* a blocking TCP connection to 127.0.0.1:port with a receive timeout */
static inline int ht_connect(int port, int rcv_timeout_s)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	struct timeval tv = {rcv_timeout_s, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* send all of p; false once the peer stops taking it (it may close early, e.g. 431) */
static inline bool raw_send(int fd, const void *p, size_t len)
{
	const char *s = p;
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		s += n;
		len -= (size_t)n;
	}
	return true;
}

/* whether the server closes fd within ms (reading and dropping whatever arrives first);
 * reset_is_closed: a connection reset counts as closed too */
static inline bool ht_closed_within(int fd, int ms, bool reset_is_closed)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char b[4096];
	for (;;) {
		ssize_t n = recv(fd, b, sizeof(b), 0);
		if (n == 0)
			return true;
		if (n < 0)
			return reset_is_closed && errno == ECONNRESET;
	}
}

#endif
