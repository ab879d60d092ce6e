// SPDX-License-Identifier: GPL-2.0-only
/* Numbers with units: parsing and printing sizes, times and counts (units.h). */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Copy `text` without thousands separators or blanks; fails on overflow. */
static int strip_number(const char *text, char *out, size_t len)
{
	size_t n = 0;

	for (; *text; text++) {
		if (*text == ',' || *text == '_' || isspace((unsigned char)*text))
			continue;
		if (n + 1 >= len)
			return -ERANGE;
		out[n++] = *text;
	}
	out[n] = '\0';
	return n ? 0 : -EINVAL;
}

int dt_parse_u64(const char *text, uint64_t *value)
{
	char buf[64], *end;
	int ret = strip_number(text, buf, sizeof(buf));

	if (ret)
		return ret;
	if (buf[0] == '-' || buf[0] == '+')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end || end == buf)
		return -EINVAL;
	*value = v;
	return 0;
}

/* Split "1.5ms" into a non-negative number and a unit suffix. */
static int split_number_unit(const char *text, double *number, char *unit, size_t unit_len)
{
	char buf[64], *end;
	int ret = strip_number(text, buf, sizeof(buf));

	if (ret)
		return ret;
	if (!isdigit((unsigned char)buf[0]) && buf[0] != '.')
		return -EINVAL;
	errno = 0;
	*number = strtod(buf, &end);
	if (errno == ERANGE || end == buf || !isfinite(*number) || *number < 0)
		return -ERANGE;
	if (strlen(end) >= unit_len)
		return -EINVAL;
	strcpy(unit, end);
	return 0;
}

static int scale_to_u64(double number, double scale, uint64_t *out)
{
	double v = number * scale;

	if (v >= 18446744073709551616.0)
		return -ERANGE;
	*out = (uint64_t)(v + 0.5);
	return 0;
}

int dt_parse_duration_ns(const char *text, uint64_t bare_unit_ns, uint64_t *ns)
{
	static const struct { const char *name; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 },
	};
	char unit[16];
	double number;
	int ret = split_number_unit(text, &number, unit, sizeof(unit));

	if (ret)
		return ret;
	if (!unit[0]) {
		/* A bare integer keeps full precision. */
		uint64_t v;
		if (!dt_parse_u64(text, &v)) {
			if (bare_unit_ns && v > UINT64_MAX / bare_unit_ns)
				return -ERANGE;
			*ns = v * bare_unit_ns;
			return 0;
		}
		return scale_to_u64(number, (double)bare_unit_ns, ns);
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcasecmp(unit, units[i].name))
			return scale_to_u64(number, units[i].ns, ns);
	return -EINVAL;
}

int dt_parse_duration_us(const char *text, uint64_t *us)
{
	uint64_t ns;
	int ret = dt_parse_duration_ns(text, 1000, &ns);

	if (!ret)
		*us = ns / 1000;
	return ret;
}

int dt_parse_size(const char *text, uint64_t *bytes)
{
	static const char prefixes[] = "KMGTPE";
	char unit[16];
	double number;
	int ret;

	if (!dt_parse_u64(text, bytes))
		return 0;
	ret = split_number_unit(text, &number, unit, sizeof(unit));
	if (ret)
		return ret;
	if (!unit[0] || !strcasecmp(unit, "B"))
		return scale_to_u64(number, 1, bytes);
	const char *p = strchr(prefixes, toupper((unsigned char)unit[0]));
	if (!p)
		return -EINVAL;
	const char *rest = unit + 1;
	if (*rest && strcasecmp(rest, "B") && strcasecmp(rest, "iB"))
		return -EINVAL;
	double scale = 1;
	for (const char *q = prefixes; q <= p; q++)
		scale *= 1024;
	return scale_to_u64(number, scale, bytes);
}

char *dt_format_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	int i = 0;

	while (v >= 1024 && i < 6) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, names[i]);
	return buf;
}

char *dt_format_duration_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.2f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else if (ns < 60000000000ull)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else
		snprintf(buf, len, "%llu m %.3f s", (unsigned long long)(ns / 60000000000ull),
			 (ns % 60000000000ull) / 1e9);
	return buf;
}
