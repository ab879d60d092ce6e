// SPDX-License-Identifier: GPL-2.0-only
/* damo-timeline: working set size, access heatmap and callstacks on one
 * time axis, with the memory access phases and the functions behind them. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dtr.h"
#include "plot.h"
#include "timeline.h"
#include "timeline_plot.h"
#include "units.h"

static const char *prog = "damo-timeline";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [-i RECORD] [--perf-script FILE] [-o FILE.{png,pdf,svg}] [options]\n"
		"Working set size, access heatmap and callstacks of a record on one time axis,\n"
		"with its memory access phases shaded; prints the phase report (each phase's\n"
		"time span, WSS, hot address range and the functions that ran in it).\n"
		"\n"
		"  -i, --input RECORD        DAMON record (any format damotrace reads; default\n"
		"                            damon.dtr unless only --perf-script is given);\n"
		"                            \"-\": standard input\n"
		"  -o, --output FILE         draw the figure to FILE (.png, .pdf or .svg; may be\n"
		"                            given up to 8 times); without it only the report\n"
		"                            is printed\n"
		"      --json                print the report as one JSON object\n"
		"      --tid TID             flame chart of this thread (default: the busiest)\n"
		"      --target_id ID        heatmap of the DAMON target with this id (default:\n"
		"                            the heatmap guide's first)\n"
		"      --address_range START END  heatmap of this address range (default: by\n"
		"                            --draw_range)\n"
		"      --draw_range hottest|mapped|phases  the hottest area (default), every\n"
		"                            area, or the areas holding the phases' hot ranges\n"
		"                            (several areas: unmapped gaps collapsed)\n"
		"      --resol T A           time columns and address cells (default 500 300)\n"
		"      --colormap NAME       heatmap colours: viridis (default), magma, inferno, gray\n"
		"      --scale linear|log    how heats map to colours (default linear)\n"
		"      --max-depth N         flame chart levels kept (default 32)\n"
		"      --top N               functions listed per phase (default 5)\n"
		"      --title TEXT          figure title (default: the input's name)\n",
		prog);
	dt_stacks_options_help(out);
	fprintf(out,
		"  -h, --help                this help\n"
		"      --version             print the version\n"
		"\n"
		"Callstacks come from the record's own samples; perf script text given with\n"
		"--perf-script replaces them (--keep-record-stacks keeps both).\n"
		"\n"
		"Exit status: 0 success, 1 failure (bad input, I/O), 2 bad command line.\n");
}

enum {
	OPT_JSON = 256,
	OPT_TID,
	OPT_TARGET,
	OPT_ADDR_RANGE,
	OPT_DRAW_RANGE,
	OPT_RESOL,
	OPT_COLORMAP,
	OPT_SCALE,
	OPT_MAX_DEPTH,
	OPT_TOP,
	OPT_TITLE,
	OPT_VERSION,
	OPT_SHARED = 1000,
};

struct progress_ctx {
	struct cli_progress p;
	const char *input;
};

static void on_progress(void *ctx, const char *stage, uint64_t items)
{
	struct progress_ctx *pc = ctx;
	if (cli_progress_due(&pc->p))
		cli_progress_draw(&pc->p, "%s: %s: %" PRIu64 " items", pc->input, stage, items);
}

static int parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	return dt_parse_u64(s, v) || *v < min || *v > max ? -EINVAL : 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int main(int argc, char **argv)
{
	struct dt_timeline_opts to;
	struct dt_timeline_draw_opts dro = { 0 };
#define MAX_OUTPUTS 8
	const char *outputs[MAX_OUTPUTS];
	size_t nr_outputs = 0;
	int json = 0;
	char err[CLI_ERRLEN] = "";
	static const struct option own[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "tid", required_argument, NULL, OPT_TID },
		{ "target_id", required_argument, NULL, OPT_TARGET },
		{ "address_range", required_argument, NULL, OPT_ADDR_RANGE },
		{ "draw_range", required_argument, NULL, OPT_DRAW_RANGE },
		{ "resol", required_argument, NULL, OPT_RESOL },
		{ "colormap", required_argument, NULL, OPT_COLORMAP },
		{ "scale", required_argument, NULL, OPT_SCALE },
		{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
	};
	size_t nown = sizeof(own) / sizeof(own[0]), nshared = 0;
	cli_init(prog);
	while (dt_stacks_options[nshared].name)
		nshared++;
	struct option *longopts = calloc(nown + nshared + 1, sizeof(*longopts));
	if (!longopts) {
		cli_error(prog, "out of memory");
		return CLI_EXIT_FAILURE;
	}
	memcpy(longopts, own, sizeof(own));
	for (size_t i = 0; i < nshared; i++)
		longopts[nown + i] = (struct option){ dt_stacks_options[i].name,
						      dt_stacks_options[i].has_arg ?
						      required_argument : no_argument,
						      NULL, OPT_SHARED + (int)i };

	dt_timeline_opts_default(&to);
	int c, status = CLI_EXIT_USAGE;
	uint64_t u, w;
	const char *second;
	while ((c = getopt_long(argc, argv, "i:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			to.load.record_path = optarg;
			break;
		case 'o':
			if (nr_outputs == MAX_OUTPUTS) {
				cli_usage_error(prog, "at most %d -o", MAX_OUTPUTS);
				goto out;
			}
			outputs[nr_outputs++] = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_TID:
			if (parse_count(optarg, 0, INT32_MAX, &u)) {
				cli_usage_error(prog, "--tid: not a thread id: '%s'", optarg);
				goto out;
			}
			to.has_tid = 1;
			to.tid = (int32_t)u;
			break;
		case OPT_TARGET:
			if (dt_parse_u64(optarg, &to.target_id)) {
				cli_usage_error(prog, "--target_id: not a target id: '%s'", optarg);
				goto out;
			}
			to.has_target = 1;
			break;
		case OPT_ADDR_RANGE:
			if (optind >= argc) {
				cli_usage_error(prog, "--address_range needs two values");
				goto out;
			}
			second = argv[optind++];
			if (dt_parse_u64(optarg, &u) || dt_parse_u64(second, &w) || w <= u) {
				cli_usage_error(prog, "--address_range: START END, START < END, not '%s %s'",
						optarg, second);
				goto out;
			}
			to.has_address_range = 1;
			to.addr_start = u;
			to.addr_end = w;
			break;
		case OPT_DRAW_RANGE:
			if (!strcmp(optarg, "hottest")) {
				to.draw_range = DT_TIMELINE_HOTTEST;
			} else if (!strcmp(optarg, "mapped")) {
				to.draw_range = DT_TIMELINE_MAPPED;
			} else if (!strcmp(optarg, "phases")) {
				to.draw_range = DT_TIMELINE_PHASES;
			} else {
				cli_usage_error(prog, "--draw_range: hottest, mapped or phases, not '%s'",
						optarg);
				goto out;
			}
			break;
		case OPT_RESOL:
			if (optind >= argc) {
				cli_usage_error(prog, "--resol needs two values");
				goto out;
			}
			second = argv[optind++];
			if (parse_count(optarg, 10, 20000, &u) || parse_count(second, 10, 20000, &w)) {
				cli_usage_error(prog, "--resol: two counts from 10 to 20000, not '%s %s'",
						optarg, second);
				goto out;
			}
			to.columns = (size_t)u;
			to.addr_cells = (size_t)w;
			break;
		case OPT_COLORMAP:
			if (dt_colormap_parse(optarg, &dro.cmap)) {
				cli_usage_error(prog, "--colormap: viridis, magma, inferno or gray, not '%s'",
						optarg);
				goto out;
			}
			break;
		case OPT_SCALE:
			if (!strcmp(optarg, "linear")) {
				dro.scale = DT_SCALE_LINEAR;
			} else if (!strcmp(optarg, "log")) {
				dro.scale = DT_SCALE_LOG;
			} else {
				cli_usage_error(prog, "--scale: linear or log, not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_MAX_DEPTH:
			if (parse_count(optarg, 1, 1024, &u)) {
				cli_usage_error(prog, "--max-depth: a count from 1 to 1024, not '%s'", optarg);
				goto out;
			}
			to.max_depth = (uint32_t)u;
			break;
		case OPT_TOP:
			if (parse_count(optarg, 1, 1000, &u)) {
				cli_usage_error(prog, "--top: a count from 1 to 1000, not '%s'", optarg);
				goto out;
			}
			to.top_functions = (uint32_t)u;
			break;
		case OPT_TITLE:
			dro.title = optarg;
			break;
		case 'h':
			usage(stdout);
			status = CLI_EXIT_OK;
			goto out;
		case OPT_VERSION:
			cli_print_version(prog);
			status = CLI_EXIT_OK;
			goto out;
		default:
			if (c >= OPT_SHARED && c < OPT_SHARED + (int)nshared) {
				if (dt_stacks_load_set_option(&to.load, dt_stacks_options[c - OPT_SHARED].name,
							      optarg, err, sizeof(err)) < 0) {
					cli_usage_error(prog, "%s", err);
					goto out;
				}
				break;
			}
			fprintf(stderr, "Try '%s --help'.\n", prog);
			goto out;
		}
	}
	if (optind < argc) {
		cli_usage_error(prog, "unexpected argument '%s' (the record is given with -i)",
				argv[optind]);
		goto out;
	}
	for (size_t i = 0; i < nr_outputs; i++) {
		enum dt_plot_format fmt;
		if (dt_plot_format_of(outputs[i], &fmt, err, sizeof(err))) {
			cli_usage_error(prog, "%s", err);
			goto out;
		}
	}
	if (!to.load.record_path && !to.load.perf_script_path)
		to.load.record_path = DTR_DEFAULT_PATH;
	if (to.load.record_path && to.load.perf_script_path &&
	    !strcmp(to.load.record_path, "-") && !strcmp(to.load.perf_script_path, "-")) {
		cli_usage_error(prog, "the record and the perf script cannot both be stdin");
		goto out;
	}

	struct progress_ctx pc;
	cli_progress_init(&pc.p);
	pc.input = to.load.record_path ? to.load.record_path : to.load.perf_script_path;
	to.progress = on_progress;
	to.progress_ctx = &pc;
	struct dt_timeline *tl;
	status = CLI_EXIT_FAILURE;
	if (dt_timeline_build(&tl, &to, err, sizeof(err))) {
		cli_progress_done(&pc.p);
		cli_error(prog, "%s", err);
		goto out;
	}
	for (size_t i = 0; i < tl->nr_warnings; i++)
		cli_warn(prog, "%s", tl->warnings[i]);
	char title[512];
	if (!dro.title) {
		snprintf(title, sizeof(title), "damo-timeline of %s%s%s",
			 to.load.record_path ? base_name(to.load.record_path) : "",
			 to.load.record_path && to.load.perf_script_path ? " + " : "",
			 to.load.perf_script_path ? base_name(to.load.perf_script_path) : "");
		dro.title = title;
	}
	int rc = 0;
	for (size_t i = 0; i < nr_outputs && !rc; i++) {
		if (pc.p.enabled && cli_progress_due(&pc.p))
			cli_progress_draw(&pc.p, "%s: drawing", outputs[i]);
		rc = dt_timeline_draw(tl, outputs[i], &dro, err, sizeof(err));
		if (rc) {
			struct stat sb;
			cli_progress_done(&pc.p);
			cli_error(prog, "%s", err);
			/* a partial image goes; a device such as /dev/full stays */
			if (!lstat(outputs[i], &sb) && S_ISREG(sb.st_mode))
				unlink(outputs[i]);
		}
	}
	cli_progress_done(&pc.p);
	if (!rc) {
		/* A report that could not be written leaves stdout's error set. */
		rc = json ? dt_timeline_print_json(stdout, tl) : dt_timeline_print_report(stdout, tl);
		if (cli_flush_stdout(prog))
			rc = -EIO;
	}
	status = rc ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
	dt_timeline_free(tl);
out:
	free(longopts);
	return status;
}
