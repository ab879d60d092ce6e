// SPDX-License-Identifier: GPL-2.0-only
// phase-score: segments every record of the phase corpus and a family of
// damo-synth records, scores them against their truth (segment_score.h)
// and prints a table; with --check, exits 1 when a record misses a truth
// boundary or its extra segments cover 5% of its run or more.
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dtr.h"
#include <math.h>
#include "segment.h"
#include "segment_score.h"

#define MIB_F 1048576.0

struct opts {
	const char *corpus, *dump;
	unsigned synth;
	int check, detail, segments;
	struct dt_seg_params p;
};

struct totals {
	size_t records, failed, bounds, matched, found, extras, patterns, pright, names, nright;
	double sum_err, max_err;
};

static void print_segments(const struct dt_seg_features *f, const struct dt_segments *s,
			   uint64_t origin)
{
	for (size_t j = 0; j < f->nr_frames; j++)
		printf("    frame %s [%s] flags %#x depth %.1f samples %" PRIu64 "\n",
		       f->frames[j].symbol, f->frames[j].dso, f->frames[j].flags,
		       f->frames[j].depth, f->frames[j].samples);
	for (size_t a = 0; a < f->nr_areas; a++)
		printf("    area %#" PRIx64 "-%#" PRIx64 " %s\n", f->areas[a].start, f->areas[a].end,
		       f->areas[a].kind);
	for (size_t i = 0; i < s->nr; i++) {
		const struct dt_segment *g = &s->v[i];
		int names[2];
		double shares[2];
		int n = dt_segment_name(f, g, names, shares);
		printf("    %7.2f-%7.2f s %-6s %-13s e=%.2f +-%.2f act %.2f %s",
		       ((double)g->start_ns - (double)origin) / 1e9,
		       ((double)g->end_ns - (double)origin) / 1e9, dt_seg_pattern_name(g->pattern),
		       dt_seg_reason_name(g->reason), g->effect, (double)g->uncertainty_ns / 1e9,
		       g->activity, n ? f->frames[names[0]].symbol : "-");
		if (g->pattern == DT_SEG_SWEEP || g->pattern == DT_SEG_GROWTH)
			printf(" speed %.0f B/s", g->speed);
		printf("\n");
	}
}

static FILE *dump_open(const struct opts *o, const char *label, const char *ext)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s.%s", o->dump, label, ext);
	return fopen(path, "w");
}

/* For tests/phase_plot.sh: hot bytes per cell, shares of the feature
 * frames, found and true boundaries; times in s from the run's start. */
static void dump(const struct opts *o, const char *label, const struct dt_seg_features *f,
		 const struct dt_segments *s, const struct dt_truth *t)
{
	FILE *h = dump_open(o, label, "heat"), *c = dump_open(o, label, "calls");
	FILE *b = dump_open(o, label, "bounds");
	double t0 = (double)t->run_start_ns;
	size_t D = f->nr_areas * f->nr_cells;

	for (size_t i = 0; h && c && i < f->nr_bins; i++) {
		double x = ((double)f->start_ns[i] - t0) / 1e9, y = ((double)f->end_ns[i] - t0) / 1e9;
		for (size_t d = 0; d < D; d++)
			fprintf(h, "%.3f %.3f %zu %g\n", x, y, d,
				f->heat[i * D + d] / (f->nr_aggrs[i] ? f->nr_aggrs[i] : 1) / MIB_F);
		fprintf(c, "%.3f", (x + y) / 2);
		for (size_t j = 0; j < f->nr_frames; j++)
			if (f->frames[j].flags & DT_SEG_FRAME_FEATURE)
				fprintf(c, " %.3f", f->samples[i] > 0 ? f->frame_samples[i * f->nr_frames + j] /
									f->samples[i] : NAN);
		fprintf(c, "\n");
	}
	for (size_t i = 1; b && i < s->nr; i++)
		fprintf(b, "found %.3f %s\n", ((double)s->v[i].start_ns - t0) / 1e9,
			s->v[i].reason == DT_SEG_HOTSET || s->v[i].reason == DT_SEG_WSS ? "memory" : "calls");
	for (size_t j = 1; b && j < t->nr; j++)
		fprintf(b, "truth %.3f %s\n", ((double)t->v[j].start_ns - t0) / 1e9, t->v[j].function);
	if (c) {
		fprintf(c, "# frames:");
		for (size_t j = 0; j < f->nr_frames; j++)
			if (f->frames[j].flags & DT_SEG_FRAME_FEATURE)
				fprintf(c, " %s", f->frames[j].symbol);
		fprintf(c, "\n");
	}
	if (h)
		fclose(h);
	if (c)
		fclose(c);
	if (b)
		fclose(b);
}

static int fails(const struct dt_seg_score *sc)
{
	return sc->matched < sc->bounds || sc->extra_cover >= 0.05;
}

static int score_one(const char *label, const struct dt_truth *t, const struct opts *o,
		     struct totals *tot)
{
	struct dt_seg_features all, f;
	struct dt_segments s;
	struct dt_seg_score sc;
	char err[512];
	int ret = dt_seg_features_from_file(t->record, NULL, &all, err, sizeof(err));

