// SPDX-License-Identifier: GPL-2.0-only
/*
 * The perf child of damo-record -g.  perf runs as a separate program (its
 * unwinding, symbol resolution and data format are its own); we only start
 * it, stop it and read what `perf script` prints.
 */
#define _GNU_SOURCE
#include "callstacks_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "errmsg.h"
#include "recorder_internal.h"
#include "tempfile.h"

/* Emulated machines are slow to load perf and to write its data. */
#define PERF_START_TIMEOUT_MS 120000
#define PERF_STOP_TIMEOUT_MS 120000

static int executable(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

int rec_perf_find(struct rec_perf *p, const char *opt, char *err, size_t errlen)
{
	const char *name = opt ? opt : "perf";

	memset(p, 0, sizeof(*p));
	p->log_fd = -1;
	if (strchr(name, '/')) {
		if (executable(name) && strlen(name) < sizeof(p->perf)) {
			snprintf(p->perf, sizeof(p->perf), "%s", name);
			return 0;
		}
		return dt_fail(err, errlen, -ENOENT,
			       "-g needs perf: %s is not an executable file (%s)", name,
			       strerror(errno ? errno : ENOENT));
	}
	const char *path = getenv("PATH");
	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		if (n && snprintf(p->perf, sizeof(p->perf), "%.*s/%s", (int)n, path, name) <
				 (int)sizeof(p->perf) && executable(p->perf))
			return 0;
		path = colon ? colon + 1 : NULL;
	}
	p->perf[0] = '\0';
	return dt_fail(err, errlen, -ENOENT,
		       "-g needs perf, and '%s' is not on PATH (install it: the Debian package "
		       "linux-perf, linux-tools on Ubuntu, perf on Fedora; or give --perf PATH)",
		       name);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait for `pid` up to `ms`; 1 with *status when it exited, 0 when not. */
static int wait_for(pid_t pid, int *status, uint64_t ms)
{
	uint64_t until = now_ms() + ms;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return 1;
		if (now_ms() >= until)
			return 0;
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

static void describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "wait status %d", status);
}

/* ": LINE", the last thing perf record said that is not one of its
 * "[ perf record: ... ]" progress notes (e.g. that its data filled the
 * disk), or "" when it said nothing. */
static void perf_said(const struct rec_perf *p, char *buf, size_t len)
{
	char text[4096], *save = NULL, *last = NULL;

	buf[0] = '\0';
	if (p->log_fd < 0)
		return;
	off_t size = lseek(p->log_fd, 0, SEEK_END);
	off_t from = size > (off_t)sizeof(text) - 1 ? size - ((off_t)sizeof(text) - 1) : 0;
	ssize_t n = size > 0 ? pread(p->log_fd, text, sizeof(text) - 1, from) : 0;
	if (n <= 0)
		return;
	text[n] = '\0';
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		size_t l = strlen(line);
		while (l && (line[l - 1] == ' ' || line[l - 1] == '\r' || line[l - 1] == '\t'))
			line[--l] = '\0';
		if (l && strncmp(line, "[ perf record:", 14))
			last = line;
	}
	if (last)
		snprintf(buf, len, ": %.300s", last);
}

