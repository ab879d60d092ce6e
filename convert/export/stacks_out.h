/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stacks_out.h - callstack exports of a dt_stacks_profile.
 *
 *   speedscope   speedscope's file format (sampled profiles, shared frames):
 *                one profile per thread named COMM-TID, samples in time
 *                order weighted by their period (CPU time, so idle gaps add
 *                nothing); with DAMON phases every sample gets a root frame
 *                naming its phase and every phase gets a profile of its own;
 *                the top-level origin_ns gives the time zero of the
 *                phase labels' times.
 *   trace-event  Chrome / Perfetto JSON trace (ts in microseconds from the
 *                record's time zero, origin.h, given absolute in
 *                otherData.origin_ns; absolute with abs_time): the WSS as a counter track, phases as slices on
 *                their own track, callstacks as nested complete slices per
 *                thread (consecutive samples sharing a path prefix merged),
 *                process and thread names.
 *   folded       FlameGraph's folded stacks: `[PHASE;]COMM;ROOT;...;LEAF N`,
 *                lines sorted, named as stackcollapse-perf.pl names them
 *                (folded_names.h); N the summed periods (a sample without
 *                one counts 1), or the number of samples.
 * Functions return 0 or a negative errno with a message in err.
 */
#ifndef DT_STACKS_OUT_H
#define DT_STACKS_OUT_H

#include <stddef.h>
#include <stdio.h>

#include "stacks_profile.h"

enum dt_stacks_format {
	DT_STACKS_SPEEDSCOPE = 0,
	DT_STACKS_TRACE_EVENT,
	DT_STACKS_FOLDED,
};

struct dt_stacks_out_opts {
	const char *name;     /* profile name shown by viewers; NULL: "damotrace" */
	int no_phase_roots;   /* no synthetic phase root frames */
	int no_phase_profiles;/* speedscope: no per-phase profiles */
	/* folded only (stackcollapse-perf.pl's options of the same names): */
	int weight_samples;   /* N counts samples, not periods */
	int keep_args;        /* keep C++ argument lists */
	int with_pid, with_tid; /* process names COMM-PID, COMM-PID/TID */
	int kernel, jit;      /* "_[k]" / "_[j]" annotations */
	int addrs;            /* "[DSO <ADDR>]" for frames without a symbol (the
			       * perf script must be read with unknown_addrs) */
	size_t phase;         /* 0: every sample; N: phase N's only, no root */
	int abs_time;         /* times absolute, not from the record's time zero
			       * (--time-origin abs) */
};

/* "speedscope", "trace-event", "folded" -> format; 0 or -EINVAL. */
int dt_stacks_format_parse(const char *name, enum dt_stacks_format *f);

int dt_stacks_write(FILE *out, enum dt_stacks_format f,
		    const struct dt_stacks_profile *p,
		    const struct dt_stacks_out_opts *o, char *err, size_t errlen);

int dt_out_speedscope(FILE *out, const struct dt_stacks_profile *p,
		      const struct dt_stacks_out_opts *o, char *err, size_t errlen);
int dt_out_trace_event(FILE *out, const struct dt_stacks_profile *p,
		       const struct dt_stacks_out_opts *o, char *err, size_t errlen);
int dt_out_folded(FILE *out, const struct dt_stacks_profile *p,
		  const struct dt_stacks_out_opts *o, char *err, size_t errlen);
/* The two profiles' folded stacks side by side as FlameGraph's
 * difffolded.pl writes them: `STACK N1 N2` for every stack of either, 0
 * where one has none; lines sorted. */
int dt_out_folded_diff(FILE *out, const struct dt_stacks_profile *a,
		       const struct dt_stacks_profile *b, const struct dt_stacks_out_opts *o,
		       char *err, size_t errlen);

#endif /* DT_STACKS_OUT_H */
