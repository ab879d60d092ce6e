// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel-shim's /proc reads of footprints against fake /proc trees in a
 * temporary directory: statm, status (VmSwap) and stat of a process,
 * meminfo of the system; a process that is gone, files that are missing
 * or damaged, a command name with blanks and parentheses, and the live
 * /proc of this test process for plausibility.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "damon_shim.h"

static char root[64];
static struct dshim_roots roots;
static char err[512];

static void make_root(void)
{
	snprintf(root, sizeof(root), "/tmp/dt-proc.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	dshim_roots_init(&roots, NULL, NULL, NULL);
	snprintf(roots.proc, sizeof(roots.proc), "%s", root);
}

static void remove_root(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* ROOT/REL with `text` in it (REL's directory made first). */
static void put(const char *rel, const char *text)
{
	char path[256], dir[256];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	mkdir(dir, 0755);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static const char stat_line[] =
	"4242 (my (odd) app) S 1 4242 4242 0 -1 4194304 1500 0 7 0 250 40 0 0 20 0 3 0 "
	"100 300000000 3000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

START_TEST(footprint_of_a_fake_process)
{
	struct dshim_footprint fp;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), hz = (uint64_t)sysconf(_SC_CLK_TCK);

	make_root();
	put("4242/statm", "75000 3000 1000 250 0 2200 0\n");
	put("4242/status", "Name:\tapp\nVmSize:\t  300000 kB\nVmRSS:\t   12000 kB\n"
			   "VmSwap:\t     512 kB\nThreads:\t3\n");
	put("4242/stat", stat_line);
	ck_assert_msg(dshim_read_footprint(&roots, 4242, &fp, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(fp.has, DSHIM_FP_STATM | DSHIM_FP_SWAP | DSHIM_FP_STAT);
	ck_assert_uint_eq(fp.size, 75000 * page);
	ck_assert_uint_eq(fp.resident, 3000 * page);
	ck_assert_uint_eq(fp.shared, 1000 * page);
	ck_assert_uint_eq(fp.text, 250 * page);
	ck_assert_uint_eq(fp.data, 2200 * page);
	ck_assert_uint_eq(fp.swap, 512 * 1024);
	ck_assert_uint_eq(fp.minflt, 1500);
	ck_assert_uint_eq(fp.majflt, 7);
	ck_assert_uint_eq(fp.utime_ns, 250 * (1000000000ull / hz));
	ck_assert_uint_eq(fp.stime_ns, 40 * (1000000000ull / hz));
	ck_assert_uint_eq(fp.threads, 3);
	remove_root();
}
END_TEST

/* Each file on its own: the parts that were read say so, the others are 0. */
START_TEST(footprint_parts_missing_or_damaged)
{
	struct dshim_footprint fp;

	make_root();
	put("7/statm", "garbage\n");
	put("7/status", "Name:\tkthread\n"); /* kernel threads have no VmSwap */
	put("7/stat", "7 (app S 1 2 3\n");
	ck_assert_int_eq(dshim_read_footprint(&roots, 7, &fp, err, sizeof(err)), -ESRCH);
	ck_assert_msg(strstr(err, "/7/statm: not 7 numbers") != NULL, "%s", err);
	ck_assert_uint_eq(fp.has, 0);

	/* a zombie: statm of zeros, no VmSwap, but its stat */
	put("9/statm", "0 0 0 0 0 0 0\n");
	put("9/stat", stat_line);
	ck_assert_int_eq(dshim_read_footprint(&roots, 9, &fp, err, sizeof(err)), 0);
	ck_assert_uint_eq(fp.has, DSHIM_FP_STAT);

	put("8/stat", stat_line);
	ck_assert_int_eq(dshim_read_footprint(&roots, 8, &fp, err, sizeof(err)), 0);
	ck_assert_uint_eq(fp.has, DSHIM_FP_STAT);
	ck_assert_uint_eq(fp.resident, 0);
	ck_assert_uint_eq(fp.threads, 3);

	/* gone: nothing to read, the message names the statm file */
	ck_assert_int_eq(dshim_read_footprint(&roots, 99, &fp, err, sizeof(err)), -ESRCH);
	ck_assert_msg(strstr(err, "/99/statm: No such file or directory") != NULL, "%s", err);
	remove_root();
}
END_TEST

START_TEST(meminfo_of_a_fake_system)
{
	struct dshim_meminfo m;

	make_root();
	put("meminfo", "MemTotal:       16310584 kB\nMemFree:         9032032 kB\n"
		       "MemAvailable:   12807316 kB\nBuffers:          150000 kB\n"
		       "Cached:          3200000 kB\nSwapCached:            4 kB\n");
	ck_assert_msg(dshim_read_meminfo(&roots, &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(m.total, 16310584ull * 1024);
	ck_assert_uint_eq(m.free, 9032032ull * 1024);
	ck_assert_uint_eq(m.available, 12807316ull * 1024);
	ck_assert_uint_eq(m.buffers, 150000ull * 1024);
	ck_assert_uint_eq(m.cached, 3200000ull * 1024);

	/* before Linux 3.14: no MemAvailable */
	put("meminfo", "MemTotal: 1000 kB\nMemFree: 10 kB\n");
	ck_assert_int_eq(dshim_read_meminfo(&roots, &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.available, 0);
	ck_assert_uint_eq(m.free, 10240);

	put("meminfo", "nothing here\n");
	ck_assert_int_eq(dshim_read_meminfo(&roots, &m, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "meminfo: no MemTotal line") != NULL, "%s", err);
	remove_root();
	ck_assert_int_lt(dshim_read_meminfo(&roots, &m, err, sizeof(err)), 0);
}
END_TEST

/* The real /proc of this process: plausible numbers. */
START_TEST(footprint_of_this_process)
{
	struct dshim_footprint fp;
	struct dshim_meminfo m;

	dshim_roots_init(&roots, NULL, NULL, NULL);
	ck_assert_msg(dshim_read_footprint(&roots, getpid(), &fp, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert(fp.has & DSHIM_FP_STATM);
	ck_assert(fp.has & DSHIM_FP_STAT);
	ck_assert_uint_gt(fp.resident, 0);
	ck_assert_uint_ge(fp.size, fp.resident);
	ck_assert_uint_ge(fp.threads, 1);
	ck_assert_int_eq(dshim_read_meminfo(&roots, &m, err, sizeof(err)), 0);
	ck_assert_uint_gt(m.total, fp.resident);
}
END_TEST

Suite *shim_proc_suite(void)
{
	Suite *s = suite_create("shim_proc");
	TCase *tc = tcase_create("footprint");

	tcase_add_test(tc, footprint_of_a_fake_process);
	tcase_add_test(tc, footprint_parts_missing_or_damaged);
	tcase_add_test(tc, meminfo_of_a_fake_system);
	tcase_add_test(tc, footprint_of_this_process);
	suite_add_tcase(s, tc);
	return s;
}