int rec_perf_start(struct rec_perf *p, long pid, const char *mode, const char *out, char *err,
		   size_t errlen)
{
	char pid_arg[32];
	const char *argv[32];
	struct dt_tempfile t;
	int n = 0, ret;

	p->data[0] = '\0'; /* no file to remove yet */
	if ((ret = dt_tempfile_beside(&t, out, ".perf-", err, errlen)))
		return dt_fail(err, errlen, ret, "%s.perf-XXXXXX: cannot create perf's data file: %s",
			       out, strerror(-ret));
	if (snprintf(p->data, sizeof(p->data), "%s", t.path) >= (int)sizeof(p->data)) {
		dt_tempfile_delete(&t);
		return dt_fail(err, errlen, -ENAMETOOLONG, "%s: name too long for its perf data",
			       out);
	}
	free(t.path); /* the name stays in p->data, the file for perf to fill */
	close(t.fd);
	snprintf(pid_arg, sizeof(pid_arg), "%ld", pid);
	argv[n++] = p->perf;
	argv[n++] = "record";
	if (mode) {
		argv[n++] = "--call-graph";
		argv[n++] = mode;
	} else {
		argv[n++] = "-g";
	}
	argv[n++] = "-k";
	argv[n++] = "mono";
	argv[n++] = "-e";
	argv[n++] = "cpu-clock";
	/* No build-id collection: it takes long and the record keeps names.
	 * Not -q: it silences perf's errors too, and they are wanted (in
	 * perf's log, shown when it fails). */
	argv[n++] = "-B";
	argv[n++] = "-N";
	if (pid > 0) {
		argv[n++] = "-p";
		argv[n++] = pid_arg;
	} else {
		argv[n++] = "-a";
	}
	argv[n++] = "-o";
	argv[n++] = p->data;
	argv[n] = NULL;
	snprintf(p->args, sizeof(p->args), "perf record %s%s -k mono -e cpu-clock %s%s",
		 mode ? "--call-graph " : "-g", mode ? mode : "", pid > 0 ? "-p " : "-a",
		 pid > 0 ? pid_arg : "");

	/* perf's messages go to an anonymous memory file, read when it fails:
	 * not a pipe (perf would block on a full one, or die of SIGPIPE
	 * finishing its data after a killed recorder), not a file next to the
	 * output (the disk may be what is full).  Without memfd, perf shares
	 * our standard error. */
	if (p->log_fd < 0)
		p->log_fd = memfd_create("damo-record-perf-log", MFD_CLOEXEC);
	fflush(NULL);
	pid_t parent = getpid();
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		return dt_fail(err, errlen, -e, "fork: %s", strerror(e));
	}
	if (child == 0) {
		/* If damo-record is killed, perf is stopped as by rec_perf_stop
		 * (SIGINT: it completes its data file, which is left behind)
		 * instead of recording on, for good with -a.  The recorder is
		 * single-threaded, so the parent thread is the process. */
		if (prctl(PR_SET_PDEATHSIG, SIGINT) || getppid() != parent)
			_exit(127);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		if (p->log_fd >= 0)
			dup2(p->log_fd, 2);
		signal(SIGPIPE, SIG_DFL);
		execv(p->perf, (char *const *)argv);
		fprintf(stderr, "damo-record: cannot run %s: %s\n", p->perf, strerror(errno));
		_exit(127);
	}
	p->pid = child;
	/* perf writes its file header once its events are open on the target,
	 * then the target's synthesized maps, then enables the events.  (Its
	 * --control ack would say so exactly, but perf 6.1 fails with "Thread
	 * and evlist pollfd index mismatch" when it is used.)  So: a header,
	 * then a size that no longer grows for 200 ms. */
	uint64_t until = now_ms() + PERF_START_TIMEOUT_MS, stable_since = 0;
	off_t last = 0;
	for (;;) {
		struct stat st;
		int status;
		if (wait_for(child, &status, 0)) {
			char how[64], said[320];
			describe_status(status, how, sizeof(how));
			perf_said(p, said, sizeof(said));
			p->pid = 0;
			return dt_fail(err, errlen, -EIO,
				       "perf record on %s exited before it started (%s%s)",
				       pid > 0 ? pid_arg : "every CPU", how, said);
		}
		if (!stat(p->data, &st) && st.st_size > 0) {
			if (st.st_size != last) {
				last = st.st_size;
				stable_since = now_ms();
			} else if (now_ms() - stable_since >= 200) {
				return 0;
			}
		}
		if (now_ms() >= until) {
			return dt_fail(err, errlen, -ETIMEDOUT,
				       "perf record on %s did not start within %d s",
				       pid > 0 ? pid_arg : "every CPU",
				       PERF_START_TIMEOUT_MS / 1000);
		}
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

int rec_perf_stop(struct rec_perf *p, char *err, size_t errlen)
{
	int status = 0;
	char how[64], said[320];

	if (p->pid <= 0)
		return 0;
	/* A perf following a pid exits by itself once the pid is gone. */
	if (!wait_for(p->pid, &status, 0)) {
		kill(p->pid, SIGINT);
		p->stop_sent = 1;
		if (!wait_for(p->pid, &status, PERF_STOP_TIMEOUT_MS)) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
			p->pid = 0;
			return dt_fail(err, errlen, -ETIMEDOUT,
				       "perf record did not stop within %d s of SIGINT",
				       PERF_STOP_TIMEOUT_MS / 1000);
		}
	}
	p->pid = 0;
	/* perf record writes its data and then re-raises the SIGINT or SIGTERM
	 * it was stopped with (ours, or a terminal's Ctrl-C). */
	if ((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	    (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM)))
		return 0;
	describe_status(status, how, sizeof(how));
	perf_said(p, said, sizeof(said));
	return dt_fail(err, errlen, -EIO, "perf record failed (%s%s)", how, said);
}

int rec_perf_convert(struct rec_perf *p, dt_perf_script_put_fn put, void *ctx,
		     uint64_t *samples, char *err, size_t errlen)
{
	int pipefd[2], status, ret;
	struct dt_perf_script *ps = NULL;
	struct dt_perf_sample s;
	uint32_t emitted = 0;
	char how[64];

	*samples = 0;
	if (pipe2(pipefd, O_CLOEXEC)) {
		int e = errno;
		return dt_fail(err, errlen, -e, "pipe: %s", strerror(e));
	}
	fflush(NULL);
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return dt_fail(err, errlen, -e, "fork: %s", strerror(e));
	}
	if (child == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		dup2(pipefd[1], 1);
		signal(SIGPIPE, SIG_DFL);
		execl(p->perf, p->perf, "script", "--header", "--ns", "-F",
		      "comm,pid,tid,time,period,event,ip,sym,dso", "-i", p->data, (char *)NULL);
		fprintf(stderr, "damo-record: cannot run %s: %s\n", p->perf, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	ret = dt_perf_script_open_fd(&ps, pipefd[0], "perf script", NULL, 0, NULL, err, errlen);
	while (!ret) {
		int r = dt_perf_script_next(ps, &s, err, errlen);
		if (r <= 0) {
			ret = r;
			break;
		}
		if ((ret = dt_perf_script_emit(ps, &s, 0, 0, &emitted, put, ctx, err, errlen)))
			break;
		(*samples)++;
	}
	if (!ret && dt_perf_script_clock(ps) != DTR_CLOCK_MONOTONIC &&
	    dt_perf_script_clock(ps) != DTR_CLOCK_UNKNOWN) {
		dt_fail(err, errlen, 0, "perf script: the samples are not on CLOCK_MONOTONIC");
		ret = -EINVAL;
	}
	dt_perf_script_close(ps);
	close(pipefd[0]); /* a perf script still writing gets SIGPIPE */
	waitpid(child, &status, 0);
	if (!ret && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		describe_status(status, how, sizeof(how));
		dt_fail(err, errlen, 0, "perf script -i %s failed (%s)", p->data, how);
		ret = -EIO;
	}
	return ret;
}

void rec_perf_cleanup(struct rec_perf *p, const char *keep_as)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
	if (p->log_fd >= 0) {
		close(p->log_fd);
		p->log_fd = -1;
	}
	if (!p->data[0])
		return;
	if (!keep_as || rename(p->data, keep_as))
		unlink(p->data);
	p->data[0] = '\0';
}
