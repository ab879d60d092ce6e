// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include "test_format_util.h"

#include <check.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

void ft_text_printf(struct ft_text *t, const char *fmt, ...)
{
	va_list ap;

	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		ck_assert_int_ge(n, 0);
		if (t->p && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = t->cap ? t->cap : 4096;
		while (cap - t->len <= (size_t)n)
			cap *= 2;
		t->p = realloc(t->p, cap);
		ck_assert_ptr_nonnull(t->p);
		t->cap = cap;
	}
}

void ft_text_free(struct ft_text *t)
{
	free(t->p);
	memset(t, 0, sizeof(*t));
}

void ft_text_item(struct ft_text *t, const struct dtr_item *it)
{
	ft_text_printf(t, "%s", dtr_item_type_name(it->type));
	switch (it->type) {
	case DTR_ITEM_META:
		for (size_t i = 0; i < it->u.meta.nr; i++)
			ft_text_printf(t, " [%s]=[%s]", it->u.meta.kvs[i].key, it->u.meta.kvs[i].value);
		break;
	case DTR_ITEM_CONTEXT: {
		const struct dtr_context *c = &it->u.context;
		ft_text_printf(t, " %u/%u %s min=%" PRIu64 " max=%" PRIu64, c->kdamond, c->context,
			    dtr_ops_name(c->ops), c->min_nr_regions, c->max_nr_regions);
		for (size_t i = 0; i < c->nr_targets; i++)
			ft_text_printf(t, " t%u:id=%" PRIu64 ",pid=%" PRId64 ",cmd=[%s]",
				    c->targets[i].index, c->targets[i].id, c->targets[i].pid,
				    c->targets[i].cmdline);
		break;
	}
	case DTR_ITEM_INTERVALS: {
		const struct dtr_intervals *v = &it->u.intervals;
		ft_text_printf(t, " %u/%u t=%" PRIu64 " s=%" PRIu64 " a=%" PRIu64 " u=%" PRIu64,
			    v->kdamond, v->context, v->time_ns, v->sample_us, v->aggr_us,
			    v->update_us);
		break;
	}
	case DTR_ITEM_CLOCKS: {
		const struct dtr_clocks *c = &it->u.clocks;
		ft_text_printf(t, " %s [%s] has=%u m=%" PRIu64 " p=%" PRIu64 " r=%" PRIu64,
			    dtr_clock_name(c->clock), c->label, c->has, c->monotonic_ns,
			    c->perf_ns, c->realtime_ns);
		break;
	}
	case DTR_ITEM_SNAPSHOT: {
		const struct dtr_snapshot *s = &it->u.snapshot;
		ft_text_printf(t, " %" PRIu64 "-%" PRIu64 " %u/%u/%u f=%u %s/%s n=%" PRIu64,
			    s->start_ns, s->end_ns, s->kdamond, s->context, s->target, s->flags,
			    dtr_unit_name(s->access_unit), dtr_unit_name(s->age_unit),
			    s->nr_regions);
		for (uint64_t i = 0; i < s->nr_regions; i++) {
			const struct dtr_region *r = &s->regions[i];
			ft_text_printf(t, " %" PRIx64 "-%" PRIx64, r->start, r->end);
			if (s->access_unit)
				ft_text_printf(t, ":%u", r->nr_accesses);
			if (s->age_unit)
				ft_text_printf(t, ":%u", r->age);
		}
		break;
	}
	case DTR_ITEM_FRAME:
		ft_text_printf(t, " %u [%s] [%s] [%s]", it->u.frame.id, it->u.frame.symbol,
			    it->u.frame.dso, it->u.frame.srcline);
		break;
	case DTR_ITEM_STACK: {
		const struct dtr_stack *s = &it->u.stack;
		ft_text_printf(t, " t=%" PRIu64 " %d/%d cpu=%u w=%" PRIu64 " :", s->time_ns, s->pid,
			    s->tid, s->cpu, s->weight);
		for (uint32_t i = 0; i < s->nr_frames; i++)
			ft_text_printf(t, " %u", s->frames[i]);
		break;
	}
	case DTR_ITEM_THREAD:
		ft_text_printf(t, " %d/%d [%s]", it->u.thread.pid, it->u.thread.tid, it->u.thread.comm);
		break;
	case DTR_ITEM_MAPS:
		ft_text_printf(t, " t=%" PRIu64 " pid=%d", it->u.maps.time_ns, it->u.maps.pid);
		for (size_t i = 0; i < it->u.maps.nr; i++) {
			const struct dtr_map_entry *e = &it->u.maps.entries[i];
			ft_text_printf(t, " %" PRIx64 "-%" PRIx64 "@%" PRIx64 ":%s:[%s]", e->start, e->end,
				    e->offset, e->perms, e->path);
		}
		break;
	case DTR_ITEM_FOOTPRINT: {
		const struct dtr_footprint *f = &it->u.footprint;
		ft_text_printf(t, " t=%" PRIu64 " %u/%u/%u pid=%d has=%u statm=%" PRIu64 ",%" PRIu64
			       ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 " swap=%" PRIu64 " stat=%" PRIu64
			       ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 " mem=%" PRIu64 ",%" PRIu64
			       ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
			       f->time_ns, f->kdamond, f->context, f->target, f->pid, f->has, f->size,
			       f->resident, f->shared, f->text, f->data, f->swap, f->utime_ns,
			       f->stime_ns, f->minflt, f->majflt, f->threads, f->mem_total, f->mem_free,
			       f->mem_available, f->mem_buffers, f->mem_cached);
		break;
	}
	case DTR_ITEM_END:
		ft_text_printf(t, " snapshots=%" PRIu64 " regions=%" PRIu64 " stacks=%" PRIu64,
			    it->u.end.nr_snapshots, it->u.end.nr_regions, it->u.end.nr_stacks);
		break;
	}
	ft_text_printf(t, "\n");
}

int ft_read_all(const char *path, const struct dtr_reader_opts *opts, struct ft_text *t,
	     struct dtr_reader_status *st, char *err, size_t errlen)
{
	struct dtr_reader *r;
	struct dtr_item item;
	int ret = dtr_reader_open(&r, path, opts, err, errlen);

	if (st)
		memset(st, 0, sizeof(*st));
	if (ret)
		return ret;
	while ((ret = dtr_reader_next(r, &item, err, errlen)) > 0)
		if (t)
			ft_text_item(t, &item);
	if (st)
		dtr_reader_status(r, st);
	dtr_reader_close(r);
	return ret;
}

unsigned char *ft_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *p = malloc(n ? (size_t)n : 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

void ft_spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot create %s", path);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

const char *ft_tmp_path(const char *name)
{
	static char dir[256], paths[8][512];
	static unsigned next;
	char *path = paths[next++ % 8];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/dt-format-XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		ck_assert_ptr_nonnull(mkdtemp(dir));
	}
	snprintf(path, sizeof(paths[0]), "%s/%s", dir, name);
	return path;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void ft_tmp_cleanup(void)
{
	const char *p = ft_tmp_path("x");
	char dir[512];

	snprintf(dir, sizeof(dir), "%s", p);
	*strrchr(dir, '/') = 0;
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
