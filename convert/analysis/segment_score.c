// SPDX-License-Identifier: GPL-2.0-only
// Scoring segmentation against ground truth (segment_score.h): reads the
// corpus's and damo-synth's truth files, matches boundaries and segments.
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "segment_score.h"
#include "dtr.h"
#include "errmsg.h"
#include "grow.h"
#include "synth.h"

void dt_truth_free(struct dt_truth *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static int truth_add(struct dt_truth *t, size_t *cap)
{
	if (DT_GROW(t->v, *cap, t->nr + 1))
		return -ENOMEM;
	memset(&t->v[t->nr], 0, sizeof(t->v[0]));
	t->nr++;
	return 0;
}

/* The directory part of `path`, with its slash ("" when none). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path + 1) : 0;

	snprintf(dir, len, "%.*s", (int)n, path);
}

/* "segment RUN TID INDEX START END PATTERN FUNCTION BUFFERS [KEY=VALUE]..." */
static int corpus_segment(char *line, struct dt_truth *t, size_t *cap, int64_t tid)
{
	long long lt;
	unsigned idx;
	uint64_t s, e;
	char pat[8], fn[64];
	int off = 0;

	if (sscanf(line, "segment %*u %lld %u %" SCNu64 " %" SCNu64 " %7s %63s %*s%n", &lt, &idx,
		   &s, &e, pat, fn, &off) < 6 || lt != tid)
		return 0;
	if (truth_add(t, cap))
		return -ENOMEM;
	struct dt_truth_seg *g = &t->v[t->nr - 1];
	g->start_ns = s;
	g->end_ns = e;
	snprintf(g->pattern, sizeof(g->pattern), "%s", pat);
	snprintf(g->function, sizeof(g->function), "%s", fn);
	char *sp = off ? strstr(line + off, "speed=") : NULL;
	if (sp)
		g->speed = strtod(sp + 6, NULL);
	return 0;
}

int dt_truth_read_corpus(const char *path, unsigned run, struct dt_truth *t, char *err,
			 size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[1024], dir[256], rec[240], kind[16];
	size_t cap = 0;
	long long tid = -1;
	unsigned r;
	int ret = 0, found = 0;

	memset(t, 0, sizeof(*t));
	if (!fp)
		return dt_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	dir_of(path, dir, sizeof(dir));
	while (!ret && fgets(line, sizeof(line), fp)) {
		long long lt;
		uint64_t s, e;
		if (sscanf(line, "run %u %239s %*s %" SCNu64 " %" SCNu64, &r, rec, &s, &e) == 4 &&
		    r == run) {
			snprintf(t->record, sizeof(t->record), "%s%s", dir, rec);
			t->run_start_ns = s;
			t->run_end_ns = e;
			found = 1;
		} else if (sscanf(line, "lane %u %lld %15s", &r, &lt, kind) == 3 && r == run) {
			t->nr_lanes++;
			if (!strcmp(kind, "main"))
				tid = lt;
		} else if (sscanf(line, "segment %u", &r) == 1 && r == run && tid >= 0) {
			ret = corpus_segment(line, t, &cap, tid);
		}
	}
	fclose(fp);
	if (ret)
		return dt_fail(err, errlen, ret, "%s: out of memory", path);
	if (!found || !t->nr) {
		dt_truth_free(t);
		return dt_fail(err, errlen, -ENOENT, "%s: no run %u", path, run);
	}
	return 0;
}

/* "START END TARGET hot|quiet HOT_START HOT_END FUNCTION" */
int dt_truth_read_synth(const char *path, const char *record, struct dt_truth *t,
			char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[512], kind[16], fn[64];
	size_t cap = 0;
	unsigned target;
	uint64_t s, e;

	memset(t, 0, sizeof(*t));
	if (!fp)
		return dt_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	snprintf(t->record, sizeof(t->record), "%s", record);
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %u %15s %*s %*s %63s", &s, &e, &target,
			   kind, fn) != 5 || target != 0)
			continue;
		if (truth_add(t, &cap)) {
			fclose(fp);
			dt_truth_free(t);
			return dt_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
		}
		struct dt_truth_seg *g = &t->v[t->nr - 1];
		int quiet = !strcmp(kind, "quiet");
		g->start_ns = s;
		g->end_ns = e;
		snprintf(g->pattern, sizeof(g->pattern), "%s", quiet ? "idle" : "steady");
		snprintf(g->function, sizeof(g->function), "%s", quiet ? "-" : fn);
		g->memory_only = t->nr > 1 && !strcmp(t->v[t->nr - 2].function, g->function);
		if (t->nr == 1)
			t->run_start_ns = s;
		t->run_end_ns = e;
	}
	fclose(fp);
	if (!t->nr)
		return dt_fail(err, errlen, -EINVAL, "%s: no phases of target 0", path);
	return 0;
}

