// SPDX-License-Identifier: GPL-2.0-only
/* damo-stacks: callstacks (perf script text and/or a record's own stacks)
 * to speedscope, Chrome/Perfetto trace events or folded stacks, with the
 * record's memory access phases on the same timeline. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dtr.h"
#include "input.h"
#include "options.h"
#include "output.h"
#include "perf_script.h"
#include "shared_opts.h"
#include "stacks_out.h"
#include "stacks_profile.h"
#include "units.h"

static const char *prog = "damo-stacks";

static void on_progress(void *ctx, const char *what, uint64_t done)
{
	struct cli_progress *pr = ctx;
	if (cli_progress_due(pr))
		cli_progress_draw(pr, "%s: %" PRIu64 " read", what, done);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* A positional file is perf script text unless its content says otherwise
 * (a stream is looked at in its spool: the look consumes nothing). */
static int looks_like_perf_script(const char *path)
{
	char buf[8192];
	FILE *f;
	size_t n;
	f = fopen(path, "rb");
	if (!f)
		return 1; /* let the reader report the error */
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (dtr_probe(buf, n))
		return 0;
	/* perf script text of damon_aggregated only is a DAMON record. */
	if (n && memmem(buf, n, "damon:damon_aggregated:", 23) &&
	    !memmem(buf, n, "\n\t", 2))
		return 0;
	if (dt_perf_script_probe(buf, n))
		return 1;
	return !(n && (buf[0] == '{' || buf[0] == '[' || (unsigned char)buf[0] == 0x78));
}

struct args {
	struct dt_stacks_load_opts lo;
	const char *operand;       /* the positional file, sorted out by its content */
	struct dt_input_spool spool[2]; /* record, perf script: streams read once */
	struct dt_stacks_out_opts oo;
	enum dt_stacks_format format;
	int format_given;
	const char *output;
	int no_phases;
	int all;              /* --all: --kernel and --jit */
	const char *diff[2];  /* --diff A B */
	char name[256];
};

static int opt_format(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct args *a = o->value;

	if (dt_stacks_format_parse(arg, &a->format))
		return opt_fail(p, "--format: unknown format '%s' (speedscope, trace-event, folded)",
				arg);
	a->format_given = 1;
	return 0;
}

/* --diff A B: the two inputs. */
static int opt_diff(const struct opt *o, const char *arg, struct opt_parser *p)
{
	const char **diff = o->value;

	diff[0] = arg;
	return cmd_second_value(p, &diff[1]);
}

/* Options that only folded output reads. */
static int folded_only(const struct dt_stacks_out_opts *o)
{
	return o->weight_samples || o->keep_args || o->with_pid || o->with_tid || o->kernel ||
	       o->jit || o->addrs || o->phase;
}

/* What the folded options and --diff imply, and the combinations refused:
 * OPT_RUN or the exit status after a usage message. */
static int check_folded(struct args *a)
{
	if (a->all)
		a->oo.kernel = a->oo.jit = 1;
	a->lo.unknown_addrs = a->oo.addrs;
	if (a->diff[0]) {
		if (a->format_given && a->format != DT_STACKS_FOLDED)
			return cli_usage_error(prog, "--diff writes folded stacks (-f folded)");
		if (a->operand || a->lo.perf_script_path)
			return cli_usage_error(prog, "--diff A B names both inputs: no other perf "
					       "script text");
		if (!strcmp(a->diff[0], "-") && !strcmp(a->diff[1], "-"))
			return cli_usage_error(prog, "--diff: A and B cannot both be stdin");
		a->format = DT_STACKS_FOLDED;
		return OPT_RUN;
	}
	if (folded_only(&a->oo) && a->format != DT_STACKS_FOLDED)
		return cli_usage_error(prog, "--weight, --keep-args, --pid, --tid, --kernel, --jit, "
				       "--all, --addrs and --phase are options of -f folded");
	return OPT_RUN;
}

static int opt_buffer_size(const struct opt *o, const char *arg, struct opt_parser *p)
{
	uint64_t bytes;

	if (dt_parse_size(arg, &bytes) || bytes > SIZE_MAX / 2)
		return opt_fail(p, "--buffer-size: invalid value '%s': expected a size such as 0, "
				"64K or 16M", arg);
	*(size_t *)o->value = (size_t)bytes;
	return 0;
}

static int opt_time_origin(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (strcmp(arg, "abs") && strcmp(arg, "rel"))
		return opt_fail(p, "--time-origin: expected abs or rel, not '%s'", arg);
	*(int *)o->value = !strcmp(arg, "abs");
	return 0;
}

