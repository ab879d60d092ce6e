// SPDX-License-Identifier: GPL-2.0-only
/* Python float repr (convert/util/pyfloat.c): the table of powers of ten and
 * the integer logarithms checked exactly, and the fast shortest search
 * compared byte for byte with the printf/strtod reference over two and a
 * half million doubles of every kind: random bit patterns, random decimals
 * of 1 to 17 digits, integers, powers of two and ten, subnormals, the
 * extremes, the notation switches at 1e16 and 1e-4, and values halfway
 * between two shortest candidates.  tests/fuzz/fuzz_pyfloat.c compares
 * them for as long as it is given. */
#define _GNU_SOURCE
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"
#include "pyfloat_internal.h"

/* ------------------------------------------------------------ exact big
 * integers, just enough to compare 10^a with m * 2^b: 48 32-bit limbs
 * (1536 bits) hold 2^1202 times a 127-bit table entry. */
#define BIG_LIMBS 48

struct big {
	uint32_t limb[BIG_LIMBS]; /* least significant first */
};

static void big_set(struct big *b, unsigned __int128 v)
{
	memset(b, 0, sizeof(*b));
	for (int i = 0; i < 4; i++)
		b->limb[i] = (uint32_t)(v >> (32 * i));
}

static void big_mul_small(struct big *b, uint32_t m, int times)
{
	for (int t = 0; t < times; t++) {
		uint64_t carry = 0;
		for (int i = 0; i < BIG_LIMBS; i++) {
			uint64_t p = (uint64_t)b->limb[i] * m + carry;
			b->limb[i] = (uint32_t)p;
			carry = p >> 32;
		}
		if (carry)
			ck_abort_msg("big integer overflow");
	}
}

static void big_shl(struct big *b, int n)
{
	int words = n / 32, bits = n % 32;

	int lost = words >= BIG_LIMBS ||
		   (bits && b->limb[BIG_LIMBS - 1 - words] >> (32 - bits) != 0);
	for (int i = BIG_LIMBS - words; i < BIG_LIMBS && !lost; i++)
		lost = b->limb[i] != 0;
	if (lost)
		ck_abort_msg("big integer overflow");
	for (int i = BIG_LIMBS - 1; i >= 0; i--) {
		uint32_t high = i >= words ? b->limb[i - words] : 0;
		uint32_t low = i > words ? b->limb[i - words - 1] : 0;
		b->limb[i] = bits ? high << bits | low >> (32 - bits) : high;
	}
}

static int big_cmp(const struct big *a, const struct big *b)
{
	for (int i = BIG_LIMBS - 1; i >= 0; i--)
		if (a->limb[i] != b->limb[i])
			return a->limb[i] < b->limb[i] ? -1 : 1;
	return 0;
}

/* Sign of m * 10^a - n * 2^b, exactly. */
static int cmp_pow10_pow2(unsigned __int128 m, int a, unsigned __int128 n, int b)
{
	struct big left, right;

	big_set(&left, m);
	big_set(&right, n);
	/* move negative exponents to the other side */
	big_mul_small(a >= 0 ? &left : &right, 10, a >= 0 ? a : -a);
	big_shl(b >= 0 ? &right : &left, b >= 0 ? b : -b);
	return big_cmp(&left, &right);
}

