// SPDX-License-Identifier: GPL-2.0-only
/* The HTML report's description of the record as JSON (the page's "meta"
 * section, html_internal.h): summary, phases, zoom levels with WSS and
 * flame chart columns, the heatmap's axes and colours, the call paths. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html_internal.h"
#include "json_writer.h"

/* ------------------------------------------------------------ JSON bits */

static void num(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, "%.9g", v);
	else
		fputs("null", out);
}

static void key(FILE *out, int *first, const char *k)
{
	fputs(*first ? "" : ",", out);
	*first = 0;
	dt_json_string(out, k);
	fputc(':', out);
}

static void kv_str(FILE *out, int *first, const char *k, const char *v)
{
	key(out, first, k);
	dt_json_string(out, v ? v : "");
}

static void kv_u64(FILE *out, int *first, const char *k, uint64_t v)
{
	key(out, first, k);
	fprintf(out, "%" PRIu64, v);
}

static void kv_num(FILE *out, int *first, const char *k, double v)
{
	key(out, first, k);
	num(out, v);
}

/* Addresses and nanosecond times beyond 2^53 lose digits as JSON numbers:
 * they go as strings ("0x7f..." or decimal). */
static void kv_hex(FILE *out, int *first, const char *k, uint64_t v)
{
	key(out, first, k);
	fprintf(out, "\"0x%" PRIx64 "\"", v);
}

static void kv_ns(FILE *out, int *first, const char *k, uint64_t v)
{
	key(out, first, k);
	fprintf(out, "\"%" PRIu64 "\"", v);
}

/* ------------------------------------------------------------ summary */

static void write_record(FILE *out, const struct dt_timeline *tl, const struct dt_html_data *d,
			 const struct dt_timeline_html_opts *o)
{
	const struct dt_html_record *r = &d->rec;
	int f = 1;
	fputc('{', out);
	kv_str(out, &f, "record", o->timeline->load.record_path);
	kv_str(out, &f, "perf_script", o->timeline->load.perf_script_path);
	kv_str(out, &f, "format", r->format);
	kv_str(out, &f, "clock", r->clock);
	key(out, &f, "meta");
	fputc('{', out);
	int g = 1;
	for (size_t i = 0; i < r->nr_meta; i++)
		kv_str(out, &g, r->meta[i][0], r->meta[i][1]);
	fputs("},\"targets\":[", out);
	for (size_t i = 0; i < r->nr_targets; i++) {
		const struct dt_html_target *t = &r->targets[i];
		int h = 1;
		fputs(i ? ",{" : "{", out);
		kv_u64(out, &h, "kdamond", t->kdamond);
		kv_u64(out, &h, "context", t->context);
		kv_u64(out, &h, "index", t->index);
		kv_u64(out, &h, "id", t->id);
		kv_num(out, &h, "pid", (double)t->pid);
		kv_str(out, &h, "ops", t->ops);
		kv_str(out, &h, "cmdline", t->cmdline);
		fputc('}', out);
	}
	fputs("],\"intervals\":[", out);
	for (size_t i = 0; i < r->nr_intervals; i++) {
		const struct dtr_intervals *iv = &r->intervals[i];
		int h = 1;
		fputs(i ? ",{" : "{", out);
		kv_u64(out, &h, "kdamond", iv->kdamond);
		kv_u64(out, &h, "context", iv->context);
		kv_ns(out, &h, "from_ns", iv->time_ns);
		kv_u64(out, &h, "sample_us", iv->sample_us);
		kv_u64(out, &h, "aggr_us", iv->aggr_us);
		kv_u64(out, &h, "update_us", iv->update_us);
		fputc('}', out);
	}
	fputc(']', out);
	kv_u64(out, &f, "regions", r->nr_regions);
	(void)tl;
	fputc('}', out);
}

