// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text of damo's `report access --raw_form`, byte for byte:
 *
 *   base_time_absolute: 8 m 59.809 s
 *   data source: unknown
 *
 *   monitoring_start:                0 ns
 *   monitoring_end:            104.599 ms
 *   monitoring_duration:       104.599 ms
 *   target_id: 18446623438842320000
 *   nr_regions: 10
 *   # start_addr     end_addr        length  nr_accesses   age
 *   563ebaa00000-563ebadf3000 (   3.949 MiB)           0    -1
 *
 * per record (target), times relative to the record's first snapshot start,
 * sizes and times in damo's human units (computed in double precision as
 * damo's Python does, by report.h's dt_damo_format_*), age -1 when the
 * record has none.
 */
#include "export_internal.h"
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int dt_out_damo_raw_record(struct dt_out *o, struct dt_spool *s, struct dt_spool_record *rec,
			   char *err, size_t errlen)
{
	struct dtr_snapshot snap;
	char a[128], b[128], c[128];
	double base = 0;
	int first = 1, ret;

	while ((ret = dt_spool_read(s, rec, &snap, err, errlen)) > 0) {
		if (first) {
			base = (double)snap.start_ns;
			dt_out_printf(o, "base_time_absolute: %s\n",
				      dt_damo_format_time_ns(a, sizeof(a), base, 0));
			dt_out_printf(o, "data source: %s\n\n",
				      s->data_source ? s->data_source : "unknown");
			first = 0;
		}
		dt_out_printf(o, "monitoring_start:    %16s\n",
			      dt_damo_format_time_ns(a, sizeof(a), (double)snap.start_ns - base, 0));
		dt_out_printf(o, "monitoring_end:      %16s\n",
			      dt_damo_format_time_ns(b, sizeof(b), (double)snap.end_ns - base, 0));
		dt_out_printf(o, "monitoring_duration: %16s\n",
			      dt_damo_format_time_ns(c, sizeof(c),
						     (double)snap.end_ns - (double)snap.start_ns, 0));
		dt_out_printf(o, "target_id: %llu\n", (unsigned long long)rec->target_id);
		dt_out_printf(o, "nr_regions: %llu\n", (unsigned long long)snap.nr_regions);
		dt_out_printf(o, "# %10s %12s  %12s  %11s %5s\n", "start_addr", "end_addr", "length",
			      "nr_accesses", "age");
		for (uint64_t i = 0; i < snap.nr_regions; i++) {
			const struct dtr_region *r = &snap.regions[i];
			long long acc = snap.access_unit == DTR_UNIT_ABSENT ? -1 : (long long)r->nr_accesses;
			long long age = snap.age_unit == DTR_UNIT_ABSENT ? -1 : (long long)r->age;
			dt_out_printf(o, "%012llx-%012llx (%12s) %11lld %5lld\n",
				      (unsigned long long)r->start, (unsigned long long)r->end,
				      dt_damo_format_sz(a, sizeof(a), (double)(r->end - r->start), 0), acc,
				      age);
		}
		dt_out_write(o, "\n", 1);
	}
	return ret;
}
