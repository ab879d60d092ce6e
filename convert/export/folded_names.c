// SPDX-License-Identifier: GPL-2.0-only
/*
 * Frame and process names in folded stacks, stackcollapse-perf.pl's rules
 * with damotrace's deliberate differences (folded_names.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folded_names.h"
#include "grow.h"

static const char ANON_NS[] = "(anonymous namespace)";
#define ANON_NS_LEN (sizeof(ANON_NS) - 1)

int dt_fbuf_add(struct dt_fbuf *b, const char *s, size_t len)
{
	if (len > SIZE_MAX - 1 - b->len || DT_GROW(b->p, b->cap, b->len + len + 1))
		return -ENOMEM;
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

static int is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* True when the keyword "operator" starts at s[i] (as a whole word). */
static int operator_at(const char *s, size_t len, size_t i)
{
	return len - i >= 8 && !memcmp(s + i, "operator", 8) && (i == 0 || !is_ident(s[i - 1])) &&
	       (len - i == 8 || !is_ident(s[i + 8]));
}

/* Past the operator's own symbol after "operator" at s[i]: "()" or a run of
 * operator characters ("<<", "->", "[]", "<=>"). */
static size_t skip_operator(const char *s, size_t len, size_t i)
{
	size_t j = i + 8;
	if (len - j >= 2 && s[j] == '(' && s[j + 1] == ')')
		return j + 2;
	while (j < len && strchr("<>=!+-*/%^&|~,[]", s[j]))
		j++;
	return j;
}

/* "pkg.(*T).method": a Go method, whose parentheses are no argument list. */
static int go_method(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] != '.' || s[i + 1] != '(')
			continue;
		for (size_t k = i + 2; k + 1 < len; k++)
			if (s[k] == ')' && s[k + 1] == '.')
				return 1;
		return 0;
	}
	return 0;
}

/* stackcollapse-perf.pl's cut: the first '(' that does not open
 * "(anonymous namespace)". */
static size_t script_cut(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '(' && (len - i < ANON_NS_LEN || memcmp(s + i, ANON_NS, ANON_NS_LEN)))
			return i;
	return len;
}

/* Where the argument list starts (rule 5 of folded_names.h); len when the
 * name has none. */
static size_t args_start(const char *s, size_t len)
{
	int angle = 0, brace = 0, paren = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == 'o' && operator_at(s, len, i)) {
			i = skip_operator(s, len, i) - 1;
			continue;
		}
		if (c == '(' && len - i >= ANON_NS_LEN && !memcmp(s + i, ANON_NS, ANON_NS_LEN)) {
			i += ANON_NS_LEN - 1;
			continue;
		}
		if (c == '(' && !angle && !brace && !paren)
			return i;
		paren += c == '(';
		paren -= c == ')' && paren;
		angle += c == '<';
		angle -= c == '>' && angle;
		brace += c == '{';
		brace -= c == '}' && brace;
	}
	return angle || brace ? script_cut(s, len) : len;
}

/* "[unknown]" or "[unknown <ADDR>]" as "[BASE]" / "[BASE <ADDR>]" into b;
 * 1 when `s` is no such name. */
static int unknown_name(struct dt_fbuf *b, const char *s, size_t len, const char *dso, int addrs)
{
	const char *addr = NULL;
	size_t alen = 0;
	if (len == 9 && !memcmp(s, "[unknown]", 9)) {
		addr = NULL;
	} else if (len > 12 && !memcmp(s, "[unknown <", 10) && !memcmp(s + len - 2, ">]", 2)) {
		addr = s + 10;
		alen = len - 12;
	} else {
		return 1;
	}
	const char *base = dso && *dso && strcmp(dso, "[unknown]") ? dso : "unknown";
	const char *slash = strrchr(base, '/');
	if (slash)
		base = slash + 1;
	int rc = dt_fbuf_add(b, "[", 1) || dt_fbuf_add(b, base, strlen(base));
	if (!rc && addrs && addr)
		rc = dt_fbuf_add(b, " <", 2) || dt_fbuf_add(b, addr, alen) || dt_fbuf_add(b, ">", 1);
	return rc || dt_fbuf_add(b, "]", 1) ? -ENOMEM : 0;
}

static int is_kernel_dso(const char *dso)
{
	size_t n = strlen(dso);
	return (dso[0] == '[' || (n >= 7 && !strcmp(dso + n - 7, "vmlinux"))) &&
	       !strstr(dso, "unknown");
}

