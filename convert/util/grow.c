// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one growth helper behind DT_GROW: capacity to 1.5x + 16, overflow
 * checked, the array untouched on failure (grow.h).
 */
#include "grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t dt_grow_capacity(size_t alloc, size_t need, size_t elem)
{
	if (need <= alloc)
		return alloc;
	if (!elem)
		return 0;
	size_t max = (size_t)PTRDIFF_MAX / elem; /* the most elements of one object */
	if (need > max)
		return 0;
	/* (alloc + 16) * 3 / 2, clamped to max instead of wrapping */
	size_t grown = alloc <= max - 16 ? alloc + 16 : max;
	grown = grown <= max - grown / 2 ? grown + grown / 2 : max;
	return grown < need ? need : grown;
}

int dt_grow(void *pptr, size_t *alloc, size_t need, size_t elem)
{
	if (need <= *alloc)
		return 0;
	if (!elem)
		return -EINVAL;
	size_t grown = dt_grow_capacity(*alloc, need, elem);
	if (!grown)
		return -EOVERFLOW;

	void *old;
	memcpy(&old, pptr, sizeof(old));
	void *p = realloc(old, grown * elem);
	if (!p)
		return -ENOMEM;
	memcpy(pptr, &p, sizeof(p));
	*alloc = grown;
	return 0;
}
