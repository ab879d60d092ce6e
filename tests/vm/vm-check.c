// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm-check: the host-side judge of the microVM test.  It reads what a
 * scenario recorded on the real DAMON kernel -- a damotrace record (through
 * format/'s reader) or `perf script --ns` text of damon:damon_aggregated
 * (parsed here, independently of convert/, so that the raw kernel data is
 * judged by a separate reader) -- and the output of the `phases` workload,
 * and prints one line per check:
 *
 *   PASS NAME: what (measured values)
 *   FAIL NAME: what (measured values)
 *
 * Exit status 0 when every check passed, 1 when one failed, 2 on a bad
 * command line.  Tolerances (all stated in the check lines):
 *   - regions cover each buffer in every snapshot that starts at least one
 *     update interval plus one aggregation after the buffers were mapped;
 *   - in each phase, of the snapshots lying inside it (starting at least one
 *     aggregation after the phase start), at least --hot-fraction (default
 *     0.9) have their accesses in that phase's buffer (hottest_buffer());
 *   - the first snapshot (starting one aggregation or more after mapping)
 *     whose accesses are in a phase's buffer is one of the first
 *     --boundary-aggrs (default 2) snapshots ending after the printed start
 *     of the phase;
 *   - paddr: every region inside System RAM (edges rounded to pages), and
 *     in 80% of the snapshots during the phases, the hottest regions (within
 *     20% of the highest count) overlap the workload's physical pages;
 *   - callstacks: every sample with phase_X on its stack falls inside phase
 *     X (1 ms either side);
 *   - a killed recorder (--killed-at): no snapshot ends later than 10 ms
 *     after the uptime read right after the kill.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtr.h"

struct region {
	uint64_t start, end;
	uint32_t nr_accesses;
};

struct snapshot {
	uint64_t start_ns, end_ns;
	size_t nr;
	struct region *regions;
	uint32_t flags;
	uint32_t kdamond, context, target; /* times increase per target */
};

struct map_entry {
	uint64_t time_ns, start, end;
	char perms[5];
	int anonymous;
};

struct stack_sample {
	uint64_t time_ns;
	int phase; /* the phase_a/b/c on its stack, -1 when none */
};

struct record {
	size_t nr, cap;
	struct snapshot *snaps;
	uint64_t aggr_us, update_us;
	int clean_close, has_end;
	uint64_t end_nr_snapshots;
	int read_error;
	char error[512];
	size_t nr_maps;            /* MAPS items */
	size_t nr_map_entries;
	struct map_entry *map_entries; /* every entry of every MAPS item */
	size_t nr_frames, nr_stacks;
	signed char *frame_phase;  /* per frame id: 0..2 for phase_a/b/c, else -1 */
	struct stack_sample *stacks; /* STACK items: time and phase function */
};

#define NR_PHASES 3

struct workload {
	int ok;      /* everything: buffers, mapping, every phase, end */
	int started; /* buffers, mapping and phase A (the rest may be missing) */
	uint64_t buf_start[NR_PHASES], buf_end[NR_PHASES];
	uint64_t phase_ns[NR_PHASES];
	uint64_t end_ns;
	uint64_t mapped_ns; /* the buffers exist from this time on */
	size_t nr_phys;     /* physical ranges of the buffers (PHASES_PHYS=1) */
	uint64_t (*phys)[2];
};

static const char *check_name = "record";
static int nr_pass, nr_fail;

static void report(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", ok ? "PASS" : "FAIL", check_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		nr_pass++;
	else
		nr_fail++;
}

static struct snapshot *add_snapshot(struct record *rec)
{
	if (rec->nr == rec->cap) {
		size_t cap = rec->cap ? rec->cap * 2 : 256;
		struct snapshot *s = realloc(rec->snaps, cap * sizeof(*s));
		if (!s) {
			perror("vm-check");
			exit(1);
		}
		rec->snaps = s;
		rec->cap = cap;
	}
	memset(&rec->snaps[rec->nr], 0, sizeof(rec->snaps[0]));
	return &rec->snaps[rec->nr++];
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		perror("vm-check");
		exit(1);
	}
	return p;
}

