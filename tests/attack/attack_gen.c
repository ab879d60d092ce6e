// SPDX-License-Identifier: GPL-2.0-only
/*
 * Structure-aware generator of hostile records for the attack suite
 * (tests/attack/run.sh): records that are valid but extreme, and records
 * that are not valid at all, from a seed (the same seed gives the same
 * bytes).
 *
 *   attack_gen dtr SEED OUT      a .dtr written through libdtr: valid
 *                                framing, extreme values (times and
 *                                addresses at 0 and near 2^63 and 2^64,
 *                                huge ages and intervals, empty and
 *                                zero-frame stacks, control characters and
 *                                invalid UTF-8 in every string); some
 *                                left unclosed
 *   attack_gen json SEED OUT     damo json, valid or not (reversed and
 *                                overlapping regions, missing keys, wrong
 *                                types, numbers out of range)
 *   attack_gen perf SEED OUT     perf script text of damon:damon_aggregated,
 *                                valid or not
 *   attack_gen stacks SEED OUT   perf script text of callstack samples,
 *                                valid or not
 *   attack_gen mutate SEED IN OUT  IN with bytes flipped, cut or repeated
 *
 * Exit status: 0, or 1 with a message when OUT cannot be written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtr.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned percent)
{
	return below(100) < percent;
}

/* A value chosen to break arithmetic: edges of the integer types, powers
 * of two and their neighbours, or any 64-bit value. */
static uint64_t edge_u64(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 4095, 4096, 4097, 0x7fffffffull, 0x80000000ull, 0xffffffffull,
		0x100000000ull, 1ull << 53, (1ull << 53) + 1, 1ull << 62, INT64_MAX - 1,
		INT64_MAX, 1ull << 63, (1ull << 63) + 1, (1ull << 63) + 4096,
		UINT64_MAX - 4096, UINT64_MAX - 1, UINT64_MAX,
	};
	uint64_t x = v[below(sizeof(v) / sizeof(v[0]))];
	switch (below(4)) {
	case 0:
		return rnd();
	case 1:
		return x + below(3) - 1;
	default:
		return x;
	}
}

static uint32_t edge_u32(void)
{
	static const uint32_t v[] = { 0, 1, 2, 100, 0x7fffffff, 0x80000000u, 0xfffffffeu,
				      UINT32_MAX };
	return chance(25) ? (uint32_t)rnd() : v[below(sizeof(v) / sizeof(v[0]))];
}

/* A time: small, ordinary (seconds of CLOCK_MONOTONIC), or an edge. */
static uint64_t edge_time(void)
{
	switch (below(3)) {
	case 0:
		return below(1000000);
	case 1:
		return 1000000000ull * (1 + below(100000)) + below(1000000000);
	default:
		return edge_u64();
	}
}

/* A hostile string into buf (NUL-terminated): control characters, escape
 * sequences, invalid UTF-8, encoded surrogates, quotes, long runs. */
static char *hostile_str(char *buf, size_t cap)
{
	static const char *const parts[] = {
		"main", "\x1b]0;pwned\x07", "\x1b[2J", "\n", "\r", "\t", "\"", "\\", "'",
		"\xff\xfe", "\xc0\x80", "\xed\xa0\x80", "\xe2\x80\xae", "%s%n", "<script>",
		"[heap]", "[stack]", "/lib/x86_64-linux-gnu/libc.so.6", "caf\xe9", "\x7f",
		"a\x01" "b", "\xf4\x90\x80\x80", "\xe2\x82", "]]>", "$(touch x)",
	};
	size_t n = 0, parts_wanted = below(6);

	if (chance(5)) { /* a long one */
		size_t len = below(cap - 1);
		for (; n < len; n++)
			buf[n] = (char)(1 + below(255));
		buf[n] = 0;
		return buf;
	}
	for (size_t k = 0; k < parts_wanted; k++) {
		const char *p = parts[below(sizeof(parts) / sizeof(parts[0]))];
		size_t l = strlen(p);
		if (n + l + 1 > cap)
			break;
		memcpy(buf + n, p, l);
		n += l;
	}
	buf[n] = 0;
	return buf;
}

