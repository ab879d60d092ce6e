// SPDX-License-Identifier: GPL-2.0-only
/*
 * fft-phases: a workload in the spirit of SPLASH-2X fft with three phases
 * back to back, no idle time between them:
 *
 *   phase 1: FFT1DOnce over the data buffer      (row FFTs, repeated)
 *   phase 2: Transpose over the scratch buffer   (blocked transposes, repeated)
 *   phase 3: FFT1DOnce over the data buffer again
 *
 * Nothing but the function and the buffer changes at a phase boundary: the
 * tools must find the boundaries from the memory accesses and the
 * callstacks alone.  Each phase lasts --burst seconds (default 3), after a
 * quiet start of --lead seconds (default 1.5: the process's own start-up is
 * not a phase) and, with --gap SECONDS, that much quiet between phases
 * (default 0).  With DAMON's 100 ms aggregation every phase spans well over
 * 10 aggregations.  The program prints the buffers' addresses and the
 * CLOCK_MONOTONIC time of every phase change, so tests can compare what was
 * recorded with what happened.  Build with frame pointers so perf -g sees
 * FFT1DOnce and Transpose on the stack.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PI 3.14159265358979323846

struct complex_number {
	double re, im;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void say(const char *event, double t)
{
	printf("%s %.6f\n", event, t);
	fflush(stdout);
}

/*
 * In-place iterative radix-2 FFT of one row of n (a power of two) points.
 * Always inlined: in SPLASH-2 the butterflies are FFT1DOnce's own code, so
 * that is the function profilers must see doing the work.
 */
static inline __attribute__((always_inline)) void FFT1DRow(struct complex_number *x, size_t n)
{
	for (size_t i = 1, j = 0; i < n; i++) {
		size_t bit = n >> 1;
		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			struct complex_number t = x[i];
			x[i] = x[j];
			x[j] = t;
		}
	}
	for (size_t len = 2; len <= n; len <<= 1) {
		double angle = -2 * PI / (double)len;
		struct complex_number w_len = { cos(angle), sin(angle) };
		for (size_t i = 0; i < n; i += len) {
			struct complex_number w = { 1, 0 };
			for (size_t k = 0; k < len / 2; k++) {
				struct complex_number *a = &x[i + k], *b = &x[i + k + len / 2];
				struct complex_number v = { b->re * w.re - b->im * w.im,
							    b->re * w.im + b->im * w.re };
				b->re = a->re - v.re;
				b->im = a->im - v.im;
				a->re += v.re;
				a->im += v.im;
				double re = w.re * w_len.re - w.im * w_len.im;
				w.im = w.re * w_len.im + w.im * w_len.re;
				w.re = re;
			}
		}
	}
}

/* One pass of row FFTs over the whole matrix, as SPLASH-2's FFT1DOnce. */
__attribute__((noinline, noclone)) static void FFT1DOnce(struct complex_number *data, size_t rows,
						size_t row_len)
{
	for (size_t r = 0; r < rows; r++)
		FFT1DRow(data + r * row_len, row_len);
	/* Keep magnitudes bounded so repeated passes stay finite. */
	double scale = 1.0 / sqrt((double)row_len);
	for (size_t i = 0; i < rows * row_len; i++) {
		data[i].re *= scale;
		data[i].im *= scale;
	}
}

/* Blocked in-place transpose of an n x n matrix, as SPLASH-2's Transpose. */
__attribute__((noinline, noclone)) static void Transpose(struct complex_number *m, size_t n)
{
	const size_t block = 16;

	for (size_t bi = 0; bi < n; bi += block)
		for (size_t bj = bi; bj < n; bj += block)
			for (size_t i = bi; i < bi + block && i < n; i++)
				for (size_t j = (bi == bj ? i + 1 : bj); j < bj + block && j < n; j++) {
					struct complex_number t = m[i * n + j];
					m[i * n + j] = m[j * n + i];
					m[j * n + i] = t;
				}
}

static void quiet(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };

	nanosleep(&ts, NULL);
}

__attribute__((noinline, noclone)) static void burst_fft(struct complex_number *data, size_t rows, size_t row_len, double seconds)
{
	double end = now_s() + seconds;

	while (now_s() < end)
		FFT1DOnce(data, rows, row_len);
}

__attribute__((noinline, noclone)) static void burst_transpose(struct complex_number *m, size_t n, double seconds)
{
	double end = now_s() + seconds;

	while (now_s() < end)
		Transpose(m, n);
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--burst SECONDS] [--lead SECONDS] [--gap SECONDS] [--mib MIB]\n",
		prog);
	return 2;
}

int main(int argc, char **argv)
{
	double burst = 3.0, lead = 1.5, gap = 0;
	size_t mib = 32;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--burst"))
			burst = atof(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--lead"))
			lead = atof(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--gap"))
			gap = atof(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--mib"))
			mib = (size_t)atol(argv[++i]);
		else
			return usage(argv[0]);
	}
	if (burst <= 0 || lead < 0 || gap < 0 || mib < 1 || mib > 4096)
		return usage(argv[0]);

	/* data: rows of 1024 points; scratch: the largest square that fits. */
	size_t points = mib * 1024 * 1024 / sizeof(struct complex_number);
	size_t row_len = 1024, rows = points / row_len;
	size_t n = 1;
	while ((n * 2) * (n * 2) <= points)
		n *= 2;
	struct complex_number *data = calloc(rows * row_len, sizeof(*data));
	struct complex_number *scratch = calloc(n * n, sizeof(*scratch));
	if (!data || !scratch) {
		fprintf(stderr, "fft-phases: cannot allocate 2 x %zu MiB\n", mib);
		return 1;
	}
	for (size_t i = 0; i < rows * row_len; i++)
		data[i].re = (double)(i % 17) - 8;
	for (size_t i = 0; i < n * n; i++)
		scratch[i].re = (double)i;

	printf("buffer data 0x%jx %zu\n", (uintmax_t)(uintptr_t)data, rows * row_len * sizeof(*data));
	printf("buffer scratch 0x%jx %zu\n", (uintmax_t)(uintptr_t)scratch, n * n * sizeof(*scratch));
	quiet(lead);
	say("phase 1 FFT1DOnce data start", now_s());
	burst_fft(data, rows, row_len, burst);
	say("phase 1 end", now_s());
	quiet(gap);
	say("phase 2 Transpose scratch start", now_s());
	burst_transpose(scratch, n, burst);
	say("phase 2 end", now_s());
	quiet(gap);
	say("phase 3 FFT1DOnce data start", now_s());
	burst_fft(data, rows, row_len, burst);
	say("phase 3 end", now_s());
	quiet(lead / 2);
	free(data);
	free(scratch);
	return 0;
}
