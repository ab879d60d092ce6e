// SPDX-License-Identifier: GPL-2.0-only
/*
 * The recording loop: set up the output and the target, create and start
 * one kdamond, read its aggregations (tracepoint or tried regions), and
 * write snapshots, footprints, maps, intervals and clocks until the target exits, the
 * timeout expires or a signal asks to stop; then stop DAMON, remove what
 * was created and close the record.
 */
#define _GNU_SOURCE
#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "damon_shim.h"
#include "dtr.h"
#include "grow.h"
#include "recorder_internal.h"

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *rec_stop_name(enum rec_stop stop)
{
	switch (stop) {
	case REC_STOP_TARGET_EXITED:
		return "target exited";
	case REC_STOP_TIMEOUT:
		return "timeout";
	case REC_STOP_SIGNAL:
		return "signal";
	case REC_STOP_DAMON_OFF:
		return "DAMON turned off";
	case REC_STOP_END_OF_INPUT:
		return "end of input";
	default:
		return "none";
	}
}

/* ---------------------------------------------------------------- items */

static int put_item(struct rec *r, const struct dtr_item *it, char *err, size_t errlen)
{
	if (r->write_failed)
		return r->write_failed;
	int ret = dtr_writer_put(r->w, it, r->werr, sizeof(r->werr));
	if (ret) {
		r->write_failed = ret;
		dt_fail(err, errlen, 0, "%s", r->werr);
	}
	return ret;
}

static enum dtr_ops ops_enum(const char *ops)
{
	enum dtr_ops v = DTR_OPS_UNKNOWN;
	if (ops)
		dtr_ops_parse(ops, &v);
	return v;
}

static int write_context(struct rec *r, size_t nr_targets, char *err, size_t errlen)
{
	struct dtr_target t[MAX_TARGETS];
	char (*cmdlines)[256] = r->cmdlines;
	struct dtr_item it = { .type = DTR_ITEM_CONTEXT };

	if (nr_targets > MAX_TARGETS)
		nr_targets = MAX_TARGETS;
	for (size_t i = 0; i < nr_targets; i++) {
		long pid = i < r->nr_targets ? r->pids[i] : -1;
		cmdlines[i][0] = '\0';
		if (i == 0 && r->child > 0) {
			/* Read before it execs, /proc would show the recorder. */
			size_t off = 0;
			for (char *const *a = r->o->argv; *a && off < sizeof(cmdlines[i]); a++)
				off += (size_t)snprintf(cmdlines[i] + off, sizeof(cmdlines[i]) - off,
							"%s%s", off ? " " : "", *a);
		} else if (pid > 0) {
			dshim_read_cmdline(&r->roots, pid, cmdlines[i], sizeof(cmdlines[i]), NULL, 0);
		}
		t[i] = (struct dtr_target){ .index = (uint32_t)i, .id = i, .pid = pid,
					    .cmdline = cmdlines[i] };
	}
	it.u.context.kdamond = 0;
	it.u.context.context = 0;
	it.u.context.ops = ops_enum(r->ops);
	it.u.context.min_nr_regions = r->min_nr;
	it.u.context.max_nr_regions = r->max_nr;
	it.u.context.nr_targets = nr_targets;
	it.u.context.targets = t;
	r->context_targets = nr_targets;
	return put_item(r, &it, err, errlen);
}

static int write_intervals(struct rec *r, uint64_t t, char *err, size_t errlen)
{
	struct dtr_item it = { .type = DTR_ITEM_INTERVALS };
	it.u.intervals.time_ns = t;
	it.u.intervals.sample_us = r->sample_us;
	it.u.intervals.aggr_us = r->aggr_us;
	it.u.intervals.update_us = r->update_us;
	r->intervals_written = 1;
	if (r->asm_)
		dshim_assembler_set_gap(r->asm_, r->aggr_us * 1000 / 2);
	return put_item(r, &it, err, errlen);
}

static int write_clocks(struct rec *r, const char *label, char *err, size_t errlen)
{
	struct dshim_clock_reading c;
	struct dtr_item it = { .type = DTR_ITEM_CLOCKS };

	dshim_read_clocks(&c, NULL, 0); /* falls back to clock_gettime by itself */
	it.u.clocks.clock = DTR_CLOCK_MONOTONIC;
	it.u.clocks.label = label;
	it.u.clocks.has = (c.has & DSHIM_CLOCK_HAS_MONOTONIC ? DTR_HAS_MONOTONIC : 0) |
			  (c.has & DSHIM_CLOCK_HAS_PERF ? DTR_HAS_PERF : 0) |
			  (c.has & DSHIM_CLOCK_HAS_REALTIME ? DTR_HAS_REALTIME : 0);
	it.u.clocks.monotonic_ns = c.monotonic_ns;
	it.u.clocks.perf_ns = c.perf_ns;
	it.u.clocks.realtime_ns = c.realtime_ns;
	return put_item(r, &it, err, errlen);
}

