// SPDX-License-Identifier: GPL-2.0-only
/* damo-access: the regions of every snapshot of a record, as damo's
 * `report access` prints them, with its filters and format templates. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "cli.h"
#include "grow.h"
#include "input.h"
#include "options.h"
#include "shared_opts.h"
#include "units.h"

static const char *prog = "damo-access";

#define MAX_INPUTS 16
#define MAX_FORMATS 32

struct args {
	const char *inputs[MAX_INPUTS];
	size_t nr_inputs;
	int total_sz_only, color, json, raw_form;
	const char *style;
	struct dt_access_filter filter;
	struct dt_access_format fmt;
	/* --format and --format_AREA, applied once the records are read */
	double hist_nr[DT_ACCESS_MAX_RANGES][2]; /* --hist_ranges as plain numbers */
	size_t nr_formats;
	struct { enum dt_access_area area; const char *text; int append; } formats[MAX_FORMATS];
};

/* ------------------------------------------------------------- values */

/* A plain number (no unit), as damo's try_common_input() takes it. */
static int plain_number(const char *s)
{
	char *end;

	if (!strcmp(s, "min") || !strcmp(s, "max"))
		return 1;
	strtod(s, &end);
	return end != s && !*end && !strpbrk(s, "xXnNiI");
}

/* damo's text_to_us(): a plain number is us, else a time. */
static int parse_us(const char *s, double *us)
{
	struct dt_damo_num n;

	if (!strcmp(s, "min") || !strcmp(s, "max")) {
		*us = s[1] == 'i' ? 0 : 1.8446744073709552e19;
		return 0;
	}
	if (dt_parse_damo_ns(s, &n))
		return -EINVAL;
	*us = plain_number(s) ? dt_damo_num_f(&n) : dt_damo_num_f(&n) / 1000;
	return 0;
}

/* damo's text_to_percent(): a number, or a ratio with '%'. */
static int parse_percent(const char *s, double *pct)
{
	char *end;

	if (!strcmp(s, "min") || !strcmp(s, "max")) {
		*pct = s[1] == 'i' ? 0 : 1.8446744073709552e19;
		return 0;
	}
	*pct = strtod(s, &end);
	if (end == s || (*end && strcmp(end, "%")) || strpbrk(s, "xXnNiI"))
		return -EINVAL;
	return 0;
}

static int parse_time_ns(const char *s, double *ns)
{
	struct dt_damo_num n;

	if (dt_parse_damo_ns(s, &n))
		return -EINVAL;
	*ns = dt_damo_num_f(&n);
	return 0;
}

/* ------------------------------------------------------------ options */

static int opt_input(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct args *a = o->value;

	if (a->nr_inputs == MAX_INPUTS)
		return opt_fail(p, "at most %d inputs", MAX_INPUTS);
	a->inputs[a->nr_inputs++] = arg;
	return 0;
}

/* --sz_region, --access_rate, --age, --address, --sz_snapshot,
 * --snapshot_time, --snapshot_idx, --temperature: MIN MAX each. */
