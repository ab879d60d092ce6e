// SPDX-License-Identifier: GPL-2.0-only
/* damo-stacks: callstacks (perf script text and/or a record's own stacks)
 * to speedscope, Chrome/Perfetto trace events or folded stacks, with the
 * record's memory access phases on the same timeline. */
#define _GNU_SOURCE
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
#include "perf_script.h"
#include "stacks_out.h"
#include "stacks_profile.h"
#include "units.h"

static const char *prog = "damo-stacks";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [PERF_SCRIPT_FILE|-] [-i RECORD] [-o OUT] [options]\n"
		"Callstacks to speedscope, Chrome/Perfetto trace events or folded stacks,\n"
		"with the memory access phases of a DAMON record on the same timeline.\n"
		"\n"
		"  PERF_SCRIPT_FILE          `perf script` text with callstacks (\"-\": stdin);\n"
		"                            a record given here is taken as -i\n"
		"  -i, --input RECORD        DAMON record (.dtr, damo json, binary, perf script\n"
		"                            of damon_aggregated): its snapshots give the phases,\n"
		"                            its own callstacks are used unless perf script text\n"
		"                            is given (default damon.dtr when nothing is named)\n"
		"  -o, --output FILE         write there (default stdout)\n"
		"  -f, --format FORMAT       speedscope (default), trace-event, folded\n"
		"      --name NAME           profile name shown by viewers (default: from the\n"
		"                            output or input file name)\n"
		"      --no-phases           no phase root frames nor phase profiles\n"
		"      --buffer-size SIZE    samples held in memory before temporary files\n"
		"                            in $TMPDIR take them (default 256K; 0: none)\n",
		prog);
	dt_stacks_options_help(out);
	fprintf(out,
		"  -h, --help                this help\n"
		"      --version             print the version\n"
		"\n"
		"Exit status: 0 success, 1 failure (bad input, I/O), 2 bad command line.\n");
}

enum {
	OPT_NAME = 256,
	OPT_NO_PHASES,
	OPT_BUFFER_SIZE,
	OPT_VERSION,
	OPT_SHARED = 1000,
};

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