int write_meta(struct rec *r, const char *source, const char *extra_key,
	       const char *extra_value, char *err, size_t errlen)
{
	struct utsname u;
	struct dtr_kv kv[8];
	size_t n = 0;
	static const char tried_note[] =
		"tried-regions samples aggregations: each snapshot is the aggregation that "
		"completed after a request; aggregations between requests are not recorded";

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	kv[n++] = (struct dtr_kv){ DTR_META_TOOL_VERSION, "damotrace " DAMOTRACE_VERSION };
	kv[n++] = (struct dtr_kv){ DTR_META_KERNEL_RELEASE, u.release };
	kv[n++] = (struct dtr_kv){ DTR_META_HOSTNAME, u.nodename };
	kv[n++] = (struct dtr_kv){ DTR_META_COMMAND_LINE,
				   r->o->command_line ? r->o->command_line : "" };
	kv[n++] = (struct dtr_kv){ DTR_META_SOURCE, source };
	if (!strcmp(source, "tried-regions"))
		kv[n++] = (struct dtr_kv){ "sampling", tried_note };
	if (extra_key)
		kv[n++] = (struct dtr_kv){ extra_key, extra_value };
	struct dtr_item it = { .type = DTR_ITEM_META };
	it.u.meta.nr = n;
	it.u.meta.kvs = kv;
	return put_item(r, &it, err, errlen);
}

int write_stop_meta(struct rec *r, char *err, size_t errlen)
{
	char sig[32] = "";
	struct dtr_kv kv[2];
	size_t n = 0;

	kv[n++] = (struct dtr_kv){ "stop_reason", rec_stop_name(r->st->stop) };
	if (r->st->stop == REC_STOP_SIGNAL) {
		snprintf(sig, sizeof(sig), "%s", r->st->signal == SIGINT ? "SIGINT"
						 : r->st->signal == SIGTERM ? "SIGTERM" : "other");
		kv[n++] = (struct dtr_kv){ "stop_signal", sig };
	}
	struct dtr_item it = { .type = DTR_ITEM_META };
	it.u.meta.nr = n;
	it.u.meta.kvs = kv;
	return put_item(r, &it, err, errlen);
}

/* ---------------------------------------------------------------- snapshots */

/* The target's FOOTPRINT after its snapshot (not in replays). */
static int put_footprint(struct rec *r, uint32_t target, char *err, size_t errlen)
{
	struct dtr_item it = { .type = DTR_ITEM_FOOTPRINT };

	if (!r->footprint || !footprint_of(r, target, now_ns(), &it.u.footprint))
		return 0;
	int ret = put_item(r, &it, err, errlen);
	if (!ret)
		r->st->footprints++;
	return ret;
}

static int put_snapshot(struct rec *r, uint64_t end_ns, uint32_t target, int incomplete,
			int has_age, const struct dshim_region *regs, size_t nr, char *err,
			size_t errlen)
{
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
	struct dtr_snapshot *s = &it.u.snapshot;
	int ret;

	if (target >= MAX_TARGETS) {
		return dt_fail(err, errlen, -ERANGE, "target index %u out of range", target);
	}
	if (target >= r->context_targets && (ret = write_context(r, target + 1, err, errlen)))
		return ret;
	if (!r->intervals_written &&
	    (ret = write_intervals(r, end_ns > r->aggr_us * 1000 ? end_ns - r->aggr_us * 1000 : 0,
				   err, errlen)))
		return ret;
	if (DT_GROW(r->regbuf, r->regcap, nr))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	uint64_t wss = 0;
	for (size_t i = 0; i < nr; i++) {
		r->regbuf[i] = (struct dtr_region){ regs[i].start, regs[i].end, regs[i].nr_accesses,
						    regs[i].age };
		if (regs[i].nr_accesses && regs[i].end > regs[i].start)
			wss += regs[i].end - regs[i].start;
	}
	uint64_t aggr_ns = r->aggr_us * 1000;
	s->end_ns = end_ns;
	if (r->prev_end[target] && r->prev_end[target] < end_ns) {
		s->start_ns = r->prev_end[target];
	} else {
		s->start_ns = end_ns > aggr_ns ? end_ns - aggr_ns : 0;
		s->flags |= DTR_SNAPSHOT_START_ESTIMATED;
	}
	r->prev_end[target] = end_ns;
	s->kdamond = 0;
	s->context = 0;
	s->target = target;
	if (incomplete)
		s->flags |= DTR_SNAPSHOT_INCOMPLETE;
	s->access_unit = DTR_UNIT_SAMPLES;
	s->age_unit = has_age ? DTR_UNIT_AGGREGATIONS : DTR_UNIT_ABSENT;
	s->nr_regions = nr;
	s->regions = r->regbuf;
	ret = put_item(r, &it, err, errlen);
	if (ret)
		return ret;
	r->st->snapshots++;
	r->st->regions += nr;
	r->st->incomplete += incomplete ? 1 : 0;
	r->st->wss_bytes = wss;
	return put_footprint(r, target, err, errlen);
}

