// SPDX-License-Identifier: GPL-2.0-only
/*
 * Streaming `perf script` reader (see perf_script.h for the accepted text).
 *
 * Hot path: lines are found with memchr in a refillable buffer, fields are
 * split by hand (no sscanf, no per-line allocation), and frames are interned
 * in an open-addressing hash table whose strings live in an append-only
 * arena, so pointers handed out stay valid until close.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perf_script.h"
#include "errmsg.h"
#include "grow.h"
#include "hashmap.h"

#define DEFAULT_BUFFER (1u << 20)
#define DEFAULT_MAX_LINE (16u << 20)
#define DEFAULT_MAX_FRAMES 4096u
#define MAX_TOKENS 48
#define ARENA_BLOCK (256u << 10)

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	char data[];
};

struct frame_entry {
	const char *symbol, *dso, *srcline;
	uint32_t symbol_len, dso_len, srcline_len;
	uint64_t hash;
};

struct thread_entry {
	int32_t pid, tid;
	const char *comm;
	size_t comm_len;
};

/* Frame lines repeat verbatim (return addresses of callers, hot
 * instructions): a direct-mapped cache from the line's text to its frame
 * skips parsing and interning for them. */
#define LINE_CACHE_SLOTS 4096
#define LINE_CACHE_TEXT 120 /* the pending frame's copy has the same size */
/* A frame parsed from a line but not interned yet: a srcline may follow. */
struct pending_frame {
	int active;
	char *text; /* symbol, dso and srcline back to back */
	size_t cap;
	size_t symbol_len, dso_len, srcline_len;
	uint32_t cached_id; /* id when taken from the line cache, else UINT32_MAX */
	/* The frame line, to cache once interned (when it had no srcline). */
	int cacheable;
	uint64_t line_hash;
	uint32_t line_len;
	char line[LINE_CACHE_TEXT];
};

struct line_cache_entry {
	uint64_t hash;
	uint32_t len, id;
	char text[LINE_CACHE_TEXT];
};

struct dt_perf_script {
	char name[256];
	int fd, own_fd, eof;
	const char *mem; /* memory mode: the text, not copied */
	char *buf;
	size_t cap, pos, end;
	size_t max_line;
	uint32_t max_frames;
	int unknown_addrs;
	uint64_t lineno;      /* number of the line at pos (1-based) */
	uint64_t bytes;

	struct arena_block *arena;

	struct frame_entry *frames;
	uint32_t nr_frames;
	size_t frames_cap;
	uint32_t *frame_slots; /* hash -> id + 1; 0 is empty */
	uint32_t frame_slots_mask;

	struct thread_entry *threads;
	uint32_t nr_threads;
	size_t threads_cap;
	struct dt_hashmap thread_index; /* pid << 32 | tid -> id */

	uint32_t *sample_frames;
	size_t sample_frames_cap;
	char *comm, *event; /* copies for the current sample */
	size_t comm_cap, event_cap;
	struct pending_frame pending;

	enum dtr_clock clock;
	struct dt_perf_script_stats stats;

	struct line_cache_entry *line_cache;
	/* Binary data: the stream offset of the first NUL byte read, found
	 * once per refill rather than once per line. */
	uint64_t buf_base;  /* stream offset of buf[0] */
	uint64_t nul_at;    /* UINT64_MAX: none seen */
};

/* ------------------------------------------------------------ hashing */

static uint64_t hash_bytes(uint64_t seed, const char *p, size_t len)
{
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ull);
	while (len >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		h = (h ^ v) * 0x100000001b3ull;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	uint64_t v = 0;
	memcpy(&v, p, len);
	h = (h ^ v) * 0x100000001b3ull;
	return dt_hash_mix64(h);
}

/* ------------------------------------------------------------ arena */

static const char *arena_dup(struct dt_perf_script *ps, const char *s, size_t len)
{
	struct arena_block *b = ps->arena;
	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > ARENA_BLOCK ? len + 1 : ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = ps->arena;
		b->used = 0;
		b->cap = cap;
		ps->arena = b;
	}
	char *d = b->data + b->used;
	memcpy(d, s, len);
	d[len] = '\0';
	b->used += len + 1;
	return d;
}

/* ------------------------------------------------------------ input */