static void read_dtr(const char *path, struct record *rec, int salvage)
{
	struct dtr_reader_opts opts = { .salvage = salvage };
	struct dtr_reader *r;
	struct dtr_item item;
	struct dtr_reader_status st;
	int ret;

	if (dtr_reader_open(&r, path, &opts, rec->error, sizeof(rec->error)) < 0) {
		rec->read_error = 1;
		return;
	}
	while ((ret = dtr_reader_next(r, &item, rec->error, sizeof(rec->error))) > 0) {
		if (item.type == DTR_ITEM_INTERVALS) {
			if (!rec->aggr_us)
				rec->aggr_us = item.u.intervals.aggr_us;
			if (!rec->update_us)
				rec->update_us = item.u.intervals.update_us;
		} else if (item.type == DTR_ITEM_SNAPSHOT) {
			const struct dtr_snapshot *in = &item.u.snapshot;
			struct snapshot *s = add_snapshot(rec);
			s->start_ns = in->start_ns;
			s->end_ns = in->end_ns;
			s->flags = in->flags;
			s->kdamond = in->kdamond;
			s->context = in->context;
			s->target = in->target;
			s->nr = in->nr_regions;
			s->regions = xcalloc(s->nr, sizeof(*s->regions));
			for (size_t i = 0; i < s->nr; i++) {
				s->regions[i].start = in->regions[i].start;
				s->regions[i].end = in->regions[i].end;
				s->regions[i].nr_accesses = in->regions[i].nr_accesses;
			}
		} else if (item.type == DTR_ITEM_MAPS) {
			const struct dtr_maps *m = &item.u.maps;
			struct map_entry *e = realloc(rec->map_entries,
						      (rec->nr_map_entries + m->nr) * sizeof(*e));
			if (!e) {
				perror("vm-check");
				exit(1);
			}
			rec->map_entries = e;
			for (size_t i = 0; i < m->nr; i++) {
				e = &rec->map_entries[rec->nr_map_entries++];
				e->time_ns = m->time_ns;
				e->start = m->entries[i].start;
				e->end = m->entries[i].end;
				memcpy(e->perms, m->entries[i].perms, sizeof(e->perms));
				e->anonymous = m->entries[i].path[0] == '\0';
			}
			rec->nr_maps++;
		} else if (item.type == DTR_ITEM_FRAME) {
			const char *sym = item.u.frame.symbol;
			signed char *fp = realloc(rec->frame_phase, rec->nr_frames + 1);
			if (!fp) {
				perror("vm-check");
				exit(1);
			}
			rec->frame_phase = fp;
			fp[rec->nr_frames++] = !strncmp(sym, "phase_", 6) && sym[6] >= 'a' &&
					       sym[6] <= 'c' && !sym[7] ? sym[6] - 'a' : -1;
		} else if (item.type == DTR_ITEM_STACK) {
			const struct dtr_stack *in = &item.u.stack;
			struct stack_sample *ss = realloc(rec->stacks,
							  (rec->nr_stacks + 1) * sizeof(*ss));
			if (!ss) {
				perror("vm-check");
				exit(1);
			}
			rec->stacks = ss;
			ss += rec->nr_stacks++;
			ss->time_ns = in->time_ns;
			ss->phase = -1;
			for (uint32_t i = 0; i < in->nr_frames && ss->phase < 0; i++)
				if (in->frames[i] < rec->nr_frames)
					ss->phase = rec->frame_phase[in->frames[i]];
		} else if (item.type == DTR_ITEM_END) {
			rec->has_end = 1;
			rec->end_nr_snapshots = item.u.end.nr_snapshots;
		}
	}
	if (ret < 0)
		rec->read_error = 1;
	dtr_reader_status(r, &st);
	rec->clean_close = st.clean_close;
	dtr_reader_close(r);
}

/* perf script --ns text: "COMM PID [CPU] SECS.NSEC: damon:damon_aggregated:
 * target_id=ID nr_regions=N START-END: NR_ACCESSES AGE". */
