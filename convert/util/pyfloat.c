// SPDX-License-Identifier: GPL-2.0-only
/* Python's float repr: the shortest text that reads back the same double (pyfloat.h). */
#include "pyfloat.h"
#include "pyfloat_internal.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Reference: printf and strtod round trips.  Exact (glibc prints and reads
 * correctly rounded decimals) but about 1 us a value; kept as the fast
 * search's fallback and as what the unit tests compare it with.
 */

/* Whether "%.{prec-1}e" of v reads back to v. */
static int round_trips(double v, int prec, char *tmp, size_t len)
{
	snprintf(tmp, len, "%.*e", prec - 1, v);
	return strtod(tmp, NULL) == v;
}

/* Below a power of two the rounding interval reaches half as far as above
 * it, so the nearest 16-digit decimal (in tmp, below v, not reading back)
 * can lie outside while the next one up lies inside: 2^-24 is
 * 5.960464477539063e-08, not 5.9604644775390625e-08.  Whether that next
 * one, written into tmp, reads back to v. */
static int next_up_round_trips(double v, char *tmp, size_t len)
{
	char *e = strchr(tmp, 'e'), *p = e - 1;

	if (strtod(tmp, NULL) > v)
		return 0;
	for (; p >= tmp; p--) {
		if (*p == '.')
			continue;
		if (*p != '9') {
			(*p)++;
			break;
		}
		*p = '0';
	}
	if (p < tmp) { /* 9.99..9e+X was all nines: 1.00..0e+(X+1) */
		tmp[0] = '1';
		snprintf(e, len - (size_t)(e - tmp), "e%d", atoi(e + 1) + 1);
	}
	return strtod(tmp, NULL) == v;
}

/* Shortest "%.{p-1}e" that reads back to v: the digits and the decimal
 * exponent, as Python's shortest repr (dtoa mode 0) chooses them: the
 * fewest digits, the nearest to v among those.  Two 15-digit decimals are
 * further apart than a double's rounding interval, so when 15 digits read
 * back they are the only 15-digit string that does, and any shorter one
 * that reads back is it without its trailing zeros: one round trip finds
 * the shortest below 16 digits.  With 16 the nearest reads back if any
 * does, except below a power of two (next_up_round_trips); 17 always do. */