START_TEST(integer_logarithms_are_exact)
{
	for (int q = -1074; q <= 971; q++) {
		/* 10^k <= 2^q < 10^(k+1) */
		int k = dt_floor_log10_pow2(q);
		ck_assert_msg(cmp_pow10_pow2(1, k, 1, q) <= 0 && cmp_pow10_pow2(1, k + 1, 1, q) > 0,
			      "floor(log10(2^%d)) is not %d", q, k);
		int h = q + dt_floor_log2_pow10(-k) + 3;
		ck_assert_msg(-k >= DT_PYFLOAT_POW10_MIN && -k <= DT_PYFLOAT_POW10_MAX && h >= 0 &&
				      h <= 6,
			      "2^%d: 10^%d and shift %d out of range", q, -k, h);
		if (q == -1074)
			continue; /* subnormals' interval is symmetric */
		/* 10^k <= 3 * 2^(q-2) < 10^(k+1) */
		k = dt_floor_log10_three_quarters_pow2(q);
		ck_assert_msg(cmp_pow10_pow2(1, k, 3, q - 2) <= 0 &&
				      cmp_pow10_pow2(1, k + 1, 3, q - 2) > 0,
			      "floor(log10(3/4 2^%d)) is not %d", q, k);
		h = q + dt_floor_log2_pow10(-k) + 3;
		ck_assert_msg(-k >= DT_PYFLOAT_POW10_MIN && -k <= DT_PYFLOAT_POW10_MAX && h >= 0 &&
				      h <= 6,
			      "3/4 2^%d: 10^%d and shift %d out of range", q, -k, h);
	}
	for (int e = DT_PYFLOAT_POW10_MIN; e <= DT_PYFLOAT_POW10_MAX; e++) {
		/* 2^f <= 10^e < 2^(f+1) */
		int f = dt_floor_log2_pow10(e);
		ck_assert_msg(cmp_pow10_pow2(1, e, 1, f) >= 0 && cmp_pow10_pow2(1, e, 1, f + 1) < 0,
			      "floor(log2(10^%d)) is not %d", e, f);
	}
}
END_TEST

START_TEST(pow10_table_is_exact)
{
	for (int e = DT_PYFLOAT_POW10_MIN; e <= DT_PYFLOAT_POW10_MAX; e++) {
		const uint64_t *entry = dt_pyfloat_pow10[e - DT_PYFLOAT_POW10_MIN];
		unsigned __int128 g = (unsigned __int128)entry[0] << 64 | entry[1];
		int r = dt_floor_log2_pow10(e) - 125;
		/* g - 1 = floor(10^e / 2^r): (g - 1) 2^r <= 10^e < g 2^r */
		ck_assert_msg(cmp_pow10_pow2(1, e, g - 1, r) >= 0 && cmp_pow10_pow2(1, e, g, r) < 0,
			      "table entry for 10^%d is wrong", e);
		ck_assert(g > (unsigned __int128)1 << 125 && g <= (unsigned __int128)1 << 126);
	}
}
END_TEST

/* ------------------------------------------------------------ comparison */

static uint64_t next_random(uint64_t *state)
{
	/* xorshift64 */
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static double from_bits(uint64_t bits)
{
	double v;
	memcpy(&v, &bits, sizeof(v));
	return v;
}

static uint64_t to_bits(double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof(bits));
	return bits;
}

/* dt_pyfloat_repr(v) is the reference's text, and the fast search decided
 * on its own (it did not fall back to the reference). */
static void expect_same(double v)
{
	char fast[DT_PYFLOAT_LEN], reference[DT_PYFLOAT_LEN];
	int n = dt_pyfloat_repr(fast, sizeof(fast), v);
	int m = dt_pyfloat_repr_reference(reference, sizeof(reference), v);

	/* ck_abort_msg, not ck_assert_msg: Check reports every assertion to
	 * its parent process, a system call each */
	if (n != m || strcmp(fast, reference) != 0)
		ck_abort_msg("%a (0x%016llx) printed as %s, the reference prints %s", v,
			     (unsigned long long)to_bits(v), fast, reference);
	uint64_t digits;
	int exp10;
	if (isfinite(v) && v != 0 && dt_pyfloat_shortest(fabs(v), &digits, &exp10) != 0)
		ck_abort_msg("%a (0x%016llx): the fast search could not decide", v,
			     (unsigned long long)to_bits(v));
}

/* v and its n neighbours on either side */
static void expect_same_around(double v, int n)
{
	double down = v, up = v;

	expect_same(v);
	for (int i = 0; i < n; i++) {
		down = nextafter(down, -INFINITY);
		up = nextafter(up, INFINITY);
		expect_same(down);
		expect_same(up);
	}
}

