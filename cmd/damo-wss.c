// SPDX-License-Identifier: GPL-2.0-only
/* damo-wss: working set size distribution, time series and plots, with
 * damo's `report wss` semantics and text. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "grow.h"
#include "input.h"
#include "options.h"
#include "footprint.h"
#include "origin.h"
#include "plot.h"
#include "report.h"
#include "shared_opts.h"
#include "units.h"
#include "wss.h"

static const char *prog = "damo-wss";

struct args {
	const char *input;
	struct dt_pct_range range;
	struct dt_wss_opts wss;
	int sort_by_time, raw, all, per_target, csv;
	long nr_cols_bar;
	const char *plot;
	uint64_t origin_ns; /* the record's time zero (origin.h), set when read */
};

static int opt_acc_thres(const struct opt *o, const char *arg, struct opt_parser *p)
{
	char *end;

	errno = 0;
	long long x = strtoll(arg, &end, 10);
	if (errno || end == arg || *end)
		return opt_fail(p, "--acc_thres: not an integer: '%s'", arg);
	*(int64_t *)o->value = x;
	return 0;
}

static int opt_sz_thres(const struct opt *o, const char *arg, struct opt_parser *p)
{
	uint64_t u;

	if (dt_parse_size(arg, &u) || u > INT64_MAX)
		return opt_fail(p, "--sz_thres: not a size: '%s'", arg);
	*(int64_t *)o->value = (int64_t)u;
	return 0;
}

static int opt_work_time(const struct opt *o, const char *arg, struct opt_parser *p)
{
	uint64_t u;

	if (dt_parse_duration_us(arg, &u) || u > INT64_MAX / 1000)
		return opt_fail(p, "--work_time: not a duration: '%s'", arg);
	*(int64_t *)o->value = (int64_t)u;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	const struct opt opts[] = {
		OPT_STRING('i', "input", &a->input, "FILE",
			   "record to read (default damon.dtr; .dtr, damo json, json_compressed, "
			   "legacy binary, perf script text)"),
		CMD_OPT_PCT_RANGE(&a->range, "percentiles to print (default 0 101 25)"),
		OPT_UINT(0, "exclude_samples", &a->wss.exclude_samples, "N", 0, UINT64_MAX,
			 "--exclude_samples: not a count: '%s'",
			 "drop the first N snapshots of each target (default 20)"),
		OPT_CALLBACK('t', "acc_thres", &a->wss.acc_thres, "N",
			     "minimum nr_accesses of a working set region (default 1)", opt_acc_thres),
		OPT_CALLBACK(0, "sz_thres", &a->wss.sz_thres, "SIZE",
			     "minimum size of a working set region (default 1)", opt_sz_thres),
		OPT_CALLBACK(0, "work_time", &a->wss.work_time_us, "TIME",
			     "merge snapshots into units of this time (microseconds, or with a "
			     "unit: 1s, 100ms; default 1)", opt_work_time),
		OPT_CHOICE('s', "sortby", &a->sort_by_time, NULL, "--sortby: 'size' or 'time', not '%s'",
			   "sort the sizes (default), or keep them in time order",
			   { "size", 0 }, { "time", 1 }),
		OPT_BOOL(0, "raw_number", &a->raw, "print plain byte counts"),
		OPT_BOOL(0, "all_wss", &a->all, "print every size, not percentiles"),
		OPT_UINT(0, "nr_cols_bar", &a->nr_cols_bar, "N", 0, 10000,
			 "--nr_cols_bar: not a width: '%s'", "width of the bars (default 59; 0: none)"),
		OPT_BOOL(0, "per_target", &a->per_target, "one report per monitoring target"),
		OPT_SET_INT(0, "collapse_targets", &a->per_target, 0,
			    "sum the targets into one (the default)"),
		OPT_BOOL(0, "csv", &a->csv,
			 "print the time series as CSV: target_id, start and end (s from the "
			 "record's start), wss_bytes"),
		OPT_STRING('p', "plot", &a->plot, "FILE",
			   "draw into FILE (.png, .pdf, .svg): the WSS over time with --sortby time, "
			   "else the percentile curve"),
		OPT_HELP('h'),
		OPT_VERSION('V'),
		OPT_END(),
	};
	const struct opt_cmd cmd = {
		.name = prog,
		.usage = (const char *const[]){ "[-i FILE] [options]", NULL },
		.about = "Working set size of a record: damo's percentiles, a time series, plots.\n",
		.opts = opts,
	};
	char err[CLI_ERRLEN];
	enum dt_plot_format f;
	int i;

	*a = (struct args){ .input = DTR_DEFAULT_PATH, .range = DT_PCT_RANGE_DEFAULT,
			    .wss = DT_WSS_OPTS_DEFAULT, .nr_cols_bar = 59 };
	int status = opt_parse(&cmd, argc, argv, &i);
	if (status != OPT_RUN)
		return status;
	if (a->plot && dt_plot_format_of(a->plot, &f, err, sizeof(err)))
		return cli_usage_error(prog, "--plot: %s", err);
	return OPT_RUN;
}