int on_snapshot(void *arg, const struct dshim_snapshot *snap, char *err, size_t errlen)
{
	struct rec *r = arg;
	return put_snapshot(r, snap->time_ns, snap->target, snap->incomplete, snap->has_age,
			    snap->regions, snap->nr_regions, err, errlen);
}

static int on_record(void *arg, const void *record, size_t len, char *err, size_t errlen)
{
	struct rec *r = arg;
	if (r->capture) {
		int ret = dshim_capture_put(r->capture, record, len, err, errlen);
		if (ret)
			return ret;
	}
	return dshim_stream_feed(r->stream, record, len, err, errlen);
}

/* ---------------------------------------------------------------- maps */

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Record /proc/PID/maps when it differs from what was last recorded. */
static int record_maps(struct rec *r, size_t target, char *err, size_t errlen)
{
	char *text;
	size_t len;
	long pid = r->pids[target];

	if (pid <= 0)
		return 0;
	if (dshim_read_maps(&r->roots, pid, &text, &len, NULL, 0))
		return 0; /* the process is gone: its exit is noticed elsewhere */
	uint64_t h = fnv1a(text, len);
	if (h == r->maps_hash[target]) {
		free(text);
		return 0;
	}
	size_t nr_lines = 0;
	for (size_t i = 0; i < len; i++)
		nr_lines += text[i] == '\n';
	struct dtr_map_entry *e = calloc(nr_lines + 1, sizeof(*e));
	if (!e) {
		free(text);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	size_t n = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		unsigned long long s, en, off;
		char perms[8];
		int pos = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &s, &en, perms, &off, &pos) < 4 || !pos)
			continue;
		char *p = line + pos;
		while (*p == ' ' || *p == '\t')
			p++;
		e[n].start = s;
		e[n].end = en;
		e[n].offset = off;
		snprintf(e[n].perms, sizeof(e[n].perms), "%.4s", perms);
		e[n].path = p;
		n++;
	}
	struct dtr_item it = { .type = DTR_ITEM_MAPS };
	it.u.maps.time_ns = now_ns();
	it.u.maps.pid = (int32_t)pid;
	it.u.maps.nr = n;
	it.u.maps.entries = e;
	int ret = put_item(r, &it, err, errlen);
	free(e);
	free(text);
	if (!ret) {
		r->maps_hash[target] = h;
		r->st->maps_records++;
	}
	return ret;
}

/* ---------------------------------------------------------------- targets */

static int commit_targets(struct rec *r, char *err, size_t errlen)
{
	struct dshim_target_config t[MAX_TARGETS];
	memset(t, 0, sizeof(t));
	for (size_t i = 0; i < r->nr_targets; i++)
		t[i].pid = r->pids[i];
	int ret = dshim_damon_commit_targets(r->damon, r->nr_targets, t, err, errlen);
	return ret ? ret : write_context(r, r->nr_targets, err, errlen);
}

/* ---------------------------------------------------------------- output */