static int refill(struct dt_perf_script *ps, char *err, size_t errlen)
{
	if (ps->eof)
		return 0;
	if (ps->pos > 0) {
		memmove(ps->buf, ps->buf + ps->pos, ps->end - ps->pos);
		ps->end -= ps->pos;
		ps->buf_base += ps->pos;
		ps->pos = 0;
	}
	/* The buffer may be larger than a line may be: fill max_line at most. */
	size_t room = ps->cap < ps->max_line ? ps->cap : ps->max_line;
	if (ps->end == room) {
		if (room >= ps->max_line)
			return dt_fail(err, errlen, -E2BIG,
				    "%s: line %llu: longer than %zu bytes", ps->name,
				    (unsigned long long)ps->lineno, ps->max_line);
		if (DT_GROW(ps->buf, ps->cap, ps->cap + 1))
			return dt_fail(err, errlen, -ENOMEM, "%s: out of memory", ps->name);
		room = ps->cap < ps->max_line ? ps->cap : ps->max_line;
	}
	for (;;) {
		ssize_t n = read(ps->fd, ps->buf + ps->end, room - ps->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dt_fail(err, errlen, -errno, "%s: read: %s", ps->name,
				    strerror(errno));
		if (n == 0)
			ps->eof = 1;
		if (n > 0 && ps->nul_at == UINT64_MAX) {
			const char *z = memchr(ps->buf + ps->end, '\0', (size_t)n);
			if (z)
				ps->nul_at = ps->buf_base + (uint64_t)(z - ps->buf);
		}
		ps->end += (size_t)n;
		ps->bytes += (uint64_t)n;
		return n > 0;
	}
}

/* The line at the read position without its newline (and a trailing '\r').
 * 1: line and len set; 0: end of input; <0: error.  Not consumed. */
static int peek_line(struct dt_perf_script *ps, const char **line, size_t *len,
		     char *err, size_t errlen)
{
	for (;;) {
		const char *start = ps->buf + ps->pos;
		size_t avail = ps->end - ps->pos;
		const char *nl = avail ? memchr(start, '\n', avail) : NULL;
		if (nl || (ps->eof && avail)) {
			size_t l = nl ? (size_t)(nl - start) : avail;
			if (l && start[l - 1] == '\r')
				l--;
			if (ps->nul_at < ps->buf_base + ps->pos + l)
				return dt_fail(err, errlen, -EINVAL,
					    "%s: line %llu: binary data, not perf script text",
					    ps->name, (unsigned long long)ps->lineno);
			*line = start;
			*len = l;
			return 1;
		}
		if (ps->eof || ps->mem)
			return 0;
		int rc = refill(ps, err, errlen);
		if (rc < 0)
			return rc;
	}
}

static void consume_line(struct dt_perf_script *ps)
{
	const char *start = ps->buf + ps->pos;
	size_t avail = ps->end - ps->pos;
	const char *nl = memchr(start, '\n', avail);
	ps->pos = nl ? (size_t)(nl - ps->buf) + 1 : ps->end;
	ps->lineno++;
	ps->stats.lines++;
}

/* ------------------------------------------------------------ tokens */

struct token {
	const char *p;
	size_t len;
};

static inline int is_blank_char(char c)
{
	return c == ' ' || c == '\t';
}

static size_t tokenize(const char *line, size_t len, struct token *tok, size_t max)
{
	size_t n = 0, i = 0;
	while (n < max) {
		while (i < len && is_blank_char(line[i]))
			i++;
		if (i >= len)
			break;
		size_t s = i;
		while (i < len && !is_blank_char(line[i]))
			i++;
		tok[n].p = line + s;
		tok[n].len = i - s;
		n++;
	}
	return n;
}

static inline int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int all_digits(const char *p, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!is_digit(p[i]))
			return 0;
	return 1;
}

static int all_hex(const char *p, size_t len)
{
	if (!len || len > 16)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (hex_value(p[i]) < 0)
			return 0;
	return 1;
}

/* "SECS.FRAC:" with 1 to 9 fraction digits. */
static int parse_time(const struct token *t, uint64_t *ns)
{
	const char *p = t->p, *e = t->p + t->len;
	if (t->len < 4 || e[-1] != ':')
		return 0;
	e--;
	uint64_t secs = 0, frac = 0;
	size_t nd = 0, nf = 0;
	while (p < e && is_digit(*p)) {
		if (secs > UINT64_MAX / 10 / 1000000000ull)
			return 0;
		secs = secs * 10 + (uint64_t)(*p++ - '0');
		nd++;
	}
	if (!nd || p >= e || *p != '.')
		return 0;
	p++;
	while (p < e && is_digit(*p)) {
		if (nf < 9)
			frac = frac * 10 + (uint64_t)(*p - '0');
		p++;
		nf++;
	}
	if (!nf || p != e)
		return 0;
	for (size_t i = nf; i < 9; i++)
		frac *= 10;
	*ns = secs * 1000000000ull + frac;
	return 1;
}

static int parse_cpu(const struct token *t, uint32_t *cpu)
{
	if (t->len < 3 || t->p[0] != '[' || t->p[t->len - 1] != ']' ||
	    !all_digits(t->p + 1, t->len - 2) || t->len - 2 > 9)
		return 0;
	uint32_t v = 0;
	for (size_t i = 1; i + 1 < t->len; i++)
		v = v * 10 + (uint32_t)(t->p[i] - '0');
	*cpu = v;
	return 1;
}

static int parse_i32(const char *p, size_t len, int32_t *out)
{
	int neg = 0;
	if (len && *p == '-') {
		neg = 1;
		p++;
		len--;
	}
	if (!all_digits(p, len) || len > 10)
		return 0;
	int64_t v = 0;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (p[i] - '0');
	if (v > INT32_MAX)
		return 0;
	*out = (int32_t)(neg ? -v : v);
	return 1;
}

/* "TID" or "PID/TID". */
static int parse_pidtid(const struct token *t, int32_t *pid, int32_t *tid)
{
	const char *slash = memchr(t->p, '/', t->len);
	if (!slash) {
		*pid = -1;
		return parse_i32(t->p, t->len, tid);
	}
	return parse_i32(t->p, (size_t)(slash - t->p), pid) &&
	       parse_i32(slash + 1, t->len - (size_t)(slash - t->p) - 1, tid);
}

static int parse_u64_digits(const struct token *t, uint64_t *v)
{
	if (!all_digits(t->p, t->len) || t->len > 19)
		return 0;
	uint64_t x = 0;
	for (size_t i = 0; i < t->len; i++)
		x = x * 10 + (uint64_t)(t->p[i] - '0');
	*v = x;
	return 1;
}

static int is_event_token(const struct token *t)
{
	uint64_t ns;
	return t->len > 1 && t->p[t->len - 1] == ':' && !parse_time(t, &ns) &&
	       t->p[0] != '[';
}

/* ------------------------------------------------------------ frames */

static int ensure_pending(struct pending_frame *pf, size_t need)
{
	return DT_GROW(pf->text, pf->cap, need) ? -ENOMEM : 0;
}

