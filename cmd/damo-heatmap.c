// SPDX-License-Identifier: GPL-2.0-only
/* damo-heatmap: when which address ranges were how often accessed, with
 * damo's `report heatmap` grid, guide and texts, and cairo images. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "errmsg.h"
#include "heat_job.h"
#include "heat_opts.h"
#include "heat_plot.h"
#include "options.h"
#include "plot.h"
#include "shared_opts.h"
#include "units.h"

static const char *prog = "damo-heatmap";

enum draw_range { DRAW_DEFAULT, DRAW_HOTTEST, DRAW_ALL, DRAW_MAPPED, DRAW_WORKED };
enum out_kind { OUT_STDOUT, OUT_RAW, OUT_IMAGE };

_Static_assert(CMD_MAX_ADDRESS_RANGES <= DT_HEAT_JOB_MAX_RANGES,
	       "every --address_range has its grid");

#define MAX_INPUTS 16

struct args {
	const char *inputs[MAX_INPUTS];
	size_t nr_inputs;
	const char *input, *output;  /* input: the one read for the drawing */
	enum out_kind out;
	int guide, guide_human, abs_time, abs_addr, skip_colorset, pixels;
	int df_passed, sort_temperature;
	double temperature_weights[2]; /* access rate, age */
	uint64_t resol[2];    /* time, address cells; 0: by the output */
	struct cmd_ranges ranges;
	enum draw_range draw;
	int has_tid, has_kdamond, has_context;
	uint64_t tid;
	uint32_t kdamond_idx, context_idx;
	const char *colorset;
	int color;            /* enum cmd_color */
	enum dt_colormap cmap;
	enum dt_color_scale scale;
};

/* Whether a word after -i FILE is another input, as damo's -i takes
 * several: an existing file that is not an OUT (stdout, raw, an image). */
static int another_input(const char *w)
{
	const char *dot = w ? strrchr(w, '.') : NULL;
	struct stat st;

	if (!w || w[0] == '-' || !strcmp(w, "stdout") || !strcmp(w, "raw"))
		return 0;
	if (dot && (!strcmp(dot, ".png") || !strcmp(dot, ".pdf") || !strcmp(dot, ".svg")))
		return 0;
	return !stat(w, &st) && S_ISREG(st.st_mode);
}

/* -i FILE [FILE...]: a later -i replaces the list, as damo's does. */
static int opt_input(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct args *a = o->value;

	a->nr_inputs = 0;
	for (const char *w = arg; w; w = another_input(opt_peek_arg(p)) ? opt_next_arg(p) : NULL) {
		if (a->nr_inputs == MAX_INPUTS)
			return opt_fail(p, "-i: at most %d inputs", MAX_INPUTS);
		a->inputs[a->nr_inputs++] = w;
	}
	a->input = a->inputs[0];
	return 0;
}

static int opt_tid(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct args *a = o->value;

	if (dt_parse_u64(arg, &a->tid))
		return opt_fail(p, "--tid: not a target id: '%s'", arg);
	a->has_tid = 1;
	return 0;
}

/* --kdamond_idx, --context_idx */
static int opt_index(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct args *a = o->value;
	uint64_t v;
	int kd = o->long_name[0] == 'k';

	if (dt_parse_u64(arg, &v) || v > UINT32_MAX)
		return opt_fail(p, "%s: not an index: '%s'", p->name, arg);
	*(kd ? &a->kdamond_idx : &a->context_idx) = (uint32_t)v;
	*(kd ? &a->has_kdamond : &a->has_context) = 1;
	return 0;
}

static int opt_weights(const struct opt *o, const char *arg, struct opt_parser *p)
{
	double *w = o->value;
	const char *second;
	char *e1, *e2;

	if (cmd_second_value(p, &second))
		return -1;
	w[0] = strtod(arg, &e1);
	w[1] = strtod(second, &e2);
	if (e1 == arg || *e1 || e2 == second || *e2 || !isfinite(w[0]) || !isfinite(w[1]))
		return opt_fail(p, "--temperature_weights: two numbers (access rate, age), not "
				"'%s %s'", arg, second);
	return 0;
}

