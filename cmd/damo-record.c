// SPDX-License-Identifier: GPL-2.0-only
/*
 * damo-record: record DAMON snapshots of a process, a command or the
 * physical address space into a damotrace record.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "recorder.h"
#include "units.h"

static const char *prog = "damo-record";
/* The DAMON part was recorded and closed cleanly, but the callstacks (-g)
 * failed. */
#define EXIT_CALLSTACKS_FAILED 3
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void progress(void *arg, const struct rec_stats *st)
{
	struct cli_progress *p = arg;
	char wss[32], el[32];

	if (!cli_progress_due(p))
		return;
	cli_progress_draw(p, "%s: %s, %llu snapshots, %llu regions, WSS %s", prog,
			  dt_format_duration_ns(el, sizeof(el), st->elapsed_ns),
			  (unsigned long long)st->snapshots, (unsigned long long)st->regions,
			  dt_format_bytes(wss, sizeof(wss), st->wss_bytes));
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* The command line as typed, for the record's META. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 3;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		int quote = strchr(argv[i], ' ') != NULL || !*argv[i];
		p += sprintf(p, "%s%s%s%s", i ? " " : "", quote ? "'" : "", argv[i], quote ? "'" : "");
	}
	*p = '\0';
	return s;
}

struct args {
	struct rec_options o;
	struct rec_range *ranges; /* -r */
	char **split;             /* a TARGET command line, split into words */
	const char *replay;       /* --replay-raw */
	int keep_perf_data;
	char *kept_perf_data;     /* OUT.perf.data */
};

/* -s, -a, -u: value is a uint64_t of microseconds. */
static int opt_interval(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (dt_parse_duration_us(arg, o->value) || !*(uint64_t *)o->value)
		return opt_fail(p, "-%c: '%s' is not a duration (e.g. 5ms, 100us, 5000)",
				o->short_name, arg);
	return 0;
}

static int opt_regions(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct args *a = o->value;
	char err[CLI_ERRLEN], *text = strdup(arg);
	int ret;

	for (char *c = text; c && *c; c++)
		if (*c == ' ')
			*c = ',';
	free(a->ranges);
	a->ranges = NULL;
	ret = text ? rec_parse_ranges(text, &a->ranges, &a->o.nr_regions, err, sizeof(err)) : -ENOMEM;
	free(text);
	if (ret == -ENOMEM && !text)
		snprintf(err, sizeof(err), "out of memory");
	if (ret)
		return opt_fail(p, "-r: %s", err);
	a->o.regions = a->ranges;
	return 0;
}

static int opt_ops(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (strcmp(arg, "vaddr") && strcmp(arg, "fvaddr") && strcmp(arg, "paddr"))
		return opt_fail(p, "--ops: '%s' is not vaddr, fvaddr or paddr", arg);
	*(const char **)o->value = arg;
	return 0;
}

static int opt_timeout(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (dt_parse_duration_ns(arg, 1000000000ull, o->value) || !*(uint64_t *)o->value)
		return opt_fail(p, "--timeout: '%s' is not a duration (e.g. 10s, 500ms)", arg);
	return 0;
}

static int opt_call_graph(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct rec_options *ro = o->value;
	uint64_t v;

	if (strcmp(arg, "fp") && strcmp(arg, "dwarf") && strcmp(arg, "lbr") &&
	    strncmp(arg, "dwarf,", 6))
		return opt_fail(p, "--call-graph: '%s' is not fp, dwarf[,SIZE] or lbr", arg);
	/* perf takes stack dumps of at most 65528 bytes, and would refuse only
	 * once the DAMON part is running. */
	if (!strncmp(arg, "dwarf,", 6) && (dt_parse_u64(arg + 6, &v) || !v || v > 65528))
		return opt_fail(p, "--call-graph: dwarf stack size '%s' is not from 1 to 65528 bytes",
				arg + 6);
	ro->call_graph = 1;
	ro->call_graph_mode = arg;
	return 0;
}