static void write_stacks_summary(FILE *out, const struct dt_timeline *tl)
{
	int f = 1;
	fputc('{', out);
	kv_u64(out, &f, "samples", tl->nr_samples);
	kv_u64(out, &f, "from_record", tl->nr_record_samples);
	kv_u64(out, &f, "from_perf_script", tl->nr_perf_samples);
	kv_str(out, &f, "weight_unit", tl->weight_is_ns ? "ns" : "samples");
	kv_str(out, &f, "alignment", dt_align_method_name(tl->align.method));
	kv_num(out, &f, "offset_ns", (double)tl->align.offset_ns);
	kv_u64(out, &f, "threads", tl->nr_threads);
	key(out, &f, "thread");
	if (tl->has_thread) {
		int g = 1;
		fputc('{', out);
		kv_num(out, &g, "pid", tl->pid);
		kv_num(out, &g, "tid", tl->tid);
		kv_str(out, &g, "comm", tl->comm);
		kv_u64(out, &g, "weight", tl->thread_weight);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	fputc('}', out);
}

static int write_report_lines(FILE *out, const struct dt_timeline *tl)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return -ENOMEM;
	int rc = dt_timeline_print_report(m, tl);
	if (fclose(m) || rc) {
		free(text);
		return -ENOMEM;
	}
	fputc('[', out);
	int first = 1;
	for (char *s = text, *e; s && *s; s = e ? e + 1 : NULL) {
		e = strchr(s, '\n');
		if (e)
			*e = '\0';
		fputs(first ? "" : ",", out);
		first = 0;
		dt_json_string(out, s);
	}
	fputc(']', out);
	free(text);
	return 0;
}

/* ------------------------------------------------------------ phases */

static void write_ranges(FILE *out, const struct dt_timeline *tl, const struct dt_phase *p)
{
	fputc('[', out);
	for (size_t i = 0; i < p->nr_ranges; i++) {
		const struct dt_phase_range *r = &p->ranges[i];
		char name[96];
		int f = 1;
		dt_maps_name_range(name, sizeof(name), &tl->maps, r->start, r->end);
		fputs(i ? ",{" : "{", out);
		kv_hex(out, &f, "start", r->start);
		kv_hex(out, &f, "end", r->end);
		kv_u64(out, &f, "bytes", r->end - r->start);
		kv_num(out, &f, "pid", r->pid);
		kv_num(out, &f, "share", r->share);
		kv_str(out, &f, "kind", r->kind);
		kv_str(out, &f, "path", r->path);
		kv_str(out, &f, "name", name);
		fputc('}', out);
	}
	fputc(']', out);
}

/* The phase's top list (phases.h: by share, the one of every command). */
static void write_top(FILE *out, const struct dt_phase *p)
{
	fputc('[', out);
	for (size_t i = 0; i < p->nr_top; i++) {
		int f = 1;
		fputs(i ? ",{" : "{", out);
		kv_str(out, &f, "symbol", p->top[i].symbol);
		kv_str(out, &f, "dso", p->top[i].dso);
		kv_num(out, &f, "share", p->top[i].share);
		fputc('}', out);
	}
	fputc(']', out);
}

/* Seconds from the record's time zero (timeline.h origin_ns), as the
 * text report counts. */
static double rel_s(const struct dt_timeline *tl, uint64_t t)
{
	return ((double)t - (double)tl->origin_ns) / 1e9;
}

static void write_tree(FILE *out, const struct dt_html_data *d, size_t k, const uint32_t *node_out)
{
	const struct dt_html_tree *t = k < d->nr_trees ? &d->trees[k] : NULL;
	int f = 1;
	fputc('{', out);
	kv_u64(out, &f, "weight", t ? t->weight : 0);
	kv_u64(out, &f, "samples", t ? t->nr_samples : 0);
	fputs(",\"self\":[", out);
	for (size_t i = 0; t && i < t->nr; i++)
		fprintf(out, "%s%" PRIu32 ",%" PRIu64, i ? "," : "", node_out[t->v[i].node],
			t->v[i].self);
	fputs("]}", out);
}

static void write_phases(FILE *out, const struct dt_timeline *tl, const struct dt_html_data *d,
			 const uint32_t *node_out)
{
	size_t n = dt_phases_count(tl->phases);
	fputc('[', out);
	char pat[96];
	for (size_t k = 0; k < n; k++) {
		const struct dt_phase *p = dt_phases_get(tl->phases, k);
		int f = 1;
		fputs(k ? ",{" : "{", out);
		kv_u64(out, &f, "number", p->number);
		kv_num(out, &f, "start_s", rel_s(tl, p->start_ns));
		kv_num(out, &f, "end_s", rel_s(tl, p->end_ns));
		kv_ns(out, &f, "start_ns", p->start_ns);
		kv_ns(out, &f, "end_ns", p->end_ns);
		kv_u64(out, &f, "aggregations", p->nr_aggrs);
		kv_u64(out, &f, "wss_mean", p->wss_mean);
		kv_u64(out, &f, "wss_min", p->wss_min);
		kv_u64(out, &f, "wss_max", p->wss_max);
		kv_str(out, &f, "named", p->name);
		kv_num(out, &f, "start_pm_s", p->start_pm_ns / 1e9);
		kv_num(out, &f, "end_pm_s", p->end_pm_ns / 1e9);
		kv_str(out, &f, "pattern", dt_seg_pattern_name(p->pattern));
		kv_str(out, &f, "pattern_text", dt_phase_pattern_text(p, pat, sizeof(pat)));
		key(out, &f, "ranges");
		write_ranges(out, tl, p);
		key(out, &f, "top");
		write_top(out, p);
		key(out, &f, "tree");
		write_tree(out, d, k, node_out);
		fputc('}', out);
	}
	fputc(']', out);
}

