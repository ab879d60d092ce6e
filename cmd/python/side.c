// SPDX-License-Identifier: GPL-2.0-only
/* The Python module's side collector (dtpy.h): what a record holds besides
 * regions (metadata, targets, intervals, clocks, maps, threads, frames,
 * callstack samples, memory footprints), gathered as Python objects while a
 * pass reads it. */
#include "dtpy.h"

#include <string.h>

enum { ST_TIME, ST_PID, ST_TID, ST_CPU, ST_WEIGHT, ST_FIRST, ST_NR };

int dtpy_side_init(struct dtpy_side *s)
{
	*s = (struct dtpy_side){ 0 };
	s->meta = PyDict_New();
	s->contexts = PyDict_New();
	s->intervals = PyList_New(0);
	s->clocks = PyList_New(0);
	s->maps = PyList_New(0);
	s->threads = PyList_New(0);
	s->frames = PyList_New(0);
	s->footprints = PyList_New(0);
	s->end = Py_None;
	Py_INCREF(Py_None);
	dtpy_table_add(&s->stacks, "time", NPY_UINT64, 0);
	dtpy_table_add(&s->stacks, "pid", NPY_INT32, 0);
	dtpy_table_add(&s->stacks, "tid", NPY_INT32, 0);
	dtpy_table_add(&s->stacks, "cpu", NPY_UINT32, 0);
	dtpy_table_add(&s->stacks, "weight", NPY_UINT64, 0);
	dtpy_table_add(&s->stacks, "first", NPY_UINT64, 0);
	dtpy_table_add(&s->stacks, "nr_frames", NPY_UINT32, 0);
	dtpy_table_add(&s->frame_ids, "frame", NPY_UINT32, 0);
	if (!s->meta || !s->contexts || !s->intervals || !s->clocks || !s->maps ||
	    !s->threads || !s->frames || !s->footprints)
		return -1;
	return 0;
}

void dtpy_side_free(struct dtpy_side *s)
{
	Py_CLEAR(s->meta);
	Py_CLEAR(s->contexts);
	Py_CLEAR(s->intervals);
	Py_CLEAR(s->clocks);
	Py_CLEAR(s->maps);
	Py_CLEAR(s->threads);
	Py_CLEAR(s->frames);
	Py_CLEAR(s->footprints);
	Py_CLEAR(s->end);
	dtpy_table_free(&s->stacks);
	dtpy_table_free(&s->frame_ids);
}

/* Append a new reference to a list, dropping it; NULL is an error. */
static int append_new(PyObject *list, PyObject *obj)
{
	if (!obj)
		return -1;
	int ret = PyList_Append(list, obj);
	Py_DECREF(obj);
	return ret;
}

static int note_meta(struct dtpy_side *s, const struct dtr_meta *m)
{
	for (size_t i = 0; i < m->nr; i++) {
		PyObject *v = PyUnicode_DecodeUTF8(m->kvs[i].value, (Py_ssize_t)strlen(m->kvs[i].value),
						   "surrogateescape");
		if (!v)
			return -1;
		int ret = PyDict_SetItemString(s->meta, m->kvs[i].key, v);
		Py_DECREF(v);
		if (ret)
			return -1;
	}
	return 0;
}

/* A str from C text that need not be UTF-8 (paths, symbols). */
static PyObject *text(const char *t)
{
	return PyUnicode_DecodeUTF8(t ? t : "", (Py_ssize_t)strlen(t ? t : ""), "surrogateescape");
}

