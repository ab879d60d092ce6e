// SPDX-License-Identifier: GPL-2.0-only
/* The gnuplot backend: plots drawn by a gnuplot process (gnuplot.h). */
#define _GNU_SOURCE
#include "gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "fileio.h"
#include "output.h"
#include "tempfile.h"

extern char **environ;

static const char *terminal_of(enum dt_plot_format f)
{
	switch (f) {
	case DT_PLOT_PDF:
		return "pdfcairo size 8in,5in";
	case DT_PLOT_SVG:
		return "svg size 900,560";
	default:
		return "pngcairo size 1200,750";
	}
}

/* gnuplot single-quoted strings: a quote is doubled; a line break would
 * end the command (and let the rest run as one), so every control
 * character is shown as a space.  No output name is ever written here:
 * gnuplot writes to its standard output, which we read. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
	}
	fputc('\'', f);
}

/* A named temporary file "damotrace-gnuplot-XXXXXX" + suffix in $TMPDIR,
 * opened for writing into *f; t keeps its name (removed by
 * dt_tempfile_delete, or by the signal guard).  0, or a negative errno with
 * a message. */
static int temp_file(FILE **f, struct dt_tempfile *t, const char *suffix, char *err,
		     size_t errlen)
{
	int ret = dt_tempfile_create(t, NULL, "damotrace-gnuplot-", suffix, DT_TEMPFILE_NAMED,
				     err, errlen);

	if (ret)
		return ret;
	if (!(*f = fdopen(t->fd, "w"))) {
		ret = dt_fail(err, errlen, -errno, "%s: %s", t->path, strerror(errno));
		dt_tempfile_delete(t);
		return ret;
	}
	t->fd = -1; /* the stream's now */
	return 0;
}

static int not_found(char *err, size_t errlen)
{
	return dt_fail(err, errlen, -ENOENT,
		       "gnuplot not found (install gnuplot, e.g. the gnuplot-nox package, or draw "
		       "without --gnuplot)");
}

/* The last non-empty line gnuplot wrote on its standard error (log, an
 * unlinked file) into buf, control characters as spaces; "" when none. */
static void last_line(int log, char *buf, size_t len)
{
	char text[4096];
	ssize_t n = pread(log, text, sizeof(text) - 1, 0);
	off_t size = lseek(log, 0, SEEK_END);

	buf[0] = '\0';
	if (size > (off_t)sizeof(text) - 1)
		n = pread(log, text, sizeof(text) - 1, size - (off_t)sizeof(text) + 1);
	if (n <= 0)
		return;
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		n--;
	text[n] = '\0';
	char *line = strrchr(text, '\n');
	line = line ? line + 1 : text;
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	snprintf(buf, len, ": %.200s", line);
}

/* Copies gnuplot's standard output (fd) to the output: the bytes copied,
 * or a negative errno of the writing (the rest is drained). */
static long long copy_image(int fd, struct dt_output *out)
{
	char buf[65536];
	long long total = 0;
	int failed = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!failed)
			failed = -dt_write_all(out->fd, buf, (size_t)n);
		total += n;
	}
	return failed ? -failed : total;
}

/* gnuplot started on `script`, its standard output the pipe's write end
 * and its standard error `log`: 0 or a negative errno with a message. */
static int spawn_gnuplot(pid_t *pid, const char *script, int out_fd, int log, char *err,
			 size_t errlen)
{
	const char *bin = getenv("DT_GNUPLOT");
	char *argv[] = { (char *)(bin && *bin ? bin : "gnuplot"), (char *)script, NULL };
	posix_spawn_file_actions_t fa;
	int ret;

	if ((ret = posix_spawn_file_actions_init(&fa)))
		return dt_fail(err, errlen, -ret, "cannot run gnuplot: %s", strerror(ret));
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, log, STDERR_FILENO);
	ret = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret == ENOENT)
		return not_found(err, errlen);
	if (ret)
		return dt_fail(err, errlen, -ret, "cannot run %s: %s", argv[0], strerror(ret));
	return 0;
}

/* Waits for gnuplot: 0, or a negative errno with a message naming path
 * and gnuplot's last words (in log). */
static int wait_gnuplot(pid_t pid, const char *path, int log, char *err, size_t errlen)
{
	char said[256];
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return dt_fail(err, errlen, -errno, "waiting for gnuplot: %s", strerror(errno));
	/* 127: the exec failed in the child, as posix_spawnp reports it where
	 * the error cannot be passed back (under valgrind, for one). */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return not_found(err, errlen);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		last_line(log, said, sizeof(said));
		return dt_fail(err, errlen, -EIO, "gnuplot failed drawing %s (status %d)%s", path,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1, said);
	}
	return 0;
}

/* Runs gnuplot on `script` and writes what it draws to `path` through the
 * output routine (output.h): its write errors are ours to see, and the
 * name is never parsed by gnuplot.  0 or a negative errno with a message. */