static void trim(const char **p, size_t *len)
{
	while (*len && is_blank_char(**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len && is_blank_char((*p)[*len - 1]))
		(*len)--;
}

/* "ADDR SYMBOL[+0xOFF] [(DSO)]" (leading blanks already skipped) into the
 * pending frame.  0, or -EINVAL when the text does not start with an
 * address, -ENOMEM. */
static int parse_frame(struct dt_perf_script *ps, const char *p, size_t len)
{
	size_t i = 0;
	while (i < len && !is_blank_char(p[i]))
		i++;
	if (!all_hex(p, i))
		return -EINVAL;
	const char *rest = p + i;
	size_t rlen = len - i;
	trim(&rest, &rlen);

	const char *sym = rest, *dso = "";
	size_t slen = rlen, dlen = 0;
	if (rlen && rest[rlen - 1] == ')') {
		int depth = 0;
		size_t k = rlen;
		while (k > 0) {
			char c = rest[--k];
			if (c == ')')
				depth++;
			else if (c == '(' && --depth == 0)
				break;
		}
		if (depth == 0 && rest[k] == '(' && (k == 0 || is_blank_char(rest[k - 1]))) {
			dso = rest + k + 1;
			dlen = rlen - k - 2;
			slen = k;
			while (slen && is_blank_char(sym[slen - 1]))
				slen--;
			if (dlen == 7 && !memcmp(dso, "inlined", 7))
				dlen = 0;
		}
	}
	/* Drop "+0xOFF" so one function is one frame. */
	for (size_t k = slen; k-- > 0;) {
		if (sym[k] == '+') {
			if (slen - k > 3 && sym[k + 1] == '0' && sym[k + 2] == 'x' &&
			    all_hex(sym + k + 3, slen - k - 3))
				slen = k;
			break;
		}
		if (hex_value(sym[k]) < 0 && sym[k] != 'x')
			break;
	}
	if (!slen) {
		sym = "[unknown]";
		slen = 9;
	}
	char with_addr[40]; /* "[unknown <ADDR>]", ADDR at most 16 digits */
	if (ps->unknown_addrs && slen == 9 && !memcmp(sym, "[unknown]", 9)) {
		slen = (size_t)snprintf(with_addr, sizeof(with_addr), "[unknown <%.*s>]", (int)i, p);
		sym = with_addr;
	}
	struct pending_frame *pf = &ps->pending;
	if (ensure_pending(pf, slen + dlen + 1))
		return -ENOMEM;
	memcpy(pf->text, sym, slen);
	memcpy(pf->text + slen, dso, dlen);
	pf->symbol_len = slen;
	pf->dso_len = dlen;
	pf->srcline_len = 0;
	pf->active = 1;
	pf->cached_id = UINT32_MAX;
	pf->cacheable = 0;
	return 0;
}

static int set_pending_srcline(struct dt_perf_script *ps, const char *p, size_t len)
{
	struct pending_frame *pf = &ps->pending;
	if (pf->cached_id != UINT32_MAX) {
		/* Taken from the cache: the frame's text is needed now. */
		const struct frame_entry *f = &ps->frames[pf->cached_id];
		if (ensure_pending(pf, (size_t)f->symbol_len + f->dso_len + len + 1))
			return -ENOMEM;
		memcpy(pf->text, f->symbol, f->symbol_len);
		memcpy(pf->text + f->symbol_len, f->dso, f->dso_len);
		pf->symbol_len = f->symbol_len;
		pf->dso_len = f->dso_len;
		pf->cached_id = UINT32_MAX;
	}
	pf->cacheable = 0;
	size_t base = pf->symbol_len + pf->dso_len;
	if (ensure_pending(pf, base + len + 1))
		return -ENOMEM;
	memcpy(pf->text + base, p, len);
	pf->srcline_len = len;
	return 0;
}

static int grow_frame_table(struct dt_perf_script *ps)
{
	uint32_t nslots = (ps->frame_slots_mask + 1) * 2;
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (uint32_t id = 0; id < ps->nr_frames; id++) {
		uint32_t s = (uint32_t)ps->frames[id].hash & (nslots - 1);
		while (slots[s])
			s = (s + 1) & (nslots - 1);
		slots[s] = id + 1;
	}
	free(ps->frame_slots);
	ps->frame_slots = slots;
	ps->frame_slots_mask = nslots - 1;
	return 0;
}

static int intern_pending(struct dt_perf_script *ps, uint32_t *id)
{
	struct pending_frame *pf = &ps->pending;
	const char *sym = pf->text, *dso = pf->text + pf->symbol_len;
	const char *src = dso + pf->dso_len;
	uint64_t h = hash_bytes(pf->symbol_len, sym, pf->symbol_len);
	h = hash_bytes(h, dso, pf->dso_len);
	h = hash_bytes(h, src, pf->srcline_len);
	pf->active = 0;

	uint32_t s = (uint32_t)h & ps->frame_slots_mask;
	for (;;) {
		uint32_t v = ps->frame_slots[s];
		if (!v)
			break;
		const struct frame_entry *f = &ps->frames[v - 1];
		if (f->hash == h && f->symbol_len == pf->symbol_len &&
		    f->dso_len == pf->dso_len && f->srcline_len == pf->srcline_len &&
		    !memcmp(f->symbol, sym, pf->symbol_len) &&
		    !memcmp(f->dso, dso, pf->dso_len) &&
		    !memcmp(f->srcline, src, pf->srcline_len)) {
			*id = v - 1;
			return 0;
		}
		s = (s + 1) & ps->frame_slots_mask;
	}
	if (ps->nr_frames == UINT32_MAX - 1)
		return -EOVERFLOW;
	if (DT_GROW(ps->frames, ps->frames_cap, (size_t)ps->nr_frames + 1))
		return -ENOMEM;
	struct frame_entry *f = &ps->frames[ps->nr_frames];
	f->symbol = arena_dup(ps, sym, pf->symbol_len);
	f->dso = arena_dup(ps, dso, pf->dso_len);
	f->srcline = arena_dup(ps, src, pf->srcline_len);
	if (!f->symbol || !f->dso || !f->srcline)
		return -ENOMEM;
	f->symbol_len = (uint32_t)pf->symbol_len;
	f->dso_len = (uint32_t)pf->dso_len;
	f->srcline_len = (uint32_t)pf->srcline_len;
	f->hash = h;
	ps->frame_slots[s] = ps->nr_frames + 1;
	*id = ps->nr_frames++;
	ps->stats.frames = ps->nr_frames;
	if ((uint64_t)ps->nr_frames * 2 > ps->frame_slots_mask)
		return grow_frame_table(ps);
	return 0;
}

/* Intern the pending frame and append it to the current sample. */
static int flush_pending(struct dt_perf_script *ps, struct dt_perf_sample *s)
{
	uint32_t id;
	struct pending_frame *pf = &ps->pending;
	if (!pf->active)
		return 0;
	if (pf->cached_id != UINT32_MAX) {
		id = pf->cached_id;
		pf->active = 0;
	} else {
		int cacheable = pf->cacheable && !pf->srcline_len;
		int rc = intern_pending(ps, &id);
		if (rc)
			return rc;
		if (cacheable && ps->line_cache) {
			struct line_cache_entry *e =
				&ps->line_cache[pf->line_hash & (LINE_CACHE_SLOTS - 1)];
			e->hash = pf->line_hash;
			e->len = pf->line_len;
			e->id = id;
			memcpy(e->text, pf->line, pf->line_len);
		}
	}
	if (s->nr_frames >= ps->max_frames) {
		s->nr_frames_dropped++;
		return 0;
	}
	if (DT_GROW(ps->sample_frames, ps->sample_frames_cap, (size_t)s->nr_frames + 1))
		return -ENOMEM;
	ps->sample_frames[s->nr_frames++] = id;
	return 0;
}

/* ------------------------------------------------------------ threads */

static int intern_thread(struct dt_perf_script *ps, struct dt_perf_sample *smp,
			 size_t comm_len)
{
	uint64_t key = ((uint64_t)(uint32_t)smp->pid << 32) | (uint32_t)smp->tid;
	uint32_t id;
	if (dt_hashmap_get(&ps->thread_index, key, &id)) {
		struct thread_entry *t = &ps->threads[id];
		smp->thread_id = id;
		smp->thread_new = 0;
		if (comm_len && (t->comm_len != comm_len || memcmp(t->comm, smp->comm, comm_len))) {
			t->comm = arena_dup(ps, smp->comm, comm_len);
			if (!t->comm)
				return -ENOMEM;
			t->comm_len = comm_len;
			smp->thread_new = 1;
		}
		return 0;
	}
	if (DT_GROW(ps->threads, ps->threads_cap, (size_t)ps->nr_threads + 1))
		return -ENOMEM;
	struct thread_entry *t = &ps->threads[ps->nr_threads];
	t->pid = smp->pid;
	t->tid = smp->tid;
	t->comm = arena_dup(ps, smp->comm, comm_len);
	if (!t->comm)
		return -ENOMEM;
	t->comm_len = comm_len;
	if (dt_hashmap_put(&ps->thread_index, key, ps->nr_threads))
		return -ENOMEM;
	smp->thread_id = ps->nr_threads++;
	smp->thread_new = 1;
	ps->stats.threads = ps->nr_threads;
	return 0;
}

/* ------------------------------------------------------------ headers */

enum header_kind {
	HEADER_NONE = 0, /* not a sample header */
	HEADER_SAMPLE,
	HEADER_SIDEBAND, /* PERF_RECORD_* record printed by --show-*-events */
};

struct header {
	int has_time, has_period, has_cpu;
	uint64_t time_ns, period;
	uint32_t cpu;
	int32_t pid, tid;
	const char *comm, *event, *frame;
	size_t comm_len, event_len, frame_len;
};

static enum header_kind parse_header(const char *line, size_t len, struct header *h)
{
	struct token tok[MAX_TOKENS];
	size_t n = tokenize(line, len, tok, MAX_TOKENS);
	size_t ids_end = 0, rest = n; /* token ranges: ids [0, ids_end), rest [rest, n) */
	ssize_t ev = -1;

	memset(h, 0, sizeof(*h));
	h->pid = h->tid = -1;
	h->cpu = UINT32_MAX;
	if (!n)
		return HEADER_NONE;

	ssize_t kt = -1;
	for (size_t i = 0; i < n; i++) {
		if (tok[i].len >= 4 && tok[i].p[tok[i].len - 1] == ':' &&
		    parse_time(&tok[i], &h->time_ns)) {
			kt = (ssize_t)i;
			break;
		}
	}
	if (kt >= 0) {
		h->has_time = 1;
		ids_end = (size_t)kt;
		size_t j = (size_t)kt + 1;
		if (j < n && all_digits(tok[j].p, tok[j].len) && j + 1 < n &&
		    (is_event_token(&tok[j + 1]) ||
		     (all_hex(tok[j + 1].p, tok[j + 1].len) && j + 2 < n))) {
			parse_u64_digits(&tok[j], &h->period);
			h->has_period = 1;
			j++;
		}
		if (j < n && is_event_token(&tok[j]))
			ev = (ssize_t)j++;
		rest = j;
	} else {
		for (size_t i = 1; i < n; i++) {
			if (is_event_token(&tok[i])) {
				ev = (ssize_t)i;
				break;
			}
		}
		if (ev >= 0) {
			ids_end = (size_t)ev;
			rest = (size_t)ev + 1;
			int32_t a, b;
			uint32_t c;
			if (ids_end >= 2 && all_digits(tok[ids_end - 1].p, tok[ids_end - 1].len) &&
			    (parse_pidtid(&tok[ids_end - 2], &a, &b) ||
			     parse_cpu(&tok[ids_end - 2], &c))) {
				parse_u64_digits(&tok[ids_end - 1], &h->period);
				h->has_period = 1;
				ids_end--;
			}
		} else {
			ids_end = n;
			for (size_t i = 1; i < n; i++) {
				int32_t a, b;
				uint32_t c;
				if (all_hex(tok[i].p, tok[i].len) &&
				    (parse_pidtid(&tok[i - 1], &a, &b) ||
				     parse_cpu(&tok[i - 1], &c))) {
					ids_end = i;
					break;
				}
			}
			rest = ids_end;
		}
	}
	/* Side-band records: "... 1.2: PERF_RECORD_MMAP2 ..." */
	if (rest < n && tok[rest].len > 12 && !memcmp(tok[rest].p, "PERF_RECORD_", 12))
		return HEADER_SIDEBAND;
	if (ev >= 0 && tok[ev].len > 12 && !memcmp(tok[ev].p, "PERF_RECORD_", 12))
		return HEADER_SIDEBAND;

	size_t e = ids_end;
	if (e > 0 && parse_cpu(&tok[e - 1], &h->cpu)) {
		h->has_cpu = 1;
		e--;
	}
	int has_tid = 0;
	if (e > 0 && parse_pidtid(&tok[e - 1], &h->pid, &h->tid)) {
		has_tid = 1;
		e--;
	}
	if (!has_tid && !h->has_time)
		return HEADER_NONE;
	if (!has_tid)
		h->pid = h->tid = -1;
	if (e > 0) {
		h->comm = tok[0].p;
		h->comm_len = (size_t)(tok[e - 1].p + tok[e - 1].len - tok[0].p);
	} else {
		h->comm = "";
	}
	if (ev >= 0) {
		h->event = tok[ev].p;
		h->event_len = tok[ev].len - 1;
	} else {
		h->event = "";
	}
	if (rest < n) {
		const char *fp = tok[rest].p;
		size_t flen = (size_t)(line + len - fp);
		int frame_like = all_hex(tok[rest].p, tok[rest].len);
		if (frame_like) {
			h->frame = fp;
			h->frame_len = flen;
			while (h->frame_len && is_blank_char(fp[h->frame_len - 1]))
				h->frame_len--;
		} else if (ev < 0) {
			return HEADER_NONE; /* text after the ids that is no frame */
		}
		/* else: a tracepoint's payload, not needed here */
	}
	return HEADER_SAMPLE;
}

static int copy_str(char **dst, size_t *cap, const char *s, size_t len)
{
	if (DT_GROW(*dst, *cap, len + 1))
		return -ENOMEM;
	memcpy(*dst, s, len);
	(*dst)[len] = '\0';
	return 0;
}

/* "# clockid: monotonic (1)" */
static void parse_comment(struct dt_perf_script *ps, const char *line, size_t len)
{
	static const char key[] = "clockid:";
	const char *p = line + 1;
	size_t l = len - 1;
	trim(&p, &l);
	if (l <= sizeof(key) - 1 || memcmp(p, key, sizeof(key) - 1))
		return;
	p += sizeof(key) - 1;
	l -= sizeof(key) - 1;
	trim(&p, &l);
	static const struct {
		const char *name;
		enum dtr_clock clock;
	} names[] = {
		{ "monotonic_raw", DTR_CLOCK_UNKNOWN },
		{ "monotonic", DTR_CLOCK_MONOTONIC },
		{ "realtime", DTR_CLOCK_REALTIME },
		{ "boottime", DTR_CLOCK_BOOTTIME },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t nl = strlen(names[i].name);
		if (l >= nl && !memcmp(p, names[i].name, nl) &&
		    (l == nl || is_blank_char(p[nl]))) {
			ps->clock = names[i].clock;
			return;
		}
	}
}

/* ------------------------------------------------------------ samples */

static int oom(struct dt_perf_script *ps, int rc, char *err, size_t errlen)
{
	if (rc == -EOVERFLOW)
		return dt_fail(err, errlen, rc, "%s: line %llu: too many frames", ps->name,
			    (unsigned long long)ps->lineno);
	return dt_fail(err, errlen, rc, "%s: out of memory", ps->name);
}

/* A frame line of the current sample: its first word is an address, and
 * it is indented by a tab (perf's own form), or by spaces or nothing (text
 * that went through an editor or mail) and is no sample header.  0: taken
 * into the sample; 1: not a frame line; <0: -ENOMEM. */
static int take_frame_line(struct dt_perf_script *ps, struct dt_perf_sample *s,
			   const char *line, size_t len, size_t indent)
{
	const char *fp = line + indent;
	size_t fl = len - indent, w = 0;
	struct header hdr;
	while (w < fl && !is_blank_char(fp[w]))
		w++;
	if (!all_hex(fp, w) || (line[0] != '\t' && parse_header(line, len, &hdr) != HEADER_NONE))
		return 1;
	int rc = flush_pending(ps, s);
	if (rc)
		return rc;
	uint64_t h = 0;
	if (fl <= LINE_CACHE_TEXT && ps->line_cache) {
		h = hash_bytes(0, fp, fl);
		const struct line_cache_entry *e = &ps->line_cache[h & (LINE_CACHE_SLOTS - 1)];
		if (e->hash == h && e->len == fl && !memcmp(e->text, fp, fl)) {
			struct pending_frame *pf = &ps->pending;
			pf->active = 1;
			pf->cached_id = e->id;
			pf->cacheable = 0;
			pf->srcline_len = 0;
			return 0;
		}
	}
	rc = parse_frame(ps, fp, fl);
	if (rc == 0 && fl <= LINE_CACHE_TEXT && ps->line_cache) {
		struct pending_frame *pf = &ps->pending;
		pf->cacheable = 1;
		pf->line_hash = h;
		pf->line_len = (uint32_t)fl;
		memcpy(pf->line, fp, fl);
	}
	return rc == -EINVAL ? 1 : rc;
}

int dt_perf_script_next(struct dt_perf_script *ps, struct dt_perf_sample *s,
			char *err, size_t errlen)
{
	const char *line;
	size_t len;
	struct header h;
	int rc;

	for (;;) {
		rc = peek_line(ps, &line, &len, err, errlen);
		if (rc <= 0)
			return rc;
		size_t i = 0;
		while (i < len && is_blank_char(line[i]))
			i++;
		if (i == len) {
			consume_line(ps);
			continue;
		}
		if (line[0] == '#') {
			parse_comment(ps, line, len);
			consume_line(ps);
			continue;
		}
		if (line[0] == '\t') {
			/* A frame without its sample (e.g. input cut mid-sample). */
			if (!ps->stats.first_skipped_line)
				ps->stats.first_skipped_line = ps->lineno;
			ps->stats.skipped_lines++;
			consume_line(ps);
			continue;
		}
		enum header_kind kind = parse_header(line, len, &h);
		if (kind == HEADER_SIDEBAND) {
			if (!ps->stats.first_skipped_line)
				ps->stats.first_skipped_line = ps->lineno;
			ps->stats.skipped_lines++;
			consume_line(ps);
			continue;
		}
		if (kind == HEADER_NONE) {
			char q[DT_QUOTE_BUFLEN];
			return dt_fail(err, errlen, -EINVAL,
				    "%s: line %llu: not a perf script sample header: \"%s\"",
				    ps->name, (unsigned long long)ps->lineno,
				    dt_quote(q, sizeof(q), line, len));
		}
		break;
	}

	memset(s, 0, sizeof(*s));
	s->line = ps->lineno;
	s->has_time = h.has_time;
	s->time_ns = h.time_ns;
	s->pid = h.pid;
	s->tid = h.tid;
	s->cpu = h.cpu;
	s->has_period = h.has_period;
	s->period = h.period;
	if (copy_str(&ps->comm, &ps->comm_cap, h.comm, h.comm_len) ||
	    copy_str(&ps->event, &ps->event_cap, h.event, h.event_len))
		return oom(ps, -ENOMEM, err, errlen);
	s->comm = ps->comm;
	s->event = ps->event;
	rc = intern_thread(ps, s, h.comm_len);
	if (rc)
		return oom(ps, rc, err, errlen);
	ps->pending.active = 0;
	if (h.frame_len) {
		rc = parse_frame(ps, h.frame, h.frame_len);
		if (rc == -ENOMEM)
			return oom(ps, rc, err, errlen);
	}
	consume_line(ps);

	for (;;) {
		rc = peek_line(ps, &line, &len, err, errlen);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		size_t i = 0;
		while (i < len && is_blank_char(line[i]))
			i++;
		if (i == len) {
			consume_line(ps);
			break;
		}
		if (line[0] == '#')
			break;
		rc = take_frame_line(ps, s, line, len, i);
		if (rc < 0)
			return oom(ps, rc, err, errlen);
		if (rc == 0) {
			consume_line(ps);
			continue;
		}
		struct header next;
		if (line[0] != '\t' && parse_header(line, len, &next) != HEADER_NONE)
			break;
		if (ps->pending.active && !ps->pending.srcline_len && i > 0) {
			const char *p = line + i;
			size_t l = len - i;
			trim(&p, &l);
			if (set_pending_srcline(ps, p, l))
				return oom(ps, -ENOMEM, err, errlen);
			consume_line(ps);
			continue;
		}
		char q[DT_QUOTE_BUFLEN];
		return dt_fail(err, errlen, -EINVAL,
			    "%s: line %llu: neither a frame nor a sample header: \"%s\"",
			    ps->name, (unsigned long long)ps->lineno, dt_quote(q, sizeof(q), line, len));
	}
	rc = flush_pending(ps, s);
	if (rc)
		return oom(ps, rc, err, errlen);
	static const uint32_t no_frames[1];
	s->frames = ps->sample_frames ? ps->sample_frames : no_frames;
	ps->stats.samples++;
	if (s->nr_frames_dropped) {
		ps->stats.samples_cut++;
		ps->stats.frames_cut += s->nr_frames_dropped;
	}
	ps->stats.bytes = ps->mem ? ps->pos : ps->bytes - (ps->end - ps->pos);
	return 1;
}

/* ------------------------------------------------------------ open/close */

static int init_common(struct dt_perf_script **out, const char *name,
		       const struct dt_perf_script_opts *opts, char *err, size_t errlen)
{
	struct dt_perf_script *ps = calloc(1, sizeof(*ps));
	if (!ps)
		return dt_fail(err, errlen, -ENOMEM, "%s: out of memory", name);
	snprintf(ps->name, sizeof(ps->name), "%s", name);
	ps->fd = -1;
	ps->max_line = opts && opts->max_line_bytes ? opts->max_line_bytes : DEFAULT_MAX_LINE;
	ps->max_frames = opts && opts->max_frames ? opts->max_frames : DEFAULT_MAX_FRAMES;
	ps->unknown_addrs = opts && opts->unknown_addrs;
	ps->lineno = 1;
	ps->nul_at = UINT64_MAX;
	ps->line_cache = calloc(LINE_CACHE_SLOTS, sizeof(*ps->line_cache));
	ps->frame_slots_mask = 4095;
	ps->frame_slots = calloc(ps->frame_slots_mask + 1, sizeof(uint32_t));
	if (!ps->frame_slots || !ps->line_cache) {
		dt_perf_script_close(ps);
		return dt_fail(err, errlen, -ENOMEM, "%s: out of memory", name);
	}
	*out = ps;
	return 0;
}

int dt_perf_script_open_fd(struct dt_perf_script **out, int fd, const char *name,
			   const void *prefix, size_t prefix_len,
			   const struct dt_perf_script_opts *opts, char *err,
			   size_t errlen)
{
	struct dt_perf_script *ps;
	int rc = init_common(&ps, name, opts, err, errlen);
	if (rc)
		return rc;
	size_t cap = opts && opts->buffer_bytes ? opts->buffer_bytes : DEFAULT_BUFFER;
	if (cap < 4096)
		cap = 4096;
	if (cap < prefix_len)
		cap = prefix_len;
	if (cap > ps->max_line)
		ps->max_line = cap;
	ps->buf = malloc(cap);
	if (!ps->buf) {
		dt_perf_script_close(ps);
		return dt_fail(err, errlen, -ENOMEM, "%s: out of memory", name);
	}
	ps->cap = cap;
	ps->fd = fd;
	if (prefix_len) {
		memcpy(ps->buf, prefix, prefix_len);
		const char *z = memchr(prefix, '\0', prefix_len);
		if (z)
			ps->nul_at = (uint64_t)(z - (const char *)prefix);
	}
	ps->end = prefix_len;
	ps->bytes = prefix_len;
	*out = ps;
	return 0;
}

int dt_perf_script_open(struct dt_perf_script **out, const char *path,
			const struct dt_perf_script_opts *opts, char *err,
			size_t errlen)
{
	int fd = 0;
	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return dt_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
		struct stat st; /* as every input says it */
		if (!fstat(fd, &st) && S_ISDIR(st.st_mode)) {
			close(fd);
			return dt_fail(err, errlen, -EISDIR, "%s: is a directory", path);
		}
	}
	int rc = dt_perf_script_open_fd(out, fd, strcmp(path, "-") ? path : "stdin",
					NULL, 0, opts, err, errlen);
	if (rc) {
		if (fd > 0)
			close(fd);
		return rc;
	}
	(*out)->own_fd = fd > 0;
	return 0;
}

