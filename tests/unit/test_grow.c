// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one growth macro (convert/util/grow.h): the growth steps, an exact
 * need, zero, sizes that overflow, and failures that leave the array as it
 * was.
 */
#define _DEFAULT_SOURCE /* setenv */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grow.h"

#if defined(__SANITIZE_ADDRESS__)
#define DT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DT_ASAN 1
#endif
#endif

START_TEST(grows_by_half_plus_16)
{
	int *v = NULL;
	size_t alloc = 0;
	/* 0 -> 24 -> 60 -> 114, as git's alloc_nr */
	ck_assert_int_eq(DT_GROW(v, alloc, 1), 0);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(alloc, 24);
	for (int i = 0; i < 24; i++)
		v[i] = i;
	ck_assert_int_eq(DT_GROW(v, alloc, 24), 0); /* enough already */
	ck_assert_uint_eq(alloc, 24);
	ck_assert_int_eq(DT_GROW(v, alloc, 25), 0);
	ck_assert_uint_eq(alloc, 60);
	ck_assert_int_eq(DT_GROW(v, alloc, 61), 0);
	ck_assert_uint_eq(alloc, 114);
	for (int i = 0; i < 24; i++)
		ck_assert_int_eq(v[i], i);
	free(v);
}
END_TEST

START_TEST(one_at_a_time_stays_within_bound)
{
	uint64_t *v = NULL;
	size_t alloc = 0, grows = 0;
	for (size_t nr = 0; nr < 1000000; nr++) {
		size_t before = alloc;
		ck_assert_int_eq(DT_GROW(v, alloc, nr + 1), 0);
		grows += alloc != before;
		ck_assert_uint_ge(alloc, nr + 1);
		/* the bound grow.h states: 1.5 x need + 23 */
		ck_assert_uint_le(2 * alloc, 3 * (nr + 1) + 46);
		v[nr] = nr;
	}
	ck_assert_uint_le(grows, 30); /* logarithmic, not one per element */
	for (size_t i = 0; i < 1000000; i += 9999)
		ck_assert_uint_eq(v[i], i);
	free(v);
}
END_TEST

START_TEST(exact_need_beyond_the_step)
{
	char *v = NULL;
	size_t alloc = 0;
	ck_assert_int_eq(DT_GROW(v, alloc, 1000), 0);
	ck_assert_uint_eq(alloc, 1000);
	memset(v, 'x', 1000);
	ck_assert_int_eq(DT_GROW(v, alloc, 100000), 0);
	ck_assert_uint_eq(alloc, 100000);
	ck_assert_int_eq(v[999], 'x');
	free(v);
}
END_TEST

START_TEST(zero_need_allocates_nothing)
{
	double *v = NULL;
	size_t alloc = 0;
	ck_assert_int_eq(DT_GROW(v, alloc, 0), 0);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(alloc, 0);
	ck_assert_int_eq(dt_grow(&v, &alloc, 5, 0), -EINVAL);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(alloc, 0);
}
END_TEST

/* Arrays grown in step: each dt_grow() to dt_grow_capacity()'s answer
 * gets exactly it, the capacity one element's growth would get. */
START_TEST(capacity_is_what_grow_gives)
{
	for (size_t alloc = 0; alloc < 5000; alloc += 37) {
		for (size_t need = alloc + 1; need < alloc + 9000; need += 811) {
			size_t cap = dt_grow_capacity(alloc, need, 8);
			char *v = NULL;
			size_t a = 0, b = alloc;
			ck_assert_int_eq(dt_grow(&v, &a, alloc, 8), 0);
			ck_assert_int_eq(dt_grow(&v, &b, need, 8), 0);
			ck_assert_uint_eq(b, cap);
			size_t c = alloc;
			ck_assert_int_eq(dt_grow(&v, &c, cap, 3), 0);
			ck_assert_uint_eq(c, cap);
			free(v);
		}
	}
	ck_assert_uint_eq(dt_grow_capacity(10, 5, 8), 10);
	ck_assert_uint_eq(dt_grow_capacity(0, 1, 0), 0);
	ck_assert_uint_eq(dt_grow_capacity(0, SIZE_MAX / 2, 4), 0);
}
END_TEST

