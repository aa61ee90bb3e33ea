/* tcploop: the loopback TCP limit of this machine for bulk transfers, the baseline of
 * bench/rebalance.sh: S parallel connections over 127.0.0.1, each a sender thread that
 * sendfile()s a file (in the page cache, as rebalance sends objects) and a receiver thread that
 * reads into a 1 MiB buffer and drops it. Prints the aggregate rate.
 *
 *   tcploop -file PATH -bytes N [-streams S]
 *
 * Output (one line): "streams=S bytes=N secs=T GiB/s=R". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
	int fd;
	const char *file;
	int64_t bytes;
	int64_t done;
} tl_t;

static int64_t tl_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *tl_send(void *arg)
{
	tl_t *t = arg;
	int f = open(t->file, O_RDONLY);
	struct stat st;
	if (f < 0 || fstat(f, &st) || st.st_size <= 0) {
		perror("tcploop: file");
		exit(1);
	}
	while (t->done < t->bytes) {
		off_t off = 0;
		while (off < st.st_size && t->done < t->bytes) {
			size_t want = (size_t)(st.st_size - off);
			if ((int64_t)want > t->bytes - t->done)
				want = (size_t)(t->bytes - t->done);
			ssize_t n = sendfile(t->fd, f, &off, want);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				perror("tcploop: sendfile");
				exit(1);
			}
			t->done += n;
		}
	}
	close(f);
	shutdown(t->fd, SHUT_WR);
	return NULL;
}

static void *tl_recv(void *arg)
{
	tl_t *t = arg;
	char *buf = malloc(1 << 20);
	for (;;) {
		ssize_t n = read(t->fd, buf, 1 << 20);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		t->done += n;
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *file = NULL;
	int64_t bytes = 0;
	int streams = 1;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-file"))
			file = argv[i + 1];
		else if (!strcmp(argv[i], "-bytes"))
			bytes = atoll(argv[i + 1]);
		else if (!strcmp(argv[i], "-streams"))
			streams = atoi(argv[i + 1]);
	}
	if (!file || bytes <= 0 || streams < 1 || streams > 64) {
		fprintf(stderr, "usage: tcploop -file PATH -bytes N [-streams S]\n");
		return 2;
	}
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 64) ||
	    getsockname(ls, (struct sockaddr *)&a, &al)) {
		perror("tcploop: listen");
		return 1;
	}
	tl_t *snd = calloc((size_t)streams, sizeof(*snd)), *rcv = calloc((size_t)streams, sizeof(*rcv));
	pthread_t *th = calloc((size_t)streams * 2, sizeof(*th));
	for (int i = 0; i < streams; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a))) {
			perror("tcploop: connect");
			return 1;
		}
		snd[i] = (tl_t){.fd = c, .file = file, .bytes = bytes / streams};
		rcv[i] = (tl_t){.fd = accept(ls, NULL, NULL)};
	}
	int64_t t0 = tl_now();
	for (int i = 0; i < streams; i++) {
		pthread_create(&th[2 * i], NULL, tl_send, &snd[i]);
		pthread_create(&th[2 * i + 1], NULL, tl_recv, &rcv[i]);
	}
	int64_t total = 0;
	for (int i = 0; i < streams; i++) {
		pthread_join(th[2 * i], NULL);
		pthread_join(th[2 * i + 1], NULL);
		total += rcv[i].done;
	}
	double secs = (double)(tl_now() - t0) / 1e9;
	printf("streams=%d bytes=%lld secs=%.3f GiB/s=%.3f\n", streams, (long long)total, secs,
	       (double)total / secs / (1 << 30));
	return 0;
}
