// SPDX-License-Identifier: GPL-2.0-only
/* The Python module's Reader type (dtpy.h): one pass over any input
 * convert/input reads, delivering regions as numpy columns filled in bulk
 * (whole record or chunks), snapshots one at a time, and the side items. */
#include "dtpy.h"

#include <string.h>

/* Columns of a regions table, in dtpy_table order. */
enum { RC_TIME, RC_KDAMOND, RC_CONTEXT, RC_TARGET, RC_START, RC_END, RC_ACC, RC_AGE,
       RC_ACC_ABSENT, RC_AGE_ABSENT };

/* The numpy dtype of one region of a snapshot: struct dtr_region's bytes. */
static PyArray_Descr *region_descr;

_Static_assert(sizeof(struct dtr_region) == 24 && offsetof(struct dtr_region, end) == 8 &&
		       offsetof(struct dtr_region, nr_accesses) == 16 &&
		       offsetof(struct dtr_region, age) == 20,
	       "struct dtr_region is the structured dtype's layout");

int dtpy_reader_next(struct dtpy_reader *r)
{
	char err[512];

	r->have_item = 0;
	r->consumed = 0;
	if (r->at_end)
		return 0;
	r->started = 1;
	int ret = dt_input_next(r->in, &r->item, err, sizeof(err));
	if (ret <= 0) {
		r->at_end = 1;
		return ret < 0 ? dtpy_raise(ret, err) : 0;
	}
	if (dtpy_side_note(&r->side, &r->item)) {
		r->at_end = 1;
		return -1;
	}
	return 1;
}

/* Move to a snapshot with regions left: the current one, or the next.
 * 1: r->item is one; 0: end of input; -1: error. */
static int next_snapshot(struct dtpy_reader *r)
{
	uint64_t seen = 0;

	if (r->have_item)
		return 1;
	for (;;) {
		int ret = dtpy_reader_next(r);
		if (ret <= 0)
			return ret;
		if (r->item.type == DTR_ITEM_SNAPSHOT) {
			r->have_item = 1;
			return 1;
		}
		if ((++seen & 4095) == 0 && PyErr_CheckSignals())
			return -1;
	}
}

static int reader_init(struct dtpy_reader *r, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path", "salvage", "time_from", "time_to", "perf", NULL };
	PyObject *path = NULL;
	int salvage = 0;
	unsigned long long from = 0, to = 0;
	const char *perf = NULL;
	char err[512];

	if (r->in) {
		PyErr_SetString(PyExc_RuntimeError, "Reader is already open");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|pKKz", kwlist, PyUnicode_FSDecoder, &path,
					 &salvage, &from, &to, &perf))
		return -1;
	r->path = path;
	if (dtpy_side_init(&r->side))
		return -1;
	PyObject *bytes = PyUnicode_EncodeFSDefault(path);
	if (!bytes)
		return -1;
	struct dt_input_opts opts = { .salvage = salvage, .time_from_ns = from, .time_to_ns = to,
				      .perf_path = perf };
	int ret = dt_input_open(&r->in, PyBytes_AS_STRING(bytes), &opts, err, sizeof(err));
	Py_DECREF(bytes);
	if (ret) {
		r->in = NULL;
		return dtpy_raise(ret, err);
	}
	return 0;
}

static void reader_dealloc(struct dtpy_reader *r)
{
	if (r->in)
		dt_input_close(r->in);
	dtpy_side_free(&r->side);
	Py_CLEAR(r->path);
	Py_TYPE(r)->tp_free((PyObject *)r);
}

static int check_open(struct dtpy_reader *r)
{
	if (r->in)
		return 0;
	PyErr_SetString(PyExc_ValueError, "the Reader is closed");
	return -1;
}

static void regions_columns(struct dtpy_table *t)
{
	dtpy_table_add(t, "time", NPY_UINT64, 0);
	dtpy_table_add(t, "kdamond", NPY_UINT32, 0);
	dtpy_table_add(t, "context", NPY_UINT32, 0);
	dtpy_table_add(t, "target", NPY_UINT32, 0);
	dtpy_table_add(t, "start", NPY_UINT64, 0);
	dtpy_table_add(t, "end", NPY_UINT64, 0);
	dtpy_table_add(t, "nr_accesses", NPY_UINT32, 0);
	dtpy_table_add(t, "age", NPY_UINT32, 0);
	dtpy_table_add(t, "nr_accesses_absent", NPY_BOOL, 1);
	dtpy_table_add(t, "age_absent", NPY_BOOL, 1);
}

/* Constant columns of k rows from row n. */
static void fill_u64(uint64_t *c, size_t n, size_t k, uint64_t v)
{
	for (size_t i = 0; i < k; i++)
		c[n + i] = v;
}

static void fill_u32(uint32_t *c, size_t n, size_t k, uint32_t v)
{
	for (size_t i = 0; i < k; i++)
		c[n + i] = v;
}

/* Rows n.. of a value column and its absence mask: an absent unit gives
 * zeros and a set mask (enabled on first use; it stays unset for rows of
 * snapshots that have the unit).  0 or -1. */
