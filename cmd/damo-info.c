// SPDX-License-Identifier: GPL-2.0-only
/* damo-info: what a record holds, and whether it is intact. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "grow.h"
#include "dtr.h"
#include "errmsg.h"
#include "input.h"
#include "json_writer.h"
#include "options.h"
#include "report.h"
#include "shared_opts.h"
#include "units.h"

static const char *prog = "damo-info";

#define MAX_KEPT_INTERVALS 32
#define MAX_KEPT_CLOCKS 16

struct target_info {
	uint32_t index;
	uint64_t id;
	int64_t pid;
	char *cmdline;
	uint64_t nr_snapshots, nr_regions, nr_incomplete;
	double wss_sum; /* bytes in regions with nr_accesses > 0, summed over snapshots */
	uint64_t nr_wss;
	uint64_t start_ns, end_ns;
};

struct context_info {
	uint32_t kdamond, context;
	enum dtr_ops ops;
	uint64_t min_nr_regions, max_nr_regions;
	size_t nr_targets, cap_targets;
	struct target_info *targets;
};

struct clock_info {
	enum dtr_clock clock;
	char *label;
	uint32_t has;
	uint64_t monotonic_ns, perf_ns, realtime_ns;
};

struct info {
	const char *path;
	const char *format;
	size_t nr_meta, cap_meta; /* cap_meta: pointers, two a pair */
	char **meta; /* key, value, key, value, ... */
	size_t nr_contexts, cap_contexts;
	struct context_info *contexts;
	struct dtr_intervals intervals[MAX_KEPT_INTERVALS];
	uint64_t nr_intervals;
	struct clock_info clocks[MAX_KEPT_CLOCKS];
	uint64_t nr_clocks;
	uint64_t nr_snapshots, nr_regions, nr_stacks, nr_frames, nr_threads, nr_maps,
		 nr_footprints;
	int have_time;
	uint64_t start_ns, end_ns;
	int have_end;
	struct dtr_end end;
	struct dtr_reader_status st;
};

/* ---------------------------------------------------------------- input */

/* Any input the input layer reads (detected by content), not only .dtr. */
struct source {
	struct dt_input *input;
};

static int source_open(struct source *s, const char *path, int salvage, const char **format,
		       char *err, size_t errlen)
{
	struct dt_input_opts o = { .salvage = salvage };
	int ret = dt_input_open(&s->input, path, &o, err, errlen);

	if (!ret)
		*format = dt_input_format_name(dt_input_format(s->input));
	return ret;
}

static int source_next(struct source *s, struct dtr_item *item, char *err, size_t errlen)
{
	return dt_input_next(s->input, item, err, errlen);
}

static void source_status(struct source *s, struct dtr_reader_status *st)
{
	dt_input_status(s->input, st);
}

static void source_close(struct source *s)
{
	dt_input_close(s->input);
}

/* -------------------------------------------------------------- collect */

/* DT_GROW, or the command ends: out of memory. */
#define XGROW(ptr, alloc, need) xgrow(DT_GROW(ptr, alloc, need))
static void xgrow(int ret)
{
	if (ret) {
		cli_error(prog, "out of memory");
		exit(CLI_EXIT_FAILURE);
	}
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d) {
		cli_error(prog, "out of memory");
		exit(CLI_EXIT_FAILURE);
	}
	return d;
}

static struct context_info *find_context(struct info *in, uint32_t kd, uint32_t ctx)
{
	for (size_t i = 0; i < in->nr_contexts; i++)
		if (in->contexts[i].kdamond == kd && in->contexts[i].context == ctx)
			return &in->contexts[i];
	XGROW(in->contexts, in->cap_contexts, in->nr_contexts + 1);
	struct context_info *c = &in->contexts[in->nr_contexts++];
	memset(c, 0, sizeof(*c));
	c->kdamond = kd;
	c->context = ctx;
	return c;
}

static struct target_info *find_target(struct context_info *c, uint32_t index)
{
	for (size_t i = 0; i < c->nr_targets; i++)
		if (c->targets[i].index == index)
			return &c->targets[i];
	XGROW(c->targets, c->cap_targets, c->nr_targets + 1);
	struct target_info *t = &c->targets[c->nr_targets++];
	memset(t, 0, sizeof(*t));
	t->index = index;
	t->pid = -1;
	t->cmdline = xstrdup("");
	return t;
}