int dt_perf_script_open_mem(struct dt_perf_script **out, const void *text,
			    size_t len, const char *name,
			    const struct dt_perf_script_opts *opts, char *err,
			    size_t errlen)
{
	struct dt_perf_script *ps;
	int rc = init_common(&ps, name ? name : "<memory>", opts, err, errlen);
	if (rc)
		return rc;
	ps->mem = text;
	ps->buf = (char *)text; /* never written in memory mode */
	const char *z = len ? memchr(text, '\0', len) : NULL;
	if (z)
		ps->nul_at = (uint64_t)(z - (const char *)text);
	ps->end = len;
	ps->cap = len;
	ps->eof = 1;
	ps->bytes = len;
	*out = ps;
	return 0;
}

void dt_perf_script_close(struct dt_perf_script *ps)
{
	if (!ps)
		return;
	if (ps->own_fd)
		close(ps->fd);
	if (!ps->mem)
		free(ps->buf);
	while (ps->arena) {
		struct arena_block *b = ps->arena;
		ps->arena = b->next;
		free(b);
	}
	free(ps->frames);
	free(ps->frame_slots);
	free(ps->threads);
	dt_hashmap_free(&ps->thread_index);
	free(ps->sample_frames);
	free(ps->comm);
	free(ps->event);
	free(ps->pending.text);
	free(ps->line_cache);
	free(ps);
}

