// SPDX-License-Identifier: GPL-2.0-only
/* Colour maps and value scales (plot.h).  The perceptual maps are given by
 * anchor colours of matplotlib's viridis, magma and inferno (CC0) at
 * eighths, interpolated linearly between them. */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#define NR_ANCHORS 9

static const struct dt_rgb viridis[NR_ANCHORS] = {
	{ 0.267004, 0.004874, 0.329415 }, { 0.282623, 0.140926, 0.457517 },
	{ 0.229739, 0.322361, 0.545706 }, { 0.172719, 0.448791, 0.557885 },
	{ 0.127568, 0.566949, 0.550556 }, { 0.134692, 0.658636, 0.517649 },
	{ 0.369214, 0.788888, 0.382914 }, { 0.678489, 0.863742, 0.189503 },
	{ 0.993248, 0.906157, 0.143936 },
};

static const struct dt_rgb magma[NR_ANCHORS] = {
	{ 0.001462, 0.000466, 0.013866 }, { 0.078815, 0.054184, 0.211667 },
	{ 0.232077, 0.059889, 0.437695 }, { 0.390384, 0.100379, 0.501864 },
	{ 0.550287, 0.161158, 0.505719 }, { 0.716387, 0.214982, 0.475290 },
	{ 0.868793, 0.287728, 0.409303 }, { 0.967671, 0.439703, 0.359810 },
	{ 0.987053, 0.991438, 0.749504 },
};

static const struct dt_rgb inferno[NR_ANCHORS] = {
	{ 0.001462, 0.000466, 0.013866 }, { 0.087411, 0.044556, 0.224813 },
	{ 0.258234, 0.038571, 0.406485 }, { 0.416331, 0.090203, 0.432943 },
	{ 0.578304, 0.148039, 0.404411 }, { 0.735683, 0.215906, 0.330245 },
	{ 0.865006, 0.316822, 0.226055 }, { 0.954506, 0.468744, 0.099874 },
	{ 0.988362, 0.998364, 0.644924 },
};

static const struct {
	const char *name;
	enum dt_colormap cmap;
} names[] = {
	{ "viridis", DT_CMAP_VIRIDIS }, { "magma", DT_CMAP_MAGMA },
	{ "inferno", DT_CMAP_INFERNO }, { "gray", DT_CMAP_GRAY },
	{ "grey", DT_CMAP_GRAY },
};

int dt_colormap_parse(const char *name, enum dt_colormap *cmap)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(name, names[i].name)) {
			*cmap = names[i].cmap;
			return 0;
		}
	}
	return -EINVAL;
}

const char *dt_colormap_name(enum dt_colormap cmap)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].cmap == cmap)
			return names[i].name;
	return "viridis";
}

struct dt_rgb dt_colormap_nan_color(enum dt_colormap cmap)
{
	if (cmap == DT_CMAP_VIRIDIS)
		return (struct dt_rgb){ 1, 1, 1 };
	return (struct dt_rgb){ 0.70, 0.82, 0.95 };
}

struct dt_rgb dt_colormap_at(enum dt_colormap cmap, double t)
{
	const struct dt_rgb *a;

	if (!(t > 0))
		t = 0;
	if (t > 1)
		t = 1;
	switch (cmap) {
	case DT_CMAP_GRAY:
		return (struct dt_rgb){ t, t, t };
	case DT_CMAP_MAGMA:
		a = magma;
		break;
	case DT_CMAP_INFERNO:
		a = inferno;
		break;
	default:
		a = viridis;
		break;
	}
	double pos = t * (NR_ANCHORS - 1);
	int k = (int)pos;
	if (k >= NR_ANCHORS - 1)
		return a[NR_ANCHORS - 1];
	double f = pos - k;
	return (struct dt_rgb){ a[k].r + (a[k + 1].r - a[k].r) * f,
				a[k].g + (a[k + 1].g - a[k].g) * f,
				a[k].b + (a[k + 1].b - a[k].b) * f };
}

double dt_color_scale_pos(enum dt_color_scale scale, double v, double vmin,
			  double vmax)
{
	double t;

	if (!(vmax > vmin))
		return v >= vmax ? 1 : 0;
	if (scale == DT_SCALE_LOG)
		t = log10(1 + (v - vmin)) / log10(1 + (vmax - vmin));
	else
		t = (v - vmin) / (vmax - vmin);
	if (!(t > 0))
		return 0;
	return t > 1 ? 1 : t;
}

struct dt_rgb dt_cell_color(enum dt_colormap cmap, enum dt_color_scale scale,
			    double v, double vmin, double vmax,
			    struct dt_rgb nan_color)
{
	if (isnan(v))
		return nan_color;
	return dt_colormap_at(cmap, dt_color_scale_pos(scale, v, vmin, vmax));
}

struct dt_rgb dt_palette(size_t n)
{
	static const struct dt_rgb p[] = {
		{ 0.12, 0.47, 0.71 }, { 1.00, 0.50, 0.05 }, { 0.17, 0.63, 0.17 },
		{ 0.84, 0.15, 0.16 }, { 0.58, 0.40, 0.74 }, { 0.55, 0.34, 0.29 },
		{ 0.89, 0.47, 0.76 }, { 0.50, 0.50, 0.50 },
	};
	return p[n % (sizeof(p) / sizeof(p[0]))];
}