/* ------------------------------------------------------------ levels */

/* Whole bytes per column, null where NaN. */
static void write_column_values(FILE *out, const double *v, size_t n)
{
	fputc('[', out);
	for (size_t c = 0; c < n; c++) {
		fputs(c ? "," : "", out);
		if (isfinite(v[c]))
			fprintf(out, "%.0f", v[c]);
		else
			fputs("null", out);
	}
	fputc(']', out);
}

static void write_wss(FILE *out, const struct dt_html_level *L)
{
	fputs("{\"mean\":[", out);
	for (size_t c = 0; c < L->columns; c++) {
		fputs(c ? "," : "", out);
		if (L->wss_cov[c] > 0)
			fprintf(out, "%.0f", L->wss_sum[c] / L->wss_cov[c]);
		else
			fputs("null", out);
	}
	fputs("],\"max\":[", out);
	for (size_t c = 0; c < L->columns; c++) {
		fputs(c ? "," : "", out);
		if (L->wss_cov[c] > 0)
			fprintf(out, "%.0f", L->wss_max[c]);
		else
			fputs("null", out);
	}
	fputs("]", out);
	if (L->has_rss) {
		fputs(",\"rss\":", out);
		write_column_values(out, L->rss_max, L->columns);
	}
	fputs("}", out);
}

static void write_heat_level(FILE *out, const struct dt_html_level *L, uint32_t k, double lo,
			     double hi)
{
	const struct dt_heat_grid *g = L->heat;
	int f = 1;
	fputc('{', out);
	key(out, &f, "section");
	fprintf(out, "\"dt-heat-%" PRIu32 "\"", k);
	kv_ns(out, &f, "t_start_ns", (uint64_t)g->t_start);
	kv_u64(out, &f, "t_unit_ns", g->t_unit);
	kv_u64(out, &f, "t_resol", g->t_resol);
	kv_num(out, &f, "lo", lo);
	kv_num(out, &f, "hi", hi);
	fputc('}', out);
}

static void write_levels(FILE *out, const struct dt_html_data *d, const double (*range)[2],
			 const uint32_t *node_out)
{
	fputc('[', out);
	for (uint32_t k = 0; k < d->nr_levels; k++) {
		const struct dt_html_level *L = &d->levels[k];
		int f = 1;
		fputs(k ? ",{" : "{", out);
		kv_u64(out, &f, "columns", L->columns);
		key(out, &f, "heat");
		if (L->heat)
			write_heat_level(out, L, k, range[k][0], range[k][1]);
		else
			fputs("null", out);
		key(out, &f, "wss");
		if (L->has_wss)
			write_wss(out, L);
		else
			fputs("null", out);
		key(out, &f, "flame");
		if (L->has_flame) {
			fputc('[', out);
			for (size_t c = 0; c < L->columns; c++)
				fprintf(out, "%s%" PRIu32, c ? "," : "", node_out[L->leaf[c]]);
			fputc(']', out);
		} else {
			fputs("null", out);
		}
		fputc('}', out);
	}
	fputc(']', out);
}

/* ------------------------------------------------------------ heatmap */

static void write_pieces(FILE *out, const struct dt_timeline *tl, const struct dt_heat_grid *g)
{
	fputc('[', out);
	for (size_t i = 0; i < g->nr_pieces; i++) {
		const struct dt_heat_piece *pc = &g->pieces[i];
		char name[96];
		int f = 1;
		dt_maps_name_range(name, sizeof(name), &tl->maps, pc->start, pc->end);
		fputs(i ? ",{" : "{", out);
		kv_hex(out, &f, "start", pc->start);
		kv_hex(out, &f, "end", pc->end);
		kv_u64(out, &f, "row", g->piece_row[i]);
		kv_u64(out, &f, "rows", g->piece_rows[i]);
		kv_u64(out, &f, "unit", g->piece_unit[i]);
		kv_str(out, &f, "name", name);
		fputc('}', out);
	}
	fputc(']', out);
}