/* "/tmp/perf-PID.map" anywhere in the dso. */
static int is_jit_dso(const char *dso)
{
	for (const char *p = strstr(dso, "/tmp/perf-"); p; p = strstr(p + 1, "/tmp/perf-")) {
		const char *d = p + 10;
		while (*d >= '0' && *d <= '9')
			d++;
		if (d > p + 10 && !strncmp(d, ".map", 4))
			return 1;
	}
	return 0;
}

/* Rules 3 to 8 on one name of a frame (index `piece`) appended to b. */
static int add_piece(struct dt_fbuf *b, const char *s, size_t len, size_t piece, const char *dso,
		     int java, const struct dt_folded_naming *n)
{
	size_t start = b->len;
	int rc = unknown_name(b, s, len, dso, n->addrs);
	if (rc == 1)
		rc = dt_fbuf_add(b, s, len);
	if (rc)
		return -ENOMEM;
	char *p = b->p + start;
	size_t l = b->len - start;
	for (size_t i = 0; i < l; i++)
		if (p[i] == ';')
			p[i] = ':';
	if (!n->keep_args && !go_method(p, l))
		l = args_start(p, l);
	size_t w = 0;
	for (size_t i = 0; i < l; i++)
		if (p[i] != '"' && p[i] != '\'')
			p[w++] = p[i];
	l = w;
	if (java && l && p[0] == 'L' && memchr(p, '/', l)) {
		memmove(p, p + 1, l - 1);
		l--;
	}
	b->len = start + l;
	b->p[b->len] = '\0';
	if (piece > 0)
		return strstr(p, "_[i]") ? 0 : dt_fbuf_add(b, "_[i]", 4);
	if (n->kernel && is_kernel_dso(dso))
		return dt_fbuf_add(b, "_[k]", 4);
	if (n->jit && is_jit_dso(dso) && !strstr(p, "_[j]"))
		return dt_fbuf_add(b, "_[j]", 4);
	return 0;
}

/* End of the inline chain's name starting at s[i]: the next "->" that is
 * not part of "operator->", or len. */
static size_t piece_end(const char *s, size_t len, size_t i)
{
	for (; i + 1 < len; i++) {
		if (s[i] == 'o' && operator_at(s, len, i)) {
			i = skip_operator(s, len, i) - 1;
			continue;
		}
		if (s[i] == '-' && s[i + 1] == '>')
			return i;
	}
	return len;
}

/* Nothing but "->" (or nothing at all). */
static int only_arrows(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i += 2)
		if (len - i < 2 || s[i] != '-' || s[i + 1] != '>')
			return 0;
	return 1;
}

int dt_folded_frame(struct dt_fbuf *b, const char *symbol, const char *dso, int java,
		    const struct dt_folded_naming *n)
{
	size_t len = strlen(symbol);
	if (!dso)
		dso = "";
	if (symbol[0] == '(' && (len < ANON_NS_LEN || memcmp(symbol, ANON_NS, ANON_NS_LEN)))
		return 1;
	size_t piece = 0, at = 0;
	for (;;) {
		/* Perl's split drops empty trailing pieces: "a->" is "a". */
		if (piece && only_arrows(symbol + at, len - at))
			break;
		size_t end = piece_end(symbol, len, at);
		if ((piece && dt_fbuf_add(b, ";", 1)) ||
		    add_piece(b, symbol + at, end - at, piece, dso, java, n))
			return -ENOMEM;
		piece++;
		if (end >= len)
			break;
		at = end + 2;
	}
	return 0;
}

int dt_folded_process(struct dt_fbuf *b, const char *comm, int32_t pid, int32_t tid,
		      int with_pid, int with_tid)
{
	char ids[40] = "";
	char p[16] = "?";
	if (pid >= 0)
		snprintf(p, sizeof(p), "%d", pid);
	if (with_tid)
		snprintf(ids, sizeof(ids), "-%s/%d", p, tid);
	else if (with_pid)
		snprintf(ids, sizeof(ids), "-%s", p);
	if (!comm || !*comm)
		comm = "[unknown]";
	size_t start = b->len;
	if (dt_fbuf_add(b, comm, strlen(comm)) || dt_fbuf_add(b, ids, strlen(ids)))
		return -ENOMEM;
	for (size_t i = start; i < b->len; i++)
		if (b->p[i] == ' ')
			b->p[i] = '_';
	return 0;
}