static int opt_colorset(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (!dt_heat_colorset_valid(arg))
		return opt_fail(p, "--stdout_colorset: gray, flame or emotion, not '%s'", arg);
	*(const char **)o->value = arg;
	return 0;
}

/* What OUT asks for, and whether the options go with it. */
static int check_output(struct args *a)
{
	enum dt_plot_format f;
	char err[CLI_ERRLEN];

	if (!strcmp(a->output, "stdout")) {
		a->out = OUT_STDOUT;
	} else if (!strcmp(a->output, "raw")) {
		a->out = OUT_RAW;
	} else {
		a->out = OUT_IMAGE;
		if (dt_plot_format_of(a->output, &f, err, sizeof(err)))
			return cli_usage_error(prog, "%s", err);
		if (a->pixels && f != DT_PLOT_PNG)
			return cli_usage_error(prog, "--pixels writes a PNG: name the output FILE.png");
	}
	if (a->pixels && a->out != OUT_IMAGE)
		return cli_usage_error(prog, "--pixels needs an image OUT (FILE.png)");
	if (a->draw == DRAW_DEFAULT) /* damo's choice where the output is damo's */
		a->draw = a->out == OUT_IMAGE ? DRAW_WORKED : DRAW_HOTTEST;
	if (!a->resol[0]) {
		a->resol[0] = a->out == OUT_STDOUT ? 40 : 500;
		a->resol[1] = a->out == OUT_STDOUT ? 80 : 500;
	}
	return OPT_RUN;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	const struct opt opts[] = {
		OPT_CALLBACK('i', "input", a, "FILE...",
			     "records to read (default damon.dtr; any input format): the files "
			     "that follow and exist are read too, as damo reads them",
			     opt_input),
		OPT_STRING('o', "output", &a->output, "OUT", "where to draw (see above)"),
		OPT_ALIAS("heatmap"),
		OPT_BOOL(0, "guide", &a->guide, "print damo's guide: target, time span, areas"),
		OPT_BOOL(0, "guide_human", &a->guide_human,
			 "print the guide with human-readable times and sizes"),
		CMD_OPT_TWO_COUNTS("resol", a->resol, "T A", 1, 100000,
				   "cells on the time and address axes (default 40 80 on the "
				   "terminal, 500 500 otherwise)"),
		CMD_OPT_TIME_RANGE(&a->ranges,
				   "time range: absolute times (ns, or 10s, 1.5m, \"4 s 500 ms\"), "
				   "or offsets from BASE: guided (the guide's start), guided_end, "
				   "or a time (default: the guide's)"),
		CMD_OPT_ADDRESS_RANGE(&a->ranges,
				      "address range (4M, 1.5GiB, 127.26T, min, max, hex), or "
				      "offsets from BASE: guided (the guide's area of the same "
				      "index) or an address; repeatable: one heatmap each "
				      "(default: by --draw_range)"),
		OPT_CHOICE(0, "draw_range", &a->draw, NULL, NULL,
			   "the hottest area (default of the terminal and raw outputs), every area "
			   "(one output each), every area in one picture with the unmapped gaps "
			   "collapsed, or the memory the program worked on, the rest collapsed "
			   "(default of images)",
			   { "hottest", DRAW_HOTTEST }, { "all", DRAW_ALL }, { "mapped", DRAW_MAPPED },
			   { "worked", DRAW_WORKED }),
		OPT_CALLBACK(0, "kdamond_idx", a, "N",
			     "the records of this kdamond (default: the guide's first)", opt_index),
		OPT_CALLBACK(0, "context_idx", a, "N",
			     "the records of this context (default: the guide's first)", opt_index),
		OPT_CALLBACK(0, "tid", a, "ID",
			     "the DAMON target with this id (default: the guide's first)", opt_tid),
		OPT_ALIAS("target_id"),
		OPT_BOOL(0, "abs_time", &a->abs_time, "raw output: absolute times"),
		OPT_BOOL(0, "abs_addr", &a->abs_addr, "raw output: absolute addresses"),
		OPT_BOOL(0, "df_passed", &a->df_passed,
			 "heat of the DAMOS filter-passed part of each region only (none "
			 "recorded: every heat 0)"),
		OPT_BOOL(0, "sort_temperature", &a->sort_temperature,
			 "per snapshot, lay the regions out by temperature from the range start"),
		OPT_CALLBACK(0, "temperature_weights", a->temperature_weights, "FREQ AGE",
			     "weights of access rate and age in the temperature (default 1.0 1.0)",
			     opt_weights),
		OPT_CALLBACK(0, "stdout_colorset", &a->colorset, "gray|flame|emotion",
			     "terminal colours (default gray)", opt_colorset),
		OPT_BOOL(0, "stdout_skip_colorset_example", &a->skip_colorset,
			 "no colour legend line on the terminal"),
		CMD_OPT_COLOR(&a->color),
		CMD_OPTS_HEAT_COLOURS(&a->cmap, &a->scale, "image"),
		OPT_BOOL(0, "pixels", &a->pixels, "a PNG with one pixel per cell, no decoration"),
		OPT_HELP('h'),
		OPT_VERSION('V'),
		OPT_END(),
	};
	const struct opt_cmd cmd = {
		.name = prog,
		.usage = (const char *const[]){ "[-i FILE] [options] [OUT]", NULL },
		.about = "Access heatmap of a record: time x address, coloured by access frequency.\n"
			 "\n"
			 "OUT (or -o/--output OUT, --heatmap OUT): 'stdout' (default: a heatmap in the\n"
			 "terminal, as damo prints it), 'raw' (damo's 'time addr heat' lines), or an\n"
			 "image file: .png, .pdf, .svg.\n",
		.opts = opts,
		.max_operands = 1,
	};
	int i;

	*a = (struct args){ .inputs = { DTR_DEFAULT_PATH }, .nr_inputs = 1,
			    .input = DTR_DEFAULT_PATH, .output = "stdout", .colorset = "gray",
			    .temperature_weights = { 1.0, 1.0 } };
	int status = opt_parse(&cmd, argc, argv, &i);
	if (status != OPT_RUN)
		return status;
	if (i < argc)
		a->output = argv[i];
	return check_output(a);
}

