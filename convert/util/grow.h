/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * grow.h - the one growth macro for arrays grown in place (after git's
 * ALLOC_GROW).  An array is a pointer and a capacity in elements, both
 * owned by the caller; a NULL pointer with capacity 0 is an empty array:
 *
 *	struct item *v = NULL;
 *	size_t nr = 0, alloc = 0;
 *	if (DT_GROW(v, alloc, nr + 1))
 *		return -ENOMEM;
 *	v[nr++] = item;
 *
 * Contract: after 0, alloc >= need and the first alloc elements of ptr
 * are allocated; the elements that were there are kept, the new ones are
 * uninitialized (the caller fills or zeroes alloc - old alloc of them).
 * need <= alloc returns 0 and changes nothing.  On failure neither ptr nor
 * alloc changes and the array is still valid: -ENOMEM when realloc fails,
 * -EOVERFLOW when need elements would be larger than PTRDIFF_MAX bytes,
 * -EINVAL when elem is 0.  The capacity must be a size_t (anything else
 * fails to compile through DT_GROW).
 *
 * Memory: a growth takes max(need, (alloc + 16) * 3 / 2) elements, so an
 * array filled one element at a time is copied O(log n) times, O(n)
 * element copies in all, and its capacity is never more than
 * 1.5 x need + 23 elements: at most half the elements in use, plus 23,
 * of slack.
 */
#ifndef DT_GROW_H
#define DT_GROW_H

#include <stddef.h>

/* Ensures *(T **)pptr holds at least need elements of elem bytes, *alloc
 * being its capacity in elements.  0, -ENOMEM, -EOVERFLOW or -EINVAL. */
int dt_grow(void *pptr, size_t *alloc, size_t need, size_t elem);

/* The capacity dt_grow() gives an array of alloc elements of elem bytes
 * that must hold need: max(need, (alloc + 16) * 3 / 2), clamped to
 * PTRDIFF_MAX bytes; alloc when need <= alloc; 0 when need elements would
 * be larger than PTRDIFF_MAX bytes or elem is 0.  For arrays grown in step
 * (columns of one capacity): each dt_grow() from alloc to this capacity
 * gets exactly it. */
size_t dt_grow_capacity(size_t alloc, size_t need, size_t elem);

/* ptr: an lvalue of pointer type; alloc: a size_t lvalue. */
#define DT_GROW(ptr, alloc, need) dt_grow(&(ptr), &(alloc), (need), sizeof(*(ptr)))

#endif /* DT_GROW_H */
