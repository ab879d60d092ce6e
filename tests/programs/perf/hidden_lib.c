// SPDX-License-Identifier: GPL-2.0-only
// perf fixture library: built stripped, its inner functions have no symbol anywhere, so perf names their frames by the DSO only.
/*
 * Only hidden_entry is exported (in .dynsym, which strip keeps); the static
 * functions it calls are in .symtab alone, which strip removes, so perf
 * prints them as "[unknown] (/path/libperfhidden.so)".
 * Built at -O0 so that every function, leaves too, keeps its frame and
 * perf walks through both unnamed ones.
 * Build: cc -O0 -fPIC -shared -fvisibility=hidden -fno-omit-frame-pointer
 *        -mno-omit-leaf-frame-pointer -fno-inline -o libperfhidden.so hidden_lib.c
 *        && strip --strip-all libperfhidden.so
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <time.h>

static volatile uint64_t sink;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static __attribute__((noinline)) uint64_t hidden_mix(uint64_t x)
{
	for (int i = 0; i < 20000; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	return x;
}

static __attribute__((noinline)) uint64_t hidden_inner(double ms)
{
	double end = now_ms() + ms;
	uint64_t x = 1;

	while (now_ms() < end)
		x = hidden_mix(x);
	return x;
}

__attribute__((visibility("default"))) void hidden_entry(double ms)
{
	sink = hidden_inner(ms);
}