START_TEST(known_values_and_truncation)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0.0, "0.0" }, { -0.0, "-0.0" }, { INFINITY, "inf" }, { -INFINITY, "-inf" },
		{ 1.0, "1.0" }, { -123.0, "-123.0" }, { 9007199254740992.0, "9007199254740992.0" },
		{ 9007199254740994.0, "9007199254740994.0" }, { 1e16, "1e+16" },
		{ 9999999999999998.0, "9999999999999998.0" }, { 0.0001, "0.0001" },
		{ 0.00009999999999999999, "9.999999999999999e-05" }, { 1e-05, "1e-05" },
		{ 1234567890123456.25, "1234567890123456.2" }, /* tie: even digit */
		{ 1234567890123456.75, "1234567890123456.8" },
		{ 0.3, "0.3" }, { 2.0 / 3.0, "0.6666666666666666" },
		{ 1e23, "1e+23" }, { 9.5e-5, "9.5e-05" },
		{ 5e-324, "5e-324" }, { 1e-323, "1e-323" },
		{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" },
		/* powers of two, the nearest 16 digits outside their interval */
		{ 0x1p-24, "5.960464477539063e-08" }, { 0x1p89, "6.189700196426902e+26" },
		{ 0x1p-1017, "7.120236347223045e-307" }, { 0x1p-1016, "1.424047269444609e-306" },
		/* the scaled interval bounds closest to an integer without
		 * being one (2^-65.4 and 2^-63.5 above) */
		{ 0x1.f92bacb3cb40cp+716, "6.802601037806062e+215" },
		{ 0x1.3de005bd620dfp+215, "6.538311315939327e+64" },
		{ 1e100, "1e+100" }, { -1.5e-100, "-1.5e-100" }, { 123456.789e3, "123456789.0" },
	};
	char buf[DT_PYFLOAT_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(dt_pyfloat_repr(buf, sizeof(buf), cases[i].v),
				 (int)strlen(cases[i].want));
		ck_assert_str_eq(buf, cases[i].want);
		expect_same(cases[i].v);
	}
	ck_assert_int_eq(dt_pyfloat_repr(buf, sizeof(buf), -NAN), 3);
	ck_assert_str_eq(buf, "nan");

	/* snprintf's contract: the whole length returned, the text cut */
	char small[6];
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(dt_pyfloat_repr(small, 5, -0.0625), 7);
	ck_assert_str_eq(small, "-0.0");
	ck_assert_int_eq(small[5], 'x');
	ck_assert_int_eq(dt_pyfloat_repr(small, 0, 1e300), 6);
	ck_assert_int_eq(small[0], '-');
}
END_TEST

START_TEST(random_bit_patterns)
{
	uint64_t state = 0x2545f4914f6cdd1dull;

	for (int i = 0; i < 500000; i++) {
		double v = from_bits(next_random(&state));
		if (isfinite(v))
			expect_same(v);
	}
}
END_TEST

/* What strtod makes of 1 to 17 random digits times a random power of ten
 * (the nearest double), and its neighbours, whose shortest repr is
 * often one digit longer. */
START_TEST(random_decimals)
{
	uint64_t state = 0x9e3779b97f4a7c15ull;
	char text[64];

	for (int i = 0; i < 150000; i++) {
		uint64_t r = next_random(&state);
		int ndigits = 1 + (int)(r % 17);
		uint64_t digits = next_random(&state) % 100000000000000000ull;
		for (int d = ndigits; d < 17; d++)
			digits /= 10;
		int exp10 = (int)((r >> 8) % 650) - 340;
		snprintf(text, sizeof(text), "%llue%d", (unsigned long long)digits, exp10);
		double v = strtod(text, NULL);
		if (isfinite(v))
			expect_same_around(v, 1);
	}
}
END_TEST

START_TEST(integers)
{
	uint64_t state = 0xd1b54a32d192ed03ull;

	for (int i = 0; i < 200000; i++) {
		uint64_t r = next_random(&state);
		int bits = 1 + (int)(next_random(&state) % 64);
		uint64_t n = bits == 64 ? r : r & ((UINT64_C(1) << bits) - 1);
		expect_same((double)n);
		expect_same(-(double)n);
	}
	/* around 2^53, where integers start to skip, and 1e15 .. 1e17 */
	expect_same_around(0x1p53, 5000);
	expect_same_around(1e15, 2000);
	expect_same_around(1e17, 2000);
	for (uint64_t n = 0; n < 20000; n++)
		expect_same((double)n);
}
END_TEST

