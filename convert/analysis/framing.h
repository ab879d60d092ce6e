/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * framing.h - the memory a program worked on, for heatmaps drawn without an
 * address range: a few address areas where the snapshots saw accesses
 * dense enough, clipped to the record's memory maps when it has them;
 * everything between them is collapsed (drawn as a labelled break).
 *
 * Density, not "any access": per target, one streaming pass builds an
 * access-density profile of the address space.  Each region of a snapshot
 * inside the time window adds to every byte of it
 *
 *     rate x seconds x min(1, DT_FRAME_LOCAL_BYTES / size)
 *
 * where rate is nr_accesses per second (per aggregation when the interval
 * is unknown) and seconds the snapshot's overlap with the window.  The last
 * factor spreads the evidence of a region larger than DT_FRAME_LOCAL_BYTES
 * over it: DAMON saw accesses somewhere in it but cannot say where, so a
 * 300 GiB early region with nr_accesses > 0 weighs per byte what its
 * accesses would weigh spread over 300 GiB, not what a buffer's do.
 *
 * The areas (dt_framer_result): the profile, clipped to the union of every
 * map the target's process had during the record (MAPS items; none for
 * damo's records and perf script text: density alone then); the spans
 * whose density is at least 1/DT_FRAME_DENSITY_RATIO of the densest span;
 * spans closer than DT_FRAME_JOIN_MIN bytes, or than an eighth of their
 * summed sizes, joined; at most DT_FRAME_MAX_AREAS areas (the closest
 * joined while the gap is no larger than the areas, otherwise the least
 * accessed dropped); ends rounded out to 4 KiB pages.  Each area is named
 * from the maps as dt_maps_name_range names ranges ("heap", "stack", a
 * file's base name, "anon"; "" without maps).
 *
 * Memory: per target at most DT_FRAME_MAX_SPANS profile spans (a
 * density.h profile: when a snapshot's boundaries push it over, neighbouring
 * spans are merged where that changes the profile least, mass kept, back to
 * three quarters of the bound); per process at most
 * DT_FRAME_MAX_MAPS distinct map entries (later ones are not kept); and one
 * snapshot's regions of scratch.  Never grows with the number of
 * snapshots.  Time: linear in regions (a merge of sorted lists per
 * snapshot; an occasional compaction, linear on average).
 *
 * Functions return 0 or a negative errno and write one line into err.
 */
#ifndef DT_FRAMING_H
#define DT_FRAMING_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"

#define DT_FRAME_LOCAL_BYTES (UINT64_C(1) << 30)
#define DT_FRAME_DENSITY_RATIO 64
#define DT_FRAME_JOIN_MIN (UINT64_C(64) << 10)
#define DT_FRAME_MAX_AREAS 8
#define DT_FRAME_MAX_SPANS 4096
#define DT_FRAME_MAX_MAPS 4096

struct dt_frame_area {
	uint64_t start, end;  /* [start, end), page-aligned */
	double density;       /* mean profile value over the area */
	char name[64];        /* from the maps; "" when the record has none */
};

struct dt_frame {
	size_t nr;                    /* 0: nothing accessed in the window */
	struct dt_frame_area *areas;  /* by address, disjoint, not touching */
	int clipped_to_maps;          /* the target's maps were used */
	double max_density;           /* of the densest profile span */
};

struct dt_framer;

/* Only snapshots overlapping [t_start, t_end) count, by their overlap;
 * t_end <= t_start: every snapshot, whole. */
int dt_framer_new(struct dt_framer **f, int64_t t_start, int64_t t_end, char *err,
		  size_t errlen);
/* Feed every item of the record (snapshots, MAPS, CONTEXT and INTERVALS;
 * others are ignored). */
int dt_framer_add(struct dt_framer *f, const struct dtr_item *item, char *err,
		  size_t errlen);
/* The areas of one target (none when it had no snapshots); `out` is the
 * caller's, freed with dt_frame_free. */
int dt_framer_result(const struct dt_framer *f, uint32_t kdamond, uint32_t context,
		     uint32_t target, struct dt_frame *out, char *err, size_t errlen);
void dt_framer_free(struct dt_framer *f);
void dt_frame_free(struct dt_frame *fr);

#endif /* DT_FRAMING_H */