static void target_label(char *buf, size_t len, const struct dt_target_info *t)
{
	snprintf(buf, len, "%" PRIu64, t->id);
}

static void target_title(char *buf, size_t len, const struct dt_wss *w, int per_target)
{
	size_t n = dt_wss_nr_targets(w);

	if (n == 1) {
		const struct dt_target_info *t = dt_wss_target(w, 0);
		if (t->pid >= 0)
			snprintf(buf, len, "target %" PRIu64 " (pid %" PRId64 ")", t->id, t->pid);
		else
			snprintf(buf, len, "target %" PRIu64, t->id);
	} else if (n > 1 && !per_target) {
		snprintf(buf, len, "%zu targets, summed", n);
	} else if (n > 1) {
		snprintf(buf, len, "%zu targets", n);
	} else {
		snprintf(buf, len, "no target");
	}
}

/* Times from the record's time zero, which snapshots dropped by
 * --exclude_samples do not move. */
static int print_csv(const struct dt_wss *w, uint64_t t0)
{
	printf("target_id,start_s,end_s,wss_bytes\n");
	for (size_t i = 0; i < dt_wss_nr_targets(w); i++) {
		const struct dt_wss_series *s = dt_wss_series(w, i);
		for (size_t k = 0; k < s->nr; k++)
			printf("%" PRIu64 ",%.9f,%.9f,%" PRIu64 "\n", dt_wss_target(w, i)->id,
			       (double)(int64_t)(s->v[k].start_ns - t0) / 1e9,
			       (double)(int64_t)(s->v[k].end_ns - t0) / 1e9, s->v[k].wss);
	}
	return ferror(stdout) ? -EIO : 0;
}

/* The series to draw: one per target with --per_target, else the sum. */
struct curve {
	char label[64];
	size_t n;
	double *x, *y;
	struct dt_rgb color;
};

static int make_curves(const struct dt_wss *w, const struct args *a, struct curve **out,
		       size_t *nr_out)
{
	size_t n = a->per_target ? dt_wss_nr_targets(w) : 1;
	struct curve *c = calloc(n ? n : 1, sizeof(*c));
	uint64_t t0 = a->origin_ns;

	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct dt_wss_series collapsed = { 0 };
		const struct dt_wss_series *s;
		if (a->per_target) {
			s = dt_wss_series(w, i);
			snprintf(c[i].label, sizeof(c[i].label), "target %" PRIu64,
				 dt_wss_target(w, i)->id);
		} else {
			if (dt_wss_collapsed(w, !a->sort_by_time, &collapsed))
				goto nomem;
			s = &collapsed;
			snprintf(c[i].label, sizeof(c[i].label), "wss");
		}
		size_t m = 0;
		if (a->sort_by_time) {
			m = s->nr;
		} else {
			for (int64_t p = a->range.start;
			     a->range.step > 0 ? p < a->range.stop : p > a->range.stop; p += a->range.step)
				m++;
			if (!s->nr)
				m = 0;
		}
		c[i].x = malloc((m ? m : 1) * sizeof(double));
		c[i].y = malloc((m ? m : 1) * sizeof(double));
		uint64_t *vals = dt_wss_values(s, a->sort_by_time);
		if (!c[i].x || !c[i].y || !vals) {
			free(vals);
			free(collapsed.v);
			goto nomem;
		}
		if (a->sort_by_time) {
			for (size_t k = 0; k < m; k++) {
				c[i].x[k] = (double)(int64_t)(s->v[k].end_ns - t0) / 1e9;
				c[i].y[k] = (double)vals[k];
			}
		} else {
			size_t k = 0;
			for (int64_t p = a->range.start;
			     k < m && (a->range.step > 0 ? p < a->range.stop : p > a->range.stop);
			     p += a->range.step, k++) {
				c[i].x[k] = (double)p;
				c[i].y[k] = (double)vals[dt_percentile_index(p, s->nr)];
			}
		}
		c[i].n = m;
		c[i].color = dt_palette(i);
		free(vals);
		free(collapsed.v);
	}
	*out = c;
	*nr_out = n;
	return 0;
nomem:
	for (size_t i = 0; i < n; i++) {
		free(c[i].x);
		free(c[i].y);
	}
	free(c);
	return -ENOMEM;
}