static void read_perf_script(const char *path, struct record *rec)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	unsigned long lineno = 0;
	struct snapshot *cur = NULL;
	size_t want = 0;

	if (!f) {
		snprintf(rec->error, sizeof(rec->error), "%s: %s", path, strerror(errno));
		rec->read_error = 1;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *ev = strstr(line, " damon:damon_aggregated:");
		char *p, *t;
		unsigned long long secs, frac, id, start, end;
		unsigned nr, acc, age;
		uint64_t ns;

		lineno++;
		if (!ev)
			continue;
		*ev = '\0';
		/* The time is the last token before the event, "SECS.NSEC:". */
		t = strrchr(line, ' ');
		if (!t || sscanf(t + 1, "%llu.%llu:", &secs, &frac) != 2 ||
		    sscanf(ev + 1, "damon:damon_aggregated: target_id=%llu nr_regions=%u %llu-%llu: %u %u",
			   &id, &nr, &start, &end, &acc, &age) != 6) {
			snprintf(rec->error, sizeof(rec->error), "%s:%lu: not a damon_aggregated line", path, lineno);
			rec->read_error = 1;
			break;
		}
		p = strchr(t + 1, '.');
		ns = secs * 1000000000ull + frac * (strcspn(p + 1, ":") == 6 ? 1000ull : 1ull);
		if (!cur) {
			cur = add_snapshot(rec);
			cur->end_ns = ns;
			cur->regions = xcalloc(nr, sizeof(*cur->regions));
			want = nr;
		}
		if (cur->nr < want) {
			cur->regions[cur->nr].start = start;
			cur->regions[cur->nr].end = end;
			cur->regions[cur->nr].nr_accesses = acc;
			cur->nr++;
		}
		if (cur->nr == want)
			cur = NULL;
	}
	if (cur) /* the last aggregation was cut short */
		rec->nr--;
	fclose(f);
	for (size_t i = 0; i < rec->nr; i++) {
		uint64_t aggr = rec->aggr_us * 1000;
		rec->snaps[i].start_ns = i ? rec->snaps[i - 1].end_ns
					   : (rec->snaps[i].end_ns > aggr ? rec->snaps[i].end_ns - aggr : 0);
	}
	rec->clean_close = 1;
}

static void read_workload(const char *path, struct workload *w)
{
	FILE *f = fopen(path, "r");
	char line[512], name;
	unsigned long long a, b;
	int have = 0;

	memset(w, 0, sizeof(*w));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "buffer %c %llx %llx", &name, &a, &b) == 3 &&
		    name >= 'A' && name < 'A' + NR_PHASES) {
			w->buf_start[name - 'A'] = a;
			w->buf_end[name - 'A'] = b;
			have |= 1 << (name - 'A');
		} else if (sscanf(line, "phase %c %llu", &name, &a) == 2 &&
			   name >= 'A' && name < 'A' + NR_PHASES) {
			w->phase_ns[name - 'A'] = a;
			have |= 8 << (name - 'A');
		} else if (sscanf(line, "phys %c %llx %llx", &name, &a, &b) == 3) {
			uint64_t(*p)[2] = realloc(w->phys, (w->nr_phys + 1) * sizeof(*p));
			if (!p) {
				perror("vm-check");
				exit(1);
			}
			w->phys = p;
			w->phys[w->nr_phys][0] = a;
			w->phys[w->nr_phys++][1] = b;
		} else if (sscanf(line, "mapped %llu", &a) == 1) {
			w->mapped_ns = a;
			have |= 128;
		} else if (sscanf(line, "end %llu", &a) == 1) {
			w->end_ns = a;
			have |= 64;
		}
	}
	fclose(f);
	w->ok = have == 255;
	w->started = (have & (7 | 8 | 128)) == (7 | 8 | 128);
	if (!(have & 64))
		w->end_ns = UINT64_MAX; /* stopped before it printed its end */
}

/* Bytes of [start, end) covered by the snapshot's regions. */
static uint64_t covered(const struct snapshot *s, uint64_t start, uint64_t end)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < s->nr; i++) {
		uint64_t a = s->regions[i].start > start ? s->regions[i].start : start;
		uint64_t b = s->regions[i].end < end ? s->regions[i].end : end;
		if (a < b)
			sum += b - a;
	}
	return sum;
}

/*
 * The buffer where the snapshot's accesses are, or -1: the buffer with the
 * most accessed bytes (each region's bytes inside the buffer times its
 * nr_accesses), provided one of its regions is at least half as hot as the
 * hottest region of the snapshot.  A count of bytes rather than the single
 * hottest region: the one-page stack region is as hot as a whole buffer
 * (counts are numbers of samples and tie at the maximum), and a region
 * DAMON has not split yet may reach into the neighbouring buffer.
 */
