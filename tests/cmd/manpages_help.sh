#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every command has a man page that agrees with its option table: the table,
# as the hidden --list-options prints it (cmd/options.h: one line an option,
# its names, then its argument's placeholder when it takes one), describes
# the same options as the man page's option paragraphs (the line after each
# .TP that starts with a dash), with the same short and long names and the
# same need for an argument; --help, generated from the same table, shows
# every name.  Every page has an EXIT STATUS section; `make install` puts all
# commands and pages in place.
source "$(dirname "$0")/lib.sh"

commands="damo-record damo-info damo-wss damo-heatmap damo-access damo-stacks damo-timeline damo-convert damo-synth"

# normalize: "NAME... [ARG]" lines from "NAME... [PLACEHOLDER WORDS]" lines:
# what is no name (a word starting with a dash) becomes one word ARG.
normalize() {
	awk '{ names = ""; arg = "";
	       for (i = 1; i <= NF; i++)
		       if ($i ~ /^-/) names = names (names ? " " : "") $i; else arg = " ARG";
	       if (names) print names arg }' | sort
}

for cmd in $commands; do
	page="$DT_SRC/docs/man/$cmd.1"
	[ -s "$page" ] || fail "$page missing"
	expect_ok "$cmd" --list-options
	normalize <out >table-opts
	[ "$(wc -l <table-opts)" -ge 2 ] || fail "$cmd: too few options in --list-options"
	# Option paragraphs of the man page: the line after each .TP, without
	# its font macro, font escapes, quotes and commas.
	awk '/^\.TP/ { getline; print }' "$page" |
		sed 's/\\-/-/g; s/\\f[BIRP]//g; s/^\.[BIR]*  *//; s/[",]/ /g' |
		grep -E '^-' | normalize >man-opts || true
	diff -u table-opts man-opts >diff.txt ||
		fail "$cmd: its option table (-) and $cmd.1 (+) describe different options: $(tail -n +4 diff.txt | sed -n 's/^\([-+]\)\(.*\)/\1[\2]/p' | tr '\n' ' ')"
	# --help shows every name of the table.
	expect_ok "$cmd" --help
	for name in $(grep -oE -- '(^| )--?[a-zA-Z][a-z0-9_-]*' table-opts | sort -u); do
		grep -qE -- "(^|[ ,])$name([ ,=]|\$)" out || fail "$cmd: --help does not show $name"
	done
	grep -q '^\.SH "\{0,1\}EXIT STATUS' "$page" || fail "$cmd.1 has no EXIT STATUS section"
	grep -q '^\.TH ' "$page" || fail "$cmd.1 has no .TH line"
done

# make install: all nine commands and man pages.  The commands are the ones
# already built in $DT_BIN (-o all: nothing is rebuilt); the record library
# comes from the build folder beside them.
objdir=$(dirname "$DT_BIN")
[ -f "$objdir/lib/libdt-format.a" ] || objdir=$DT_SRC/build
[ -f "$objdir/lib/libdt-format.a" ] || fail "no built libdt-format.a beside $DT_BIN or in $DT_SRC/build"
expect_ok make -s -C "$DT_SRC" -o all install O="$objdir" BIN="$DT_BIN" \
	DESTDIR="$TEST_TMP/root" PREFIX=/usr
for cmd in $commands; do
	[ -x "root/usr/bin/$cmd" ] || fail "make install did not install $cmd"
	[ -s "root/usr/share/man/man1/$cmd.1" ] || fail "make install did not install $cmd.1"
	# The installed page is well-formed roff: man renders it without warnings.
	if command -v man >/dev/null; then
		MANWIDTH=80 man --warnings -l "root/usr/share/man/man1/$cmd.1" >rendered 2>warnings ||
			fail "man cannot render $cmd.1: $(head -n 3 warnings)"
		grep -q 'EXIT STATUS' rendered || fail "rendered $cmd.1 shows no EXIT STATUS"
	fi
done
[ "$(ls root/usr/share/man/man1 | wc -l)" -eq 9 ] || fail "make install put $(ls root/usr/share/man/man1 | wc -l) man pages, want 9"
