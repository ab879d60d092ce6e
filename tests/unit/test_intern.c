// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one interner of frames, call paths and threads
 * (convert/analysis/intern.h): ids in order of first interning, equality
 * of frames by their three strings, the call-path tree, threads and their
 * comms, and many entries through the hash maps' growth.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "intern.h"

START_TEST(frames_by_their_strings)
{
	struct dt_intern in;
	uint32_t a, b, c, d, e, f;
	ck_assert_int_eq(dt_intern_init(&in), 0);
	ck_assert_int_eq(dt_intern_frame(&in, "main", "/bin/app", NULL, &a), 0);
	ck_assert_int_eq(dt_intern_frame(&in, "work", "/bin/app", "", &b), 0);
	ck_assert_int_eq(dt_intern_frame(&in, "main", "/bin/app", "", &c), 0);
	ck_assert_int_eq(dt_intern_frame(&in, "work", "/bin/app", "app.c:12", &d), 0);
	ck_assert_int_eq(dt_intern_frame(&in, "work", "/lib/libc.so.6", NULL, &e), 0);
	/* fields run together differently are other frames */
	ck_assert_int_eq(dt_intern_frame(&in, "mai", "n/bin/app", NULL, &f), 0);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 1);
	ck_assert_uint_eq(c, a); /* NULL is "" */
	ck_assert_uint_eq(d, 2); /* another srcline, another frame */
	ck_assert_uint_eq(e, 3);
	ck_assert_uint_eq(f, 4);
	ck_assert_uint_eq(in.nr_frames, 5);
	ck_assert_str_eq(in.frames[d].symbol, "work");
	ck_assert_str_eq(in.frames[d].srcline, "app.c:12");
	ck_assert_str_eq(in.frames[a].srcline, "");
	dt_intern_free(&in);
	dt_intern_free(&in);
}
END_TEST

START_TEST(call_paths_as_a_tree)
{
	struct dt_intern in;
	uint32_t n1, n2, n3, n4, again;
	ck_assert_int_eq(dt_intern_init(&in), 0);
	ck_assert_uint_eq(in.nr_nodes, 1);
	ck_assert_uint_eq(in.nodes[0].depth, 0);
	ck_assert_uint_eq(in.nodes[0].frame, UINT32_MAX);
	ck_assert_int_eq(dt_intern_node(&in, 0, 7, &n1), 0);         /* main */
	ck_assert_int_eq(dt_intern_node(&in, n1, 8, &n2), 0);        /* main;work */
	ck_assert_int_eq(dt_intern_node(&in, 0, 8, &n3), 0);         /* work as a root */
	ck_assert_int_eq(dt_intern_node(&in, n2, 7, &n4), 0);        /* main;work;main */
	ck_assert_int_eq(dt_intern_node(&in, n1, 8, &again), 0);
	ck_assert_uint_eq(n1, 1);
	ck_assert_uint_eq(n2, 2);
	ck_assert_uint_eq(n3, 3);
	ck_assert_uint_eq(n4, 4);
	ck_assert_uint_eq(again, n2);
	ck_assert_uint_eq(in.nr_nodes, 5);
	ck_assert_uint_eq(in.nodes[n1].depth, 1);
	ck_assert_uint_eq(in.nodes[n1].parent, 0);
	ck_assert_uint_eq(in.nodes[n2].depth, 2);
	ck_assert_uint_eq(in.nodes[n2].parent, n1);
	ck_assert_uint_eq(in.nodes[n3].depth, 1);
	ck_assert_uint_eq(in.nodes[n4].depth, 3);
	ck_assert_uint_eq(in.nodes[n4].frame, 7);
	dt_intern_free(&in);
}
END_TEST

