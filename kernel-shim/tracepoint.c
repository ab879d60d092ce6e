// SPDX-License-Identifier: GPL-2.0-only
/*
 * damon:damon_aggregated: the event format, decoding raw samples, the
 * assembly of region events into snapshots, perf record streams and raw
 * capture files.  Nothing here needs a kernel.
 */
#define _GNU_SOURCE
#include "damon_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>
#include <unistd.h>

#include "shim_internal.h"

/* ---------------------------------------------------------------- format */

/*
 * The tracefs `format` file of an event, as the kernel writes it:
 *
 *	name: damon_aggregated
 *	ID: 1447
 *	format:
 *		field:unsigned short common_type;	offset:0;	size:2;	signed:0;
 *		...
 *
 *		field:unsigned long target_id;	offset:8;	size:8;	signed:0;
 *		...
 *
 *	print fmt: "target_id=%lu ...", REC->target_id, ...
 *
 * libtraceevent parses it, and the fields' offsets and sizes are taken from
 * it.  But the text also comes from raw capture files, which anyone can
 * write, and libtraceevent (1.7) dies of SIGFPE evaluating a print format
 * that divides by zero and leaks on damaged field lines.  So it never sees
 * the text as given: every line is checked here first (the name, the ID,
 * "format:", field lines, blank lines; anything else is one error naming its
 * line), and libtraceevent parses a canonical text rebuilt from the checked
 * lines, laid out as the kernel writes it, with an empty print format (only
 * the kernel's own printing uses it; nothing here prints events).
 */

/* The fields read, in the order of struct dshim_event_format. */
static const struct {
	const char *name;
	int required; /* age is absent before Linux 5.17 */
} wanted[] = {
	{ "target_id", 1 }, { "nr_regions", 1 },  { "start", 1 },
	{ "end", 1 },	    { "nr_accesses", 1 }, { "age", 0 },
};
#define NR_WANTED (sizeof(wanted) / sizeof(wanted[0]))