static int opt_mmap_pages(const struct opt *o, const char *arg, struct opt_parser *p)
{
	uint64_t v;

	if (dt_parse_u64(arg, &v) || !v || v > 65536 || (v & (v - 1)))
		return opt_fail(p, "--mmap-pages: '%s' is not a power of 2 from 1 to 65536", arg);
	*(unsigned *)o->value = (unsigned)v;
	return 0;
}

static const char *const usage_lines[] = { "[options] TARGET", "[options] -- CMD [ARGS...]", NULL };

static const char exit_status[] =
	"Exit status: 0 when the record was closed cleanly (the target exited, the\n"
	"timeout expired, or SIGINT/SIGTERM asked to stop), 1 on failure, including\n"
	"DAMON already in use (what was recorded stays readable) and -g without perf,\n"
	"2 on a bad command line, 3 when the DAMON part was recorded and closed cleanly\n"
	"but perf failed (the record says why).\n";

/* Options up to "--" (what follows is the command and its arguments):
 * *end is the index of "--" (argc without), *first that of the first word
 * before it that is no option. */
static int parse_options(int argc, char **argv, struct args *a, int *first, int *end)
{
	struct rec_options *o = &a->o;
	const struct opt opts[] = {
		OPT_STRING('o', "out", &o->out, "FILE",
			   "output record (default damon.dtr; an existing file is kept as FILE.old)"),
		OPT_CALLBACK('s', "sample", &o->sample_us, "INTERVAL",
			     "sampling interval (default 5ms; bare numbers are us)", opt_interval),
		OPT_CALLBACK('a', "aggr", &o->aggr_us, "INTERVAL",
			     "aggregation interval (default 100ms)", opt_interval),
		OPT_CALLBACK('u', "updr", &o->update_us, "INTERVAL",
			     "regions update interval (default 1s)", opt_interval),
		OPT_UINT('n', "minr", &o->min_nr_regions, "N", 1, UINT64_MAX,
			 "-n: '%s' is not a positive number", "minimum number of regions (default 10)"),
		OPT_UINT('m', "maxr", &o->max_nr_regions, "N", 1, UINT64_MAX,
			 "-m: '%s' is not a positive number", "maximum number of regions (default 1000)"),
		OPT_CALLBACK('r', "regions", a, "RANGES",
			     "START-END[,START-END...]: the ranges to monitor (paddr, fvaddr) or to "
			     "start from (vaddr)", opt_regions),
		OPT_CALLBACK(0, "ops", &o->ops, "OPS",
			     "vaddr, fvaddr or paddr (default vaddr; paddr for the paddr target)",
			     opt_ops),
		OPT_BOOL(0, "include_child_tasks", &o->include_child_tasks,
			 "monitor the target's child processes too (the default, as in damo)"),
		OPT_SET_INT(0, "exclude_child_tasks", &o->include_child_tasks, 0,
			    "monitor the target process only, not its children"),
		OPT_CALLBACK(0, "timeout", &o->timeout_ns, "DURATION",
			     "stop after DURATION (bare numbers are seconds)", opt_timeout),
		OPT_CHOICE(0, "source", &o->source, "SOURCE", "--source: '%s' is not tracepoint or tried-regions",
			   "tracepoint (default: every aggregation) or tried-regions (samples "
			   "aggregations; no tracefs needed)",
			   { "tracepoint", REC_SOURCE_TRACEPOINT },
			   { "tried-regions", REC_SOURCE_TRIED_REGIONS }),
		OPT_BOOL(0, "as-root", &o->as_root,
			 "under sudo, run the command as root instead of as the invoking user"),
		OPT_BOOL('g', "callstacks", &o->call_graph,
			 "also record callstacks: perf record -g -k mono -e cpu-clock on the same "
			 "target, stored in the record"),
		OPT_CALLBACK(0, "call-graph", o, "MODE",
			     "perf's call graph mode: fp, dwarf or lbr (implies -g)", opt_call_graph),
		OPT_STRING(0, "perf", &o->perf, "PATH", "the perf program (default: perf on PATH)"),
		OPT_BOOL(0, "keep-perf-data", &a->keep_perf_data, "keep perf's data as OUT.perf.data"),
		OPT_CALLBACK(0, "mmap-pages", &o->mmap_pages, "N",
			     "perf ring buffer size in pages, a power of 2 (default 512)",
			     opt_mmap_pages),
		OPT_STRING(0, "dump-raw", &o->dump_raw, "FILE",
			   "debugging aid: also save the raw tracepoint events"),
		OPT_STRING(0, "replay-raw", &a->replay, "FILE",
			   "decode a --dump-raw capture into the output, without DAMON (no TARGET)"),
		OPT_HELP('h'),
		OPT_VERSION('V'),
		OPT_END(),
	};
	const struct opt_cmd cmd = {
		.name = prog,
		.usage = usage_lines,
		.about = "Record DAMON snapshots into a damotrace record (default damon.dtr).\n"
			 "TARGET is a pid, a quoted command line, or 'paddr' (physical memory).\n"
			 "A command is started only once DAMON watches it.\n",
		.opts = opts,
		.max_operands = OPT_ANY_OPERANDS,
		.exit_status = exit_status,
	};

	*end = argc;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			*end = i;
			break;
		}
	return opt_parse(&cmd, *end, argv, first);
}