/* ------------------------------------------------------------ queries */

uint32_t dt_perf_script_nr_frames(const struct dt_perf_script *ps)
{
	return ps->nr_frames;
}

int dt_perf_script_frame(const struct dt_perf_script *ps, uint32_t id,
			 struct dtr_frame *frame)
{
	if (id >= ps->nr_frames)
		return -ENOENT;
	frame->id = id;
	frame->symbol = ps->frames[id].symbol;
	frame->dso = ps->frames[id].dso;
	frame->srcline = ps->frames[id].srcline;
	return 0;
}

uint32_t dt_perf_script_nr_threads(const struct dt_perf_script *ps)
{
	return ps->nr_threads;
}

int dt_perf_script_thread(const struct dt_perf_script *ps, uint32_t id,
			  struct dtr_thread *thread)
{
	if (id >= ps->nr_threads)
		return -ENOENT;
	thread->pid = ps->threads[id].pid;
	thread->tid = ps->threads[id].tid;
	thread->comm = ps->threads[id].comm;
	return 0;
}

enum dtr_clock dt_perf_script_clock(const struct dt_perf_script *ps)
{
	return ps->clock;
}

void dt_perf_script_stats(const struct dt_perf_script *ps,
			  struct dt_perf_script_stats *st)
{
	*st = ps->stats;
}

