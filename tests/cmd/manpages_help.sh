#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every command has a man page that agrees with its --help: each long option
# --help lists is described in the man page (an option paragraph after .TP)
# and each option the man page describes is in --help; every page has an
# EXIT STATUS section; `make install` puts all commands and pages in place.
source "$(dirname "$0")/lib.sh"

commands="damo-record damo-info damo-wss damo-heatmap damo-stacks damo-timeline damo-convert damo-synth"

for cmd in $commands; do
	page="$DT_SRC/docs/man/$cmd.1"
	[ -s "$page" ] || fail "$page missing"
	expect_ok "$cmd" --help
	# Option lines of --help: indented, starting with a dash; the names are
	# what comes before the description column (two blanks).
	sed -n 's/^ \{1,8\}\(-.*\)$/\1/p' out | sed 's/  .*//' |
		grep -oE -- '--[a-z][a-z0-9_-]*' | sort -u >help-opts
	# Option paragraphs of the man page: the line after each .TP.
	awk '/^\.TP/ { getline; print }' "$page" | sed 's/\\-/-/g; s/\\f[BIRP]//g' |
		grep -oE -- '--[a-z][a-z0-9_-]*' | sort -u >man-opts
	[ "$(wc -l <help-opts)" -ge 2 ] || fail "$cmd: too few options found in --help"
	diff -u help-opts man-opts >diff.txt ||
		fail "$cmd: --help (-) and $cmd.1 (+) describe different options: $(grep '^[-+]-' diff.txt | tr '\n' ' ')"
	grep -q '^\.SH "\{0,1\}EXIT STATUS' "$page" || fail "$cmd.1 has no EXIT STATUS section"
	grep -q '^\.TH ' "$page" || fail "$cmd.1 has no .TH line"
done

# make install: all eight commands and man pages.  The commands are the ones
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
[ "$(ls root/usr/share/man/man1 | wc -l)" -eq 8 ] || fail "make install put $(ls root/usr/share/man/man1 | wc -l) man pages, want 8"
