// SPDX-License-Identifier: GPL-2.0-only
/*
 * FlameGraph folded stacks export (stacks_out.h): one line per distinct
 * (phase, process name, call path), root first, `;`-separated, then a space
 * and the summed weight; frames named by stackcollapse-perf.pl's rules
 * (folded_names.h); lines sorted as the script sorts them (byte order).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "folded_names.h"
#include "grow.h"
#include "stacks_out.h"

/* Sample weights summed by (phase, thread, call path) in an
 * open-addressing table: memory grows with the distinct stacks, not with
 * the samples. */
struct key {
	long phase;
	uint32_t thread, node;
	uint64_t count; /* summed weight, at least 1; 0: free slot */
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

static int key_count(struct key_table *t, long phase, uint32_t thread, uint32_t node,
		     uint64_t weight)
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
	k->count += weight;
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

/* What one folded export needs: the profile, its options, and the frame
 * names made so far (frames repeat across stacks: each is named once per
 * kind of process, java or not). */
struct fold {
	const struct dt_stacks_profile *p;
	const struct dt_stacks_out_opts *o;
	struct dt_folded_naming naming;
	int roots;
	struct frame_name {
		char *name;
		int state; /* 0: not made yet, 1: name, 2: frame dropped */
	} *names[2];
	uint32_t *path;
	size_t cap_path;
};

static void fold_free(struct fold *f)
{
	uint32_t n = dt_stacks_nr_frames(f->p->stacks);
	for (int j = 0; j < 2; j++) {
		for (uint32_t i = 0; f->names[j] && i < n; i++)
			free(f->names[j][i].name);
		free(f->names[j]);
	}
	free(f->path);
}

static void fold_init(struct fold *f, const struct dt_stacks_profile *p,
		      const struct dt_stacks_out_opts *o)
{
	static const struct dt_stacks_out_opts none;
	memset(f, 0, sizeof(*f));
	f->p = p;
	f->o = o ? o : &none;
	f->naming = (struct dt_folded_naming){ f->o->keep_args, f->o->kernel, f->o->jit,
					       f->o->addrs };
	f->roots = p->has_damon && !f->o->no_phase_roots && !f->o->phase;
}

/* Append frame `id`'s folded name(s) to b, `;` first. */
static int add_frame(struct fold *f, struct dt_fbuf *b, uint32_t id, int java)
{
	if (!f->names[java]) { /* made on first use: most profiles have no java */
		uint32_t n = dt_stacks_nr_frames(f->p->stacks);
		f->names[java] = calloc(n ? n : 1, sizeof(*f->names[java]));
		if (!f->names[java])
			return -ENOMEM;
	}
	struct frame_name *fn = &f->names[java][id];
	if (!fn->state) {
		struct dt_fbuf nb = { NULL, 0, 0 };
		const struct dt_stacks *st = f->p->stacks;
		int rc = dt_folded_frame(&nb, dt_stacks_frame_symbol(st, id),
					 dt_stacks_frame_dso(st, id), java, &f->naming);
		if (rc < 0) {
			free(nb.p);
			return rc;
		}
		fn->name = nb.p;
		fn->state = rc == 1 ? 2 : 1;
	}
	if (fn->state == 2)
		return 0;
	if (dt_fbuf_add(b, ";", 1))
		return -ENOMEM;
	/* FlameGraph splits on ';' and the count on the last space. */
	for (const char *c = fn->name ? fn->name : ""; *c; c++) {
		char ch = *c == '\n' || *c == '\t' ? ' ' : *c;
		if (dt_fbuf_add(b, &ch, 1))
			return -ENOMEM;
	}
	return 0;
}

/* The text of one key's line (without its count), into *text. */
static int line_text(struct fold *f, const struct key *k, char **text)
{
	const struct dt_stacks *st = f->p->stacks;
	struct dt_fbuf b = { NULL, 0, 0 };
	int rc = 0;
	if (f->roots) {
		char label[160];
		uint64_t at = k->phase < 0 ? UINT64_MAX :
			      dt_phases_get(f->p->phases, (size_t)k->phase)->start_ns;
		dt_stacks_profile_phase_label(f->p, at, NULL, label, sizeof(label));
		for (char *c = label; *c; c++)
			*c = *c == ';' ? ':' : *c;
		rc = dt_fbuf_add(&b, label, strlen(label)) || dt_fbuf_add(&b, ";", 1);
	}
	const struct dt_stack_thread *th = dt_stacks_thread(st, k->thread);
	size_t pname = b.len;
	if (!rc)
		rc = dt_folded_process(&b, th->comm, th->pid, th->tid, f->o->with_pid,
				       f->o->with_tid);
	int java = !rc && !strncmp(b.p + pname, "java", 4);
	uint32_t depth = dt_stacks_node(st, k->node)->depth;
	if (!rc)
		rc = DT_GROW(f->path, f->cap_path, depth) ? 1 : 0;
	if (!rc)
		dt_stacks_path(st, k->node, f->path, depth);
	for (uint32_t d = 0; d < depth && !rc; d++)
		rc = add_frame(f, &b, f->path[d], java);
	if (rc) {
		free(b.p);
		return -ENOMEM;
	}
	*text = b.p;
	return 0;
}

/* Sum the samples' weights by key into t. */
static int count_samples(struct fold *f, struct key_table *t, char *err, size_t errlen)
{
	const struct dt_stacks *st = f->p->stacks;
	struct dt_stacks_iter it;
	struct dt_stack_sample s;
	char e2[256];
	int rc;
	dt_stacks_iter_init(&it, st, 0, dt_stacks_nr_samples(st));
	it.raw_weights = 1;
	while ((rc = dt_stacks_iter_next(&it, &s, e2, sizeof(e2))) > 0) {
		long phase = f->roots || f->o->phase ? dt_phases_find(f->p->phases, s.time_ns) : -1;
		if (f->o->phase && phase != (long)f->o->phase - 1)
			continue;
		uint64_t w = f->o->weight_samples || !s.weight ? 1 : s.weight;
		if (key_count(t, phase, s.thread, s.node, w))
			return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	return rc < 0 ? dt_fail(err, errlen, rc, "%s", e2) : 0;
}

static void free_lines(struct line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
}

/* Merge the lines of equal text (several threads of one comm) of sorted
 * lines[0..*n); *n becomes the number of distinct lines. */
static void merge_equal(struct line *lines, size_t *n)
{
	size_t w = 0;
	for (size_t i = 0; i < *n; i++) {
		if (w && !strcmp(lines[w - 1].text, lines[i].text)) {
			lines[w - 1].count += lines[i].count;
			free(lines[i].text);
		} else {
			lines[w++] = lines[i];
		}
	}
	*n = w;
}

static int check_phase(const struct dt_stacks_profile *p, size_t phase, char *err,
		       size_t errlen)
{
	size_t n = p->has_damon ? dt_phases_count(p->phases) : 0;
	if (!phase || phase <= n)
		return 0;
	if (!p->has_damon)
		return dt_fail(err, errlen, -EINVAL, "--phase %zu: no DAMON record, so no phases",
			       phase);
	return dt_fail(err, errlen, -EINVAL, "--phase %zu: the record has %zu phase%s", phase, n,
		       n == 1 ? "" : "s");
}

/* The profile's folded lines, sorted and distinct, into *out (caller
 * frees with free_lines). */
static int folded_lines(const struct dt_stacks_profile *p, const struct dt_stacks_out_opts *o,
			struct line **out, size_t *nout, char *err, size_t errlen)
{
	struct key_table table = { NULL, 1023, 0 };
	struct line *lines = NULL;
	size_t nl = 0;
	struct fold f;
	int rc = check_phase(p, o ? o->phase : 0, err, errlen);
	if (rc)
		return rc;
	table.slots = calloc(table.mask + 1, sizeof(struct key));
	fold_init(&f, p, o);
	if (!table.slots) {
		free(table.slots);
		fold_free(&f);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	rc = count_samples(&f, &table, err, errlen);
	if (!rc) {
		lines = malloc((table.used ? table.used : 1) * sizeof(*lines));
		rc = lines ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i <= table.mask && !rc; i++) {
		const struct key *k = &table.slots[i];
		if (!k->count)
			continue;
		rc = line_text(&f, k, &lines[nl].text);
		if (!rc)
			lines[nl++].count = k->count;
	}
	free(table.slots);
	fold_free(&f);
	if (rc) {
		free_lines(lines, nl);
		return rc == -ENOMEM ? dt_fail(err, errlen, rc, "out of memory") : rc;
	}
	if (nl)
		qsort(lines, nl, sizeof(*lines), cmp_line);
	merge_equal(lines, &nl);
	*out = lines;
	*nout = nl;
	return 0;
}

int dt_out_folded(FILE *out, const struct dt_stacks_profile *p,
		  const struct dt_stacks_out_opts *o, char *err, size_t errlen)
{
	struct line *lines;
	size_t n;
	int rc = folded_lines(p, o, &lines, &n, err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s %" PRIu64 "\n", lines[i].text, lines[i].count);
	free_lines(lines, n);
	if (ferror(out))
		return dt_fail(err, errlen, -EIO, "write error");
	return 0;
}

int dt_out_folded_diff(FILE *out, const struct dt_stacks_profile *a,
		       const struct dt_stacks_profile *b, const struct dt_stacks_out_opts *o,
		       char *err, size_t errlen)
{
	struct line *la, *lb;
	size_t na, nb, i = 0, j = 0;
	int rc = folded_lines(a, o, &la, &na, err, errlen);
	if (rc)
		return rc;
	rc = folded_lines(b, o, &lb, &nb, err, errlen);
	if (rc) {
		free_lines(la, na);
		return rc;
	}
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(la[i].text, lb[j].text);
		const char *text = c <= 0 ? la[i].text : lb[j].text;
		uint64_t ca = c <= 0 ? la[i++].count : 0, cb = c >= 0 ? lb[j++].count : 0;
		fprintf(out, "%s %" PRIu64 " %" PRIu64 "\n", text, ca, cb);
	}
	free_lines(la, na);
	free_lines(lb, nb);
	if (ferror(out))
		return dt_fail(err, errlen, -EIO, "write error");
	return 0;
}
