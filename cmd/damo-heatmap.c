// SPDX-License-Identifier: GPL-2.0-only
/* damo-heatmap: when which address ranges were how often accessed, with
 * damo's `report heatmap` grid, guide and texts, and cairo images. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "errmsg.h"
#include "framing.h"
#include "heat_sort.h"
#include "heat_opts.h"
#include "heatmap.h"
#include "input.h"
#include "options.h"
#include "plot.h"
#include "shared_opts.h"
#include "units.h"

static const char *prog = "damo-heatmap";

enum draw_range { DRAW_DEFAULT, DRAW_HOTTEST, DRAW_ALL, DRAW_MAPPED, DRAW_WORKED };
enum out_kind { OUT_STDOUT, OUT_RAW, OUT_IMAGE };

#define MAX_RANGES CMD_MAX_ADDRESS_RANGES

struct args {
	const char *input, *output;
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
		OPT_STRING('i', "input", &a->input, "FILE",
			   "record to read (default damon.dtr; any input format)"),
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

	*a = (struct args){ .input = DTR_DEFAULT_PATH, .output = "stdout", .colorset = "gray",
			    .temperature_weights = { 1.0, 1.0 } };
	int status = opt_parse(&cmd, argc, argv, &i);
	if (status != OPT_RUN)
		return status;
	if (i < argc)
		a->output = argv[i];
	return check_output(a);
}

/* ------------------------------------------------------------ passes */

struct pass_ctx {
	const struct args *a;
	struct dt_input_spool spool; /* the input, read once even when a stream */
	struct dt_input_opts opts;
	struct cli_progress progress;
	int pass, nr_passes;
};

typedef int (*item_fn)(void *data, const struct dtr_item *item, char *err, size_t errlen);

static int run_pass(struct pass_ctx *pc, item_fn fn, void *data, char *err, size_t errlen)
{
	struct dt_input *in;
	struct dtr_item item;
	uint64_t nr = 0;
	int ret;

	pc->pass++;
	ret = dt_input_open(&in, pc->spool.path, &pc->opts, err, errlen);
	if (ret)
		return ret;
	while ((ret = dt_input_next(in, &item, err, errlen)) == 1) {
		if ((ret = fn(data, &item, err, errlen)) < 0)
			break;
		if (item.type == DTR_ITEM_SNAPSHOT && (++nr & 1023) == 0 &&
		    cli_progress_due(&pc->progress))
			cli_progress_draw(&pc->progress, "%s: pass %d: %" PRIu64 " snapshots",
					  pc->a->input, pc->pass, nr);
	}
	dt_input_close(in);
	return ret < 0 ? ret : 0;
}

struct guide_pass {
	struct dt_heat_guides guides;
	struct dt_maps_copy maps;
	struct dt_framer *framer; /* --draw_range worked */
};

static int guide_item(void *data, const struct dtr_item *item, char *err, size_t errlen)
{
	struct guide_pass *gp = data;

	if (gp->framer && dt_framer_add(gp->framer, item, err, errlen))
		return -ENOMEM;
	if (item->type == DTR_ITEM_MAPS) {
		/* Keep the last maps; the target's pid is known only later, so
		 * a record with several processes keeps the last one's maps. */
		if (dt_maps_copy_note(&gp->maps, &item->u.maps, -1)) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		return 0;
	}
	return dt_heat_guides_add(&gp->guides, item, err, errlen);
}

static int heat_item(void *data, const struct dtr_item *item, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return dt_heat_guides_add_heat(data, item);
}

struct grid_pass {
	size_t nr;
	struct dt_heat_grid *grids;
	/* --sort_temperature: the ranges, weights, intervals and the sorter */
	int sort;
	const uint64_t (*ranges)[2];
	size_t nr_ranges;
	const double *weights;
	struct dt_targets targets;
	struct dt_heat_sorter sorter;
};

/* The snapshot as the grids see it: as read, or sorted by temperature. */
static int grid_view(struct grid_pass *gp, const struct dtr_item *item, struct dtr_item *view)
{
	*view = *item;
	if (!gp->sort)
		return 0;
	if (item->type != DTR_ITEM_SNAPSHOT)
		return dt_targets_note(&gp->targets, item);
	int t = dt_targets_of(&gp->targets, &item->u.snapshot);
	if (t < 0)
		return t;
	const struct dt_target_info *ti = &gp->targets.v[t];
	return dt_heat_sort_temperature(&gp->sorter, &item->u.snapshot, gp->ranges,
					gp->nr_ranges, gp->weights, ti->sample_us, ti->aggr_us,
					&view->u.snapshot);
}

