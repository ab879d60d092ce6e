// SPDX-License-Identifier: GPL-2.0-only
/* damo-timeline: working set size, access heatmap and callstacks on one
 * time axis, with the memory access phases and the functions behind them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dtr.h"
#include "heat_opts.h"
#include "options.h"
#include "plot.h"
#include "shared_opts.h"
#include "timeline.h"
#include "timeline_plot.h"
#include "timeline_html.h"
#include "units.h"

static const char *prog = "damo-timeline";

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

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

#define MAX_OUTPUTS 8

struct args {
	struct dt_timeline_opts to;
	struct dt_timeline_draw_opts dro;
	const char *outputs[MAX_OUTPUTS];
	size_t nr_outputs;
	int json;
	uint64_t resol[2];  /* 0: the library's default */
	struct cmd_ranges ranges;
	char title[512];
};

static int opt_output(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct args *a = o->value;
	enum dt_plot_format fmt;
	char err[CLI_ERRLEN];

	if (a->nr_outputs == MAX_OUTPUTS)
		return opt_fail(p, "at most %d -o", MAX_OUTPUTS);
	if (!dt_timeline_html_path(arg) && dt_plot_format_of(arg, &fmt, err, sizeof(err)))
		return opt_fail(p, "%s", err);
	a->outputs[a->nr_outputs++] = arg;
	return 0;
}

static int opt_thread(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct dt_timeline_opts *to = o->value;
	uint64_t u;

	if (dt_parse_u64(arg, &u) || u > INT32_MAX)
		return opt_fail(p, "%s: not a thread id: '%s'", p->name, arg);
	to->has_tid = 1;
	to->tid = (int32_t)u;
	return 0;
}

static int opt_target_id(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct dt_timeline_opts *to = o->value;

	if (dt_parse_u64(arg, &to->target_id))
		return opt_fail(p, "%s: not a target id: '%s'", p->name, arg);
	to->has_target = 1;
	return 0;
}

/* One --address_range, absolute or from an address, or from the guide's
 * hottest area ('guided', resolved once the record is read). */
static int take_address_range(struct args *a)
{
	struct dt_timeline_opts *to = &a->to;
	uint64_t r[2];
	char err[CLI_ERRLEN];

	if (!a->ranges.nr_addr)
		return 0;
	if (a->ranges.nr_addr > 1)
		return cli_usage_error(prog, "--address_range: one range (the heatmap panel)");
	if (a->ranges.addr[0].base == DT_RANGE_BASE_GUIDED) {
		to->has_address_range = to->address_guided = 1;
		to->guided_range = a->ranges.addr[0];
		return 0;
	}
	if (dt_address_range_resolve(&a->ranges.addr[0], NULL, r, err, sizeof(err)))
		return cli_usage_error(prog, "--address_range: %s", err);
	to->has_address_range = 1;
	to->addr_start = r[0];
	to->addr_end = r[1];
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	struct dt_timeline_opts *to = &a->to;
	struct opt stacks[CMD_STACKS_OPTS_MAX];
	const struct opt opts[] = {
		OPT_STRING('i', "input", &to->load.record_path, "RECORD",
			   "DAMON record (any format damotrace reads; default damon.dtr unless only "
			   "--perf-script is given); \"-\": standard input"),
		OPT_CALLBACK('o', "output", a, "FILE",
			     "draw the figure to FILE (.png, .pdf or .svg; .html: the interactive "
			     "report; may be given up to 8 times); without it only the report is "
			     "printed", opt_output),
		OPT_BOOL(0, "json", &a->json, "print the report as one JSON object"),
		OPT_CALLBACK(0, "thread", to, "TID",
			     "flame chart of this thread (default: the busiest)", opt_thread),
		OPT_CALLBACK(0, "tid", to, "ID",
			     "heatmap of the DAMON target with this id, as damo's --tid (default: "
			     "the heatmap guide's first)", opt_target_id),
		OPT_ALIAS("target_id"),
		CMD_OPT_TIME_RANGE(&a->ranges,
				   "only the snapshots inside this time range, and the stacks and "
				   "footprints in it: absolute (ns, or 10s, 1.5m, \"4 s 500 ms\"), or "
				   "offsets from BASE: guided (the first snapshot's start), "
				   "guided_end (the last one's end) or a time"),
		CMD_OPT_ADDRESS_RANGE(&a->ranges,
				      "heatmap of this address range (4M, 1.5GiB, hex; or offsets "
				      "from BASE: guided (the start of the guide's hottest area, as "
				      "damo-heatmap's) or an address; default: by --draw_range)"),
		OPT_CHOICE(0, "draw_range", &to->draw_range, NULL, NULL,
			   "the hottest area, every area, the areas holding the phases' hot "
			   "ranges, or the memory the program worked on (default; several areas: "
			   "the address space between them collapsed)",
			   { "hottest", DT_TIMELINE_HOTTEST }, { "mapped", DT_TIMELINE_MAPPED },
			   { "phases", DT_TIMELINE_PHASES }, { "worked", DT_TIMELINE_WORKED }),
		CMD_OPT_TWO_COUNTS("resol", a->resol, "T A", 10, 20000,
				   "time columns and address cells (default 500 300)"),
		CMD_OPTS_HEAT_COLOURS(&a->dro.cmap, &a->dro.scale, "heatmap"),
		OPT_UINT(0, "max-depth", &to->max_depth, "N", 1, 1024, NULL,
			 "flame chart levels kept (default 32)"),
		OPT_UINT(0, "top", &to->top_functions, "N", 1, 1000, NULL,
			 "functions listed per phase (default 5)"),
		OPT_STRING(0, "title", &a->dro.title, "TEXT", "figure title (default: the input's name)"),
		OPT_INCLUDE(cmd_stacks_opts(stacks, &to->load)),
		OPT_HELP('h'),
		OPT_VERSION('V'),
		OPT_END(),
	};
	const struct opt_cmd cmd = {
		.name = prog,
		.usage = (const char *const[]){
			"[-i RECORD] [--perf-script FILE] [-o FILE.{png,pdf,svg}] [options]", NULL },
		.about = "Working set size, access heatmap and callstacks of a record on one time axis,\n"
			 "with its memory access phases shaded; prints the phase report (each phase's\n"
			 "time span, WSS, hot address range and the functions that ran in it).\n",
		.opts = opts,
		.extra_operand = "unexpected argument '%s' (the record is given with -i)",
		.notes = "Callstacks come from the record's own samples; perf script text given with\n"
			 "--perf-script replaces them (--keep-record-stacks keeps both).\n",
	};
	struct dt_stacks_load_opts *lo = &to->load;
	int unused;

	memset(a, 0, sizeof(*a));
	dt_timeline_opts_default(to);
	int status = opt_parse(&cmd, argc, argv, &unused);
	if (status != OPT_RUN)
		return status;
	if ((status = take_address_range(a)))
		return status;
	to->has_time_range = a->ranges.has_time;
	to->time_range = a->ranges.time;
	if (a->resol[0]) {
		to->columns = (size_t)a->resol[0];
		to->addr_cells = (size_t)a->resol[1];
	}
	if (!lo->record_path && !lo->perf_script_path)
		lo->record_path = DTR_DEFAULT_PATH;
	lo->input.time_order = 1; /* damo's records come target by target */
	if (lo->record_path && lo->perf_script_path && !strcmp(lo->record_path, "-") &&
	    !strcmp(lo->perf_script_path, "-"))
		return cli_usage_error(prog, "the record and the perf script cannot both be stdin");
	if (!a->dro.title) {
		snprintf(a->title, sizeof(a->title), "damo-timeline of %s%s%s",
			 lo->record_path ? base_name(lo->record_path) : "",
			 lo->record_path && lo->perf_script_path ? " + " : "",
			 lo->perf_script_path ? base_name(lo->perf_script_path) : "");
		a->dro.title = a->title;
	}
	return OPT_RUN;
}