static int hottest_buffer(const struct snapshot *s, const struct workload *w)
{
	uint32_t max = 0, buf_max[NR_PHASES] = { 0 };
	double weight[NR_PHASES] = { 0 };
	int best = -1;

	for (size_t i = 0; i < s->nr; i++) {
		const struct region *r = &s->regions[i];
		if (r->nr_accesses > max)
			max = r->nr_accesses;
		for (int b = 0; b < NR_PHASES; b++) {
			uint64_t lo = r->start > w->buf_start[b] ? r->start : w->buf_start[b];
			uint64_t hi = r->end < w->buf_end[b] ? r->end : w->buf_end[b];
			if (lo >= hi)
				continue;
			weight[b] += (double)(hi - lo) * r->nr_accesses;
			if (r->nr_accesses > buf_max[b])
				buf_max[b] = r->nr_accesses;
		}
	}
	for (int b = 0; b < NR_PHASES; b++)
		if (weight[b] > 0 && (best < 0 || weight[b] > weight[best]))
			best = b;
	if (best >= 0 && buf_max[best] * 2 < max)
		best = -1;
	return best;
}

static void check_times(const struct record *rec, size_t min_snapshots)
{
	size_t bad = 0, first_bad = 0;

	report(rec->nr >= min_snapshots, "at least %zu snapshots (%zu)", min_snapshots, rec->nr);
	for (size_t i = 0; i < rec->nr; i++) {
		const struct snapshot *s = &rec->snaps[i], *prev = NULL;
		int ok = s->start_ns < s->end_ns;

		for (size_t k = i; k-- > 0 && !prev;)
			if (rec->snaps[k].target == s->target && rec->snaps[k].context == s->context &&
			    rec->snaps[k].kdamond == s->kdamond)
				prev = &rec->snaps[k];
		if (prev)
			ok = ok && s->end_ns > prev->end_ns && s->start_ns >= prev->start_ns;
		for (size_t j = 0; ok && j < s->nr; j++)
			ok = s->regions[j].start < s->regions[j].end &&
			     (j == 0 || s->regions[j].start >= s->regions[j - 1].end);
		if (!ok && !bad++)
			first_bad = i;
	}
	if (bad)
		report(0, "times increase and regions are sorted (%zu bad snapshots, first #%zu)",
		       bad, first_bad);
	else
		report(1, "times increase and regions are sorted (%zu snapshots)", rec->nr);
}

/* A killed recorder: everything recovered was recorded before the kill
 * (read from /proc/uptime in the VM right after it, to 10 ms: the same
 * clock, since the VM never suspends). */
static void check_killed_at(const struct record *rec, double killed_at)
{
	uint64_t limit = (uint64_t)((killed_at + 0.01) * 1e9), last = 0;
	size_t late = 0;

	for (size_t i = 0; i < rec->nr; i++) {
		if (rec->snaps[i].end_ns > last)
			last = rec->snaps[i].end_ns;
		if (rec->snaps[i].end_ns > limit)
			late++;
	}
	report(!late, "every snapshot ends before the kill at %.2f s (%zu later; last ends at %.3f s)",
	       killed_at, late, last / 1e9);
}

