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

static void put_out(void *o, const char *p, size_t n)
{
	dt_out_write(o, p, n);
}

int dt_out_damo_raw_record(struct dt_out *o, struct dt_spool *s, struct dt_spool_record *rec,
			   char *err, size_t errlen)
{
	struct dtr_snapshot snap;
	double base = 0;
	int first = 1, ret;

	while ((ret = dt_spool_read(s, rec, &snap, err, errlen)) > 0) {
		if (first) {
			base = (double)snap.start_ns;
			dt_damo_raw_form_head(put_out, o, base,
					      s->data_source ? s->data_source : "unknown", 0);
			first = 0;
		}
		dt_damo_raw_form_snapshot(put_out, o, &snap, base, rec->target_id, 0);
	}
	return ret;
}
