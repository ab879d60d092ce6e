// SPDX-License-Identifier: GPL-2.0-only
/* damo's report access numbers and colours, shared by its text, distributions and boxes (access.h). */
#include "access.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

char *dt_access_fmt_nr(char *buf, size_t len, double v, int raw)
{
	/* the sign of the value, then "%d" of its magnitude: -1e-9 is "-0" */
	char digits[40];

	dt_damo_format_nr(digits, sizeof(digits), (uint64_t)trunc(fabs(v)), raw);
	snprintf(buf, len, "%s%s", v < 0 ? "-" : "", digits);
	return buf;
}

/* damo's format_percent() through format_ratio(). */
char *dt_access_fmt_percent(char *buf, size_t len, double percent, int raw)
{
	char over[28], under[16];

	if (raw) {
		snprintf(buf, len, "%f", percent);
		return buf;
	}
	double ratio = percent / 100;
	dt_access_fmt_nr(over, sizeof(over), (double)(long long)(ratio * 100), 0);
	double rest = fmod(ratio * 100, 1.0);
	if (rest < 0)
		rest += 1.0;
	snprintf(under, sizeof(under), "%.7f", rest);
	size_t n = strlen(under);
	while (n && under[n - 1] == '0')
		under[--n] = '\0';
	const char *frac = n > 2 ? under + 2 : "";
	if (!*frac)
		snprintf(buf, len, "%s %%", over);
	else
		snprintf(buf, len, "%s.%s %%", over, frac);
	return buf;
}

/* damo's format_hz(). */
char *dt_access_fmt_hz(char *buf, size_t len, double hz, int raw, int suffix)
{
	char n[40];

	if (raw)
		snprintf(buf, len, "%f", hz);
	else if (hz < 10 && hz != 0)
		snprintf(buf, len, "%.3f%s", hz, suffix ? " hz" : "");
	else
		snprintf(buf, len, "%s%s", dt_access_fmt_nr(n, sizeof(n), hz, 0), suffix ? " hz" : "");
	return buf;
}

char *dt_access_fmt_time_us(char *buf, size_t len, double us, int raw)
{
	if (raw) {
		snprintf(buf, len, "%.0f", trunc(us));
		return buf;
	}
	return dt_damo_format_time_ns(buf, len, us * 1000, 0);
}

static const unsigned char heat_bg[3][10] = {
	{ 232, 232, 232, 232, 232, 232, 232, 232, 232, 232 },
	{ 232, 1, 1, 2, 3, 3, 20, 21, 26, 27 },
	{ 232, 234, 20, 21, 26, 2, 3, 1, 1, 1 },
};
static const unsigned char heat_fg[3][10] = {
	{ 237, 239, 241, 243, 245, 247, 249, 251, 253, 255 },
	{ 239, 235, 237, 239, 243, 245, 247, 249, 251, 255 },
	{ 239, 235, 237, 239, 243, 245, 247, 249, 251, 255 },
};

char *dt_access_color_start(char *buf, size_t len, const char *colorset, int level)
{
	int cs = !strcmp(colorset, "flame") ? 1 : !strcmp(colorset, "emotion") ? 2 : 0;
	int c = level < 0 ? 0 : level > 9 ? 9 : level;

	snprintf(buf, len, "\x1b[48;5;%dm\x1b[38;5;%dm", heat_bg[cs][c], heat_fg[cs][c]);
	return buf;
}
