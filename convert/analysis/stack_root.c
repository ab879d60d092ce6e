// SPDX-License-Identifier: GPL-2.0-only
/* Start-up frames at the root of a callstack, by DSO (stack_root.h). */
#include "stack_root.h"

#include <string.h>

static int unresolved(const char *dso)
{
	return !dso || !*dso || !strcmp(dso, "[unknown]");
}

/* A file that is not a shared object ("x.so", "x.so.6"), nor the kernel's
 * or the vDSO's pseudo-names. */
static int executable(const char *dso)
{
	if (unresolved(dso) || dso[0] == '[')
		return 0;
	const char *base = strrchr(dso, '/');
	const char *so = strstr(base ? base : dso, ".so");
	return !so || (so[3] != '\0' && so[3] != '.');
}

uint32_t dt_stack_root_frames(const uint32_t *frames, uint32_t nr, dt_frame_dso_fn dso_of,
			      const void *ctx)
{
	uint32_t k = 0;
	while (k < nr && unresolved(dso_of(ctx, frames[nr - 1 - k])))
		k++;
	if (k && k < nr && executable(dso_of(ctx, frames[nr - 1 - k])))
		k++;
	return k;
}