static void note_time(struct info *in, uint64_t start, uint64_t end)
{
	if (!in->have_time || start < in->start_ns)
		in->start_ns = start;
	if (!in->have_time || end > in->end_ns)
		in->end_ns = end;
	in->have_time = 1;
}

static void collect(struct info *in, const struct dtr_item *it)
{
	switch (it->type) {
	case DTR_ITEM_META:
		XGROW(in->meta, in->cap_meta, (in->nr_meta + it->u.meta.nr) * 2);
		for (size_t i = 0; i < it->u.meta.nr; i++) {
			in->meta[2 * in->nr_meta] = xstrdup(it->u.meta.kvs[i].key);
			in->meta[2 * in->nr_meta + 1] = xstrdup(it->u.meta.kvs[i].value);
			in->nr_meta++;
		}
		break;
	case DTR_ITEM_CONTEXT: {
		const struct dtr_context *x = &it->u.context;
		struct context_info *c = find_context(in, x->kdamond, x->context);
		c->ops = x->ops;
		c->min_nr_regions = x->min_nr_regions;
		c->max_nr_regions = x->max_nr_regions;
		for (size_t i = 0; i < x->nr_targets; i++) {
			struct target_info *t = find_target(c, x->targets[i].index);
			t->id = x->targets[i].id;
			t->pid = x->targets[i].pid;
			free(t->cmdline);
			t->cmdline = xstrdup(x->targets[i].cmdline);
		}
		break;
	}
	case DTR_ITEM_INTERVALS:
		if (in->nr_intervals < MAX_KEPT_INTERVALS)
			in->intervals[in->nr_intervals] = it->u.intervals;
		in->nr_intervals++;
		break;
	case DTR_ITEM_CLOCKS:
		if (in->nr_clocks < MAX_KEPT_CLOCKS) {
			struct clock_info *k = &in->clocks[in->nr_clocks];
			k->clock = it->u.clocks.clock;
			k->label = xstrdup(it->u.clocks.label);
			k->has = it->u.clocks.has;
			k->monotonic_ns = it->u.clocks.monotonic_ns;
			k->perf_ns = it->u.clocks.perf_ns;
			k->realtime_ns = it->u.clocks.realtime_ns;
		}
		in->nr_clocks++;
		break;
	case DTR_ITEM_SNAPSHOT: {
		const struct dtr_snapshot *s = &it->u.snapshot;
		struct target_info *t = find_target(find_context(in, s->kdamond, s->context),
						    s->target);
		if (!t->nr_snapshots || s->start_ns < t->start_ns)
			t->start_ns = s->start_ns;
		if (!t->nr_snapshots || s->end_ns > t->end_ns)
			t->end_ns = s->end_ns;
		t->nr_snapshots++;
		t->nr_regions += s->nr_regions;
		if (s->flags & DTR_SNAPSHOT_INCOMPLETE)
			t->nr_incomplete++;
		if (s->access_unit != DTR_UNIT_ABSENT) {
			uint64_t wss = 0;
			for (uint64_t i = 0; i < s->nr_regions; i++)
				if (s->regions[i].nr_accesses)
					wss += s->regions[i].end - s->regions[i].start;
			t->wss_sum += (double)wss;
			t->nr_wss++;
		}
		in->nr_snapshots++;
		in->nr_regions += s->nr_regions;
		note_time(in, s->start_ns, s->end_ns);
		break;
	}
	case DTR_ITEM_FRAME:
		in->nr_frames++;
		break;
	case DTR_ITEM_STACK:
		in->nr_stacks++;
		note_time(in, it->u.stack.time_ns, it->u.stack.time_ns);
		break;
	case DTR_ITEM_THREAD:
		in->nr_threads++;
		break;
	case DTR_ITEM_MAPS:
		in->nr_maps++;
		break;
	case DTR_ITEM_FOOTPRINT:
		in->nr_footprints++;
		break;
	case DTR_ITEM_END:
		in->have_end = 1;
		in->end = it->u.end;
		break;
	}
}

static void info_free(struct info *in)
{
	for (size_t i = 0; i < 2 * in->nr_meta; i++)
		free(in->meta[i]);
	free(in->meta);
	for (size_t i = 0; i < in->nr_contexts; i++) {
		for (size_t k = 0; k < in->contexts[i].nr_targets; k++)
			free(in->contexts[i].targets[k].cmdline);
		free(in->contexts[i].targets);
	}
	free(in->contexts);
	for (uint64_t i = 0; i < in->nr_clocks && i < MAX_KEPT_CLOCKS; i++)
		free(in->clocks[i].label);
}

