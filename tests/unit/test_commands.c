// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command-level tests: every script tests/cmd/NAME.sh is one test, run with bash.
 * A script reads like a user's session: it runs the built commands from
 * $DT_BIN and checks what they print and write, exiting non-zero on the
 * first failed expectation (tests/cmd/lib.sh has the helpers).
 */
#define _DEFAULT_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define MAX_SCRIPTS 256

struct script_list {
	int nr;
	char names[MAX_SCRIPTS][128];
};

static struct script_list scripts;

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void find_scripts(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	scripts.nr = 0;
	if (!d)
		return;
	while ((e = readdir(d)) && scripts.nr < MAX_SCRIPTS) {
		size_t len = strlen(e->d_name);
		if (len < 4 || len >= sizeof(scripts.names[0]) ||
		    strcmp(e->d_name + len - 3, ".sh") || !strcmp(e->d_name, "lib.sh"))
			continue;
		memcpy(scripts.names[scripts.nr++], e->d_name, len + 1);
	}
	closedir(d);
	qsort(scripts.names, scripts.nr, sizeof(scripts.names[0]), by_name);
}

static const char *source_root(void)
{
	const char *src = getenv("DT_SRC");
	return src ? src : ".";
}

START_TEST(run_script)
{
	char cmd[1024];
	const char *name = scripts.names[_i];

	/* Output goes to a log that is shown only on failure. */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && log=$(mktemp) && "
		 "if bash tests/cmd/%s >\"$log\" 2>&1; then rm -f \"$log\"; exit 0; "
		 "else st=$?; echo '--- tests/cmd/%s output (tail):'; tail -n 40 \"$log\"; "
		 "rm -f \"$log\"; exit $st; fi",
		 source_root(), name, name);
	int status = system(cmd);
	ck_assert_msg(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "tests/cmd/%s failed (status %d)", name,
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
END_TEST

Suite *commands_suite(void)
{
	char dir[1024];
	Suite *s = suite_create("commands");
	TCase *tc = tcase_create("scripts");

	snprintf(dir, sizeof(dir), "%s/tests/cmd", source_root());
	find_scripts(dir);
	tcase_set_timeout(tc, 900);
	tcase_add_loop_test(tc, run_script, 0, scripts.nr);
	suite_add_tcase(s, tc);
	return s;
}
