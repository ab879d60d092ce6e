#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-wss and damo-heatmap: every option --help lists is in the man page
# and the other way round.
source "$(dirname "$0")/lib.sh"

for cmd in damo-wss damo-heatmap; do
	page="$DT_SRC/docs/man/$cmd.1"
	[ -s "$page" ] || fail "$page missing"
	expect_ok "$cmd" --help
	grep -oE -- '--[a-z_]+' out | sort -u > help-opts
	sed 's/\\-/-/g; s/\\f[BIR]//g' "$page" | grep -oE -- '--[a-z_]+' | sort -u > man-opts
	diff -u help-opts man-opts || fail "$cmd: --help and $cmd.1 list different options"
	[ "$(wc -l < help-opts)" -gt 10 ] || fail "$cmd: too few options found"
done
