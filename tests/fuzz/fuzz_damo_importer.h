/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_damo_importer.h - shared body of the importer fuzz targets: run one
 * importer over the fuzzer's bytes held in memory, and check that what it
 * returns keeps the item model's promises (errors are fine, lies are not).
 */
#ifndef DT_FUZZ_DAMO_IMPORTER_H
#define DT_FUZZ_DAMO_IMPORTER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input_internal.h"

static void fuzz_check_item(const struct dtr_item *item)
{
	if (item->type == DTR_ITEM_SNAPSHOT) {
		const struct dtr_snapshot *s = &item->u.snapshot;
		if (s->end_ns < s->start_ns)
			abort();
		for (uint64_t i = 0; i < s->nr_regions; i++) {
			if (s->regions[i].end < s->regions[i].start)
				abort();
			if (i && s->regions[i].start < s->regions[i - 1].end)
				abort();
		}
	} else if (item->type == DTR_ITEM_CONTEXT) {
		for (size_t i = 0; i < item->u.context.nr_targets; i++)
			if (!item->u.context.targets[i].cmdline)
				abort();
	}
}

/* open(imp, src, err, errlen) opens the importer under test. */
static void fuzz_importer(const uint8_t *data, size_t size,
			  int (*open)(struct dt_importer *, struct dt_src *, char *, size_t))
{
	struct dt_src src;
	struct dt_importer imp;
	struct dtr_item item;
	char err[512];

	memset(&src, 0, sizeof(src));
	src.name = "fuzz";
	src.fd = -1;
	src.mem = data;
	src.mem_len = size;
	src.seekable = 1;
	if (open(&imp, &src, err, sizeof(err)))
		return;
	for (int n = 0; n < 1000000; n++) {
		int ret = imp.next(imp.state, &item, err, sizeof(err));
		if (ret <= 0)
			break;
		fuzz_check_item(&item);
	}
	imp.close(imp.state);
}

#endif /* DT_FUZZ_DAMO_IMPORTER_H */