int dt_perf_script_cut_note(const struct dt_perf_script *ps, char *buf, size_t len)
{
	const struct dt_perf_script_stats *st = &ps->stats;

	if (!st->samples_cut)
		return 0;
	snprintf(buf, len, "%s: %llu callstack sample%s deeper than %u frames lost %llu root "
		 "frame%s (the outermost callers; the leaf side is kept)", ps->name,
		 (unsigned long long)st->samples_cut, st->samples_cut == 1 ? "" : "s",
		 ps->max_frames, (unsigned long long)st->frames_cut, st->frames_cut == 1 ? "" : "s");
	return 1;
}

int dt_perf_script_no_samples(const struct dt_perf_script *ps, char *err, size_t errlen)
{
	static const char expected[] =
		"expected what `perf script` prints of a `perf record -g` recording";
	const struct dt_perf_script_stats *st = &ps->stats;

	if (!st->lines)
		return dt_fail(err, errlen, -ENODATA, "%s: no callstack samples: the text is empty (%s)",
			       ps->name, expected);
	if (st->samples)
		return dt_fail(err, errlen, -ENODATA,
			       "%s: no callstack samples, only damon events (a DAMON record: "
			       "give it with -i; callstacks come from `perf record -g`)", ps->name);
	return dt_fail(err, errlen, -ENODATA, "%s: no callstack samples in %llu line%s (%s)",
		       ps->name, (unsigned long long)st->lines, st->lines == 1 ? "" : "s", expected);
}

