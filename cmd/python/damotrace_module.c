// SPDX-License-Identifier: GPL-2.0-only
/* The Python extension module `damotrace._damotrace`: its init, the
 * damotrace.Error exception and the raising of the C library's messages.
 * The Reader type (reader.c) does the reading; damotrace/__init__.py builds
 * the public API over it. */
#define DTPY_IMPORT_ARRAY
#include "dtpy.h"

#include <errno.h>
#include <string.h>

PyObject *dtpy_error_type;

int dtpy_raise(int ret, const char *msg)
{
	if (ret == -ENOMEM) {
		PyErr_SetString(PyExc_MemoryError, msg && *msg ? msg : "out of memory");
		return -1;
	}
	/* File names need not be UTF-8: their bytes come back as os.fsdecode
	 * gives them. */
	PyObject *text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "surrogateescape");
	if (!text)
		return -1;
	PyObject *exc = PyObject_CallOneArg(dtpy_error_type, text);
	Py_DECREF(text);
	if (!exc)
		return -1;
	/* errno alone (no strerror, no filename) keeps str(exc) the message. */
	PyObject *code = PyLong_FromLong(ret < 0 ? -ret : EIO);
	if (!code || PyObject_SetAttrString(exc, "errno", code)) {
		Py_XDECREF(code);
		Py_DECREF(exc);
		return -1;
	}
	Py_DECREF(code);
	PyErr_SetObject(dtpy_error_type, exc);
	Py_DECREF(exc);
	return -1;
}

/* damotrace.Error: both an OSError (the input could not be read) and a
 * ValueError (its content is not a valid record). */
static int add_error_type(PyObject *m)
{
	PyObject *bases = PyTuple_Pack(2, PyExc_OSError, PyExc_ValueError);

	if (!bases)
		return -1;
	dtpy_error_type = PyErr_NewExceptionWithDoc(
		"damotrace.Error",
		"An input damotrace cannot read: str() is the C library's message naming the "
		"file and the place (byte offset, line); errno is the C library's errno.",
		bases, NULL);
	Py_DECREF(bases);
	if (!dtpy_error_type)
		return -1;
	Py_INCREF(dtpy_error_type);
	return PyModule_AddObject(m, "Error", dtpy_error_type);
}

static struct PyModuleDef module_def = {
	PyModuleDef_HEAD_INIT,
	.m_name = "damotrace._damotrace",
	.m_doc = "C core of the damotrace module: the Reader over damotrace's input library.",
	.m_size = -1,
};

PyMODINIT_FUNC PyInit__damotrace(void);

PyMODINIT_FUNC PyInit__damotrace(void)
{
	import_array();
	if (dtpy_reader_type_ready())
		return NULL;
	PyObject *m = PyModule_Create(&module_def);
	if (!m)
		return NULL;
	Py_INCREF(&dtpy_reader_type);
	if (PyModule_AddObject(m, "Reader", (PyObject *)&dtpy_reader_type) ||
	    add_error_type(m) ||
	    PyModule_AddStringConstant(m, "version", DAMOTRACE_VERSION)) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
