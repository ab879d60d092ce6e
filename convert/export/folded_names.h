/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * folded_names.h - frame and process names in folded stacks, by the rules
 * of FlameGraph's stackcollapse-perf.pl (what flamegraph.pl users compare
 * against), with the deliberate differences docs/man/damo-stacks.1 lists.
 *
 * A frame (symbol, dso) becomes one or more names, root side first, joined
 * by ';':
 *   1. a symbol starting with '(' is dropped, unless it starts with
 *      "(anonymous namespace)" (kept whole: the script drops it);
 *   2. the symbol is split at "->" (an inline chain), except in
 *      "operator->"; every name after the first gets "_[i]";
 *   3. "[unknown]" becomes "[BASE]", BASE the dso's base name ("[unknown]"
 *      when the dso is unknown too); "[unknown <ADDR>]" (the reader's
 *      unknown_addrs) becomes "[BASE <ADDR>]" with `addrs`, "[BASE]" without;
 *   4. ';' becomes ':';
 *   5. unless `keep_args`, or the name looks like a Go method ("pkg.(*T).m"),
 *      the argument list is cut: everything from the first '(' that is not
 *      inside template arguments <...> or braces {...}, not the "()" of
 *      "operator()" and not "(anonymous namespace)" (the script cuts at the
 *      first '(' whatever it is in, so "std::function<double (double)>"
 *      became "std::function<double "); names whose brackets do not balance
 *      are cut at the first '(' as the script does;
 *   6. '"' and '\'' are removed;
 *   7. in a process whose folded name starts with "java", a leading 'L' is
 *      removed from names holding a '/' (JVM class names);
 *   8. annotations: "_[k]" with `kernel` when the dso starts with '[' or
 *      ends in "vmlinux" and does not hold "unknown"; "_[j]" with `jit` for
 *      a dso /tmp/perf-PID.map.
 */
#ifndef DT_FOLDED_NAMES_H
#define DT_FOLDED_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct dt_folded_naming {
	int keep_args; /* keep argument lists (rule 5 off) */
	int kernel;    /* "_[k]" on kernel frames */
	int jit;       /* "_[j]" on JIT frames */
	int addrs;     /* "[BASE <ADDR>]" for frames without a symbol */
};

/* A growing string; p is NUL-terminated once anything was appended. */
struct dt_fbuf {
	char *p;
	size_t len, cap;
};

/* Append the folded name(s) of frame (symbol, dso), for a process whose
 * folded name starts with "java" when `java`.  0; 1 when the frame is
 * dropped (nothing appended); -ENOMEM. */
int dt_folded_frame(struct dt_fbuf *b, const char *symbol, const char *dso, int java,
		    const struct dt_folded_naming *n);

/* Append the folded process name: the comm ("[unknown]" when empty), then
 * "-PID" with `pid` or "-PID/TID" with `tid` (PID "?" when not known, i.e.
 * negative); every space becomes '_'.  0 or -ENOMEM. */
int dt_folded_process(struct dt_fbuf *b, const char *comm, int32_t pid, int32_t tid,
		      int with_pid, int with_tid);

/* Append `len` bytes of `s`.  0 or -ENOMEM. */
int dt_fbuf_add(struct dt_fbuf *b, const char *s, size_t len);

#endif /* DT_FOLDED_NAMES_H */