/* ------------------------------------------------------------------ dtr */

struct gen_dtr {
	struct dtr_writer *w;
	char err[512];
	uint32_t nr_frames;
	uint32_t nr_targets;
};

static int put(struct gen_dtr *g, const struct dtr_item *it)
{
	/* The writer refuses what the format forbids (reversed regions...):
	 * that item is left out, the record stays valid. */
	int rc = dtr_writer_put(g->w, it, g->err, sizeof(g->err));
	return rc == -EINVAL ? 0 : rc;
}

/* Sorted, non-overlapping regions placed somewhere hostile. */
static uint64_t gen_regions(struct dtr_region *r, uint64_t max)
{
	uint64_t n = below(max + 1), i = 0;
	uint64_t at;

	switch (below(5)) {
	case 0:
		at = 0;
		break;
	case 1:
		at = (1ull << 63) - below(3) * 4096;
		break;
	case 2:
		at = UINT64_MAX - below(n * 8192 + 2);
		break;
	case 3:
		at = 0x7f0000000000ull;
		break;
	default:
		at = edge_u64();
	}
	for (; i < n; i++) {
		uint64_t size;
		switch (below(6)) {
		case 0:
			size = 0;
			break;
		case 1:
			size = 1;
			break;
		case 2:
			size = edge_u64();
			break;
		default:
			size = 4096 * (1 + below(64));
		}
		if (chance(30)) /* a gap */
			at += chance(50) ? 4096 : edge_u64();
		if (at + size < at)
			size = UINT64_MAX - at;
		r[i].start = at;
		r[i].end = at + size;
		r[i].nr_accesses = chance(50) ? (uint32_t)below(21) : edge_u32();
		r[i].age = chance(50) ? (uint32_t)below(100) : edge_u32();
		at = r[i].end;
		if (i && r[i].start < r[i - 1].end)
			break;
	}
	return i;
}

static int gen_stack(struct gen_dtr *g, uint64_t t)
{
	uint32_t frames[600];
	char a[300], b[300], c[300];
	struct dtr_item it = { .type = DTR_ITEM_FRAME };

	for (uint64_t k = below(4); k; k--) {
		it.type = DTR_ITEM_FRAME;
		it.u.frame = (struct dtr_frame){ g->nr_frames, hostile_str(a, sizeof(a)),
						 hostile_str(b, sizeof(b)), hostile_str(c, sizeof(c)) };
		int rc = dtr_writer_put(g->w, &it, g->err, sizeof(g->err));
		if (rc)
			return rc;
		g->nr_frames++;
	}
	uint32_t nf = 0;
	if (g->nr_frames && !chance(20))
		nf = chance(10) ? (uint32_t)(sizeof(frames) / sizeof(frames[0])) : (uint32_t)below(40);
	for (uint32_t i = 0; i < nf; i++)
		frames[i] = (uint32_t)below(g->nr_frames);
	it.type = DTR_ITEM_STACK;
	it.u.stack = (struct dtr_stack){
		.time_ns = chance(70) ? t : edge_time(),
		.pid = chance(80) ? 100 + (int32_t)below(3) : (int32_t)edge_u32(),
		.tid = chance(80) ? 100 + (int32_t)below(5) : (int32_t)edge_u32(),
		.cpu = edge_u32(),
		.weight = chance(70) ? 10000000 : edge_u64(),
		.nr_frames = nf,
		.frames = nf ? frames : NULL,
	};
	return put(g, &it);
}

