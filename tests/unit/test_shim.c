// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel-shim against a fake DAMON sysfs tree in a temporary directory
 * (tests/fakes/make-damon-tree), never the real one: probing, the refusal
 * when a kdamond exists, configuration written as the kernel expects,
 * start/stop/tried regions with a fake kernel process answering state
 * commands, /proc/iomem parsing.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "damon_shim.h"

static char tmp[256];
static char sysfs[300];

static const char *src_root(void)
{
	const char *s = getenv("DT_SRC");
	return s ? s : ".";
}

static void make_tree(const char *args)
{
	char cmd[2048];
	snprintf(tmp, sizeof(tmp), "/tmp/dt-shim.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(sysfs, sizeof(sysfs), "%s/damon", tmp);
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/fakes/make-damon-tree' '%s' %s", src_root(),
		 sysfs, args);
	ck_assert_int_eq(system(cmd), 0);
}

static void remove_tree(void)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

static void read_rel(const char *rel, char *buf, size_t len)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/admin/kdamonds/%s", sysfs, rel);
	FILE *f = fopen(p, "r");
	ck_assert_msg(f != NULL, "cannot open %s", p);
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	fclose(f);
}

static void write_rel(const char *rel, const char *value)
{
	char p[600], t[620];
	snprintf(p, sizeof(p), "%s/admin/kdamonds/%s", sysfs, rel);
	snprintf(t, sizeof(t), "%s.tmp", p);
	FILE *f = fopen(t, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", value);
	fclose(f);
	ck_assert_int_eq(rename(t, p), 0);
}

#define ck_rel_eq(rel, want)                                    \
	do {                                                    \
		char got_[256];                                 \
		read_rel(rel, got_, sizeof(got_));              \
		ck_assert_str_eq(got_, want);                   \
	} while (0)

/* A recursive listing of names, sizes and contents: what "nothing was
 * written" means for a tree. */
static char *tree_digest(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && find . -type f | sort | while read -r f; do echo \"$f:$(cat \"$f\")\"; done",
		 sysfs);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while ((r = fread(buf + n, 1, cap - 1 - n, p)) > 0)
		n += r;
	buf[n] = '\0';
	pclose(p);
	return buf;
}

START_TEST(roots_from_arguments_and_environment)
{
	struct dshim_roots r;

	setenv(DSHIM_ENV_SYSFS_ROOT, "/tmp/fake-damon", 1);
	setenv(DSHIM_ENV_TRACEFS_ROOT, "/tmp/fake-tracing", 1);
	setenv(DSHIM_ENV_IOMEM, "/tmp/fake-iomem", 1);
	dshim_roots_init(&r, NULL, NULL, NULL);
	ck_assert_str_eq(r.sysfs, "/tmp/fake-damon");
	ck_assert_str_eq(r.tracefs, "/tmp/fake-tracing");
	ck_assert_str_eq(r.iomem, "/tmp/fake-iomem");
	dshim_roots_init(&r, "/a", "/b", "/c");
	ck_assert_str_eq(r.sysfs, "/a");
	ck_assert_str_eq(r.tracefs, "/b");
	ck_assert_str_eq(r.iomem, "/c");
	unsetenv(DSHIM_ENV_SYSFS_ROOT);
	unsetenv(DSHIM_ENV_TRACEFS_ROOT);
	unsetenv(DSHIM_ENV_IOMEM);
	dshim_roots_init(&r, NULL, NULL, NULL);
	ck_assert_str_eq(r.sysfs, "/sys/kernel/mm/damon");
	ck_assert_str_eq(r.iomem, "/proc/iomem");
}
END_TEST

