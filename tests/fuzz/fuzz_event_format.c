// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the tracefs format parser of damon:damon_aggregated
 * (dshim_event_format_parse): any text gives a layout or a clean error,
 * never a crash, a leak or a hang.  A layout that is accepted must keep its
 * promises: every field it names has a readable size and lies inside
 * min_raw_size, raw data that long decodes and shorter data is refused.
 * libtraceevent parses only the canonical text rebuilt from the lines the
 * shim checked; it must take every such text (a refusal would mean it saw
 * something the check let through, where it has crashed and leaked).
 * Pure parsing: nothing here touches tracefs or the kernel.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "damon_shim.h"

static void check_field(const struct dshim_field *f, int required, int min_raw_size)
{
	if (!f->size) {
		if (required || f->offset)
			abort();
		return;
	}
	if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8)
		abort();
	if (f->offset < 0 || f->offset + f->size > min_raw_size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dshim_event_format fmt;
	struct dshim_region_event ev;
	char err[512];

	err[0] = '\0';
	if (dshim_event_format_parse((const char *)data, size, &fmt, err, sizeof(err))) {
		if (!err[0] || !memchr(err, '\0', sizeof(err)))
			abort(); /* every refusal says why */
		if (strstr(err, "libtraceevent"))
			abort(); /* the check let through a text libtraceevent refuses */
		return 0;
	}
	check_field(&fmt.target_id, 1, fmt.min_raw_size);
	check_field(&fmt.nr_regions, 1, fmt.min_raw_size);
	check_field(&fmt.start, 1, fmt.min_raw_size);
	check_field(&fmt.end, 1, fmt.min_raw_size);
	check_field(&fmt.nr_accesses, 1, fmt.min_raw_size);
	check_field(&fmt.age, 0, fmt.min_raw_size);

	/* Raw data exactly min_raw_size long, in its own allocation so that
	 * ASan sees a read past it; filled from the input for varied values. */
	size_t raw_len = (size_t)fmt.min_raw_size;
	unsigned char *raw = malloc(raw_len);
	if (!raw)
		return 0;
	for (size_t i = 0; i < raw_len; i++)
		raw[i] = size ? data[i % size] : 0;
	if (dshim_event_decode(&fmt, raw, raw_len, &ev, err, sizeof(err)))
		abort();
	if (ev.has_age != (fmt.age.size != 0))
		abort();
	if (dshim_event_decode(&fmt, raw, raw_len - 1, &ev, err, sizeof(err)) == 0)
		abort();
	free(raw);
	return 0;
}