int dt_truth_make_synth(uint64_t seed, const char *dir, struct dt_truth *t, char *err,
			size_t errlen)
{
	struct dt_synth_opts so;
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	struct dtr_writer *w;
	char rec[400], truth[400];
	int ret;

	memset(t, 0, sizeof(*t));
	dt_synth_default_opts(&so);
	so.seed = seed;
	so.stacks = 1;
	snprintf(rec, sizeof(rec), "%s/synth-%" PRIu64 ".dtr", dir, seed);
	snprintf(truth, sizeof(truth), "%s/synth-%" PRIu64 ".truth", dir, seed);
	FILE *tf = fopen(truth, "w");
	if (!tf)
		return dt_fail(err, errlen, -errno, "%s: %s", truth, strerror(errno));
	ret = dtr_writer_open(&w, rec, &wo, err, errlen);
	if (!ret) {
		ret = dt_synth_write(&so, w, tf, NULL, NULL, err, errlen);
		int r2 = ret ? (dtr_writer_abort(w), 0) : dtr_writer_close(w, err, errlen);
		ret = ret ? ret : r2;
	}
	if (fclose(tf) && !ret)
		ret = dt_fail(err, errlen, -EIO, "%s: write error", truth);
	if (!ret)
		ret = dt_truth_read_synth(truth, rec, t, err, errlen);
	return ret;
}

/* ---------------------------------------------------------------- score */

static double median_spacing_s(const struct dt_seg_features *f)
{
	size_t n = f->nr_bins;
	double *d = calloc(n ? n : 1, sizeof(*d)), r = 0;

	if (!d || !n) {
		free(d);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = (double)(f->end_ns[i] - f->start_ns[i]) / 1e9;
	for (size_t i = 1; i < n; i++) /* insertion sort: few bins */
		for (size_t j = i; j > 0 && d[j - 1] > d[j]; j--) {
			double x = d[j];
			d[j] = d[j - 1];
			d[j - 1] = x;
		}
	r = d[n / 2];
	free(d);
	return r;
}

static int memory_reason(enum dt_seg_reason r)
{
	return r == DT_SEG_HOTSET || r == DT_SEG_WSS;
}

static double overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	uint64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
	return hi > lo ? (double)(hi - lo) / 1e9 : 0;
}

/* Truth boundaries to found ones, nearest first, one to one. */
static void match_bounds(const struct dt_seg_features *f, const struct dt_segments *s,
			 const struct dt_truth *t, struct dt_seg_score *o)
{
	char *used = calloc(s->nr + 1, 1);
	double upd = (double)f->update_ns / 1e9;

	for (size_t i = 1; i < s->nr; i++)
		if (s->v[i].start_ns > t->run_start_ns && s->v[i].start_ns < t->run_end_ns)
			o->found++;
	for (size_t j = 1; j < t->nr; j++) {
		double best = INFINITY;
		size_t bi = 0;
		o->bounds++;
		for (size_t i = 1; used && i < s->nr; i++) {
			double e = fabs(((double)s->v[i].start_ns - (double)t->v[j].start_ns) / 1e9);
			double tol = o->tol_s;
			if (memory_reason(s->v[i].reason) || t->v[j].memory_only)
				tol += upd;
			if (!used[i] && e <= tol && e < best) {
				best = e;
				bi = i;
			}
		}
		if (bi) {
			used[bi] = 1;
			o->matched++;
			o->sum_err_s += best;
			o->max_err_s = fmax(o->max_err_s, best);
		}
	}
	free(used);
}