static void check_phases(const struct record *rec, const struct workload *w,
			 double hot_fraction, double boundary_aggrs, size_t min_inside)
{
	uint64_t aggr = rec->aggr_us * 1000, update = rec->update_us * 1000;
	uint64_t from = w->mapped_ns + update + aggr;

	/* Coverage. */
	for (int b = 0; b < NR_PHASES; b++) {
		size_t n = 0, bad = 0;
		uint64_t worst = UINT64_MAX, size = w->buf_end[b] - w->buf_start[b];
		for (size_t i = 0; i < rec->nr; i++) {
			const struct snapshot *s = &rec->snaps[i];
			uint64_t c;
			if (s->start_ns < from || s->end_ns > w->end_ns)
				continue;
			n++;
			c = covered(s, w->buf_start[b], w->buf_end[b]);
			if (c < worst)
				worst = c;
			bad += c != size;
		}
		report(n > 0 && !bad,
		       "regions cover buffer %c in every snapshot from 1 update + 1 aggregation after mapping "
		       "(%zu snapshots, %zu not covering; least covered %" PRIu64 " of %" PRIu64 " KiB)",
		       'A' + b, n, bad, n ? worst >> 10 : 0, size >> 10);
	}

	for (int p = 0; p < NR_PHASES; p++) {
		uint64_t t0 = w->phase_ns[p];
		uint64_t t1 = p + 1 < NR_PHASES ? w->phase_ns[p + 1] : w->end_ns;
		size_t inside = 0, hot = 0, first = SIZE_MAX, nth = 0;

		for (size_t i = 0; i < rec->nr; i++) {
			const struct snapshot *s = &rec->snaps[i];
			if (s->start_ns >= t0 + aggr && s->end_ns <= t1) {
				inside++;
				hot += hottest_buffer(s, w) == p;
			}
		}
		report(inside >= min_inside && hot >= hot_fraction * inside,
		       "phase %c: accesses are mostly in buffer %c in >= %.0f%% of the %zu snapshots "
		       "inside the phase (%zu, %.0f%%)",
		       'A' + p, 'A' + p, hot_fraction * 100, inside, hot,
		       inside ? 100.0 * hot / inside : 0.0);

		/* Boundary: the first snapshot after the buffers were mapped in
		 * which this phase's buffer is the hottest must be one of the
		 * first boundary_aggrs snapshots ending after the printed time.
		 * Populating the buffers leaves fresh pages marked accessed,
		 * which DAMON may count once just after; the workload's quiet
		 * settling time keeps that at least one aggregation away from
		 * phase A. */
		for (size_t i = 0; i < rec->nr && first == SIZE_MAX; i++) {
			const struct snapshot *s = &rec->snaps[i];
			if (s->start_ns >= w->mapped_ns + aggr && hottest_buffer(s, w) == p)
				first = i;
		}
		if (first == SIZE_MAX) {
			report(0, "phase %c: start seen within %.0f aggregations (never seen)", 'A' + p,
			       boundary_aggrs);
			continue;
		}
		for (size_t i = 0; i <= first; i++)
			nth += rec->snaps[i].end_ns > t0;
		report(nth >= 1 && nth <= boundary_aggrs,
		       "phase %c: start seen within %.0f aggregations of the printed time "
		       "(seen %s %zu, in the snapshot ending %+.0f ms from it)",
		       'A' + p, boundary_aggrs, nth ? "in aggregation" : "before it:", nth,
		       ((double)rec->snaps[first].end_ns - (double)t0) / 1e6);
	}
}

/* System RAM ranges from /proc/iomem (physical addresses, needs root).
 * DAMON aligns region edges to pages (the kernel rounds a range's end up),
 * so a range counts with its edges rounded out to pages. */
#define PAGE_MASK 4095ull
static int hottest_on_phys(const struct snapshot *s, const struct workload *w)
{
	uint32_t max = 0;

	for (size_t i = 0; i < s->nr; i++)
		if (s->regions[i].nr_accesses > max)
			max = s->regions[i].nr_accesses;
	for (size_t i = 0; max && i < s->nr; i++) {
		if (s->regions[i].nr_accesses * 5 < max * 4)
			continue;
		for (size_t k = 0; k < w->nr_phys; k++)
			if (s->regions[i].start < w->phys[k][1] && w->phys[k][0] < s->regions[i].end)
				return 1;
	}
	return 0;
}

