// SPDX-License-Identifier: GPL-2.0-only
/*
 * Text of the damon:damon_aggregated tracepoint, one region per line:
 *
 *   perf script:  kdamond.0  4452 [000] 82820.952659: damon:damon_aggregated: \
 *                     target_id=18446623435582458880 nr_regions=8 94253027950592-94253031862272: 0
 *   tracefs:      kdamond.0-1234 [001] ..... 123.456789: damon_aggregated: \
 *                     target_id=0 nr_regions=10 4194304-105574400: 0 1
 *
 * The last field (age) is missing on kernels before 5.16.  A snapshot of a
 * target is complete when nr_regions lines of it were read; its end time is
 * that of its first line.  Only end times exist, so (as damo does) a
 * snapshot starts at the previous end of its target and the first one is
 * taken to last the target's mean snapshot length: a first pass over the
 * input finds the counts and last end times before anything is returned.
 * Where damo would silently mis-group (lost events), a snapshot also ends
 * when nr_regions changes or the addresses go back, and is flagged
 * incomplete.
 */
#include "input_internal.h"
#include "grow.h"
#include "errmsg.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_BUF 65536
#define MAX_TOKENS 32

struct region_line {
	uint64_t time_ns;
	uint64_t target_id;
	uint64_t nr_regions;
	uint64_t start, end;
	int64_t nr_accesses, age;
	int has_age;
};

struct text_target {
	uint64_t id;
	/* first pass */
	uint64_t nr_snapshots, first_end, last_end;
	int last_is_fake;
	/* snapshot being assembled */
	int open;
	uint64_t end, expect;
	int all_age, fake;
	size_t nr, cap;
	struct dtr_region *regions;
	/* second pass */
	uint64_t seen, prev_end;
};

struct damon_text {
	struct dt_src *src;
	int tracefs;
	int counting; /* first pass */
	unsigned char buf[LINE_BUF];
	size_t pos, len;
	int eof;
	uint64_t line_no;
	uint64_t nr_events;

	struct text_target *targets;
	size_t nr_targets, cap_targets;
	struct dtr_target *ctx_targets;

	int stage;   /* 0: META, 1: CONTEXT, 2: snapshots, 3: flushing at end */
	size_t flush_idx;
	int have_pending;
	struct region_line pending;
	uint64_t pending_line;

	/* a completed snapshot handed out */
	struct dtr_region *out;
	size_t cap_out;
	struct dtr_kv meta;
};

static int text_error(struct damon_text *t, uint64_t line, char *err, size_t errlen,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int text_error(struct damon_text *t, uint64_t line, char *err, size_t errlen,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dt_vfail_at(err, errlen, -EINVAL, fmt, ap, "%s: line %llu", t->src->name,
		    (unsigned long long)line);
	va_end(ap);
	return -EINVAL;
}

/* "line N: WHAT 'TOKEN'", the token quoted as dt_quote() does. */
static int bad_token(struct damon_text *t, char *err, size_t errlen, const char *what,
		     const char *token)
{
	char q[DT_QUOTE_BUFLEN];

	return text_error(t, t->line_no, err, errlen, "%s '%s'", what,
			  dt_quote_str(q, sizeof(q), token));
}

/* ------------------------------------------------------------ lines */

/* 1: *line (NUL-terminated, newline removed); 0: end; <0: error. */
static int next_line(struct damon_text *t, char **line, char *err, size_t errlen)
{
	for (;;) {
		unsigned char *nl = t->pos < t->len ? memchr(t->buf + t->pos, '\n', t->len - t->pos)
						    : NULL;
		if (nl || (t->eof && t->pos < t->len)) {
			size_t end = nl ? (size_t)(nl - t->buf) : t->len;
			if (!nl && end == sizeof(t->buf))
				break;
			t->buf[end] = '\0';
			*line = (char *)t->buf + t->pos;
			t->pos = nl ? end + 1 : end;
			t->line_no++;
			if (end > 0 && t->buf[end - 1] == '\r')
				t->buf[end - 1] = '\0';
			return 1;
		}
		if (t->eof)
			return 0;
		if (t->pos) {
			memmove(t->buf, t->buf + t->pos, t->len - t->pos);
			t->len -= t->pos;
			t->pos = 0;
		}
		if (t->len >= sizeof(t->buf) - 1)
			break;
		ssize_t n = dt_src_read(t->src, t->buf + t->len, sizeof(t->buf) - 1 - t->len, err,
					errlen);
		if (n < 0)
			return (int)n;
		if (n == 0)
			t->eof = 1;
		t->len += (size_t)n;
	}
	return text_error(t, t->line_no + 1, err, errlen, "line longer than %d bytes",
			  LINE_BUF - 1);
}

/* Digits only, up to the end of the string; overflow is an error. */
static int parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	if (*s)
		return -1;
	*v = x;
	return 0;
}