/* The options that only go together, and the intervals against each other. */
static int check_options(const struct args *a)
{
	const struct rec_options *o = &a->o;
	uint64_t s = o->sample_us ? o->sample_us : REC_DEFAULT_SAMPLE_US;
	uint64_t ag = o->aggr_us ? o->aggr_us : REC_DEFAULT_AGGR_US;
	uint64_t minr = o->min_nr_regions ? o->min_nr_regions : REC_DEFAULT_MIN_NR_REGIONS;
	uint64_t maxr = o->max_nr_regions ? o->max_nr_regions : REC_DEFAULT_MAX_NR_REGIONS;

	if (ag < s)
		return cli_usage_error(prog, "the aggregation interval (%llu us) is shorter than the "
				       "sampling interval (%llu us)", (unsigned long long)ag,
				       (unsigned long long)s);
	if (minr < 3 || maxr < minr)
		return cli_usage_error(prog, "regions: need 3 <= minr (%llu) <= maxr (%llu)",
				       (unsigned long long)minr, (unsigned long long)maxr);
	if (o->dump_raw && o->source == REC_SOURCE_TRIED_REGIONS)
		return cli_usage_error(prog, "--dump-raw saves tracepoint events; it does not go "
				       "with --source tried-regions");
	if ((o->perf || a->keep_perf_data) && !o->call_graph)
		return cli_usage_error(prog, "--perf and --keep-perf-data go with -g");
	/* Elsewhere "-" is standard output; a record is a file here (the old
	 * one is kept beside it), so "-" is refused rather than made a file. */
	if (o->out && !strcmp(o->out, "-"))
		return cli_usage_error(prog, "-o: a record is written to a file, not to standard "
				       "output ('-')");
	return OPT_RUN;
}

/* What to record: --replay-raw's capture, "-- CMD ARGS", or TARGET (the
 * npos words from argv[first]); dd: the index of "--", or argc. */
static int choose_target(struct args *a, int argc, char **argv, int first, int dd)
{
	struct rec_options *o = &a->o;
	char err[CLI_ERRLEN];
	int npos = dd - first;
	uint64_t v;

	if (a->replay) {
		if (npos || dd < argc)
			return cli_usage_error(prog, "--replay-raw takes no TARGET");
		if (o->call_graph)
			return cli_usage_error(prog, "-g records callstacks live; it does not go with "
					       "--replay-raw");
	} else if (dd < argc) {
		if (npos)
			return cli_usage_error(prog, "give either TARGET or -- CMD ARGS, not both");
		if (dd + 1 >= argc)
			return cli_usage_error(prog, "no command after --");
		o->kind = REC_TARGET_COMMAND;
		o->argv = argv + dd + 1;
	} else if (npos != 1) {
		return cli_usage_error(prog, npos ? "one TARGET expected (use -- CMD ARGS for a "
					      "command with arguments)" : "no TARGET given");
	} else if (!strcmp(argv[first], "paddr")) {
		o->kind = REC_TARGET_PADDR;
	} else if (all_digits(argv[first])) {
		o->kind = REC_TARGET_PID;
		if (dt_parse_u64(argv[first], &v) || v == 0 || v > 0x7fffffff)
			return cli_usage_error(prog, "'%s' is not a pid", argv[first]);
		o->pid = (long)v;
	} else {
		if (rec_split_command(argv[first], &a->split, err, sizeof(err)))
			return cli_usage_error(prog, "%s", err);
		o->kind = REC_TARGET_COMMAND;
		o->argv = a->split;
	}
	return OPT_RUN;
}

