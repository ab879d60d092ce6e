// SPDX-License-Identifier: GPL-2.0-only
/* damo-synth: write a synthetic record (convert/input/synth.h does the work). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dtr.h"
#include "options.h"
#include "output.h"
#include "synth.h"
#include "units.h"

static const char *prog = "damo-synth";

struct args {
	struct dt_synth_opts o;
	const char *out, *truth_path;
};

static int opt_targets(const struct opt *o, const char *arg, struct opt_parser *p)
{
	uint64_t v;

	if (dt_parse_u64(arg, &v))
		return opt_fail(p, "bad number '%s'", arg);
	if (v < 1 || v > 1024)
		return opt_fail(p, "--targets must be 1 to 1024");
	*(uint32_t *)o->value = (uint32_t)v;
	return 0;
}

/* --sample, --aggr, --update: value is a uint64_t of microseconds. */
static int opt_interval(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (dt_parse_duration_us(arg, o->value))
		return opt_fail(p, "bad interval '%s'", arg);
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	struct dt_synth_opts *o = &a->o;
	const struct opt opts[] = {
		OPT_STRING('o', "output", &a->out, "FILE",
			   "record to write (default " DTR_DEFAULT_PATH "; - for stdout)"),
		OPT_UINT(0, "snapshots", &o->nr_snapshots, "N", 0, UINT64_MAX, "bad number '%s'",
			 "snapshots per target (default 600)"),
		OPT_UINT(0, "regions", &o->nr_regions, "R", 0, UINT64_MAX, "bad number '%s'",
			 "regions per snapshot (default 400)"),
		OPT_UINT(0, "seed", &o->seed, "S", 0, UINT64_MAX, "bad number '%s'",
			 "random seed; the same seed gives the same file (default 1)"),
		OPT_CALLBACK(0, "targets", &o->nr_targets, "T",
			     "monitoring targets (processes) (default 1)", opt_targets),
		OPT_BOOL(0, "stacks", &o->stacks, "add callstack samples (100 per second)"),
		OPT_CALLBACK(0, "sample", &o->sample_us, "US", "sampling interval (default 5ms)",
			     opt_interval),
		OPT_CALLBACK(0, "aggr", &o->aggr_us, "US", "aggregation interval (default 100ms)",
			     opt_interval),
		OPT_CALLBACK(0, "update", &o->update_us, "US",
			     "regions update interval (default 1s)", opt_interval),
		OPT_STRING(0, "truth", &a->truth_path, "FILE",
			   "write the phases (ground truth) to FILE as text"),
		OPT_STRING(0, "hostname", &o->hostname, "NAME",
			   "the record's hostname (META), e.g. for fleet examples"),
		OPT_STRING(0, "cmdline", &o->cmdline, "TEXT",
			   "the targets' command line (default 'synth-app --phases')"),
		OPT_BOOL(0, "footprint", &o->footprint,
			 "add each target's memory footprint (RSS growing as ranges are first "
			 "touched) after every snapshot"),
		OPT_HELP('h'),
		OPT_VERSION('V'),
		OPT_END(),
	};
	const struct opt_cmd cmd = {
		.name = prog,
		.usage = (const char *const[]){ "[-o FILE] [OPTION]...", NULL },
		.about = "Write a synthetic DAMON record: a process-like address space whose hot\n"
			 "ranges and working set change from phase to phase.\n",
		.opts = opts,
		.notes = "Intervals take damo's spellings: a bare number is microseconds, or 5ms, 1.5s.",
		.exit_status = "Exit status: 0 success, 1 failure, 2 bad command line.\n",
	};
	char err[CLI_ERRLEN];
	int unused;

	a->out = DTR_DEFAULT_PATH;
	a->truth_path = NULL;
	dt_synth_default_opts(o);
	int status = opt_parse(&cmd, argc, argv, &unused);
	if (status != OPT_RUN)
		return status;
	if (o->nr_regions > 100000000)
		return cli_usage_error(prog, "--regions must be at most 100000000");
	if (!o->aggr_us || !o->sample_us || o->sample_us > o->aggr_us)
		return cli_usage_error(prog, "--sample and --aggr must be non-zero, sample at most aggr");
	if (dt_synth_check(o, err, sizeof(err)))
		return cli_usage_error(prog, "%s", err);
	if (a->truth_path && dt_output_same(a->out, a->truth_path))
		return cli_usage_error(prog, "--truth and the record are the same file: %s",
				       a->truth_path);
	return OPT_RUN;
}

struct progress_ctx {
	struct cli_progress bar;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress_ctx *p = ctx;

	if (cli_progress_due(&p->bar))
		cli_progress_draw(&p->bar, "damo-synth: %llu of %llu snapshots",
				  (unsigned long long)done, (unsigned long long)total);
}

/* The record into `out` (and the truth into `truth`, or NULL): 0, or -1
 * after saying why.  Neither output is committed here. */
static int write_record(const struct args *a, struct dt_output *out, FILE *truth)
{
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { .no_fsync = 1 }; /* dt_output_commit fsyncs */
	struct progress_ctx pc;
	char err[CLI_ERRLEN];
	int ret;

	if (dtr_writer_open_fd(&w, out->fd, out->name, &wo, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return -1;
	}
	cli_progress_init(&pc.bar);
	ret = dt_synth_write(&a->o, w, truth, on_progress, &pc, err, sizeof(err));
	cli_progress_done(&pc.bar);
	if (ret) {
		dtr_writer_abort(w);
		if (truth && ferror(truth))
			cli_error(prog, "%s: %s", a->truth_path, err);
		else
			cli_error(prog, "%s", err);
		return -1;
	}
	if (dtr_writer_close(w, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return -1;
	}
	return 0;
}

/* Opens the record's output and the truth's: 0, or -1 after saying why. */
static int open_outputs(const struct args *a, struct dt_output *out, struct dt_output *tr,
			FILE **truth)
{
	char err[CLI_ERRLEN];

	*truth = NULL;
	if (dt_output_open(out, a->out, NULL, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return -1;
	}
	if (!a->truth_path)
		return 0;
	if (dt_output_open(tr, a->truth_path, NULL, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		dt_output_abort(out);
		return -1;
	}
	if (!(*truth = dt_output_stream(tr))) {
		cli_error(prog, "%s: %s", a->truth_path, strerror(errno));
		dt_output_abort(tr);
		dt_output_abort(out);
		return -1;
	}
	return 0;
}

/* Commits the truth, then the record: 0, or -1 after saying why (the
 * record then stays as it was). */
static int commit_outputs(struct dt_output *out, struct dt_output *tr, FILE *truth)
{
	char err[CLI_ERRLEN];

	if (truth && dt_output_commit(tr, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		dt_output_abort(out);
		return -1;
	}
	if (dt_output_commit(out, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a;
	struct dt_output out, tr;
	FILE *truth;
	int status;

	cli_init(prog);
	status = parse_args(argc, argv, &a);
	if (status != OPT_RUN)
		return status;
	if (open_outputs(&a, &out, &tr, &truth))
		return CLI_EXIT_FAILURE;
	if (write_record(&a, &out, truth)) {
		if (truth)
			dt_output_abort(&tr);
		dt_output_abort(&out);
		return CLI_EXIT_FAILURE;
	}
	return commit_outputs(&out, &tr, truth) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