static int parse_i64(const char *s, int64_t *v)
{
	uint64_t u;

	if (*s == '-') {
		if (parse_u64(s + 1, &u) || u > (uint64_t)INT64_MAX)
			return -1;
		*v = -(int64_t)u;
		return 0;
	}
	if (parse_u64(s, &u) || u > (uint64_t)INT64_MAX)
		return -1;
	*v = (int64_t)u;
	return 0;
}

/* "82820.952659:" to ns.  Microsecond stamps are converted as damo does,
 * int(float(text) * 1e9), so that records damo converted agree with ours;
 * finer stamps (perf script --ns) are converted exactly. */
static int parse_time(const char *tok, uint64_t *ns)
{
	char buf[64];
	size_t n = strlen(tok);

	if (n < 2 || n >= sizeof(buf) || tok[n - 1] != ':')
		return -1;
	memcpy(buf, tok, n - 1);
	buf[n - 1] = '\0';
	char *dot = strchr(buf, '.');
	uint64_t sec, frac = 0;
	size_t digits = 0;
	if (dot) {
		*dot = '\0';
		digits = strlen(dot + 1);
		if (!digits || digits > 9 || parse_u64(dot + 1, &frac))
			return -1;
	}
	if (parse_u64(buf, &sec) || sec > 18000000000ull)
		return -1;
	if (digits && digits <= 6) {
		*dot = '.';
		double x = strtod(buf, NULL) * 1e9;
		*ns = (uint64_t)x;
		return 0;
	}
	for (size_t i = digits; i < 9; i++)
		frac *= 10;
	*ns = sec * 1000000000ull + frac;
	return 0;
}

static int is_time_token(const char *tok)
{
	uint64_t ns;
	return parse_time(tok, &ns) == 0;
}