START_TEST(powers_of_two_and_ten)
{
	char text[32];

	for (int e = -1074; e <= 1023; e++) {
		double p = ldexp(1.0, e);
		expect_same_around(p, 3);
		if (e < 1022)
			expect_same_around(3 * p, 1);
	}
	for (int e = -323; e <= 308; e++) {
		snprintf(text, sizeof(text), "1e%d", e);
		expect_same_around(strtod(text, NULL), 3);
		for (int d = 2; d <= 9; d++) {
			snprintf(text, sizeof(text), "%de%d", d, e);
			expect_same_around(strtod(text, NULL), 1);
		}
	}
}
END_TEST

START_TEST(subnormals_and_extremes)
{
	uint64_t state = 0xbf58476d1ce4e5b9ull;

	for (uint64_t c = 1; c <= 100000; c++)
		expect_same(from_bits(c));
	for (int i = 0; i < 150000; i++) {
		uint64_t fraction = next_random(&state) & ((UINT64_C(1) << 52) - 1);
		expect_same(from_bits(fraction >> (next_random(&state) % 52)));
	}
	expect_same_around(from_bits((UINT64_C(1) << 52) - 1), 1000); /* largest subnormal */
	expect_same_around(DBL_MIN, 1000);
	expect_same_around(DBL_TRUE_MIN, 1);
	expect_same_around(DBL_MAX, 1000);
	expect_same(-DBL_MAX);
	expect_same(-DBL_TRUE_MIN);
}
END_TEST

/* Python switches to exponent notation below 1e-4 and from 1e16 on; values
 * just below a power of ten can print as it. */
START_TEST(notation_switches)
{
	static const double edges[] = { 1e16, 1e-4, 1e-5, 1e15, 1e-3, 1e17, 1.0, 10.0, 0.1 };

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		expect_same_around(edges[i], 20000);
		expect_same_around(-edges[i], 100);
	}
	for (int d = 1; d <= 9; d++) {
		expect_same_around(d * 1e15, 100);
		expect_same_around(d * 1e-5, 100);
	}
	expect_same_around(9999999999999998.0, 100);
	expect_same_around(0.00009999999999999999, 100);
}
END_TEST

/* c * 2^q with q from -8 to 0 carry exact decimals ending in 5 just past
 * the shortest length, halfway between two candidates (1234567890123456.25
 * prints ...56.2, the even one); small dyadic fractions m * 2^e end in 5
 * too. */
START_TEST(halfway_cases)
{
	uint64_t state = 0x94d049bb133111ebull;

	for (int i = 0; i < 200000; i++) {
		uint64_t fraction = next_random(&state) & ((UINT64_C(1) << 52) - 1);
		uint64_t c = (UINT64_C(1) << 52) | fraction;
		int q = -(int)(next_random(&state) % 9);
		expect_same(ldexp((double)c, q));
	}
	for (int i = 0; i < 150000; i++) {
		uint64_t r = next_random(&state);
		double m = (double)(r & 0xfffff);
		int e = (int)((r >> 20) % 161) - 80;
		expect_same(ldexp(m, e));
	}
}
END_TEST

/* Heats are ratios of integers: the values damo-heatmap prints. */
START_TEST(ratios)
{
	uint64_t state = 0x853c49e6748fea9bull;

	for (int i = 0; i < 200000; i++) {
		uint64_t r = next_random(&state);
		expect_same((double)(r % 1000000007) / (double)(1 + (r >> 40) % 1000));
	}
}
END_TEST

Suite *pyfloat_suite(void)
{
	Suite *s = suite_create("pyfloat");
	TCase *tc = tcase_create("pyfloat");

	tcase_add_test(tc, integer_logarithms_are_exact);
	tcase_add_test(tc, pow10_table_is_exact);
	tcase_add_test(tc, known_values_and_truncation);
	tcase_add_test(tc, random_bit_patterns);
	tcase_add_test(tc, random_decimals);
	tcase_add_test(tc, integers);
	tcase_add_test(tc, powers_of_two_and_ten);
	tcase_add_test(tc, subnormals_and_extremes);
	tcase_add_test(tc, notation_switches);
	tcase_add_test(tc, halfway_cases);
	tcase_add_test(tc, ratios);
	suite_add_tcase(s, tc);
	return s;
}
