// SPDX-License-Identifier: GPL-2.0-only
/*
 * damo-record: record DAMON snapshots of a process, a command or the
 * physical address space into a damotrace record.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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

static void usage(void)
{
	printf("Usage: %s [options] TARGET\n"
	       "       %s [options] -- CMD [ARGS...]\n"
	       "Record DAMON snapshots into a damotrace record (default damon.dtr).\n"
	       "TARGET is a pid, a quoted command line, or 'paddr' (physical memory).\n"
	       "A command is started only once DAMON watches it.\n\n"
	       "Options:\n"
	       "  -o, --out FILE          output record (default damon.dtr; an existing\n"
	       "                          file is kept as FILE.old)\n"
	       "  -s, --sample INTERVAL   sampling interval (default 5ms; bare numbers are us)\n"
	       "  -a, --aggr INTERVAL     aggregation interval (default 100ms)\n"
	       "  -u, --updr INTERVAL     regions update interval (default 1s)\n"
	       "  -n, --minr N            minimum number of regions (default 10)\n"
	       "  -m, --maxr N            maximum number of regions (default 1000)\n"
	       "  -r, --regions RANGES    START-END[,START-END...]: the ranges to monitor\n"
	       "                          (paddr, fvaddr) or to start from (vaddr)\n"
	       "      --ops OPS           vaddr, fvaddr or paddr (default vaddr; paddr for\n"
	       "                          the paddr target)\n"
	       "      --include_child_tasks  monitor the target's child processes too\n"
	       "      --timeout DURATION  stop after DURATION (bare numbers are seconds)\n"
	       "      --source SOURCE     tracepoint (default: every aggregation) or\n"
	       "                          tried-regions (samples aggregations; no tracefs needed)\n"
	       "      --as-root           under sudo, run the command as root instead of as\n"
	       "                          the invoking user\n"
	       "  -g, --callstacks        also record callstacks: perf record -g -k mono -e\n"
	       "                          cpu-clock on the same target, stored in the record\n"
	       "      --call-graph MODE   perf's call graph mode: fp, dwarf or lbr (implies -g)\n"
	       "      --perf PATH         the perf program (default: perf on PATH)\n"
	       "      --keep-perf-data    keep perf's data as OUT.perf.data\n"
	       "      --mmap-pages N      perf ring buffer size in pages, a power of 2\n"
	       "                          (default 512)\n"
	       "      --dump-raw FILE     debugging aid: also save the raw tracepoint events\n"
	       "      --replay-raw FILE   decode a --dump-raw capture into the output, without\n"
	       "                          DAMON (no TARGET)\n"
	       "  -h, --help              this help\n"
	       "  -V, --version           version\n\n"
	       "Exit status: 0 when the record was closed cleanly (the target exited, the\n"
	       "timeout expired, or SIGINT/SIGTERM asked to stop), 1 on failure, including\n"
	       "DAMON already in use (what was recorded stays readable) and -g without perf,\n"
	       "2 on a bad command line, 3 when the DAMON part was recorded and closed cleanly\n"
	       "but perf failed (the record says why).\n",
	       prog, prog);
}

enum {
	OPT_OPS = 256,
	OPT_CHILD,
	OPT_TIMEOUT,
	OPT_SOURCE,
	OPT_AS_ROOT,
	OPT_DUMP_RAW,
	OPT_REPLAY_RAW,
	OPT_MMAP_PAGES,
	OPT_CALL_GRAPH,
	OPT_PERF,
	OPT_KEEP_PERF_DATA,
};

static const struct option long_options[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "sample", required_argument, NULL, 's' },
	{ "aggr", required_argument, NULL, 'a' },
	{ "updr", required_argument, NULL, 'u' },
	{ "minr", required_argument, NULL, 'n' },
	{ "maxr", required_argument, NULL, 'm' },
	{ "regions", required_argument, NULL, 'r' },
	{ "ops", required_argument, NULL, OPT_OPS },
	{ "include_child_tasks", no_argument, NULL, OPT_CHILD },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "as-root", no_argument, NULL, OPT_AS_ROOT },
	{ "dump-raw", required_argument, NULL, OPT_DUMP_RAW },
	{ "mmap-pages", required_argument, NULL, OPT_MMAP_PAGES },
	{ "replay-raw", required_argument, NULL, OPT_REPLAY_RAW },
	{ "callstacks", no_argument, NULL, 'g' },
	{ "call-graph", required_argument, NULL, OPT_CALL_GRAPH },
	{ "perf", required_argument, NULL, OPT_PERF },
	{ "keep-perf-data", no_argument, NULL, OPT_KEEP_PERF_DATA },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

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

int main(int argc, char **argv)
{
	struct rec_options o = { 0 };
	struct rec_range *ranges = NULL;
	char **split = NULL, err[CLI_ERRLEN] = "";
	const char *replay = NULL;
	int opt, ret, dd = -1, keep_perf_data = 0;
	char *kept_perf_data = NULL;
	uint64_t v;

	cli_init(prog);
	/* "--" ends our options; what follows is the command and its arguments. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dd = i;
			break;
		}
	int opt_argc = dd >= 0 ? dd : argc;
	while ((opt = getopt_long(opt_argc, argv, "o:s:a:u:n:m:r:ghV", long_options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			o.out = optarg;
			break;
		case 's':
		case 'a':
		case 'u':
			if (dt_parse_duration_us(optarg, &v) || !v)
				return cli_usage_error(prog, "-%c: '%s' is not a duration (e.g. 5ms, 100us, 5000)",
						       opt, optarg);
			*(opt == 's' ? &o.sample_us : opt == 'a' ? &o.aggr_us : &o.update_us) = v;
			break;
		case 'n':
		case 'm':
			if (dt_parse_u64(optarg, &v) || !v)
				return cli_usage_error(prog, "-%c: '%s' is not a positive number", opt, optarg);
			*(opt == 'n' ? &o.min_nr_regions : &o.max_nr_regions) = v;
			break;
		case 'r': {
			char *text = strdup(optarg);
			for (char *p = text; p && *p; p++)
				if (*p == ' ')
					*p = ',';
			free(ranges);
			ret = text ? rec_parse_ranges(text, &ranges, &o.nr_regions, err, sizeof(err)) : -ENOMEM;
			free(text);
			if (ret)
				return cli_usage_error(prog, "-r: %s", err);
			o.regions = ranges;
			break;
		}
		case OPT_OPS:
			if (strcmp(optarg, "vaddr") && strcmp(optarg, "fvaddr") && strcmp(optarg, "paddr"))
				return cli_usage_error(prog, "--ops: '%s' is not vaddr, fvaddr or paddr", optarg);
			o.ops = optarg;
			break;
		case OPT_CHILD:
			o.include_child_tasks = 1;
			break;
		case OPT_TIMEOUT:
			if (dt_parse_duration_ns(optarg, 1000000000ull, &v) || !v)
				return cli_usage_error(prog, "--timeout: '%s' is not a duration (e.g. 10s, 500ms)",
						       optarg);
			o.timeout_ns = v;
			break;
		case OPT_SOURCE:
			if (!strcmp(optarg, "tracepoint"))
				o.source = REC_SOURCE_TRACEPOINT;
			else if (!strcmp(optarg, "tried-regions"))
				o.source = REC_SOURCE_TRIED_REGIONS;
			else
				return cli_usage_error(prog, "--source: '%s' is not tracepoint or tried-regions",
						       optarg);
			break;
		case OPT_AS_ROOT:
			o.as_root = 1;
			break;
		case OPT_DUMP_RAW:
			o.dump_raw = optarg;
			break;
		case OPT_MMAP_PAGES:
			if (dt_parse_u64(optarg, &v) || !v || v > 65536 || (v & (v - 1)))
				return cli_usage_error(prog, "--mmap-pages: '%s' is not a power of 2 "
						       "from 1 to 65536", optarg);
			o.mmap_pages = (unsigned)v;
			break;
		case OPT_REPLAY_RAW:
			replay = optarg;
			break;
		case 'g':
			o.call_graph = 1;
			break;
		case OPT_CALL_GRAPH:
			if (strcmp(optarg, "fp") && strcmp(optarg, "dwarf") && strcmp(optarg, "lbr") &&
			    strncmp(optarg, "dwarf,", 6))
				return cli_usage_error(prog, "--call-graph: '%s' is not fp, dwarf[,SIZE] "
						       "or lbr", optarg);
			/* perf takes stack dumps of at most 65528 bytes, and would
			 * refuse only once the DAMON part is running. */
			if (!strncmp(optarg, "dwarf,", 6) &&
			    (dt_parse_u64(optarg + 6, &v) || !v || v > 65528))
				return cli_usage_error(prog, "--call-graph: dwarf stack size '%s' is not "
						       "from 1 to 65528 bytes", optarg + 6);
			o.call_graph = 1;
			o.call_graph_mode = optarg;
			break;
		case OPT_PERF:
			o.perf = optarg;
			break;
		case OPT_KEEP_PERF_DATA:
			keep_perf_data = 1;
			break;
		case 'h':
			usage();
			return CLI_EXIT_OK;
		case 'V':
			cli_print_version(prog);
			return CLI_EXIT_OK;
		default: /* getopt_long has named the option */
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return CLI_EXIT_USAGE;
		}
	}
	uint64_t s = o.sample_us ? o.sample_us : REC_DEFAULT_SAMPLE_US;
	uint64_t a = o.aggr_us ? o.aggr_us : REC_DEFAULT_AGGR_US;
	if (a < s)
		return cli_usage_error(prog, "the aggregation interval (%llu us) is shorter than the "
				       "sampling interval (%llu us)", (unsigned long long)a,
				       (unsigned long long)s);
	uint64_t minr = o.min_nr_regions ? o.min_nr_regions : REC_DEFAULT_MIN_NR_REGIONS;
	uint64_t maxr = o.max_nr_regions ? o.max_nr_regions : REC_DEFAULT_MAX_NR_REGIONS;
	if (minr < 3 || maxr < minr)
		return cli_usage_error(prog, "regions: need 3 <= minr (%llu) <= maxr (%llu)",
				       (unsigned long long)minr, (unsigned long long)maxr);
	if (o.dump_raw && o.source == REC_SOURCE_TRIED_REGIONS)
		return cli_usage_error(prog, "--dump-raw saves tracepoint events; it does not go "
				       "with --source tried-regions");

	if ((o.perf || keep_perf_data) && !o.call_graph)
		return cli_usage_error(prog, "--perf and --keep-perf-data go with -g");
	/* Elsewhere "-" is standard output; a record is a file here (the old
	 * one is kept beside it), so "-" is refused rather than made a file. */
	if (o.out && !strcmp(o.out, "-"))
		return cli_usage_error(prog, "-o: a record is written to a file, not to standard "
				       "output ('-')");

	int npos = opt_argc - optind;
	if (replay) {
		if (npos || dd >= 0)
			return cli_usage_error(prog, "--replay-raw takes no TARGET");
		if (o.call_graph)
			return cli_usage_error(prog, "-g records callstacks live; it does not go with "
					       "--replay-raw");
	} else if (dd >= 0) {
		if (npos)
			return cli_usage_error(prog, "give either TARGET or -- CMD ARGS, not both");
		if (dd + 1 >= argc)
			return cli_usage_error(prog, "no command after --");
		o.kind = REC_TARGET_COMMAND;
		o.argv = argv + dd + 1;
	} else if (npos != 1) {
		return cli_usage_error(prog, npos ? "one TARGET expected (use -- CMD ARGS for a "
					      "command with arguments)" : "no TARGET given");
	} else {
		const char *target = argv[optind];
		if (!strcmp(target, "paddr")) {
			o.kind = REC_TARGET_PADDR;
		} else if (all_digits(target)) {
			o.kind = REC_TARGET_PID;
			if (dt_parse_u64(target, &v) || v == 0 || v > 0x7fffffff)
				return cli_usage_error(prog, "'%s' is not a pid", target);
			o.pid = (long)v;
		} else {
			if (rec_split_command(target, &split, err, sizeof(err)))
				return cli_usage_error(prog, "%s", err);
			o.kind = REC_TARGET_COMMAND;
			o.argv = split;
		}
	}

	if (keep_perf_data) {
		const char *out = o.out ? o.out : "damon.dtr";
		kept_perf_data = malloc(strlen(out) + sizeof(".perf.data"));
		if (!kept_perf_data) {
			cli_error(prog, "out of memory");
			return CLI_EXIT_FAILURE;
		}
		sprintf(kept_perf_data, "%s.perf.data", out);
		o.keep_perf_data = kept_perf_data;
	}
	char *cmdline = join_args(argc, argv);
	struct cli_progress p;
	struct sigaction sa;
	struct rec_stats st;

	o.command_line = cmdline;
	o.stop_signal = &stop_signal;
	cli_progress_init(&p);
	o.progress = progress;
	o.progress_arg = &p;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ret = replay ? rec_replay_raw(replay, &o, &st, err, sizeof(err))
		     : rec_run(&o, &st, err, sizeof(err));
	cli_progress_done(&p);
	free(cmdline);
	free(kept_perf_data);
	free(ranges);
	rec_free_argv(split);
	if (ret) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	char el[32];
	fprintf(stderr, "%s: stopped (%s%s) after %s: %llu snapshots (%llu incomplete, %llu "
		"events lost), %llu regions -> %s\n", prog, rec_stop_name(st.stop),
		st.stop == REC_STOP_SIGNAL ? (st.signal == SIGINT ? ", SIGINT" : ", SIGTERM") : "",
		dt_format_duration_ns(el, sizeof(el), st.elapsed_ns),
		(unsigned long long)st.snapshots, (unsigned long long)st.incomplete,
		(unsigned long long)st.lost_events, (unsigned long long)st.regions,
		o.out ? o.out : "damon.dtr");
	if (o.call_graph && st.callstacks_failed) {
		cli_error(prog, "callstacks: %s; the DAMON part of %s is complete and closed cleanly",
			  st.callstacks_error, o.out ? o.out : "damon.dtr");
		return EXIT_CALLSTACKS_FAILED;
	}
	if (o.call_graph)
		fprintf(stderr, "%s: %llu callstack samples -> %s\n", prog,
			(unsigned long long)st.stack_samples, o.out ? o.out : "damon.dtr");
	return CLI_EXIT_OK;
}