static int opt_filter(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct args *a = o->value;
	struct dt_access_filter *f = &a->filter;
	const char *n = o->long_name, *second;
	uint64_t b[2];
	double d[2];
	int64_t i[2];

	if (cmd_second_value(p, &second))
		return -1;
	const char *w[2] = { arg, second };
	if (!strcmp(n, "sz_region") || !strcmp(n, "address") || !strcmp(n, "sz_snapshot")) {
		if (dt_parse_damo_bytes(w[0], &b[0]) || dt_parse_damo_bytes(w[1], &b[1]))
			return opt_fail(p, "--%s: two sizes (4K, 1.5M, max), not '%s %s'", n, arg,
					second);
		if (n[0] == 's' && n[3] == 'r') {
			memcpy(f->sz, b, sizeof(b));
			return 0;
		}
		size_t *nr = n[0] == 'a' ? &f->nr_addr : &f->nr_sz_snapshot;
		uint64_t (*v)[2] = n[0] == 'a' ? f->addr : f->sz_snapshot;
		if (*nr == DT_ACCESS_MAX_RANGES)
			return opt_fail(p, "at most %d --%s", DT_ACCESS_MAX_RANGES, n);
		if (n[0] == 'a' && b[1] <= b[0])
			return opt_fail(p, "--address: START < END, not '%s %s'", arg, second);
		memcpy(v[(*nr)++], b, sizeof(b));
		return 0;
	}
	if (!strcmp(n, "access_rate") || !strcmp(n, "age")) {
		int bad = n[1] == 'c' ? parse_percent(w[0], &d[0]) || parse_percent(w[1], &d[1]) :
					parse_us(w[0], &d[0]) || parse_us(w[1], &d[1]);
		if (bad)
			return opt_fail(p, "--%s: not '%s %s'", n, arg, second);
		memcpy(n[1] == 'c' ? f->rate : f->age_us, d, sizeof(d));
		return 0;
	}
	if (!strcmp(n, "snapshot_time")) {
		if (parse_time_ns(w[0], &d[0]) || parse_time_ns(w[1], &d[1]))
			return opt_fail(p, "--snapshot_time: two times, not '%s %s'", arg, second);
		if (f->nr_time == DT_ACCESS_MAX_RANGES)
			return opt_fail(p, "at most %d --%s", DT_ACCESS_MAX_RANGES, n);
		memcpy(f->time[f->nr_time++], d, sizeof(d));
		return 0;
	}
	if (cmd_parse_i64(w[0], &i[0]) || cmd_parse_i64(w[1], &i[1]))
		return opt_fail(p, "--%s: two integers, not '%s %s'", n, arg, second);
	size_t *nr = n[1] == 'n' ? &f->nr_idx : &f->nr_temp;
	if (*nr == DT_ACCESS_MAX_RANGES)
		return opt_fail(p, "at most %d --%s", DT_ACCESS_MAX_RANGES, n);
	memcpy(n[1] == 'n' ? f->idx[(*nr)++] : f->temp[(*nr)++], i, sizeof(i));
	return 0;
}

static const char *const area_names[] = { "record_head", "snapshot_head", "region",
					  "snapshot_tail", "record_tail" };

static int add_format(struct args *a, struct opt_parser *p, int area, const char *text,
		      int append)
{
	if (a->nr_formats == MAX_FORMATS)
		return opt_fail(p, "at most %d formats", MAX_FORMATS);
	a->formats[a->nr_formats].area = (enum dt_access_area)area;
	a->formats[a->nr_formats].text = text;
	a->formats[a->nr_formats++].append = append;
	return 0;
}

/* --format set|append AREA TEMPLATE */
static int opt_format(const struct opt *o, const char *arg, struct opt_parser *p)
{
	const char *area = opt_next_arg(p), *text = area ? opt_next_arg(p) : NULL;

	if (!text || (strcmp(arg, "set") && strcmp(arg, "append")))
		return opt_fail(p, "--format: set|append AREA TEMPLATE");
	for (int i = 0; i < DT_ACCESS_NR_AREAS; i++)
		if (!strcmp(area, area_names[i]))
			return add_format(o->value, p, i, text, arg[0] == 'a');
	return opt_fail(p, "--format: AREA is record_head, snapshot_head, region, "
			"snapshot_tail or record_tail, not '%s'", area);
}

/* --format_record_head TEMPLATE and the other old spellings */
static int opt_format_area(const struct opt *o, const char *arg, struct opt_parser *p)
{
	for (int i = 0; i < DT_ACCESS_NR_AREAS; i++)
		if (!strcmp(o->long_name + 7, area_names[i]))
			return add_format(o->value, p, i, arg, 0);
	return -1;
}

static int sort_key(const char *s)
{
	static const char *const keys[] = { "address", "access_rate", "age", "size",
					    "temperature" };
	for (int i = 0; i < 5; i++)
		if (!strcmp(s, keys[i]))
			return i;
	return -1;
}