struct big {
	char b[4096];
};

START_TEST(overflow_leaves_array_intact)
{
	struct big *v = NULL;
	size_t alloc = 0;
	ck_assert_int_eq(DT_GROW(v, alloc, 3), 0);
	size_t had = alloc;
	struct big *was = v;
	v[2].b[0] = 'k';
	/* need * elem wraps around size_t */
	ck_assert_int_eq(DT_GROW(v, alloc, SIZE_MAX / 4096 + 2), -EOVERFLOW);
	/* fits size_t but not one object (PTRDIFF_MAX bytes) */
	ck_assert_int_eq(DT_GROW(v, alloc, (size_t)PTRDIFF_MAX / 4096 + 1), -EOVERFLOW);
	ck_assert_int_eq(DT_GROW(v, alloc, SIZE_MAX), -EOVERFLOW);
	ck_assert_ptr_eq(v, was);
	ck_assert_uint_eq(alloc, had);
	ck_assert_int_eq(v[2].b[0], 'k');

	/* a capacity near the limit: the 1.5x step is clamped, not wrapped */
	unsigned char *c = NULL;
	size_t big_alloc = (size_t)PTRDIFF_MAX - 8;
	ck_assert_int_eq(DT_GROW(c, big_alloc, (size_t)PTRDIFF_MAX + 1), -EOVERFLOW);
	ck_assert_uint_eq(big_alloc, (size_t)PTRDIFF_MAX - 8);
	free(v);
}
END_TEST

/* Under AddressSanitizer a failed allocation aborts unless
 * allocator_may_return_null is set, which is read once at start: run this
 * one case again in a child that sets it. */
static int rerun_with_null_allocator(void)
{
#ifdef DT_ASAN
	if (getenv("DT_GROW_RERUN"))
		return 0;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("DT_GROW_RERUN", "1", 1);
		setenv("ASAN_OPTIONS", "allocator_may_return_null=1", 1);
		setenv("CK_RUN_SUITE", "grow", 1);
		setenv("CK_RUN_CASE", "grow_enomem", 1);
		execl("/proc/self/exe", "unit-runner", (char *)NULL);
		_exit(127);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	return 1;
#else
	return 0;
#endif
}

START_TEST(failed_allocation_leaves_array_intact)
{
	if (rerun_with_null_allocator())
		return;
	uint64_t *v = NULL;
	size_t alloc = 0;
	ck_assert_int_eq(DT_GROW(v, alloc, 10), 0);
	for (int i = 0; i < 10; i++)
		v[i] = 100 + i;
	uint64_t *was = v;
	size_t had = alloc;
	/* 4 EiB: below PTRDIFF_MAX, beyond any address space */
	ck_assert_int_eq(DT_GROW(v, alloc, (size_t)1 << 59), -ENOMEM);
	ck_assert_ptr_eq(v, was);
	ck_assert_uint_eq(alloc, had);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(v[i], 100 + i);
	ck_assert_int_eq(DT_GROW(v, alloc, 40), 0); /* still usable */
	ck_assert_uint_eq(v[9], 109);
	free(v);
}
END_TEST

Suite *grow_suite(void)
{
	Suite *s = suite_create("grow");
	TCase *tc = tcase_create("grow");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, grows_by_half_plus_16);
	tcase_add_test(tc, one_at_a_time_stays_within_bound);
	tcase_add_test(tc, exact_need_beyond_the_step);
	tcase_add_test(tc, zero_need_allocates_nothing);
	tcase_add_test(tc, overflow_leaves_array_intact);
	tcase_add_test(tc, capacity_is_what_grow_gives);
	suite_add_tcase(s, tc);
	TCase *enomem = tcase_create("grow_enomem");
	tcase_set_timeout(enomem, 60);
	tcase_add_test(enomem, failed_allocation_leaves_array_intact);
	suite_add_tcase(s, enomem);
	return s;
}
