// SPDX-License-Identifier: GPL-2.0-only
/*
 * The damon:damon_aggregated event format: its tracefs text checked line by
 * line and parsed by libtraceevent into field offsets and sizes, and the
 * decoding of one sample's raw data with them.  Nothing here needs a kernel.
 */
#define _GNU_SOURCE
#include "damon_shim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>

#include "shim_internal.h"

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