/* ------------------------------------------------------------ passes */

struct progress_ctx {
	struct cli_progress p;
	const char *input;
};

static void on_progress(void *ctx, int pass, uint64_t snapshots)
{
	struct progress_ctx *pc = ctx;

	if (cli_progress_due(&pc->p))
		cli_progress_draw(&pc->p, "%s: pass %d: %" PRIu64 " snapshots", pc->input, pass,
				  snapshots);
}

/* The library's options from the command line's. */
static void job_opts(const struct args *a, struct dt_heat_job_opts *o, struct progress_ctx *pc)
{
	static const enum dt_heat_draw draw[] = {
		[DRAW_HOTTEST] = DT_HEAT_DRAW_HOTTEST, [DRAW_ALL] = DT_HEAT_DRAW_ALL,
		[DRAW_MAPPED] = DT_HEAT_DRAW_MAPPED, [DRAW_WORKED] = DT_HEAT_DRAW_WORKED,
	};

	*o = (struct dt_heat_job_opts){
		.input = a->input,
		.guide_only = a->guide || a->guide_human,
		.t_resol = (size_t)a->resol[0],
		.a_resol = (size_t)a->resol[1],
		.time = a->ranges.has_time ? &a->ranges.time : NULL,
		.addr = a->ranges.addr,
		.nr_addr = a->ranges.nr_addr,
		.draw = draw[a->draw],
		.has_tid = a->has_tid,
		.has_kdamond = a->has_kdamond,
		.has_context = a->has_context,
		.tid = a->tid,
		.kdamond_idx = a->kdamond_idx,
		.context_idx = a->context_idx,
		.df_passed = a->df_passed,
		.sort_temperature = a->sort_temperature,
		.temperature_weights = { a->temperature_weights[0], a->temperature_weights[1] },
		.progress = on_progress,
		.progress_ctx = pc,
	};
}