/* ----------------------------------------------------------------- text */

static const char *secs(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64 " s", ns / 1000000000u, ns % 1000000000u);
	return buf;
}

static void print_text(const struct info *in)
{
	char a[64], b[64], c[64];
	const struct dtr_reader_status *st = &in->st;

	/* Text from the record and the command line is escaped: a report
	 * holds no raw control characters, escape sequences or newlines. */
	printf("record: ");
	dt_fputs_safe(in->path, stdout);
	putchar('\n');
	if (strcmp(in->format, "dtr"))
		printf("format: %s\n", in->format);
	else
		printf("format: dtr %u.%u, %" PRIu64 " bytes\n", st->version_major,
		       st->version_minor, st->file_bytes ? st->file_bytes : st->valid_bytes);
	if (strcmp(in->format, "dtr"))
		;
	else if (st->damaged)
		printf("closed cleanly: no; damaged at offset %" PRIu64 ", recovered %" PRIu64
		       " bytes (%" PRIu64 " chunks)\n",
		       st->damage_offset, st->valid_bytes, st->nr_chunks);
	else if (!st->clean_close)
		printf("closed cleanly: no (no end marker); recovered %" PRIu64 " bytes (%" PRIu64
		       " chunks)\n", st->valid_bytes, st->nr_chunks);
	else
		printf("closed cleanly: yes\n");
	for (size_t i = 0; i < in->nr_meta; i++)
	{
		printf("meta: ");
		dt_fputs_safe(in->meta[2 * i], stdout);
		printf(" = ");
		dt_fputs_safe(in->meta[2 * i + 1], stdout);
		putchar('\n');
	}
	if (in->have_time)
		printf("time: %s to %s (%s)\n", secs(a, sizeof(a), in->start_ns),
		       secs(b, sizeof(b), in->end_ns),
		       dt_format_duration_ns(c, sizeof(c), in->end_ns - in->start_ns));
	else
		printf("time: none\n");
	printf("snapshots: %" PRIu64 "\nregions: %" PRIu64 "\nstack samples: %" PRIu64
	       "\nframes: %" PRIu64 "\nthreads: %" PRIu64 "\nmemory maps: %" PRIu64
	       "\nfootprints: %" PRIu64 "\n",
	       in->nr_snapshots, in->nr_regions, in->nr_stacks, in->nr_frames, in->nr_threads,
	       in->nr_maps, in->nr_footprints);
	for (size_t i = 0; i < in->nr_contexts; i++) {
		const struct context_info *x = &in->contexts[i];
		printf("kdamond %u context %u: ops %s, nr_regions %" PRIu64 "..%" PRIu64 "\n",
		       x->kdamond, x->context, dtr_ops_name(x->ops), x->min_nr_regions,
		       x->max_nr_regions);
		for (size_t k = 0; k < x->nr_targets; k++) {
			const struct target_info *t = &x->targets[k];
			printf("  target %u: id %" PRIu64 ", pid %" PRId64 ", cmdline \"", t->index,
			       t->id, t->pid);
			dt_fputs_safe(t->cmdline, stdout);
			printf("\"\n");
			printf("    snapshots %" PRIu64 ", regions %" PRIu64, t->nr_snapshots,
			       t->nr_regions);
			if (t->nr_snapshots)
				printf(" (%.1f per snapshot)", (double)t->nr_regions / (double)t->nr_snapshots);
			if (t->nr_incomplete)
				printf(", %" PRIu64 " incomplete", t->nr_incomplete);
			if (t->nr_wss)
				printf(", mean WSS %s",
				       dt_format_bytes(a, sizeof(a), (uint64_t)(t->wss_sum / (double)t->nr_wss)));
			printf("\n");
			if (t->nr_snapshots)
				printf("    time %s to %s\n", secs(a, sizeof(a), t->start_ns),
				       secs(b, sizeof(b), t->end_ns));
		}
	}
	for (uint64_t i = 0; i < in->nr_intervals && i < MAX_KEPT_INTERVALS; i++) {
		const struct dtr_intervals *v = &in->intervals[i];
		printf("intervals: kdamond %u context %u from %s: sample %" PRIu64 " us, aggr %" PRIu64
		       " us, update %" PRIu64 " us\n", v->kdamond, v->context,
		       secs(a, sizeof(a), v->time_ns), v->sample_us, v->aggr_us, v->update_us);
	}
	if (in->nr_intervals > MAX_KEPT_INTERVALS)
		printf("intervals: ... %" PRIu64 " more changes\n", in->nr_intervals - MAX_KEPT_INTERVALS);
	for (uint64_t i = 0; i < in->nr_clocks && i < MAX_KEPT_CLOCKS; i++) {
		const struct clock_info *k = &in->clocks[i];
		printf("clocks: ");
		dt_fputs_safe(k->label, stdout);
		printf(", record on %s", dtr_clock_name(k->clock));
		if (k->has & DTR_HAS_MONOTONIC)
			printf(", monotonic %" PRIu64, k->monotonic_ns);
		if (k->has & DTR_HAS_PERF)
			printf(", perf %" PRIu64, k->perf_ns);
		if (k->has & DTR_HAS_REALTIME)
			printf(", realtime %" PRIu64, k->realtime_ns);
		printf("\n");
	}
	if (in->nr_clocks > MAX_KEPT_CLOCKS)
		printf("clocks: ... %" PRIu64 " more readings\n", in->nr_clocks - MAX_KEPT_CLOCKS);
}