START_TEST(probe_absent_damon)
{
	struct dshim_roots r;
	struct dshim_probe p;
	struct dshim_damon *d = NULL;
	char err[512] = "";

	make_tree("");
	char missing[400];
	snprintf(missing, sizeof(missing), "%s/nothing-here", tmp);
	dshim_roots_init(&r, missing, missing, "/dev/null");
	ck_assert_int_eq(dshim_probe(&r, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p.sysfs_present, 0);
	ck_assert_int_eq(p.tracefs_present, 0);
	dshim_probe_free(&p);
	ck_assert_int_eq(dshim_damon_create(&d, &r, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(err, "DAMON is not available") && strstr(err, "nothing-here"), "%s", err);
	remove_tree();
}
END_TEST

START_TEST(probe_finds_tracepoint)
{
	struct dshim_roots r;
	struct dshim_probe p;
	char err[512] = "", args[2048], tr[400];

	make_tree("");
	snprintf(tr, sizeof(tr), "%s/tracing", tmp);
	snprintf(args, sizeof(args), "bash '%s/tests/fakes/make-damon-tree' '%s' --tracefs '%s' "
		 "'%s/tests/fakes/damon_aggregated-6.12.format'", src_root(), sysfs, tr, src_root());
	ck_assert_int_eq(system(args), 0);
	dshim_roots_init(&r, sysfs, tr, "/dev/null");
	ck_assert_int_eq(dshim_probe(&r, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p.sysfs_present, 1);
	ck_assert_int_eq(p.nr_kdamonds, 0);
	ck_assert_int_eq(p.tracefs_present, 1);
	ck_assert_int_eq(p.event_id, 1447);
	ck_assert_ptr_nonnull(p.event_format);
	ck_assert_ptr_nonnull(strstr(p.event_format, "nr_accesses"));
	dshim_probe_free(&p);
	remove_tree();
}
END_TEST

START_TEST(refuses_when_a_kdamond_exists)
{
	struct dshim_roots r;
	struct dshim_damon *d = NULL;
	char err[512] = "";

	make_tree("--busy --ops paddr");
	char *before = tree_digest();
	dshim_roots_init(&r, sysfs, "/nonexistent", "/dev/null");
	ck_assert_int_eq(dshim_damon_create(&d, &r, err, sizeof(err)), -EBUSY);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(err, "DAMON is in use") && strstr(err, "kdamond 0 is on") &&
		      strstr(err, "pid 71") && strstr(err, "operations paddr"), "%s", err);
	char *after = tree_digest();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	remove_tree();
}
END_TEST

/* The kernel's part for state commands: answer every keyword other than
 * on/off by reporting "on" again, and fill tried_regions on request. */
static pid_t start_fake_kernel(void)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid)
		return pid;
	for (int i = 0; i < 20000; i++) {
		char state[64];
		read_rel("0/state", state, sizeof(state));
		if (!strcmp(state, "update_schemes_tried_regions")) {
			static const unsigned long regs[3][4] = {
				{ 0x1000, 0x5000, 3, 7 }, { 0x5000, 0x9000, 0, 12 }, { 0x9000, 0x10000, 20, 1 } };
			char rel[200], v[32];
			for (int k = 0; k < 3; k++) {
				static const char *const names[4] = { "start", "end", "nr_accesses", "age" };
				for (int f = 0; f < 4; f++) {
					char p[700];
					snprintf(p, sizeof(p), "%s/admin/kdamonds/0/contexts/0/schemes/0/tried_regions/%d",
						 sysfs, k);
					mkdir(p, 0755);
					snprintf(rel, sizeof(rel), "0/contexts/0/schemes/0/tried_regions/%d/%s", k,
						 names[f]);
					snprintf(v, sizeof(v), "%lu", regs[k][f]);
					write_rel(rel, v);
				}
			}
			write_rel("0/state", "on");
		} else if (!strcmp(state, "commit") || !strcmp(state, "update_tuned_intervals")) {
			write_rel("0/state", "on");
		}
		usleep(1000);
	}
	_exit(0);
}

