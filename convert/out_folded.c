// SPDX-License-Identifier: GPL-2.0-only
/*
 * FlameGraph folded stacks export (stacks_out.h): one line per distinct
 * (phase, comm, call path), root first, `;`-separated, then a space and the
 * number of samples; lines sorted as stackcollapse-perf.pl sorts them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "stacks_out.h"

struct key {
	long phase;
	uint32_t thread, node;
};

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->phase != y->phase)
		return x->phase < y->phase ? -1 : 1;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

struct line {
	char *text;
	uint64_t count;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

/* FlameGraph splits frames on ';' and the count on the last space. */
static void append_frame(char **buf, size_t *len, size_t *cap, const char *name, int sep)
{
	size_t n = strlen(name);
	if (*len + n + 2 > *cap) {
		size_t c = *cap ? *cap : 256;
		while (*len + n + 2 > c)
			c *= 2;
		char *b = realloc(*buf, c);
		if (!b)
			return;
		*buf = b;
		*cap = c;
	}
	if (sep)
		(*buf)[(*len)++] = ';';
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		(*buf)[(*len)++] = ch == ';' ? ':' : (ch == '\n' || ch == '\t') ? ' ' : ch;
	}
	(*buf)[*len] = '\0';
}

int dt_out_folded(FILE *out, const struct dt_stacks_profile *p,
		  const struct dt_stacks_out_opts *o, char *err, size_t errlen)
{
	const struct dt_stacks *st = p->stacks;
	size_t n = dt_stacks_nr_samples(st);
	const struct dt_stack_sample *s = dt_stacks_samples(st);
	int roots = p->has_damon && !(o && o->no_phase_roots);
	struct key *keys = malloc((n ? n : 1) * sizeof(*keys));
	struct line *lines = NULL;
	size_t nl = 0;
	uint32_t *path = NULL, cap_path = 0;
	int rc = 0;

	if (!keys)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct key){ roots ? dt_phases_find(p->phases, s[i].time_ns) : -1,
					s[i].thread, s[i].node };
	if (n)
		qsort(keys, n, sizeof(*keys), cmp_key);
	lines = malloc((n ? n : 1) * sizeof(*lines));
	if (!lines) {
		free(keys);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n && !rc;) {
		size_t j = i;
		while (j < n && !cmp_key(&keys[i], &keys[j]))
			j++;
		char *buf = NULL, label[160];
		size_t len = 0, cap = 0;
		int sep = 0;
		if (roots) {
			dt_stacks_profile_phase_label(p, keys[i].phase < 0 ? UINT64_MAX :
						      dt_phases_get(p->phases, (size_t)keys[i].phase)->start_ns,
						      NULL, label, sizeof(label));
			append_frame(&buf, &len, &cap, label, sep);
			sep = 1;
		}
		const struct dt_stack_thread *th = dt_stacks_thread(st, keys[i].thread);
		append_frame(&buf, &len, &cap, th->comm && *th->comm ? th->comm : "[unknown]", sep);
		sep = 1;
		uint32_t depth = dt_stacks_node(st, keys[i].node)->depth;
		if (depth > cap_path) {
			uint32_t *np = realloc(path, depth * sizeof(*np));
			if (!np) {
				free(buf);
				rc = -ENOMEM;
				break;
			}
			path = np;
			cap_path = depth;
		}
		dt_stacks_path(st, keys[i].node, path, cap_path);
		for (uint32_t d = 0; d < depth; d++)
			append_frame(&buf, &len, &cap, dt_stacks_frame_symbol(st, path[d]), 1);
		if (!buf || len + 1 > cap) {
			free(buf);
			rc = -ENOMEM;
			break;
		}
		lines[nl++] = (struct line){ buf, j - i };
		i = j;
	}
	if (!rc && nl)
		qsort(lines, nl, sizeof(*lines), cmp_line);
	for (size_t i = 0; i < nl && !rc;) {
		size_t j = i + 1;
		uint64_t count = lines[i].count;
		while (j < nl && !strcmp(lines[i].text, lines[j].text))
			count += lines[j++].count;
		fprintf(out, "%s %" PRIu64 "\n", lines[i].text, count);
		i = j;
	}
	for (size_t i = 0; i < nl; i++)
		free(lines[i].text);
	free(lines);
	free(keys);
	free(path);
	if (rc)
		return dt_fail(err, errlen, rc, "out of memory");
	if (ferror(out))
		return dt_fail(err, errlen, -EIO, "write error");
	return 0;
}
