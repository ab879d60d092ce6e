// SPDX-License-Identifier: GPL-2.0-only
/* Column tables of the Python module (dtpy.h): malloc'd buffers grown
 * together, handed to numpy without a copy when a pass is done. */
#include "dtpy.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

void dtpy_table_add(struct dtpy_table *t, const char *name, int npy_type, int lazy)
{
	struct dtpy_col *c = &t->cols[t->nr_cols++];

	c->name = name;
	c->npy_type = npy_type;
	c->elsize = (size_t)PyArray_DescrFromType(npy_type)->elsize;
	c->lazy = lazy;
	c->data = NULL;
}


int dtpy_table_reserve(struct dtpy_table *t, size_t need)
{
	if (need <= t->cap)
		return 0;
	/* The columns share one capacity, chosen by grow.h's rule; each
	 * column grows to exactly it. */
	size_t cap = dt_grow_capacity(t->cap, need, 1);
	for (size_t i = 0; i < t->nr_cols; i++) {
		struct dtpy_col *c = &t->cols[i];
		if (c->lazy && !c->data)
			continue;
		if (!cap || dt_grow(&c->data, &(size_t){ t->cap }, cap, c->elsize)) {
			PyErr_NoMemory();
			return -1;
		}
	}
	t->cap = cap;
	return 0;
}

int dtpy_table_enable(struct dtpy_table *t, size_t i)
{
	struct dtpy_col *c = &t->cols[i];

	if (c->data)
		return 0;
	c->data = calloc(t->cap ? t->cap : 1, c->elsize);
	if (!c->data) {
		PyErr_NoMemory();
		return -1;
	}
	return 0;
}

static void free_capsule(PyObject *capsule)
{
	free(PyCapsule_GetPointer(capsule, NULL));
}

/* A 1-d array of n elements over `data`, which the array then frees
 * (through a capsule as its base).  On failure `data` is freed too. */
static PyObject *array_over(char *data, size_t n, int npy_type)
{
	npy_intp dims[1] = { (npy_intp)n };
	PyObject *capsule = PyCapsule_New(data, NULL, free_capsule);

	if (!capsule) {
		free(data);
		return NULL;
	}
	PyObject *a = PyArray_SimpleNewFromData(1, dims, npy_type, data);
	if (!a) {
		Py_DECREF(capsule);
		return NULL;
	}
	if (PyArray_SetBaseObject((PyArrayObject *)a, capsule)) {
		Py_DECREF(a);
		return NULL;
	}
	return a;
}

/* Give column i's buffer, trimmed to n rows, to a new array. */
static PyObject *take_col(struct dtpy_table *t, size_t i)
{
	struct dtpy_col *c = &t->cols[i];
	char *data = c->data;

	c->data = NULL;
	if (t->n < t->cap) {
		char *p = realloc(data, (t->n ? t->n : 1) * c->elsize);
		if (p)
			data = p;
	}
	return array_over(data, t->n, c->npy_type);
}

PyObject *dtpy_table_take(struct dtpy_table *t)
{
	PyObject *d = PyDict_New();

	if (!d)
		return NULL;
	if (dtpy_table_reserve(t, 1))
		goto fail;
	for (size_t i = 0; i < t->nr_cols; i++) {
		if (t->cols[i].lazy && !t->cols[i].data)
			continue;
		PyObject *a = take_col(t, i);
		if (!a || PyDict_SetItemString(d, t->cols[i].name, a)) {
			Py_XDECREF(a);
			goto fail;
		}
		Py_DECREF(a);
	}
	t->n = t->cap = 0;
	return d;
fail:
	Py_DECREF(d);
	dtpy_table_free(t);
	return NULL;
}

void dtpy_table_free(struct dtpy_table *t)
{
	for (size_t i = 0; i < t->nr_cols; i++) {
		free(t->cols[i].data);
		t->cols[i].data = NULL;
	}
	t->n = t->cap = 0;
}