START_TEST(configure_start_tried_regions_stop_destroy)
{
	struct dshim_roots r;
	struct dshim_damon *d = NULL;
	char err[512] = "";
	struct dshim_range ranges[2] = { { 0x100000, 0x200000 }, { 0x300000, 0x400000 } };
	struct dshim_target_config t = { .pid = 0, .nr_regions = 2, .regions = ranges };
	struct dshim_config cfg = { .operations = "paddr", .sample_us = 10000, .aggr_us = 200000,
				    .update_us = 2000000, .min_nr_regions = 2000,
				    .max_nr_regions = 5000, .nr_targets = 1, .targets = &t,
				    .stat_scheme = 1 };

	make_tree("--ops 'vaddr paddr'");
	write_rel("0/pid", "4242"); /* what the kernel shows once on */
	dshim_roots_init(&r, sysfs, "/nonexistent", "/dev/null");
	ck_assert_msg(dshim_damon_create(&d, &r, err, sizeof(err)) == 0, "%s", err);
	ck_rel_eq("nr_kdamonds", "1");
	ck_rel_eq("0/contexts/nr_contexts", "1");
	ck_assert_str_eq(dshim_damon_avail_operations(d), "vaddr paddr");
	ck_assert_int_eq(dshim_damon_has_operations(d, "paddr"), 1);
	ck_assert_int_eq(dshim_damon_has_operations(d, "fvaddr"), 0);
	ck_assert(dshim_damon_features(d) & DSHIM_FEAT_INTERVALS_GOAL);

	cfg.operations = "fvaddr";
	ck_assert_int_eq(dshim_damon_configure(d, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "'fvaddr' not available") && strstr(err, "vaddr paddr"), "%s", err);
	cfg.operations = "paddr";
	ck_assert_msg(dshim_damon_configure(d, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_rel_eq("0/contexts/0/operations", "paddr");
	ck_rel_eq("0/contexts/0/monitoring_attrs/intervals/sample_us", "10000");
	ck_rel_eq("0/contexts/0/monitoring_attrs/intervals/aggr_us", "200000");
	ck_rel_eq("0/contexts/0/monitoring_attrs/intervals/update_us", "2000000");
	ck_rel_eq("0/contexts/0/monitoring_attrs/nr_regions/min", "2000");
	ck_rel_eq("0/contexts/0/monitoring_attrs/nr_regions/max", "5000");
	ck_rel_eq("0/contexts/0/targets/nr_targets", "1");
	ck_rel_eq("0/contexts/0/targets/0/pid_target", "0"); /* paddr: untouched */
	ck_rel_eq("0/contexts/0/targets/0/regions/nr_regions", "2");
	ck_rel_eq("0/contexts/0/targets/0/regions/0/start", "1048576");
	ck_rel_eq("0/contexts/0/targets/0/regions/1/end", "4194304");
	ck_rel_eq("0/contexts/0/schemes/nr_schemes", "1");
	ck_rel_eq("0/contexts/0/schemes/0/action", "stat");
	ck_rel_eq("0/contexts/0/schemes/0/access_pattern/sz/max", "18446744073709551615");
	ck_rel_eq("0/contexts/0/schemes/0/access_pattern/age/max", "4294967295");

	pid_t fake = start_fake_kernel();
	ck_assert_msg(dshim_damon_start(d, 2000, err, sizeof(err)) == 0, "%s", err);
	ck_rel_eq("0/state", "on");
	ck_assert_int_eq(dshim_damon_pid(d), 4242);
	ck_assert_int_eq(dshim_damon_is_on(d, err, sizeof(err)), 1);

	uint64_t s, a, u;
	ck_assert_msg(dshim_damon_read_intervals(d, 1, &s, &a, &u, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(s, 10000);
	ck_assert_uint_eq(a, 200000);
	ck_assert_uint_eq(u, 2000000);

	struct dshim_tried_regions tr = { 0 };
	ck_assert_msg(dshim_damon_tried_regions(d, &tr, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(tr.nr, 3);
	ck_assert_uint_eq(tr.regions[0].start, 0x1000);
	ck_assert_uint_eq(tr.regions[2].end, 0x10000);
	ck_assert_uint_eq(tr.regions[2].nr_accesses, 20);
	ck_assert_uint_eq(tr.regions[1].age, 12);
	dshim_tried_regions_free(&tr);

	ck_assert_msg(dshim_damon_destroy(d, err, sizeof(err)) == 0, "%s", err);
	ck_rel_eq("0/state", "off");
	ck_rel_eq("nr_kdamonds", "0");
	kill(fake, SIGKILL);
	waitpid(fake, NULL, 0);
	remove_tree();
}
END_TEST

START_TEST(nr_regions_written_in_a_valid_order)
{
	struct dshim_roots r;
	struct dshim_damon *d = NULL;
	char err[512] = "";
	struct dshim_target_config t = { .pid = 1234 };
	struct dshim_config cfg = { .operations = "vaddr", .min_nr_regions = 3,
				    .max_nr_regions = 7, .nr_targets = 1, .targets = &t };

	make_tree("");
	dshim_roots_init(&r, sysfs, "/nonexistent", "/dev/null");
	ck_assert_msg(dshim_damon_create(&d, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dshim_damon_configure(d, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_rel_eq("0/contexts/0/operations", "vaddr");
	ck_rel_eq("0/contexts/0/targets/0/pid_target", "1234");
	ck_rel_eq("0/contexts/0/targets/0/regions/nr_regions", "0");
	ck_rel_eq("0/contexts/0/monitoring_attrs/nr_regions/min", "3");
	ck_rel_eq("0/contexts/0/monitoring_attrs/nr_regions/max", "7");
	ck_rel_eq("0/contexts/0/monitoring_attrs/intervals/sample_us", "5000"); /* untouched */
	ck_rel_eq("0/contexts/0/schemes/nr_schemes", "0");
	ck_assert_msg(dshim_damon_destroy(d, err, sizeof(err)) == 0, "%s", err);
	ck_rel_eq("nr_kdamonds", "0");
	remove_tree();
}
END_TEST

START_TEST(start_fails_without_a_pid)
{
	struct dshim_roots r;
	struct dshim_damon *d = NULL;
	char err[512] = "";

	make_tree("");
	dshim_roots_init(&r, sysfs, "/nonexistent", "/dev/null");
	ck_assert_msg(dshim_damon_create(&d, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(dshim_damon_start(d, 50, err, sizeof(err)), -ETIMEDOUT);
	ck_assert_msg(strstr(err, "did not start"), "%s", err);
	dshim_damon_destroy(d, err, sizeof(err));
	ck_rel_eq("nr_kdamonds", "0");
	remove_tree();
}
END_TEST

START_TEST(refuses_an_existing_stopped_kdamond)
{
	struct dshim_roots r;
	struct dshim_damon *d = NULL;
	char err[512] = "";

	make_tree("");
	write_rel("nr_kdamonds", "1"); /* created by someone, never started */
	char *before = tree_digest();
	dshim_roots_init(&r, sysfs, "/nonexistent", "/dev/null");
	ck_assert_int_eq(dshim_damon_create(&d, &r, err, sizeof(err)), -EBUSY);
	ck_assert_msg(strstr(err, "kdamond 0 is off (operations vaddr)"), "%s", err);
	char *after = tree_digest();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	remove_tree();
}
END_TEST

START_TEST(destroy_leaves_kdamonds_it_did_not_create)
{
	struct dshim_roots r;
	struct dshim_damon *d = NULL;
	char err[512] = "";

	make_tree("");
	dshim_roots_init(&r, sysfs, "/nonexistent", "/dev/null");
	ck_assert_msg(dshim_damon_create(&d, &r, err, sizeof(err)) == 0, "%s", err);
	/* Another DAMON user added a kdamond while we ran. */
	write_rel("nr_kdamonds", "2");
	ck_assert_int_eq(dshim_damon_destroy(d, err, sizeof(err)), -EBUSY);
	ck_assert_msg(strstr(err, "2 kdamonds now exist; kdamond 0 was left in place"), "%s", err);
	ck_rel_eq("nr_kdamonds", "2");
	remove_tree();
}
END_TEST

START_TEST(commit_targets_rewrites_the_target_list)
{
	struct dshim_roots r;
	struct dshim_damon *d = NULL;
	char err[512] = "";
	struct dshim_target_config one = { .pid = 100 };
	struct dshim_target_config two[2] = { { .pid = 100 }, { .pid = 200 } };
	struct dshim_config cfg = { .operations = "vaddr", .nr_targets = 1, .targets = &one };

	make_tree("");
	write_rel("0/pid", "4242");
	dshim_roots_init(&r, sysfs, "/nonexistent", "/dev/null");
	ck_assert_msg(dshim_damon_create(&d, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dshim_damon_configure(d, &cfg, err, sizeof(err)) == 0, "%s", err);
	pid_t fake = start_fake_kernel();
	ck_assert_msg(dshim_damon_start(d, 2000, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dshim_damon_commit_targets(d, 2, two, err, sizeof(err)) == 0, "%s", err);
	ck_rel_eq("0/contexts/0/targets/nr_targets", "2");
	ck_rel_eq("0/contexts/0/targets/1/pid_target", "200");
	ck_rel_eq("0/state", "on");
	ck_assert_msg(dshim_damon_destroy(d, err, sizeof(err)) == 0, "%s", err);
	kill(fake, SIGKILL);
	waitpid(fake, NULL, 0);
	remove_tree();
}
END_TEST

/* How far a recorder that dies (as after SIGKILL: no destroy) got. */
enum death {
	DIE_CONFIGURED,   /* created, guarded, configured, never started */
	DIE_STARTING,     /* wrote "on" but died before it learned the pid */
	DIE_STARTED,      /* guarded from creation, started */
	DIE_GUARDED_LATE, /* started, then guarded (the pid known at fork) */
};

static void die_at(enum death when, const char *new_pid)
{
	struct dshim_roots r;
	struct dshim_damon *d = NULL;
	char err[512] = "";
	struct dshim_target_config t = { .pid = 1 };
	struct dshim_config cfg = { .operations = "vaddr", .nr_targets = 1, .targets = &t };

	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dshim_roots_init(&r, sysfs, "/nonexistent", "/dev/null");
		if (dshim_damon_create(&d, &r, err, sizeof(err)) ||
		    (when != DIE_GUARDED_LATE && dshim_damon_guard(d, err, sizeof(err))) ||
		    dshim_damon_configure(d, &cfg, err, sizeof(err)))
			_exit(1);
		if (when == DIE_STARTING)
			write_rel("0/state", "on");
		if ((when == DIE_STARTED || when == DIE_GUARDED_LATE) &&
		    dshim_damon_start(d, 2000, err, sizeof(err)))
			_exit(1);
		if (when == DIE_GUARDED_LATE && dshim_damon_guard(d, err, sizeof(err)))
			_exit(1);
		if (new_pid)
			write_rel("0/pid", new_pid);
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}

static void wait_rel(const char *rel, const char *want)
{
	char got[64] = "";
	for (int i = 0; i < 400; i++) {
		read_rel(rel, got, sizeof(got));
		if (!strcmp(got, want))
			return;
		usleep(5000);
	}
	ck_assert_msg(0, "%s reads '%s', expected '%s'", rel, got, want);
}

START_TEST(guardian_cleans_up_after_a_dead_recorder)
{
	static const enum death whens[] = { DIE_STARTED, DIE_GUARDED_LATE };

	for (size_t i = 0; i < sizeof(whens) / sizeof(whens[0]); i++) {
		make_tree("");
		write_rel("0/pid", "4242");
		die_at(whens[i], NULL);
		wait_rel("nr_kdamonds", "0");
		ck_rel_eq("0/state", "off");
		remove_tree();
	}
}
END_TEST

/* Killed between creating the kdamond and starting it: the kdamond it
 * created, still off, is removed too (it would block the next run). */
START_TEST(guardian_removes_a_kdamond_never_started)
{
	make_tree("");
	die_at(DIE_CONFIGURED, NULL);
	wait_rel("nr_kdamonds", "0");
	remove_tree();
}
END_TEST

/* Killed after writing "on", before the kdamond's pid was read: what runs
 * is what the recorder started, and it is stopped and removed. */
START_TEST(guardian_stops_a_kdamond_started_as_the_recorder_died)
{
	make_tree("");
	write_rel("0/pid", "4242");
	die_at(DIE_STARTING, NULL);
	wait_rel("nr_kdamonds", "0");
	ck_rel_eq("0/state", "off");
	remove_tree();
}
END_TEST

START_TEST(guardian_leaves_a_kdamond_it_did_not_start)
{
	/* Guarded after the start (the pid known when it forks), and guarded
	 * from the creation (the pid told by dshim_damon_start). */
	static const enum death whens[] = { DIE_GUARDED_LATE, DIE_STARTED };

	for (size_t i = 0; i < sizeof(whens) / sizeof(whens[0]); i++) {
		make_tree("");
		write_rel("0/pid", "4242");
		die_at(whens[i], "5151"); /* kdamond 0 now runs another thread */
		usleep(300000);
		ck_rel_eq("nr_kdamonds", "1");
		ck_rel_eq("0/state", "on");
		remove_tree();
	}
}
END_TEST

START_TEST(system_ram_from_iomem)
{
	char path[300], err[256];
	struct dshim_range *r = NULL;
	size_t n = 0;

	make_tree("");
	snprintf(path, sizeof(path), "%s/iomem", tmp);
	FILE *f = fopen(path, "w");
	fputs("00000000-00000fff : Reserved\n"
	      "00001000-0009fbff : System RAM\n"
	      "000a0000-000bffff : PCI Bus 0000:00\n"
	      "00100000-bffdffff : System RAM\n"
	      "  01000000-01ffffff : Kernel code\n"
	      "  02000000-025fffff : System RAM\n"
	      "bffe0000-bfffffff : Reserved\n"
	      "100000000-13fffffff : System RAM\n"
	      "140000000-17fffffff : System RAM\n", f);
	fclose(f);
	ck_assert_msg(dshim_read_system_ram(path, &r, &n, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(r[0].start, 0x1000);
	ck_assert_uint_eq(r[0].end, 0x9fc00);
	ck_assert_uint_eq(r[1].start, 0x100000);
	ck_assert_uint_eq(r[1].end, 0xbffe0000);
	ck_assert_uint_eq(r[2].start, 0x100000000ull); /* adjacent ranges merged */
	ck_assert_uint_eq(r[2].end, 0x180000000ull);
	free(r);

	f = fopen(path, "w");
	fputs("00000000-00000000 : System RAM\n", f);
	fclose(f);
	ck_assert_int_eq(dshim_read_system_ram(path, &r, &n, err, sizeof(err)), -ENODATA);
	ck_assert_msg(strstr(err, "hidden"), "%s", err);
	remove_tree();
}
END_TEST

Suite *shim_suite(void)
{
	Suite *s = suite_create("shim");
	TCase *tc = tcase_create("sysfs");

	tcase_add_test(tc, roots_from_arguments_and_environment);
	tcase_add_test(tc, probe_absent_damon);
	tcase_add_test(tc, probe_finds_tracepoint);
	tcase_add_test(tc, refuses_when_a_kdamond_exists);
	tcase_add_test(tc, configure_start_tried_regions_stop_destroy);
	tcase_add_test(tc, nr_regions_written_in_a_valid_order);
	tcase_add_test(tc, start_fails_without_a_pid);
	tcase_add_test(tc, refuses_an_existing_stopped_kdamond);
	tcase_add_test(tc, destroy_leaves_kdamonds_it_did_not_create);
	tcase_add_test(tc, commit_targets_rewrites_the_target_list);
	tcase_add_test(tc, guardian_cleans_up_after_a_dead_recorder);
	tcase_add_test(tc, guardian_removes_a_kdamond_never_started);
	tcase_add_test(tc, guardian_stops_a_kdamond_started_as_the_recorder_died);
	tcase_add_test(tc, guardian_leaves_a_kdamond_it_did_not_start);
	tcase_add_test(tc, system_ram_from_iomem);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