/* ------------------------------------------------------------ output */

static void output_name(char *buf, size_t len, const char *out, size_t idx)
{
	const char *dot = strrchr(out, '.');

	if (!idx || !dot) {
		snprintf(buf, len, "%s", out);
		return;
	}
	snprintf(buf, len, "%.*s.%zu%s", (int)(dot - out), out, idx, dot);
}

/* Each grid as raw lines, on the terminal or as an image. */
static int write_grids(const struct args *a, const struct dt_heat_job *j, char *err,
		       size_t errlen)
{
	const struct dt_heat_plot_opts po = { .abs_time = a->abs_time, .pixels = a->pixels,
					      .cmap = a->cmap, .scale = a->scale };
	int ret = 0;

	for (size_t i = 0; i < j->nr_grids && !ret; i++) {
		const struct dt_heat_grid *g = &j->grids[i];
		if (a->out == OUT_RAW) {
			ret = dt_heat_grid_print_raw(stdout, g, a->abs_time, a->abs_addr);
		} else if (a->out == OUT_STDOUT) {
			ret = dt_heat_grid_print_ascii(stdout, g, a->colorset, !a->skip_colorset,
						       cmd_color_on(a->color));
			if (ret == 1) {
				fprintf(stderr, "%s: no access recorded in the range\n", prog);
				ret = 0;
			}
		} else {
			char path[4096];
			output_name(path, sizeof(path), a->output, i);
			if (cli_check_output(prog, path, a->inputs, a->nr_inputs))
				return -EEXIST; /* said */
			ret = dt_heat_plot_write(j, i, path, &po, err, errlen);
		}
		if (ret == -EIO && !*err)
			snprintf(err, errlen, "writing the output failed");
	}
	return ret;
}

/* damo refuses records of several files when some have intervals and
 * others not. */
static int mixed_intervals(const struct dt_heat_job *jobs, size_t n)
{
	int with = 0, without = 0;

	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < jobs[k].guides.nr; i++) {
			const struct dt_target_info *t = &jobs[k].guides.v[i].target;
			with |= t->aggr_us && t->sample_us;
			without |= !t->aggr_us || !t->sample_us;
		}
	return with && without;
}

/* damo's complete_src_args() over the guides of every input: the target
 * defaults to the first guide's; the first guide matching is used. */
static const struct dt_heat_guide_ref *pick_guide(const struct args *a,
						  const struct dt_heat_guide_ref *g, size_t nr)
{
	if (!nr)
		return NULL;
	const struct dt_target_info *first = &g[0].gd->target;
	uint32_t kd = a->has_kdamond ? a->kdamond_idx : first->kdamond;
	uint32_t ctx = a->has_context ? a->context_idx : first->context;
	uint64_t tid = a->has_tid ? a->tid : first->id;

	for (size_t i = 0; i < nr; i++) {
		const struct dt_target_info *t = &g[i].gd->target;
		if (t->kdamond == kd && t->context == ctx && t->id == tid)
			return &g[i];
	}
	return NULL;
}

/* The guides of the jobs: --guide's text, or the input of the target
 * drawn and that target named in *one (its own job then finds it
 * again).  0, 1 when the guides were printed, or a negative errno. */
static int choose_input(const struct args *a, struct dt_heat_job *jobs, size_t n,
			struct args *one, char *err, size_t errlen)
{
	const struct dt_heat_guides *gs[MAX_INPUTS];
	struct dt_heat_guide_ref *refs;
	size_t nr;