static int run_gnuplot(const char *script, const char *path, char *err, size_t errlen)
{
	struct dt_tempfile log;
	struct dt_output out;
	int pipefd[2], ret;
	pid_t pid;

	if ((ret = dt_output_open(&out, path, NULL, err, errlen)))
		return ret;
	if ((ret = dt_tempfile_create(&log, NULL, "damotrace-gnuplot-log.", NULL,
				      DT_TEMPFILE_UNLINKED, err, errlen))) {
		dt_output_abort(&out);
		return ret;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		ret = dt_fail(err, errlen, -errno, "cannot run gnuplot: %s", strerror(errno));
	} else {
		ret = spawn_gnuplot(&pid, script, pipefd[1], log.fd, err, errlen);
		close(pipefd[1]);
		long long n = ret ? 0 : copy_image(pipefd[0], &out);
		close(pipefd[0]);
		if (!ret)
			ret = wait_gnuplot(pid, path, log.fd, err, errlen);
		if (!ret && n < 0)
			ret = dt_fail(err, errlen, (int)n, "%s: cannot write: %s", path,
				      strerror((int)-n));
		if (!ret && n == 0)
			ret = dt_fail(err, errlen, -EIO, "gnuplot did not draw %s", path);
	}
	dt_tempfile_delete(&log);
	if (ret) {
		dt_output_abort(&out);
		return ret;
	}
	return dt_output_commit(&out, err, errlen);
}

static void script_head(FILE *s, enum dt_plot_format fmt, const char *path,
			const char *title, const char *xlabel, const char *ylabel)
{
	(void)path; /* gnuplot draws to its standard output */
	fprintf(s, "set terminal %s\nset output\nset key top left\n", terminal_of(fmt));
	if (title) {
		fputs("set title ", s);
		put_quoted(s, title);
		fputc('\n', s);
	}
	fputs("set xlabel ", s);
	put_quoted(s, xlabel);
	fputs("\nset ylabel ", s);
	put_quoted(s, ylabel);
	fputc('\n', s);
}

int dt_gnuplot_lines(const char *path, const char *title, const char *xlabel,
		     const char *ylabel, const struct dt_gnuplot_series *series,
		     size_t nr_series, int points, char *err, size_t errlen)
{
	enum dt_plot_format fmt;
	struct dt_tempfile data, script;
	int ret = dt_plot_format_of(path, &fmt, err, errlen);

	if (ret)
		return ret;
	FILE *d;
	if ((ret = temp_file(&d, &data, ".dat", err, errlen)))
		return ret;
	for (size_t k = 0; k < nr_series; k++) {
		for (size_t i = 0; i < series[k].n; i++)
			fprintf(d, "%.17g %.17g\n", series[k].x[i], series[k].y[i]);
		fputs("\n\n", d);
	}
	FILE *s;
	if ((ret = temp_file(&s, &script, ".gp", err, errlen))) {
		fclose(d);
		dt_tempfile_delete(&data);
		return ret;
	}
	script_head(s, fmt, path, title, xlabel, ylabel);
	fputs("plot ", s);
	for (size_t k = 0; k < nr_series; k++) {
		fputs(k ? ", " : "", s);
		put_quoted(s, data.path);
		fprintf(s, " index %zu with %s title ", k, points ? "linespoints" : "lines");
		put_quoted(s, series[k].title ? series[k].title : "");
	}
	fputc('\n', s);
	int werr = fclose(d) | fclose(s);
	if (werr) {
		snprintf(err, errlen, "cannot write the gnuplot input: %s", strerror(errno));
		ret = -EIO;
	} else {
		ret = run_gnuplot(script.path, path, err, errlen);
	}
	dt_tempfile_delete(&data);
	dt_tempfile_delete(&script);
	return ret;
}

int dt_gnuplot_heatmap(const char *path, const char *title, const char *xlabel,
		       const char *ylabel, const struct dt_heat_image *img,
		       char *err, size_t errlen)
{
	enum dt_plot_format fmt;
	struct dt_tempfile data, script;
	int ret = dt_plot_format_of(path, &fmt, err, errlen);

	if (ret)
		return ret;
	FILE *d;
	if ((ret = temp_file(&d, &data, ".dat", err, errlen)))
		return ret;
	for (size_t i = 0; i < img->nx; i++) {
		for (size_t j = 0; j < img->ny; j++) {
			double v = img->cells[i * img->ny + j];
			fprintf(d, "%.17g %.17g ", img->x0 + i * img->dx, img->y0 + j * img->dy);
			if (isnan(v))
				fputs("NaN\n", d);
			else
				fprintf(d, "%.17g\n", v);
		}
		fputc('\n', d);
	}
	FILE *s;
	if ((ret = temp_file(&s, &script, ".gp", err, errlen))) {
		fclose(d);
		dt_tempfile_delete(&data);
		return ret;
	}
	script_head(s, fmt, path, title, xlabel, ylabel);
	fputs("set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')\n", s);
	if (img->bar_label) {
		fputs("set cblabel ", s);
		put_quoted(s, img->bar_label);
		fputc('\n', s);
	}
	fputs("plot ", s);
	put_quoted(s, data.path);
	fputs(" using 1:2:3 with image\n", s);
	int werr = fclose(d) | fclose(s);
	if (werr) {
		snprintf(err, errlen, "cannot write the gnuplot input: %s", strerror(errno));
		ret = -EIO;
	} else {
		ret = run_gnuplot(script.path, path, err, errlen);
	}
	dt_tempfile_delete(&data);
	dt_tempfile_delete(&script);
	return ret;
}
