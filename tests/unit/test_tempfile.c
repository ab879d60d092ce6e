// SPDX-License-Identifier: GPL-2.0-only
/*
 * Temporary files: where they go, named or unlinked, renamed over a path,
 * and the messages when $TMPDIR cannot take them.
 */
#define _DEFAULT_SOURCE
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tempfile.h"

static char *saved_tmpdir;

static void set_tmpdir(const char *dir)
{
	const char *old = getenv("TMPDIR");
	saved_tmpdir = old ? strdup(old) : NULL;
	setenv("TMPDIR", dir, 1);
}

static void restore_tmpdir(void)
{
	if (saved_tmpdir)
		setenv("TMPDIR", saved_tmpdir, 1);
	else
		unsetenv("TMPDIR");
	free(saved_tmpdir);
	saved_tmpdir = NULL;
}

/* 0 when dir holds nothing, else 1. */
static int not_empty(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", dir);
	return system(cmd) == 0 ? 0 : 1;
}

START_TEST(named_and_unlinked_files_in_tmpdir)
{
	char dir[] = "/tmp/dt-tempfile.XXXXXX", err[256];
	struct dt_tempfile t;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	set_tmpdir(dir);
	ck_assert_int_eq(dt_tempfile_create(&t, NULL, "dt-test.", ".txt", DT_TEMPFILE_NAMED, err,
					    sizeof(err)), 0);
	ck_assert_int_ge(t.fd, 0);
	ck_assert_ptr_nonnull(t.path);
	ck_assert_int_eq(strncmp(t.path, dir, strlen(dir)), 0);
	ck_assert_str_eq(t.path + strlen(t.path) - 4, ".txt");
	ck_assert_int_eq(stat(t.path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	dt_tempfile_delete(&t);
	dt_tempfile_delete(&t); /* twice is harmless */
	ck_assert_int_eq(not_empty(dir), 0);

	ck_assert_int_eq(dt_tempfile_create(&t, NULL, "dt-test.", NULL, DT_TEMPFILE_UNLINKED, err,
					    sizeof(err)), 0);
	ck_assert_ptr_null(t.path);
	ck_assert_int_eq(write(t.fd, "x", 1), 1);
	ck_assert_int_eq(not_empty(dir), 0);
	dt_tempfile_delete(&t);
	restore_tmpdir();
	rmdir(dir);
}
END_TEST

START_TEST(beside_and_renamed_over)
{
	char dir[] = "/tmp/dt-tempfile.XXXXXX", out[64], err[256];
	struct dt_tempfile t;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out.dtr", dir);
	ck_assert_int_eq(dt_tempfile_beside(&t, out, ".tmp", err, sizeof(err)), 0);
	ck_assert_int_eq(strncmp(t.path, out, strlen(out)), 0);
	ck_assert_int_eq(strncmp(t.path + strlen(out), ".tmp", 4), 0);
	ck_assert_int_eq(dt_tempfile_rename(&t, out, err, sizeof(err)), 0);
	ck_assert_ptr_null(t.path);
	ck_assert_int_eq(stat(out, &st), 0);
	dt_tempfile_delete(&t); /* closes; the renamed file stays */
	ck_assert_int_eq(stat(out, &st), 0);
	unlink(out);
	rmdir(dir);
	/* A folder that does not exist: named in the message. */
	ck_assert_int_eq(dt_tempfile_beside(&t, "/nonexistent-dt-dir/out.dtr", ".tmp", err,
					    sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent-dt-dir/out.dtr: cannot create a temporary file "
			      "beside it: No such file or directory");
}
END_TEST

START_TEST(unusable_tmpdir_is_named)
{
	char err[256];
	struct dt_tempfile t;

	set_tmpdir("/nonexistent-dt-dir");
	ck_assert_int_eq(dt_tempfile_create(&t, NULL, "x.", NULL, DT_TEMPFILE_UNLINKED, err,
					    sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "cannot create a temporary file in /nonexistent-dt-dir: "
			      "No such file or directory");
	ck_assert_int_eq(t.fd, -1);
	restore_tmpdir();
	/* A folder given by the caller is named the same way. */
	ck_assert_int_eq(dt_tempfile_create(&t, "/nonexistent-dt-dir2", "x.", NULL,
					    DT_TEMPFILE_NAMED, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "cannot create a temporary file in /nonexistent-dt-dir2: "
			      "No such file or directory");
}
END_TEST

START_TEST(overlong_tmpdir_is_named)
{
	char err[512];
	struct dt_tempfile t;
	size_t len = PATH_MAX + 100;
	char *dir = malloc(len + 1);

	dir[0] = '/';
	memset(dir + 1, 'a', len - 1);
	dir[len] = '\0';
	set_tmpdir(dir);
	ck_assert_int_eq(dt_tempfile_create(&t, NULL, "x.", NULL, DT_TEMPFILE_UNLINKED, err,
					    sizeof(err)), -ENAMETOOLONG);
	ck_assert_msg(!strncmp(err, "cannot create a temporary file in /aaaa", 39), "%s", err);
	ck_assert_msg(strstr(err, "...: File name too long (TMPDIR is ") != NULL, "%s", err);
	ck_assert_msg(strlen(err) < 200, "the message quotes the whole folder: %s", err);
	/* Just too long with the name added: the same, not a cut template. */
	dir[PATH_MAX - 8] = '\0';
	setenv("TMPDIR", dir, 1);
	ck_assert_int_eq(dt_tempfile_create(&t, NULL, "x.", NULL, DT_TEMPFILE_UNLINKED, err,
					    sizeof(err)), -ENAMETOOLONG);
	ck_assert_msg(strstr(err, "File name too long (TMPDIR is 4088 bytes)") != NULL, "%s", err);
	restore_tmpdir();
	free(dir);
}
END_TEST

/* A process killed by SIGTERM, SIGINT or SIGHUP leaves none of its named
 * temporary files, and dies of the signal as it would have. */
START_TEST(named_files_go_with_a_signal)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	char dir[] = "/tmp/dt-tempfile.XXXXXX", err[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (!pid) {
			struct dt_tempfile a, b;
			signal(sigs[i], SIG_DFL);
			if (dt_tempfile_create(&a, dir, "x.", NULL, DT_TEMPFILE_NAMED, err,
					       sizeof(err)) ||
			    dt_tempfile_beside(&b, a.path, ".b", err, sizeof(err)))
				_exit(3);
			raise(sigs[i]);
			_exit(4);
		}
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
		ck_assert_int_eq(WTERMSIG(status), sigs[i]);
		ck_assert_int_eq(not_empty(dir), 0);
	}
	rmdir(dir);
}
END_TEST

/* An anonymous file has no name until renamed over its destination, which
 * it then replaces at once; the folder holds nothing else. */
START_TEST(anonymous_file_linked_over)
{
	char dir[] = "/tmp/dt-tempfile.XXXXXX", dest[64], err[256], buf[8] = "";
	struct dt_tempfile t;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dest, sizeof(dest), "%s/out", dir);
	FILE *f = fopen(dest, "w");
	fputs("old", f);
	fclose(f);
	int ret = dt_tempfile_anonymous(&t, dir, 0640, err, sizeof(err));
	if (ret == -EOPNOTSUPP) {
		unlink(dest);
		rmdir(dir);
		return; /* /tmp without O_TMPFILE: the named path is tested above */
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_null(t.path);
	ck_assert_int_eq(write(t.fd, "new", 3), 3);
	f = fopen(dest, "r");
	ck_assert_int_eq(fread(buf, 1, 3, f), 3);
	fclose(f);
	ck_assert_str_eq(buf, "old");
	ck_assert_int_eq(dt_tempfile_rename(&t, dest, err, sizeof(err)), 0);
	f = fopen(dest, "r");
	ck_assert_int_eq(fread(buf, 1, 3, f), 3);
	fclose(f);
	ck_assert_str_eq(buf, "new");
	dt_tempfile_delete(&t);
	unlink(dest);
	ck_assert_int_eq(not_empty(dir), 0);
	rmdir(dir);
}
END_TEST

Suite *tempfile_suite(void)
{
	Suite *s = suite_create("tempfile");
	TCase *tc = tcase_create("tempfile");

	tcase_add_test(tc, named_and_unlinked_files_in_tmpdir);
	tcase_add_test(tc, beside_and_renamed_over);
	tcase_add_test(tc, unusable_tmpdir_is_named);
	tcase_add_test(tc, overlong_tmpdir_is_named);
	tcase_add_test(tc, named_files_go_with_a_signal);
	tcase_add_test(tc, anonymous_file_linked_over);
	suite_add_tcase(s, tc);
	return s;
}