/* --sort_regions_by KEY... and --sort_regions_dsc KEY...|all */
static int opt_sort(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct dt_access_format *f = &((struct args *)o->value)->fmt;
	int dsc = o->long_name[13] == 'd';
	const char *w = arg;

	if (!dsc)
		f->nr_sort = 0;
	for (;;) {
		int k = sort_key(w);
		if (k < 0 && !(dsc && !strcmp(w, "all")))
			return opt_fail(p, "%s: address, access_rate, age, size or temperature%s, "
					"not '%s'", p->name, dsc ? " (or all)" : "", w);
		if (!dsc) {
			if (f->nr_sort == DT_ACCESS_MAX_SORT)
				return opt_fail(p, "%s: at most %d keys", p->name, DT_ACCESS_MAX_SORT);
			f->sort[f->nr_sort++] = k;
		}
		if (dsc)
			f->dsc_keys |= k < 0 ? ~0u : 1u << k;
		for (size_t i = 0; dsc && i < DT_ACCESS_MAX_SORT; i++)
			if (k < 0 || (int)f->sort[i] == k)
				f->sort_dsc[i] = 1;
		const char *next = opt_peek_arg(p);
		if (!next || (sort_key(next) < 0 && strcmp(next, "all")))
			return 0;
		w = opt_next_arg(p);
	}
}

static int opt_weights(const struct opt *o, const char *arg, struct opt_parser *p)
{
	int64_t *w = ((struct args *)o->value)->fmt.weights;
	const char *b = opt_next_arg(p), *c = b ? opt_next_arg(p) : NULL;

	if (!c || cmd_parse_i64(arg, &w[0]) || cmd_parse_i64(b, &w[1]) || cmd_parse_i64(c, &w[2]))
		return opt_fail(p, "--temperature_weights: three integers (size, access rate, age)");
	memcpy(((struct args *)o->value)->filter.weights, w, 3 * sizeof(*w));
	return 0;
}

static int opt_min_chars(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct dt_access_format *f = &((struct args *)o->value)->fmt;
	const char *n;
	int64_t v;

	if (cmd_second_value(p, &n) || cmd_parse_i64(n, &v))
		return opt_fail(p, "--min_chars_for: KEYWORD NUMBER");
	if (f->nr_min_chars == DT_ACCESS_MAX_MIN_CHARS)
		return opt_fail(p, "--min_chars_for: at most %d", DT_ACCESS_MAX_MIN_CHARS);
	f->min_chars[f->nr_min_chars].keyword = arg;
	f->min_chars[f->nr_min_chars++].n = (long)v;
	return 0;
}

static int opt_colorset(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (strcmp(arg, "gray") && strcmp(arg, "flame") && strcmp(arg, "emotion"))
		return opt_fail(p, "%s: gray, flame or emotion, not '%s'", p->name, arg);
	*(const char **)o->value = arg;
	return 0;
}

static int opt_style(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (!dt_access_style_known(arg))
		return opt_fail(p, "--style: detailed, simple-boxes, temperature-sz-hist, "
				"recency-sz-hist, cold-memory-tail, recency-percentiles, "
				"idle-time-percentiles, temperature-percentiles, cold or hot, not '%s'",
				arg);
	((struct args *)o->value)->style = arg;
	return 0;
}

/* The words of a multi-value option up to the next option. */
static const char *more_word(struct opt_parser *p)
{
	const char *next = opt_peek_arg(p);

	return next && (next[0] != '-' || !next[1] || isdigit((unsigned char)next[1])) ?
	       opt_next_arg(p) : NULL;
}

/* --percentiles_range N... (integers) */
static int opt_percentiles(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct dt_access_format *f = &((struct args *)o->value)->fmt;

	f->nr_percentiles_range = 0;
	for (const char *w = arg; w; w = more_word(p)) {
		if (f->nr_percentiles_range == DT_ACCESS_MAX_PERCENTILES)
			return opt_fail(p, "--percentiles_range: at most %d numbers",
					DT_ACCESS_MAX_PERCENTILES);
		if (cmd_parse_i64(w, &f->percentiles_range[f->nr_percentiles_range++]))
			return opt_fail(p, "--percentiles_range: integers, not '%s'", w);
	}
	return 0;
}

