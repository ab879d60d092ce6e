// SPDX-License-Identifier: GPL-2.0-only
/* damo-heatmap: when which address ranges were how often accessed, with
 * damo's `report heatmap` grid, guide and texts, and cairo images. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gnuplot.h"
#include "heatmap.h"
#include "input.h"
#include "plot.h"
#include "units.h"

static const char *prog = "damo-heatmap";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [-i FILE] [options] [OUT]\n"
		"Access heatmap of a record: time x address, coloured by access frequency.\n"
		"\n"
		"OUT (or --output OUT, --heatmap OUT): 'stdout' (default: a colour heatmap in\n"
		"the terminal, as damo prints it), 'raw' (damo's 'time addr heat' lines), or an\n"
		"image file: .png, .pdf, .svg.\n"
		"\n"
		"  -i, --input FILE            record to read (default damon.dtr; any input format)\n"
		"      --output OUT, --heatmap OUT  where to draw (see above)\n"
		"      --guide                 print damo's guide: target, time span, areas\n"
		"      --resol T A             cells on the time and address axes\n"
		"                              (default 40 80 on the terminal, 500 500 otherwise)\n"
		"      --time_range START END  absolute time range in ns (default: the guide's)\n"
		"      --address_range START END  address range (repeatable; default: by\n"
		"                              --draw_range)\n"
		"      --draw_range hottest|all|mapped  the hottest area (default), every area\n"
		"                              (one output each), or every area in one picture\n"
		"                              with the unmapped gaps collapsed\n"
		"      --tid ID                the target with this id (default: the guide's first)\n"
		"      --abs_time              raw output: absolute times\n"
		"      --abs_addr              raw output: absolute addresses\n"
		"      --stdout_colorset gray|flame|emotion  terminal colours (default gray)\n"
		"      --stdout_skip_colorset_example  no colour legend line on the terminal\n"
		"      --colormap NAME         image colours: viridis (default), magma, inferno, gray\n"
		"      --scale linear|log      how heats map to colours (default linear)\n"
		"      --pixels                a PNG with one pixel per cell, no decoration\n"
		"      --gnuplot               draw the image with gnuplot instead of cairo\n"
		"  -h, --help                  this help\n"
		"      --version               print the version\n"
		"\n"
		"Exit status: 0 success, 1 failure (bad input, I/O), 2 bad command line.\n",
		prog);
}

enum {
	OPT_OUTPUT = 256,
	OPT_GUIDE,
	OPT_RESOL,
	OPT_TIME_RANGE,
	OPT_ADDR_RANGE,
	OPT_DRAW_RANGE,
	OPT_TID,
	OPT_ABS_TIME,
	OPT_ABS_ADDR,
	OPT_COLORSET,
	OPT_SKIP_COLORSET,
	OPT_COLORMAP,
	OPT_SCALE,
	OPT_PIXELS,
	OPT_GNUPLOT,
	OPT_VERSION,
};

enum draw_range { DRAW_HOTTEST, DRAW_ALL, DRAW_MAPPED };
enum out_kind { OUT_STDOUT, OUT_RAW, OUT_IMAGE };

#define MAX_RANGES 64

struct args {
	const char *input, *output;
	enum out_kind out;
	int guide, abs_time, abs_addr, skip_colorset, pixels, gnuplot;
	int has_resol, has_time, has_tid;
	size_t resol_t, resol_a;
	int64_t t_start, t_end;
	size_t nr_ranges;
	uint64_t ranges[MAX_RANGES][2];
	enum draw_range draw;
	uint64_t tid;
	const char *colorset;
	enum dt_colormap cmap;
	enum dt_color_scale scale;
};

static int parse_i64(const char *s, int64_t *v)
{
	char buf[64], *end;
	size_t n = 0;

	for (; *s && n + 1 < sizeof(buf); s++)
		if (*s != ',')
			buf[n++] = *s;
	buf[n] = '\0';
	errno = 0;
	long long x = strtoll(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	*v = x;
	return 0;
}

/* Two values after an option: optarg and the next argument. */
static int second_arg(int argc, char **argv, const char *opt, const char **second)
{
	if (optind >= argc)
		return cli_usage_error(prog, "%s needs two values", opt);
	*second = argv[optind++];
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "heatmap", required_argument, NULL, OPT_OUTPUT },
		{ "guide", no_argument, NULL, OPT_GUIDE },
		{ "resol", required_argument, NULL, OPT_RESOL },
		{ "time_range", required_argument, NULL, OPT_TIME_RANGE },
		{ "address_range", required_argument, NULL, OPT_ADDR_RANGE },
		{ "draw_range", required_argument, NULL, OPT_DRAW_RANGE },
		{ "tid", required_argument, NULL, OPT_TID },
		{ "abs_time", no_argument, NULL, OPT_ABS_TIME },
		{ "abs_addr", no_argument, NULL, OPT_ABS_ADDR },
		{ "stdout_colorset", required_argument, NULL, OPT_COLORSET },
		{ "stdout_skip_colorset_example", no_argument, NULL, OPT_SKIP_COLORSET },
		{ "colormap", required_argument, NULL, OPT_COLORMAP },
		{ "scale", required_argument, NULL, OPT_SCALE },
		{ "pixels", no_argument, NULL, OPT_PIXELS },
		{ "gnuplot", no_argument, NULL, OPT_GNUPLOT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *second;
	int64_t x, y;
	uint64_t u, w;
	int c, ret;

	*a = (struct args){ .input = DTR_DEFAULT_PATH, .output = "stdout", .colorset = "gray" };
	while ((c = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			a->input = optarg;
			break;
		case OPT_OUTPUT:
			a->output = optarg;
			break;
		case OPT_GUIDE:
			a->guide = 1;
			break;
		case OPT_RESOL:
			if ((ret = second_arg(argc, argv, "--resol", &second)))
				return ret;
			if (parse_i64(optarg, &x) || parse_i64(second, &y) || x < 1 || y < 1 ||
			    x > 100000 || y > 100000)
				return cli_usage_error(prog, "--resol: two counts from 1 to 100000, not '%s %s'",
						       optarg, second);
			a->has_resol = 1;
			a->resol_t = (size_t)x;
			a->resol_a = (size_t)y;
			break;
		case OPT_TIME_RANGE:
			if ((ret = second_arg(argc, argv, "--time_range", &second)))
				return ret;
			if (parse_i64(optarg, &x) || parse_i64(second, &y) || y <= x)
				return cli_usage_error(prog, "--time_range: START END in ns, START < END, not '%s %s'",
						       optarg, second);
			a->has_time = 1;
			a->t_start = x;
			a->t_end = y;
			break;
		case OPT_ADDR_RANGE:
			if ((ret = second_arg(argc, argv, "--address_range", &second)))
				return ret;
			if (dt_parse_u64(optarg, &u) || dt_parse_u64(second, &w) || w <= u)
				return cli_usage_error(prog, "--address_range: START END, START < END, not '%s %s'",
						       optarg, second);
			if (a->nr_ranges == MAX_RANGES)
				return cli_usage_error(prog, "at most %d --address_range", MAX_RANGES);
			a->ranges[a->nr_ranges][0] = u;
			a->ranges[a->nr_ranges][1] = w;
			a->nr_ranges++;
			break;
		case OPT_DRAW_RANGE:
			if (!strcmp(optarg, "hottest"))
				a->draw = DRAW_HOTTEST;
			else if (!strcmp(optarg, "all"))
				a->draw = DRAW_ALL;
			else if (!strcmp(optarg, "mapped"))
				a->draw = DRAW_MAPPED;
			else
				return cli_usage_error(prog, "--draw_range: hottest, all or mapped, not '%s'", optarg);
			break;
		case OPT_TID:
			if (dt_parse_u64(optarg, &a->tid))
				return cli_usage_error(prog, "--tid: not a target id: '%s'", optarg);
			a->has_tid = 1;
			break;
		case OPT_ABS_TIME:
			a->abs_time = 1;
			break;
		case OPT_ABS_ADDR:
			a->abs_addr = 1;
			break;
		case OPT_COLORSET:
			if (!dt_heat_colorset_valid(optarg))
				return cli_usage_error(prog, "--stdout_colorset: gray, flame or emotion, not '%s'", optarg);
			a->colorset = optarg;
			break;
		case OPT_SKIP_COLORSET:
			a->skip_colorset = 1;
			break;
		case OPT_COLORMAP:
			if (dt_colormap_parse(optarg, &a->cmap))
				return cli_usage_error(prog, "--colormap: viridis, magma, inferno or gray, not '%s'", optarg);
			break;
		case OPT_SCALE:
			if (!strcmp(optarg, "linear"))
				a->scale = DT_SCALE_LINEAR;
			else if (!strcmp(optarg, "log"))
				a->scale = DT_SCALE_LOG;
			else
				return cli_usage_error(prog, "--scale: linear or log, not '%s'", optarg);
			break;
		case OPT_PIXELS:
			a->pixels = 1;
			break;
		case OPT_GNUPLOT:
			a->gnuplot = 1;
			break;
		case 'h':
			usage(stdout);
			exit(CLI_EXIT_OK);
		case OPT_VERSION:
			cli_print_version(prog);
			exit(CLI_EXIT_OK);
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc)
		a->output = argv[optind++];
	if (optind < argc)
		return cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
	if (!strcmp(a->output, "stdout")) {
		a->out = OUT_STDOUT;
	} else if (!strcmp(a->output, "raw")) {
		a->out = OUT_RAW;
	} else {
		enum dt_plot_format f;
		char err[CLI_ERRLEN];
		a->out = OUT_IMAGE;
		if (dt_plot_format_of(a->output, &f, err, sizeof(err)))
			return cli_usage_error(prog, "%s", err);
		if (a->pixels && f != DT_PLOT_PNG)
			return cli_usage_error(prog, "--pixels writes a PNG: name the output FILE.png");
	}
	if (a->pixels && a->gnuplot)
		return cli_usage_error(prog, "--pixels and --gnuplot do not go together");
	if ((a->pixels || a->gnuplot) && a->out != OUT_IMAGE)
		return cli_usage_error(prog, "--pixels and --gnuplot need an image OUT (.png, .pdf, .svg)");
	if (!a->has_resol) {
		a->resol_t = a->out == OUT_STDOUT ? 40 : 500;
		a->resol_a = a->out == OUT_STDOUT ? 80 : 500;
	}
	return 0;
}

/* ------------------------------------------------------------ passes */

struct pass_ctx {
	const struct args *a;
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

	if (pc->pass > 0 && !strcmp(pc->a->input, "-")) {
		snprintf(err, errlen,
			 "standard input can be read once: give --time_range and --address_range, "
			 "or read a file");
		return -EINVAL;
	}
	pc->pass++;
	ret = dt_input_open(&in, pc->a->input, NULL, err, errlen);
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
};

static int guide_item(void *data, const struct dtr_item *item, char *err, size_t errlen)
{
	struct guide_pass *gp = data;

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
};

static int grid_item(void *data, const struct dtr_item *item, char *err, size_t errlen)
{
	struct grid_pass *gp = data;

	for (size_t i = 0; i < gp->nr; i++) {
		if (dt_heat_grid_add(&gp->grids[i], item)) {
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

static int draw_image(const struct args *a, const struct dt_heat_grid *g,
		      const struct dt_heat_guide *gd, const struct dt_maps_copy *maps,
		      const char *path, char *err, size_t errlen)
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
	if (g->pieces)
		snprintf(ylabel, sizeof(ylabel), "address: %zu mapped areas, gaps collapsed",
			 g->nr_pieces);
	else
		snprintf(ylabel, sizeof(ylabel), "address (0x%" PRIx64 " + %s)", g->a_start, size);
	if (a->gnuplot)
		return dt_gnuplot_heatmap(path, title, a->abs_time ? "time (s)" : "time since start (s)",
					  g->pieces ? "offset in the mapped areas (bytes)" : "address",
					  &img, err, errlen);

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
	for (size_t k = 0; k < g->nr_pieces; k++) {
		char name[96], gap[48], size_txt[48], label[192];
		const struct dt_heat_piece *pc = &g->pieces[k];
		double y0 = (double)g->piece_row[k];
		double y1 = y0 + (double)g->piece_rows[k];
		dt_maps_name_range(name, sizeof(name), maps, pc->start, pc->end);
		dt_format_bytes(size_txt, sizeof(size_txt), pc->end - pc->start);
		snprintf(label, sizeof(label), "%s%s0x%" PRIx64 " +%s", name, *name ? " " : "",
			 pc->start, size_txt);
		if (dt_panel_label_y(p, y0, y1, label))
			goto nomem;
		if (k + 1 < g->nr_pieces) {
			dt_format_bytes(gap, sizeof(gap), g->pieces[k + 1].start - pc->end);
			snprintf(label, sizeof(label), "unmapped %s", gap);
			if (dt_panel_separator_y(p, y1, label))
				goto nomem;
		}
	}
	return dt_figure_finish(f, err, errlen);
nomem:
	dt_figure_free(f);
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

static const struct dt_heat_guide *pick_guide(const struct args *a,
					      const struct dt_heat_guides *g)
{
	for (size_t i = 0; i < g->nr; i++)
		if (!a->has_tid || g->v[i].target.id == a->tid)
			return &g->v[i];
	return NULL;
}

static int run(const struct args *a, char *err, size_t errlen)
{
	struct pass_ctx pc = { .a = a };
	struct guide_pass gp;
	struct grid_pass grids = { 0 };
	const struct dt_heat_guide *gd = NULL;
	struct dt_heat_piece *pieces = NULL;
	uint64_t ranges[MAX_RANGES][2];
	size_t nr_ranges = 0;
	int ret = 0;

	memset(&gp, 0, sizeof(gp));
	cli_progress_init(&pc.progress);
	int need_guide = a->guide || !a->has_time || !a->nr_ranges;
	if (need_guide) {
		ret = run_pass(&pc, guide_item, &gp, err, errlen);
		if (!ret)
			ret = dt_heat_guides_finish(&gp.guides, err, errlen);
		if (ret)
			goto out;
		if (a->guide) {
			cli_progress_done(&pc.progress);
			ret = dt_heat_guides_print(stdout, &gp.guides);
			goto out;
		}
		gd = pick_guide(a, &gp.guides);
		if (!gd) {
			if (a->has_tid)
				snprintf(err, errlen, "%s: no target with id %" PRIu64, a->input, a->tid);
			else
				snprintf(err, errlen, "%s: no snapshots", a->input);
			ret = -ENOENT;
			goto out;
		}
	}
	int64_t t_start = a->has_time ? a->t_start : gd->start_ns;
	int64_t t_end = a->has_time ? a->t_end : gd->end_ns;

	if (a->nr_ranges) {
		memcpy(ranges, a->ranges, sizeof(ranges));
		nr_ranges = a->nr_ranges;
	} else if (a->draw == DRAW_HOTTEST) {
		size_t h = 0;
		if (gd->nr_areas > 1) {
			/* The guide's pass usually found the heats already. */
			if (!gd->heats_known) {
				ret = run_pass(&pc, heat_item, &gp.guides, err, errlen);
				if (ret)
					goto out;
			}
			h = dt_heat_guide_hottest(gd);
		}
		ranges[0][0] = gd->areas[h].start;
		ranges[0][1] = gd->areas[h].end;
		nr_ranges = 1;
	} else if (a->draw == DRAW_ALL) {
		for (size_t k = 0; k < gd->nr_areas && nr_ranges < MAX_RANGES; k++) {
			ranges[nr_ranges][0] = gd->areas[k].start;
			ranges[nr_ranges][1] = gd->areas[k].end;
			nr_ranges++;
		}
	} else {
		pieces = calloc(gd->nr_areas, sizeof(*pieces));
		if (!pieces) {
			ret = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		for (size_t k = 0; k < gd->nr_areas; k++)
			pieces[k] = (struct dt_heat_piece){ gd->areas[k].start, gd->areas[k].end };
		nr_ranges = 1;
	}

	grids.grids = calloc(nr_ranges, sizeof(*grids.grids));
	if (!grids.grids) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nr_ranges; i++) {
		ret = dt_heat_grid_init(&grids.grids[i], t_start, t_end, a->resol_t,
					pieces ? 0 : ranges[i][0], pieces ? 1 : ranges[i][1],
					a->resol_a, pieces, pieces ? gd->nr_areas : 0, err, errlen);
		if (ret)
			goto out;
		grids.nr++;
		if (gd)
			dt_heat_grid_set_target(&grids.grids[i], gd->target.kdamond,
						gd->target.context, gd->target.target);
	}
	ret = run_pass(&pc, grid_item, &grids, err, errlen);
	cli_progress_done(&pc.progress);
	if (ret)
		goto out;
	for (size_t i = 0; i < grids.nr && !ret; i++) {
		const struct dt_heat_grid *g = &grids.grids[i];
		if (a->out == OUT_RAW) {
			ret = dt_heat_grid_print_raw(stdout, g, a->abs_time, a->abs_addr);
		} else if (a->out == OUT_STDOUT) {
			ret = dt_heat_grid_print_ascii(stdout, g, a->colorset, !a->skip_colorset);
			if (ret == 1) {
				fprintf(stderr, "%s: no access recorded in the range\n", prog);
				ret = 0;
			}
		} else {
			char path[4096];
			output_name(path, sizeof(path), a->output, i);
			ret = draw_image(a, g, gd, &gp.maps, path, err, errlen);
		}
		if (ret == -EIO && !*err)
			snprintf(err, errlen, "writing the output failed");
	}
out:
	cli_progress_done(&pc.progress);
	for (size_t i = 0; i < grids.nr; i++)
		dt_heat_grid_free(&grids.grids[i]);
	free(grids.grids);
	free(pieces);
	dt_heat_guides_free(&gp.guides);
	dt_maps_copy_free(&gp.maps);
	return ret;
}

int main(int argc, char **argv)
{
	struct args a;
	char err[CLI_ERRLEN] = "";
	int ret;

	cli_init(prog);
	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret;
	ret = run(&a, err, sizeof(err));
	/* Output that could not be written leaves stdout's error set: that
	 * one is reported with its cause. */
	if (ret && !ferror(stdout)) {
		cli_error(prog, "%s", *err ? err : "failed");
		return CLI_EXIT_FAILURE;
	}
	return cli_flush_stdout(prog) || ret ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
