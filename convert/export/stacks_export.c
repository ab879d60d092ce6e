// SPDX-License-Identifier: GPL-2.0-only
/*
 * The callstack exports behind one entry point (stacks_out.h).
 */
#include <errno.h>
#include <string.h>

#include "errmsg.h"
#include "stacks_out.h"

int dt_stacks_format_parse(const char *name, enum dt_stacks_format *f)
{
	if (!strcmp(name, "speedscope"))
		*f = DT_STACKS_SPEEDSCOPE;
	else if (!strcmp(name, "trace-event") || !strcmp(name, "perfetto") ||
		 !strcmp(name, "chrome"))
		*f = DT_STACKS_TRACE_EVENT;
	else if (!strcmp(name, "folded"))
		*f = DT_STACKS_FOLDED;
	else
		return -EINVAL;
	return 0;
}

int dt_stacks_write(FILE *out, enum dt_stacks_format f, const struct dt_stacks_profile *p,
		    const struct dt_stacks_out_opts *o, char *err, size_t errlen)
{
	switch (f) {
	case DT_STACKS_SPEEDSCOPE:
		return dt_out_speedscope(out, p, o, err, errlen);
	case DT_STACKS_TRACE_EVENT:
		return dt_out_trace_event(out, p, o, err, errlen);
	case DT_STACKS_FOLDED:
		return dt_out_folded(out, p, o, err, errlen);
	}
	return dt_fail(err, errlen, -EINVAL, "unknown output format");
}
