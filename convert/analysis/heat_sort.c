// SPDX-License-Identifier: GPL-2.0-only
/* damo's --sort_temperature: regions rearranged by temperature per address range (heat_sort.h). */
#include "heat_sort.h"
#include "grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct dt_heat_sorter *so, size_t want)
{
	/* three arrays of one capacity: each grows from the same one to the
	 * same size, so->cap moves only when all three did */
	size_t cv = so->cap, ct = so->cap, co = so->cap;

	if (DT_GROW(so->v, cv, want) || DT_GROW(so->temp, ct, want) ||
	    DT_GROW(so->order, co, want))
		return -ENOMEM;
	so->cap = cv;
	return 0;
}

/* damo's temperature_of() with weights (0, w[0], w[1]). */
static double temperature(const struct dtr_region *r, const double w[2], uint64_t sample_us,
			  uint64_t aggr_us)
{
	double percent = r->nr_accesses;
	double age_us = 0;

	if (sample_us && aggr_us) {
		percent = (double)(long long)((double)r->nr_accesses * 100.0 /
					      ((double)aggr_us / (double)sample_us));
		age_us = (double)r->age * (double)aggr_us;
	}
	double score = percent * w[0] + age_us * w[1];
	return percent > 0 ? score : -score;
}

/* Stable insertion of index k into order[0..n) by temperature. */
static void insert_sorted(struct dt_heat_sorter *so, size_t n, size_t k)
{
	size_t j = n;

	while (j > 0 && so->temp[so->order[j - 1]] > so->temp[k]) {
		so->order[j] = so->order[j - 1];
		j--;
	}
	so->order[j] = k;
}

/* The regions of one range, sorted and packed, appended at v[base..). */
static size_t sort_range(struct dt_heat_sorter *so, const struct dtr_snapshot *s,
			 const uint64_t range[2], size_t base, const double w[2],
			 uint64_t sample_us, uint64_t aggr_us)
{
	size_t n = 0;

	for (uint64_t i = 0; i < s->nr_regions; i++) {
		struct dtr_region r = s->regions[i];
		if (range[1] < r.start || r.end < range[0])
			continue;
		if (r.start < range[0])
			r.start = range[0];
		if (range[1] < r.end)
			r.end = range[1];
		so->v[base + n] = r;
		so->temp[base + n] = temperature(&r, w, sample_us, aggr_us);
		n++;
	}
	for (size_t k = 0; k < n; k++)
		insert_sorted(so, k, base + k);
	/* order[0..n) holds indices into v; pack them from the range start */
	struct dtr_region *packed = malloc((n ? n : 1) * sizeof(*packed));
	if (!packed)
		return (size_t)-1;
	uint64_t at = range[0];
	for (size_t k = 0; k < n; k++) {
		packed[k] = so->v[so->order[k]];
		uint64_t size = packed[k].end - packed[k].start;
		packed[k].start = at;
		packed[k].end = at + size;
		at += size;
	}
	memcpy(so->v + base, packed, n * sizeof(*packed));
	free(packed);
	return n;
}

int dt_heat_sort_temperature(struct dt_heat_sorter *so, const struct dtr_snapshot *s,
			     const uint64_t (*ranges)[2], size_t nr_ranges,
			     const double weights[2], uint64_t sample_us, uint64_t aggr_us,
			     struct dtr_snapshot *out)
{
	size_t total = 0;

	if (nr_ranges && s->nr_regions > (SIZE_MAX / sizeof(struct dtr_region)) / nr_ranges)
		return -ENOMEM;
	if (grow(so, s->nr_regions * nr_ranges + 1))
		return -ENOMEM;
	for (size_t i = 0; i < nr_ranges; i++) {
		size_t n = sort_range(so, s, ranges[i], total, weights, sample_us, aggr_us);
		if (n == (size_t)-1)
			return -ENOMEM;
		total += n;
	}
	*out = *s;
	out->nr_regions = total;
	out->regions = so->v;
	return 0;
}

void dt_heat_sorter_free(struct dt_heat_sorter *so)
{
	free(so->v);
	free(so->temp);
	free(so->order);
	*so = (struct dt_heat_sorter){ 0 };
}