	/* the truth's main lane: the main thread's lane when the truth has
	 * lanes of other threads (dt_seg_main_lane) */
	if (!ret)
		dt_seg_lane_view(&all, t->nr_lanes > 1 ? (size_t)dt_seg_main_lane(&all) : SIZE_MAX,
			 &f);
	if (!ret)
		ret = dt_segment(&f, &o->p, &s, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "phase-score: %s\n", err);
		return ret;
	}
	dt_seg_score(&f, &s, t, &sc, NULL);
	printf("%-14s %3zu/%-3zu %6.2f %6.2f %3zu %6.1f%% %3zu/%-3zu %3zu/%-3zu %s\n", label,
	       sc.matched, sc.bounds, sc.max_err_s, sc.matched ? sc.sum_err_s / sc.matched : 0,
	       sc.extras, 100 * sc.extra_cover, sc.patterns_right, sc.patterns, sc.names_right,
	       sc.names, fails(&sc) ? "FAIL" : "ok");
	if (o->segments)
		print_segments(&f, &s, t->run_start_ns);
	if (o->dump)
		dump(o, label, &f, &s, t);
	if (o->detail)
		dt_seg_score(&f, &s, t, &sc, stdout);
	tot->records++;
	tot->failed += fails(&sc);
	tot->bounds += sc.bounds;
	tot->matched += sc.matched;
	tot->found += sc.found;
	tot->extras += sc.extras;
	tot->patterns += sc.patterns;
	tot->pright += sc.patterns_right;
	tot->names += sc.names;
	tot->nright += sc.names_right;
	tot->sum_err += sc.sum_err_s;
	tot->max_err = sc.max_err_s > tot->max_err ? sc.max_err_s : tot->max_err;
	dt_segments_free(&s);
	dt_seg_features_free(&all);
	return 0;
}

static int is_truth(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 6 && !strcmp(e->d_name + n - 6, ".truth");
}

static int score_corpus(const struct opts *o, struct totals *tot)
{
	struct dirent **names;
	int n = scandir(o->corpus, &names, is_truth, alphasort), ret = 0;

	if (n < 0) {
		fprintf(stderr, "phase-score: %s: %s\n", o->corpus, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < n; i++) {
		char path[1024], label[64], err[512];
		snprintf(path, sizeof(path), "%s/%s", o->corpus, names[i]->d_name);
		for (unsigned run = 1; !ret && run < 100; run++) {
			struct dt_truth t;
			if (dt_truth_read_corpus(path, run, &t, err, sizeof(err)))
				break;
			snprintf(label, sizeof(label), "%.*s-%u",
				 (int)(strlen(names[i]->d_name) - 6), names[i]->d_name, run);
			ret = score_one(label, &t, o, tot);
			dt_truth_free(&t);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

static int score_synth(const struct opts *o, struct totals *tot)
{
	char dir[] = "/tmp/phase-score.XXXXXX", label[64], err[512], truth[600];
	int ret = 0;

	if (!o->synth)
		return 0;
	if (!mkdtemp(dir))
		return -errno;
	for (unsigned seed = 1; !ret && seed <= o->synth; seed++) {
		struct dt_truth t;
		if ((ret = dt_truth_make_synth(seed, dir, &t, err, sizeof(err)))) {
			fprintf(stderr, "phase-score: %s\n", err);
		} else {
			snprintf(label, sizeof(label), "synth-%u", seed);
			ret = score_one(label, &t, o, tot);
		}
		snprintf(truth, sizeof(truth), "%s/synth-%u.truth", dir, seed);
		unlink(truth);
		if (t.record[0])
			unlink(t.record);
		dt_truth_free(&t);
	}
	rmdir(dir);
	return ret;
}

static int usage(void)
{
	fprintf(stderr, "usage: phase-score [--check] [--detail] [--segments] [--corpus DIR]\n"
			"                   [--dump DIR] [--synth N] [--call-effect X] [--memory-effect X]\n");
	return 2;
}

static int parse(int argc, char **argv, struct opts *o)
{
	o->corpus = "tests/data/corpus";
	o->synth = 8;
	dt_seg_params_default(&o->p);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--check"))
			o->check = 1;
		else if (!strcmp(a, "--detail"))
			o->detail = 1;
		else if (!strcmp(a, "--segments"))
			o->segments = 1;
		else if (!strcmp(a, "--dump") && v && ++i)
			o->dump = v;
		else if (!strcmp(a, "--corpus") && v && ++i)
			o->corpus = v;
		else if (!strcmp(a, "--synth") && v && ++i)
			o->synth = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--call-effect") && v && ++i)
			o->p.call_effect = strtod(v, NULL);
		else if (!strcmp(a, "--drift") && v && ++i)
			o->p.drift = strtod(v, NULL);
		else if (!strcmp(a, "--z") && v && ++i)
			o->p.z = strtod(v, NULL);
		else if (!strcmp(a, "--memory-effect") && v && ++i)
			o->p.memory_effect = strtod(v, NULL);
		else
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct totals tot = { 0 };

	if (parse(argc, argv, &o))
		return usage();
	printf("%-14s %7s %6s %6s %3s %7s %7s %7s\n", "record", "bounds", "maxerr", "mean",
	       "xtr", "xcover", "pattern", "names");
	if (score_corpus(&o, &tot) || score_synth(&o, &tot))
		return 1;
	printf("%-14s %3zu/%-3zu %6.2f %6.2f %3zu %7s %3zu/%-3zu %3zu/%-3zu %zu of %zu records fail\n",
	       "TOTAL", tot.matched, tot.bounds, tot.max_err,
	       tot.matched ? tot.sum_err / tot.matched : 0, tot.extras, "", tot.pright,
	       tot.patterns, tot.nright, tot.names, tot.failed, tot.records);
	return o.check && tot.failed ? 1 : 0;
}
