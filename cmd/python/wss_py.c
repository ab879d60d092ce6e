// SPDX-License-Identifier: GPL-2.0-only
/* The Python module's WSS pass (dtpy.h): the rest of a Reader's input
 * through convert/analysis/wss.h, as damo-wss computes it, into numpy
 * columns per target and for all targets collapsed into one. */
#include "dtpy.h"

#include <errno.h>
#include <stdlib.h>

#include "report.h"
#include "wss.h"

enum { WC_START, WC_END, WC_WSS };

/* A series as a dict of numpy columns start, end, wss. */
static PyObject *series_dict(const struct dt_wss_series *s)
{
	struct dtpy_table t = { 0 };

	dtpy_table_add(&t, "start", NPY_UINT64, 0);
	dtpy_table_add(&t, "end", NPY_UINT64, 0);
	dtpy_table_add(&t, "wss", NPY_UINT64, 0);
	if (dtpy_table_reserve(&t, s->nr))
		return NULL;
	for (size_t i = 0; i < s->nr; i++) {
		DTPY_COL(&t, WC_START, uint64_t)[i] = s->v[i].start_ns;
		DTPY_COL(&t, WC_END, uint64_t)[i] = s->v[i].end_ns;
		DTPY_COL(&t, WC_WSS, uint64_t)[i] = s->v[i].wss;
	}
	t.n = s->nr;
	return dtpy_table_take(&t);
}

/* [(kdamond, context, target, id, pid, series dict), ...] */
static PyObject *per_target(const struct dt_wss *w)
{
	PyObject *list = PyList_New(0);

	for (size_t i = 0; list && i < dt_wss_nr_targets(w); i++) {
		const struct dt_target_info *t = dt_wss_target(w, i);
		PyObject *v = Py_BuildValue("(IIIKLN)", t->kdamond, t->context, t->target,
					    (unsigned long long)t->id, (long long)t->pid,
					    series_dict(dt_wss_series(w, i)));
		if (!v || PyList_Append(list, v))
			Py_CLEAR(list);
		Py_XDECREF(v);
	}
	return list;
}

static PyObject *collapsed(const struct dt_wss *w)
{
	struct dt_wss_series s = { 0 };

	/* a time series: the targets' sizes at the same index, unsorted */
	if (dt_wss_collapsed(w, 0, &s))
		return PyErr_NoMemory();
	PyObject *d = series_dict(&s);
	free(s.v);
	return d;
}

/* Feed the rest of the input to w.  0 or -1. */
static int feed(struct dtpy_reader *r, struct dt_wss *w)
{
	char err[512];
	uint64_t n = 0;
	int ret;

	if (r->have_item && dt_wss_add(w, &r->item, err, sizeof(err)))
		return dtpy_raise(-ENOMEM, err);
	while ((ret = dtpy_reader_next(r)) == 1) {
		if (dt_wss_add(w, &r->item, err, sizeof(err)))
			return dtpy_raise(-ENOMEM, err);
		if ((++n & 4095) == 0 && PyErr_CheckSignals())
			return -1;
	}
	return ret;
}

PyObject *dtpy_reader_wss(struct dtpy_reader *r, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "exclude_samples", "acc_thres", "sz_thres", "work_time_us",
				  NULL };
	struct dt_wss_opts o = DT_WSS_OPTS_DEFAULT;
	unsigned long long exclude = o.exclude_samples;
	long long acc = o.acc_thres, sz = o.sz_thres, work = o.work_time_us;
	struct dt_wss *w;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|KLLL", kwlist, &exclude, &acc, &sz, &work))
		return NULL;
	if (!r->in) {
		PyErr_SetString(PyExc_ValueError, "the Reader is closed");
		return NULL;
	}
	o = (struct dt_wss_opts){ acc, sz, exclude, work };
	if (dt_wss_new(&w, &o))
		return PyErr_NoMemory();
	PyObject *res = NULL;
	if (!feed(r, w))
		res = Py_BuildValue("(NN)", per_target(w), collapsed(w));
	dt_wss_free(w);
	return res;
}