	if (mixed_intervals(jobs, n))
		return dt_fail(err, errlen, -EINVAL, "some records have intervals while some not");
	for (size_t k = 0; k < n; k++)
		gs[k] = &jobs[k].guides;
	if (a->guide || a->guide_human) {
		int ret = dt_heat_guides_print_many(stdout, gs, n, a->guide_human);
		return ret ? ret : 1;
	}
	if (dt_heat_guides_merge(gs, n, &refs, &nr))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	const struct dt_heat_guide_ref *pick = pick_guide(a, refs, nr);
	if (pick) {
		*one = *a;
		one->input = a->inputs[pick->input];
		one->has_kdamond = one->has_context = one->has_tid = 1;
		one->kdamond_idx = pick->gd->target.kdamond;
		one->context_idx = pick->gd->target.context;
		one->tid = pick->gd->target.id;
	}
	free(refs);
	if (pick)
		return 0;
	if (!nr)
		return dt_fail(err, errlen, -ENOENT, "%s: no snapshots", a->input);
	if (a->has_tid && !a->has_kdamond && !a->has_context)
		return dt_fail(err, errlen, -ENOENT, "%s: no target with id %" PRIu64, a->input,
			       a->tid);
	return dt_fail(err, errlen, -ENOENT, "%s: no target of kdamond %s, context %s, id %s",
		       a->input, a->has_kdamond ? "as given" : "0",
		       a->has_context ? "as given" : "0", a->has_tid ? "as given" : "the first");
}

/* Several inputs (damo's -i A B): the guide of each, then the target
 * drawn from the first input holding it.  0, 1 when the guides were
 * printed, or a negative errno. */
static int several_inputs(const struct args *a, struct args *one, struct progress_ctx *pc,
			  char *err, size_t errlen)
{
	struct dt_heat_job jobs[MAX_INPUTS];
	size_t n = 0;
	int ret = 0;

	for (; n < a->nr_inputs && !ret; n++) {
		struct dt_heat_job_opts o;
		job_opts(a, &o, pc);
		o.input = pc->input = a->inputs[n];
		o.guide_only = 1;
		ret = dt_heat_job_run(&jobs[n], &o, err, errlen);
	}
	if (!ret)
		ret = choose_input(a, jobs, n, one, err, errlen);
	for (size_t k = 0; k < n; k++)
		dt_heat_job_free(&jobs[k]);
	return ret;
}

static int run(const struct args *a, char *err, size_t errlen)
{
	struct progress_ctx pc = { .input = a->input };
	struct dt_heat_job_opts o;
	struct dt_heat_job j;
	struct args one;

	cli_progress_init(&pc.p);
	if (a->nr_inputs > 1) {
		int ret = several_inputs(a, &one, &pc, err, errlen);
		if (ret) {
			cli_progress_done(&pc.p);
			return ret < 0 ? ret : 0;
		}
		a = &one;
		pc.input = a->input;
	}
	job_opts(a, &o, &pc);
	int ret = dt_heat_job_run(&j, &o, err, errlen);
	cli_progress_done(&pc.p);
	if (!ret && o.guide_only)
		ret = dt_heat_guides_print(stdout, &j.guides, a->guide_human);
	else if (!ret)
		ret = write_grids(a, &j, err, errlen);
	dt_heat_job_free(&j);
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
	if (a.out == OUT_IMAGE && cli_check_output(prog, a.output, a.inputs, a.nr_inputs))
		return CLI_EXIT_FAILURE;
	ret = run(&a, err, sizeof(err));
	/* Output that could not be written leaves stdout's error set: that
	 * one is reported with its cause. */
	if (ret == -EEXIST) /* reported already (output.h) */
		return CLI_EXIT_FAILURE;
	return cli_exit(prog, ret, err);
}
