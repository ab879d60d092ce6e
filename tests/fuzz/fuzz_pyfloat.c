// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: Python float repr, the fast shortest search
 * (dt_pyfloat_repr) against the printf/strtod reference.  Every 8 bytes of
 * the input are a double's bits and, read as an integer, a decimal of 1 to
 * 17 digits with an exponent; the whole input read by strtod is one more
 * value.  Each is checked with its neighbours; a difference aborts. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"
#include "pyfloat_internal.h"

static void check(double v)
{
	char fast[DT_PYFLOAT_LEN], reference[DT_PYFLOAT_LEN];

	for (int i = 0; i < 3; i++) {
		double w = i == 0 ? v : nextafter(v, i == 1 ? -INFINITY : INFINITY);
		dt_pyfloat_repr(fast, sizeof(fast), w);
		dt_pyfloat_repr_reference(reference, sizeof(reference), w);
		if (strcmp(fast, reference) != 0) {
			fprintf(stderr, "%a printed as %s, the reference prints %s\n", w, fast,
				reference);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64];

	for (size_t off = 0; off + 8 <= size && off < 8 * 1024; off += 8) {
		uint64_t bits;
		double v;
		memcpy(&bits, data + off, sizeof(bits));
		memcpy(&v, &bits, sizeof(v));
		check(v);
		/* up to 17 digits, fewer by the top 4 bits, times 10^-340 .. 10^315 */
		uint64_t digits = bits % 100000000000000000ull;
		for (unsigned drop = (unsigned)(bits >> 60); drop > 0; drop--)
			digits /= 10;
		snprintf(text, sizeof(text), "%llue%d", (unsigned long long)digits,
			 (int)((bits >> 20) % 656) - 340);
		check(strtod(text, NULL));
	}
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	check(strtod(text, NULL));
	return 0;
}