static void check_paddr(const struct record *rec, const char *iomem, const struct workload *w)
{
	FILE *f = fopen(iomem, "r");
	char line[256];
	unsigned long long ram_start[64], ram_end[64];
	int nr_ram = 0;
	size_t outside = 0, accessed = 0, during = 0, on_phys = 0;

	if (f) {
		while (fgets(line, sizeof(line), f) && nr_ram < 64) {
			unsigned long long a, b;
			if (line[0] != ' ' && strstr(line, ": System RAM") &&
			    sscanf(line, "%llx-%llx", &a, &b) == 2) {
				ram_start[nr_ram] = a;
				ram_end[nr_ram++] = b + 1;
			}
		}
		fclose(f);
	}
	for (size_t i = 0; i < rec->nr; i++) {
		const struct snapshot *s = &rec->snaps[i];
		int any = 0;
		for (size_t j = 0; j < s->nr; j++) {
			int in = 0;
			for (int k = 0; k < nr_ram && !in; k++)
				in = s->regions[j].start >= (ram_start[k] & ~PAGE_MASK) &&
				     s->regions[j].end <= ((ram_end[k] + PAGE_MASK) & ~PAGE_MASK);
			outside += !in;
			any |= s->regions[j].nr_accesses > 0;
		}
		accessed += any;
		/* DAMON starts paddr with one region per RAM range and needs
		 * about an update interval of splitting to tell pages apart. */
		if (w && s->start_ns >= w->phase_ns[0] + rec->aggr_us * 1000 &&
		    s->start_ns >= rec->snaps[0].start_ns + rec->update_us * 1000 && s->end_ns <= w->end_ns) {
			during++;
			on_phys += hottest_on_phys(s, w);
		}
	}
	report(nr_ram > 0 && !outside, "paddr regions lie inside System RAM of %s (%d ranges, %zu regions outside)",
	       iomem, nr_ram, outside);
	report(rec->nr && accessed * 2 >= rec->nr,
	       "paddr: accesses seen in at least half of the snapshots (%zu of %zu)", accessed, rec->nr);
	if (w)
		report(w->nr_phys && during >= 5 && on_phys * 10 >= during * 8,
		       "paddr: hottest regions overlap the workload's physical pages in >= 80%% of the "
		       "%zu snapshots during its phases, from one update interval on (%zu; %zu physical ranges)",
		       during, on_phys, w->nr_phys);
}

/* The recorder's copies of /proc/PID/maps: after the workload mapped its
 * buffers, one of them lists each buffer as its own anonymous rw-p mapping
 * (the guard pages around it are separate mappings). */
static void check_maps(const struct record *rec, const struct workload *w)
{
	int found[NR_PHASES] = { 0 };

	for (size_t i = 0; i < rec->nr_map_entries; i++) {
		const struct map_entry *e = &rec->map_entries[i];
		for (int b = 0; b < NR_PHASES; b++)
			found[b] |= e->start == w->buf_start[b] && e->end == w->buf_end[b] &&
				    e->anonymous && !strncmp(e->perms, "rw-", 3);
	}
	report(found[0] && found[1] && found[2],
	       "memory maps: buffers A, B, C each appear as an anonymous rw- mapping "
	       "(%zu maps records; found %d, %d, %d)",
	       rec->nr_maps, found[0], found[1], found[2]);
}

/* perf script --ns text of `perf record -g` samples of the workload: every
 * sample whose stack holds phase_a/b/c must fall inside that phase. */
static void check_stacks(const char *path, const struct workload *w)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	uint64_t t = 0;
	size_t in_phase[NR_PHASES] = { 0 }, outside = 0, samples = 0;
	int counted = 1;

	if (!f) {
		report(0, "%s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long secs, frac;
		char *p;

		if (line[0] != '\t' && line[0] != '\n' && (p = strstr(line, ": ")) != NULL) {
			char *q = p;
			while (q > line && q[-1] != ' ')
				q--;
			if (sscanf(q, "%llu.%llu:", &secs, &frac) == 2) {
				t = secs * 1000000000ull + frac;
				samples++;
				counted = 0;
			}
			continue;
		}
		if (counted || line[0] != '\t')
			continue;
		for (int ph = 0; ph < NR_PHASES; ph++) {
			char fn[16];
			snprintf(fn, sizeof(fn), " phase_%c+", 'a' + ph);
			if (!strstr(line, fn))
				continue;
			uint64_t t0 = w->phase_ns[ph];
			uint64_t t1 = ph + 1 < NR_PHASES ? w->phase_ns[ph + 1] : w->end_ns;
			/* 1 ms either side: the time is read just outside the call. */
			if (t + 1000000 >= t0 && t <= t1 + 1000000)
				in_phase[ph]++;
			else
				outside++;
			counted = 1;
		}
	}
	fclose(f);
	report(in_phase[0] >= 10 && in_phase[1] >= 10 && in_phase[2] >= 10 && !outside,
	       "callstacks: phase_a/b/c each sampled in its own phase, never outside "
	       "(%zu samples; %zu, %zu, %zu in phase; %zu outside)",
	       samples, in_phase[0], in_phase[1], in_phase[2], outside);
}