static void args_free(struct args *a)
{
	free(a->ranges);
	rec_free_argv(a->split);
	free(a->kept_perf_data);
}

static int parse_args(int argc, char **argv, struct args *a)
{
	int first, dd, status;

	memset(a, 0, sizeof(*a));
	a->o.include_child_tasks = 1; /* damo's default */
	status = parse_options(argc, argv, a, &first, &dd);
	if (status == OPT_RUN)
		status = check_options(a);
	if (status == OPT_RUN)
		status = choose_target(a, argc, argv, first, dd);
	if (status == OPT_RUN && a->o.kind == REC_TARGET_PADDR)
		a->o.include_child_tasks = 0; /* no processes */
	if (status == OPT_RUN && a->keep_perf_data) {
		const char *out = a->o.out ? a->o.out : "damon.dtr";
		a->kept_perf_data = malloc(strlen(out) + sizeof(".perf.data"));
		if (!a->kept_perf_data) {
			cli_error(prog, "out of memory");
			status = CLI_EXIT_FAILURE;
		} else {
			sprintf(a->kept_perf_data, "%s.perf.data", out);
			a->o.keep_perf_data = a->kept_perf_data;
		}
	}
	return status;
}

/* What was recorded, on stderr; the exit status. */
static int report(const struct rec_options *o, const struct rec_stats *st)
{
	const char *out = o->out ? o->out : "damon.dtr";
	char el[32];

	fprintf(stderr, "%s: stopped (%s%s) after %s: %llu snapshots (%llu incomplete, %llu "
		"events lost), %llu regions -> %s\n", prog, rec_stop_name(st->stop),
		st->stop == REC_STOP_SIGNAL ? (st->signal == SIGINT ? ", SIGINT" : ", SIGTERM") : "",
		dt_format_duration_ns(el, sizeof(el), st->elapsed_ns),
		(unsigned long long)st->snapshots, (unsigned long long)st->incomplete,
		(unsigned long long)st->lost_events, (unsigned long long)st->regions, out);
	if (o->call_graph && st->callstacks_failed) {
		cli_error(prog, "callstacks: %s; the DAMON part of %s is complete and closed cleanly",
			  st->callstacks_error, out);
		return EXIT_CALLSTACKS_FAILED;
	}
	if (o->call_graph)
		fprintf(stderr, "%s: %llu callstack samples -> %s\n", prog,
			(unsigned long long)st->stack_samples, out);
	return CLI_EXIT_OK;
}

/* Records (or replays) until the target exits, the timeout, or SIGINT or
 * SIGTERM: 0, or -1 with err set. */
static int record(struct args *a, int argc, char **argv, struct rec_stats *st, char *err,
		  size_t errlen)
{
	struct rec_options *o = &a->o;
	char *cmdline = join_args(argc, argv);
	struct cli_progress p;
	struct sigaction sa;
	int ret;

	o->command_line = cmdline;
	o->stop_signal = &stop_signal;
	cli_progress_init(&p);
	o->progress = progress;
	o->progress_arg = &p;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = a->replay ? rec_replay_raw(a->replay, o, st, err, errlen) : rec_run(o, st, err, errlen);
	cli_progress_done(&p);
	o->command_line = NULL;
	free(cmdline);
	return ret ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct args a;
	struct rec_stats st;
	char err[CLI_ERRLEN] = "";
	int status;

	cli_init(prog);
	status = parse_args(argc, argv, &a);
	if (status == OPT_RUN && record(&a, argc, argv, &st, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		status = CLI_EXIT_FAILURE;
	} else if (status == OPT_RUN) {
		status = report(&a.o, &st);
	}
	args_free(&a);
	return status;
}