static void reference_shortest_digits(double v, char *digits, int *ndigits,
				      int *exp10)
{
	char tmp[48];
	int binary_exp;

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
		   !round_trips(v, 16, tmp, sizeof(tmp)) &&
		   !(frexp(v, &binary_exp) == 0.5 && next_up_round_trips(v, tmp, sizeof(tmp)))) {
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

int dt_pyfloat_repr_reference(char *buf, size_t len, double v)
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
	reference_shortest_digits(v, digits, &nd, &e);
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


/* ---------------------------------------------------------------------
 * Fast search, after Giulietti's Schubfach: one look at the decimals of
 * two adjacent lengths that lie in the double's rounding interval.
 *
 * v = c * 2^q with c an integer.  Every real in v's rounding interval reads
 * back to v: it runs from halfway to the lower neighbour to halfway to the
 * upper one, bounds included when c is even (strtod rounds ties to even).
 * In quarters of 2^q it is [4c - 2, 4c + 2], or [4c - 1, 4c + 2] for a
 * power of two whose lower neighbour is twice as close.  Its width W is
 * 2^q (3/4 2^q), and with k = floor(log10(W)), 10^k <= W < 10^(k+1): the
 * interval holds at least one multiple of 10^k and at most one of
 * 10^(k+1).
 *
 * Python's repr (dtoa mode 0) prints the decimal of the interval with the
 * fewest significant digits, the nearest to v among those, ties to an even
 * last digit.  When a multiple of 10^(k+1) lies in the interval it is that
 * decimal: any other one is a multiple of 10^k only, with more digits, or
 * when v is below 10 * 10^k, possibly as few (9 and 10 units both have one
 * digit; then the nearer wins, hence the s >= 10 below; only the two
 * smallest subnormals are below 10 units).  Otherwise it is one of the two
 * multiples of 10^k around v: the one in the interval, the nearer if both
 * are.
 *
 * Each bound x (in quarters of 2^q) is scaled to t = x * 2^q / 10^k, i.e.
 * to quarters of 10^k, and rounded to odd: its floor, with the lowest bit
 * set when t is not an integer.  Compared with an even integer (four times
 * a candidate, or a midpoint 4s + 2) a value rounded to odd orders exactly
 * as t does, so every decision above is exact.
 *
 * t is computed as (x << h) * g / 2^128 with g = the table's 126-bit
 * 10^-k / 2^r rounded up (by at most 1) and h = q + r + 128, which is 3 to
 * 6.  x << h < 2^62, so the product overestimates t by less than 2^-66: its
 * floor is t's unless t lies less than that below an integer, and a product
 * 2^-66 or more above an integer means t is not one.  In between t is
 * either that integer (checked exactly: 5^k and 2^(k-q) divide x) or
 * undecidable here (-EDOM; the caller uses the reference).  No double is:
 * the non-integer t closest to an integer, over all doubles, is 2^-65.4
 * away (tests/cmd/pyfloat_margin.py counts them exactly, binade by binade).
 */

/* Whether x * 2^q / 10^k is an integer. */
static int scaled_is_integer(uint64_t x, int q, int k)
{
	/* x * 2^(q-k) / 5^k: dividing by 5 leaves the powers of two alone */
	for (int i = 0; i < k; i++) {
		if (x % 5)
			return 0;
		x /= 5;
	}
	int twos = q - k;
	return twos >= 0 || (twos > -64 && (x & ((UINT64_C(1) << -twos) - 1)) == 0);
}

/* x * 2^q / 10^k rounded to odd into *scaled (see above); -EDOM when the
 * 126-bit power cannot decide. */
static int scale_to_odd(uint64_t x, int q, int k, int h, const uint64_t g[2],
			uint64_t *scaled)
{
	uint64_t xs = x << h;
	unsigned __int128 low = (unsigned __int128)g[1] * xs;
	unsigned __int128 high = (unsigned __int128)g[0] * xs + (uint64_t)(low >> 64);
	uint64_t floor_part = (uint64_t)(high >> 64);
	uint64_t frac_high = (uint64_t)high, frac_low = (uint64_t)low;

	if (frac_high != 0 || frac_low >= UINT64_C(1) << 62) {
		*scaled = floor_part | 1;
		return 0;
	}
	if (!scaled_is_integer(x, q, k))
		return -EDOM;
	*scaled = floor_part;
	return 0;
}

int dt_pyfloat_shortest(double v, uint64_t *digits, int *exp10)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof(bits));
	uint64_t fraction = bits & ((UINT64_C(1) << 52) - 1);
	int biased = (int)(bits >> 52) & 0x7ff;
	uint64_t c = biased ? fraction | UINT64_C(1) << 52 : fraction;
	int q = biased ? biased - 1075 : -1074;

	uint64_t xmid = c << 2, xhigh = xmid + 2, xlow;
	int k;
	if (fraction == 0 && biased > 1) {
		xlow = xmid - 1;
		k = dt_floor_log10_three_quarters_pow2(q);
	} else {
		xlow = xmid - 2;
		k = dt_floor_log10_pow2(q);
	}
	const uint64_t *g = dt_pyfloat_pow10[-k - DT_PYFLOAT_POW10_MIN];
	int h = q + dt_floor_log2_pow10(-k) + 3;
	uint64_t tlow, tmid, thigh;
	if (scale_to_odd(xlow, q, k, h, g, &tlow) || scale_to_odd(xmid, q, k, h, g, &tmid) ||
	    scale_to_odd(xhigh, q, k, h, g, &thigh))
		return -EDOM;

	/* An odd c excludes the bounds: a candidate must then lie strictly
	 * inside, which adding 1 to the comparison says for integers. */
	uint64_t open = c & 1;
	uint64_t s = tmid >> 2; /* floor(v / 10^k) */
	if (s >= 10) {
		uint64_t s10 = s / 10; /* 10^(k+1) multiples: 10 s10 <= v < 10 (s10 + 1) */
		int below_in = tlow + open <= 40 * s10;
		int above_in = 40 * s10 + 40 + open <= thigh;
		if (below_in != above_in) {
			*digits = s10 + (uint64_t)above_in;
			*exp10 = k + 1;
			return 0;
		}
	}
	int below_in = tlow + open <= 4 * s;
	int above_in = 4 * s + 4 + open <= thigh;
	*exp10 = k;
	if (below_in != above_in) {
		*digits = s + (uint64_t)above_in;
		return 0;
	}
	/* both in the interval: the nearer, a tie to the even one */
	uint64_t midpoint = 4 * s + 2;
	*digits = s + (tmid > midpoint || (tmid == midpoint && (s & 1)));
	return 0;
}

