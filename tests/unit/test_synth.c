// SPDX-License-Identifier: GPL-2.0-only
/* Synthetic records: deterministic, well-formed, and true to their phases. */
#define _GNU_SOURCE
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtr.h"
#include "synth.h"
#include "test_format_util.h"

static char err[512];

static void synth(const char *path, const struct dt_synth_opts *o, FILE *truth)
{
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { .no_fsync = 1 };

	ck_assert_msg(dtr_writer_open(&w, path, &wo, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dt_synth_write(o, w, truth, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dtr_writer_close(w, err, sizeof(err)) == 0, "%s", err);
}

START_TEST(same_seed_same_bytes)
{
	struct dt_synth_opts o;
	size_t la, lb, lc;

	dt_synth_default_opts(&o);
	o.nr_snapshots = 40;
	o.nr_regions = 100;
	o.stacks = 1;
	o.nr_targets = 2;
	synth(ft_tmp_path("a.dtr"), &o, NULL);
	synth(ft_tmp_path("b.dtr"), &o, NULL);
	o.seed = 2;
	synth(ft_tmp_path("c.dtr"), &o, NULL);
	unsigned char *a = ft_slurp(ft_tmp_path("a.dtr"), &la), *b = ft_slurp(ft_tmp_path("b.dtr"), &lb);
	unsigned char *c = ft_slurp(ft_tmp_path("c.dtr"), &lc);
	ck_assert(la == lb && !memcmp(a, b, la));
	ck_assert(la != lc || memcmp(a, c, la));
	free(a);
	free(b);
	free(c);
	ft_tmp_cleanup();
}
END_TEST

struct truth_phase {
	uint64_t start, end;
	unsigned target;
	int quiet;
	uint64_t hot_start, hot_end;
	char function[64];
	/* measured */
	double hot_sum, cold_sum;
	uint64_t hot_n, cold_n;
	uint64_t stacks, stacks_with_function;
};

struct area {
	uint64_t start, end;
	int data; /* heap or anonymous mmap: where hot ranges live */
};

START_TEST(records_follow_their_phases)
{
	struct dt_synth_opts o;
	struct truth_phase ph[256];
	size_t nr_ph = 0;
	char line[256];
	FILE *truth = tmpfile();

	dt_synth_default_opts(&o);
	o.nr_snapshots = 300;
	o.nr_regions = 300;
	o.stacks = 1;
	o.seed = 11;
	synth(ft_tmp_path("p.dtr"), &o, truth);
	rewind(truth);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), truth));
	ck_assert_int_eq(line[0], '#');
	while (fgets(line, sizeof(line), truth) && nr_ph < 256) {
		struct truth_phase *p = &ph[nr_ph];
		char kind[16], hs[32], he[32];
		memset(p, 0, sizeof(*p));
		ck_assert_int_eq(sscanf(line, "%" SCNu64 " %" SCNu64 " %u %15s %31s %31s %63s", &p->start,
					&p->end, &p->target, kind, hs, he, p->function), 7);
		p->quiet = !strcmp(kind, "quiet");
		if (!p->quiet) {
			ck_assert_str_eq(kind, "hot");
			p->hot_start = strtoull(hs, NULL, 16);
			p->hot_end = strtoull(he, NULL, 16);
			ck_assert_uint_lt(p->hot_start, p->hot_end);
		}
		if (nr_ph)
			ck_assert_uint_eq(p->start, ph[nr_ph - 1].end);
		nr_ph++;
	}
	fclose(truth);
	ck_assert_uint_ge(nr_ph, 5);

	struct dtr_reader *r;
	struct dtr_item it;
	struct area areas[16];
	size_t nr_areas = 0, k = 0;
	const uint32_t max = (uint32_t)(o.aggr_us / o.sample_us);
	uint64_t prev_end = 0, nr_snapshots = 0;
	char names[4096][48];
	uint32_t nr_names = 0;

	ck_assert_int_eq(dtr_reader_open(&r, ft_tmp_path("p.dtr"), NULL, err, sizeof(err)), 0);
	while (dtr_reader_next(r, &it, err, sizeof(err)) > 0) {
		if (it.type == DTR_ITEM_MAPS) {
			for (size_t i = 0; i < it.u.maps.nr && nr_areas < 16; i++) {
				const struct dtr_map_entry *e = &it.u.maps.entries[i];
				areas[nr_areas++] = (struct area){ e->start, e->end,
					!strcmp(e->path, "[heap]") || !e->path[0] };
			}
		} else if (it.type == DTR_ITEM_FRAME) {
			ck_assert_uint_lt(nr_names, 4096);
			snprintf(names[nr_names++], sizeof(names[0]), "%s", it.u.frame.symbol);
		} else if (it.type == DTR_ITEM_SNAPSHOT) {
			const struct dtr_snapshot *s = &it.u.snapshot;
			ck_assert_uint_eq(s->nr_regions, o.nr_regions);
			if (nr_snapshots++)
				ck_assert_uint_eq(s->start_ns, prev_end);
			ck_assert_uint_gt(s->end_ns, s->start_ns);
			prev_end = s->end_ns;
			while (k + 1 < nr_ph && ph[k].end <= s->start_ns)
				k++;
			struct truth_phase *p = &ph[k];
			ck_assert(s->start_ns >= p->start && s->end_ns <= p->end);
			size_t a = 0;
			for (uint64_t i = 0; i < s->nr_regions; i++) {
				const struct dtr_region *g = &s->regions[i];
				ck_assert_uint_lt(g->start, g->end);
				ck_assert_uint_le(g->nr_accesses, max);
				while (a < nr_areas && areas[a].end <= g->start)
					a++;
				ck_assert_msg(a < nr_areas && g->start >= areas[a].start &&
					      g->end <= areas[a].end,
					      "region %" PRIx64 "-%" PRIx64 " outside the maps", g->start,
					      g->end);
				if (!areas[a].data)
					continue;
				if (!p->quiet && g->start >= p->hot_start && g->end <= p->hot_end) {
					p->hot_sum += g->nr_accesses;
					p->hot_n++;
				} else if (p->quiet || g->end <= p->hot_start || g->start >= p->hot_end) {
					p->cold_sum += g->nr_accesses;
					p->cold_n++;
				}
			}
		} else if (it.type == DTR_ITEM_STACK) {
			while (k + 1 < nr_ph && ph[k].end <= it.u.stack.time_ns)
				k++;
			struct truth_phase *p = &ph[k];
			p->stacks++;
			for (uint32_t f = 0; f < it.u.stack.nr_frames && f < 2; f++)
				if (!strcmp(names[it.u.stack.frames[f]], p->function) ||
				    (p->quiet && !strcmp(names[it.u.stack.frames[f]], "wait_for_work")))
					p->stacks_with_function++;
		}
	}
	dtr_reader_close(r);
	ck_assert_uint_eq(nr_snapshots, o.nr_snapshots);
	ck_assert_uint_eq(nr_areas, 8);
	for (size_t i = 0; i < nr_ph; i++) {
		struct truth_phase *p = &ph[i];
		ck_assert_uint_gt(p->cold_n, 0);
		ck_assert_msg(p->cold_sum / (double)p->cold_n < 0.1 * max,
			      "phase %zu: cold regions at %.2f accesses", i, p->cold_sum / (double)p->cold_n);
		if (!p->quiet) {
			ck_assert_msg(p->hot_n > 0, "phase %zu: no region inside its hot range", i);
			ck_assert_msg(p->hot_sum / (double)p->hot_n > 0.4 * max,
				      "phase %zu: hot regions at only %.2f accesses", i,
				      p->hot_sum / (double)p->hot_n);
		}
		/* 100 samples a second while a function runs; a quiet span
		 * waits, off the CPU, sampled at 2% of that rate */
		double full = (double)(p->end - p->start) / 1e9 * 100;
		if (p->quiet)
			ck_assert_msg(p->stacks < 0.1 * full + 2, "quiet phase %zu: %" PRIu64
				      " stacks", i, p->stacks);
		else
			ck_assert_msg(p->stacks > 0.9 * full - 2, "phase %zu: %" PRIu64 " stacks", i,
				      p->stacks);
		ck_assert_msg(p->stacks_with_function == p->stacks,
			      "phase %zu: %" PRIu64 " of %" PRIu64 " stacks show %s", i,
			      p->stacks_with_function, p->stacks, p->function);
	}
	ft_tmp_cleanup();
}
END_TEST