static int note_context(struct dtpy_side *s, const struct dtr_context *c)
{
	PyObject *targets = PyList_New(0);

	if (!targets)
		return -1;
	for (size_t i = 0; i < c->nr_targets; i++) {
		const struct dtr_target *t = &c->targets[i];
		PyObject *cmd = text(t->cmdline);
		if (!cmd || append_new(targets, Py_BuildValue("(IKLN)", t->index,
							       (unsigned long long)t->id,
							       (long long)t->pid, cmd))) {
			Py_DECREF(targets);
			return -1;
		}
	}
	PyObject *key = Py_BuildValue("(II)", c->kdamond, c->context);
	PyObject *val = Py_BuildValue("(sKKN)", dtr_ops_name(c->ops),
				      (unsigned long long)c->min_nr_regions,
				      (unsigned long long)c->max_nr_regions, targets);
	int ret = key && val ? PyDict_SetItem(s->contexts, key, val) : -1;
	Py_XDECREF(key);
	Py_XDECREF(val);
	return ret;
}

static int note_intervals(struct dtpy_side *s, const struct dtr_intervals *v)
{
	return append_new(s->intervals,
			  Py_BuildValue("(IIKKKK)", v->kdamond, v->context,
					(unsigned long long)v->time_ns, (unsigned long long)v->sample_us,
					(unsigned long long)v->aggr_us, (unsigned long long)v->update_us));
}

/* A clock reading, or None when the reading is absent. */
static PyObject *reading(uint32_t has, uint32_t bit, uint64_t v)
{
	if (has & bit)
		return PyLong_FromUnsignedLongLong(v);
	Py_RETURN_NONE;
}

static int note_clocks(struct dtpy_side *s, const struct dtr_clocks *c)
{
	return append_new(s->clocks,
			  Py_BuildValue("(NsNNN)", text(c->label), dtr_clock_name(c->clock),
					reading(c->has, DTR_HAS_MONOTONIC, c->monotonic_ns),
					reading(c->has, DTR_HAS_PERF, c->perf_ns),
					reading(c->has, DTR_HAS_REALTIME, c->realtime_ns)));
}

static int note_maps(struct dtpy_side *s, const struct dtr_maps *m)
{
	for (size_t i = 0; i < m->nr; i++) {
		const struct dtr_map_entry *e = &m->entries[i];
		if (append_new(s->maps, Py_BuildValue("(KiKKKsN)", (unsigned long long)m->time_ns,
						      (int)m->pid, (unsigned long long)e->start,
						      (unsigned long long)e->end,
						      (unsigned long long)e->offset, e->perms,
						      text(e->path))))
			return -1;
	}
	return 0;
}

static int note_frame(struct dtpy_side *s, const struct dtr_frame *f)
{
	return append_new(s->frames, Py_BuildValue("(INNN)", f->id, text(f->symbol), text(f->dso),
						   text(f->srcline)));
}

static int note_stack(struct dtpy_side *s, const struct dtr_stack *k)
{
	struct dtpy_table *t = &s->stacks, *f = &s->frame_ids;

	if (dtpy_table_reserve(t, t->n + 1) || dtpy_table_reserve(f, f->n + k->nr_frames))
		return -1;
	size_t i = t->n++;
	DTPY_COL(t, ST_TIME, uint64_t)[i] = k->time_ns;
	DTPY_COL(t, ST_PID, int32_t)[i] = k->pid;
	DTPY_COL(t, ST_TID, int32_t)[i] = k->tid;
	DTPY_COL(t, ST_CPU, uint32_t)[i] = k->cpu;
	DTPY_COL(t, ST_WEIGHT, uint64_t)[i] = k->weight;
	DTPY_COL(t, ST_FIRST, uint64_t)[i] = f->n;
	DTPY_COL(t, ST_NR, uint32_t)[i] = k->nr_frames;
	memcpy(DTPY_COL(f, 0, uint32_t) + f->n, k->frames, k->nr_frames * sizeof(uint32_t));
	f->n += k->nr_frames;
	return 0;
}

/* One FOOTPRINT item: the target, which groups were read (`has`,
 * DTR_FOOTPRINT_*) and every value (0 in a group not read). */
