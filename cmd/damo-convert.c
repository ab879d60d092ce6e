// SPDX-License-Identifier: GPL-2.0-only
/* damo-convert: records to and from damo's formats, CSV and NDJSON
 * (convert/input/input.h reads, convert/export/export.h writes). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dtr.h"
#include "export.h"
#include "input.h"

static const char *prog = "damo-convert";

static void usage(void)
{
	printf("Usage: %s [OPTION]... [INPUT] [-o OUTPUT]\n"
	       "Convert a DAMON record: damotrace records, damo's json, json_compressed and\n"
	       "legacy binary records, perf script or tracefs text of damon_aggregated, and\n"
	       "perf.data (read by content, whatever the name) into a damotrace record,\n"
	       "damo's json/json_compressed/perf_script, the text of damo's\n"
	       "'report access --raw_form', or CSV/NDJSON tables.\n"
	       "\n"
	       "INPUT defaults to %s; - reads standard input.\n"
	       "\n"
	       "  -o, --output FILE     write FILE (- for standard output); the format comes\n"
	       "                        from --to or else from FILE's extension\n"
	       "  -t, --to FORMAT       output format: dtr, json, json_compressed, perf_script,\n"
	       "                        damo-raw, csv, ndjson (see --list-formats)\n"
	       "      --what WHAT       for csv/ndjson: regions (one row per region, the\n"
	       "                        default) or wss (one row per snapshot)\n"
	       "      --perf_path PATH  perf binary used to read perf.data inputs (default perf)\n"
	       "      --salvage         read a damaged damotrace record up to the damage\n"
	       "      --list-formats    list the output formats and exit\n"
	       "  -h, --help            show this help\n"
	       "  -V, --version         show the version\n"
	       "\n"
	       "Without -o, text formats go to standard output.  A file output is written\n"
	       "under a temporary name and renamed when complete.\n"
	       "Exit status: 0 success, 1 failure (bad input, I/O), 2 bad command line.\n",
	       prog, DTR_DEFAULT_PATH);
}

static void list_formats(void)
{
	for (int f = DT_EXPORT_DTR; f <= DT_EXPORT_NDJSON; f++)
		printf("%-16s %s\n", dt_export_format_name((enum dt_export_format)f),
		       dt_export_format_description((enum dt_export_format)f));
	printf("\nInputs (detected by content): dtr, damo-json, damo-json-compressed, "
	       "damo-binary (v0, v1, v2),\nperf-script, tracefs-text, perf-data.\n");
}

enum { OPT_WHAT = 256, OPT_PERF_PATH, OPT_SALVAGE, OPT_LIST };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "to", required_argument, NULL, 't' },
		{ "what", required_argument, NULL, OPT_WHAT },
		{ "perf_path", required_argument, NULL, OPT_PERF_PATH },
		{ "perf-path", required_argument, NULL, OPT_PERF_PATH },
		{ "salvage", no_argument, NULL, OPT_SALVAGE },
		{ "list-formats", no_argument, NULL, OPT_LIST },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct dt_input_opts in_opts = { 0 };
	struct dt_export_opts ex_opts = { 0 };
	enum dt_export_format format = DT_EXPORT_UNKNOWN;
	const char *input = DTR_DEFAULT_PATH, *output = NULL;
	char err[CLI_ERRLEN];
	int c;

	cli_init(prog);
	while ((c = getopt_long(argc, argv, "o:t:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 't':
			if (dt_export_format_parse(optarg, &format))
				return cli_usage_error(prog, "unknown output format '%s' (see --list-formats)",
						       optarg);
			break;
		case OPT_WHAT:
			if (!strcmp(optarg, "regions"))
				ex_opts.what = DT_EXPORT_REGIONS;
			else if (!strcmp(optarg, "wss"))
				ex_opts.what = DT_EXPORT_WSS;
			else
				return cli_usage_error(prog, "--what takes regions or wss, not '%s'",
						       optarg);
			break;
		case OPT_PERF_PATH:
			in_opts.perf_path = optarg;
			break;
		case OPT_SALVAGE:
			in_opts.salvage = 1;
			break;
		case OPT_LIST:
			list_formats();
			return CLI_EXIT_OK;
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
		input = argv[optind++];
	if (optind < argc)
		return cli_usage_error(prog, "one input only ('%s' is extra)", argv[optind]);
	if (output && !strcmp(output, "-"))
		output = NULL;
	if (format == DT_EXPORT_UNKNOWN) {
		if (!output)
			return cli_usage_error(prog, "name the output format with --to, or an output "
						     "file with -o");
		if (dt_export_format_from_path(output, &format))
			return cli_usage_error(prog, "cannot tell the format of '%s' from its name: "
						     "use --to", output);
	}
	if (ex_opts.what == DT_EXPORT_WSS && format != DT_EXPORT_CSV && format != DT_EXPORT_NDJSON)
		return cli_usage_error(prog, "--what wss is for csv and ndjson outputs");
	if (!output && !dt_export_format_is_text(format) && isatty(STDOUT_FILENO))
		return cli_usage_error(prog, "%s output is binary: name a file with -o",
				       dt_export_format_name(format));

	struct dt_input *in;
	if (dt_input_open(&in, input, &in_opts, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}

	/* A file is written under a temporary name, renamed when complete, so
	 * that a failed conversion leaves no half-written output behind.  What
	 * is not a regular file (a device such as /dev/null, a FIFO, a symbolic
	 * link such as /dev/stdout) is written in place: renaming over it would
	 * replace the device or the link. */
	char *tmp_path = NULL;
	int fd = STDOUT_FILENO;
	const char *out_name = output ? output : "stdout";
	struct stat out_st;
	if (output && !lstat(output, &out_st) && !S_ISREG(out_st.st_mode)) {
		fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			cli_error(prog, "%s: cannot open: %s", output, strerror(errno));
			dt_input_close(in);
			return CLI_EXIT_FAILURE;
		}
		output = NULL; /* nothing to rename nor remove */
	} else if (output) {
		size_t n = strlen(output) + 16;
		tmp_path = malloc(n);
		if (!tmp_path) {
			cli_error(prog, "out of memory");
			dt_input_close(in);
			return CLI_EXIT_FAILURE;
		}
		snprintf(tmp_path, n, "%s.tmpXXXXXX", output);
		fd = mkstemp(tmp_path);
		if (fd < 0) {
			cli_error(prog, "%s: cannot create: %s", output, strerror(errno));
			free(tmp_path);
			dt_input_close(in);
			return CLI_EXIT_FAILURE;
		}
		fchmod(fd, 0644);
	}

	struct dt_export *ex;
	int ret = dt_export_open(&ex, format, &ex_opts, fd, out_name, err, sizeof(err));
	if (ret) {
		cli_error(prog, "%s", err);
		goto fail_output;
	}

	struct cli_progress bar;
	struct dtr_item item;
	uint64_t nr_snapshots = 0;
	cli_progress_init(&bar);
	while ((ret = dt_input_next(in, &item, err, sizeof(err))) > 0) {
		if (item.type == DTR_ITEM_SNAPSHOT && !(++nr_snapshots & 63) && cli_progress_due(&bar))
			cli_progress_draw(&bar, "%s: %llu snapshots converted", prog,
					  (unsigned long long)nr_snapshots);
		ret = dt_export_put(ex, &item, err, sizeof(err));
		if (ret)
			break;
	}
	cli_progress_done(&bar);
	if (ret < 0) {
		cli_error(prog, "%s", err);
		dt_export_abort(ex);
		goto fail_output;
	}
	ret = dt_export_close(ex, err, sizeof(err));
	if (ret) {
		cli_error(prog, "%s", err);
		goto fail_output;
	}
	dt_input_close(in);
	if (fd != STDOUT_FILENO && !output && close(fd)) {
		cli_error(prog, "%s: %s", out_name, strerror(errno));
		return CLI_EXIT_FAILURE;
	}
	if (output) {
		if (close(fd) || rename(tmp_path, output)) {
			cli_error(prog, "%s: %s", output, strerror(errno));
			unlink(tmp_path);
			free(tmp_path);
			return CLI_EXIT_FAILURE;
		}
		free(tmp_path);
	}
	return CLI_EXIT_OK;

fail_output:
	dt_input_close(in);
	if (fd != STDOUT_FILENO && !output)
		close(fd);
	if (output) {
		close(fd);
		unlink(tmp_path);
		free(tmp_path);
	}
	return CLI_EXIT_FAILURE;
}