static int fill_unit(struct dtpy_table *t, size_t col, size_t mask, size_t n, size_t k,
		     enum dtr_unit unit)
{
	int absent = unit == DTR_UNIT_ABSENT;

	if (absent) {
		memset(DTPY_COL(t, col, uint32_t) + n, 0, k * sizeof(uint32_t));
		if (dtpy_table_enable(t, mask))
			return -1;
	}
	if (t->cols[mask].data)
		memset(t->cols[mask].data + n, absent, k);
	return 0;
}

/* Append regions [from, from + k) of snapshot s as rows.  0 or -1. */
static int fill_regions(struct dtpy_table *t, const struct dtr_snapshot *s, uint64_t from,
			size_t k)
{
	size_t n = t->n;

	if (dtpy_table_reserve(t, n + k))
		return -1;
	const struct dtr_region *rg = s->regions + from;
	uint64_t *start = DTPY_COL(t, RC_START, uint64_t), *end = DTPY_COL(t, RC_END, uint64_t);
	uint32_t *acc = DTPY_COL(t, RC_ACC, uint32_t), *age = DTPY_COL(t, RC_AGE, uint32_t);
	for (size_t i = 0; i < k; i++) {
		start[n + i] = rg[i].start;
		end[n + i] = rg[i].end;
		acc[n + i] = rg[i].nr_accesses;
		age[n + i] = rg[i].age;
	}
	fill_u64(DTPY_COL(t, RC_TIME, uint64_t), n, k, s->end_ns);
	fill_u32(DTPY_COL(t, RC_KDAMOND, uint32_t), n, k, s->kdamond);
	fill_u32(DTPY_COL(t, RC_CONTEXT, uint32_t), n, k, s->context);
	fill_u32(DTPY_COL(t, RC_TARGET, uint32_t), n, k, s->target);
	if (fill_unit(t, RC_ACC, RC_ACC_ABSENT, n, k, s->access_unit) ||
	    fill_unit(t, RC_AGE, RC_AGE_ABSENT, n, k, s->age_unit))
		return -1;
	t->n = n + k;
	return 0;
}

/* reader.read_regions(limit=0): the next `limit` regions (0: all the rest)
 * as a dict of numpy columns; fewer only at the end of the input. */
static PyObject *reader_read_regions(struct dtpy_reader *r, PyObject *args)
{
	unsigned long long limit = 0;
	struct dtpy_table t = { 0 };
	uint64_t nr_snap = 0;
	int ret = 0;

	if (!PyArg_ParseTuple(args, "|K", &limit) || check_open(r))
		return NULL;
	regions_columns(&t);
	if (limit && dtpy_table_reserve(&t, limit < (1u << 20) ? (size_t)limit : (1u << 20)))
		return NULL;
	while (!limit || t.n < limit) {
		if ((ret = next_snapshot(r)) <= 0)
			break;
		const struct dtr_snapshot *s = &r->item.u.snapshot;
		uint64_t left = s->nr_regions - r->consumed;
		size_t k = (size_t)(limit && left > limit - t.n ? limit - t.n : left);
		if ((ret = fill_regions(&t, s, r->consumed, k)))
			break;
		r->consumed += k;
		r->have_item = r->consumed < s->nr_regions;
		if ((++nr_snap & 255) == 0 && (ret = PyErr_CheckSignals()))
			break;
	}
	if (ret < 0) {
		dtpy_table_free(&t);
		return NULL;
	}
	return dtpy_table_take(&t);
}

/* The regions of snapshot s from `from` on, as a structured array. */
static PyObject *snapshot_regions(const struct dtr_snapshot *s, uint64_t from)
{
	npy_intp dims[1] = { (npy_intp)(s->nr_regions - from) };

	Py_INCREF(region_descr);
	PyObject *a = PyArray_NewFromDescr(&PyArray_Type, region_descr, 1, dims, NULL, NULL, 0,
					   NULL);
	if (a && dims[0])
		memcpy(PyArray_DATA((PyArrayObject *)a), s->regions + from,
		       (size_t)dims[0] * sizeof(struct dtr_region));
	return a;
}

/* reader.next_snapshot(): (start_ns, end_ns, kdamond, context, target,
 * flags, access_unit, age_unit, regions) of the next snapshot, or None at
 * the end of the input. */
static PyObject *reader_next_snapshot(struct dtpy_reader *r, PyObject *unused)
{
	(void)unused;
	if (check_open(r))
		return NULL;
	int ret = r->have_item ? 1 : dtpy_reader_next(r);
	while (ret == 1 && r->item.type != DTR_ITEM_SNAPSHOT)
		ret = dtpy_reader_next(r);
	if (ret < 0)
		return NULL;
	if (ret == 0)
		Py_RETURN_NONE;
	const struct dtr_snapshot *s = &r->item.u.snapshot;
	uint64_t from = r->consumed;
	r->have_item = 0;
	return Py_BuildValue("(KKIIIIssN)", (unsigned long long)s->start_ns,
			     (unsigned long long)s->end_ns, s->kdamond, s->context, s->target,
			     s->flags, dtr_unit_name(s->access_unit), dtr_unit_name(s->age_unit),
			     snapshot_regions(s, from));
}

