/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * heat_opts.h - the heatmap colour options damo-heatmap and damo-timeline
 * share: --colormap NAME and --scale linear|log.  Static inline, since
 * only the commands linked with render/ may use them (shared_opts.h has
 * the rest).
 */
#ifndef DT_HEAT_OPTS_H
#define DT_HEAT_OPTS_H

#include "options.h"
#include "plot.h"

/* value: enum dt_colormap */
static inline int cmd_opt_colormap(const struct opt *o, const char *arg, struct opt_parser *p)
{
	if (dt_colormap_parse(arg, o->value))
		return opt_fail(p, "--colormap: viridis, magma, inferno or gray, not '%s'", arg);
	return 0;
}

/* `what`: what is coloured ("image", "heatmap"). */
#define CMD_OPTS_HEAT_COLOURS(cmap, scale, what) \
	OPT_CALLBACK(0, "colormap", cmap, "NAME", \
		     what " colours: viridis (default), magma, inferno, gray", cmd_opt_colormap), \
	OPT_CHOICE(0, "scale", scale, NULL, NULL, "how heats map to colours (default linear)", \
		   { "linear", DT_SCALE_LINEAR }, { "log", DT_SCALE_LOG })

#endif /* DT_HEAT_OPTS_H */