START_TEST(edge_sizes)
{
	struct dt_synth_opts o;
	struct dtr_reader_status st;

	dt_synth_default_opts(&o);
	o.nr_snapshots = 0;
	synth(ft_tmp_path("zero.dtr"), &o, NULL);
	ck_assert_int_eq(ft_read_all(ft_tmp_path("zero.dtr"), NULL, NULL, &st, err, sizeof(err)), 0);
	ck_assert_uint_eq(st.nr_snapshots, 0);
	o.nr_snapshots = 3;
	o.nr_regions = 0;
	synth(ft_tmp_path("empty.dtr"), &o, NULL);
	ck_assert_int_eq(ft_read_all(ft_tmp_path("empty.dtr"), NULL, NULL, &st, err, sizeof(err)), 0);
	ck_assert_uint_eq(st.nr_snapshots, 3);
	ck_assert_uint_eq(st.nr_regions, 0);
	o.nr_regions = 3; /* fewer regions than mapped areas */
	synth(ft_tmp_path("few.dtr"), &o, NULL);
	ck_assert_int_eq(ft_read_all(ft_tmp_path("few.dtr"), NULL, NULL, &st, err, sizeof(err)), 0);
	ck_assert_uint_eq(st.nr_regions, 9);
	o.nr_regions = 20000;
	o.nr_snapshots = 5;
	synth(ft_tmp_path("many.dtr"), &o, NULL);
	ck_assert_int_eq(ft_read_all(ft_tmp_path("many.dtr"), NULL, NULL, &st, err, sizeof(err)), 0);
	ck_assert_uint_eq(st.nr_regions, 100000);
	o.aggr_us = 0;
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	ck_assert_int_eq(dtr_writer_open(&w, ft_tmp_path("bad.dtr"), &wo, err, sizeof(err)), 0);
	ck_assert_int_lt(dt_synth_write(&o, w, NULL, NULL, NULL, err, sizeof(err)), 0);
	dtr_writer_abort(w);
	ft_tmp_cleanup();
}
END_TEST

Suite *synth_suite(void)
{
	Suite *s = suite_create("synth");
	TCase *tc = tcase_create("synth");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, same_seed_same_bytes);
	tcase_add_test(tc, records_follow_their_phases);
	tcase_add_test(tc, edge_sizes);
	suite_add_tcase(s, tc);
	return s;
}
