/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pyfloat.h - print a double exactly as Python's repr() does, and divide
 * integers as Python's int(a / b) does.
 *
 * damo prints heats with Python's float repr (shortest digits that read
 * back to the same double; fixed notation for 1e-4 <= |x| < 1e16, else
 * "1e-05" / "1.5e+16"; integral values keep ".0").  Matching damo's text
 * byte for byte needs the same rules.
 */
#ifndef DT_PYFLOAT_H
#define DT_PYFLOAT_H

#include <stddef.h>
#include <stdint.h>

/* Longest repr: sign, 17 digits, point, "e-308", NUL. */
#define DT_PYFLOAT_LEN 32

/* Python's repr(v) into buf (at least DT_PYFLOAT_LEN bytes); returns the
 * length.  NaN prints "nan", infinities "inf" / "-inf", as Python does. */
int dt_pyfloat_repr(char *buf, size_t len, double v);

/* Python's int(x / y) for integers: the true quotient correctly rounded to
 * a double, then truncated toward zero.  y must be > 0.  Results whose
 * magnitude is at least 2^53 are returned as the truncated integer quotient
 * (such indices are far outside any grid, where the exact value does not
 * matter). */
int64_t dt_py_int_div(int64_t x, uint64_t y);

#endif /* DT_PYFLOAT_H */