static int note_footprint(struct dtpy_side *s, const struct dtr_footprint *f)
{
	return append_new(s->footprints,
			  Py_BuildValue("(KIIIiIKKKKKKKKKKKKKKKK)", (unsigned long long)f->time_ns,
					f->kdamond, f->context, f->target, (int)f->pid, f->has,
					(unsigned long long)f->size, (unsigned long long)f->resident,
					(unsigned long long)f->shared, (unsigned long long)f->text,
					(unsigned long long)f->data, (unsigned long long)f->swap,
					(unsigned long long)f->utime_ns, (unsigned long long)f->stime_ns,
					(unsigned long long)f->minflt, (unsigned long long)f->majflt,
					(unsigned long long)f->threads,
					(unsigned long long)f->mem_total, (unsigned long long)f->mem_free,
					(unsigned long long)f->mem_available,
					(unsigned long long)f->mem_buffers,
					(unsigned long long)f->mem_cached));
}

static int note_end(struct dtpy_side *s, const struct dtr_end *e)
{
	PyObject *v = Py_BuildValue("(KKK)", (unsigned long long)e->nr_snapshots,
				    (unsigned long long)e->nr_regions,
				    (unsigned long long)e->nr_stacks);
	if (!v)
		return -1;
	Py_SETREF(s->end, v);
	return 0;
}

int dtpy_side_note(struct dtpy_side *s, const struct dtr_item *item)
{
	switch (item->type) {
	case DTR_ITEM_SNAPSHOT:
		s->nr_snapshots++;
		s->nr_regions += item->u.snapshot.nr_regions;
		return 0;
	case DTR_ITEM_META:
		return note_meta(s, &item->u.meta);
	case DTR_ITEM_CONTEXT:
		return note_context(s, &item->u.context);
	case DTR_ITEM_INTERVALS:
		return note_intervals(s, &item->u.intervals);
	case DTR_ITEM_CLOCKS:
		return note_clocks(s, &item->u.clocks);
	case DTR_ITEM_MAPS:
		return note_maps(s, &item->u.maps);
	case DTR_ITEM_THREAD:
		return append_new(s->threads, Py_BuildValue("(iiN)", (int)item->u.thread.pid,
							    (int)item->u.thread.tid,
							    text(item->u.thread.comm)));
	case DTR_ITEM_FRAME:
		return note_frame(s, &item->u.frame);
	case DTR_ITEM_STACK:
		return note_stack(s, &item->u.stack);
	case DTR_ITEM_END:
		return note_end(s, &item->u.end);
	case DTR_ITEM_FOOTPRINT:
		return note_footprint(s, &item->u.footprint);
	}
	return 0;
}

/* d[key] = value, dropping the new reference `value`. */
static int set_new(PyObject *d, const char *key, PyObject *value)
{
	if (!value)
		return -1;
	int ret = PyDict_SetItemString(d, key, value);
	Py_DECREF(value);
	return ret;
}

PyObject *dtpy_side_dict(struct dtpy_side *s)
{
	PyObject *d = PyDict_New();

	if (!d)
		return NULL;
	if (PyDict_SetItemString(d, "meta", s->meta) ||
	    PyDict_SetItemString(d, "contexts", s->contexts) ||
	    PyDict_SetItemString(d, "intervals", s->intervals) ||
	    PyDict_SetItemString(d, "clocks", s->clocks) ||
	    PyDict_SetItemString(d, "maps", s->maps) ||
	    PyDict_SetItemString(d, "threads", s->threads) ||
	    PyDict_SetItemString(d, "frames", s->frames) ||
	    PyDict_SetItemString(d, "footprints", s->footprints) ||
	    PyDict_SetItemString(d, "end", s->end) ||
	    set_new(d, "stacks", dtpy_table_take(&s->stacks)) ||
	    set_new(d, "frame_ids", dtpy_table_take(&s->frame_ids)) ||
	    set_new(d, "nr_snapshots", PyLong_FromUnsignedLongLong(s->nr_snapshots)) ||
	    set_new(d, "nr_regions", PyLong_FromUnsignedLongLong(s->nr_regions))) {
		Py_DECREF(d);
		return NULL;
	}
	return d;
}
