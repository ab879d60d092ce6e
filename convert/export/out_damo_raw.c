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
 * damo's Python does), age -1 when the record has none.
 */
#include "export_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ULONG_MAX_F 18446744073709551615.0

char *dt_out_damo_sz(char *buf, size_t len, double b)
{
	static const struct { double unit; const char *name; } units[] = {
		{ 1152921504606846976.0, "EiB" }, { 1125899906842624.0, "PiB" },
		{ 1099511627776.0, "TiB" }, { 1073741824.0, "GiB" },
		{ 1048576.0, "MiB" }, { 1024.0, "KiB" },
	};

	if (b == ULONG_MAX_F) {
		snprintf(buf, len, "max");
		return buf;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (b > units[i].unit) {
			snprintf(buf, len, "%.3f %s", b / units[i].unit, units[i].name);
			return buf;
		}
	snprintf(buf, len, "%lld B", (long long)b);
	return buf;
}

static void time_text(char *buf, size_t len, double t)
{
	const double us = 1e3, ms = 1e6, sec = 1e9, minute = 60e9, hour = 3600e9;

	if (t >= hour) {
		long long h = (long long)(t / hour);
		double less = t - (double)h * hour;
		if (less == 0) {
			snprintf(buf, len, "%lld h", h);
		} else {
			char rest[96];
			time_text(rest, sizeof(rest), less);
			snprintf(buf, len, "%lld h %s", h, rest);
		}
	} else if (t >= minute) {
		long long m = (long long)(t / minute);
		if (fmod(t, minute) == 0)
			snprintf(buf, len, "%lld m", m);
		else if (fmod(t, sec) == 0)
			snprintf(buf, len, "%lld m %lld s", m, (long long)(fmod(t, minute) / sec));
		else
			snprintf(buf, len, "%lld m %.3f s", m, fmod(t, minute) / sec);
	} else if (t >= sec) {
		if (fmod(t, sec) == 0)
			snprintf(buf, len, "%lld s", (long long)(t / sec));
		else
			snprintf(buf, len, "%.3f s", t / sec);
	} else if (t >= ms) {
		if (fmod(t, ms) == 0)
			snprintf(buf, len, "%lld ms", (long long)(t / ms));
		else
			snprintf(buf, len, "%.3f ms", t / ms);
	} else if (t >= us) {
		if (fmod(t, us) == 0)
			snprintf(buf, len, "%lld us", (long long)(t / us));
		else
			snprintf(buf, len, "%.3f us", t / us);
	} else {
		snprintf(buf, len, "%lld ns", (long long)t);
	}
}

char *dt_out_damo_time_ns(char *buf, size_t len, double ns)
{
	const char *sign = "";
	char body[128];

	if (ns < 0) {
		sign = "-";
		ns = -ns;
	}
	if (ns >= ULONG_MAX_F) {
		snprintf(buf, len, "%smax", sign);
		return buf;
	}
	time_text(body, sizeof(body), ns);
	snprintf(buf, len, "%s%s", sign, body);
	return buf;
}

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
			dt_out_printf(o, "base_time_absolute: %s\n", dt_out_damo_time_ns(a, sizeof(a), base));
			dt_out_printf(o, "data source: %s\n\n",
				      s->data_source ? s->data_source : "unknown");
			first = 0;
		}
		dt_out_printf(o, "monitoring_start:    %16s\n",
			      dt_out_damo_time_ns(a, sizeof(a), (double)snap.start_ns - base));
		dt_out_printf(o, "monitoring_end:      %16s\n",
			      dt_out_damo_time_ns(b, sizeof(b), (double)snap.end_ns - base));
		dt_out_printf(o, "monitoring_duration: %16s\n",
			      dt_out_damo_time_ns(c, sizeof(c),
						  (double)snap.end_ns - (double)snap.start_ns));
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
				      dt_out_damo_sz(a, sizeof(a), (double)(r->end - r->start)), acc,
				      age);
		}
		dt_out_write(o, "\n", 1);
	}
	return ret;
}