/* reader.drain(): read the rest of the input, noting only side items. */
static PyObject *reader_drain(struct dtpy_reader *r, PyObject *unused)
{
	uint64_t n = 0;
	int ret;

	(void)unused;
	if (check_open(r))
		return NULL;
	while ((ret = dtpy_reader_next(r)) == 1)
		if ((++n & 4095) == 0 && PyErr_CheckSignals())
			return NULL;
	if (ret < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* reader.side(): dtpy_side_dict plus the input's format and status. */
static PyObject *reader_side(struct dtpy_reader *r, PyObject *unused)
{
	struct dtr_reader_status st;

	(void)unused;
	if (check_open(r))
		return NULL;
	PyObject *d = dtpy_side_dict(&r->side);
	if (!d)
		return NULL;
	dt_input_status(r->in, &st);
	PyObject *status = Py_BuildValue(
		"{s:K,s:K,s:O,s:O,s:K}", "file_bytes", (unsigned long long)st.file_bytes,
		"valid_bytes", (unsigned long long)st.valid_bytes, "clean_close",
		st.clean_close ? Py_True : Py_False, "damaged", st.damaged ? Py_True : Py_False,
		"damage_offset", (unsigned long long)st.damage_offset);
	PyObject *fmt = PyUnicode_FromString(dt_input_format_name(dt_input_format(r->in)));
	if (!status || !fmt || PyDict_SetItemString(d, "status", status) ||
	    PyDict_SetItemString(d, "format", fmt)) {
		Py_XDECREF(status);
		Py_XDECREF(fmt);
		Py_DECREF(d);
		return NULL;
	}
	Py_DECREF(status);
	Py_DECREF(fmt);
	return d;
}

static PyObject *reader_close(struct dtpy_reader *r, PyObject *unused)
{
	(void)unused;
	if (r->in)
		dt_input_close(r->in);
	r->in = NULL;
	r->have_item = 0;
	Py_RETURN_NONE;
}

static PyObject *reader_get_format(struct dtpy_reader *r, void *unused)
{
	(void)unused;
	if (check_open(r))
		return NULL;
	return PyUnicode_FromString(dt_input_format_name(dt_input_format(r->in)));
}

static PyObject *reader_get_started(struct dtpy_reader *r, void *unused)
{
	(void)unused;
	return PyBool_FromLong(r->started);
}

static PyObject *reader_get_at_end(struct dtpy_reader *r, void *unused)
{
	(void)unused;
	return PyBool_FromLong(r->at_end && !r->have_item);
}

static PyMethodDef reader_methods[] = {
	{ "read_regions", (PyCFunction)reader_read_regions, METH_VARARGS,
	  "read_regions(limit=0) -> dict of numpy columns of the next `limit` regions "
	  "(0: all the rest)" },
	{ "next_snapshot", (PyCFunction)reader_next_snapshot, METH_NOARGS,
	  "next_snapshot() -> (start_ns, end_ns, kdamond, context, target, flags, "
	  "access_unit, age_unit, regions) or None at the end" },
	{ "drain", (PyCFunction)reader_drain, METH_NOARGS,
	  "drain(): read the rest of the input for its side items" },
	{ "wss", DTPY_KWFUNC(dtpy_reader_wss), METH_VARARGS | METH_KEYWORDS,
	  "wss(exclude_samples=20, acc_thres=1, sz_thres=1, work_time_us=1) -> "
	  "(per-target list, collapsed series): the rest of the input's WSS as damo-wss "
	  "computes it" },
	{ "side", (PyCFunction)reader_side, METH_NOARGS,
	  "side() -> dict of everything but regions read so far (call at the end)" },
	{ "close", (PyCFunction)reader_close, METH_NOARGS, "close(): release the input" },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef reader_getset[] = {
	{ "format", (getter)reader_get_format, NULL, "name of the input's format", NULL },
	{ "started", (getter)reader_get_started, NULL, "an item was read", NULL },
	{ "at_end", (getter)reader_get_at_end, NULL, "nothing is left to read", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject dtpy_reader_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "damotrace._damotrace.Reader",
	.tp_basicsize = sizeof(struct dtpy_reader),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Reader(path, salvage=False, time_from=0, time_to=0, perf=None): one pass "
		  "over a record (any input damotrace reads).",
	.tp_new = PyType_GenericNew,
	.tp_init = (initproc)reader_init,
	.tp_dealloc = (destructor)reader_dealloc,
	.tp_methods = reader_methods,
	.tp_getset = reader_getset,
};

int dtpy_reader_type_ready(void)
{
	PyObject *spec = Py_BuildValue("[(ss)(ss)(ss)(ss)]", "start", "<u8", "end", "<u8",
				       "nr_accesses", "<u4", "age", "<u4");
	if (!spec)
		return -1;
	int ok = PyArray_DescrConverter(spec, &region_descr);
	Py_DECREF(spec);
	if (!ok)
		return -1;
	return PyType_Ready(&dtpy_reader_type);
}
