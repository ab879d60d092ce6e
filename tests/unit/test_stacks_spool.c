// SPDX-License-Identifier: GPL-2.0-only
/*
 * Spooled records, their external sort, the constant-memory median, and
 * samples read back from a file: every answer checked against a plain
 * in-memory computation of the same thing.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stacks.h"
#include "stacks_spool.h"

struct rec {
	uint64_t key, seq;
};

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 33;
}

static int cmp_key(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

static size_t files_in(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* A private $TMPDIR for one test; the old value back with tmp_restore. */
static char tmp_dir[64];
static char *old_tmpdir;

static void tmp_private(void)
{
	const char *old = getenv("TMPDIR");
	old_tmpdir = old ? strdup(old) : NULL;
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/dt-spool-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
	setenv("TMPDIR", tmp_dir, 1);
}

static void tmp_restore(void)
{
	ck_assert_int_eq(rmdir(tmp_dir), 0);
	if (old_tmpdir)
		setenv("TMPDIR", old_tmpdir, 1);
	else
		unsetenv("TMPDIR");
	free(old_tmpdir);
}

START_TEST(records_move_to_an_unlinked_file)
{
	struct dt_records r;
	char err[256];
	struct rec x, got[3];
	tmp_private();
	dt_records_init(&r, sizeof(struct rec), 100);
	for (uint64_t i = 0; i < 6; i++) {
		x = (struct rec){ i, i * 10 };
		ck_assert_msg(dt_records_append(&r, &x, err, sizeof(err)) == 0, "%s", err);
		/* 100 bytes hold 6 records of 16: the 7th goes to a file. */
		ck_assert_int_eq(r.in_file, 0);
	}
	for (uint64_t i = 6; i < 20000; i++) {
		x = (struct rec){ i, i * 10 };
		ck_assert_msg(dt_records_append(&r, &x, err, sizeof(err)) == 0, "%s", err);
	}
	ck_assert_int_eq(r.in_file, 1);
	ck_assert_uint_eq(r.nr, 20000);
	/* The file has no name: nothing is left in $TMPDIR, even now. */
	ck_assert_uint_eq(files_in(tmp_dir), 0);
	/* Overwrites in the file and in the tail, and reads across both. */
	uint64_t in_file = 5, in_tail = r.nr - 2;
	ck_assert_uint_lt(in_file, r.tail_base);
	ck_assert_uint_ge(in_tail, r.tail_base);
	x = (struct rec){ 55, 1 };
	ck_assert_int_eq(dt_records_write(&r, in_file, 1, &x, err, sizeof(err)), 0);
	x = (struct rec){ 77, 2 };
	ck_assert_int_eq(dt_records_write(&r, in_tail, 1, &x, err, sizeof(err)), 0);
	struct rec *all = malloc(20000 * sizeof(*all));
	ck_assert_int_eq(dt_records_read(&r, 0, 20000, all, err, sizeof(err)), 0);
	for (uint64_t i = 0; i < 20000; i++) {
		uint64_t key = i == in_file ? 55 : i == in_tail ? 77 : i;
		ck_assert_uint_eq(all[i].key, key);
	}
	ck_assert_int_eq(dt_records_read(&r, r.tail_base - 1, 3, got, err, sizeof(err)), 0);
	ck_assert_uint_eq(got[0].key, r.tail_base - 1);
	ck_assert_uint_eq(got[1].key, r.tail_base);
	/* Sequential reading gives the same records. */
	struct dt_records_reader rd;
	const void *p;
	uint64_t n = 0;
	int rc;
	dt_records_reader_init(&rd, &r, 100, 19000);
	while ((rc = dt_records_reader_next(&rd, &p, err, sizeof(err))) > 0) {
		ck_assert_uint_eq(((const struct rec *)p)->key, all[100 + n].key);
		n++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(n, 18900);
	/* Emptied and reused; resized for random writes. */
	dt_records_clear(&r);
	ck_assert_uint_eq(r.nr, 0);
	ck_assert_int_eq(dt_records_resize(&r, 1000, err, sizeof(err)), 0);
	for (uint64_t i = 0; i < 1000; i++) {
		x = (struct rec){ 999 - i, 0 };
		ck_assert_int_eq(dt_records_write(&r, 999 - i, 1, &x, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(dt_records_read(&r, 0, 1000, all, err, sizeof(err)), 0);
	for (uint64_t i = 0; i < 1000; i++)
		ck_assert_uint_eq(all[i].key, i);
	free(all);
	dt_records_free(&r);
	tmp_restore();
}
END_TEST

START_TEST(records_name_the_folder_they_cannot_use)
{
	struct dt_records r;
	char err[256];
	struct rec x = { 1, 2 };
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	setenv("TMPDIR", "/nonexistent-dt-dir", 1);
	dt_records_init(&r, sizeof(x), 16);
	ck_assert_int_eq(dt_records_append(&r, &x, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_records_append(&r, &x, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "cannot create a temporary file in /nonexistent-dt-dir: "
			      "No such file or directory");
	/* What was held is still there. */
	ck_assert_uint_eq(r.nr, 1);
	ck_assert_int_eq(dt_records_read(&r, 0, 1, &x, err, sizeof(err)), 0);
	ck_assert_uint_eq(x.seq, 2);
	dt_records_free(&r);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
}
END_TEST

START_TEST(memory_sort_is_stable)
{
	uint64_t seed = 7;
	for (size_t n = 0; n < 300; n += 1 + n / 4) {
		struct rec *a = malloc((n + 1) * sizeof(*a)), *tmp = malloc((n + 1) * sizeof(*a));
		for (size_t i = 0; i < n; i++)
			a[i] = (struct rec){ lcg(&seed) % 7, i };
		dt_records_sort_mem(a, n, sizeof(*a), cmp_key, tmp);
		for (size_t i = 1; i < n; i++)
			ck_assert(a[i - 1].key < a[i].key ||
				  (a[i - 1].key == a[i].key && a[i - 1].seq < a[i].seq));
		free(a);
		free(tmp);
	}
}
END_TEST

/* _i 0: fits the memory given; 1: runs merged once; 2: merged twice. */
START_TEST(external_sort_is_stable)
{
	static const size_t counts[] = { 1000, 50000, 300000 };
	size_t n = counts[_i];
	struct dt_records in, out;
	char err[256];
	uint64_t seed = 11 + _i;
	tmp_private();
	dt_records_init(&in, sizeof(struct rec), 0);
	dt_records_init(&out, sizeof(struct rec), 1 << 20);
	for (size_t i = 0; i < n; i++) {
		/* Mostly increasing, with a few keys far back, and many ties. */
		uint64_t key = i / 3 - (lcg(&seed) % 50 == 0 ? lcg(&seed) % (i / 3 + 1) : 0);
		struct rec x = { key, i };
		ck_assert_int_eq(dt_records_append(&in, &x, err, sizeof(err)), 0);
	}
	/* 64 KiB: runs of 2048 records, more than 64 runs from 131072 on. */
	ck_assert_msg(dt_records_sort(&in, 10, n, cmp_key, &out, 65536, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(out.nr, n - 10);
	struct dt_records_reader rd;
	const void *p;
	struct rec prev = { 0, 0 };
	size_t k = 0;
	uint64_t key_sum = 0, want_sum = 0;
	int rc;
	dt_records_reader_init(&rd, &out, 0, out.nr);
	while ((rc = dt_records_reader_next(&rd, &p, err, sizeof(err))) > 0) {
		const struct rec *x = p;
		ck_assert_uint_ge(x->seq, 10);
		if (k++)
			ck_assert(prev.key < x->key || (prev.key == x->key && prev.seq < x->seq));
		key_sum += x->key * 31 + x->seq;
		prev = *x;
	}
	ck_assert_int_eq(rc, 0);
	dt_records_reader_init(&rd, &in, 10, n);
	while (dt_records_reader_next(&rd, &p, err, sizeof(err)) > 0)
		want_sum += ((const struct rec *)p)->key * 31 + ((const struct rec *)p)->seq;
	ck_assert_uint_eq(key_sum, want_sum);
	dt_records_free(&in);
	dt_records_free(&out);
	ck_assert_uint_eq(files_in(tmp_dir), 0);
	tmp_restore();
}
END_TEST

struct values {
	const uint64_t *v;
	size_t n;
	unsigned passes;
};

static int produce(void *ctx, struct dt_select *sel, char *err, size_t errlen)
{
	struct values *vs = ctx;
	(void)err;
	(void)errlen;
	vs->passes++;
	for (size_t i = 0; i < vs->n; i++)
		dt_select_add(sel, vs->v[i]);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

START_TEST(median_is_exact)
{
	uint64_t seed = 3;
	char err[256];
	for (int shape = 0; shape < 6; shape++) {
		for (size_t n = 0; n < 2000; n = n * 3 + 1) {
			uint64_t *v = malloc((n + 1) * sizeof(*v));
			for (size_t i = 0; i < n; i++) {
				uint64_t r = lcg(&seed);
				switch (shape) {
				case 0: v[i] = r % 2048; break;                  /* exact buckets */
				case 1: v[i] = 1000000 + r % 5000; break;        /* timer jitter */
				case 2: v[i] = r << 30 | r; break;               /* huge */
				case 3: v[i] = 250000; break;                    /* all equal */
				case 4: v[i] = i % 2 ? UINT64_MAX - r % 3 : r % 3; break;
				default: v[i] = (r % 5) << (r % 60); break;      /* every scale */
				}
			}
			struct values vs = { v, n, 0 };
			uint64_t count, median;
			int rc = dt_select_median(produce, &vs, &count, &median, err,
						  sizeof(err));
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(count, n);
			qsort(v, n, sizeof(*v), cmp_u64);
			ck_assert_uint_eq(median, n ? v[n / 2] : 0);
			ck_assert_uint_le(vs.passes, 5);
			if (shape == 1 && n > 1)
				ck_assert_uint_eq(vs.passes, 2);
			free(v);
		}
	}
}
END_TEST

/* The same samples kept in memory and in a file read back the same, in the
 * order a stable sort by (time, thread, path) gives, with unknown weights
 * replaced by the median interval of consecutive samples of a thread.
 * Known weights are KNOWN + the order of adding, to check stability. */
#define KNOWN 1000000000000ull
START_TEST(samples_from_a_file_are_the_samples_in_memory)
{
	struct dt_stacks *mem, *file;
	char err[256];
	uint64_t seed = 5;
	enum { N = 30000, THREADS = 5 };
	struct dt_stack_sample *want = malloc(N * sizeof(*want));
	uint32_t frames[4], th[THREADS];
	tmp_private();
	ck_assert_int_eq(dt_stacks_new(&mem, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_stacks_new(&file, err, sizeof(err)), 0);
	dt_stacks_set_memory(mem, 64 << 20);
	dt_stacks_set_memory(file, 0);
	for (int f = 0; f < 4; f++) {
		char name[8];
		snprintf(name, sizeof(name), "f%u", (unsigned)f & 7);
		ck_assert_int_eq(dt_stacks_intern_frame(mem, name, "", "", &frames[f]), 0);
		ck_assert_int_eq(dt_stacks_intern_frame(file, name, "", "", &frames[f]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		ck_assert_int_eq(dt_stacks_thread_index(mem, 1, t, "x", &th[t]), 0);
		ck_assert_int_eq(dt_stacks_thread_index(file, 1, t, "x", &th[t]), 0);
	}
	uint64_t t = 1000000;
	size_t unknown = 0;
	for (size_t i = 0; i < N; i++) {
		uint64_t r = lcg(&seed);
		if (r % 4)
			t += 900 + r % 300;
		uint64_t when = r % 97 == 0 ? t - r % 40000 : t;   /* some out of order */
		uint64_t weight = r % 13 == 0 ? 0 : KNOWN + i;      /* some unknown */
		uint32_t depth = (uint32_t)(r >> 8) % 3, thread = th[(r >> 12) % THREADS];
		unknown += !weight;
		ck_assert_int_eq(dt_stacks_add(mem, when, thread, weight, depth, frames, err,
					       sizeof(err)), 0);
		ck_assert_int_eq(dt_stacks_add(file, when, thread, weight, depth, frames, err,
					       sizeof(err)), 0);
	}
	ck_assert_msg(dt_stacks_finish(mem, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dt_stacks_finish(file, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(files_in(tmp_dir), 0);

	/* The order and weights by a plain computation over the memory copy's
	 * records (read back before finishing would have been the same). */
	struct dt_stacks_iter a, b;
	struct dt_stack_sample sa, sb;
	size_t n = 0;
	int ra, rb;
	dt_stacks_iter_init(&a, mem, 0, N);
	dt_stacks_iter_init(&b, file, 0, N);
	while ((ra = dt_stacks_iter_next(&a, &sa, err, sizeof(err))) > 0) {
		rb = dt_stacks_iter_next(&b, &sb, err, sizeof(err));
		ck_assert_int_eq(rb, 1);
		ck_assert(!memcmp(&sa, &sb, sizeof(sa)));
		ck_assert_uint_ne(sa.weight, 0);
		if (n) {
			const struct dt_stack_sample *p = &want[n - 1];
			int same = p->time_ns == sa.time_ns && p->thread == sa.thread &&
				   p->node == sa.node;
			ck_assert(p->time_ns < sa.time_ns ||
				  (p->time_ns == sa.time_ns && (p->thread < sa.thread ||
				   (p->thread == sa.thread && p->node <= sa.node))));
			/* Equal keys keep the order they were added in. */
			if (same && p->weight >= KNOWN && sa.weight >= KNOWN)
				ck_assert_uint_lt(p->weight, sa.weight);
		}
		want[n++] = sa;
	}
	ck_assert_int_eq(ra, 0);
	ck_assert_int_eq(dt_stacks_iter_next(&b, &sb, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, N);

	/* Unknown weights: the median positive interval between consecutive
	 * samples of a thread (each sample's own weight else). */
	uint64_t *deltas = malloc(N * sizeof(*deltas)), last[THREADS] = { 0 };
	size_t nd = 0;
	for (size_t i = 0; i < N; i++) {
		uint64_t *l = &last[want[i].thread];
		if (*l && want[i].time_ns > *l)
			deltas[nd++] = want[i].time_ns - *l;
		*l = want[i].time_ns;
	}
	qsort(deltas, nd, sizeof(*deltas), cmp_u64);
	size_t filled = 0, seen = 0;
	char *added = calloc(N, 1);
	for (size_t i = 0; i < N; i++) {
		if (want[i].weight < KNOWN) {
			ck_assert_uint_eq(want[i].weight, deltas[nd / 2]);
			filled++;
			continue;
		}
		ck_assert_uint_lt(want[i].weight - KNOWN, N);
		ck_assert(!added[want[i].weight - KNOWN]);
		added[want[i].weight - KNOWN] = 1;
		seen++;
	}
	ck_assert_uint_eq(filled, unknown);
	ck_assert_uint_eq(seen + unknown, N);
	ck_assert_uint_gt(unknown, N / 20);
	free(added);
	free(deltas);

	/* Per thread: the samples of that thread, in the same order. */
	ck_assert_int_eq(dt_stacks_group_threads(file, err, sizeof(err)), 0);
	for (int k = 0; k < THREADS; k++) {
		uint64_t weight = 0;
		size_t j = 0, count = 0;
		dt_stacks_iter_thread(&b, file, th[k]);
		while (dt_stacks_iter_next(&b, &sb, err, sizeof(err)) > 0) {
			while (want[j].thread != th[k])
				j++;
			ck_assert(!memcmp(&want[j], &sb, sizeof(sb)));
			j++;
			count++;
			weight += sb.weight;
		}
		ck_assert_uint_eq(count, dt_stacks_thread_samples(file, th[k]));
		ck_assert_uint_eq(weight, dt_stacks_thread_weight(file, th[k]));
	}
	/* Lower bounds by time. */
	for (size_t i = 0; i < N; i += 997) {
		size_t at;
		int rc = dt_stacks_lower_bound(file, want[i].time_ns, &at, err, sizeof(err));
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_le(at, i);
		ck_assert(at == 0 || want[at - 1].time_ns < want[i].time_ns);
		ck_assert_uint_eq(want[at].time_ns, want[i].time_ns);
	}
	free(want);
	dt_stacks_free(mem);
	dt_stacks_free(file);
	tmp_restore();
}
END_TEST

Suite *stacks_spool_suite(void)
{
	Suite *s = suite_create("stacks_spool");
	TCase *tc = tcase_create("spool");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, records_move_to_an_unlinked_file);
	tcase_add_test(tc, records_name_the_folder_they_cannot_use);
	tcase_add_test(tc, memory_sort_is_stable);
	tcase_add_loop_test(tc, external_sort_is_stable, 0, 3);
	tcase_add_test(tc, median_is_exact);
	tcase_add_test(tc, samples_from_a_file_are_the_samples_in_memory);
	suite_add_tcase(s, tc);
	return s;
}
