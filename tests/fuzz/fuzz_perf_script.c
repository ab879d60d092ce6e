// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the perf script reader.  The same bytes are read from
 * memory and through a pipe with the smallest buffer (lines split across
 * refills); both must give the same samples, every frame and thread id
 * handed out must resolve, and the reader must end (no hang). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perf_script.h"

static void check_sample(struct dt_perf_script *ps, const struct dt_perf_sample *s)
{
	struct dtr_frame f;
	struct dtr_thread t;
	for (uint32_t i = 0; i < s->nr_frames; i++)
		if (dt_perf_script_frame(ps, s->frames[i], &f) || !f.symbol || !*f.symbol || !f.dso ||
		    !f.srcline)
			abort();
	if (dt_perf_script_thread(ps, s->thread_id, &t) || t.tid != s->tid || !t.comm)
		abort();
	if (!s->comm || !s->event || strchr(s->comm, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_perf_script *a, *b;
	struct dt_perf_sample sa, sb;
	struct dt_perf_script_opts small = { .buffer_bytes = 4096, .max_line_bytes = 1 << 16 };
	char err[512];
	int fds[2];

	(void)dt_perf_script_probe(data, size);
	if (size > 60000 || pipe(fds))
		return 0;
	if (write(fds[1], data, size) != (ssize_t)size)
		abort();
	close(fds[1]);
	if (dt_perf_script_open_mem(&a, data, size, "fuzz", NULL, err, sizeof(err)))
		abort();
	if (dt_perf_script_open_fd(&b, fds[0], "fuzz", NULL, 0, &small, err, sizeof(err)))
		abort();
	for (int n = 0; n < 1000000; n++) {
		int ra = dt_perf_script_next(a, &sa, err, sizeof(err));
		int rb = dt_perf_script_next(b, &sb, err, sizeof(err));
		/* Only a line longer than the small reader's limit may differ. */
		if (ra != rb && rb != -E2BIG)
			abort();
		if (ra <= 0 || rb <= 0)
			break;
		check_sample(a, &sa);
		check_sample(b, &sb);
		if (sa.nr_frames != sb.nr_frames || sa.time_ns != sb.time_ns || sa.tid != sb.tid ||
		    strcmp(sa.comm, sb.comm) || strcmp(sa.event, sb.event) ||
		    (sa.nr_frames && memcmp(sa.frames, sb.frames, sa.nr_frames * sizeof(uint32_t))))
			abort();
	}
	dt_perf_script_close(a);
	dt_perf_script_close(b);
	close(fds[0]);
	return 0;
}
