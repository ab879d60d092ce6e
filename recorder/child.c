// SPDX-License-Identifier: GPL-2.0-only
/*
 * The target's processes: the command damo-record starts (held until DAMON
 * is on, then released to exec, or ended), the children of the targets
 * (--include-child-tasks), and whether the target has exited.
 */
#define _GNU_SOURCE
#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "damon_shim.h"
#include "recorder_internal.h"

/* ---------------------------------------------------------------- children */

static int have_pid(const struct rec *r, long pid)
{
	for (size_t i = 0; i < r->nr_targets; i++)
		if (r->pids[i] == pid)
			return 1;
	return 0;
}

/* Descendants of the targets, from /proc/PID/task/TID/children. */
int find_new_children(struct rec *r)
{
	int added = 0;
	for (size_t i = 0; i < r->nr_targets && r->nr_targets < MAX_TARGETS; i++) {
		long *kids;
		size_t nr;
		if (dshim_read_children(&r->roots, r->pids[i], &kids, &nr, NULL, 0))
			continue;
		for (size_t k = 0; k < nr && r->nr_targets < MAX_TARGETS; k++) {
			long pid = kids[k];
			if (pid > 0 && !have_pid(r, pid)) {
				r->pids[r->nr_targets++] = pid;
				added++;
			}
		}
		free(kids);
	}
	return added;
}

/* ---------------------------------------------------------------- command */

int start_child(struct rec *r, char *err, size_t errlen)
{
	int go[2], ex[2];

	if (pipe2(go, O_CLOEXEC) || pipe2(ex, O_CLOEXEC)) {
		return dt_fail(err, errlen, -errno, "pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		return dt_fail(err, errlen, -e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		char c;
		int e = 0;
		close(go[1]);
		close(ex[0]);
		/* Wait until DAMON is on and the reader attached. */
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		if (r->under_sudo && !r->o->as_root) {
			gid_t g = r->sudo_gid;
			if (setgroups(1, &g) || setgid(r->sudo_gid) || setuid(r->sudo_uid))
				e = errno;
		}
		if (!e) {
			execvp(r->o->argv[0], r->o->argv);
			e = errno;
		}
		if (write(ex[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ex[1]);
	r->child = pid;
	r->go_fd = go[1];
	r->exec_err_fd = ex[0];
	r->pids[0] = pid;
	r->nr_targets = 1;
	return 0;
}

int release_child(struct rec *r, char *err, size_t errlen)
{
	int e = 0;
	ssize_t n;

	if (write(r->go_fd, "g", 1) != 1) {
		return dt_fail(err, errlen, -EIO, "cannot start the command: %s", strerror(errno));
	}
	close(r->go_fd);
	r->go_fd = -1;
	do
		n = read(r->exec_err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(r->exec_err_fd);
	r->exec_err_fd = -1;
	if (n == (ssize_t)sizeof(e)) {
		return dt_fail(err, errlen, -e, "cannot run '%s': %s", r->o->argv[0], strerror(e));
	}
	return 0;
}

void end_child(struct rec *r)
{
	if (r->child <= 0 || r->child_reaped)
		return;
	if (r->go_fd >= 0) {
		/* Never released: it exits on its own when the pipe closes. */
		close(r->go_fd);
		r->go_fd = -1;
		waitpid(r->child, NULL, 0);
		r->child_reaped = 1;
	}
}

/* ---------------------------------------------------------------- exit */

int target_exited(struct rec *r)
{
	if (r->o->kind == REC_TARGET_PADDR)
		return 0;
	if (r->child > 0) {
		int status;
		if (!r->child_reaped && waitpid(r->child, &status, WNOHANG) == r->child) {
			r->child_reaped = 1;
			r->st->target_status = status;
		}
		return r->child_reaped;
	}
	return dshim_process_gone(&r->roots, r->pids[0]);
}
