// SPDX-License-Identifier: GPL-2.0-only
#include "pyfloat.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest "%.{p-1}e" that reads back to v: the digits and the decimal
 * exponent, as Python's shortest repr (dtoa mode 0) chooses them. */
static int round_trips(double v, int prec, char *tmp, size_t len)
{
	snprintf(tmp, len, "%.*e", prec - 1, v);
	return strtod(tmp, NULL) == v;
}

/* Shortest "%.{p-1}e" that reads back to v: the digits and the decimal
 * exponent, as Python's shortest repr (dtoa mode 0) chooses them.  Two
 * 15-digit decimals are further apart than a double's rounding interval, so
 * when 15 digits read back they are the only 15-digit string that does, and
 * any shorter one that reads back is it without its trailing zeros: one
 * round trip finds the shortest below 16 digits, and 16 or 17 digits take
 * one more. */
static void shortest_digits(double v, char *digits, int *ndigits, int *exp10)
{
	char tmp[48];

	if (v < DBL_MIN) {
		/* Subnormals have fewer bits than 15 digits: search. */
		int lo = 1, hi = 17;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (round_trips(v, mid, tmp, sizeof(tmp)))
				hi = mid;
			else
				lo = mid + 1;
		}
		snprintf(tmp, sizeof(tmp), "%.*e", lo - 1, v);
	} else if (!round_trips(v, 15, tmp, sizeof(tmp)) &&
		   !round_trips(v, 16, tmp, sizeof(tmp))) {
		snprintf(tmp, sizeof(tmp), "%.*e", 16, v);
	}
	/* tmp is "d[.ddd]e[+-]XX" (v > 0 here) */
	int n = 0;
	const char *p = tmp;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	*exp10 = atoi(p + 1);
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*ndigits = n;
}

int dt_pyfloat_repr(char *buf, size_t len, double v)
{
	char digits[24], out[DT_PYFLOAT_LEN + 8];
	int nd, e, o = 0;

	if (isnan(v))
		return snprintf(buf, len, "nan");
	if (isinf(v))
		return snprintf(buf, len, v < 0 ? "-inf" : "inf");
	if (signbit(v)) {
		out[o++] = '-';
		v = -v;
	}
	if (v == 0) {
		memcpy(out + o, "0.0", 4);
		return snprintf(buf, len, "%s", out);
	}
	if (v < 1e15 && v == (double)(uint64_t)v) {
		snprintf(out + o, sizeof(out) - o, "%llu.0", (unsigned long long)v);
		return snprintf(buf, len, "%s", out);
	}
	shortest_digits(v, digits, &nd, &e);
	if (e >= -4 && e < 16) {
		if (e >= 0) {
			for (int i = 0; i <= e; i++)
				out[o++] = i < nd ? digits[i] : '0';
			out[o++] = '.';
			if (nd > e + 1)
				for (int i = e + 1; i < nd; i++)
					out[o++] = digits[i];
			else
				out[o++] = '0';
		} else {
			out[o++] = '0';
			out[o++] = '.';
			for (int i = 0; i < -e - 1; i++)
				out[o++] = '0';
			for (int i = 0; i < nd; i++)
				out[o++] = digits[i];
		}
		out[o] = '\0';
	} else {
		out[o++] = digits[0];
		if (nd > 1) {
			out[o++] = '.';
			for (int i = 1; i < nd; i++)
				out[o++] = digits[i];
		}
		snprintf(out + o, sizeof(out) - o, "e%c%02d", e < 0 ? '-' : '+',
			 e < 0 ? -e : e);
	}
	return snprintf(buf, len, "%s", out);
}

#define TWO53 (UINT64_C(1) << 53)

static int64_t int_div_nonneg(uint64_t x, uint64_t y)
{
	if (x < TWO53 && y < TWO53)
		return (int64_t)((double)x / (double)y);
	uint64_t q = x / y, r = x % y;
	if (q >= TWO53 || r == 0)
		return (int64_t)q;
	/* The quotient is q + r/y; it truncates to q unless rounding to a
	 * double lifts it to q + 1: when 1 - r/y is below half the spacing
	 * of doubles just under q + 1, i.e. (y - r) * 2^(53 - e) < y with
	 * 2^e <= q + 1 (one binade lower when q + 1 is a power of two). */
	uint64_t up = q + 1;
	int e = 63 - __builtin_clzll(up);
	if ((up & (up - 1)) == 0)
		e--;
	unsigned __int128 lhs = (unsigned __int128)(y - r) << (53 - e);
	return lhs < y ? (int64_t)up : (int64_t)q;
}

int64_t dt_py_int_div(int64_t x, uint64_t y)
{
	if (x >= 0)
		return int_div_nonneg((uint64_t)x, y);
	return -int_div_nonneg((uint64_t)0 - (uint64_t)x, y);
}