static int pattern_right(const struct dt_segment *g, const struct dt_truth_seg *tr)
{
	if (strcmp(dt_seg_pattern_name(g->pattern), tr->pattern))
		return 0;
	if (g->pattern == DT_SEG_SWEEP && tr->speed > 0)
		return fabs(fabs(g->speed) - tr->speed) <= 0.2 * tr->speed;
	return 1;
}

static void judge_pair(const struct dt_seg_features *f, const struct dt_segment *g,
		       const struct dt_truth_seg *tr, struct dt_seg_score *o, FILE *detail)
{
	int names[2];
	double shares[2];
	int n = dt_segment_name(f, g, names, shares);
	const char *name = n ? f->frames[names[0]].symbol : "-";
	int pr = pattern_right(g, tr);

	o->patterns++;
	o->patterns_right += pr;
	if (strcmp(tr->function, "-") && strcmp(tr->function, "?")) {
		o->names++;
		o->names_right += !strcmp(name, tr->function);
	}
	if (detail)
		fprintf(detail, "    %-8s %-22s | found %-6s %-22s%s\n", tr->pattern, tr->function,
			dt_seg_pattern_name(g->pattern), name, pr ? "" : "  (pattern wrong)");
}

/* Segments to truth segments by overlap, largest first, one to one. */
static void match_segments(const struct dt_seg_features *f, const struct dt_segments *s,
			   const struct dt_truth *t, struct dt_seg_score *o, FILE *detail)
{
	long *of_truth = malloc((t->nr + 1) * sizeof(long));
	char *seg_used = calloc(s->nr + 1, 1);
	double run = (double)(t->run_end_ns - t->run_start_ns) / 1e9;

	if (!of_truth || !seg_used)
		goto out;
	for (size_t j = 0; j < t->nr; j++)
		of_truth[j] = -1;
	for (;;) {
		double best = 0;
		size_t bi = 0, bj = 0;
		for (size_t i = 0; i < s->nr; i++)
			for (size_t j = 0; !seg_used[i] && j < t->nr; j++) {
				double ov = of_truth[j] < 0 ? overlap(s->v[i].start_ns, s->v[i].end_ns,
								    t->v[j].start_ns, t->v[j].end_ns) : 0;
				if (ov > best) {
					best = ov;
					bi = i;
					bj = j;
				}
			}
		if (best <= 0)
			break;
		seg_used[bi] = 1;
		of_truth[bj] = (long)bi;
	}
	for (size_t i = 0; i < s->nr; i++) {
		double c = overlap(s->v[i].start_ns, s->v[i].end_ns, t->run_start_ns, t->run_end_ns);
		if (!seg_used[i] && c > 0) {
			o->extras++;
			o->extra_cover += run > 0 ? c / run : 0;
		}
	}
	for (size_t j = 0; j < t->nr; j++) {
		if (of_truth[j] >= 0)
			judge_pair(f, &s->v[of_truth[j]], &t->v[j], o, detail);
		else if (detail)
			fprintf(detail, "    %-8s %-22s | no segment\n", t->v[j].pattern,
				t->v[j].function);
		if (of_truth[j] < 0)
			o->patterns++;
	}
out:
	free(of_truth);
	free(seg_used);
}

void dt_seg_score(const struct dt_seg_features *f, const struct dt_segments *s,
		  const struct dt_truth *t, struct dt_seg_score *o, FILE *detail)
{
	memset(o, 0, sizeof(*o));
	o->tol_s = fmax(2 * median_spacing_s(f), 0.5);
	match_bounds(f, s, t, o);
	match_segments(f, s, t, o, detail);
}