int dt_perf_script_emit(const struct dt_perf_script *ps, const struct dt_perf_sample *s,
			int64_t time_offset_ns, uint64_t fallback_time_ns, uint32_t *emitted,
			dt_perf_script_put_fn put, void *ctx, char *err, size_t errlen)
{
	struct dtr_item it;
	int rc;
	for (; *emitted < ps->nr_frames; (*emitted)++) {
		memset(&it, 0, sizeof(it));
		it.type = DTR_ITEM_FRAME;
		dt_perf_script_frame(ps, *emitted, &it.u.frame);
		rc = put(ctx, &it, err, errlen);
		if (rc)
			return rc;
	}
	if (s->thread_new) {
		memset(&it, 0, sizeof(it));
		it.type = DTR_ITEM_THREAD;
		dt_perf_script_thread(ps, s->thread_id, &it.u.thread);
		rc = put(ctx, &it, err, errlen);
		if (rc)
			return rc;
	}
	uint64_t t = s->has_time ? s->time_ns : fallback_time_ns;
	if (time_offset_ns < 0 && (uint64_t)(-time_offset_ns) > t)
		t = 0;
	else
		t += (uint64_t)time_offset_ns;
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_STACK;
	it.u.stack.time_ns = t;
	it.u.stack.pid = s->pid;
	it.u.stack.tid = s->tid;
	it.u.stack.cpu = s->cpu;
	it.u.stack.weight = s->has_period ? s->period : 0;
	it.u.stack.nr_frames = s->nr_frames;
	it.u.stack.frames = s->frames;
	return put(ctx, &it, err, errlen);
}