/* ----------------------------------------------------------------- json */

static void print_json(const struct info *in)
{
	const struct dtr_reader_status *st = &in->st;

	printf("{\"file\":");
	dt_json_string(stdout, in->path);
	printf(",\"format\":");
	dt_json_string(stdout, in->format);
	if (!strcmp(in->format, "dtr")) {
		printf(",\"version\":\"%u.%u\",\"file_bytes\":%" PRIu64 ",\"valid_bytes\":%" PRIu64
		       ",\"chunks\":%" PRIu64 ",\"clean_close\":%s,\"damaged\":%s",
		       st->version_major, st->version_minor, st->file_bytes, st->valid_bytes,
		       st->nr_chunks, st->clean_close ? "true" : "false",
		       st->damaged ? "true" : "false");
		if (st->damaged)
			printf(",\"damage_offset\":%" PRIu64, st->damage_offset);
	}
	printf(",\"meta\":{");
	for (size_t i = 0; i < in->nr_meta; i++) {
		printf(i ? "," : "");
		dt_json_string(stdout, in->meta[2 * i]);
		putchar(':');
		dt_json_string(stdout, in->meta[2 * i + 1]);
	}
	printf("}");
	if (in->have_time)
		printf(",\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64 ",\"duration_ns\":%" PRIu64,
		       in->start_ns, in->end_ns, in->end_ns - in->start_ns);
	printf(",\"snapshots\":%" PRIu64 ",\"regions\":%" PRIu64 ",\"stacks\":%" PRIu64
	       ",\"frames\":%" PRIu64 ",\"threads\":%" PRIu64 ",\"maps\":%" PRIu64
	       ",\"footprints\":%" PRIu64,
	       in->nr_snapshots, in->nr_regions, in->nr_stacks, in->nr_frames, in->nr_threads,
	       in->nr_maps, in->nr_footprints);
	printf(",\"contexts\":[");
	for (size_t i = 0; i < in->nr_contexts; i++) {
		const struct context_info *x = &in->contexts[i];
		printf("%s{\"kdamond\":%u,\"context\":%u,\"ops\":\"%s\",\"min_nr_regions\":%" PRIu64
		       ",\"max_nr_regions\":%" PRIu64 ",\"targets\":[",
		       i ? "," : "", x->kdamond, x->context, dtr_ops_name(x->ops),
		       x->min_nr_regions, x->max_nr_regions);
		for (size_t k = 0; k < x->nr_targets; k++) {
			const struct target_info *t = &x->targets[k];
			printf("%s{\"index\":%u,\"id\":\"%" PRIu64 "\",\"pid\":%" PRId64 ",\"cmdline\":",
			       k ? "," : "", t->index, t->id, t->pid);
			dt_json_string(stdout, t->cmdline);
			printf(",\"snapshots\":%" PRIu64 ",\"regions\":%" PRIu64
			       ",\"incomplete_snapshots\":%" PRIu64,
			       t->nr_snapshots, t->nr_regions, t->nr_incomplete);
			if (t->nr_snapshots)
				printf(",\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64, t->start_ns,
				       t->end_ns);
			if (t->nr_wss)
				printf(",\"mean_wss_bytes\":%" PRIu64,
				       (uint64_t)(t->wss_sum / (double)t->nr_wss));
			printf("}");
		}
		printf("]}");
	}
	printf("],\"intervals\":[");
	for (uint64_t i = 0; i < in->nr_intervals && i < MAX_KEPT_INTERVALS; i++) {
		const struct dtr_intervals *v = &in->intervals[i];
		printf("%s{\"kdamond\":%u,\"context\":%u,\"time_ns\":%" PRIu64 ",\"sample_us\":%" PRIu64
		       ",\"aggr_us\":%" PRIu64 ",\"update_us\":%" PRIu64 "}",
		       i ? "," : "", v->kdamond, v->context, v->time_ns, v->sample_us, v->aggr_us,
		       v->update_us);
	}
	printf("],\"interval_changes\":%" PRIu64 ",\"clocks\":[", in->nr_intervals);
	for (uint64_t i = 0; i < in->nr_clocks && i < MAX_KEPT_CLOCKS; i++) {
		const struct clock_info *k = &in->clocks[i];
		printf("%s{\"label\":", i ? "," : "");
		dt_json_string(stdout, k->label);
		printf(",\"clock\":\"%s\"", dtr_clock_name(k->clock));
		if (k->has & DTR_HAS_MONOTONIC)
			printf(",\"monotonic_ns\":%" PRIu64, k->monotonic_ns);
		if (k->has & DTR_HAS_PERF)
			printf(",\"perf_ns\":%" PRIu64, k->perf_ns);
		if (k->has & DTR_HAS_REALTIME)
			printf(",\"realtime_ns\":%" PRIu64, k->realtime_ns);
		printf("}");
	}
	printf("]}\n");
}