/* One curve of an RSS series, times from t0 in seconds. */
static int rss_curve(struct curve *c, const struct dt_rss_series *s, uint64_t t0,
		     const char *label, struct dt_rgb color)
{
	c->x = malloc((s->nr ? s->nr : 1) * sizeof(double));
	c->y = malloc((s->nr ? s->nr : 1) * sizeof(double));
	if (!c->x || !c->y)
		return -ENOMEM;
	for (size_t k = 0; k < s->nr; k++) {
		c->x[k] = (double)(int64_t)(s->v[k].time_ns - t0) / 1e9;
		c->y[k] = (double)s->v[k].rss;
	}
	c->n = s->nr;
	c->color = color;
	snprintf(c->label, sizeof(c->label), "%s", label);
	return 0;
}

/* With --sortby time and footprints in the record: the RSS of each target
 * (--per_target) or of all of them after the WSS curves, which are then
 * labelled WSS.  0 or -ENOMEM. */
static int add_rss_curves(const struct dt_wss *w, const struct dt_rss *rss, const struct args *a,
			  struct curve **c, size_t *n)
{
	size_t nw = *n, want = a->per_target ? nw : 1, k = nw;
	char label[64];

	if (!a->sort_by_time || !rss->nr)
		return 0;
	size_t cap = nw; /* the nw curves are allocated, maybe more */
	if (DT_GROW(*c, cap, nw + want))
		return -ENOMEM;
	struct curve *v = *c;
	memset(v + nw, 0, want * sizeof(*v));
	for (size_t i = 0; i < want; i++) {
		const struct dt_target_info *t = dt_wss_target(w, i);
		const struct dt_rss_series *s = a->per_target ?
			dt_rss_find(rss, t->kdamond, t->context, t->target) : &rss->total;
		if (a->per_target)
			snprintf(v[i].label, sizeof(v[i].label), "target %" PRIu64 " WSS", t->id);
		else
			snprintf(v[i].label, sizeof(v[i].label), "WSS (accessed)");
		if (!s)
			continue;
		if (a->per_target)
			snprintf(label, sizeof(label), "target %" PRIu64 " RSS", t->id);
		else
			snprintf(label, sizeof(label), "RSS (resident; above WSS: cold)");
		*n = k + 1;
		if (rss_curve(&v[k++], s, a->origin_ns, label, dt_palette(nw + i)))
			return -ENOMEM;
	}
	*n = k;
	return 0;
}

/* The largest X (time; 100 for percentiles) and Y of the curves. */
static void curves_extent(const struct curve *c, size_t n, int sort_by_time, double *xmax,
			  double *ymax)
{
	*xmax = sort_by_time ? 0 : 100;
	*ymax = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < c[i].n; k++) {
			if (sort_by_time && c[i].x[k] > *xmax)
				*xmax = c[i].x[k];
			if (c[i].y[k] > *ymax)
				*ymax = c[i].y[k];
		}
}

/* One panel of every curve into a->plot. */
static int draw_curves(const struct curve *c, size_t n, int has_rss, const struct args *a,
		       const char *title, char *err, size_t errlen)
{
	struct dt_figure *f;
	double xmax, ymax;
	int ret = dt_figure_new(&f, a->plot, 720, 420, err, errlen);

	if (ret)
		return ret;
	curves_extent(c, n, a->sort_by_time, &xmax, &ymax);
	dt_figure_set_title(f, title);
	struct dt_panel *p = dt_figure_add_panel(f, 1);
	if (!p)
		goto nomem;
	dt_panel_set_axis(p, DT_AXIS_X, 0, xmax > 0 ? xmax : 1, a->sort_by_time ? DT_AXIS_SECONDS : DT_AXIS_PERCENT,
			  a->sort_by_time ? "time since the record's start" : "percentile");
	dt_panel_set_axis(p, DT_AXIS_Y, 0, ymax > 0 ? ymax * 1.08 : 4096, DT_AXIS_BYTES,
			  has_rss ? "working set size and RSS" : "working set size");
	dt_panel_set_markers(p, !a->sort_by_time);
	for (size_t i = 0; i < n; i++)
		if (dt_panel_line(p, c[i].x, c[i].y, c[i].n, c[i].color, n > 1 ? c[i].label : NULL))
			goto nomem;
	return dt_figure_finish(f, err, errlen);
nomem:
	return dt_figure_free_nomem(f, err, errlen);
}