/* The one operand: perf script text, or a record when its content says so
 * (a stream is spooled first, so that looking does not consume it). */
static int take_operand(struct args *a, const char *pos)
{
	struct dt_stacks_load_opts *lo = &a->lo;
	char err[CLI_ERRLEN];

	if (dt_input_spool(&a->spool[1], pos, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	if (looks_like_perf_script(a->spool[1].path)) {
		if (lo->perf_script_path)
			return cli_usage_error(prog, "two perf script files: '%s' and --perf-script '%s'",
					       pos, lo->perf_script_path);
		lo->perf_script_path = a->spool[1].path;
	} else {
		if (lo->record_path)
			return cli_usage_error(prog, "two records: '%s' and -i '%s'", pos,
					       lo->record_path);
		a->spool[0] = a->spool[1];
		if (a->spool[1].path == a->spool[1].proc_path)
			a->spool[0].path = a->spool[0].proc_path;
		a->spool[1] = (struct dt_input_spool){ .fd = -1 };
		lo->record_path = a->spool[0].path;
		lo->input.name = a->spool[0].name;
	}
	return OPT_RUN;
}

/* The -i record read twice (a peak pass first) from its spool when it is
 * a stream: 0 or -1 after saying why. */
static int spool_record(struct args *a)
{
	struct dt_stacks_load_opts *lo = &a->lo;
	char err[CLI_ERRLEN];

	if (!lo->record_path || a->spool[0].path)
		return 0;
	if (dt_input_spool(&a->spool[0], lo->record_path, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return -1;
	}
	lo->record_path = a->spool[0].path;
	lo->input.name = a->spool[0].name;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	struct dt_stacks_load_opts *lo = &a->lo;
	struct opt stacks[CMD_STACKS_OPTS_MAX];
	const struct opt opts[] = {
		OPT_STRING('i', "input", &lo->record_path, "RECORD",
			   "DAMON record (.dtr, damo json, binary, perf script of damon_aggregated): "
			   "its snapshots give the phases, its own callstacks are used unless perf "
			   "script text is given (default damon.dtr when nothing is named)"),
		OPT_STRING('o', "output", &a->output, "FILE", "write there (default stdout)"),
		OPT_CALLBACK('f', "format", a, "FORMAT",
			     "speedscope (default), trace-event, folded", opt_format),
		OPT_STRING(0, "name", &a->oo.name, "NAME",
			   "profile name shown by viewers (default: from the output or input file "
			   "name)"),
		OPT_BOOL(0, "no-phases", &a->no_phases, "no phase root frames nor phase profiles"),
		OPT_CALLBACK(0, "time-origin", &a->oo.abs_time, "WHERE",
			     "rel (default): times from the record's time zero (given absolute in "
			     "the file); abs: absolute times, for merging with other traces",
			     opt_time_origin),
		OPT_CALLBACK(0, "buffer-size", &lo->memory, "SIZE",
			     "samples held in memory before temporary files in $TMPDIR take them "
			     "(default 256K; 0: none)", opt_buffer_size),
		OPT_CHOICE(0, "weight", &a->oo.weight_samples, "WEIGHT",
			   "--weight: unknown weight '%s' (period, samples)",
			   "folded: period (default: summed periods, 1 for a sample without one) or "
			   "samples (counts)", { "period", 0 }, { "samples", 1 }),
		OPT_BOOL(0, "keep-args", &a->oo.keep_args,
			 "folded: keep C++ argument lists in frame names"),
		OPT_BOOL(0, "pid", &a->oo.with_pid, "folded: process names COMM-PID"),
		OPT_BOOL(0, "tid", &a->oo.with_tid, "folded: process names COMM-PID/TID"),
		OPT_BOOL(0, "kernel", &a->oo.kernel, "folded: kernel frames get _[k]"),
		OPT_BOOL(0, "jit", &a->oo.jit, "folded: JIT frames (/tmp/perf-PID.map) get _[j]"),
		OPT_BOOL(0, "all", &a->all, "folded: --kernel and --jit"),
		OPT_BOOL(0, "addrs", &a->oo.addrs,
			 "folded: frames without a symbol named by their DSO and address"),
		OPT_UINT(0, "phase", &a->oo.phase, "N", 1, UINT32_MAX,
			 "--phase: invalid value '%s': expected a phase number from 1",
			 "folded: the samples of phase N only"),
		OPT_CALLBACK(0, "diff", a->diff, "A B",
			     "A's and B's folded stacks side by side, as FlameGraph's difffolded.pl "
			     "writes them (A, B: perf script texts, or records)", opt_diff),
		OPT_INCLUDE(cmd_stacks_opts(stacks, lo)),
		OPT_HELP('h'),
		OPT_VERSION('V'),
		OPT_END(),
	};
	const struct opt_cmd cmd = {
		.name = prog,
		.usage = (const char *const[]){ "[PERF_SCRIPT_FILE|-] [-i RECORD] [-o OUT] [options]",
						NULL },
		.about = "Callstacks to speedscope, Chrome/Perfetto trace events or folded stacks,\n"
			 "with the memory access phases of a DAMON record on the same timeline.\n"
			 "\n"
			 "PERF_SCRIPT_FILE: `perf script` text with callstacks (\"-\": stdin); a record\n"
			 "given there is taken as -i.\n",
		.opts = opts,
		.max_operands = 1,
		.extra_operand = "too many arguments: at most one perf script file",
	};
	int i;

	memset(a, 0, sizeof(*a));
	a->spool[0].fd = a->spool[1].fd = -1;
	a->format = DT_STACKS_SPEEDSCOPE;
	dt_stacks_load_opts_default(lo);
	int status = opt_parse(&cmd, argc, argv, &i);
	if (status != OPT_RUN)
		return status;
	a->operand = i < argc ? argv[i] : NULL;
	return OPT_RUN;
}

/* After the options: the operand sorted out, defaults, names.  OPT_RUN or
 * an exit status. */
static int finish_args(struct args *a)
{
	struct dt_stacks_load_opts *lo = &a->lo;
	int status;

	if ((status = check_folded(a)) != OPT_RUN)
		return status;
	lo->input.time_order = 1; /* damo's records come target by target */
	if (a->no_phases)
		a->oo.no_phase_roots = a->oo.no_phase_profiles = 1;
	if (a->diff[0])
		return OPT_RUN; /* run_diff reads A and B */
	if (lo->record_path && lo->perf_script_path && !strcmp(lo->record_path, "-") &&
	    !strcmp(lo->perf_script_path, "-"))
		return cli_usage_error(prog, "the record and the perf script cannot both be stdin");
	if (a->operand && !strcmp(a->operand, "-") &&
	    ((lo->record_path && !strcmp(lo->record_path, "-")) ||
	     (lo->perf_script_path && !strcmp(lo->perf_script_path, "-"))))
		return cli_usage_error(prog, "the record and the perf script cannot both be stdin");
	if (a->operand && (status = take_operand(a, a->operand)) != OPT_RUN)
		return status;
	if (!lo->record_path && !lo->perf_script_path)
		lo->record_path = DTR_DEFAULT_PATH;
	if (!a->oo.name) {
		const char *perf = a->spool[1].path ? a->spool[1].name : lo->perf_script_path;
		const char *rec = a->spool[0].path ? a->spool[0].name : lo->record_path;
		const char *from = a->output ? a->output :
				   perf && strcmp(perf, "-") && strcmp(perf, "stdin") ? perf :
				   rec && strcmp(rec, "-") && strcmp(rec, "stdin") ? rec : "damotrace";
		snprintf(a->name, sizeof(a->name), "%s", base_name(from));
		a->oo.name = a->name;
	}
	return OPT_RUN;
}

/* The callstacks and phases `lo` names (a->lo, or one run of --diff): 0,
 * or -1 after saying why. */
static int load(struct args *a, struct dt_stacks_load_opts *lo, struct dt_stacks_profile **out)
{
	struct dt_stacks_profile *p;
	struct cli_progress progress;
	char err[CLI_ERRLEN];

	cli_progress_init(&progress);
	lo->progress = on_progress;
	lo->progress_ctx = &progress;
	int rc = dt_stacks_profile_load(&p, lo, err, sizeof(err));
	cli_progress_done(&progress);
	for (int i = 0; i < 2; i++)
		dt_input_spool_rename(&a->spool[i], err, sizeof(err));
	if (rc) {
		cli_error(prog, "%s", err);
		return -1;
	}
	for (size_t i = 0; i < p->nr_warnings; i++) {
		char w[CLI_ERRLEN];
		snprintf(w, sizeof(w), "%s", p->warnings[i]);
		for (int k = 0; k < 2; k++)
			dt_input_spool_rename(&a->spool[k], w, sizeof(w));
		cli_warn(prog, "%s", w);
	}
	if (!dt_stacks_nr_samples(p->stacks)) {
		cli_error(prog, "%s: no callstack samples (record them with damo-record -g, or "
			  "give perf script text)", lo->record_path);
		dt_stacks_profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

/* The profile `p` in a->format, or with `b` the difference of `p` and `b`
 * in difffolded.pl's format. */
static int write_stacks(FILE *out, const struct args *a, const struct dt_stacks_profile *p,
			const struct dt_stacks_profile *b, char *err, size_t errlen)
{
	if (b)
		return dt_out_folded_diff(out, p, b, &a->oo, err, errlen);
	return dt_stacks_write(out, a->format, p, &a->oo, err, errlen);
}

/* Writes the profile (with `b`, the difference) to -o FILE (replaced only
 * when complete, output.h) or stdout. */
static int write_profile(const struct args *a, const struct dt_stacks_profile *p,
			 const struct dt_stacks_profile *b)
{
	const char *inputs[] = { a->diff[0] ? a->diff[0] : a->lo.record_path,
				 a->diff[0] ? a->diff[1] : a->lo.perf_script_path };
	const struct dt_output_opts oo = { .inputs = inputs, .nr_inputs = 2 };
	struct dt_output o;
	char err[CLI_ERRLEN];
	FILE *out;

	if (dt_output_open(&o, a->output, &oo, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	if (!(out = dt_output_stream(&o))) {
		cli_error(prog, "%s: %s", o.name, strerror(errno));
		dt_output_abort(&o);
		return CLI_EXIT_FAILURE;
	}
	if (write_stacks(out, a, p, b, err, sizeof(err))) {
		/* A write error is told with its cause. */
		int failure = cli_stream_failure(out);
		if (failure && dt_output_is_stdout(a->output))
			cli_flush_stdout(prog);
		else if (failure)
			cli_error(prog, "writing %s: %s", o.name, cli_failure_text(failure));
		else
			cli_error(prog, "%s: %s", o.name, err);
		dt_output_abort(&o);
		return CLI_EXIT_FAILURE;
	}
	if (dt_output_is_stdout(a->output))
		return cli_flush_stdout(prog) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
	if (dt_output_commit(&o, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	return CLI_EXIT_OK;
}

/* --diff A B: each of A and B is read as the one input of a run (perf
 * script text, with the record of -i if given, or a record), the other
 * options shared.  The exit status. */
static int run_diff(struct args *a)
{
	struct dt_stacks_profile *p[2] = { NULL, NULL };
	int status = CLI_EXIT_FAILURE;

	if (cli_check_output(prog, a->output, a->diff, 2))
		return CLI_EXIT_FAILURE;
	for (int i = 0; i < 2; i++) {
		struct dt_stacks_load_opts one = a->lo;
		if (looks_like_perf_script(a->diff[i])) {
			one.perf_script_path = a->diff[i];
		} else if (a->lo.record_path) {
			status = cli_usage_error(prog, "--diff: '%s' is a record, and so is -i '%s'",
						 a->diff[i], a->lo.record_path);
			goto out;
		} else {
			one.record_path = a->diff[i];
		}
		if (load(a, &one, &p[i]))
			goto out;
	}
	status = write_profile(a, p[0], p[1]);
out:
	dt_stacks_profile_free(p[0]);
	dt_stacks_profile_free(p[1]);
	return status;
}

int main(int argc, char **argv)
{
	struct args a;
	struct dt_stacks_profile *p;
	int status;

	cli_init(prog);
	status = parse_args(argc, argv, &a);
	if (status == OPT_RUN)
		status = finish_args(&a);
	if (status != OPT_RUN || spool_record(&a)) {
		for (int i = 0; i < 2; i++)
			dt_input_spool_release(&a.spool[i]);
		return status != OPT_RUN ? status : CLI_EXIT_FAILURE;
	}
	const char *inputs[] = { a.lo.record_path, a.lo.perf_script_path };
	if (a.diff[0]) {
		status = run_diff(&a);
	} else if (cli_check_output(prog, a.output, inputs, 2) || load(&a, &a.lo, &p)) {
		status = CLI_EXIT_FAILURE;
	} else {
		status = write_profile(&a, p, NULL);
		dt_stacks_profile_free(p);
	}
	for (int i = 0; i < 2; i++)
		dt_input_spool_release(&a.spool[i]);
	return status;
}