static void hex_color(char *buf, struct dt_rgb c)
{
	snprintf(buf, 8, "#%02x%02x%02x", (unsigned)lround(c.r * 255), (unsigned)lround(c.g * 255),
		 (unsigned)lround(c.b * 255));
}

/* The colour map as 256 "#rrggbb" entries, as render/colormap.c has it. */
static void write_lut(FILE *out, enum dt_colormap cmap)
{
	char c[8];
	fputc('[', out);
	for (int i = 0; i < 256; i++) {
		hex_color(c, dt_colormap_at(cmap, i / 255.0));
		fprintf(out, "%s\"%s\"", i ? "," : "", c);
	}
	fputc(']', out);
}

#define MAX_MAPS 4096

/* The latest memory maps, to name the mapping under a hovered cell. */
static void write_maps(FILE *out, const struct dt_maps_copy *m)
{
	fputc('[', out);
	for (size_t i = 0; i < m->nr && i < MAX_MAPS; i++) {
		fprintf(out, "%s[\"0x%" PRIx64 "\",\"0x%" PRIx64 "\",", i ? "," : "",
			m->entries[i].start, m->entries[i].end);
		dt_json_string(out, m->entries[i].path ? m->entries[i].path : "");
		fputc(']', out);
	}
	fputc(']', out);
}

static void write_heat(FILE *out, const struct dt_timeline *tl,
		       const struct dt_timeline_html_opts *o)
{
	const struct dt_heat_grid *g = &tl->grid;
	int f = 1;
	if (!tl->has_grid) {
		fputs("null", out);
		return;
	}
	fputc('{', out);
	kv_str(out, &f, "choice", tl->heat_choice);
	kv_u64(out, &f, "target_id", tl->heat_target.id);
	kv_num(out, &f, "pid", (double)tl->heat_target.pid);
	kv_str(out, &f, "name", tl->heat_range_name);
	kv_hex(out, &f, "start", tl->heat_start);
	kv_hex(out, &f, "end", tl->heat_end);
	kv_hex(out, &f, "a_start", g->a_start);
	kv_u64(out, &f, "a_unit", g->a_unit);
	kv_u64(out, &f, "a_resol", g->a_resol);
	kv_u64(out, &f, "value_hz", (uint64_t)g->value_hz);
	key(out, &f, "pieces");
	if (g->pieces)
		write_pieces(out, tl, g);
	else
		fputs("null", out);
	kv_str(out, &f, "colormap", dt_colormap_name(o->cmap));
	kv_str(out, &f, "scale", o->scale == DT_SCALE_LOG ? "log" : "linear");
	kv_str(out, &f, "nan_color", "#ffffff"); /* as the PNG's heatmap */
	key(out, &f, "maps");
	write_maps(out, &tl->maps);
	key(out, &f, "lut");
	write_lut(out, o->cmap);
	fputc('}', out);
}

/* ------------------------------------------------------------ call paths */

/* Output numbers (1, 2, ...) of the call paths the page needs (flame
 * chart leaves, phase trees) and of their ancestors; 0: not written. */
static uint32_t *number_nodes(const struct dt_html_data *d, uint32_t *count)
{
	uint32_t n = d->stacks ? dt_stacks_nr_nodes(d->stacks) : 0;
	uint32_t *out = calloc((size_t)n + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (uint32_t k = 0; k < d->nr_levels; k++)
		for (size_t c = 0; d->levels[k].has_flame && c < d->levels[k].columns; c++)
			out[d->levels[k].leaf[c]] = 1;
	for (size_t t = 0; t < d->nr_trees; t++)
		for (size_t i = 0; i < d->trees[t].nr; i++)
			out[d->trees[t].v[i].node] = 1;
	out[0] = 0;
	/* and their ancestors (a walk stops at a node already marked: its
	 * own walk marks the rest) */
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t p = out[i] ? dt_stacks_node(d->stacks, i)->parent : 0; p && !out[p];
		     p = dt_stacks_node(d->stacks, p)->parent)
			out[p] = 1;
	*count = 0;
	for (uint32_t i = 1; i < n; i++)
		if (out[i])
			out[i] = ++*count;
	return out;
}

/* The call paths as "nodes": [parent, frame, ...] (parent: output number,
 * 0 for a root; frame: index in "frames"), and "frames": [[symbol, dso]]. */