static int grid_item(void *data, const struct dtr_item *item, char *err, size_t errlen)
{
	struct grid_pass *gp = data;
	struct dtr_item view;

	if (grid_view(gp, item, &view)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < gp->nr; i++) {
		if (dt_heat_grid_add(&gp->grids[i], &view)) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
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

/* Names of the grid's pieces: the framing's, or from the maps. */
static int piece_labels(struct dt_panel *p, const struct dt_heat_grid *g,
			const struct dt_frame *frame, const struct dt_maps_copy *maps)
{
	char (*names)[96] = calloc(g->nr_pieces, sizeof(*names));
	const char **ptrs = calloc(g->nr_pieces, sizeof(*ptrs));
	int ret = -ENOMEM, worked = frame->nr == g->nr_pieces;
	if (names && ptrs) {
		for (size_t k = 0; k < g->nr_pieces; k++) {
			if (worked)
				snprintf(names[k], sizeof(names[k]), "%s", frame->areas[k].name);
			else
				dt_maps_name_range(names[k], sizeof(names[k]), maps, g->pieces[k].start,
						   g->pieces[k].end);
			ptrs[k] = names[k];
		}
		ret = dt_panel_heat_pieces(p, g, ptrs, worked ? "not accessed" : "unmapped");
	}
	free(names);
	free(ptrs);
	return ret;
}

static int draw_image(const struct args *a, const struct dt_heat_grid *g,
		      const struct dt_heat_guide *gd, const struct dt_maps_copy *maps,
		      const struct dt_frame *frame, const char *path, char *err, size_t errlen)
{
	struct dt_heat_image img;
	dt_heat_image_of_grid(&img, g, a->abs_time ? 0 : g->t_start, a->cmap, a->scale);
	double t0 = img.x0;
	double tspan = (double)g->t_unit * (double)g->t_resol / 1e9;
	uint64_t a_end = g->a_start + g->a_unit * g->a_resol;
	char title[256], who[96], size[48], ylabel[160];

	if (a->pixels)
		return dt_png_write_cells(path, &img, err, errlen);
	if (gd && gd->target.pid >= 0)
		snprintf(who, sizeof(who), "target %" PRIu64 " (pid %" PRId64 ")", gd->target.id,
			 gd->target.pid);
	else if (gd)
		snprintf(who, sizeof(who), "target %" PRIu64, gd->target.id);
	else
		snprintf(who, sizeof(who), "the record");
	snprintf(title, sizeof(title), "Access heatmap of %s", who);
	dt_format_bytes(size, sizeof(size), a_end - g->a_start);
	if (g->pieces && frame->nr == g->nr_pieces)
		snprintf(ylabel, sizeof(ylabel), "address: %zu worked-on areas, the rest collapsed",
			 g->nr_pieces);
	else if (g->pieces)
		snprintf(ylabel, sizeof(ylabel), "address: %zu mapped areas, gaps collapsed",
			 g->nr_pieces);
	else if (frame->nr == 1 && *frame->areas[0].name)
		snprintf(ylabel, sizeof(ylabel), "address (%s 0x%" PRIx64 " + %s)",
			 frame->areas[0].name, g->a_start, size);
	else
		snprintf(ylabel, sizeof(ylabel), "address (0x%" PRIx64 " + %s)", g->a_start, size);

	struct dt_figure *f;
	int ret = dt_figure_new(&f, path, 760, 520, err, errlen);
	if (ret)
		return ret;
	dt_figure_set_title(f, title);
	struct dt_panel *p = dt_figure_add_panel(f, 1);
	if (!p)
		goto nomem;
	dt_panel_set_axis(p, DT_AXIS_X, t0, t0 + tspan, DT_AXIS_SECONDS,
			  a->abs_time ? "time" : "time since the start of the range");
	if (g->pieces) {
		dt_panel_set_axis(p, DT_AXIS_Y, 0, (double)g->a_resol, DT_AXIS_HIDDEN, ylabel);
	} else {
		dt_panel_set_axis(p, DT_AXIS_Y, (double)g->a_start, (double)a_end,
				  DT_AXIS_ADDRESS, ylabel);
	}
	ret = dt_panel_heatmap(p, &img);
	if (ret == -E2BIG) {
		dt_figure_free(f);
		snprintf(err, errlen, "%.200s: a %zux%zu grid is too large for an image with axes "
			 "(at most 32767 cells a side); use --pixels", path, g->t_resol, g->a_resol);
		return ret;
	}
	if (ret)
		goto nomem;
	if (g->pieces && piece_labels(p, g, frame, maps))
		goto nomem;
	return dt_figure_finish(f, err, errlen);
nomem:
	dt_figure_free(f);
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

/* damo's complete_src_args(): the kdamond, context and target default to
 * the first guide's; the first guide matching all three is used. */
static const struct dt_heat_guide *pick_guide(const struct args *a,
					      const struct dt_heat_guides *g)
{
	if (!g->nr)
		return NULL;
	const struct dt_target_info *first = &g->v[0].target;
	uint32_t kd = a->has_kdamond ? a->kdamond_idx : first->kdamond;
	uint32_t ctx = a->has_context ? a->context_idx : first->context;
	uint64_t tid = a->has_tid ? a->tid : first->id;

	for (size_t i = 0; i < g->nr; i++) {
		const struct dt_target_info *t = &g->v[i].target;
		if (t->kdamond == kd && t->context == ctx && t->id == tid)
			return &g->v[i];
	}
	return NULL;
}

/* What run() holds from one step to the next. */
struct job {
	const struct args *a;
	struct pass_ctx pc;
	struct guide_pass gp;
	const struct dt_heat_guide *gd; /* NULL: no guide was needed */
	struct dt_damo_num t_range[2];  /* the time range drawn */
	uint64_t ranges[MAX_RANGES][2]; /* the address ranges drawn, one grid each */
	size_t nr_ranges;
	struct dt_heat_piece *pieces;   /* --draw_range mapped, worked: the one grid's areas */
	size_t nr_pieces;
	struct dt_frame frame;          /* --draw_range worked: its areas and their names */
	struct grid_pass grids;
};

/* Whether the ranges asked for need the guide. */
static int needs_guide(const struct args *a)
{
	const struct cmd_ranges *r = &a->ranges;

	if (a->guide || a->guide_human || !r->has_time || !r->nr_addr ||
	    r->time.base == DT_RANGE_BASE_GUIDED || r->time.base == DT_RANGE_BASE_GUIDED_END)
		return 1;
	for (size_t i = 0; i < r->nr_addr; i++)
		if (r->addr[i].base == DT_RANGE_BASE_GUIDED)
			return 1;
	return 0;
}

/* The guide pass: prints the guide with --guide, else picks the target. */
static int find_guide(struct job *j, char *err, size_t errlen)
{
	const struct args *a = j->a;
	const struct dt_time_range *t = &a->ranges.time;
	int ret = 0;

	/* the framing knows absolute time ranges only (no base) */
	if (a->draw == DRAW_WORKED && !a->ranges.nr_addr && !a->guide && !a->guide_human) {
		int abs = a->ranges.has_time && t->base == DT_RANGE_BASE_NONE;
		ret = dt_framer_new(&j->gp.framer, abs ? dt_damo_num_trunc(&t->start) : 0,
				    abs ? dt_damo_num_trunc(&t->end) : 0, err, errlen);
	}
	if (!ret)
		ret = run_pass(&j->pc, guide_item, &j->gp, err, errlen);
	if (!ret)
		ret = dt_heat_guides_finish(&j->gp.guides, err, errlen);
	if (ret)
		return ret;
	if (a->guide || a->guide_human) {
		cli_progress_done(&j->pc.progress);
		return dt_heat_guides_print(stdout, &j->gp.guides, a->guide_human);
	}
	j->gd = pick_guide(a, &j->gp.guides);
	if (j->gd)
		return 0;
	if (!j->gp.guides.nr)
		snprintf(err, errlen, "%s: no snapshots", a->input);
	else if (a->has_tid && !a->has_kdamond && !a->has_context)
		snprintf(err, errlen, "%s: no target with id %" PRIu64, a->input, a->tid);
	else
		snprintf(err, errlen, "%s: no target of kdamond %s, context %s, id %s", a->input,
			 a->has_kdamond ? "as given" : "0", a->has_context ? "as given" : "0",
			 a->has_tid ? "as given" : "the first");
	return -ENOENT;
}

/* --draw_range worked: the framing's areas, one range or pieces; 1 when
 * nothing was accessed (damo's hottest area is drawn instead). */
static int worked_ranges(struct job *j, char *err, size_t errlen)
{
	const struct dt_heat_guide *gd = j->gd;
	int ret = dt_framer_result(j->gp.framer, gd->target.kdamond, gd->target.context,
				   gd->target.target, &j->frame, err, errlen);
	if (ret || !j->frame.nr)
		return ret ? ret : 1;
	j->nr_ranges = 1;
	if (j->frame.nr == 1) {
		j->ranges[0][0] = j->frame.areas[0].start;
		j->ranges[0][1] = j->frame.areas[0].end;
		return 0;
	}
	j->pieces = calloc(j->frame.nr, sizeof(*j->pieces));
	if (!j->pieces)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	for (size_t k = 0; k < j->frame.nr; k++)
		j->pieces[k] = (struct dt_heat_piece){ j->frame.areas[k].start, j->frame.areas[k].end };
	j->nr_pieces = j->frame.nr;
	return 0;
}

/* damo's hottest area of the guide (a pass of its own when the guide's
 * pass could not sum the areas' heats). */
static int hottest_range(struct job *j, char *err, size_t errlen)
{
	const struct dt_heat_guide *gd = j->gd;
	size_t h = 0;
	if (gd->nr_areas > 1) {
		if (!gd->heats_known) {
			int ret = run_pass(&j->pc, heat_item, &j->gp.guides, err, errlen);
			if (ret)
				return ret;
		}
		h = dt_heat_guide_hottest(gd);
	}
	j->ranges[0][0] = gd->areas[h].start;
	j->ranges[0][1] = gd->areas[h].end;
	j->nr_ranges = 1;
	return 0;
}

/* The guide's areas that 'guided' address bases name, as damo's
 * get_guided_address_ranges(): every area with --draw_range all, else the
 * hottest. */
static int guided_ranges(struct job *j, uint64_t (*out)[2], size_t *nr, char *err,
			 size_t errlen)
{
	const struct dt_heat_guide *gd = j->gd;

	*nr = 0;
	if (j->a->draw != DRAW_ALL) {
		int ret = hottest_range(j, err, errlen);
		if (ret)
			return ret;
		memcpy(out[0], j->ranges[0], sizeof(out[0]));
		*nr = 1;
		j->nr_ranges = 0;
		return 0;
	}
	for (size_t k = 0; k < gd->nr_areas && *nr < MAX_RANGES; k++) {
		out[*nr][0] = gd->areas[k].start;
		out[*nr][1] = gd->areas[k].end;
		(*nr)++;
	}
	return 0;
}

/* --address_range, bases resolved against the guide's areas. */
static int given_ranges(struct job *j, char *err, size_t errlen)
{
	const struct cmd_ranges *r = &j->a->ranges;
	uint64_t guided[MAX_RANGES][2];
	size_t nr_guided = 0;
	int ret;

	if (j->gd && (ret = guided_ranges(j, guided, &nr_guided, err, errlen)))
		return ret;
	for (size_t i = 0; i < r->nr_addr; i++) {
		ret = dt_address_range_resolve(&r->addr[i], i < nr_guided ? guided[i] : NULL,
					       j->ranges[i], err, errlen);
		if (ret)
			return ret;
	}
	j->nr_ranges = r->nr_addr;
	return 0;
}

/* The address ranges to draw: --address_range, or by --draw_range. */
static int choose_ranges(struct job *j, char *err, size_t errlen)
{
	const struct args *a = j->a;
	const struct dt_heat_guide *gd = j->gd;

	if (a->ranges.nr_addr) {
		return given_ranges(j, err, errlen);
	} else if (a->draw == DRAW_WORKED) {
		int ret = worked_ranges(j, err, errlen);
		if (ret)
			return ret < 0 ? ret : hottest_range(j, err, errlen);
	} else if (a->draw == DRAW_HOTTEST) {
		return hottest_range(j, err, errlen);
	} else if (a->draw == DRAW_ALL) {
		for (size_t k = 0; k < gd->nr_areas && j->nr_ranges < MAX_RANGES; k++) {
			j->ranges[j->nr_ranges][0] = gd->areas[k].start;
			j->ranges[j->nr_ranges][1] = gd->areas[k].end;
			j->nr_ranges++;
		}
	} else {
		j->pieces = calloc(gd->nr_areas, sizeof(*j->pieces));
		if (!j->pieces) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		for (size_t k = 0; k < gd->nr_areas; k++)
			j->pieces[k] = (struct dt_heat_piece){ gd->areas[k].start, gd->areas[k].end };
		j->nr_pieces = gd->nr_areas;
		j->nr_ranges = 1;
	}
	return 0;
}

/* The time range: --time_range (base resolved), or the guide's span. */
static int choose_time(struct job *j, char *err, size_t errlen)
{
	struct dt_damo_num gs = { 0 }, ge = { 0 };

	if (j->gd)
		dt_heat_guide_span(j->gd, &gs, &ge);
	if (!j->a->ranges.has_time) {
		j->t_range[0] = gs;
		j->t_range[1] = ge;
		return 0;
	}
	return dt_time_range_resolve(&j->a->ranges.time, &gs, &ge, j->t_range, err, errlen);
}

/* One empty grid per range, over the time range. */
static int make_grids(struct job *j, char *err, size_t errlen)
{
	const struct args *a = j->a;
	const struct dt_heat_guide *gd = j->gd;
	struct dt_heat_piece *pieces = j->pieces;
	int64_t t_start = dt_damo_num_trunc(&j->t_range[0]);
	int64_t t_end = dt_damo_num_trunc(&j->t_range[1]);
	int t_float = j->t_range[0].is_float || j->t_range[1].is_float;

	j->grids.grids = calloc(j->nr_ranges, sizeof(*j->grids.grids));
	if (!j->grids.grids) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < j->nr_ranges; i++) {
		struct dt_heat_grid *g = &j->grids.grids[i];
		int ret = dt_heat_grid_init(g, t_start, t_end, (size_t)a->resol[0],
					    pieces ? 0 : j->ranges[i][0], pieces ? 1 : j->ranges[i][1],
					    (size_t)a->resol[1], pieces, j->nr_pieces,
					    err, errlen);
		if (ret)
			return ret;
		j->grids.nr++;
		g->df_passed = a->df_passed;
		if (t_float)
			dt_heat_grid_set_float_time(g, dt_damo_num_f(&j->t_range[0]),
						    dt_damo_num_f(&j->t_range[1]));
		if (gd)
			dt_heat_grid_set_target(g, gd->target.kdamond, gd->target.context,
						gd->target.target);
	}
	j->grids.sort = a->sort_temperature && !pieces;
	j->grids.ranges = (const uint64_t (*)[2])j->ranges;
	j->grids.nr_ranges = j->nr_ranges;
	j->grids.weights = a->temperature_weights;
	return 0;
}

/* Each grid as raw lines, on the terminal or as an image. */
static int write_grids(struct job *j, char *err, size_t errlen)
{
	const struct args *a = j->a;
	int ret = 0;

	for (size_t i = 0; i < j->grids.nr && !ret; i++) {
		const struct dt_heat_grid *g = &j->grids.grids[i];
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
			if (cli_check_output(prog, path, &a->input, 1))
				return -EEXIST; /* said */
			ret = draw_image(a, g, j->gd, &j->gp.maps, &j->frame, path, err, errlen);
		}
		if (ret == -EIO && !*err)
			snprintf(err, errlen, "writing the output failed");
	}
	return ret;
}

static int run(const struct args *a, char *err, size_t errlen)
{
	struct job j = { .a = a, .pc = { .a = a } };
	int ret = dt_input_spool(&j.pc.spool, a->input, err, errlen);
	int draw = !a->guide && !a->guide_human;

	if (ret)
		return ret;
	j.pc.opts.name = j.pc.spool.name;
	cli_progress_init(&j.pc.progress);
	if (needs_guide(a))
		ret = find_guide(&j, err, errlen);
	if (!ret && draw)
		ret = choose_ranges(&j, err, errlen);
	if (!ret && draw)
		ret = choose_time(&j, err, errlen);
	if (!ret && draw && (ret = make_grids(&j, err, errlen))) {
		char why[CLI_ERRLEN];
		snprintf(why, sizeof(why), "%s", err);
		if (snprintf(err, errlen, "%s: %s", j.pc.spool.name, why) >= (int)errlen)
			err[errlen - 1] = 0; /* cut: the name and most of the cause */
	}
	if (!ret && draw)
		ret = run_pass(&j.pc, grid_item, &j.grids, err, errlen);
	cli_progress_done(&j.pc.progress);
	if (!ret && draw)
		ret = write_grids(&j, err, errlen);
	for (size_t i = 0; i < j.grids.nr; i++)
		dt_heat_grid_free(&j.grids.grids[i]);
	free(j.grids.grids);
	dt_targets_free(&j.grids.targets);
	dt_heat_sorter_free(&j.grids.sorter);
	free(j.pieces);
	dt_frame_free(&j.frame);
	dt_framer_free(j.gp.framer);
	dt_heat_guides_free(&j.gp.guides);
	dt_maps_copy_free(&j.gp.maps);
	dt_input_spool_release(&j.pc.spool);
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
	if (a.out == OUT_IMAGE && cli_check_output(prog, a.output, &a.input, 1))
		return CLI_EXIT_FAILURE;
	ret = run(&a, err, sizeof(err));
	/* Output that could not be written leaves stdout's error set: that
	 * one is reported with its cause. */
	if (ret == -EEXIST) /* reported already (output.h) */
		return CLI_EXIT_FAILURE;
	return cli_exit(prog, ret, err);
}