static int gen_maps(struct gen_dtr *g, uint64_t t)
{
	struct dtr_map_entry e[8];
	char paths[8][64];
	size_t n = below(9);
	uint64_t at = chance(30) ? 0 : edge_u64();

	for (size_t i = 0; i < n; i++) {
		uint64_t size = chance(70) ? 4096 * (1 + below(100)) : edge_u64();
		if (at + size < at)
			size = UINT64_MAX - at;
		e[i] = (struct dtr_map_entry){ .start = at, .end = at + size,
					       .offset = edge_u64(), .perms = "rw-p" };
		e[i].path = hostile_str(paths[i], sizeof(paths[i]));
		at += size;
	}
	struct dtr_item it = { .type = DTR_ITEM_MAPS };
	it.u.maps = (struct dtr_maps){ t, chance(80) ? 100 : (int32_t)edge_u32(), n, e };
	return put(g, &it);
}

static int gen_footprint(struct gen_dtr *g, uint64_t t, uint32_t target)
{
	struct dtr_item it = { .type = DTR_ITEM_FOOTPRINT };
	it.u.footprint = (struct dtr_footprint){
		.time_ns = chance(80) ? t : edge_time(), .target = target, .pid = 100,
		.has = (uint32_t)below(16), .size = edge_u64(), .resident = edge_u64(),
		.swap = edge_u64(), .utime_ns = edge_u64(), .stime_ns = edge_u64(),
		.minflt = edge_u64(), .majflt = edge_u64(), .threads = edge_u64(),
		.mem_total = edge_u64(), .mem_available = edge_u64(),
	};
	return put(g, &it);
}

static int gen_header_items(struct gen_dtr *g)
{
	char k[3][200], v[3][200];
	struct dtr_kv kv[4];
	size_t nkv = 0;
	static const char *const sources[] = { "tracepoint", "damo-json", "perf-script",
					       "damo-binary", "tracefs-text", "x" };
	struct dtr_item it = { .type = DTR_ITEM_META };

	kv[nkv++] = (struct dtr_kv){ DTR_META_SOURCE, sources[below(6)] };
	for (int i = 0; i < 3; i++)
		kv[nkv++] = (struct dtr_kv){ chance(50) ? DTR_META_COMMAND_LINE :
							  hostile_str(k[i], sizeof(k[i])),
					     hostile_str(v[i], sizeof(v[i])) };
	it.u.meta = (struct dtr_meta){ nkv, kv };
	int rc = put(g, &it);
	if (rc)
		return rc;

	struct dtr_target t[4];
	char cmd[4][200];
	g->nr_targets = 1 + (uint32_t)below(chance(90) ? 2 : 4);
	for (uint32_t i = 0; i < g->nr_targets; i++)
		t[i] = (struct dtr_target){ i, chance(80) ? i : edge_u64(),
					    chance(80) ? 100 + i : (int64_t)edge_u64(),
					    hostile_str(cmd[i], sizeof(cmd[i])) };
	it.type = DTR_ITEM_CONTEXT;
	it.u.context = (struct dtr_context){ 0, 0, (enum dtr_ops)below(4), edge_u64(),
					     edge_u64(), g->nr_targets, t };
	if ((rc = put(g, &it)))
		return rc;
	if (chance(80)) {
		it.type = DTR_ITEM_INTERVALS;
		it.u.intervals = (struct dtr_intervals){ 0, 0, chance(50) ? 0 : edge_time(),
							 chance(50) ? 5000 : edge_u64(),
							 chance(50) ? 100000 : edge_u64(),
							 chance(50) ? 1000000 : edge_u64() };
		if ((rc = put(g, &it)))
			return rc;
	}
	if (chance(50)) {
		it.type = DTR_ITEM_CLOCKS;
		it.u.clocks = (struct dtr_clocks){ (enum dtr_clock)below(5), "start",
						   (uint32_t)below(8), edge_time(), edge_time(),
						   edge_time() };
		if ((rc = put(g, &it)))
			return rc;
	}
	return 0;
}

