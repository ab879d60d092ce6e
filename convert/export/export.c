// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exporter dispatch: the export formats behind export.h.
 */
#include "export.h"
#include "export_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct dt_export {
	const struct dt_exporter_ops *ops;
	void *state;
};

static const struct {
	enum dt_export_format format;
	const char *name;
	const char *description;
} formats[] = {
	{ DT_EXPORT_DTR, "dtr", "damotrace record (.dtr)" },
	{ DT_EXPORT_DAMO_JSON, "json", "damo json record, as damo v3.3.0 reads and writes it" },
	{ DT_EXPORT_DAMO_JSON_COMPRESSED, "json_compressed",
	  "damo json_compressed record (zlib), damo's default damon.data" },
	{ DT_EXPORT_PERF_SCRIPT, "perf_script",
	  "perf script text of damon:damon_aggregated, as damo writes it" },
	{ DT_EXPORT_DAMO_RAW, "damo-raw", "the text of damo report access --raw_form" },
	{ DT_EXPORT_CSV, "csv", "CSV table: one row per region (or per snapshot with --what wss)" },
	{ DT_EXPORT_NDJSON, "ndjson",
	  "newline-delimited JSON: one object per region (or per snapshot with --what wss)" },
};

const char *dt_export_format_name(enum dt_export_format format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].format == format)
			return formats[i].name;
	return "unknown";
}

const char *dt_export_format_description(enum dt_export_format format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].format == format)
			return formats[i].description;
	return "";
}

int dt_export_format_parse(const char *name, enum dt_export_format *format)
{
	static const struct { const char *alias; enum dt_export_format format; } aliases[] = {
		{ "damo_raw", DT_EXPORT_DAMO_RAW }, { "raw", DT_EXPORT_DAMO_RAW },
		{ "jsonl", DT_EXPORT_NDJSON }, { "perf-script", DT_EXPORT_PERF_SCRIPT },
		{ "json-compressed", DT_EXPORT_DAMO_JSON_COMPRESSED },
		{ "damo-json", DT_EXPORT_DAMO_JSON },
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(name, formats[i].name)) {
			*format = formats[i].format;
			return 0;
		}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i].alias)) {
			*format = aliases[i].format;
			return 0;
		}
	return -EINVAL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

int dt_export_format_from_path(const char *path, enum dt_export_format *format)
{
	static const struct { const char *ext; enum dt_export_format format; } exts[] = {
		{ ".dtr", DT_EXPORT_DTR },
		{ ".json.z", DT_EXPORT_DAMO_JSON_COMPRESSED },
		{ ".zlib", DT_EXPORT_DAMO_JSON_COMPRESSED },
		{ ".data", DT_EXPORT_DAMO_JSON_COMPRESSED },
		{ ".json", DT_EXPORT_DAMO_JSON },
		{ ".perf-script", DT_EXPORT_PERF_SCRIPT },
		{ ".script", DT_EXPORT_PERF_SCRIPT },
		{ ".raw", DT_EXPORT_DAMO_RAW },
		{ ".txt", DT_EXPORT_DAMO_RAW },
		{ ".csv", DT_EXPORT_CSV },
		{ ".ndjson", DT_EXPORT_NDJSON },
		{ ".jsonl", DT_EXPORT_NDJSON },
	};

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (ends_with(path, exts[i].ext)) {
			*format = exts[i].format;
			return 0;
		}
	return -EINVAL;
}

int dt_export_format_is_text(enum dt_export_format format)
{
	return format == DT_EXPORT_DAMO_JSON || format == DT_EXPORT_PERF_SCRIPT ||
	       format == DT_EXPORT_DAMO_RAW || format == DT_EXPORT_CSV ||
	       format == DT_EXPORT_NDJSON;
}

int dt_export_open(struct dt_export **out, enum dt_export_format format,
		   const struct dt_export_opts *opts, int fd, const char *name, char *err,
		   size_t errlen)
{
	struct dt_export_opts defaults = { 0 };
	struct dt_export *ex = calloc(1, sizeof(*ex));
	int ret;

	if (!ex)
		return -ENOMEM;
	if (!opts)
		opts = &defaults;
	switch (format) {
	case DT_EXPORT_DTR:
		ret = dt_out_dtr_open(&ex->state, &ex->ops, opts->zstd_level, fd, name, err, errlen);
		break;
	case DT_EXPORT_DAMO_JSON:
	case DT_EXPORT_DAMO_JSON_COMPRESSED:
	case DT_EXPORT_PERF_SCRIPT:
	case DT_EXPORT_DAMO_RAW:
		ret = dt_out_damo_open(&ex->state, &ex->ops, format, fd, name, err, errlen);
		break;
	case DT_EXPORT_CSV:
	case DT_EXPORT_NDJSON:
		ret = dt_out_table_open(&ex->state, &ex->ops, format, opts->what, fd, name, err,
					errlen);
		break;
	default:
		if (errlen)
			snprintf(err, errlen, "%s: unknown output format", name);
		ret = -EINVAL;
		break;
	}
	if (ret) {
		free(ex);
		return ret;
	}
	*out = ex;
	return 0;
}

int dt_export_put(struct dt_export *ex, const struct dtr_item *item, char *err, size_t errlen)
{
	return ex->ops->put(ex->state, item, err, errlen);
}

int dt_export_close(struct dt_export *ex, char *err, size_t errlen)
{
	int ret = ex->ops->close(ex->state, err, errlen);
	free(ex);
	return ret;
}

void dt_export_abort(struct dt_export *ex)
{
	if (!ex)
		return;
	ex->ops->abort(ex->state);
	free(ex);
}
