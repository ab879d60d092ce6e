// SPDX-License-Identifier: GPL-2.0-only
/*
 * damo-record's option helpers: address ranges (-r), a command line split
 * into words, who called sudo (SUDO_UID, SUDO_GID), and the perf ring
 * buffer's size as a power of two.
 */
#define _GNU_SOURCE
#include "recorder.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recorder_internal.h"
#include "grow.h"
#include "units.h"

/* ---------------------------------------------------------------- parsing */

int rec_parse_ranges(const char *text, struct rec_range **ranges, size_t *nr, char *err,
		     size_t errlen)
{
	char *copy = strdup(text), *save = NULL;
	struct rec_range *out = NULL;
	size_t n = 0, cap = 0;

	*ranges = NULL;
	*nr = 0;
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		/* A '-' after the first character separates the two numbers. */
		char *dash = strchr(tok + (*tok == '-' ? 1 : 0), '-');
		uint64_t s, e;
		if (!dash) {
			dt_fail(err, errlen, 0, "region '%s': expected START-END", tok);
			goto bad;
		}
		*dash = '\0';
		if (dt_parse_size(tok, &s) || dt_parse_size(dash + 1, &e)) {
			dt_fail(err, errlen, 0, "region '%s-%s': not two addresses", tok, dash + 1);
			goto bad;
		}
		if (e <= s) {
			dt_fail(err, errlen, 0, "region %s-%s: end is not above start", tok,
				dash + 1);
			goto bad;
		}
		if (n && s < out[n - 1].end) {
			dt_fail(err, errlen, 0,
				"region %s-%s: regions must be sorted and not overlap", tok,
				dash + 1);
			goto bad;
		}
		if (DT_GROW(out, cap, n + 1))
			goto bad;
		out[n].start = s;
		out[n].end = e;
		n++;
	}
	if (!n) {
		dt_fail(err, errlen, 0, "no region in '%s'", text);
		goto bad;
	}
	free(copy);
	*ranges = out;
	*nr = n;
	return 0;
bad:
	free(copy);
	free(out);
	return -EINVAL;
}

void rec_free_argv(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

int rec_split_command(const char *line, char ***argv_out, char *err, size_t errlen)
{
	size_t len = strlen(line), n = 0;
	char **argv = calloc(len / 2 + 2, sizeof(*argv));
	char *word = malloc(len + 1);
	const char *p = line;

	*argv_out = NULL;
	if (!argv || !word)
		goto nomem;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		size_t w = 0;
		char quote = 0;
		for (; *p; p++) {
			if (quote) {
				if (*p == quote)
					quote = 0;
				else if (quote == '"' && *p == '\\' &&
					 (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`'))
					word[w++] = *++p;
				else
					word[w++] = *p;
			} else if (*p == '\'' || *p == '"') {
				quote = *p;
			} else if (*p == '\\' && p[1]) {
				word[w++] = *++p;
			} else if (*p == ' ' || *p == '\t' || *p == '\n') {
				break;
			} else {
				word[w++] = *p;
			}
		}
		if (quote) {
			dt_fail(err, errlen, 0, "command '%s': unterminated %c quote", line, quote);
			free(word);
			rec_free_argv(argv);
			return -EINVAL;
		}
		word[w] = '\0';
		if (!(argv[n++] = strdup(word)))
			goto nomem;
	}
	free(word);
	if (!n) {
		dt_fail(err, errlen, 0, "empty command");
		rec_free_argv(argv);
		return -EINVAL;
	}
	*argv_out = argv;
	return 0;
nomem:
	free(word);
	rec_free_argv(argv);
	return dt_fail(err, errlen, -ENOMEM, "out of memory");
}

/* ---------------------------------------------------------------- settings */

static int parse_id(const char *s, unsigned long *v)
{
	char *end;
	if (!s || !*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end ? -1 : 0;
}

void detect_sudo(struct rec *r)
{
	unsigned long uid, gid;
	if (geteuid() == 0 && !parse_id(getenv("SUDO_UID"), &uid) &&
	    !parse_id(getenv("SUDO_GID"), &gid) && uid != 0) {
		r->under_sudo = 1;
		r->sudo_uid = (uid_t)uid;
		r->sudo_gid = (gid_t)gid;
	}
}

unsigned pages_order(unsigned pages)
{
	unsigned order = 0;
	if (!pages)
		return 9;
	while ((1u << order) < pages && order < 16)
		order++;
	return order;
}
