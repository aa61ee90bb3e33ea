/* bench/ecrate: ISA-L Reed-Solomon encode rate (core/erasure.c) of D+P over 1 MiB objects against
 * this box's memory bandwidth (memcpy of the same bytes), single thread. Prints one line per
 * (D,P): GiB/s of object bytes encoded, and the memcpy GiB/s; also a decode with P data slices
 * lost. Usage: ecrate [D P]... (default 2 2  4 2  8 4). Not a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/erasure.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double memcpy_rate(size_t n)
{
	char *a = malloc(n), *b = malloc(n);
	memset(a, 1, n);
	memset(b, 2, n);
	int reps = 0;
	double t0 = now();
	while (now() - t0 < 1.0) {
		memcpy(b, a, n);
		__asm__ volatile("" : : "r"(b), "r"(a) : "memory"); /* keep the copy */
		a[reps % n] = (char)reps;
		reps++;
	}
	double r = (double)n * reps / (now() - t0) / (1 << 30);
	free(a);
	free(b);
	return r;
}

static void one(int d, int p, size_t obj)
{
	erasure_t e;
	if (erasure_init(&e, d, p)) {
		fprintf(stderr, "bad D/P %d/%d\n", d, p);
		return;
	}
	size_t ss = erasure_slice_size((int64_t)obj, d);
	unsigned char *buf = calloc((size_t)(d + p), ss), *ptr[64];
	bool have[64];
	for (int i = 0; i < d + p; i++) {
		ptr[i] = buf + (size_t)i * ss;
		have[i] = i >= p; /* decode: the first P data slices lost */
	}
	for (size_t i = 0; i < ss * (size_t)d; i++)
		buf[i] = (unsigned char)(i * 131);
	int reps = 0;
	double t0 = now();
	while (now() - t0 < 1.0) {
		erasure_encode(&e, ss, ptr, ptr + d);
		__asm__ volatile("" : : "r"(buf) : "memory");
		reps++;
	}
	double enc = (double)obj * reps / (now() - t0) / (1 << 30);
	reps = 0;
	t0 = now();
	while (now() - t0 < 1.0) {
		erasure_decode(&e, ss, ptr, have);
		__asm__ volatile("" : : "r"(buf) : "memory");
		reps++;
	}
	double dec = (double)obj * reps / (now() - t0) / (1 << 30);
	printf("EC %d+%d, %zu KiB objects: encode %.2f GiB/s, decode (%d lost) %.2f GiB/s\n", d, p, obj >> 10, enc, p, dec);
	free(buf);
	erasure_fini(&e);
}

int main(int argc, char **argv)
{
	size_t obj = 1 << 20;
	printf("memcpy of 1 MiB (memory bandwidth, 1 thread): %.2f GiB/s\n", memcpy_rate(obj));
	if (argc >= 3) {
		for (int i = 1; i + 1 < argc; i += 2)
			one(atoi(argv[i]), atoi(argv[i + 1]), obj);
		return 0;
	}
	one(2, 2, obj);
	one(4, 2, obj);
	one(8, 4, obj);
	return 0;
}
