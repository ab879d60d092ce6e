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

/* Samples counted by (phase, thread, call path) in an open-addressing
 * table: memory grows with the distinct stacks, not with the samples. */
struct key {
	long phase;
	uint32_t thread, node;
	uint64_t count; /* 0: free slot */
};

struct key_table {
	struct key *slots;
	size_t mask, used;
};

static size_t key_hash(long phase, uint32_t thread, uint32_t node)
{
	uint64_t h = ((uint64_t)(uint32_t)phase * 0x9e3779b97f4a7c15ull) ^
		     ((uint64_t)thread << 32 | node);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h;
}

static struct key *key_slot(struct key *slots, size_t mask, long phase, uint32_t thread,
			    uint32_t node)
{
	size_t i = key_hash(phase, thread, node) & mask;
	while (slots[i].count && (slots[i].phase != phase || slots[i].thread != thread ||
				  slots[i].node != node))
		i = (i + 1) & mask;
	return &slots[i];
}

static int key_count(struct key_table *t, long phase, uint32_t thread, uint32_t node)
{
	if ((t->used + 1) * 2 > t->mask + 1) {
		size_t n = (t->mask + 1) * 2;
		struct key *slots = calloc(n, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (size_t i = 0; i <= t->mask && t->slots; i++)
			if (t->slots[i].count)
				*key_slot(slots, n - 1, t->slots[i].phase, t->slots[i].thread,
					  t->slots[i].node) = t->slots[i];
		free(t->slots);
		t->slots = slots;
		t->mask = n - 1;
	}
	struct key *k = key_slot(t->slots, t->mask, phase, thread, node);
	if (!k->count) {
		*k = (struct key){ phase, thread, node, 0 };
		t->used++;
	}
	k->count++;
	return 0;
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
	int roots = p->has_damon && !(o && o->no_phase_roots);
	struct key_table table = { NULL, 0, 0 };
	struct line *lines = NULL;
	size_t nl = 0;
	uint32_t *path = NULL, cap_path = 0;
	struct dt_stacks_iter it;
	struct dt_stack_sample s;
	char e2[256];
	int rc = 0;

	table.slots = calloc(1024, sizeof(*table.slots));
	table.mask = 1023;
	if (!table.slots)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	dt_stacks_iter_init(&it, st, 0, dt_stacks_nr_samples(st));
	while ((rc = dt_stacks_iter_next(&it, &s, e2, sizeof(e2))) > 0) {
		rc = key_count(&table, roots ? dt_phases_find(p->phases, s.time_ns) : -1, s.thread,
			       s.node);
		if (rc)
			break;
	}
	if (rc < 0) {
		free(table.slots);
		return rc == -ENOMEM ? dt_fail(err, errlen, rc, "out of memory") :
				       dt_fail(err, errlen, rc, "%s", e2);
	}
	lines = malloc((table.used ? table.used : 1) * sizeof(*lines));
	if (!lines) {
		free(table.slots);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i <= table.mask && !rc; i++) {
		const struct key *k = &table.slots[i];
		if (!k->count)
			continue;
		char *buf = NULL, label[160];
		size_t len = 0, cap = 0;
		int sep = 0;
		if (roots) {
			uint64_t at = k->phase < 0 ? UINT64_MAX :
				      dt_phases_get(p->phases, (size_t)k->phase)->start_ns;
			dt_stacks_profile_phase_label(p, at, NULL, label, sizeof(label));
			append_frame(&buf, &len, &cap, label, sep);
			sep = 1;
		}
		const struct dt_stack_thread *th = dt_stacks_thread(st, k->thread);
		append_frame(&buf, &len, &cap, th->comm && *th->comm ? th->comm : "[unknown]", sep);
		sep = 1;
		uint32_t depth = dt_stacks_node(st, k->node)->depth;
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
		dt_stacks_path(st, k->node, path, cap_path);
		for (uint32_t d = 0; d < depth; d++)
			append_frame(&buf, &len, &cap, dt_stacks_frame_symbol(st, path[d]), 1);
		if (!buf || len + 1 > cap) {
			free(buf);
			rc = -ENOMEM;
			break;
		}
		lines[nl++] = (struct line){ buf, k->count };
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
	free(table.slots);
	free(path);
	if (rc)
		return dt_fail(err, errlen, rc, "out of memory");
	if (ferror(out))
		return dt_fail(err, errlen, -EIO, "write error");
	return 0;
}