int open_output(struct rec *r, char *err, size_t errlen)
{
	struct stat st;
	char old[4096];
	struct dtr_writer_opts wo = { 0 };

	r->out = r->o->out ? r->o->out : DTR_DEFAULT_PATH;
	if (lstat(r->out, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			return dt_fail(err, errlen, -EEXIST,
				       "%s: exists and is %s; refusing to replace it", r->out,
				       S_ISLNK(st.st_mode) ? "a symbolic link"
							   : "not a regular file");
		}
		/* As damo: keep the previous record as NAME.old. */
		if (snprintf(old, sizeof(old), "%s.old", r->out) >= (int)sizeof(old) ||
		    rename(r->out, old)) {
			int e = errno;
			return dt_fail(err, errlen, -e,
				       "%s: cannot move the existing file to %s: %s", r->out, old,
				       strerror(e));
		}
		r->moved_old = 1;
		snprintf(r->old_path, sizeof(r->old_path), "%s", old);
	}
	r->out_fd = open(r->out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r->out_fd < 0) {
		int e = errno;
		return dt_fail(err, errlen, -e, "%s: cannot create: %s", r->out, strerror(e));
	}
	if (r->under_sudo && fchown(r->out_fd, r->sudo_uid, r->sudo_gid)) {
		int e = errno;
		return dt_fail(err, errlen, -e, "%s: cannot give it to uid %u: %s", r->out,
			       (unsigned)r->sudo_uid, strerror(e));
	}
	wo.flush_ms = 1000;
	int ret = dtr_writer_open_fd(&r->w, r->out_fd, r->out, &wo, err, errlen);
	if (ret)
		r->w = NULL;
	return ret;
}

/* ---------------------------------------------------------------- setup */

static int setup_tracepoint_format(struct rec *r, const struct dshim_probe *p, char *err,
				   size_t errlen)
{
	if (!p->tracefs_present || p->event_id < 0 || !p->event_format) {
		return dt_fail(err, errlen, -ENOENT,
			       "the damon:damon_aggregated tracepoint is not available (%s%s); "
			       "mount tracefs (mount -t tracefs nodev /sys/kernel/tracing) or use "
			       "--source tried-regions",
			       r->roots.tracefs[0] ? "no events/damon/damon_aggregated under "
						   : "tracefs is not mounted",
			       r->roots.tracefs);
	}
	r->format_text = strdup(p->event_format);
	if (!r->format_text)
		return -ENOMEM;
	return dshim_event_format_parse(r->format_text, strlen(r->format_text), &r->fmt, err,
					errlen);
}

static int setup_damon(struct rec *r, char *err, size_t errlen)
{
	const struct rec_options *o = r->o;
	struct dshim_target_config t[MAX_TARGETS];
	int ret = dshim_damon_create(&r->damon, &r->roots, err, errlen);

	/* Guarded from its creation: killed during the setup or the start,
	 * the recorder leaves no kdamond behind either. */
	if (ret || (ret = dshim_damon_guard(r->damon, err, errlen)))
		return ret;
	if (!dshim_damon_has_operations(r->damon, r->ops)) {
		int paddr = strcmp(r->ops, "paddr") && dshim_damon_has_operations(r->damon, "paddr");
		return dt_fail(err, errlen, -EOPNOTSUPP,
			       "DAMON operations '%s' are not available on this kernel "
			       "(avail_operations: %s)%s",
			       r->ops, dshim_damon_avail_operations(r->damon),
			       paddr ? "; record 'paddr' instead, or run in a VM with a full DAMON "
				       "kernel (make check-vm)" : "");
	}
	memset(t, 0, sizeof(t));
	struct dshim_range *given = NULL;
	if (o->nr_regions) {
		given = calloc(o->nr_regions, sizeof(*given));
		if (!given)
			return -ENOMEM;
		for (size_t i = 0; i < o->nr_regions; i++)
			given[i] = (struct dshim_range){ o->regions[i].start, o->regions[i].end };
	}
	if (!strcmp(r->ops, "paddr")) {
		r->nr_targets = 1;
		r->pids[0] = -1;
		if (given) {
			t[0].nr_regions = o->nr_regions;
			t[0].regions = given;
		} else {
			ret = dshim_read_system_ram(r->roots.iomem, &r->paddr_ranges,
						    &r->nr_paddr_ranges, err, errlen);
			if (ret) {
				free(given);
				return ret;
			}
			t[0].nr_regions = r->nr_paddr_ranges;
			t[0].regions = r->paddr_ranges;
		}
	} else {
		for (size_t i = 0; i < r->nr_targets; i++)
			t[i].pid = r->pids[i];
		if (given) {
			t[0].nr_regions = o->nr_regions;
			t[0].regions = given;
		}
	}
	struct dshim_config cfg = {
		.operations = r->ops,
		.sample_us = r->sample_us,
		.aggr_us = r->aggr_us,
		.update_us = r->update_us,
		.min_nr_regions = r->min_nr,
		.max_nr_regions = r->max_nr,
		.nr_targets = r->nr_targets,
		.targets = t,
		.stat_scheme = o->source == REC_SOURCE_TRIED_REGIONS,
	};
	ret = dshim_damon_configure(r->damon, &cfg, err, errlen);
	free(given);
	return ret;
}

