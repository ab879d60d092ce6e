/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * checked.h - saturating 64-bit arithmetic for values taken from records.
 *
 * A record may hold any 64-bit time, address, age or interval; the
 * analysis computes with signed 64-bit offsets.  These functions never
 * overflow (no undefined behaviour): a result that does not fit is
 * clamped to the nearest representable value (INT64_MIN/INT64_MAX,
 * 0/UINT64_MAX), which every caller then clips into its own range (a
 * grid's cells, a window).  For operands whose exact result fits they
 * return it unchanged, so ordinary records compute as before.
 */
#ifndef DT_CHECKED_H
#define DT_CHECKED_H

#include <stdint.h>

/* a + b, clamped to [INT64_MIN, INT64_MAX]. */
static inline int64_t dt_sat_add(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* a - b, clamped. */
static inline int64_t dt_sat_sub(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* a * b, clamped. */
static inline int64_t dt_sat_mul(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_mul_overflow(a, b, &r))
		return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
	return r;
}

/* a * b for unsigned values, clamped to UINT64_MAX. */
static inline uint64_t dt_sat_umul(uint64_t a, uint64_t b)
{
	uint64_t r;
	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* An unsigned record value as a signed one: values above INT64_MAX
 * (times past 2^63 ns, addresses in the upper half) clamp to INT64_MAX. */
static inline int64_t dt_sat_i64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* A non-negative double as an unsigned value (sums and means of record
 * values held in doubles): NaN and negatives give 0, values of 2^64 and
 * more UINT64_MAX, where a plain cast is undefined. */
static inline uint64_t dt_sat_u64_of(double v)
{
	if (!(v > 0))
		return 0;
	return v >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)v;
}

/* Time t moved by a signed offset (--time-offset, clock alignment),
 * clamped to [0, UINT64_MAX]. */
static inline uint64_t dt_time_shift(uint64_t t, int64_t offset)
{
	if (offset >= 0)
		return t + (uint64_t)offset < t ? UINT64_MAX : t + (uint64_t)offset;
	uint64_t back = (uint64_t)-(offset + 1) + 1; /* |offset|, also for INT64_MIN */
	return t < back ? 0 : t - back;
}

#endif /* DT_CHECKED_H */
