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

/* ------------------------------------------------- damo's range arguments */

/* Python's int() or float() of text[0..n) without thousands commas
 * (damo's text_to_nr): blanks around, a sign, digits, then for a float a
 * fraction and/or an exponent.  0 or -EINVAL / -ERANGE. */
static int damo_nr(const char *text, size_t n, struct dt_damo_num *out)
{
	char buf[64], *end;
	size_t k = 0;

	while (n && isspace((unsigned char)*text))
		text++, n--;
	while (n && isspace((unsigned char)text[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == ',')
			continue;
		if (k + 1 >= sizeof(buf))
			return -ERANGE;
		buf[k++] = text[i];
	}
	buf[k] = '\0';
	size_t digits = strspn(buf + (buf[0] == '-' || buf[0] == '+'), "0123456789");
	if (!k || strpbrk(buf, "xXnNiI"))
		return -EINVAL; /* no hex, inf or nan */
	errno = 0;
	if (digits && digits == k - (buf[0] == '-' || buf[0] == '+')) {
		long long v = strtoll(buf, &end, 10);
		if (errno == ERANGE)
			return -ERANGE;
		*out = (struct dt_damo_num){ .i = v };
		return 0;
	}
	double f = strtod(buf, &end);
	if (end == buf || *end)
		return -EINVAL;
	if (errno == ERANGE || !isfinite(f))
		return -ERANGE;
	*out = (struct dt_damo_num){ .is_float = 1, .f = f };
	return 0;
}

double dt_damo_num_f(const struct dt_damo_num *n)
{
	return n->is_float ? n->f : (double)n->i;
}

int64_t dt_damo_num_trunc(const struct dt_damo_num *n)
{
	if (!n->is_float)
		return n->i;
	if (n->f >= 9223372036854775807.0)
		return INT64_MAX;
	if (n->f <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)n->f;
}

/* a * m, Python style: float when a is; 0 or -ERANGE. */
static int damo_mul(struct dt_damo_num *a, int64_t m)
{
	if (a->is_float) {
		a->f *= (double)m;
		return isfinite(a->f) ? 0 : -ERANGE;
	}
	if (__builtin_mul_overflow(a->i, m, &a->i))
		return -ERANGE;
	return 0;
}

/* a + b, Python style. */
static int damo_add(struct dt_damo_num *a, const struct dt_damo_num *b)
{
	if (a->is_float || b->is_float) {
		*a = (struct dt_damo_num){ .is_float = 1, .f = dt_damo_num_f(a) + dt_damo_num_f(b) };
		return isfinite(a->f) ? 0 : -ERANGE;
	}
	return __builtin_add_overflow(a->i, b->i, &a->i) ? -ERANGE : 0;
}

static int64_t ns_of_unit(const char *u, size_t n)
{
	static const struct { const char *name; int64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
		{ "m", INT64_C(60000000000) }, { "h", INT64_C(3600000000000) },
		{ "d", INT64_C(86400000000000) },
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == n && !memcmp(units[i].name, u, n))
			return units[i].ns;
	return 0;
}

/* One "NUMBERunit" word (text_to_ns without the sums). */
static int damo_ns_word(const char *t, size_t n, struct dt_damo_num *ns)
{
	int64_t unit = n > 2 ? ns_of_unit(t + n - 2, 2) : 0;
	size_t ulen = 2;
	int ret;

	if (!unit && n > 1) {
		unit = ns_of_unit(t + n - 1, 1);
		ulen = 1;
	}
	if (!unit)
		return -EINVAL;
	if ((ret = damo_nr(t, n - ulen, ns)))
		return ret;
	return damo_mul(ns, unit);
}

int dt_parse_damo_ns(const char *text, struct dt_damo_num *ns)
{
	const char *w[64];
	size_t wl[64], nw = 0;

	if (!strcmp(text, "min") || !strcmp(text, "max")) {
		*ns = (struct dt_damo_num){ .i = text[1] == 'i' ? 0 : INT64_MAX };
		return 0;
	}
	if (!damo_nr(text, strlen(text), ns))
		return 0;
	for (const char *p = text; *p;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (nw == 64)
			return -EINVAL;
		w[nw] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		wl[nw] = (size_t)(p - w[nw]);
		nw++;
	}
	if (!nw)
		return -EINVAL;
	*ns = (struct dt_damo_num){ 0 };
	/* damo joins the words two by two: "4 s 500 ms" is "4s" + "500ms" */
	for (size_t i = 0; i < nw; i += 2) {
		char buf[128];
		struct dt_damo_num part;
		int len = snprintf(buf, sizeof(buf), "%.*s%.*s", (int)wl[i], w[i],
				   i + 1 < nw ? (int)wl[i + 1] : 0, i + 1 < nw ? w[i + 1] : "");
		int ret;
		if (len < 0 || (size_t)len >= sizeof(buf))
			return -ERANGE;
		if (nw > 1 && !dt_parse_damo_ns(buf, &part))
			ret = 0;
		else
			ret = damo_ns_word(buf, (size_t)len, &part);
		if (ret || (ret = damo_add(ns, &part)))
			return ret;
	}
	return 0;
}

static uint64_t bytes_of_unit(const char *u, size_t n)
{
	static const char prefixes[] = "KMGTPE";
	const char *p;

	if (n == 1 && *u == 'B')
		return 1;
	if (!n || !(p = strchr(prefixes, *u)) || !*u)
		return 0;
	if (n > 1 && strncmp(u + 1, n == 2 ? "B" : "iB", n - 1))
		return 0;
	if (n > 3)
		return 0;
	return UINT64_C(1) << (10 * (p - prefixes + 1));
}

int dt_parse_damo_bytes(const char *text, uint64_t *bytes)
{
	size_t n = strlen(text), ulen = 0;
	uint64_t unit = 1;
	struct dt_damo_num v;
	int ret;

	if (!strcmp(text, "min") || !strcmp(text, "max")) {
		*bytes = text[1] == 'i' ? 0 : UINT64_MAX;
		return 0;
	}
	if (!strncmp(text, "0x", 2) || !strncmp(text, "0X", 2))
		return dt_parse_u64(text, bytes);
	for (size_t l = 3; l >= 1 && !ulen; l--)
		if (n > l && (unit = bytes_of_unit(text + n - l, l)))
			ulen = l;
	if (!ulen)
		unit = 1;
	if (!ulen && !strcmp(text, "B"))
		return -EINVAL;
	if ((ret = damo_nr(text, n - ulen, &v)))
		return ret;
	double f = dt_damo_num_f(&v) * (double)unit;
	if ((v.is_float ? f : (double)v.i) < 0)
		return -EINVAL;
	if (!v.is_float) {
		unsigned __int128 x = (unsigned __int128)(uint64_t)v.i * unit;
		*bytes = x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;
	} else {
		*bytes = f >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)f;
	}
	return 0;
}