/* --hist_ranges START END [START END]...: idle times (damo's text_to_us)
 * of the recency histogram, temperatures of the other; read as both and
 * chosen when the style is known. */
static int opt_hist_ranges(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct args *a = o->value;
	size_t n = 0;

	for (const char *w = arg; w; w = more_word(p), n++) {
		if (n / 2 == DT_ACCESS_MAX_RANGES)
			return opt_fail(p, "--hist_ranges: at most %d pairs", DT_ACCESS_MAX_RANGES);
		double *us = &a->fmt.hist_ranges[n / 2][n % 2], *nr = &a->hist_nr[n / 2][n % 2];
		char *end;
		*nr = strtod(w, &end);
		if (parse_us(w, us) && (end == w || *end))
			return opt_fail(p, "--hist_ranges: numbers or times, not '%s'", w);
		if (end == w || *end)
			*nr = NAN;
	}
	if (n % 2)
		return opt_fail(p, "--hist_ranges: pairs of START END");
	a->fmt.nr_hist_ranges = n / 2;
	return 0;
}

/* --region_box_values L C H and --region_box_scales L C H */
static int opt_box_three(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct dt_access_box *b = &((struct args *)o->value)->fmt.box;
	int values = o->long_name[11] == 'v';
	const char *w[3] = { arg, opt_next_arg(p), NULL };

	w[2] = w[1] ? opt_next_arg(p) : NULL;
	for (int i = 0; i < 3; i++) {
		if (!w[i])
			return opt_fail(p, "%s: three words", p->name);
		/* damo 3.3 also lists none, and fails on it (UnboundLocalError) */
		static const char *const names[] = { "size", "access_rate", "age" };
		int k = 0;
		while (k < (values ? 3 : 2) &&
		       strcmp(w[i], values ? names[k] : k ? "log" : "linear"))
			k++;
		if (k == (values ? 3 : 2))
			return opt_fail(p, values ? "--region_box_values: size, access_rate or age, "
					"not '%s'" : "--region_box_scales: linear or log, not '%s'",
					w[i]);
		if (values)
			b->values[i] = k;
		else
			b->logscale[i] = k;
	}
	return 0;
}

/* --region_box_min_max_length MIN MAX and --region_box_min_max_height */
static int opt_box_minmax(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct dt_access_box *b = &((struct args *)o->value)->fmt.box;
	int64_t *v = o->long_name[19] == 'l' ? b->length : b->height;
	const char *second;

	if (cmd_second_value(p, &second) || cmd_parse_i64(arg, &v[0]) ||
	    cmd_parse_i64(second, &v[1]) || v[0] < 0 || v[1] < v[0] || v[1] > 1000)
		return opt_fail(p, "%s: MIN MAX, 0 <= MIN <= MAX <= 1000", p->name);
	return 0;
}

