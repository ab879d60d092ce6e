#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Text that is not UTF-8 where it is drawn (issue 16, item 7): a record's
# file name, a title or a comm in Latin-1 reaches cairo as valid UTF-8
# (invalid bytes as U+FFFD), so every image is drawn.
source "$(dirname "$0")/lib.sh"

expect_ok damo-synth --stacks --targets 2 --snapshots 30 --regions 20 -o two.dtr
name=$'caf\xe9.dtr'
cp two.dtr "$name"
for ext in png pdf svg; do
	expect_ok damo-timeline -i "$name" -o "t.$ext"
	[ -s "t.$ext" ] || fail "no t.$ext"
	expect_ok damo-timeline -i two.dtr --title $'\xff\xfe\xc0\x80 \xed\xa0\x80' -o "u.$ext"
	expect_ok damo-heatmap -i "$name" "h.$ext"
	expect_ok damo-wss -i "$name" --sortby time --plot "w.$ext"
done
# a Latin-1 comm in perf script text, drawn in the flame panel
sed 's/^threads /thr\xe9ads /' "$DT_SRC/tests/data/perf/threads.txt" >latin1.perf
expect_ok damo-timeline -i two.dtr --perf-script latin1.perf -o flame.png
echo "text_safety: ok"
