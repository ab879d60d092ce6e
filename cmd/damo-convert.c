// SPDX-License-Identifier: GPL-2.0-only
/* damo-convert: records to and from damo's formats, CSV and NDJSON
 * (convert/input/input.h reads, convert/export/export.h writes), and many
 * records into one dataset of tables (convert/export/dataset.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dataset.h"
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
	int what;                   /* -1: no --what */
	const char *input, *output; /* output NULL: standard output */
	const char *dataset, *hostname;
	char **inputs;              /* with --dataset: every operand */
	int nr_inputs;
};

/* The rest of the command line with --dataset: OPT_RUN or an exit code. */
static int dataset_args(struct args *a, int nr_operands, char **operands)
{
	if (a->output)
		return cli_usage_error(prog, "--dataset writes into its folder: drop -o");
	if (a->format == DT_EXPORT_UNKNOWN)
		a->format = DT_EXPORT_CSV;
	if (a->format != DT_EXPORT_CSV && a->format != DT_EXPORT_NDJSON)
		return cli_usage_error(prog, "a dataset holds csv or ndjson tables, not %s",
				       dt_export_format_name(a->format));
	if (!nr_operands)
		return cli_usage_error(prog, "--dataset needs the records to add");
	a->inputs = operands;
	a->nr_inputs = nr_operands;
	return OPT_RUN;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	const struct opt opts[] = {
		OPT_STRING('o', "output", &a->output, "FILE",
			   "write FILE (- for standard output); the format comes from --to or "
			   "else from FILE's extension"),
		OPT_CALLBACK('t', "to", &a->format, "FORMAT",
			     "output format: dtr, json, json_compressed, perf_script, damo-raw, csv, "
			     "ndjson (see --list-formats)", opt_to),
		OPT_CHOICE(0, "what", &a->what, "WHAT",
			   "--what takes regions, wss, footprint or targets, not '%s'",
			   "for csv/ndjson: regions (one row per region, the default), wss (one "
			   "row per snapshot), footprint (one row per memory footprint) or targets "
			   "(one row per target); with --dataset, only that table",
			   { "regions", DT_EXPORT_REGIONS }, { "wss", DT_EXPORT_WSS },
			   { "footprint", DT_EXPORT_FOOTPRINT }, { "targets", DT_EXPORT_TARGETS }),
		OPT_STRING(0, "dataset", &a->dataset, "DIR",
			   "add every INPUT to the dataset DIR: its regions, wss, footprint and "
			   "targets tables as hive-style partitions TABLE/host=HOST/record=ID/ (csv, "
			   "or ndjson with --to)"),
		OPT_STRING(0, "hostname", &a->hostname, "NAME",
			   "with --dataset: file every INPUT under host NAME (default: the record's "
			   "hostname, else unknown)"),
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
		.usage = (const char *const[]){ "[OPTION]... [INPUT] [-o OUTPUT]",
						"--dataset DIR [--to csv|ndjson] [OPTION]... INPUT...",
						NULL },
		.about = "Convert a DAMON record: damotrace records, damo's json, json_compressed and\n"
			 "legacy binary records, perf script or tracefs text of damon_aggregated, and\n"
			 "perf.data (read by content, whatever the name) into a damotrace record,\n"
			 "damo's json/json_compressed/perf_script, the text of damo's\n"
			 "'report access --raw_form', or CSV/NDJSON tables; or many records into\n"
			 "one dataset of tables for DuckDB, Spark and pandas (--dataset).\n"
			 "\n"
			 "INPUT defaults to " DTR_DEFAULT_PATH "; - reads standard input.\n",
		.opts = opts,
		.max_operands = OPT_ANY_OPERANDS,
		.extra_operand = "one input only ('%s' is extra)",
		.notes = "Without -o, text formats go to standard output.  A file output is written\n"
			 "under a temporary name and renamed when complete.",
	};
	int i;

	*a = (struct args){ .format = DT_EXPORT_UNKNOWN, .what = -1, .input = DTR_DEFAULT_PATH };
	int status = opt_parse(&cmd, argc, argv, &i);
	if (status != OPT_RUN)
		return status;
	if (a->dataset)
		return dataset_args(a, argc - i, argv + i);
	if (a->hostname)
		return cli_usage_error(prog, "--hostname names the host of --dataset inputs");
	if (argc - i > 1)
		return cli_usage_error(prog, "one input only ('%s' is extra); many go to --dataset",
				       argv[i + 1]);
	if (i < argc)
		a->input = argv[i];
	a->ex_opts.what = a->what < 0 ? DT_EXPORT_REGIONS : (enum dt_export_what)a->what;
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
				       dt_dataset_table_name(a->ex_opts.what));
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

/* Every input into the dataset, one line on standard output for each:
 * "host=H/record=ID INPUT".  An input that fails is skipped after its
 * message.  0, or -1 when one failed. */
static int add_to_dataset(const struct args *a)
{
	struct dt_dataset_opts o = { .format = a->format, .hostname = a->hostname,
				     .tables = a->what < 0 ? 0 : DT_DATASET_TABLE(a->what) };
	char err[CLI_ERRLEN];
	int failed = 0;

	for (int k = 0; k < a->nr_inputs; k++) {
		struct dt_dataset_record rec;

		if (dt_dataset_add(a->dataset, a->inputs[k], &a->in_opts, &o, &rec, err,
				   sizeof(err))) {
			cli_error(prog, "%s", err);
			failed = 1;
			continue;
		}
		printf("host=%s/record=%s %s\n", rec.host, rec.id, a->inputs[k]);
	}
	return failed ? -1 : 0;
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
	if (a.dataset)
		return add_to_dataset(&a) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
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
