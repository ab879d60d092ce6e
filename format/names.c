// SPDX-License-Identifier: GPL-2.0-only
/* The names of the record's enumerations: operations, clocks, units, item types (dtr.h). */
#include <errno.h>
#include <string.h>

#include "dtr-int.h"

const char *dtr_ops_name(enum dtr_ops ops)
{
	switch (ops) {
	case DTR_OPS_VADDR: return "vaddr";
	case DTR_OPS_FVADDR: return "fvaddr";
	case DTR_OPS_PADDR: return "paddr";
	case DTR_OPS_UNKNOWN: break;
	}
	return "unknown";
}

int dtr_ops_parse(const char *name, enum dtr_ops *ops)
{
	static const enum dtr_ops all[] = { DTR_OPS_VADDR, DTR_OPS_FVADDR, DTR_OPS_PADDR };

	if (!name)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(name, dtr_ops_name(all[i]))) {
			*ops = all[i];
			return 0;
		}
	return -EINVAL;
}

const char *dtr_clock_name(enum dtr_clock clock)
{
	switch (clock) {
	case DTR_CLOCK_MONOTONIC: return "monotonic";
	case DTR_CLOCK_PERF: return "perf";
	case DTR_CLOCK_REALTIME: return "realtime";
	case DTR_CLOCK_BOOTTIME: return "boottime";
	case DTR_CLOCK_UNKNOWN: break;
	}
	return "unknown";
}

const char *dtr_unit_name(enum dtr_unit unit)
{
	switch (unit) {
	case DTR_UNIT_SAMPLES: return "samples";
	case DTR_UNIT_AGGREGATIONS: return "aggregations";
	case DTR_UNIT_ABSENT: break;
	}
	return "absent";
}

const char *dtr_item_type_name(enum dtr_item_type type)
{
	switch (type) {
	case DTR_ITEM_META: return "meta";
	case DTR_ITEM_CONTEXT: return "context";
	case DTR_ITEM_INTERVALS: return "intervals";
	case DTR_ITEM_CLOCKS: return "clocks";
	case DTR_ITEM_SNAPSHOT: return "snapshot";
	case DTR_ITEM_FRAME: return "frame";
	case DTR_ITEM_STACK: return "stack";
	case DTR_ITEM_THREAD: return "thread";
	case DTR_ITEM_MAPS: return "maps";
	case DTR_ITEM_END: return "end";
	case DTR_ITEM_FOOTPRINT: return "footprint";
	}
	return "unknown";
}

int dtr_probe(const void *buf, size_t len)
{
	return buf && len >= DTR_MAGIC_LEN && !memcmp(buf, DTR_MAGIC, DTR_MAGIC_LEN);
}
