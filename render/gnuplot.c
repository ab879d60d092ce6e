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

/* gnuplot single-quoted strings: a quote is doubled. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* A named temporary file "damotrace-gnuplot-XXXXXX" + suffix in $TMPDIR,
 * opened for writing into *f, its name in name (PATH_MAX bytes): 0, or a
 * negative errno with a message. */
static int temp_file(FILE **f, char name[PATH_MAX], const char *suffix, char *err,
		     size_t errlen)
{
	struct dt_tempfile t;
	int ret = dt_tempfile_create(&t, NULL, "damotrace-gnuplot-", suffix, DT_TEMPFILE_NAMED,
				     err, errlen);

	if (ret)
		return ret;
	snprintf(name, PATH_MAX, "%s", t.path); /* shorter than PATH_MAX: it fits */
	if (!(*f = fdopen(t.fd, "w"))) {
		ret = dt_fail(err, errlen, -errno, "%s: %s", t.path, strerror(errno));
		dt_tempfile_delete(&t);
		return ret;
	}
	free(t.path);
	return 0;
}

static int run_gnuplot(const char *script, const char *path, char *err, size_t errlen)
{
	const char *bin = getenv("DT_GNUPLOT");
	char *argv[] = { (char *)(bin && *bin ? bin : "gnuplot"), (char *)script, NULL };
	pid_t pid;
	int status;
	int ret = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);

	if (ret) {
		if (ret == ENOENT)
			snprintf(err, errlen,
				 "gnuplot not found (install gnuplot, e.g. the gnuplot-nox package, "
				 "or draw without --gnuplot)");
		else
			snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(ret));
		return -ret;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waiting for gnuplot: %s", strerror(errno));
			return -errno;
		}
	/* 127: the exec failed in the child, as posix_spawnp reports it where
	 * the error cannot be passed back (under valgrind, for one). */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(err, errlen,
			 "gnuplot not found (install gnuplot, e.g. the gnuplot-nox package, "
			 "or draw without --gnuplot)");
		return -ENOENT;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "gnuplot failed drawing %s (status %d)", path,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -EIO;
	}
	if (access(path, F_OK)) {
		snprintf(err, errlen, "gnuplot did not write %s", path);
		return -EIO;
	}
	return 0;
}

static void script_head(FILE *s, enum dt_plot_format fmt, const char *path,
			const char *title, const char *xlabel, const char *ylabel)
{
	fprintf(s, "set terminal %s\nset output ", terminal_of(fmt));
	put_quoted(s, path);
	fputs("\nset key top left\n", s);
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
	char data_name[PATH_MAX], script_name[PATH_MAX];
	int ret = dt_plot_format_of(path, &fmt, err, errlen);

	if (ret)
		return ret;
	FILE *d;
	if ((ret = temp_file(&d, data_name, ".dat", err, errlen)))
		return ret;
	for (size_t k = 0; k < nr_series; k++) {
		for (size_t i = 0; i < series[k].n; i++)
			fprintf(d, "%.17g %.17g\n", series[k].x[i], series[k].y[i]);
		fputs("\n\n", d);
	}
	FILE *s;
	if ((ret = temp_file(&s, script_name, ".gp", err, errlen))) {
		fclose(d);
		unlink(data_name);
		return ret;
	}
	script_head(s, fmt, path, title, xlabel, ylabel);
	fputs("plot ", s);
	for (size_t k = 0; k < nr_series; k++) {
		fputs(k ? ", " : "", s);
		put_quoted(s, data_name);
		fprintf(s, " index %zu with %s title ", k, points ? "linespoints" : "lines");
		put_quoted(s, series[k].title ? series[k].title : "");
	}
	fputc('\n', s);
	int werr = fclose(d) | fclose(s);
	if (werr) {
		snprintf(err, errlen, "cannot write the gnuplot input: %s", strerror(errno));
		ret = -EIO;
	} else {
		ret = run_gnuplot(script_name, path, err, errlen);
	}
	unlink(data_name);
	unlink(script_name);
	return ret;
}

int dt_gnuplot_heatmap(const char *path, const char *title, const char *xlabel,
		       const char *ylabel, const struct dt_heat_image *img,
		       char *err, size_t errlen)
{
	enum dt_plot_format fmt;
	char data_name[PATH_MAX], script_name[PATH_MAX];
	int ret = dt_plot_format_of(path, &fmt, err, errlen);

	if (ret)
		return ret;
	FILE *d;
	if ((ret = temp_file(&d, data_name, ".dat", err, errlen)))
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
	if ((ret = temp_file(&s, script_name, ".gp", err, errlen))) {
		fclose(d);
		unlink(data_name);
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
	put_quoted(s, data_name);
	fputs(" using 1:2:3 with image\n", s);
	int werr = fclose(d) | fclose(s);
	if (werr) {
		snprintf(err, errlen, "cannot write the gnuplot input: %s", strerror(errno));
		ret = -EIO;
	} else {
		ret = run_gnuplot(script_name, path, err, errlen);
	}
	unlink(data_name);
	unlink(script_name);
	return ret;
}
