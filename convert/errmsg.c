// SPDX-License-Identifier: GPL-2.0-only
#include "errmsg.h"

#include <stdarg.h>
#include <stdio.h>

int dt_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}