/* isspace() of the C locale, without its table lookup. */
static inline int is_blank(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* 0: nothing (blank, comment, other event); 1: *rl filled; <0: garbage. */
static int parse_line(struct damon_text *t, char *line, struct region_line *rl, char *err,
		      size_t errlen)
{
	char *tok[MAX_TOKENS];
	int n = 0, k = -1;
	char *p = line;

	while (*p && n < MAX_TOKENS) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		tok[n++] = p;
		while (*p && !is_blank(*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (!n || tok[0][0] == '#')
		return 0;
	for (int i = 1; i < n; i++)
		if (tok[i][0] == 'd' && (!strcmp(tok[i], "damon:damon_aggregated:") ||
					 !strcmp(tok[i], "damon_aggregated:"))) {
			k = i;
			break;
		}
	if (k < 0) {
		/* Another event ("... TIME: EVENT: ..."), or lost-events notes. */
		for (int i = 0; i + 1 < n; i++) {
			if (!is_time_token(tok[i]))
				continue;
			for (int e = i + 1; e < n; e++)
				if (tok[e][strlen(tok[e]) - 1] == ':')
					return 0;
		}
		if (n >= 2 && !strncmp(tok[0], "CPU:", 4) && !strcmp(tok[1], "[LOST"))
			return 0;
		return bad_token(t, err, errlen, "not a trace event line:", tok[0]);
	}
	if (parse_time(tok[k - 1], &rl->time_ns))
		return bad_token(t, err, errlen, "bad timestamp", tok[k - 1]);
	if (n < k + 5 || n > k + 6)
		return text_error(t, t->line_no, err, errlen,
				  "damon_aggregated: expected target_id=, nr_regions=, START-END:, "
				  "nr_accesses and an optional age");
	if (strncmp(tok[k + 1], "target_id=", 10) || parse_u64(tok[k + 1] + 10, &rl->target_id))
		return bad_token(t, err, errlen, "bad target_id", tok[k + 1]);
	if (strncmp(tok[k + 2], "nr_regions=", 11) ||
	    parse_u64(tok[k + 2] + 11, &rl->nr_regions) || !rl->nr_regions ||
	    rl->nr_regions > (1u << 26))
		return bad_token(t, err, errlen, "bad nr_regions", tok[k + 2]);
	char *range = tok[k + 3];
	size_t rlen = strlen(range);
	char *dash = strchr(range, '-');
	if (rlen < 4 || range[rlen - 1] != ':' || !dash)
		return bad_token(t, err, errlen, "bad address range", range);
	range[rlen - 1] = '\0';
	*dash = '\0';
	if (parse_u64(range, &rl->start) || parse_u64(dash + 1, &rl->end))
		return text_error(t, t->line_no, err, errlen, "bad address range");
	if (parse_i64(tok[k + 4], &rl->nr_accesses) || rl->nr_accesses < -1 ||
	    rl->nr_accesses > UINT32_MAX)
		return bad_token(t, err, errlen, "bad nr_accesses", tok[k + 4]);
	rl->has_age = n == k + 6 && strcmp(tok[k + 5], "None");
	rl->age = 0;
	if (rl->has_age && (parse_i64(tok[k + 5], &rl->age) || rl->age < -1 ||
			    rl->age > UINT32_MAX))
		return bad_token(t, err, errlen, "bad age", tok[k + 5]);
	int fake = !rl->start && !rl->end && rl->nr_accesses == -1;
	if (!fake && (rl->end <= rl->start || rl->nr_accesses < 0 || rl->age < 0))
		return text_error(t, t->line_no, err, errlen, "bad region %llu-%llu",
				  (unsigned long long)rl->start, (unsigned long long)rl->end);
	return 1;
}

/* ------------------------------------------------------------ snapshots */

static struct text_target *target_of(struct damon_text *t, uint64_t id, int create)
{
	for (size_t i = 0; i < t->nr_targets; i++)
		if (t->targets[i].id == id)
			return &t->targets[i];
	if (!create)
		return NULL;
	if (DT_GROW(t->targets, t->cap_targets, t->nr_targets + 1))
		return NULL;
	struct text_target *n = &t->targets[t->nr_targets++];
	memset(n, 0, sizeof(*n));
	n->id = id;
	return n;
}

/* Hand out target tt's assembled snapshot as an item. */
static int finish(struct damon_text *t, struct text_target *tt, int incomplete,
		  struct dtr_item *item)
{
	tt->open = 0;
	if (t->counting) {
		if (!tt->nr_snapshots)
			tt->first_end = tt->end;
		tt->last_end = tt->end;
		tt->nr_snapshots++;
		tt->last_is_fake = tt->fake;
		return 0;
	}
	tt->seen++;
	if (tt->fake && tt->seen == tt->nr_snapshots && tt->nr_snapshots > 1)
		return 0; /* damo's marker for single-snapshot records */
	if (DT_GROW(t->out, t->cap_out, tt->nr))
		return -ENOMEM;
	memcpy(t->out, tt->regions, tt->nr * sizeof(*t->out));
	memset(item, 0, sizeof(*item));
	item->type = DTR_ITEM_SNAPSHOT;
	struct dtr_snapshot *s = &item->u.snapshot;
	if (tt->seen == 1) {
		s->start_ns = dt_damo_first_start(tt->first_end, tt->last_end, tt->nr_snapshots);
		s->flags |= DTR_SNAPSHOT_START_ESTIMATED;
	} else {
		s->start_ns = tt->prev_end;
	}
	s->end_ns = tt->end;
	tt->prev_end = tt->end;
	if (incomplete)
		s->flags |= DTR_SNAPSHOT_INCOMPLETE;
	s->target = (uint32_t)(tt - t->targets);
	s->access_unit = DTR_UNIT_SAMPLES;
	s->age_unit = tt->all_age ? DTR_UNIT_AGGREGATIONS : DTR_UNIT_ABSENT;
	s->nr_regions = tt->nr;
	s->regions = t->out;
	return 1;
}

/* Feed one region line.  1: an item was produced and the line is kept
 * pending (it starts the next snapshot); 2: an item was produced and the
 * line was used; 0: line used, no item; <0: error. */
static int feed(struct damon_text *t, const struct region_line *rl, struct dtr_item *item,
		char *err, size_t errlen)
{
	struct text_target *tt = target_of(t, rl->target_id, t->counting);
	int ret;

	if (!tt)
		return t->counting ? -ENOMEM
				   : text_error(t, t->line_no, err, errlen,
						"the input changed while read");
	int fake = !rl->start && !rl->end;
	if (tt->open && (rl->nr_regions != tt->expect ||
			 (tt->nr && rl->start < tt->regions[tt->nr - 1].end) || fake || tt->fake)) {
		/* Lines are missing: close what was gathered. */
		ret = finish(t, tt, 1, item);
		if (ret)
			return ret < 0 ? ret : 1;
	}
	if (!tt->open) {
		if ((tt->nr_snapshots && t->counting && rl->time_ns < tt->last_end) ||
		    (!t->counting && tt->seen && rl->time_ns < tt->prev_end))
			return text_error(t, t->line_no, err, errlen,
					  "trace is not time-sorted (target_id=%llu)",
					  (unsigned long long)rl->target_id);
		tt->open = 1;
		tt->end = rl->time_ns;
		tt->expect = rl->nr_regions;
		tt->all_age = 1;
		tt->fake = fake;
		tt->nr = 0;
	}
	if (DT_GROW(tt->regions, tt->cap, tt->nr + 1))
		return -ENOMEM;
	struct dtr_region *r = &tt->regions[tt->nr++];
	r->start = rl->start;
	r->end = rl->end;
	r->nr_accesses = rl->nr_accesses < 0 ? 0 : (uint32_t)rl->nr_accesses;
	r->age = rl->age < 0 ? 0 : (uint32_t)rl->age;
	tt->all_age &= rl->has_age;
	if (tt->nr == tt->expect) {
		ret = finish(t, tt, 0, item);
		return ret < 0 ? ret : ret ? 2 : 0;
	}
	return 0;
}

/* Next snapshot (1), end (0) or error. */
static int pump(struct damon_text *t, struct dtr_item *item, char *err, size_t errlen)
{
	char *line = NULL;
	int ret;

	if (t->stage == 3)
		goto flush;
	for (;;) {
		struct region_line rl;
		if (t->have_pending) {
			rl = t->pending;
			t->have_pending = 0;
		} else {
			ret = next_line(t, &line, err, errlen);
			if (ret < 0)
				return ret;
			if (ret == 0)
				break;
			ret = parse_line(t, line, &rl, err, errlen);
			if (ret < 0)
				return ret;
			if (ret == 0)
				continue;
			t->nr_events++;
		}
		ret = feed(t, &rl, item, err, errlen);
		if (ret < 0)
			return ret;
		if (ret == 1) {
			t->pending = rl;
			t->have_pending = 1;
		}
		if (ret)
			return 1;
	}
	t->stage = 3;
	t->flush_idx = 0;
flush:
	/* Snapshots the input ended in the middle of. */
	while (t->flush_idx < t->nr_targets) {
		struct text_target *tt = &t->targets[t->flush_idx++];
		if (tt->open) {
			ret = finish(t, tt, 1, item);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int damon_text_next(void *state, struct dtr_item *item, char *err, size_t errlen)
{
	struct damon_text *t = state;

	if (t->stage == 0) {
		memset(item, 0, sizeof(*item));
		t->stage = 1;
		item->type = DTR_ITEM_META;
		t->meta.key = DTR_META_SOURCE;
		t->meta.value = t->tracefs ? "tracefs-text" : "perf-script";
		item->u.meta.nr = 1;
		item->u.meta.kvs = &t->meta;
		return 1;
	}
	if (t->stage == 1) {
		memset(item, 0, sizeof(*item));
		t->stage = 2;
		item->type = DTR_ITEM_CONTEXT;
		item->u.context.ops = DTR_OPS_UNKNOWN;
		item->u.context.nr_targets = t->nr_targets;
		item->u.context.targets = t->ctx_targets;
		return 1;
	}
	return pump(t, item, err, errlen);
}

static void damon_text_close(void *state)
{
	struct damon_text *t = state;

	if (!t)
		return;
	for (size_t i = 0; i < t->nr_targets; i++)
		free(t->targets[i].regions);
	free(t->targets);
	free(t->ctx_targets);
	free(t->out);
	free(t);
}

int dt_probe_damon_text(const unsigned char *b, size_t len)
{
	int tracefs_header = 0;

	if (memchr(b, '\0', len))
		return 0;
	const unsigned char *p = b, *end = b + len;
	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[512];
		size_t c = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
		memcpy(line, p, c);
		line[c] = '\0';
		if (!strncmp(line, "# tracer:", 9))
			tracefs_header = 1;
		if (strstr(line, " damon:damon_aggregated: "))
			return 1;
		if (strstr(line, " damon_aggregated: "))
			return 2;
		p += n + 1;
	}
	(void)tracefs_header;
	return 0;
}

int dt_in_damon_text_open(struct dt_importer *imp, struct dt_src *src, int tracefs, char *err,
			  size_t errlen)
{
	struct damon_text *t = calloc(1, sizeof(*t));
	struct dtr_item item;
	int ret;

	if (!t)
		return -ENOMEM;
	t->src = src;
	t->tracefs = tracefs;
	t->counting = 1;
	if ((ret = dt_src_rewind(src, err, errlen)))
		goto fail;
	t->stage = 2;
	do {
		ret = pump(t, &item, err, errlen);
	} while (ret > 0);
	if (ret < 0)
		goto fail;
	if (!t->nr_events) {
		if (errlen)
			snprintf(err, errlen,
				 "%s: no damon_aggregated events in the input (%llu lines read)",
				 src->name, (unsigned long long)t->line_no);
		ret = -EINVAL;
		goto fail;
	}
	t->ctx_targets = calloc(t->nr_targets, sizeof(*t->ctx_targets));
	if (!t->ctx_targets) {
		ret = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < t->nr_targets; i++) {
		struct text_target *tt = &t->targets[i];
		t->ctx_targets[i].index = (uint32_t)i;
		t->ctx_targets[i].id = tt->id;
		t->ctx_targets[i].pid = -1;
		t->ctx_targets[i].cmdline = "";
		tt->open = 0;
		tt->nr = 0;
	}
	/* Second pass: the one that returns items. */
	if ((ret = dt_src_rewind(src, err, errlen)))
		goto fail;
	t->counting = 0;
	t->stage = 0;
	t->pos = t->len = 0;
	t->eof = 0;
	t->line_no = 0;
	t->have_pending = 0;
	imp->next = damon_text_next;
	imp->close = damon_text_close;
	imp->state = t;
	return 0;
fail:
	damon_text_close(t);
	return ret;
}
