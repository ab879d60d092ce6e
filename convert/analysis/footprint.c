// SPDX-License-Identifier: GPL-2.0-only
/*
 * The targets' resident set size over time from FOOTPRINT items, per
 * target and summed (footprint.h).
 */
#include "footprint.h"
#include "grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void dt_rss_init(struct dt_rss *r, int keep)
{
	memset(r, 0, sizeof(*r));
	r->keep = keep;
}

static int push(struct dt_rss_series *s, int keep, uint64_t time_ns, uint64_t rss)
{
	if (s->have_latest) {
		s->prev_ns = s->latest.time_ns;
		s->have_prev = 1;
	}
	s->have_latest = 1;
	s->latest = (struct dt_rss_point){ time_ns, rss };
	if (!keep)
		return 0;
	if (DT_GROW(s->v, s->cap, s->nr + 1))
		return -ENOMEM;
	s->v[s->nr++] = s->latest;
	return 0;
}

static struct dt_rss_series *series_of(struct dt_rss *r, const struct dtr_footprint *f)
{
	for (size_t i = 0; i < r->nr; i++) {
		struct dt_rss_series *s = &r->targets[i];
		if (s->kdamond == f->kdamond && s->context == f->context && s->target == f->target)
			return s;
	}
	if (DT_GROW(r->targets, r->cap, r->nr + 1))
		return NULL;
	struct dt_rss_series *s = &r->targets[r->nr++];
	*s = (struct dt_rss_series){ .kdamond = f->kdamond, .context = f->context,
				     .target = f->target, .pid = f->pid };
	return s;
}

/* A target counts in the total at `now` unless its footprints stopped:
 * its latest is older than twice its own interval. */
static int current(const struct dt_rss_series *s, uint64_t now)
{
	if (!s->have_prev || now <= s->latest.time_ns)
		return 1;
	return now - s->latest.time_ns <= 2 * (s->latest.time_ns - s->prev_ns);
}

int dt_rss_add(struct dt_rss *r, const struct dtr_item *item)
{
	if (item->type != DTR_ITEM_FOOTPRINT ||
	    !(item->u.footprint.has & DTR_FOOTPRINT_STATM))
		return 0;
	const struct dtr_footprint *f = &item->u.footprint;
	struct dt_rss_series *s = series_of(r, f);
	if (!s || push(s, r->keep, f->time_ns, f->resident))
		return -ENOMEM;
	uint64_t total = 0;
	for (size_t i = 0; i < r->nr; i++)
		if (current(&r->targets[i], f->time_ns))
			total += r->targets[i].latest.rss;
	return push(&r->total, r->keep, f->time_ns, total) ? -ENOMEM : 1;
}

const struct dt_rss_series *dt_rss_find(const struct dt_rss *r, uint32_t kdamond,
					uint32_t context, uint32_t target)
{
	for (size_t i = 0; i < r->nr; i++) {
		const struct dt_rss_series *s = &r->targets[i];
		if (s->kdamond == kdamond && s->context == context && s->target == target)
			return s;
	}
	return NULL;
}

void dt_rss_free(struct dt_rss *r)
{
	for (size_t i = 0; i < r->nr; i++)
		free(r->targets[i].v);
	free(r->targets);
	free(r->total.v);
	memset(r, 0, sizeof(*r));
}
