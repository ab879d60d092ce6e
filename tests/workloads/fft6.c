// SPDX-License-Identifier: GPL-2.0-only
/*
 * fft6: a six-step FFT (as in SPLASH-2's fft) on an N x N complex matrix,
 * with no gap between the steps:
 *
 *   1 Transpose   X -> Y                               (steady, X and Y)
 *   2 FFT1DOnce   FFT of every row of Y                (sweep, Y)
 *   3 Twiddle     Y[r][c] *= w^(r*c), w = e^(-2 pi i / N^2)  (steady, Y)
 *   4 Transpose   Y -> X                               (steady, X and Y)
 *   5 FFT1DOnce   FFT of every row of X                (sweep, X)
 *   6 Transpose   X -> Y                               (steady, X and Y)
 *
 * Each step lasts a fixed time.  Transposes and the twiddle repeat their
 * whole pass until it is up.  The row FFTs go through the matrix in 16
 * blocks of rows, each block's time being a sixteenth of the step, the
 * block's rows transformed over and over in it: a hot band moving through
 * the buffer at the speed the phase line gives.
 *
 *   fft6 [SECONDS_PER_STEP [LOG2_N]]   (default 3 s, N = 512: 4 MiB a matrix)
 *
 * Output lines: tests/workloads/README.md.
 */
#include "workload.h"
#include <math.h>

#define PI 3.14159265358979323846
#define BLOCKS 16u

struct cplx {
	double re, im;
};

static inline __attribute__((always_inline)) void fft_row(struct cplx *x, size_t n)
{
	for (size_t i = 1, j = 0; i < n; i++) {
		size_t bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			struct cplx t = x[i];

			x[i] = x[j];
			x[j] = t;
		}
	}
	for (size_t len = 2; len <= n; len <<= 1) {
		double angle = -2 * PI / (double)len;
		struct cplx w_len = { cos(angle), sin(angle) };

		for (size_t i = 0; i < n; i += len) {
			struct cplx w = { 1, 0 };

			for (size_t k = 0; k < len / 2; k++) {
				struct cplx *p = &x[i + k], *q = &x[i + k + len / 2];
				struct cplx v = { q->re * w.re - q->im * w.im, q->re * w.im + q->im * w.re };
				double re;

				q->re = p->re - v.re;
				q->im = p->im - v.im;
				p->re += v.re;
				p->im += v.im;
				re = w.re * w_len.re - w.im * w_len.im;
				w.im = w.re * w_len.im + w.im * w_len.re;
				w.re = re;
			}
		}
	}
	/* Scaled so that repeated transforms stay finite. */
	for (size_t i = 0; i < n; i++) {
		x[i].re /= sqrt((double)n);
		x[i].im /= sqrt((double)n);
	}
}

/* Blocked out-of-place transpose, pass after pass until the deadline. */
PHASE_FN static void Transpose(const struct cplx *src, struct cplx *dst, size_t n,
			       uint64_t deadline)
{
	const size_t block = 16;

	while (now_ns() < deadline) {
		for (size_t bi = 0; bi < n; bi += block)
			for (size_t bj = 0; bj < n; bj += block)
				for (size_t i = bi; i < bi + block; i++)
					for (size_t j = bj; j < bj + block; j++)
						dst[j * n + i] = src[i * n + j];
		flush_tlb();
	}
}

/* Row FFTs, block of rows after block of rows as the step's time goes. */
PHASE_FN static void FFT1DOnce(struct cplx *m, size_t n, uint64_t start, uint64_t duration)
{
	size_t rows_per_block = n / BLOCKS;
	uint64_t now;

	while ((now = now_ns()) < start + duration) {
		size_t blk = (size_t)((now - start) * BLOCKS / duration);

		for (size_t r = blk * rows_per_block; r < (blk + 1) * rows_per_block; r++)
			fft_row(m + r * n, n);
		flush_tlb();
	}
}

/* Multiplies every element by its twiddle factor, pass after pass. */
PHASE_FN static void Twiddle(struct cplx *m, size_t n, uint64_t deadline)
{
	while (now_ns() < deadline) {
		for (size_t r = 0; r < n; r++) {
			double angle = -2 * PI * (double)r / ((double)n * (double)n);
			struct cplx step = { cos(angle), sin(angle) }, w = { 1, 0 };

			for (size_t c = 0; c < n; c++) {
				struct cplx *x = &m[r * n + c];
				double re = x->re * w.re - x->im * w.im;
				double tmp;

				x->im = x->re * w.im + x->im * w.re;
				x->re = re;
				tmp = w.re * step.re - w.im * step.im;
				w.im = w.re * step.im + w.im * step.re;
				w.re = tmp;
			}
		}
		flush_tlb();
	}
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	int log2n = argc > 2 ? atoi(argv[2]) : 9;
	size_t n, bytes;
	uint64_t dur = s_to_ns(seconds), t;
	struct cplx *x, *y;

	if (seconds <= 0 || log2n < 5 || log2n > 13) {
		fprintf(stderr, "usage: fft6 [SECONDS_PER_STEP [LOG2_N (5-13)]]\n");
		return 2;
	}
	n = (size_t)1 << log2n;
	bytes = n * n * sizeof(struct cplx);
	say_start("fft6");
	setup_tlb_flush();
	x = (struct cplx *)map_buffer("X", bytes);
	y = (struct cplx *)map_buffer("Y", bytes);
	for (size_t i = 0; i < n * n; i++) {
		x[i].re = (double)(i % 17) - 8;
		x[i].im = (double)(i % 5) - 2;
	}
	sleep_s(SETTLE_S);

	t = say_phase("transpose_1", "function=Transpose pattern=steady buffers=X,Y");
	Transpose(x, y, n, t + dur);
	t = say_phase("fft_rows_1", "function=FFT1DOnce pattern=sweep buffers=Y range=0x%jx-0x%jx speed=%.0f",
		      (uintmax_t)(uintptr_t)y, (uintmax_t)(uintptr_t)y + bytes, bytes / seconds);
	FFT1DOnce(y, n, t, dur);
	t = say_phase("twiddle", "function=Twiddle pattern=steady buffers=Y");
	Twiddle(y, n, t + dur);
	t = say_phase("transpose_2", "function=Transpose pattern=steady buffers=X,Y");
	Transpose(y, x, n, t + dur);
	t = say_phase("fft_rows_2", "function=FFT1DOnce pattern=sweep buffers=X range=0x%jx-0x%jx speed=%.0f",
		      (uintmax_t)(uintptr_t)x, (uintmax_t)(uintptr_t)x + bytes, bytes / seconds);
	FFT1DOnce(x, n, t, dur);
	t = say_phase("transpose_3", "function=Transpose pattern=steady buffers=X,Y");
	Transpose(x, y, n, t + dur);
	say_end();
	return 0;
}