/* ---------------------------------------------------------------------
 * Formatting.
 */

static const char two_digits[] = "00010203040506070809"
				 "10111213141516171819"
				 "20212223242526272829"
				 "30313233343536373839"
				 "40414243444546474849"
				 "50515253545556575859"
				 "60616263646566676869"
				 "70717273747576777879"
				 "80818283848586878889"
				 "90919293949596979899";

/* The decimal digits of d at out (room for 20); returns their number. */
static int put_uint(char *out, uint64_t d)
{
	char tmp[20];
	int n = 20;
	while (d >= 100) {
		unsigned pair = (unsigned)(d % 100);
		d /= 100;
		n -= 2;
		memcpy(tmp + n, two_digits + 2 * pair, 2);
	}
	if (d >= 10) {
		n -= 2;
		memcpy(tmp + n, two_digits + 2 * d, 2);
	} else {
		tmp[--n] = (char)('0' + d);
	}
	memcpy(out, tmp + n, (size_t)(20 - n));
	return 20 - n;
}

/* snprintf(buf, len, "%s", out) for the n bytes at out. */
static int emit(char *buf, size_t len, const char *out, int n)
{
	if (len > 0) {
		size_t m = (size_t)n < len - 1 ? (size_t)n : len - 1;
		memcpy(buf, out, m);
		buf[m] = '\0';
	}
	return n;
}

int dt_pyfloat_repr(char *buf, size_t len, double v)
{
	char digits[24], out[DT_PYFLOAT_LEN + 8];
	int nd, e, o = 0;

	if (isnan(v))
		return emit(buf, len, "nan", 3);
	if (isinf(v))
		return v < 0 ? emit(buf, len, "-inf", 4) : emit(buf, len, "inf", 3);
	if (signbit(v)) {
		out[o++] = '-';
		v = -v;
	}
	if (v == 0) {
		memcpy(out + o, "0.0", 3);
		return emit(buf, len, out, o + 3);
	}
	/* Below 2^53 an integer is the only decimal with as few digits in its
	 * rounding interval (half a unit or less on either side). */
	if (v < 0x1p53 && v == (double)(uint64_t)v) {
		o += put_uint(out + o, (uint64_t)v);
		memcpy(out + o, ".0", 2);
		return emit(buf, len, out, o + 2);
	}

	uint64_t significand;
	int exp10;
	if (dt_pyfloat_shortest(v, &significand, &exp10) == 0) {
		nd = put_uint(digits, significand);
		e = exp10 + nd - 1;
		while (digits[nd - 1] == '0')
			nd--;
	} else {
		char ref[24];
		reference_shortest_digits(v, ref, &nd, &e);
		memcpy(digits, ref, (size_t)nd);
	}

	if (e >= -4 && e < 16) {
		if (e >= 0) {
			/* ddd.ddd, or ddd000.0 */
			if (nd > e + 1) {
				memcpy(out + o, digits, (size_t)e + 1);
				o += e + 1;
				out[o++] = '.';
				memcpy(out + o, digits + e + 1, (size_t)(nd - e - 1));
				o += nd - e - 1;
			} else {
				memcpy(out + o, digits, (size_t)nd);
				o += nd;
				memset(out + o, '0', (size_t)(e + 1 - nd));
				o += e + 1 - nd;
				memcpy(out + o, ".0", 2);
				o += 2;
			}
		} else {
			/* 0.000ddd */
			memcpy(out + o, "0.000", (size_t)(1 - e));
			o += 1 - e;
			memcpy(out + o, digits, (size_t)nd);
			o += nd;
		}
	} else {
		/* d.ddde+XX */
		out[o++] = digits[0];
		if (nd > 1) {
			out[o++] = '.';
			memcpy(out + o, digits + 1, (size_t)(nd - 1));
			o += nd - 1;
		}
		out[o++] = 'e';
		out[o++] = e < 0 ? '-' : '+';
		int mag = e < 0 ? -e : e;
		if (mag >= 100)
			out[o++] = (char)('0' + mag / 100);
		memcpy(out + o, two_digits + 2 * (mag % 100), 2);
		o += 2;
	}
	return emit(buf, len, out, o);
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
	int64_t q = int_div_nonneg((uint64_t)0 - (uint64_t)x, y);
	return q == INT64_MIN ? q : -q; /* INT64_MIN / 1: the magnitude 2^63 */
}
