// SPDX-License-Identifier: GPL-2.0-only
/* The HTML report's template, scripts and styles (render/html/), compiled
 * in from the byte arrays render/html/embed.sh generates (html_internal.h). */
#include <string.h>

#include "html_assets.h"
#include "html_internal.h"

static const struct dt_html_asset assets[] = {
#define X(name, bytes) { name, bytes, sizeof(bytes) },
	DT_HTML_ASSETS
#undef X
};

const struct dt_html_asset *dt_html_asset(const char *name)
{
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
		if (!strcmp(assets[i].name, name))
			return &assets[i];
	return NULL;
}