static int draw(const struct dt_wss *w, const struct dt_rss *rss, const struct args *a,
		char *err, size_t errlen)
{
	struct curve *c;
	size_t n, nw;
	char title[160], who[96];
	int ret = make_curves(w, a, &c, &n);

	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	nw = n;
	if ((ret = add_rss_curves(w, rss, a, &c, &n))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	target_title(who, sizeof(who), w, a->per_target);
	snprintf(title, sizeof(title), "%s: %s",
		 !a->sort_by_time ? "Working set size percentiles"
		 : n > nw ? "Working set size and resident set size over time"
			  : "Working set size over time", who);
	ret = draw_curves(c, n, n > nw, a, title, err, errlen);
out:
	for (size_t i = 0; i < n; i++) {
		free(c[i].x);
		free(c[i].y);
	}
	free(c);
	return ret;
}

static int print_report(const struct dt_wss *w, const struct args *a)
{
	struct dt_dist_print_opts po = { "wss", a->range, a->all, a->raw, (int)a->nr_cols_bar };
	char label[32];
	int ret = 0;

	if (!a->per_target) {
		struct dt_wss_series s;
		if (dt_wss_collapsed(w, !a->sort_by_time, &s))
			return -ENOMEM;
		uint64_t *vals = dt_wss_values(&s, a->sort_by_time);
		if (!vals) {
			free(s.v);
			return -ENOMEM;
		}
		ret = dt_wss_print(stdout, "0", vals, s.nr, &po);
		free(vals);
		free(s.v);
		return ret;
	}
	for (size_t i = 0; i < dt_wss_nr_targets(w) && !ret; i++) {
		const struct dt_wss_series *s = dt_wss_series(w, i);
		uint64_t *vals = dt_wss_values(s, a->sort_by_time);
		if (!vals)
			return -ENOMEM;
		target_label(label, sizeof(label), dt_wss_target(w, i));
		ret = dt_wss_print(stdout, label, vals, s->nr, &po);
		free(vals);
	}
	return ret;
}

/* Reads the whole input into a new dt_wss: 0, or -1 with err set. */
static int read_record(struct args *a, struct dt_wss **out, struct dt_rss *rss, char *err,
		       size_t errlen)
{
	struct dt_origin origin;
	struct dt_input *in;
	struct dt_wss *w;
	struct dtr_item item;
	struct cli_progress progress;
	uint64_t nr_snapshots = 0;
	int ret;

	if (dt_input_open(&in, a->input, NULL, err, errlen))
		return -1;
	if (dt_wss_new(&w, &a->wss)) {
		snprintf(err, errlen, "out of memory");
		dt_input_close(in);
		return -1;
	}
	cli_progress_init(&progress);
	dt_origin_init(&origin);
	while ((ret = dt_input_next(in, &item, err, errlen)) == 1) {
		dt_origin_add(&origin, &item);
		if (dt_wss_add(w, &item, err, errlen)) {
			ret = -1;
			break;
		}
		if (dt_rss_add(rss, &item) < 0) {
			snprintf(err, errlen, "out of memory");
			ret = -1;
			break;
		}
		if (item.type == DTR_ITEM_SNAPSHOT && (++nr_snapshots & 1023) == 0 &&
		    cli_progress_due(&progress))
			cli_progress_draw(&progress, "%s: %" PRIu64 " snapshots", a->input, nr_snapshots);
	}
	cli_progress_done(&progress);
	dt_input_close(in);
	if (ret < 0) {
		dt_wss_free(w);
		return -1;
	}
	dt_origin_result(&origin, &a->origin_ns);
	*out = w;
	return 0;
}

/* The CSV, the report or the plot: 0; 1 when the report could not be
 * written (stdout's error is then set, and told on exit); -1 with err set. */
static int write_output(const struct dt_wss *w, const struct dt_rss *rss, const struct args *a,
			char *err, size_t errlen)
{
	int ret = 0;

	if (a->csv)
		ret = print_csv(w, a->origin_ns);
	else if (!a->plot)
		ret = print_report(w, a);
	if (ret == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ret)
		return 1;
	return a->plot && draw(w, rss, a, err, errlen) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct args a;
	char err[CLI_ERRLEN];
	struct dt_wss *w;
	struct dt_rss rss;
	int ret;

	cli_init(prog);
	ret = parse_args(argc, argv, &a);
	if (ret != OPT_RUN)
		return ret;
	if (a.plot && cli_check_output(prog, a.plot, &a.input, 1))
		return CLI_EXIT_FAILURE;
	dt_rss_init(&rss, 1);
	if (read_record(&a, &w, &rss, err, sizeof(err))) {
		dt_rss_free(&rss);
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	ret = write_output(w, &rss, &a, err, sizeof(err));
	dt_rss_free(&rss);
	dt_wss_free(w);
	if (ret == -1) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	/* A report that could not be written (-EIO) left stdout's error set. */
	return cli_flush_stdout(prog) || ret ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