START_TEST(threads_and_their_comms)
{
	struct dt_intern in;
	uint32_t a, b, c, d, again;
	ck_assert_int_eq(dt_intern_init(&in), 0);
	ck_assert_int_eq(dt_intern_thread(&in, 10, 10, NULL, &a), 0);
	ck_assert_str_eq(in.threads[a].comm, "");
	ck_assert_int_eq(dt_intern_thread(&in, 10, 11, "helper", &b), 0);
	ck_assert_int_eq(dt_intern_thread(&in, -1, -1, "idle", &c), 0);
	ck_assert_int_eq(dt_intern_thread(&in, 11, 10, "other", &d), 0);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 1);
	ck_assert_uint_eq(c, 2);
	ck_assert_uint_eq(d, 3);
	/* a later non-empty comm replaces the earlier one; none keeps it */
	ck_assert_int_eq(dt_intern_thread(&in, 10, 10, "app", &again), 0);
	ck_assert_uint_eq(again, a);
	ck_assert_str_eq(in.threads[a].comm, "app");
	ck_assert_int_eq(dt_intern_thread(&in, 10, 10, "", &again), 0);
	ck_assert_int_eq(dt_intern_thread(&in, 10, 10, NULL, &again), 0);
	ck_assert_str_eq(in.threads[a].comm, "app");
	ck_assert_int_eq(dt_intern_thread(&in, -1, -1, NULL, &again), 0);
	ck_assert_uint_eq(again, c);
	ck_assert_int_eq(in.threads[c].pid, -1);
	ck_assert_str_eq(in.threads[c].comm, "idle");
	ck_assert_uint_eq(in.nr_threads, 4);
	dt_intern_free(&in);
}
END_TEST

/* Many frames, paths and threads: each interned once, found again after
 * the tables grew, in the order first seen. */
/* Named threads: one index per name of a thread renamed back and forth. */
START_TEST(threads_with_an_index_per_name)
{
	struct dt_intern in;
	uint32_t a, b, x, other;
	ck_assert_int_eq(dt_intern_init(&in), 0);
	ck_assert_int_eq(dt_intern_thread_named(&in, 1, 2, NULL, &a), 0);
	ck_assert_int_eq(dt_intern_thread_named(&in, 1, 2, "first", &x), 0);
	ck_assert_uint_eq(x, a);
	ck_assert_int_eq(dt_intern_thread_named(&in, 1, 2, "second", &b), 0);
	ck_assert_uint_ne(b, a);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(dt_intern_thread_named(&in, 1, 2, "first", &x), 0);
		ck_assert_uint_eq(x, a);
		ck_assert_int_eq(dt_intern_thread_named(&in, 1, 2, "", &x), 0);
		ck_assert_uint_eq(x, a);
		ck_assert_int_eq(dt_intern_thread_named(&in, 1, 2, "second", &x), 0);
		ck_assert_uint_eq(x, b);
	}
	ck_assert_int_eq(dt_intern_thread_named(&in, 1, 3, "first", &other), 0);
	ck_assert_uint_eq(in.nr_threads, 3);
	ck_assert_str_eq(in.threads[a].comm, "first");
	ck_assert_str_eq(in.threads[b].comm, "second");
	ck_assert_int_eq(in.threads[b].tid, 2);
	dt_intern_free(&in);
}
END_TEST

START_TEST(many_entries_keep_their_ids)
{
	struct dt_intern in;
	char sym[32];
	uint32_t id, node, t;
	ck_assert_int_eq(dt_intern_init(&in), 0);
	for (int pass = 0; pass < 2; pass++) {
		uint32_t parent = 0;
		for (uint32_t i = 0; i < 20000; i++) {
			snprintf(sym, sizeof(sym), "fn_%u", i);
			ck_assert_int_eq(dt_intern_frame(&in, sym, i % 2 ? "/bin/a" : "/bin/b", NULL,
							 &id), 0);
			ck_assert_uint_eq(id, i);
			ck_assert_int_eq(dt_intern_node(&in, parent, id, &node), 0);
			ck_assert_uint_eq(node, i + 1);
			parent = i % 100 == 99 ? 0 : node;
			ck_assert_int_eq(dt_intern_thread(&in, (int32_t)(i / 7), (int32_t)i, NULL, &t), 0);
			ck_assert_uint_eq(t, i);
		}
	}
	ck_assert_uint_eq(in.nr_frames, 20000);
	ck_assert_uint_eq(in.nr_nodes, 20001);
	ck_assert_uint_eq(in.nr_threads, 20000);
	ck_assert_uint_eq(in.nodes[100].depth, 100);
	ck_assert_uint_eq(in.nodes[101].depth, 1);
	dt_intern_free(&in);
}
END_TEST

Suite *intern_suite(void)
{
	Suite *s = suite_create("intern");
	TCase *tc = tcase_create("intern");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, frames_by_their_strings);
	tcase_add_test(tc, call_paths_as_a_tree);
	tcase_add_test(tc, threads_and_their_comms);
	tcase_add_test(tc, threads_with_an_index_per_name);
	tcase_add_test(tc, many_entries_keep_their_ids);
	suite_add_tcase(s, tc);
	return s;
}
