// SPDX-License-Identifier: GPL-2.0-only
/* damo-synth: write a synthetic record (convert/input/synth.h does the work). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dtr.h"
#include "synth.h"
#include "units.h"

static const char *prog = "damo-synth";

static void usage(void)
{
	printf("Usage: %s [-o FILE] [OPTION]...\n"
	       "Write a synthetic DAMON record: a process-like address space whose hot\n"
	       "ranges and working set change from phase to phase.\n"
	       "\n"
	       "  -o, --output FILE    record to write (default %s; - for stdout)\n"
	       "      --snapshots N    snapshots per target (default 600)\n"
	       "      --regions R      regions per snapshot (default 400)\n"
	       "      --seed S         random seed; the same seed gives the same file (default 1)\n"
	       "      --targets T      monitoring targets (processes) (default 1)\n"
	       "      --stacks         add callstack samples (100 per second)\n"
	       "      --sample US      sampling interval (default 5ms)\n"
	       "      --aggr US        aggregation interval (default 100ms)\n"
	       "      --update US      regions update interval (default 1s)\n"
	       "      --truth FILE     write the phases (ground truth) to FILE as text\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n"
	       "\n"
	       "Intervals take damo's spellings: a bare number is microseconds, or 5ms, 1.5s.\n"
	       "Exit status: 0 success, 1 failure, 2 bad command line.\n",
	       prog, DTR_DEFAULT_PATH);
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

enum { OPT_SNAPSHOTS = 256, OPT_REGIONS, OPT_SEED, OPT_TARGETS, OPT_STACKS, OPT_SAMPLE,
       OPT_AGGR, OPT_UPDATE, OPT_TRUTH };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "snapshots", required_argument, NULL, OPT_SNAPSHOTS },
		{ "regions", required_argument, NULL, OPT_REGIONS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "targets", required_argument, NULL, OPT_TARGETS },
		{ "stacks", no_argument, NULL, OPT_STACKS },
		{ "sample", required_argument, NULL, OPT_SAMPLE },
		{ "aggr", required_argument, NULL, OPT_AGGR },
		{ "update", required_argument, NULL, OPT_UPDATE },
		{ "truth", required_argument, NULL, OPT_TRUTH },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct dt_synth_opts o;
	const char *out = DTR_DEFAULT_PATH, *truth_path = NULL;
	char err[CLI_ERRLEN];
	uint64_t v;
	int c;

	cli_init(prog);
	dt_synth_default_opts(&o);
	while ((c = getopt_long(argc, argv, "o:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_SNAPSHOTS:
		case OPT_REGIONS:
		case OPT_SEED:
		case OPT_TARGETS:
			if (dt_parse_u64(optarg, &v))
				return cli_usage_error(prog, "bad number '%s'", optarg);
			if (c == OPT_SNAPSHOTS)
				o.nr_snapshots = v;
			else if (c == OPT_REGIONS)
				o.nr_regions = v;
			else if (c == OPT_SEED)
				o.seed = v;
			else if (v < 1 || v > 1024)
				return cli_usage_error(prog, "--targets must be 1 to 1024");
			else
				o.nr_targets = (uint32_t)v;
			break;
		case OPT_STACKS:
			o.stacks = 1;
			break;
		case OPT_SAMPLE:
		case OPT_AGGR:
		case OPT_UPDATE:
			if (dt_parse_duration_us(optarg, &v))
				return cli_usage_error(prog, "bad interval '%s'", optarg);
			if (c == OPT_SAMPLE)
				o.sample_us = v;
			else if (c == OPT_AGGR)
				o.aggr_us = v;
			else
				o.update_us = v;
			break;
		case OPT_TRUTH:
			truth_path = optarg;
			break;
		case 'h':
			usage();
			return CLI_EXIT_OK;
		case 'V':
			cli_print_version(prog);
			return CLI_EXIT_OK;
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
	if (o.nr_regions > 100000000)
		return cli_usage_error(prog, "--regions must be at most 100000000");
	if (!o.aggr_us || !o.sample_us || o.sample_us > o.aggr_us)
		return cli_usage_error(prog, "--sample and --aggr must be non-zero, sample at most aggr");

	if (dt_synth_check(&o, err, sizeof(err)))
		return cli_usage_error(prog, "%s", err);

	FILE *truth = NULL;
	if (truth_path && !(truth = fopen(truth_path, "w"))) {
		cli_error(prog, "%s: cannot create: %s", truth_path, strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { 0 };
	int ret;
	if (!strcmp(out, "-")) {
		wo.no_fsync = 1;
		ret = dtr_writer_open_fd(&w, STDOUT_FILENO, "stdout", &wo, err, sizeof(err));
	} else {
		ret = dtr_writer_open(&w, out, &wo, err, sizeof(err));
	}
	if (ret) {
		cli_error(prog, "%s", err);
		if (truth)
			fclose(truth);
		return CLI_EXIT_FAILURE;
	}
	struct progress_ctx pc;
	cli_progress_init(&pc.bar);
	ret = dt_synth_write(&o, w, truth, on_progress, &pc, err, sizeof(err));
	cli_progress_done(&pc.bar);
	if (ret) {
		dtr_writer_abort(w);
		if (strcmp(out, "-"))
			unlink(out); /* a half-made synthetic record is of no use */
		if (truth && ferror(truth))
			cli_error(prog, "%s: %s", truth_path, err);
		else
			cli_error(prog, "%s", err);
		if (truth)
			fclose(truth);
		return CLI_EXIT_FAILURE;
	}
	if ((ret = dtr_writer_close(w, err, sizeof(err)))) {
		cli_error(prog, "%s", err);
		if (truth)
			fclose(truth);
		return CLI_EXIT_FAILURE;
	}
	if (truth && fclose(truth)) {
		cli_error(prog, "%s: %s", truth_path, strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	return CLI_EXIT_OK;
}
