/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pyfloat_internal.h - the parts of convert/util/pyfloat.c that its unit tests
 * check one by one: the table of powers of ten, the integer logarithms
 * that index it, the shortest-digits search on its own, and the slower
 * reference formatter (printf and strtod round trips) that the search is
 * compared against.  Not for other users.
 */
#ifndef DT_PYFLOAT_INTERNAL_H
#define DT_PYFLOAT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* The decimal exponents a double's rounding interval can need (see
 * pyfloat.c): 10^e for e = -k, k from -324 (subnormals) to 292. */
#define DT_PYFLOAT_POW10_MIN (-292)
#define DT_PYFLOAT_POW10_MAX 324

/* convert/pyfloat_pow10.c: { high, low } 64 bits of
 * floor(10^e / 2^(floor(log2(10^e)) - 125)) + 1, at [e - DT_PYFLOAT_POW10_MIN]. */
extern const uint64_t dt_pyfloat_pow10[DT_PYFLOAT_POW10_MAX - DT_PYFLOAT_POW10_MIN + 1][2];

/* floor(log10(2^q)) for q in [-1074, 971] (exact there: the unit test
 * checks every q against exact powers).  The shifts of negative products
 * are arithmetic, as GCC and Clang define them. */
static inline int dt_floor_log10_pow2(int q)
{
	return (int)(((int64_t)q * 1292913986) >> 32);
}

/* floor(log10(3/4 * 2^q)) for q in [-1073, 971] (the rounding interval of
 * a power of two, whose lower neighbour is twice as close). */
static inline int dt_floor_log10_three_quarters_pow2(int q)
{
	return (int)(((int64_t)q * 1292913986 - 536607788) >> 32);
}

/* floor(log2(10^e)) for e in [DT_PYFLOAT_POW10_MIN, DT_PYFLOAT_POW10_MAX]. */
static inline int dt_floor_log2_pow10(int e)
{
	return (int)(((int64_t)e * 14267572527) >> 32);
}

/* Python's shortest repr digits of a finite v > 0: v reads back from
 * *digits * 10^*exp10 (*digits may end in zeros; at most 18 digits before
 * they are dropped).  Returns 0, or -EDOM when the 126-bit powers cannot
 * decide (a scaled bound within 2^-66 of an integer without being one; no
 * double comes that close, tests/cmd/pyfloat_margin.py), where the caller
 * would fall back to dt_pyfloat_repr_reference. */
int dt_pyfloat_shortest(double v, uint64_t *digits, int *exp10);

/* The same text as dt_pyfloat_repr, found by snprintf("%.*e") and strtod
 * round trips (about 1 us a value): the fallback of the fast search, and
 * what the unit tests compare it with. */
int dt_pyfloat_repr_reference(char *buf, size_t len, double v);

#endif /* DT_PYFLOAT_INTERNAL_H */