int dt_time_range_base_valid(const char *word)
{
	struct dt_damo_num n;

	return !strcmp(word, "guided") || !strcmp(word, "guided_end") ||
	       !dt_parse_damo_ns(word, &n);
}

int dt_address_range_base_valid(const char *word)
{
	uint64_t b;

	return !strcmp(word, "guided") || !dt_parse_damo_bytes(word, &b);
}

int dt_parse_time_range(const char *const *words, int nr, struct dt_time_range *r,
			char *err, size_t errlen)
{
	*r = (struct dt_time_range){ 0 };
	if (nr < 2 || nr > 3) {
		snprintf(err, errlen, "START END [BASE]: two or three values, not %d", nr);
		return -EINVAL;
	}
	for (int i = 0; i < nr; i++) {
		struct dt_damo_num *v = i == 0 ? &r->start : i == 1 ? &r->end : &r->base_value;
		if (i == 2 && (!strcmp(words[i], "guided") || !strcmp(words[i], "guided_end"))) {
			r->base = words[i][6] ? DT_RANGE_BASE_GUIDED_END : DT_RANGE_BASE_GUIDED;
			continue;
		}
		if (i == 2)
			r->base = DT_RANGE_BASE_VALUE;
		if (dt_parse_damo_ns(words[i], v)) {
			snprintf(err, errlen, "not a time: '%s' (ns, or with a unit: 10s, 1.5m, "
				 "\"4 s 500 ms\")", words[i]);
			return -EINVAL;
		}
	}
	if (r->base == DT_RANGE_BASE_NONE &&
	    (r->start.is_float || r->end.is_float ? dt_damo_num_f(&r->end) <= dt_damo_num_f(&r->start)
						  : r->end.i <= r->start.i)) {
		snprintf(err, errlen, "START < END, not '%s %s'", words[0], words[1]);
		return -EINVAL;
	}
	return 0;
}