/* Draws every -o FILE, each replacing its old file only when complete
 * (output.h).  0, or -1 after saying why. */
static int draw_all(const struct args *a, const struct dt_timeline *tl, struct progress_ctx *pc)
{
	char err[CLI_ERRLEN];

	for (size_t i = 0; i < a->nr_outputs; i++) {
		if (pc->p.enabled && cli_progress_due(&pc->p))
			cli_progress_draw(&pc->p, "%s: drawing", a->outputs[i]);
		const struct dt_timeline_html_opts ho = { .timeline = &a->to, .title = a->dro.title,
							  .cmap = a->dro.cmap, .scale = a->dro.scale };
		if (dt_timeline_html_path(a->outputs[i]) ?
			    dt_timeline_write_html(tl, a->outputs[i], &ho, err, sizeof(err)) :
			    dt_timeline_draw(tl, a->outputs[i], &a->dro, err, sizeof(err))) {
			cli_progress_done(&pc->p);
			cli_error(prog, "%s", err);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a;
	struct progress_ctx pc;
	struct dt_timeline *tl;
	char err[CLI_ERRLEN] = "";
	int status;

	cli_init(prog);
	status = parse_args(argc, argv, &a);
	if (status != OPT_RUN)
		return status;
	const char *inputs[] = { a.to.load.record_path, a.to.load.perf_script_path };
	for (size_t i = 0; i < a.nr_outputs; i++)
		if (cli_check_output(prog, a.outputs[i], inputs, 2))
			return CLI_EXIT_FAILURE;
	cli_progress_init(&pc.p);
	pc.input = a.to.load.record_path ? a.to.load.record_path : a.to.load.perf_script_path;
	a.to.progress = on_progress;
	a.to.progress_ctx = &pc;
	if (dt_timeline_build(&tl, &a.to, err, sizeof(err))) {
		cli_progress_done(&pc.p);
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	for (size_t i = 0; i < tl->nr_warnings; i++)
		cli_warn(prog, "%s", tl->warnings[i]);
	int rc = draw_all(&a, tl, &pc);
	cli_progress_done(&pc.p);
	if (!rc) {
		/* A report that could not be written leaves stdout's error set. */
		rc = a.json ? dt_timeline_print_json(stdout, tl) : dt_timeline_print_report(stdout, tl);
		if (cli_flush_stdout(prog))
			rc = -EIO;
	}
	dt_timeline_free(tl);
	return rc ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