static int opt_box_align(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (strcmp(arg, "left") && strcmp(arg, "right"))
		return opt_fail(p, "--region_box_align: left or right, not '%s'", arg);
	((struct args *)o->value)->fmt.box.align_right = arg[0] == 'r';
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	struct dt_access_format *f = &a->fmt;
	const struct opt opts[] = {
		OPT_CALLBACK('i', "input", a, "FILE", "record to read (repeatable; default "
			     DTR_DEFAULT_PATH "; any input format)", opt_input),
		OPT_ALIAS("input_file"),
		OPT_CALLBACK(0, "style", a, "STYLE",
			     "damo's report style: detailed (default), temperature-sz-hist, "
			     "recency-sz-hist (= cold-memory-tail), recency-percentiles (= "
			     "idle-time-percentiles), temperature-percentiles", opt_style),
		OPT_CALLBACK(0, "percentiles_range", a, "N...",
			     "percentiles of the percentile styles: up to three numbers are "
			     "Python's range() arguments, more a list (default 0 1 25 50 75 99 "
			     "100)", opt_percentiles),
		OPT_BOOL(0, "hist_logscale", &f->hist_logscale,
			 "histogram ranges doubling in width"),
		OPT_CALLBACK(0, "hist_ranges", a, "START END...",
			     "the histogram's ranges (idle times with units for recency)",
			     opt_hist_ranges),
		OPT_BOOL(0, "hist_cumulate", &f->hist_cumulate,
			 "cumulative histogram: every range starts at the lowest value"),
		OPT_CALLBACK(0, "format", a, "set|append AREA TEMPLATE",
			     "set or extend the template of record_head, snapshot_head, region, "
			     "snapshot_tail or record_tail (keywords such as <start address>, "
			     "<size>, <access hz>, <age>, <total bytes>; \\n is a newline)",
			     opt_format),
		OPT_CALLBACK(0, "format_record_head", a, "TEMPLATE", "= --format set record_head",
			     opt_format_area),
		OPT_CALLBACK(0, "format_snapshot_head", a, "TEMPLATE",
			     "= --format set snapshot_head", opt_format_area),
		OPT_CALLBACK(0, "format_region", a, "TEMPLATE", "= --format set region",
			     opt_format_area),
		OPT_CALLBACK(0, "format_snapshot_tail", a, "TEMPLATE",
			     "= --format set snapshot_tail", opt_format_area),
		OPT_CALLBACK(0, "format_record_tail", a, "TEMPLATE", "= --format set record_tail",
			     opt_format_area),
		OPT_CALLBACK(0, "min_chars_for", a, "KEYWORD N",
			     "pad a keyword's text to N characters (damo's defaults come first "
			     "and win, as in damo)", opt_min_chars),
		OPT_CALLBACK(0, "sort_regions_by", a, "KEY...",
			     "address (default), access_rate, age, size, temperature; applied in "
			     "order", opt_sort),
		OPT_CALLBACK(0, "sort_regions_dsc", a, "KEY...",
			     "sort these keys (or all) in descending order", opt_sort),
		OPT_CALLBACK(0, "temperature_weights", a, "SZ AR AGE",
			     "weights of size, access rate and age in the temperature (default "
			     "0 100 100)", opt_weights),
		OPT_UINT(0, "snapshot_heatmap_width", &f->heatmap_width, "N", 1, 100000, NULL,
			 "columns of the snapshot heatmap (default 80)"),
		OPT_CALLBACK(0, "snapshot_heatmap_colorset", &f->heatmap_colorset,
			     "gray|flame|emotion", "colours of the snapshot heatmap (default gray)",
			     opt_colorset),
		OPT_BOOL(0, "snapshot_heatmap_static", &f->heatmap_static,
			 "draw unmapped gaps to scale instead of [...]"),
		OPT_BOOL(0, "region_box", &f->box.enabled,
			 "draw each region as a box: its length, colour and height show its age, "
			 "access rate and size"),
		OPT_CALLBACK(0, "region_box_values", a, "L C H",
			     "what the box's length, colour and height show: size, access_rate "
			     "or age (default age access_rate size)", opt_box_three),
		OPT_CALLBACK(0, "region_box_min_max_length", a, "MIN MAX",
			     "columns of the box (default 1 30)", opt_box_minmax),
		OPT_CALLBACK(0, "region_box_min_max_height", a, "MIN MAX",
			     "rows of the box (default 1 5)", opt_box_minmax),
		OPT_CALLBACK(0, "region_box_colorset", &f->box.colorset, "gray|flame|emotion",
			     "colours of the box (default gray)", opt_colorset),
		OPT_CALLBACK(0, "region_box_scales", a, "L C H",
			     "linear or log scale of the length, colour and height (default log "
			     "linear log)", opt_box_three),
		OPT_CALLBACK(0, "region_box_align", a, "left|right",
			     "where the box is aligned (default left)", opt_box_align),
		OPT_BOOL(0, "total_sz_only", &a->total_sz_only,
			 "print only each snapshot's total size"),
		OPT_BOOL(0, "raw_number", &f->raw_number, "plain numbers"),
		OPT_BOOL(0, "json", &a->json, "print the records as damo's JSON (intervals, "
			 "snapshots, regions), filters applied"),
		OPT_BOOL(0, "raw_form", &a->raw_form, "print damo's raw form: per snapshot its "
			 "times and one line per region"),
		OPT_CALLBACK(0, "sz_region", a, "MIN MAX", "keep regions of this size (bytes, 4K, "
			     "min, max)", opt_filter),
		OPT_CALLBACK(0, "access_rate", a, "MIN MAX",
			     "keep regions of this access rate (percent)", opt_filter),
		OPT_CALLBACK(0, "age", a, "MIN MAX",
			     "keep regions of this age (us, or with a unit: 1s)", opt_filter),
		OPT_CALLBACK(0, "address", a, "START END",
			     "keep these address ranges, regions clipped (repeatable)", opt_filter),
		OPT_CALLBACK(0, "sz_snapshot", a, "MIN MAX",
			     "keep snapshots of this total size (repeatable)", opt_filter),
		OPT_CALLBACK(0, "snapshot_time", a, "START END",
			     "keep snapshots inside this absolute time range (repeatable)",
			     opt_filter),
		OPT_CALLBACK(0, "snapshot_idx", a, "START END",
			     "keep snapshots of these indices, both inclusive (repeatable)",
			     opt_filter),
		OPT_CALLBACK(0, "temperature", a, "MIN MAX",
			     "keep regions of this temperature (repeatable)", opt_filter),
		CMD_OPT_COLOR(&a->color),
		OPT_HELP('h'),
		OPT_VERSION('V'),
		OPT_END(),
	};
	const struct opt_cmd cmd = {
		.name = prog,
		.usage = (const char *const[]){ "[-i FILE]... [options]", NULL },
		.about = "The regions of every snapshot of a record, as damo's 'report access' prints\n"
			 "them: a heatmap of each snapshot, then its regions with their address,\n"
			 "size, access frequency and age.\n",
		.opts = opts,
		.max_operands = 0,
	};
	int unused;

	memset(a, 0, sizeof(*a));
	dt_access_filter_default(&a->filter);
	dt_access_format_default(&a->fmt);
	int status = opt_parse(&cmd, argc, argv, &unused);
	if (status != OPT_RUN)
		return status;
	if (!a->nr_inputs)
		a->inputs[a->nr_inputs++] = DTR_DEFAULT_PATH;
	/* the temperature histogram reads its ranges as plain numbers */
	if (a->style && !strcmp(a->style, "temperature-sz-hist")) {
		for (size_t i = 0; i < a->fmt.nr_hist_ranges; i++) {
			if (isnan(a->hist_nr[i][0]) || isnan(a->hist_nr[i][1])) {
				return cli_usage_error(prog, "--hist_ranges: temperatures are "
						       "plain numbers");
			}
			memcpy(a->fmt.hist_ranges[i], a->hist_nr[i], sizeof(a->hist_nr[i]));
		}
	}
	return OPT_RUN;
}

