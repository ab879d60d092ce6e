// SPDX-License-Identifier: GPL-2.0-only
/* damo-convert: records to and from damo's formats, CSV and NDJSON
 * (convert/input/input.h reads, convert/export/export.h writes). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dtr.h"
#include "export.h"
#include "input.h"
#include "options.h"
#include "output.h"

static const char *prog = "damo-convert";

static int list_formats(const struct opt *o, const char *arg, struct opt_parser *p)
{
	(void)o;
	(void)arg;
	(void)p;
	for (int f = DT_EXPORT_DTR; f <= DT_EXPORT_NDJSON; f++)
		printf("%-16s %s\n", dt_export_format_name((enum dt_export_format)f),
		       dt_export_format_description((enum dt_export_format)f));
	printf("\nInputs (detected by content): dtr, damo-json, damo-json-compressed, "
	       "damo-binary (v0, v1, v2),\nperf-script, tracefs-text, perf-data.\n");
	return OPT_CB_DONE;
}

static int opt_to(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (dt_export_format_parse(arg, o->value))
		return opt_fail(p, "unknown output format '%s' (see --list-formats)", arg);
	return 0;
}

struct args {
	struct dt_input_opts in_opts;
	struct dt_export_opts ex_opts;
	enum dt_export_format format;
	const char *input, *output; /* output NULL: standard output */
};

static int parse_args(int argc, char **argv, struct args *a)
{
	const struct opt opts[] = {
		OPT_STRING('o', "output", &a->output, "FILE",
			   "write FILE (- for standard output); the format comes from --to or "
			   "else from FILE's extension"),
		OPT_CALLBACK('t', "to", &a->format, "FORMAT",
			     "output format: dtr, json, json_compressed, perf_script, damo-raw, csv, "
			     "ndjson (see --list-formats)", opt_to),
		OPT_CHOICE(0, "what", &a->ex_opts.what, "WHAT",
			   "--what takes regions, wss or footprint, not '%s'",
			   "for csv/ndjson: regions (one row per region, the default), wss (one "
			   "row per snapshot) or footprint (one row per memory footprint)",
			   { "regions", DT_EXPORT_REGIONS }, { "wss", DT_EXPORT_WSS },
			   { "footprint", DT_EXPORT_FOOTPRINT }),
		OPT_STRING(0, "perf_path", &a->in_opts.perf_path, "PATH",
			   "perf binary used to read perf.data inputs (default perf)"),
		OPT_ALIAS("perf-path"),
		OPT_BOOL(0, "salvage", &a->in_opts.salvage,
			 "read a damaged damotrace record up to the damage"),
		OPT_CALLBACK_NOARG(0, "list-formats", NULL, "list the output formats and exit",
				   list_formats),
		OPT_HELP('h'),
		OPT_VERSION('V'),
		OPT_END(),
	};
	const struct opt_cmd cmd = {
		.name = prog,
		.usage = (const char *const[]){ "[OPTION]... [INPUT] [-o OUTPUT]", NULL },
		.about = "Convert a DAMON record: damotrace records, damo's json, json_compressed and\n"
			 "legacy binary records, perf script or tracefs text of damon_aggregated, and\n"
			 "perf.data (read by content, whatever the name) into a damotrace record,\n"
			 "damo's json/json_compressed/perf_script, the text of damo's\n"
			 "'report access --raw_form', or CSV/NDJSON tables.\n"
			 "\n"
			 "INPUT defaults to " DTR_DEFAULT_PATH "; - reads standard input.\n",
		.opts = opts,
		.max_operands = 1,
		.extra_operand = "one input only ('%s' is extra)",
		.notes = "Without -o, text formats go to standard output.  A file output is written\n"
			 "under a temporary name and renamed when complete.",
	};
	int i;

	*a = (struct args){ .format = DT_EXPORT_UNKNOWN, .input = DTR_DEFAULT_PATH };
	int status = opt_parse(&cmd, argc, argv, &i);
	if (status != OPT_RUN)
		return status;
	if (i < argc)
		a->input = argv[i];
	if (a->output && !strcmp(a->output, "-"))
		a->output = NULL;
	if (a->format == DT_EXPORT_UNKNOWN) {
		if (!a->output)
			return cli_usage_error(prog, "name the output format with --to, or an output "
						     "file with -o");
		if (dt_export_format_from_path(a->output, &a->format))
			return cli_usage_error(prog, "cannot tell the format of '%s' from its name: "
						     "use --to", a->output);
	}
	if (a->ex_opts.what != DT_EXPORT_REGIONS && a->format != DT_EXPORT_CSV &&
	    a->format != DT_EXPORT_NDJSON)
		return cli_usage_error(prog, "--what %s is for csv and ndjson outputs",
				       a->ex_opts.what == DT_EXPORT_WSS ? "wss" : "footprint");
	if (!a->output && !dt_export_format_is_text(a->format) && isatty(STDOUT_FILENO))
		return cli_usage_error(prog, "%s output is binary: name a file with -o",
				       dt_export_format_name(a->format));
	return OPT_RUN;
}

/* Every item of `in` through the exporter: 0, or -1 after saying why. */
static int convert(const struct args *a, struct dt_input *in, const struct dt_output *out)
{
	struct dt_export *ex;
	struct cli_progress bar;
	struct dtr_item item;
	uint64_t nr_snapshots = 0;
	char err[CLI_ERRLEN];
	int ret;

	if (dt_export_open(&ex, a->format, &a->ex_opts, out->fd, out->name, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return -1;
	}
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
		return -1;
	}
	if (dt_export_close(ex, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a;
	struct dt_input *in;
	struct dt_output out;
	char err[CLI_ERRLEN];
	int ret;

	cli_init(prog);
	ret = parse_args(argc, argv, &a);
	if (ret != OPT_RUN)
		return ret;
	const struct dt_output_opts oo = { .inputs = &a.input, .nr_inputs = 1 };
	if (dt_output_check_inputs(a.output, &oo, err, sizeof(err)) ||
	    dt_input_open(&in, a.input, &a.in_opts, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	if (dt_output_open(&out, a.output, &oo, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		dt_input_close(in);
		return CLI_EXIT_FAILURE;
	}
	ret = convert(&a, in, &out);
	dt_input_close(in);
	if (ret) {
		dt_output_abort(&out);
		return CLI_EXIT_FAILURE;
	}
	if (dt_output_commit(&out, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	return CLI_EXIT_OK;
}