/* --------------------------------------------------------------- verify */

static int verify(const char *path, int json)
{
	struct dtr_reader_status st;
	char err[CLI_ERRLEN];
	int ret = dtr_verify(path, &st, err, sizeof(err));

	if (json) {
		printf("{\"file\":");
		dt_json_string(stdout, path);
		printf(",\"ok\":%s,\"version\":\"%u.%u\",\"file_bytes\":%" PRIu64
		       ",\"valid_bytes\":%" PRIu64 ",\"chunks\":%" PRIu64
		       ",\"clean_close\":%s,\"damaged\":%s",
		       ret ? "false" : "true", st.version_major, st.version_minor, st.file_bytes,
		       st.valid_bytes, st.nr_chunks, st.clean_close ? "true" : "false",
		       st.damaged ? "true" : "false");
		if (st.damaged)
			printf(",\"damage_offset\":%" PRIu64, st.damage_offset);
		if (ret) {
			printf(",\"error\":");
			dt_json_string(stdout, err);
		}
		printf("}\n");
	}
	if (ret) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	if (!json) {
		dt_fputs_safe(path, stdout);
		printf(": ok, %" PRIu64 " chunks, %" PRIu64 " bytes, %s\n", st.nr_chunks,
		       st.valid_bytes, st.clean_close ? "closed cleanly" : "not closed cleanly");
	}
	return CLI_EXIT_OK;
}

/* ----------------------------------------------------------------- main */

struct options {
	int verify;
	int json;
	int salvage;
	int nr_regions;
	int sort_by_time;          /* --sortby time; -1: not given */
	struct dt_pct_range range; /* step 0: not given */
	const char *path;
};

