/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dtpy.h - what the files of the Python extension `damotrace._damotrace`
 * share: the Python and numpy headers in the right order, the column
 * tables filled in bulk, the side collector (everything a record holds
 * besides regions) and the Reader type.
 *
 * Include this header first in every file of cmd/python/: Python.h must
 * come before any system header.  damotrace_module.c defines
 * DTPY_IMPORT_ARRAY before it, as numpy's C API asks of one file.
 *
 * Conventions: functions returning int return 0 or -1 with a Python
 * exception set; functions returning PyObject * return a new reference or
 * NULL with an exception set.
 */
#ifndef DTPY_H
#define DTPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL dtpy_numpy_api
#ifndef DTPY_IMPORT_ARRAY
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"
#include "input.h"

/* Cast a METH_VARARGS | METH_KEYWORDS function for a PyMethodDef. */
#define DTPY_KWFUNC(f) ((PyCFunction)(void (*)(void))(f))

/* ------------------------------------------------------------ errors */

/* damotrace.Error (a subclass of OSError and ValueError), created by the
 * module's init; NULL before. */
extern PyObject *dtpy_error_type;

/* Set damotrace.Error with the C library's message `msg` (it names the
 * file and place) and errno `-ret` (ret < 0; -ENOMEM raises MemoryError).
 * Returns -1. */
int dtpy_raise(int ret, const char *msg);

/* ------------------------------------------------------------ tables */

#define DTPY_MAX_COLS 12

/* One column: a malloc'd buffer of `cap` elements of numpy type
 * `npy_type`.  A lazy column (a mask of absent values) stays NULL until
 * dtpy_table_enable() and is left out of the result if it never was. */
struct dtpy_col {
	const char *name;
	int npy_type;
	size_t elsize;
	int lazy;
	char *data;
};

/* Columns of equal length, grown together. */
struct dtpy_table {
	size_t n, cap;
	size_t nr_cols;
	struct dtpy_col cols[DTPY_MAX_COLS];
};

/* Add a column (before any row).  Column i is then cols[i]. */
void dtpy_table_add(struct dtpy_table *t, const char *name, int npy_type, int lazy);
/* Room for `need` rows in every column (doubling).  0 or -1 (MemoryError). */
int dtpy_table_reserve(struct dtpy_table *t, size_t need);
/* Allocate lazy column i, zeroed for the rows so far.  0 or -1. */
int dtpy_table_enable(struct dtpy_table *t, size_t i);
/* The columns as a dict of 1-d numpy arrays of n rows, which take over
 * the buffers; the table is left empty (same columns, no rows). */
PyObject *dtpy_table_take(struct dtpy_table *t);
void dtpy_table_free(struct dtpy_table *t);

#define DTPY_COL(t, i, type) ((type *)(t)->cols[i].data)

/* ------------------------------------------------------------ side items */

/* Everything but regions, gathered as items stream by: META, CONTEXT,
 * INTERVALS, CLOCKS, FRAME, STACK, THREAD, MAPS and END; snapshots are
 * only counted. */
struct dtpy_side {
	PyObject *meta;      /* dict key -> value; a later key replaces */
	PyObject *contexts;  /* dict (kdamond, context) -> latest tuple */
	PyObject *intervals; /* list of tuples */
	PyObject *clocks;    /* list of tuples */
	PyObject *maps;      /* list of tuples, one per map entry */
	PyObject *threads;   /* list of tuples */
	PyObject *frames;    /* list of tuples */
	PyObject *footprints; /* list of tuples, one per FOOTPRINT item */
	PyObject *end;       /* tuple or None */
	struct dtpy_table stacks;    /* one row per sample */
	struct dtpy_table frame_ids; /* every sample's frame ids, leaf first */
	uint64_t nr_snapshots, nr_regions;
};

int dtpy_side_init(struct dtpy_side *s);
/* Note one item; SNAPSHOT items are counted only.  0 or -1. */
int dtpy_side_note(struct dtpy_side *s, const struct dtr_item *item);
/* A dict of what was gathered (new references); the stack tables move
 * into it, so call it once, at the end of the input. */
PyObject *dtpy_side_dict(struct dtpy_side *s);
void dtpy_side_free(struct dtpy_side *s);

/* ------------------------------------------------------------ reader */

extern PyTypeObject dtpy_reader_type;
/* Ready the type (and the regions' structured dtype).  0 or -1. */
int dtpy_reader_type_ready(void);

/* The Reader's state, shared with the passes in other files. */
struct dtpy_reader {
	PyObject_HEAD
	struct dt_input *in;
	PyObject *path;        /* str, for messages */
	struct dtr_item item;  /* the current item, valid until the next read */
	int have_item;         /* `item` is a snapshot with regions left */
	uint64_t consumed;     /* its regions already delivered */
	int at_end;            /* the input ended (or failed) */
	int started;           /* an item was read */
	struct dtpy_side side;
};

/* Read the next item into r->item, noting it in the side collector.
 * 1: an item; 0: end of input; -1: error (exception set). */
int dtpy_reader_next(struct dtpy_reader *r);

/* reader.wss(exclude_samples, acc_thres, sz_thres, work_time_us): the rest
 * of the input through convert/analysis/wss.h (damo-wss's computation). */
PyObject *dtpy_reader_wss(struct dtpy_reader *r, PyObject *args, PyObject *kw);

#endif /* DTPY_H */