static int write_paths(FILE *out, const struct dt_html_data *d, const uint32_t *node_out)
{
	uint32_t n = d->stacks ? dt_stacks_nr_nodes(d->stacks) : 0;
	uint32_t nf = d->stacks ? dt_stacks_nr_frames(d->stacks) : 0, count = 0;
	uint32_t *frame_out = calloc((size_t)nf + 1, sizeof(*frame_out));
	uint32_t *frame_at = malloc(((size_t)nf + 1) * sizeof(*frame_at));
	if (!frame_out || !frame_at) {
		free(frame_out);
		free(frame_at);
		return -ENOMEM;
	}
	fputs(",\"nodes\":[", out);
	for (uint32_t i = 1; i < n; i++) {
		if (!node_out[i])
			continue;
		const struct dt_stack_node *nd = dt_stacks_node(d->stacks, i);
		if (!frame_out[nd->frame]) {
			frame_at[count] = nd->frame;
			frame_out[nd->frame] = ++count;
		}
		fprintf(out, "%s%" PRIu32 ",%" PRIu32, node_out[i] > 1 ? "," : "",
			node_out[nd->parent], frame_out[nd->frame] - 1);
	}
	fputs("],\"frames\":[", out);
	for (uint32_t k = 0; k < count; k++) {
		fputs(k ? ",[" : "[", out);
		dt_json_string(out, dt_stacks_frame_symbol(d->stacks, frame_at[k]));
		fputc(',', out);
		dt_json_string(out, dt_stacks_frame_dso(d->stacks, frame_at[k]));
		fputc(']', out);
	}
	fputc(']', out);
	free(frame_out);
	free(frame_at);
	return 0;
}

/* ------------------------------------------------------------ all */

static void write_summary(FILE *out, int *f, const struct dt_timeline *tl)
{
	kv_ns(out, f, "time_zero_ns", tl->origin_ns);
	kv_str(out, f, "time_zero_clock", dt_origin_clock_name(&tl->origin));
	kv_ns(out, f, "t_start_ns", tl->t_start_ns);
	kv_ns(out, f, "t_end_ns", tl->t_end_ns);
	kv_num(out, f, "start_s", rel_s(tl, tl->t_start_ns));
	kv_num(out, f, "span_s", (double)(tl->t_end_ns - tl->t_start_ns) / 1e9);
	kv_u64(out, f, "columns", tl->columns);
	kv_u64(out, f, "has_damon", (uint64_t)tl->has_damon);
	kv_u64(out, f, "snapshots", tl->nr_snapshots);
	kv_u64(out, f, "aggregations", tl->nr_aggrs);
	kv_u64(out, f, "peak_wss", tl->peak_wss);
	kv_u64(out, f, "has_rss", (uint64_t)tl->has_rss);
	/* the report's warnings (the recording's quality), then the figure's */
	const struct dt_phases_quality *q = dt_phases_quality(tl->phases);
	key(out, f, "warnings");
	fputc('[', out);
	for (size_t i = 0; i < q->nr_warnings; i++) {
		fputs(i ? "," : "", out);
		dt_json_string(out, q->warnings[i]);
	}
	for (size_t i = 0; i < tl->nr_warnings; i++) {
		fputs(i || q->nr_warnings ? "," : "", out);
		dt_json_string(out, tl->warnings[i]);
	}
	fputc(']', out);
}

int dt_html_write_meta(FILE *out, const struct dt_timeline *tl, const struct dt_html_data *d,
		       const struct dt_timeline_html_opts *o, const double (*range)[2])
{
	uint32_t count = 0;
	uint32_t *node_out = number_nodes(d, &count);
	int f = 1, rc;
	if (!node_out)
		return -ENOMEM;
	fputc('{', out);
	kv_str(out, &f, "title", o->title ? o->title : "damo-timeline");
	kv_str(out, &f, "generator", "damotrace " DAMOTRACE_VERSION " damo-timeline");
	write_summary(out, &f, tl);
	key(out, &f, "record");
	write_record(out, tl, d, o);
	key(out, &f, "stacks");
	write_stacks_summary(out, tl);
	key(out, &f, "report");
	rc = write_report_lines(out, tl);
	key(out, &f, "phases");
	write_phases(out, tl, d, node_out);
	key(out, &f, "heat");
	write_heat(out, tl, o);
	key(out, &f, "levels");
	write_levels(out, d, range, node_out);
	kv_u64(out, &f, "max_depth", d->max_depth);
	if (!rc)
		rc = write_paths(out, d, node_out);
	fputs("}\n", out);
	free(node_out);
	return rc ? rc : ferror(out) ? -EIO : 0;
}