int dt_perf_script_probe(const void *buf, size_t len)
{
	const char *p = buf, *e = p + len;
	int lines = 0;
	while (p < e && lines < 64) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(e - p);
		if (!nl && len >= 4096)
			break; /* a cut line proves nothing */
		struct header h;
		if (l && p[0] != '#' && p[0] != '\t' && memchr(p, '\0', l) == NULL) {
			size_t i = 0;
			while (i < l && is_blank_char(p[i]))
				i++;
			if (i < l)
				return parse_header(p, l, &h) == HEADER_SAMPLE &&
				       (h.has_time || h.event_len) && h.tid >= 0;
		}
		lines++;
		p = nl ? nl + 1 : e;
	}
	return 0;
}

/* ------------------------------------------------------------ event choice */

int dt_perf_event_choice_init(struct dt_perf_event_choice *c, const char *event)
{
	memset(c, 0, sizeof(*c));
	if (!event)
		return 0;
	c->named = 1;
	c->event = strdup(event);
	return c->event ? 0 : -ENOMEM;
}

/* Remember `event` among those left out (the first 8 names). */
static int note_other(struct dt_perf_event_choice *c, const char *event)
{
	size_t have = c->others ? strlen(c->others) : 0, n = strlen(event);
	for (const char *p = c->others; p && *p;) {
		const char *end = strstr(p, ", ");
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l == n && !memcmp(p, event, n))
			return 0;
		p = end ? end + 2 : p + l;
	}
	if (c->nr_others >= 8)
		return 0;
	if (DT_GROW(c->others, c->cap_others, have + n + 3))
		return -ENOMEM;
	snprintf(c->others + have, n + 3, "%s%s", have ? ", " : "", event);
	c->nr_others++;
	return 0;
}

int dt_perf_event_choice_take(struct dt_perf_event_choice *c, const char *event)
{
	if (!*event || (c->event && !strcmp(event, c->event))) {
		c->taken++;
		return 1;
	}
	if (!c->event) {
		c->event = strdup(event);
		if (!c->event)
			return -ENOMEM;
		c->taken++;
		return 1;
	}
	c->left++;
	return note_other(c, event) ? -ENOMEM : 0;
}

int dt_perf_event_choice_notice(const struct dt_perf_event_choice *c, const char *name,
				char *buf, size_t len)
{
	if (!c->left || c->named)
		return 0;
	snprintf(buf, len, "%s: samples of %s only, the first event; left out %llu sample%s of "
		 "%s (--event NAME chooses)", name, c->event, (unsigned long long)c->left,
		 c->left == 1 ? "" : "s", c->others ? c->others : "other events");
	return 1;
}

void dt_perf_event_choice_free(struct dt_perf_event_choice *c)
{
	free(c->event);
	free(c->others);
	memset(c, 0, sizeof(*c));
}