/* ---------------------------------------------------------------- run */

static int read_input(const char *path, struct dt_access_records *r, char *err, size_t errlen)
{
	struct dt_input *in;
	struct dtr_item item;
	int ret = dt_input_open(&in, path, NULL, err, errlen);

	if (ret)
		return ret;
	while ((ret = dt_input_next(in, &item, err, errlen)) == 1)
		if ((ret = dt_access_records_add(r, &item, err, errlen)))
			break;
	dt_input_close(in);
	dt_access_records_finish(r);
	return ret < 0 ? ret : 0;
}

/* Every input's records, one after the other (damo's record list). */
static int read_all(const struct args *a, struct dt_access_records *all, char *err,
		    size_t errlen)
{
	for (size_t i = 0; i < a->nr_inputs; i++) {
		struct dt_access_records r = { 0 };
		int ret = read_input(a->inputs[i], &r, err, errlen);
		/* damo's json and raw forms print records without intervals */
		if (!ret && !a->json && !a->raw_form && !dt_access_records_have_intervals(&r)) {
			snprintf(err, errlen, "%s: some records lack the intervals information",
				 a->inputs[i]);
			ret = -EINVAL;
		}
		if (!ret && !i) {
			*all = r;
			continue;
		}
		if (!ret && DT_GROW(all->v, all->cap, all->nr + r.nr))
			ret = -ENOMEM;
		if (ret) {
			dt_access_records_free(&r);
			return ret;
		}
		memcpy(all->v + all->nr, r.v, r.nr * sizeof(*all->v));
		all->nr += r.nr;
		all->no_indices |= r.no_indices;
		free(r.v);
		r.v = NULL;
		r.nr = 0;
		dt_access_records_free(&r);
	}
	return 0;
}