/* --record-stacks: the record's own STACK items (damo-record -g), judged
 * as check_stacks() judges perf script text. */
static void check_record_stacks(const struct record *rec, const struct workload *w)
{
	size_t in_phase[NR_PHASES] = { 0 }, outside = 0;

	for (size_t i = 0; i < rec->nr_stacks; i++) {
		const struct stack_sample *s = &rec->stacks[i];
		if (s->phase < 0)
			continue;
		uint64_t t0 = w->phase_ns[s->phase];
		uint64_t t1 = s->phase + 1 < NR_PHASES ? w->phase_ns[s->phase + 1] : w->end_ns;
		if (s->time_ns + 1000000 >= t0 && s->time_ns <= t1 + 1000000)
			in_phase[s->phase]++;
		else
			outside++;
	}
	report(in_phase[0] >= 10 && in_phase[1] >= 10 && in_phase[2] >= 10 && !outside,
	       "record's callstacks: phase_a/b/c each sampled in its own phase, never outside "
	       "(%zu samples, %zu frames; %zu, %zu, %zu in phase; %zu outside)",
	       rec->nr_stacks, rec->nr_frames, in_phase[0], in_phase[1], in_phase[2], outside);
}

/* --dump: one line per snapshot, for debugging a failed check. */
static void dump(const struct record *rec, const struct workload *w)
{
	for (size_t i = 0; i < rec->nr; i++) {
		const struct snapshot *s = &rec->snaps[i];
		uint32_t max = 0;

		for (size_t j = 0; j < s->nr; j++)
			if (s->regions[j].nr_accesses > max)
				max = s->regions[j].nr_accesses;
		printf("#%zu %" PRIu64 ".%09" PRIu64 "-%" PRIu64 ".%09" PRIu64 " %zu regions, max %u, hottest in %c:",
		       i, s->start_ns / 1000000000, s->start_ns % 1000000000,
		       s->end_ns / 1000000000, s->end_ns % 1000000000, s->nr, max,
		       w && w->ok && hottest_buffer(s, w) >= 0 ? 'A' + hottest_buffer(s, w) : '-');
		for (size_t j = 0; j < s->nr; j++)
			if (s->regions[j].nr_accesses)
				printf(" %" PRIx64 "-%" PRIx64 ":%u", s->regions[j].start,
				       s->regions[j].end, s->regions[j].nr_accesses);
		putchar('\n');
	}
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vm-check [options] INPUT\n"
		"  --perf-script       INPUT is perf script --ns text of damon:damon_aggregated\n"
		"                      (default: a damotrace record)\n"
		"  --name NAME         prefix of the check lines\n"
		"  --phases FILE       output of the phases workload: check its phases\n"
		"  --aggr-us N         aggregation interval (perf script input; records say it)\n"
		"  --update-us N       update interval (same)\n"
		"  --min-snapshots N   fewest snapshots accepted (default 10)\n"
		"  --hot-fraction F    see the header of tests/vm/vm-check.c (default 0.9)\n"
		"  --boundary-aggrs N  (default 2)\n"
		"  --min-inside N      fewest snapshots inside a phase accepted (default 5)\n"
		"  --clean             the record must end with a clean close\n"
		"  --salvage           read a damaged record up to its last valid chunk\n"
		"  --killed-at SECONDS the recorder was killed then (CLOCK_MONOTONIC): no\n"
		"                      snapshot may end later\n"
		"  --maps              the record's memory maps must show the buffers (needs --phases)\n"
		"  --dump              print every snapshot's hottest regions\n"
		"  --stacks FILE       perf script --ns of perf record -g of the workload (needs --phases)\n"
		"  --record-stacks     the record's own callstacks (damo-record -g; needs --phases)\n"
		"  --paddr IOMEM       physical regions: check them against /proc/iomem's System RAM\n"
		"                      and, with --phases, against the workload's physical pages\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "perf-script", no_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'N' },
		{ "phases", required_argument, NULL, 'w' },
		{ "aggr-us", required_argument, NULL, 'a' },
		{ "update-us", required_argument, NULL, 'u' },
		{ "min-snapshots", required_argument, NULL, 'm' },
		{ "hot-fraction", required_argument, NULL, 'f' },
		{ "boundary-aggrs", required_argument, NULL, 'b' },
		{ "min-inside", required_argument, NULL, 'i' },
		{ "clean", no_argument, NULL, 'c' },
		{ "paddr", required_argument, NULL, 'P' },
		{ "stacks", required_argument, NULL, 's' },
		{ "record-stacks", no_argument, NULL, 'R' },
		{ "dump", no_argument, NULL, 'd' },
		{ "salvage", no_argument, NULL, 'S' },
		{ "killed-at", required_argument, NULL, 'K' },
		{ "maps", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int perf_script = 0, clean = 0, do_dump = 0, salvage = 0, maps = 0, record_stacks = 0, c;
	const char *phases = NULL, *iomem = NULL, *stacks = NULL;
	uint64_t aggr_us = 0, update_us = 0;
	size_t min_snapshots = 10, min_inside = 5;
	double hot_fraction = 0.9, boundary_aggrs = 2, killed_at = -1;
	struct record rec;
	struct workload w;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': perf_script = 1; break;
		case 'N': check_name = optarg; break;
		case 'w': phases = optarg; break;
		case 'a': aggr_us = strtoull(optarg, NULL, 10); break;
		case 'u': update_us = strtoull(optarg, NULL, 10); break;
		case 'm': min_snapshots = strtoul(optarg, NULL, 10); break;
		case 'f': hot_fraction = atof(optarg); break;
		case 'b': boundary_aggrs = atof(optarg); break;
		case 'i': min_inside = strtoul(optarg, NULL, 10); break;
		case 'c': clean = 1; break;
		case 'P': iomem = optarg; break;
		case 's': stacks = optarg; break;
		case 'R': record_stacks = 1; break;
		case 'd': do_dump = 1; break;
		case 'S': salvage = 1; break;
		case 'K': killed_at = atof(optarg); break;
		case 'M': maps = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	memset(&rec, 0, sizeof(rec));
	/* Records say their intervals; perf script text does not. */
	rec.aggr_us = aggr_us ? aggr_us : perf_script ? 100000 : 0;
	rec.update_us = update_us ? update_us : perf_script ? 1000000 : 0;
	if (perf_script)
		read_perf_script(argv[optind], &rec);
	else
		read_dtr(argv[optind], &rec, salvage);
	if (!rec.aggr_us)
		rec.aggr_us = 100000;
	if (!rec.update_us)
		rec.update_us = 1000000;
	report(!rec.read_error, "%s reads without error%s%s", argv[optind],
	       rec.read_error ? ": " : "", rec.read_error ? rec.error : "");
	if (clean)
		report(rec.clean_close && rec.has_end && rec.end_nr_snapshots == rec.nr,
		       "closed cleanly (end marker %s, it counts %" PRIu64 " snapshots, %zu read)",
		       rec.has_end ? "present" : "missing", rec.end_nr_snapshots, rec.nr);
	check_times(&rec, min_snapshots);
	if (killed_at >= 0)
		check_killed_at(&rec, killed_at);
	if (phases) {
		read_workload(phases, &w);
		if (iomem)
			report(w.started && w.nr_phys, "%s has the buffers, their physical pages and phase A's start",
			       phases);
		else
			report(w.ok, "%s has the buffers and phase times", phases);
		/* With --paddr, the workload's buffers are physical pages. */
		if (w.ok && !iomem)
			check_phases(&rec, &w, hot_fraction, boundary_aggrs, min_inside);
		if (w.ok && stacks)
			check_stacks(stacks, &w);
		if (w.ok && record_stacks)
			check_record_stacks(&rec, &w);
		if (w.ok && maps)
			check_maps(&rec, &w);
	}
	if (iomem)
		check_paddr(&rec, iomem, phases && w.started ? &w : NULL);
	if (do_dump)
		dump(&rec, phases ? &w : NULL);
	if (phases)
		free(w.phys);
	free(rec.map_entries);
	free(rec.frame_phase);
	free(rec.stacks);
	for (size_t i = 0; i < rec.nr; i++)
		free(rec.snaps[i].regions);
	free(rec.snaps);
	return nr_fail ? 1 : 0;
}