struct fmt_cursor {
	const char *p, *end;
	unsigned line; /* of the line last taken, from 1 */
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next line without its newline and surrounding blanks; 0 at the end. */
static int next_line(struct fmt_cursor *c, const char **s, const char **e)
{
	if (c->p >= c->end)
		return 0;
	const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	*s = c->p;
	*e = nl ? nl : c->end;
	c->p = nl ? nl + 1 : c->end;
	c->line++;
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
	return 1;
}

/* `prefix` at s: returns what follows it, blanks skipped; NULL otherwise. */
static const char *after(const char *s, const char *e, const char *prefix)
{
	size_t n = strlen(prefix);
	if ((size_t)(e - s) < n || memcmp(s, prefix, n))
		return NULL;
	for (s += n; s < e && is_blank(*s); s++)
		;
	return s;
}

/* Decimal digits only, with blanks around, at most `max`. */
static int parse_number(const char *s, const char *e, long max, long *out)
{
	long v = 0;

	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	if (s == e)
		return -1;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

static int is_ident(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_word(const char *s, const char *e)
{
	if (s == e)
		return 0;
	for (const char *p = s; p < e; p++)
		if (!is_ident(*p))
			return 0;
	return 1;
}

/* A word libtraceevent's tokenizer reads as itself: it turns three macro
 * names of mac80211's events into strings, and leaks on a field named so. */
static int is_plain_word(const char *s, const char *e)
{
	static const char *const macros[] = { "LOCAL_PR_FMT", "STA_PR_FMT", "VIF_PR_FMT" };

	for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++)
		if ((size_t)(e - s) == strlen(macros[i]) && !memcmp(s, macros[i], (size_t)(e - s)))
			return 0;
	return is_word(s, e);
}

/* One token of a field's declaration ("unsigned long start", "char comm[16]",
 * "__data_loc char[] name", "const char * name"): a plain word, with
 * brackets right after it or not, or a '*'. */
struct decl_token {
	const char *s, *e; /* the word, or the '*' */
	int brackets;	   /* "[N]" or "[]" follows the word */
	long array_len;	   /* N, -1 for "[]" */
};

/* 1 with the next token of s..end, 0 at its end, -1 on anything else. */
static int decl_next(const char **p, const char *end, struct decl_token *t)
{
	const char *q = *p;

	while (q < end && is_blank(*q))
		q++;
	if (q == end)
		return 0;
	memset(t, 0, sizeof(*t));
	t->s = q;
	if (*q == '*') {
		t->e = *p = q + 1;
		return 1;
	}
	while (q < end && is_ident(*q))
		q++;
	if (!is_plain_word(t->s, q))
		return -1;
	t->e = q;
	if (q < end && *q == '[') {
		const char *close = memchr(q, ']', (size_t)(end - q));
		if (!close)
			return -1;
		t->brackets = 1;
		t->array_len = -1;
		if (close > q + 1 && parse_number(q + 1, close, 1L << 30, &t->array_len))
			return -1;
		q = close + 1;
	}
	*p = q;
	return 1;
}

/* The declaration s..e as libtraceevent reads one: a word first, the name (a
 * word) last, and brackets at most once, on the name or on the word before
 * it when a type precedes that word ("__data_loc char[] name").  0 with the
 * name in *name, -1 otherwise. */
static int check_decl(const char *s, const char *e, struct decl_token *name)
{
	struct decl_token t;
	int n = 0, bracket_at = -1, last_is_word = 0, r;

	while ((r = decl_next(&s, e, &t)) > 0) {
		last_is_word = *t.s != '*';
		if (!n && !last_is_word)
			return -1;
		if (t.brackets) {
			if (bracket_at >= 0)
				return -1;
			bracket_at = n;
		}
		*name = t;
		n++;
	}
	if (r < 0 || n < 2 || !last_is_word)
		return -1;
	if (bracket_at >= 0 && bracket_at != n - 1 && !(bracket_at >= 1 && bracket_at == n - 2))
		return -1;
	return 0;
}

/* A checked declaration, its tokens one space apart. */
static void write_decl(FILE *out, const char *s, const char *e)
{
	struct decl_token t;
	const char *sep = "";

	while (decl_next(&s, e, &t) > 0) {
		fputs(sep, out);
		fwrite(t.s, 1, (size_t)(t.e - t.s), out);
		if (t.brackets && t.array_len < 0)
			fputs("[]", out);
		else if (t.brackets)
			fprintf(out, "[%ld]", t.array_len);
		sep = " ";
	}
}

static int key_is(const char *s, const char *e, const char *key)
{
	return (size_t)(e - s) == strlen(key) && !memcmp(s, key, (size_t)(e - s));
}

/* A field line after "field:" (s..e): "DECLARATION; offset:N; size:N;" and
 * "signed:N;" when given; other "key:value;" pairs (none so far) are left
 * out.  Written, canonical, to out[0] for a common field, out[1] for one of
 * the event's own.  A second description of a field read here is damage:
 * libtraceevent would silently take the first. */
static int canonical_field(const char *s, const char *e, unsigned line, FILE *out[2],
			   unsigned *seen, char *err, size_t errlen)
{
	const char *semi = memchr(s, ';', (size_t)(e - s));
	long offset = -1, size = -1, is_signed = -1;
	struct decl_token name = { 0 };

	if (!semi || check_decl(s, semi, &name))
		goto bad;
	for (const char *p = semi + 1; p < e;) {
		while (p < e && is_blank(*p))
			p++;
		if (p == e)
			break;
		const char *end = memchr(p, ';', (size_t)(e - p));
		const char *colon = end ? memchr(p, ':', (size_t)(end - p)) : NULL;
		if (!colon || !is_word(p, colon))
			goto bad;
		long *v = key_is(p, colon, "offset") ? &offset
			  : key_is(p, colon, "size") ? &size
			  : key_is(p, colon, "signed") ? &is_signed
						       : NULL;
		if (v && (*v >= 0 || parse_number(colon + 1, end, 1L << 30, v)))
			goto bad;
		p = end + 1;
	}
	if (offset < 0 || size < 0)
		goto bad;
	for (size_t i = 0; i < NR_WANTED; i++) {
		if (!key_is(name.s, name.e, wanted[i].name))
			continue;
		if (*seen & (1u << i)) {
			shim_err(err, errlen, "damon_aggregated format: line %u: field '%s' given twice",
				 line, wanted[i].name);
			return -EINVAL;
		}
		*seen |= 1u << i;
	}
	int common = name.e - name.s > 7 && !memcmp(name.s, "common_", 7);
	FILE *f = out[common ? 0 : 1];
	fputs("\tfield:", f);
	write_decl(f, s, semi);
	fprintf(f, ";\toffset:%ld;\tsize:%ld;", offset, size);
	if (is_signed >= 0)
		fprintf(f, "\tsigned:%ld;", is_signed);
	fputc('\n', f);
	return 0;
bad:
	shim_err(err, errlen,
		 "damon_aggregated format: line %u: not a field description "
		 "(field:TYPE NAME; offset:N; size:N;)",
		 line);
	return -EINVAL;
}

/* Closes a memory stream; -ENOMEM when something written to it was lost. */
static int close_stream(FILE *f)
{
	int lost = ferror(f);
	return fclose(f) || lost ? -ENOMEM : 0;
}

/* The canonical text of the format `text` (malloc'd, NUL-terminated, in
 * *out), for libtraceevent; *has_id tells whether `text` gave an ID (the
 * canonical text always has one). */
static int canonical_format(const char *text, size_t len, char **out, int *has_id, char *err,
			    size_t errlen)
{
	struct fmt_cursor c = { text, text + len, 0 };
	char *fields_text[2] = { NULL, NULL };
	size_t fields_len[2];
	FILE *fields[2] = { open_memstream(&fields_text[0], &fields_len[0]),
			    open_memstream(&fields_text[1], &fields_len[1]) };
	const char *s, *e, *v, *name = NULL, *name_end = NULL;
	unsigned seen = 0;
	int in_fields = 0, ret = -EINVAL;
	long id = 0;

	*out = NULL;
	*has_id = 0;
	if (!fields[0] || !fields[1]) {
		ret = -ENOMEM;
		goto out;
	}
	while (next_line(&c, &s, &e)) {
		if (in_fields) {
			if (s == e)
				continue;
			if (after(s, e, "print fmt:"))
				break;
			if (!(v = after(s, e, "field:"))) {
				shim_err(err, errlen,
					 "damon_aggregated format: line %u: expected a field or print fmt",
					 c.line);
				goto out;
			}
			if (canonical_field(v, e, c.line, fields, &seen, err, errlen))
				goto out;
		} else if ((v = after(s, e, "name:"))) {
			if (name || !is_plain_word(v, e)) {
				shim_err(err, errlen, "damon_aggregated format: line %u: bad name line",
					 c.line);
				goto out;
			}
			name = v;
			name_end = e;
		} else if ((v = after(s, e, "ID:"))) {
			if (*has_id || parse_number(v, e, INT32_MAX, &id)) {
				shim_err(err, errlen, "damon_aggregated format: line %u: bad ID",
					 c.line);
				goto out;
			}
			*has_id = 1;
		} else if (after(s, e, "format:") && e - s == 7) {
			if (!name) {
				shim_err(err, errlen,
					 "format text is not the damon:damon_aggregated event "
					 "(no name line)");
				goto out;
			}
			in_fields = 1;
		} else if (s != e) {
			shim_err(err, errlen,
				 "damon_aggregated format: line %u: not a tracefs event format", c.line);
			goto out;
		}
	}
	if (!in_fields) {
		shim_err(err, errlen, "damon_aggregated format: no 'format:' line with the fields");
		goto out;
	}
	ret = close_stream(fields[0]);
	ret = close_stream(fields[1]) ? -ENOMEM : ret;
	fields[0] = fields[1] = NULL;
	size_t out_len;
	FILE *f = ret ? NULL : open_memstream(out, &out_len);
	if (!f)
		goto nomem;
	/* A blank line ends the common fields, another the event's own. */
	fputs("name: ", f);
	fwrite(name, 1, (size_t)(name_end - name), f);
	fprintf(f, "\nID: %ld\nformat:\n%s\n%s\nprint fmt: \"\"\n", id, fields_text[0],
		fields_text[1]);
	if (close_stream(f))
		goto nomem;
	ret = 0;
	goto out;
nomem:
	shim_err(err, errlen, "out of memory");
	ret = -ENOMEM;
	free(*out);
	*out = NULL;
out:
	for (int i = 0; i < 2; i++) {
		if (fields[i])
			fclose(fields[i]);
		free(fields_text[i]);
	}
	return ret;
}

static int take_field(struct tep_event *ev, const char *name, struct dshim_field *f,
		      int required, char *err, size_t errlen)
{
	struct tep_format_field *field = tep_find_field(ev, name);

	f->offset = 0;
	f->size = 0;
	if (!field) {
		if (required)
			shim_err(err, errlen, "damon_aggregated format: no field '%s'", name);
		return required ? -EINVAL : 0;
	}
	if (field->offset < 0 || field->offset > 65535 ||
	    (field->size != 1 && field->size != 2 && field->size != 4 && field->size != 8)) {
		shim_err(err, errlen, "damon_aggregated format: field '%s' has offset %d size %d",
			 name, field->offset, field->size);
		return -EINVAL;
	}
	f->offset = field->offset;
	f->size = field->size;
	return 0;
}

int dshim_event_format_parse(const char *text, size_t len, struct dshim_event_format *fmt,
			     char *err, size_t errlen)
{
	struct dshim_field *slot[NR_WANTED] = { &fmt->target_id, &fmt->nr_regions, &fmt->start,
						&fmt->end,	 &fmt->nr_accesses, &fmt->age };
	struct tep_handle *tep = NULL;
	char *canon;
	int has_id, ret;

	memset(fmt, 0, sizeof(*fmt));
	fmt->id = -1;
	if ((ret = canonical_format(text, len, &canon, &has_id, err, errlen)))
		return ret;
	if (!(tep = tep_alloc())) {
		shim_err(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	if (tep_parse_event(tep, canon, strlen(canon), "damon") != 0) {
		/* Not for a checked text: tests/fuzz/fuzz_event_format.c says so. */
		shim_err(err, errlen, "damon_aggregated format: libtraceevent cannot parse it");
		ret = -EINVAL;
		goto out;
	}
	struct tep_event *ev = tep_find_event_by_name(tep, "damon", "damon_aggregated");
	if (!ev) {
		shim_err(err, errlen, "format text is not the damon:damon_aggregated event");
		ret = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < NR_WANTED; i++)
		if ((ret = take_field(ev, wanted[i].name, slot[i], wanted[i].required, err, errlen)))
			goto out;
	fmt->id = has_id ? ev->id : -1;
	for (size_t i = 0; i < NR_WANTED; i++)
		if (slot[i]->size && slot[i]->offset + slot[i]->size > fmt->min_raw_size)
			fmt->min_raw_size = slot[i]->offset + slot[i]->size;
out:
	tep_free(tep);
	free(canon);
	if (ret) {
		memset(fmt, 0, sizeof(*fmt));
		fmt->id = -1;
	}
	return ret;
}

static uint64_t read_num(const unsigned char *p, int size)
{
	switch (size) {
	case 1:
		return p[0];
	case 2: {
		uint16_t v;
		memcpy(&v, p, 2);
		return v;
	}
	case 4: {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	default: {
		uint64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	}
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int dshim_event_decode(const struct dshim_event_format *fmt, const void *raw, size_t len,
		       struct dshim_region_event *ev, char *err, size_t errlen)
{
	const unsigned char *p = raw;

	if (fmt->min_raw_size <= 0 || len < (size_t)fmt->min_raw_size) {
		shim_err(err, errlen, "damon_aggregated sample: %zu bytes of raw data, need %d", len,
			 fmt->min_raw_size);
		return -EINVAL;
	}
	ev->target_id = read_num(p + fmt->target_id.offset, fmt->target_id.size);
	ev->nr_regions = clamp32(read_num(p + fmt->nr_regions.offset, fmt->nr_regions.size));
	ev->start = read_num(p + fmt->start.offset, fmt->start.size);
	ev->end = read_num(p + fmt->end.offset, fmt->end.size);
	ev->nr_accesses = clamp32(read_num(p + fmt->nr_accesses.offset, fmt->nr_accesses.size));
	ev->has_age = fmt->age.size != 0;
	ev->age = ev->has_age ? clamp32(read_num(p + fmt->age.offset, fmt->age.size)) : 0;
	return 0;
}

/* ---------------------------------------------------------------- assembler */

struct dshim_assembler {
	dshim_snapshot_fn fn;
	void *arg;
	uint64_t gap_ns;
	uint64_t *ids; /* kernel-pointer target ids, in order of appearance */
	size_t nr_ids, cap_ids;
	int pending;
	struct dshim_snapshot cur;
	struct dshim_region *regions;
	size_t nr, cap;
	uint64_t last_time, last_end;
	uint64_t lost_total;
};

int dshim_assembler_new(struct dshim_assembler **out, uint32_t nr_targets, uint64_t gap_ns,
			dshim_snapshot_fn fn, void *arg)
{
	(void)nr_targets;
	struct dshim_assembler *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->fn = fn;
	a->arg = arg;
	dshim_assembler_set_gap(a, gap_ns);
	*out = a;
	return 0;
}

void dshim_assembler_set_gap(struct dshim_assembler *a, uint64_t gap_ns)
{
	a->gap_ns = gap_ns ? gap_ns : 1000000;
}

/* Since 5.18 target_id is the target's index; before, a kernel pointer. */
static int target_index(struct dshim_assembler *a, uint64_t id, uint32_t *idx)
{
	if (id < (1ull << 32)) {
		*idx = (uint32_t)id;
		return 0;
	}
	for (size_t i = 0; i < a->nr_ids; i++)
		if (a->ids[i] == id) {
			*idx = (uint32_t)i;
			return 0;
		}
	if (a->nr_ids == a->cap_ids) {
		size_t cap = a->cap_ids ? a->cap_ids * 2 : 4;
		uint64_t *nb = realloc(a->ids, cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		a->ids = nb;
		a->cap_ids = cap;
	}
	a->ids[a->nr_ids] = id;
	*idx = (uint32_t)a->nr_ids++;
	return 0;
}

static int finalize(struct dshim_assembler *a, char *err, size_t errlen)
{
	if (!a->pending)
		return 0;
	a->pending = 0;
	if (a->nr != a->cur.expected)
		a->cur.incomplete = 1;
	a->cur.nr_regions = a->nr;
	a->cur.regions = a->regions;
	return a->fn(a->arg, &a->cur, err, errlen);
}

int dshim_assembler_add(struct dshim_assembler *a, const struct dshim_region_event *ev,
			char *err, size_t errlen)
{
	uint32_t idx;
	int ret;

	if (target_index(a, ev->target_id, &idx)) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Without losses, a new aggregation of the same target always steps
	 * back in address.  After a loss its head may be gone too: then a
	 * pause longer than gap_ns tells the aggregations apart (a pause alone
	 * never splits one, e.g. a stalled vCPU). */
	if (a->pending &&
	    (idx != a->cur.target || ev->nr_regions != a->cur.expected || ev->start < a->last_end ||
	     ev->time_ns < a->last_time ||
	     (a->cur.incomplete && ev->time_ns - a->last_time > a->gap_ns))) {
		ret = finalize(a, err, errlen);
		if (ret)
			return ret;
	}
	if (!a->pending) {
		memset(&a->cur, 0, sizeof(a->cur));
		a->cur.time_ns = ev->time_ns;
		a->cur.target = idx;
		a->cur.target_id = ev->target_id;
		a->cur.expected = ev->nr_regions;
		a->cur.has_age = ev->has_age;
		a->nr = 0;
		a->pending = 1;
	}
	if (a->nr == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		struct dshim_region *nb = realloc(a->regions, cap * sizeof(*nb));
		if (!nb) {
			shim_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		a->regions = nb;
		a->cap = cap;
	}
	a->regions[a->nr++] = (struct dshim_region){ ev->start, ev->end, ev->nr_accesses, ev->age };
	a->last_time = ev->time_ns;
	a->last_end = ev->end;
	if (a->nr >= a->cur.expected)
		return finalize(a, err, errlen);
	return 0;
}

void dshim_assembler_lost(struct dshim_assembler *a, uint64_t nr_lost)
{
	a->lost_total += nr_lost;
	/* A snapshot in progress has lost some of its regions (or its end):
	 * never let the next aggregation's events fill its count. */
	if (a->pending)
		a->cur.incomplete = 1;
	/* Between snapshots, the next one is short if it lost its head, and
	 * its count says so when it is finalized. */
}

int dshim_assembler_flush(struct dshim_assembler *a, char *err, size_t errlen)
{
	return finalize(a, err, errlen);
}

uint64_t dshim_assembler_lost_events(const struct dshim_assembler *a)
{
	return a->lost_total;
}

void dshim_assembler_free(struct dshim_assembler *a)
{
	if (!a)
		return;
	free(a->ids);
	free(a->regions);
	free(a);
}

/* ---------------------------------------------------------------- stream */

#define SUPPORTED_SAMPLE_BITS                                                              \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR |          \
	 PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |   \
	 PERF_SAMPLE_RAW | PERF_SAMPLE_IDENTIFIER)

struct dshim_stream {
	struct dshim_event_format fmt;
	uint64_t sample_type;
	struct dshim_assembler *asm_;
	struct dshim_stream_stats st;
};

int dshim_stream_new(struct dshim_stream **out, const struct dshim_event_format *fmt,
		     uint64_t sample_type, struct dshim_assembler *asm_)
{
	if (!sample_type)
		sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	if ((sample_type & ~(uint64_t)SUPPORTED_SAMPLE_BITS) || !(sample_type & PERF_SAMPLE_RAW) ||
	    !(sample_type & PERF_SAMPLE_TIME))
		return -EINVAL;
	struct dshim_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fmt = *fmt;
	s->sample_type = sample_type;
	s->asm_ = asm_;
	*out = s;
	return 0;
}

struct cursor {
	const unsigned char *p, *end;
};

static int take(struct cursor *c, void *out, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return -1;
	if (out)
		memcpy(out, c->p, n);
	c->p += n;
	return 0;
}

static int decode_sample(struct dshim_stream *s, struct cursor *c, struct dshim_region_event *ev,
			 char *err, size_t errlen)
{
	uint64_t t = s->sample_type, skip;
	uint32_t pair[2];

	memset(ev, 0, sizeof(*ev));
	ev->cpu = UINT32_MAX;
	if ((t & PERF_SAMPLE_IDENTIFIER) && take(c, &skip, 8))
		goto short_;
	if ((t & PERF_SAMPLE_IP) && take(c, &skip, 8))
		goto short_;
	if (t & PERF_SAMPLE_TID) {
		if (take(c, pair, 8))
			goto short_;
		ev->pid = pair[0];
		ev->tid = pair[1];
	}
	if ((t & PERF_SAMPLE_TIME) && take(c, &ev->time_ns, 8))
		goto short_;
	if ((t & PERF_SAMPLE_ADDR) && take(c, &skip, 8))
		goto short_;
	if ((t & PERF_SAMPLE_ID) && take(c, &skip, 8))
		goto short_;
	if ((t & PERF_SAMPLE_STREAM_ID) && take(c, &skip, 8))
		goto short_;
	if (t & PERF_SAMPLE_CPU) {
		if (take(c, pair, 8))
			goto short_;
		ev->cpu = pair[0];
	}
	if ((t & PERF_SAMPLE_PERIOD) && take(c, &skip, 8))
		goto short_;
	uint32_t raw_size;
	if (take(c, &raw_size, 4) || (size_t)(c->end - c->p) < raw_size)
		goto short_;
	return dshim_event_decode(&s->fmt, c->p, raw_size, ev, err, errlen);
short_:
	shim_err(err, errlen, "perf sample record too short for its sample type");
	return -EINVAL;
}

int dshim_stream_feed(struct dshim_stream *s, const void *record, size_t len, char *err,
		      size_t errlen)
{
	struct perf_event_header h;
	struct cursor c = { record, (const unsigned char *)record + len };
	struct dshim_region_event ev;
	uint64_t v[2];

	if (take(&c, &h, sizeof(h)) || h.size < sizeof(h) || h.size > len) {
		shim_err(err, errlen, "perf record: bad header (size %zu)", len);
		return -EINVAL;
	}
	c.end = (const unsigned char *)record + h.size;
	s->st.records++;
	switch (h.type) {
	case PERF_RECORD_SAMPLE:
		if (decode_sample(s, &c, &ev, err, errlen)) {
			/* A sample we cannot read is a lost one, never a guess. */
			s->st.bad_samples++;
			dshim_assembler_lost(s->asm_, 1);
			return 0;
		}
		s->st.samples++;
		return dshim_assembler_add(s->asm_, &ev, err, errlen);
	case PERF_RECORD_LOST:
		if (take(&c, v, 16))
			v[1] = 1;
		s->st.lost_records++;
		s->st.lost_events += v[1];
		dshim_assembler_lost(s->asm_, v[1]);
		return 0;
	case PERF_RECORD_LOST_SAMPLES:
		if (take(&c, v, 8))
			v[0] = 1;
		s->st.lost_records++;
		s->st.lost_events += v[0];
		dshim_assembler_lost(s->asm_, v[0]);
		return 0;
	default:
		return 0;
	}
}

void dshim_stream_get_stats(const struct dshim_stream *s, struct dshim_stream_stats *st)
{
	*st = s->st;
}

void dshim_stream_free(struct dshim_stream *s)
{
	free(s);
}

/* ---------------------------------------------------------------- capture */

#define CAPTURE_MAGIC "DAMOTRACE-RAW 1\n"

struct dshim_capture {
	FILE *f;
	char path[DSHIM_PATH_LEN];
};

int dshim_capture_create(struct dshim_capture **out, const char *path, uint64_t sample_type,
			 const char *format_text, char *err, size_t errlen)
{
	struct dshim_capture *c = calloc(1, sizeof(*c));
	if (!c) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	/* A debugging file may hold addresses: readable by its owner only. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	c->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!c->f) {
		if (fd >= 0)
			close(fd);
		int e = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		free(c);
		return e;
	}
	if (!sample_type)
		sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	size_t flen = format_text ? strlen(format_text) : 0;
	fprintf(c->f, CAPTURE_MAGIC "sample_type %" PRIu64 "\nformat %zu\n", sample_type, flen);
	if (flen)
		fwrite(format_text, 1, flen, c->f);
	fputs("\nrecords\n", c->f);
	if (ferror(c->f)) {
		int e = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		fclose(c->f);
		free(c);
		return e ? e : -EIO;
	}
	*out = c;
	return 0;
}

int dshim_capture_put(struct dshim_capture *c, const void *record, size_t len, char *err,
		      size_t errlen)
{
	if (fwrite(record, 1, len, c->f) != len) {
		int e = errno ? -errno : -EIO;
		shim_err(err, errlen, "%s: %s", c->path, strerror(-e));
		return e;
	}
	return 0;
}

int dshim_capture_fd(const struct dshim_capture *c)
{
	return fileno(c->f);
}

int dshim_capture_close(struct dshim_capture *c, char *err, size_t errlen)
{
	if (!c)
		return 0;
	int e = 0;
	if (fclose(c->f)) {
		e = -errno;
		shim_err(err, errlen, "%s: %s", c->path, strerror(errno));
	}
	free(c);
	return e;
}

struct dshim_capture_reader {
	FILE *f;
	char path[DSHIM_PATH_LEN];
	uint64_t sample_type;
	char *format;
	unsigned char *buf;
	size_t cap;
	uint64_t offset;
};

int dshim_capture_open(struct dshim_capture_reader **out, const char *path, char *err,
		       size_t errlen)
{
	struct dshim_capture_reader *r = calloc(1, sizeof(*r));
	char line[128];
	size_t flen;
	unsigned long long st;

	if (!r) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->f = fopen(path, "re");
	if (!r->f) {
		int e = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		free(r);
		return e;
	}
	if (!fgets(line, sizeof(line), r->f)) {
		/* A directory opens, and fails only when read. */
		if (ferror(r->f))
			shim_err(err, errlen, "%s: %s", path, strerror(errno));
		else
			shim_err(err, errlen, "%s: empty, not a damotrace raw capture", path);
		goto bad;
	}
	if (strcmp(line, CAPTURE_MAGIC)) {
		shim_err(err, errlen, "%s: offset 0: not a damotrace raw capture", path);
		goto bad;
	}
	if (!fgets(line, sizeof(line), r->f) || sscanf(line, "sample_type %llu", &st) != 1 ||
	    !fgets(line, sizeof(line), r->f) || sscanf(line, "format %zu", &flen) != 1 ||
	    flen > (1u << 20)) {
		shim_err(err, errlen, "%s: offset %ld: bad capture header", path, ftell(r->f));
		goto bad;
	}
	r->sample_type = st;
	r->format = malloc(flen + 1);
	if (!r->format || fread(r->format, 1, flen, r->f) != flen) {
		shim_err(err, errlen, "%s: offset %ld: truncated format text", path, ftell(r->f));
		goto bad;
	}
	r->format[flen] = '\0';
	if (!fgets(line, sizeof(line), r->f) || strcmp(line, "\n") ||
	    !fgets(line, sizeof(line), r->f) || strcmp(line, "records\n")) {
		shim_err(err, errlen, "%s: offset %ld: bad capture header", path, ftell(r->f));
		goto bad;
	}
	r->offset = (uint64_t)ftell(r->f);
	*out = r;
	return 0;
bad:
	dshim_capture_close_reader(r);
	return -EINVAL;
}

uint64_t dshim_capture_sample_type(const struct dshim_capture_reader *r)
{
	return r->sample_type;
}

const char *dshim_capture_format_text(const struct dshim_capture_reader *r)
{
	return r->format;
}

int dshim_capture_next(struct dshim_capture_reader *r, const void **record, size_t *len,
		       char *err, size_t errlen)
{
	struct perf_event_header h;
	size_t got = fread(&h, 1, sizeof(h), r->f);

	if (got == 0 && feof(r->f))
		return 0;
	if (ferror(r->f)) {
		shim_err(err, errlen, "%s: offset %" PRIu64 ": %s", r->path, r->offset,
			 strerror(errno));
		return -EIO;
	}
	if (got != sizeof(h) || h.size < sizeof(h)) {
		shim_err(err, errlen, "%s: offset %" PRIu64 ": truncated or bad record header",
			 r->path, r->offset);
		return -EINVAL;
	}
	if (h.size > r->cap) {
		unsigned char *nb = realloc(r->buf, 65536);
		if (!nb) {
			shim_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		r->buf = nb;
		r->cap = 65536;
	}
	memcpy(r->buf, &h, sizeof(h));
	if (fread(r->buf + sizeof(h), 1, h.size - sizeof(h), r->f) != h.size - sizeof(h)) {
		if (ferror(r->f)) {
			shim_err(err, errlen, "%s: offset %" PRIu64 ": %s", r->path, r->offset,
				 strerror(errno));
			return -EIO;
		}
		shim_err(err, errlen, "%s: offset %" PRIu64 ": truncated record of %u bytes",
			 r->path, r->offset, h.size);
		return -EINVAL;
	}
	r->offset += h.size;
	*record = r->buf;
	*len = h.size;
	return 1;
}

void dshim_capture_close_reader(struct dshim_capture_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->format);
	free(r->buf);
	free(r);
}