/* A positional file is perf script text unless its content says otherwise. */
static int looks_like_perf_script(const char *path)
{
	char buf[8192];
	FILE *f;
	size_t n;
	if (!strcmp(path, "-"))
		return 1;
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

int main(int argc, char **argv)
{
	struct dt_stacks_load_opts lo;
	struct dt_stacks_out_opts oo = { 0 };
	enum dt_stacks_format format = DT_STACKS_SPEEDSCOPE;
	const char *output = NULL;
	char err[CLI_ERRLEN];
	static const struct option own[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "no-phases", no_argument, NULL, OPT_NO_PHASES },
		{ "buffer-size", required_argument, NULL, OPT_BUFFER_SIZE },
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

	dt_stacks_load_opts_default(&lo);
	int c, status = CLI_EXIT_OK;
	while ((c = getopt_long(argc, argv, "i:o:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			lo.record_path = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'f':
			if (dt_stacks_format_parse(optarg, &format)) {
				free(longopts);
				return cli_usage_error(prog, "--format: unknown format '%s' "
						       "(speedscope, trace-event, folded)", optarg);
			}
			break;
		case OPT_NAME:
			oo.name = optarg;
			break;
		case OPT_NO_PHASES:
			oo.no_phase_roots = oo.no_phase_profiles = 1;
			break;
		case OPT_BUFFER_SIZE: {
			uint64_t bytes;
			if (dt_parse_size(optarg, &bytes) || bytes > SIZE_MAX / 2) {
				free(longopts);
				return cli_usage_error(prog, "--buffer-size: invalid value '%s': "
						       "expected a size such as 0, 64K or 16M",
						       optarg);
			}
			lo.memory = (size_t)bytes;
			break;
		}
		case 'h':
			usage(stdout);
			free(longopts);
			return CLI_EXIT_OK;
		case OPT_VERSION:
			cli_print_version(prog);
			free(longopts);
			return CLI_EXIT_OK;
		default:
			if (c >= OPT_SHARED && c < OPT_SHARED + (int)nshared) {
				if (dt_stacks_load_set_option(&lo, dt_stacks_options[c - OPT_SHARED].name,
							      optarg, err, sizeof(err)) < 0) {
					free(longopts);
					return cli_usage_error(prog, "%s", err);
				}
				break;
			}
			free(longopts);
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return CLI_EXIT_USAGE;
		}
	}
	free(longopts);
	if (optind < argc - 1)
		return cli_usage_error(prog, "too many arguments: at most one perf script file");
	if (optind == argc - 1) {
		const char *pos = argv[optind];
		if (looks_like_perf_script(pos)) {
			if (lo.perf_script_path)
				return cli_usage_error(prog, "two perf script files: '%s' and "
						       "--perf-script '%s'", pos, lo.perf_script_path);
			lo.perf_script_path = pos;
		} else {
			if (lo.record_path)
				return cli_usage_error(prog, "two records: '%s' and -i '%s'", pos,
						       lo.record_path);
			lo.record_path = pos;
		}
	}
	if (!lo.record_path && !lo.perf_script_path)
		lo.record_path = DTR_DEFAULT_PATH;
	if (lo.record_path && lo.perf_script_path && !strcmp(lo.record_path, "-") &&
	    !strcmp(lo.perf_script_path, "-"))
		return cli_usage_error(prog, "the record and the perf script cannot both be stdin");

	char name[256];
	if (!oo.name) {
		const char *from = output ? output :
				   lo.perf_script_path && strcmp(lo.perf_script_path, "-") ?
				   lo.perf_script_path : lo.record_path && strcmp(lo.record_path, "-") ?
				   lo.record_path : "damotrace";
		snprintf(name, sizeof(name), "%s", base_name(from));
		oo.name = name;
	}

	struct dt_stacks_profile *p;
	struct cli_progress progress;
	cli_progress_init(&progress);
	lo.progress = on_progress;
	lo.progress_ctx = &progress;
	int rc = dt_stacks_profile_load(&p, &lo, err, sizeof(err));
	cli_progress_done(&progress);
	if (rc) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	for (size_t i = 0; i < p->nr_warnings; i++)
		cli_warn(prog, "%s", p->warnings[i]);
	if (!dt_stacks_nr_samples(p->stacks)) {
		cli_error(prog, "%s: no callstack samples (record them with damo-record -g, or "
			  "give perf script text)", lo.record_path);
		dt_stacks_profile_free(p);
		return CLI_EXIT_FAILURE;
	}

	FILE *out = stdout;
	if (output && strcmp(output, "-")) {
		out = fopen(output, "w");
		if (!out) {
			cli_error(prog, "%s: %s", output, strerror(errno));
			dt_stacks_profile_free(p);
			return CLI_EXIT_FAILURE;
		}
	}
	int write_failed = 0;
	if (dt_stacks_write(out, format, p, &oo, err, sizeof(err))) {
		status = CLI_EXIT_FAILURE;
		/* A write error is told below, with its cause. */
		write_failed = ferror(out);
		if (!write_failed)
			cli_error(prog, "%s: %s", out == stdout ? "stdout" : output, err);
	}
	if (out != stdout) {
		int failure = cli_stream_failure(out);
		if (fclose(out) && !failure)
			failure = errno;
		if (failure && (write_failed || !status)) {
			cli_error(prog, "writing %s: %s", output, cli_failure_text(failure));
			status = CLI_EXIT_FAILURE;
		}
		/* Only a regular file is removed: a device (-o /dev/full) or a
		 * symbolic link given as output stays. */
		struct stat st;
		if (status && !lstat(output, &st) && S_ISREG(st.st_mode))
			unlink(output);
	} else if ((write_failed || !status) && cli_flush_stdout(prog)) {
		status = CLI_EXIT_FAILURE;
	}
	dt_stacks_profile_free(p);
	return status;
}