static int record_all_maps(struct rec *r, char *err, size_t errlen)
{
	if (!strcmp(r->ops, "paddr"))
		return 0;
	for (size_t i = 0; i < r->nr_targets; i++) {
		int ret = record_maps(r, i, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/* Tried regions: scheme 0's regions of all targets in sysfs order; a
 * target's regions ascend, so a step back in address starts the next. */
static int tried_snapshot(struct rec *r, struct dshim_tried_regions *tr, char *err,
			  size_t errlen)
{
	int ret = dshim_damon_tried_regions(r->damon, tr, err, errlen);
	if (ret)
		return ret;
	uint64_t t = now_ns();
	size_t first = 0;
	uint32_t target = 0;
	for (size_t i = 1; i <= tr->nr; i++) {
		if (i < tr->nr && tr->regions[i].start >= tr->regions[i - 1].end)
			continue;
		ret = put_snapshot(r, t, target, 0, 1, tr->regions + first, i - first, err, errlen);
		if (ret)
			return ret;
		first = i;
		if (target + 1 < r->nr_targets)
			target++;
	}
	return 0;
}

static void report(struct rec *r)
{
	r->st->elapsed_ns = now_ns() - r->t0;
	if (r->o->progress)
		r->o->progress(r->o->progress_arg, r->st);
}

int stop_requested(struct rec *r)
{
	if (r->o->stop_signal && *r->o->stop_signal) {
		r->st->stop = REC_STOP_SIGNAL;
		r->st->signal = *r->o->stop_signal;
		return 1;
	}
	return 0;
}

static int drain(struct rec *r, char *err, size_t errlen)
{
	if (!r->tracer)
		return 0;
	int ret = dshim_tracer_drain(r->tracer, on_record, r, err, errlen);
	return ret < 0 ? ret : 0;
}

static int loop(struct rec *r, char *err, size_t errlen)
{
	const struct rec_options *o = r->o;
	struct dshim_tried_regions tr = { 0 };
	uint64_t next_slow = 0, next_maps = 0, next_request = 0;
	uint64_t maps_period = r->aggr_us * 1000 < 100000000 ? 100000000 : r->aggr_us * 1000;
	int ret = 0;

	for (;;) {
		uint64_t now = now_ns();
		if (stop_requested(r))
			break;
		if (o->timeout_ns && now - r->t0 >= o->timeout_ns) {
			r->st->stop = REC_STOP_TIMEOUT;
			break;
		}
		if (target_exited(r)) {
			r->st->stop = REC_STOP_TARGET_EXITED;
			break;
		}
		if (o->source == REC_SOURCE_TRACEPOINT) {
			struct pollfd pfd = { dshim_tracer_fd(r->tracer), POLLIN, 0 };
			poll(&pfd, 1, 100);
			if ((ret = drain(r, err, errlen)))
				break;
		} else if (now >= next_request) {
			/* The kernel answers with the next completed aggregation;
			 * asking every half interval catches most of them. */
			next_request = now + r->aggr_us * 1000 / 2;
			if ((ret = tried_snapshot(r, &tr, err, errlen))) {
				/* A kdamond whose target just exited refuses requests. */
				if (r->write_failed)
					break;
				if (target_exited(r)) {
					r->st->stop = REC_STOP_TARGET_EXITED;
					ret = 0;
				} else if (dshim_damon_is_on(r->damon, NULL, 0) == 0) {
					r->st->stop = REC_STOP_DAMON_OFF;
					ret = 0;
				}
				break;
			}
		} else {
			uint64_t wait_ms = (next_request - now) / 1000000 + 1;
			struct timespec ts = { 0, (long)(wait_ms > 100 ? 100 : wait_ms) * 1000000L };
			nanosleep(&ts, NULL);
		}
		now = now_ns();
		if (now >= next_maps) {
			next_maps = now + maps_period;
			if ((ret = record_all_maps(r, err, errlen)))
				break;
		}
		if (now >= next_slow) {
			uint64_t s, a, u;
			next_slow = now + 1000000000ull;
			/* Intervals auto-tuning may change them under us. */
			if (!dshim_damon_read_intervals(r->damon, 1, &s, &a, &u, NULL, 0) &&
			    (s != r->sample_us || a != r->aggr_us || u != r->update_us)) {
				r->sample_us = s;
				r->aggr_us = a;
				r->update_us = u;
				if ((ret = write_intervals(r, now, err, errlen)))
					break;
			}
			if (o->include_child_tasks && find_new_children(r) &&
			    (ret = commit_targets(r, err, errlen)))
				break;
			if (dshim_damon_is_on(r->damon, NULL, 0) == 0 && !target_exited(r)) {
				r->st->stop = REC_STOP_DAMON_OFF;
				break;
			}
			if (r->w && (ret = dtr_writer_flush(r->w, r->werr, sizeof(r->werr)))) {
				r->write_failed = ret;
				dt_fail(err, errlen, 0, "%s", r->werr);
				break;
			}
		}
		report(r);
	}
	dshim_tried_regions_free(&tr);
	return ret;
}

static int finish_stop(struct rec *r, int ret, char *err, size_t errlen)
{
	char e2[512] = "";
	/* Stop DAMON first: it must not outlive the recorder, whatever failed. */
	if (r->damon) {
		int sret = dshim_damon_stop(r->damon, 5000, e2, sizeof(e2));
		if (sret && !ret) {
			ret = dt_fail(err, errlen, sret, "%s", e2);
		}
	}
	if (!ret && r->tracer)
		ret = drain(r, err, errlen);
	if (!ret && r->asm_)
		ret = dshim_assembler_flush(r->asm_, err, errlen);
	if (r->asm_)
		r->st->lost_events = dshim_assembler_lost_events(r->asm_);
	dshim_tracer_close(r->tracer);
	r->tracer = NULL;
	if (r->damon) {
		int dret = dshim_damon_destroy(r->damon, e2, sizeof(e2));
		r->damon = NULL;
		if (dret && !ret) {
			ret = dt_fail(err, errlen, dret, "%s", e2);
		}
	}
	if (r->capture) {
		int cret = dshim_capture_close(r->capture, e2, sizeof(e2));
		r->capture = NULL;
		if (cret && !ret) {
			ret = dt_fail(err, errlen, cret, "%s", e2);
		}
	}
	return ret;
}

int close_output(struct rec *r, int ret, char *err, size_t errlen)
{
	if (!r->w)
		goto out;
	if (!ret && !r->write_failed) {
		int wret = write_clocks(r, "end", err, errlen);
		if (!wret)
			wret = write_stop_meta(r, err, errlen);
		if (!wret)
			wret = dtr_writer_close(r->w, err, errlen);
		r->w = NULL;
		ret = wret;
	} else {
		dtr_writer_abort(r->w);
		r->w = NULL;
	}
	if (ret == -ENOSPC || r->write_failed == -ENOSPC) {
		char base[400];
		snprintf(base, sizeof(base), "%s", err);
		dt_fail(err, errlen, 0,
			"%s; DAMON was stopped and %s is readable up to its last "
			"complete chunk",
			base, r->out);
		ret = -ENOSPC;
	}
out:
	if (r->out_fd >= 0) {
		if (close(r->out_fd) && !ret) {
			ret = dt_fail(err, errlen, -errno, "%s: close: %s", r->out,
				      strerror(errno));
		}
		r->out_fd = -1;
		/* Failed before recording began: leave no empty record behind,
		 * and put back the one it would have replaced. */
		if (ret && !r->recording) {
			unlink(r->out);
			if (r->moved_old)
				rename(r->old_path, r->out);
		}
	}
	return ret;
}

/* ---------------------------------------------------------------- callstacks */

/* A perf failure never fails the recording: it is noted, and the record
 * says so. */
static void callstacks_failed(struct rec *r, const char *msg)
{
	if (r->st->callstacks_failed)
		return;
	r->st->callstacks_failed = 1;
	snprintf(r->st->callstacks_error, sizeof(r->st->callstacks_error), "%s", msg);
}

static void start_callstacks(struct rec *r)
{
	char e[400] = "";
	long pid = r->o->kind == REC_TARGET_PADDR ? 0 : r->pids[0];
	if (rec_perf_start(&r->perf, pid, r->o->call_graph_mode, r->out, e, sizeof(e)))
		callstacks_failed(r, e);
	else
		r->perf_running = 1;
}

static int put_stack_item(void *ctx, const struct dtr_item *item, char *err, size_t errlen)
{
	return put_item(ctx, item, err, errlen);
}

static void finish_callstacks(struct rec *r, int ret)
{
	char e[400] = "", n[32];
	int pret = 0;

	if (r->perf_running) {
		pret = rec_perf_stop(&r->perf, e, sizeof(e));
		r->perf_running = 0;
		if (pret)
			callstacks_failed(r, e);
	}
	if (!ret && !pret && !r->st->callstacks_failed && r->w && !r->write_failed) {
		pret = rec_perf_convert(&r->perf, put_stack_item, r, &r->st->stack_samples, e,
					sizeof(e));
		if (pret && !r->write_failed)
			callstacks_failed(r, e);
	}
	if (r->w && !r->write_failed) {
		struct dtr_kv kv[3];
		size_t nr = 0;
		kv[nr++] = (struct dtr_kv){ "callstacks", r->perf.args[0] ? r->perf.args
								     : "perf record -g -k mono" };
		snprintf(n, sizeof(n), "%" PRIu64, r->st->stack_samples);
		kv[nr++] = (struct dtr_kv){ "callstack_samples", n };
		if (r->st->callstacks_failed)
			kv[nr++] = (struct dtr_kv){ "callstacks_error", r->st->callstacks_error };
		struct dtr_item it = { .type = DTR_ITEM_META };
		it.u.meta.nr = nr;
		it.u.meta.kvs = kv;
		put_item(r, &it, e, sizeof(e));
	}
	rec_perf_cleanup(&r->perf, r->o->keep_perf_data);
}

void rec_init(struct rec *r, const struct rec_options *o, struct rec_stats *st)
{
	memset(r, 0, sizeof(*r));
	memset(st, 0, sizeof(*st));
	st->target_status = -1;
	r->o = o;
	r->st = st;
	r->out_fd = -1;
	r->go_fd = -1;
	r->exec_err_fd = -1;
	r->sample_us = o->sample_us ? o->sample_us : REC_DEFAULT_SAMPLE_US;
	r->aggr_us = o->aggr_us ? o->aggr_us : REC_DEFAULT_AGGR_US;
	r->update_us = o->update_us ? o->update_us : REC_DEFAULT_UPDATE_US;
	r->min_nr = o->min_nr_regions ? o->min_nr_regions : REC_DEFAULT_MIN_NR_REGIONS;
	r->max_nr = o->max_nr_regions ? o->max_nr_regions : REC_DEFAULT_MAX_NR_REGIONS;
	r->ops = o->ops ? o->ops : o->kind == REC_TARGET_PADDR ? "paddr" : "vaddr";
	r->footprint = 1; /* rec_replay_raw turns it off: no live process */
}

void rec_free(struct rec *r)
{
	dshim_stream_free(r->stream);
	dshim_assembler_free(r->asm_);
	free(r->format_text);
	free(r->paddr_ranges);
	free(r->regbuf);
}

int rec_run(const struct rec_options *o, struct rec_stats *st, char *err, size_t errlen)
{
	struct rec r;
	struct dshim_probe probe;
	int ret;

	rec_init(&r, o, st);
	if (o->call_graph && (ret = rec_perf_find(&r.perf, o->perf, err, errlen)))
		return ret;
	if (geteuid() != 0) {
		return dt_fail(err, errlen, -EPERM,
			       "must run as root: DAMON sysfs and the tracepoint need it "
			       "(try sudo)");
	}
	if (o->kind == REC_TARGET_PADDR && strcmp(r.ops, "paddr")) {
		return dt_fail(err, errlen, -EINVAL, "target paddr needs --ops paddr, not '%s'",
			       r.ops);
	}
	if (o->kind != REC_TARGET_PADDR && !strcmp(r.ops, "paddr")) {
		return dt_fail(err, errlen, -EINVAL,
			       "--ops paddr monitors physical memory: use the target 'paddr'");
	}
	if (!strcmp(r.ops, "fvaddr") && !o->nr_regions) {
		return dt_fail(err, errlen, -EINVAL,
			       "--ops fvaddr needs the ranges to monitor (-r START-END)");
	}
	detect_sudo(&r);
	dshim_roots_init(&r.roots, NULL, NULL, NULL);
	ret = dshim_probe(&r.roots, &probe, err, errlen);
	if (ret)
		return ret;
	if (!probe.sysfs_present) {
		dt_fail(err, errlen, 0,
			"DAMON is not available: %s/admin does not exist (a kernel "
			"without CONFIG_DAMON_SYSFS?)",
			r.roots.sysfs);
		dshim_probe_free(&probe);
		return -ENOENT;
	}
	if (probe.nr_kdamonds != 0) {
		char busy[400];
		dshim_probe_describe_busy(&probe, busy, sizeof(busy));
		dt_fail(err, errlen, 0,
			"DAMON is in use: %s; nothing was changed (damo-record only "
			"uses DAMON when no kdamond exists)",
			busy);
		dshim_probe_free(&probe);
		return -EBUSY;
	}
	if (o->source == REC_SOURCE_TRACEPOINT)
		ret = setup_tracepoint_format(&r, &probe, err, errlen);
	dshim_probe_free(&probe);
	if (ret)
		goto out_free;
	if (o->kind == REC_TARGET_PID) {
		if ((ret = dshim_check_process(&r.roots, o->pid, err, errlen)))
			goto out_free;
		r.pids[0] = o->pid;
		r.nr_targets = 1;
	}
	if ((ret = open_output(&r, err, errlen)))
		goto out;
	if (o->dump_raw && o->source == REC_SOURCE_TRACEPOINT &&
	    (ret = dshim_capture_create(&r.capture, o->dump_raw, 0, r.format_text, err, errlen)))
		goto out;
	if (r.capture && r.under_sudo &&
	    fchown(dshim_capture_fd(r.capture), r.sudo_uid, r.sudo_gid)) {
		ret = dt_fail(err, errlen, -errno, "%s: cannot give it to uid %u: %s", o->dump_raw,
			      (unsigned)r.sudo_uid, strerror(errno));
		goto out;
	}
	if (o->kind == REC_TARGET_COMMAND && (ret = start_child(&r, err, errlen)))
		goto out;
	if (o->kind == REC_TARGET_PID && o->include_child_tasks)
		find_new_children(&r);
	if ((ret = setup_damon(&r, err, errlen)))
		goto out;
	if (o->source == REC_SOURCE_TRACEPOINT) {
		if ((ret = dshim_assembler_new(&r.asm_, (uint32_t)r.nr_targets, r.aggr_us * 500,
					       on_snapshot, &r)) ||
		    (ret = dshim_stream_new(&r.stream, &r.fmt, 0, r.asm_))) {
			dt_fail(err, errlen, 0, "out of memory");
			goto out;
		}
	}
	if ((ret = write_meta(&r, o->source == REC_SOURCE_TRACEPOINT ? "tracepoint" : "tried-regions",
			      "operations", r.ops, err, errlen)) ||
	    (ret = write_context(&r, r.nr_targets, err, errlen)) ||
	    (ret = write_clocks(&r, "start", err, errlen)))
		goto out;
	if ((ret = dshim_damon_start(r.damon, 5000, err, errlen)))
		goto out;
	r.t0 = now_ns();
	uint64_t s, a, u;
	if (!dshim_damon_read_intervals(r.damon, 0, &s, &a, &u, NULL, 0)) {
		r.sample_us = s;
		r.aggr_us = a;
		r.update_us = u;
	}
	if ((ret = write_intervals(&r, r.t0, err, errlen)))
		goto out;
	if (o->source == REC_SOURCE_TRACEPOINT) {
		char terr[400] = "";
		ret = dshim_tracer_open(&r.tracer, r.fmt.id >= 0 ? r.fmt.id : 0,
					(pid_t)dshim_damon_pid(r.damon), pages_order(o->mmap_pages),
					terr, sizeof(terr));
		if (ret) {
			dt_fail(err, errlen, 0,
				"%s; without perf events, use --source tried-regions", terr);
			goto out;
		}
	}
	/* perf attaches to the command while it is still held. */
	if (o->call_graph)
		start_callstacks(&r);
	if (r.child > 0 && (ret = release_child(&r, err, errlen)))
		goto out;
	if ((ret = record_all_maps(&r, err, errlen)))
		goto out;
	r.recording = 1;
	ret = loop(&r, err, errlen);
out:
	ret = finish_stop(&r, ret, err, errlen);
	end_child(&r);
	if (o->call_graph)
		finish_callstacks(&r, ret);
	ret = close_output(&r, ret, err, errlen);
	report(&r);
out_free:
	rec_free(&r);
	return ret;
}