static int gen_dtr(const char *path)
{
	struct gen_dtr g = { 0 };
	struct dtr_writer_opts o = { .no_fsync = 1, .chunk_bytes = chance(50) ? 512 : 0 };
	static struct dtr_region regions[300];
	int rc = dtr_writer_open(&g.w, path, &o, g.err, sizeof(g.err));

	if (rc) {
		fprintf(stderr, "attack_gen: %s\n", g.err);
		return 1;
	}
	if ((rc = gen_header_items(&g)))
		goto fail;
	uint64_t t = edge_time(), nr = 1 + below(chance(80) ? 30 : 300);
	uint64_t step = chance(70) ? 100000000 : edge_u64();
	int max_regions = chance(80) ? 20 : 300;
	for (uint64_t s = 0; s < nr; s++) {
		uint64_t len = chance(70) ? step : edge_u64();
		uint64_t start = chance(90) ? t : edge_time();
		uint64_t end = start + len < start ? UINT64_MAX : start + len;
		struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
		it.u.snapshot = (struct dtr_snapshot){
			.start_ns = start, .end_ns = end, .target = (uint32_t)below(g.nr_targets + chance(5)),
			.flags = (uint32_t)below(4),
			.access_unit = (enum dtr_unit)(chance(80) ? DTR_UNIT_SAMPLES : below(3)),
			.age_unit = (enum dtr_unit)(chance(80) ? DTR_UNIT_AGGREGATIONS : below(3)),
			.regions = regions,
		};
		it.u.snapshot.nr_regions = gen_regions(regions, (uint64_t)max_regions);
		if ((rc = put(&g, &it)))
			goto fail;
		t = end;
		if (chance(30) && (rc = gen_stack(&g, t)))
			goto fail;
		if (chance(5) && (rc = gen_maps(&g, t)))
			goto fail;
		if (chance(10) && (rc = gen_footprint(&g, t, it.u.snapshot.target)))
			goto fail;
	}
	if (chance(15)) {
		dtr_writer_abort(g.w);
		return 0;
	}
	if (dtr_writer_close(g.w, g.err, sizeof(g.err))) {
		fprintf(stderr, "attack_gen: %s\n", g.err);
		return 1;
	}
	return 0;
fail:
	fprintf(stderr, "attack_gen: %s\n", g.err);
	dtr_writer_abort(g.w);
	return 1;
}

/* ---------------------------------------------------------------- text */

/* A number as damo json may spell it: plain, quoted, with a unit, or a
 * value of the wrong type. */