static int apply_formats(struct args *a, const struct dt_access_records *r)
{
	int ret = 0;

	for (size_t i = 0; i < a->nr_formats && !ret; i++)
		if (!a->formats[i].append)
			ret = dt_access_format_set(&a->fmt, r, a->formats[i].area, a->formats[i].text, 0);
	if (!ret && a->style)
		ret = dt_access_format_style(&a->fmt, r, a->style);
	if (!ret && a->total_sz_only)
		ret = dt_access_format_total_sz_only(&a->fmt);
	if (!ret)
		ret = dt_access_format_defaults_for(&a->fmt, r);
	for (size_t i = 0; i < a->nr_formats && !ret; i++)
		if (a->formats[i].append)
			ret = dt_access_format_set(&a->fmt, r, a->formats[i].area, a->formats[i].text, 1);
	return ret;
}

static void put_stdout(void *o, const char *p, size_t n)
{
	fwrite(p, 1, n, o);
}

/* --json and --raw_form: the filtered records as damo dumps them. */
static int dump(struct args *a, struct dt_access_records *r, char *err, size_t errlen)
{
	int ret = dt_access_filter_apply(r, &a->filter);

	if (ret)
		snprintf(err, errlen, "out of memory");
	else if (a->json)
		dt_access_json(r, a->fmt.raw_number, put_stdout, stdout);
	else
		dt_access_raw_form(r, a->fmt.raw_number, put_stdout, stdout);
	if (!ret && a->json)
		putchar('\n'); /* the raw form ends with its own newline */
	dt_access_records_free(r);
	dt_access_format_free(&a->fmt);
	return ret;
}

static int run(struct args *a, char *err, size_t errlen)
{
	struct dt_access_records r = { 0 };
	char *text = NULL;
	size_t len = 0;
	int ret = read_all(a, &r, err, errlen);

	if (!ret && (a->json || a->raw_form))
		return dump(a, &r, err, errlen);
	if (!ret && (ret = dt_access_filter_apply(&r, &a->filter)))
		snprintf(err, errlen, "out of memory");
	if (!ret && (ret = apply_formats(a, &r)))
		snprintf(err, errlen, "out of memory");
	a->fmt.color = cmd_color_on(a->color);
	if (!ret && (ret = dt_access_report(&r, &a->fmt, &text, &len)))
		snprintf(err, errlen, "out of memory");
	if (!ret) {
		fwrite(text, 1, len, stdout);
		putchar('\n');
	}
	free(text);
	dt_access_records_free(&r);
	dt_access_format_free(&a->fmt);
	return ret;
}

int main(int argc, char **argv)
{
	struct args a;
	char err[CLI_ERRLEN] = "";
	int ret;

	cli_init(prog);
	ret = parse_args(argc, argv, &a);
	if (ret != OPT_RUN)
		return ret;
	ret = run(&a, err, sizeof(err));
	/* Output that could not be written leaves stdout's error set: that
	 * one is reported with its cause. */
	return cli_exit(prog, ret, err);
}
