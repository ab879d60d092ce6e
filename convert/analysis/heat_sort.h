/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * heat_sort.h - damo's `report heatmap --sort_temperature`: each snapshot's
 * regions, clipped to each address range drawn, laid out again from the
 * range's start in ascending temperature, so that the heatmap's address
 * axis shows how much memory is how hot (damo_report_heatmap.py,
 * sort_regions_by_temperature).
 *
 * Temperature is damo's temperature_of() with weights (0, freq, age):
 * access rate in percent * freq + age in us * age, negated when the access
 * rate is 0; regions of equal temperature keep their address order.  The
 * access rate is int(nr_accesses * 100 / (aggr / sample)) and the age
 * age * aggr us, as damo fills them from the record's intervals.
 */
#ifndef DT_HEAT_SORT_H
#define DT_HEAT_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"

struct dt_heat_sorter {
	size_t cap;
	struct dtr_region *v;
	double *temp;
	size_t *order;
};

/* Fill *out with the snapshot `s` rearranged (its regions point into the
 * sorter, valid until the next call).  ranges: [start, end) each;
 * weights: access rate and age.  sample_us, aggr_us: the intervals in
 * force (0: unknown, the access rate is then nr_accesses and the age 0).
 * 0 or -ENOMEM. */
int dt_heat_sort_temperature(struct dt_heat_sorter *so, const struct dtr_snapshot *s,
			     const uint64_t (*ranges)[2], size_t nr_ranges,
			     const double weights[2], uint64_t sample_us, uint64_t aggr_us,
			     struct dtr_snapshot *out);
void dt_heat_sorter_free(struct dt_heat_sorter *so);

#endif /* DT_HEAT_SORT_H */