static void json_num(FILE *f, uint64_t v)
{
	switch (below(12)) {
	case 0:
		fprintf(f, "\"%" PRIu64 "\"", v);
		break;
	case 1:
		fprintf(f, "-%" PRIu64, v);
		break;
	case 2:
		fprintf(f, "%" PRIu64 ".5e3", v);
		break;
	case 3:
		fputs(chance(50) ? "null" : "[]", f);
		break;
	case 4:
		fprintf(f, "\"%" PRIu64 " s\"", v % 100000);
		break;
	case 5:
		fputs("1e999", f);
		break;
	default:
		fprintf(f, "%" PRIu64, v);
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void gen_json_regions(FILE *f, int valid)
{
	static struct dtr_region r[64];
	uint64_t n = gen_regions(r, 40);

	fputc('[', f);
	for (uint64_t i = 0; i < n; i++) {
		if (!valid && chance(10)) { /* reversed or overlapping */
			uint64_t x = r[i].start;
			r[i].start = r[i].end;
			r[i].end = x;
		}
		fputs(i ? ", {" : "{", f);
		fputs("\"start\": ", f);
		if (valid)
			fprintf(f, "%" PRIu64, r[i].start);
		else
			json_num(f, r[i].start);
		fputs(", \"end\": ", f);
		if (valid)
			fprintf(f, "%" PRIu64, r[i].end);
		else
			json_num(f, r[i].end);
		if (valid || chance(90))
			fprintf(f, ", \"nr_accesses\": {\"samples\": %" PRIu32 "}", r[i].nr_accesses);
		if (valid || chance(90))
			fprintf(f, ", \"age\": {\"aggr_intervals\": %" PRIu32 "}", r[i].age);
		fputc('}', f);
	}
	fputc(']', f);
}

static int gen_json(FILE *f)
{
	int valid = chance(50);
	uint64_t nr_targets = 1 + below(3);
	char s[200];

	fputc('[', f);
	for (uint64_t k = 0; k < nr_targets; k++) {
		fprintf(f, "%s{\"kdamond_idx\": %" PRIu64 ", \"context_idx\": 0, \"target_id\": ",
			k ? ", " : "", chance(80) ? 0 : below(3));
		if (valid)
			fprintf(f, "%" PRIu64, k);
		else
			json_num(f, chance(50) ? k : edge_u64());
		fputs(", \"intervals\": {\"sample_us\": ", f);
		json_num(f, chance(50) ? 5000 : edge_u64());
		fputs(", \"aggr_us\": ", f);
		if (valid)
			fprintf(f, "%" PRIu64, chance(50) ? 100000 : edge_u64());
		else
			json_num(f, chance(50) ? 100000 : edge_u64());
		fputs(", \"ops_update_us\": 1000000}", f);
		if (chance(30)) {
			fputs(", \"comment\": ", f);
			json_str(f, hostile_str(s, sizeof(s)));
		}
		fputs(", \"snapshots\": [", f);
		uint64_t t = edge_time(), n = 1 + below(20);
		for (uint64_t i = 0; i < n; i++) {
			uint64_t len = chance(70) ? 100000000 : edge_u64();
			uint64_t end = t + len < t ? UINT64_MAX : t + len;
			fprintf(f, "%s{\"start_time\": ", i ? ", " : "");
			if (valid)
				fprintf(f, "%" PRIu64, t);
			else
				json_num(f, t);
			fputs(", \"end_time\": ", f);
			if (valid)
				fprintf(f, "%" PRIu64, end);
			else
				json_num(f, chance(90) ? end : edge_u64());
			fputs(", \"regions\": ", f);
			gen_json_regions(f, valid);
			fputc('}', f);
			t = end;
		}
		fputs("]}", f);
	}
	fputs("]\n", f);
	if (!valid && chance(30)) /* cut short, or trailing junk */
		fputs(chance(50) ? "[{\"snapshots\": [" : "}}}", f);
	return 0;
}

/* With `valid`, s without line breaks (a perf script line stays one line). */
static const char *no_newline(char *s, int valid)
{
	for (char *p = s; valid && *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return s;
}

/* damon_aggregated lines (damon), or callstack samples (stacks): what
 * perf script prints of each. */
static int gen_perf(FILE *f, int damon, int stacks)
{
	int valid = chance(50);
	uint64_t t = edge_time(), n = 1 + below(20);
	char a[100], b[100];

	for (uint64_t i = 0; i < n; i++) {
		static struct dtr_region r[64];
		uint64_t nr = gen_regions(r, 30), kept = 0;
		for (uint64_t k = 0; valid && k < nr; k++) /* DAMON's regions are never empty */
			if (r[k].end > r[k].start)
				r[kept++] = r[k];
		nr = valid ? kept : nr;
		for (uint64_t k = 0; damon && k < nr; k++) {
			if (!valid && chance(5)) {
				uint64_t x = r[k].start;
				r[k].start = r[k].end;
				r[k].end = x;
			}
			fprintf(f, " kdamond.0 143 [001] %" PRIu64 ".%06" PRIu64
				": damon:damon_aggregated: target_id=%" PRIu64 " nr_regions=%" PRIu64
				" %" PRIu64 "-%" PRIu64 ": %" PRIu32 " %" PRIu32 "\n",
				t / 1000000000, t / 1000 % 1000000, chance(90) ? 0 : edge_u64(),
				valid ? nr : edge_u64(), r[k].start, r[k].end, r[k].nr_accesses,
				r[k].age);
		}
		/* a callstack sample between the snapshots */
		if (!stacks)
			goto next;
		uint64_t st = chance(80) ? t : edge_time();
		fprintf(f, "%s %d/%d %" PRIu64 ".%09" PRIu64 ": %" PRIu64 " cpu-clock:\n",
			valid ? "app" : hostile_str(a, sizeof(a)), 100, 100 + (int)below(3),
			st / 1000000000,
			st % 1000000000, chance(80) ? 250000 : edge_u64());
		for (uint64_t d = below(chance(5) ? 5000 : 12); d; d--)
			fprintf(f, "\t%" PRIx64 " %s+0x%x (%s)\n", edge_u64(),
				chance(50) ? "main" : no_newline(hostile_str(a, sizeof(a)), valid),
				(unsigned)below(100),
				chance(50) ? "/tmp/app" : no_newline(hostile_str(b, sizeof(b)), valid));
		fputc('\n', f);
next:;
		uint64_t len = chance(80) ? 100000000 : edge_u64();
		t = t + len < t ? UINT64_MAX : t + len;
	}
	return 0;
}

/* --------------------------------------------------------------- mutate */

static int mutate(const char *in, const char *out)
{
	FILE *f = fopen(in, "rb");
	if (!f) {
		fprintf(stderr, "attack_gen: %s: %s\n", in, strerror(errno));
		return 1;
	}
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			unsigned char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf)
		return 1;
	for (uint64_t k = 1 + below(4); k && n; k--) {
		switch (below(4)) {
		case 0: /* cut */
			n = below(n + 1);
			break;
		case 1: /* flip bits */
			for (uint64_t j = 1 + below(8); j; j--)
				buf[below(n)] ^= (unsigned char)(1u << below(8));
			break;
		case 2: /* overwrite with an edge value */ {
			uint64_t v = edge_u64(), at = below(n);
			for (int b = 0; b < 8 && at + (uint64_t)b < n; b++)
				buf[at + (uint64_t)b] = (unsigned char)(v >> (8 * b));
			break;
		}
		default: /* repeat a piece */ {
			size_t at = below(n), len = below(n - at + 1);
			if (n + len <= cap) {
				memmove(buf + at + len, buf + at, n - at);
				n += len;
			}
		}
		}
	}
	f = fopen(out, "wb");
	if (!f || fwrite(buf, 1, n, f) != n || fclose(f)) {
		fprintf(stderr, "attack_gen: %s: %s\n", out, strerror(errno));
		free(buf);
		return 1;
	}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4 || (!strcmp(argv[1], "mutate") && argc < 5)) {
		fprintf(stderr, "usage: attack_gen dtr|json|perf|stacks SEED OUT\n"
				"       attack_gen mutate SEED IN OUT\n");
		return 2;
	}
	rng_state = strtoull(argv[2], NULL, 0) * 0x2545f4914f6cdd1dull + 1;
	if (!strcmp(argv[1], "dtr"))
		return gen_dtr(argv[3]);
	if (!strcmp(argv[1], "mutate"))
		return mutate(argv[3], argv[4]);
	FILE *f = fopen(argv[3], "w");
	if (!f) {
		fprintf(stderr, "attack_gen: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	int rc = !strcmp(argv[1], "json")   ? gen_json(f) :
		 !strcmp(argv[1], "perf")   ? gen_perf(f, 1, 0) :
		 !strcmp(argv[1], "stacks") ? gen_perf(f, 0, 1) : 2;
	if (fclose(f) || rc) {
		fprintf(stderr, "attack_gen: %s: %s\n", argv[3], rc == 2 ? "unknown kind" : strerror(errno));
		return rc ? rc : 1;
	}
	return 0;
}