static int parse_args(int argc, char **argv, struct options *opt)
{
	const char *input = NULL;
	const struct opt opts[] = {
		OPT_STRING('i', "input", &input, "FILE",
			   "the record to read, as the FILE operand (damo's -i)"),
		OPT_BOOL(0, "verify", &opt->verify,
			 "check every checksum; exit 1 on damage, naming the offset"),
		OPT_BOOL(0, "json", &opt->json, "print the same as one JSON object"),
		OPT_BOOL(0, "salvage", &opt->salvage, "on damage, describe the valid part instead of failing"),
		OPT_BOOL(0, "nr-regions", &opt->nr_regions,
			 "print damo's nr_regions report: the number of regions per snapshot "
			 "(the first 20 skipped) as percentiles"),
		CMD_OPT_PCT_RANGE(&opt->range, "its percentiles (default 0 101 25)"),
		OPT_CHOICE('s', "sortby", &opt->sort_by_time, NULL, NULL,
			   "--nr-regions: percentiles of the sorted numbers (size, the default) "
			   "or of the snapshots in time order (time), as damo's",
			   { "size", 0 }, { "time", 1 }),
		OPT_HELP('h'),
		OPT_VERSION('V'),
		OPT_END(),
	};
	const struct opt_cmd cmd = {
		.name = prog,
		.usage = (const char *const[]){ "[OPTION]... [FILE]", NULL },
		.about = "Show what a record holds: metadata, time span, snapshots, regions and\n"
			 "stack samples, a summary per target, intervals and clocks, and whether\n"
			 "the record was closed cleanly.  FILE defaults to " DTR_DEFAULT_PATH "; - reads stdin.\n"
			 "Any input damotrace reads works (damo json, json_compressed and binary\n"
			 "records, perf script text), detected by content.\n",
		.opts = opts,
		.max_operands = 1,
		.extra_operand = "one record at a time ('%s' is extra)",
		.exit_status = "Exit status: 0 success, 1 failure (damaged or unreadable record), 2 bad\n"
			       "command line.\n",
	};
	int i;

	*opt = (struct options){ .path = DTR_DEFAULT_PATH, .sort_by_time = -1 };
	int status = opt_parse(&cmd, argc, argv, &i);
	if (status != OPT_RUN)
		return status;
	if (input && i < argc)
		return cli_usage_error(prog, "one record at a time: -i %s and %s", input, argv[i]);
	if (input)
		opt->path = input;
	if (i < argc)
		opt->path = argv[i];
	if (opt->range.step && !opt->nr_regions)
		return cli_usage_error(prog, "--range is for --nr-regions");
	if (!opt->range.step)
		opt->range = DT_PCT_RANGE_DEFAULT;
	if (opt->sort_by_time >= 0 && !opt->nr_regions)
		return cli_usage_error(prog, "--sortby is for --nr-regions");
	opt->sort_by_time = opt->sort_by_time > 0;
	if (opt->verify && opt->salvage)
		return cli_usage_error(prog, "--verify and --salvage do not go together");
	if (opt->verify && !opt->nr_regions && !strcmp(opt->path, "-"))
		return cli_usage_error(prog, "--verify needs a file, not stdin");
	return OPT_RUN;
}

/* damo's nr_regions report. */
static int nr_regions_report(const struct options *opt)
{
	struct dt_input *nin;
	struct dt_nr_regions nr;
	struct dtr_item it;
	char err[CLI_ERRLEN];
	int r;

	if (dt_input_open(&nin, opt->path, NULL, err, sizeof(err))) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	memset(&nr, 0, sizeof(nr));
	while ((r = dt_input_next(nin, &it, err, sizeof(err))) == 1)
		if ((r = dt_nr_regions_add(&nr, &it, err, sizeof(err))) < 0)
			break;
	dt_input_close(nin);
	if (r < 0) {
		cli_error(prog, "%s", err);
		dt_nr_regions_free(&nr);
		return CLI_EXIT_FAILURE;
	}
	dt_nr_regions_print(stdout, &nr, &opt->range, opt->sort_by_time);
	dt_nr_regions_free(&nr);
	return cli_flush_stdout(prog) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* What the record holds, as text or JSON. */
static int describe(const struct options *opt)
{
	struct info in;
	struct source src;
	struct dtr_item item;
	struct cli_progress bar;
	char err[CLI_ERRLEN];
	int ret;

	memset(&in, 0, sizeof(in));
	in.path = opt->path;
	if ((ret = source_open(&src, opt->path, opt->salvage, &in.format, err, sizeof(err)))) {
		cli_error(prog, "%s", err);
		return CLI_EXIT_FAILURE;
	}
	cli_progress_init(&bar);
	while ((ret = source_next(&src, &item, err, sizeof(err))) > 0) {
		collect(&in, &item);
		if (cli_progress_due(&bar))
			cli_progress_draw(&bar, "%s: %" PRIu64 " snapshots", prog, in.nr_snapshots);
	}
	cli_progress_done(&bar);
	source_status(&src, &in.st);
	source_close(&src);
	if (ret < 0) {
		/* Only the .dtr reader can stop at the last valid chunk. */
		if (ret == -EBADMSG && !opt->salvage && !strcmp(in.format, "dtr"))
			cli_error(prog, "%s (--salvage reads the valid part)", err);
		else
			cli_error(prog, "%s", err);
		info_free(&in);
		return CLI_EXIT_FAILURE;
	}
	if (opt->json)
		print_json(&in);
	else
		print_text(&in);
	info_free(&in);
	return cli_flush_stdout(prog) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct options opt;
	int status;

	cli_init(prog);
	status = parse_args(argc, argv, &opt);
	if (status != OPT_RUN)
		return status;
	if (opt.nr_regions)
		return nr_regions_report(&opt);
	if (opt.verify)
		return verify(opt.path, opt.json);
	return describe(&opt);
}