int dt_parse_address_range(const char *const *words, int nr, struct dt_address_range *r,
			   char *err, size_t errlen)
{
	*r = (struct dt_address_range){ 0 };
	if (nr < 2 || nr > 3) {
		snprintf(err, errlen, "START END [BASE]: two or three values, not %d", nr);
		return -EINVAL;
	}
	for (int i = 0; i < nr; i++) {
		uint64_t *v = i == 0 ? &r->start : i == 1 ? &r->end : &r->base_value;
		if (i == 2 && !strcmp(words[i], "guided")) {
			r->base = DT_RANGE_BASE_GUIDED;
			continue;
		}
		if (i == 2)
			r->base = DT_RANGE_BASE_VALUE;
		if (dt_parse_damo_bytes(words[i], v)) {
			snprintf(err, errlen, "not an address: '%s' (bytes, or with a suffix: "
				 "4M, 1.5GiB, 127.26T)", words[i]);
			return -EINVAL;
		}
	}
	if (r->base == DT_RANGE_BASE_NONE && r->end <= r->start) {
		snprintf(err, errlen, "START < END, not '%s %s'", words[0], words[1]);
		return -EINVAL;
	}
	return 0;
}

int dt_time_range_resolve(const struct dt_time_range *r, const struct dt_damo_num *guide_start,
			  const struct dt_damo_num *guide_end, struct dt_damo_num out[2],
			  char *err, size_t errlen)
{
	const struct dt_damo_num *base = r->base == DT_RANGE_BASE_GUIDED ? guide_start :
					 r->base == DT_RANGE_BASE_GUIDED_END ? guide_end :
					 r->base == DT_RANGE_BASE_VALUE ? &r->base_value : NULL;

	out[0] = r->start;
	out[1] = r->end;
	if (base && (damo_add(&out[0], base) || damo_add(&out[1], base))) {
		snprintf(err, errlen, "time range out of range");
		return -ERANGE;
	}
	if (dt_damo_num_f(&out[1]) <= dt_damo_num_f(&out[0]) &&
	    !(out[0].is_float || out[1].is_float ? 0 : out[0].i < out[1].i)) {
		snprintf(err, errlen, "time range: START < END, not %.0f %.0f",
			 dt_damo_num_f(&out[0]), dt_damo_num_f(&out[1]));
		return -EINVAL;
	}
	return 0;
}

int dt_address_range_resolve(const struct dt_address_range *r, const uint64_t *guided,
			     uint64_t out[2], char *err, size_t errlen)
{
	uint64_t base = 0;

	if (r->base == DT_RANGE_BASE_GUIDED) {
		if (!guided) {
			snprintf(err, errlen, "address range: 'guided', but the guide has no "
				 "area for this range");
			return -EINVAL;
		}
		base = guided[0];
	} else if (r->base == DT_RANGE_BASE_VALUE) {
		base = r->base_value;
	}
	if (__builtin_add_overflow(r->start, base, &out[0]) ||
	    __builtin_add_overflow(r->end, base, &out[1])) {
		snprintf(err, errlen, "address range beyond 2^64");
		return -ERANGE;
	}
	if (out[1] <= out[0]) {
		snprintf(err, errlen, "address range: START < END, not %llu %llu",
			 (unsigned long long)out[0], (unsigned long long)out[1]);
		return -EINVAL;
	}
	return 0;
}
