#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Valid records with values at the edges (issue 16, items 17 and 18):
# memory at address 0, a one-byte region at 2^63, a time span of a few ns
# near 2^63, frame names longer than a label's buffer, a record without
# intervals among several inputs.  Each either draws or fails naming the
# file; none makes a command crash, leak or compute with wrapped numbers
# (make sanitize runs this under ASan/UBSan).
source "$(dirname "$0")/lib.sh"

craft() { node "$DT_SRC/tests/cmd/dtr_craft.js" "$1" "$2"; }
CTX='{"context": {"ops": 1, "targets": [{"pid": 1, "cmdline": "x"}]}}'
snaps() { # snaps START END REGIONS: three snapshots of REGIONS, 100 ms each
	local s
	for s in 0 1 2; do
		printf ', {"snapshot": {"start": %d, "end": %d, "target": 0, "regions": %s}}' \
			$(($1 + s * 100000000)) $(($1 + (s + 1) * 100000000)) "$3"
	done
}

# Memory at address 0 is an area like any other: --draw_range all drew
# an inverted [1 GiB, 1 MiB) ("smaller than 500 bytes"), mapped drew it
# upside down, and the phases' hot range at 0x0 matched no area.
echo "[$CTX$(snaps 1000000000 0 '[[0, 1048576, 10, 0], [1073741824, 1074790400, 1, 0]]')]" >zero.json
craft zero.dtr zero.json
expect_ok damo-heatmap -i zero.dtr --guide
expect_grep '^region	 0: \[0, 1048576\) \(1048576\)$' out
expect_grep '^region	 1: \[1073741824, 1074790400\) \(1048576\)$' out
expect_ok damo-heatmap -i zero.dtr --draw_range all --output raw --resol 2 2
expect_grep '^0	0	10\.0$' out
expect_grep '^0	0	1\.0$' out
expect_ok damo-heatmap -i zero.dtr --draw_range mapped mapped.png
expect_ok damo-timeline -i zero.dtr --draw_range phases -o phases.png
expect_ok damo-timeline -i zero.dtr --draw_range phases
expect_grep 'hot 0x0\+1\.00 MiB' out

# A one-byte region at 2^63, and snapshots 1 ns long near 2^63.
echo "[$CTX$(snaps 1000000000 0 '[["9223372036854775808", "9223372036854775809", 10, 0]]')]" >big.json
craft big.dtr big.json
for o in big.png big.pdf big.svg; do
	expect_ok damo-heatmap -i big.dtr "$o"
done
expect_ok damo-timeline -i big.dtr -o big-t.png
cat >tiny.json <<JSON
[$CTX,
 {"snapshot": {"start": "9223372036854775000", "end": "9223372036854775001", "target": 0, "regions": [[4096, 8192, 10, 0]]}},
 {"snapshot": {"start": "9223372036854775001", "end": "9223372036854775003", "target": 0, "regions": [[4096, 8192, 10, 0]]}}]
JSON
craft tiny.dtr tiny.json
expect_status 1 damo-heatmap -i tiny.dtr tiny.png
expect_grep '^damo-heatmap: tiny\.dtr: time range .* is shorter than 500 ns' err
[ ! -e tiny.png ] || fail "a failed damo-heatmap left tiny.png"
expect_ok damo-wss -i tiny.dtr --sortby time --plot tiny-w.png
expect_ok damo-timeline -i tiny.dtr -o tiny-t.png

# Hostile ages and intervals, in damo's json: a region observed since
# 2^32 - 1 aggregations of 2^53 us, a snapshot ending at 2^64 - 1 ns.
cat >old.json <<JSON
[{"kdamond_idx": 0, "context_idx": 0, "target_id": 0,
  "intervals": {"sample_us": 5000, "aggr_us": 9007199254740992, "ops_update_us": 1000000},
  "snapshots": [{"start_time": 9223372036854775000, "end_time": 18446744073709551615,
    "regions": [{"start": 4096, "end": 8192, "nr_accesses": {"samples": 10},
                 "age": {"aggr_intervals": 4294967295}}]}]}]
JSON
expect_ok damo-heatmap -i old.json --guide
expect_grep '^time: \[-807, 9223372036854775807\) \(9223372036854775807\)$' out
expect_ok damo-heatmap -i old.json --output raw --resol 2 2
expect_ok damo-access -i old.json --sort_regions_by temperature
expect_ok damo-timeline -i old.json

# damo-access's snapshot heatmap: a region of 80 bytes across 2^53 makes
# columns of 1 byte, and from 2^53 on start + 1 == start in doubles: the
# column never advanced and the pixels grew until memory ran out.
cat >far.json <<JSON
[{"kdamond_idx": 0, "context_idx": 0, "target_id": 0,
  "intervals": {"sample_us": 5000, "aggr_us": 100000, "ops_update_us": 1000000},
  "snapshots": [{"start_time": 1000000000, "end_time": 1100000000,
    "regions": [{"start": 9007199254740952, "end": 9007199254741032, "nr_accesses": {"samples": 10}, "age": {"aggr_intervals": 1}}]}]}]
JSON
expect_ok within 20 damo-access -i far.json
expect_grep '^heatmap: ' out
[ "$(wc -c <out)" -lt 100000 ] || fail "damo-access printed $(wc -c <out) bytes for two regions"

# Snapshots without regions: damo-access copied their (absent) region
# arrays with memcpy(NULL, ..., 0) (UBSan) while reading, before it
# refuses a record without intervals.
echo "[$CTX$(snaps 1000000000 0 '[]')]" >none.json
craft none.dtr none.json
expect_status 1 damo-access -i none.dtr
expect_grep '^damo-access: none\.dtr: some records lack the intervals information$' err

# Frame names longer than a flame chart box's label buffer, of two-byte
# characters: the label was cut inside a character and cairo refused the
# whole image ("input string not valid UTF-8", and a leak).
long=$(printf 'é%.0s' $(seq 300))
cat >long.json <<JSON
[$CTX$(snaps 1000000000 0 '[[4096, 1052672, 10, 0]]'),
 {"frame": {"symbol": "$long", "dso": "/x", "srcline": ""}},
 {"stack": {"time": 1050000000, "pid": 1, "tid": 1, "frames": [0]}},
 {"stack": {"time": 1150000000, "pid": 1, "tid": 1, "frames": [0]}}]
JSON
craft long.dtr long.json
expect_ok damo-timeline -i long.dtr -o long.png
[ -s long.png ] || fail "no long.png"

# Among several inputs, the one without intervals is named.
damo-synth --snapshots 5 --regions 4 -o good.dtr
echo "[$CTX$(snaps 1000000000 0 '[[4096, 8192, 1, 0]]')]" >noint.json
craft noint.dtr noint.json
expect_status 1 damo-access -i good.dtr -i noint.dtr
expect_grep '^damo-access: noint\.dtr: some records lack the intervals information' err
echo "hostile_values: ok"
