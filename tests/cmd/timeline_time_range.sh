#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-timeline --time_range, in damo's units and bases: only the snapshots
# lying inside the range (counted again by damo-access --snapshot_time,
# damo's filter of the same meaning), the record's time zero kept, the
# phases inside the range, 'guided' and 'guided_end' counted from the
# record's first snapshot start and last snapshot end.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES/vm/damon-vm.data

field() { /usr/bin/python3 -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$@"; }

expect_ok damo-timeline -i "$F" --json
cp out all.json
zero=$(field all.json time_zero_ns)
first=$(field all.json start_ns)
last=$(field all.json end_ns)

# 2 s to 4 s after the first snapshot's start, three ways of saying it
expect_ok damo-timeline -i "$F" --json --time_range 2s 4s guided
cp out guided.json
expect_ok damo-timeline -i "$F" --json --time_range $((first + 2000000000)) "$((first + 4000000000))"
cmp -s guided.json out || fail "'2s 4s guided' differs from the absolute range"
expect_ok damo-timeline -i "$F" --json --time_range 2000ms '4 s' "$first"
cmp -s guided.json out || fail "'2000ms 4s FIRST' differs from 'guided'"
[ "$(field guided.json time_zero_ns)" = "$zero" ] || fail "--time_range moved the time zero"

# the snapshots kept are those damo's --snapshot_time keeps
expect_ok damo-access -i "$F" --snapshot_time $((first + 2000000000)) $((first + 4000000000)) \
	--total_sz_only --format set record_tail ''
want=$(grep -c . out)
got=$(field guided.json snapshots)
[ "$want" -gt 0 ] && [ "$want" -lt "$(field all.json snapshots)" ] || fail "a window of $want snapshots"
[ "$got" = "$want" ] || fail "$got snapshots in the window, damo-access --snapshot_time keeps $want"
/usr/bin/python3 - "$first" guided.json <<'PY' || fail "a phase outside the range"
import json, sys
lo = int(sys.argv[1]) + 2000000000
hi = lo + 2000000000
d = json.load(open(sys.argv[2]))
assert d["phases"], "no phase"
for p in d["phases"]:
    assert lo <= p["start_ns"] <= p["end_ns"] <= hi, p
PY

# the last 2 s: from the last snapshot's end
expect_ok damo-timeline -i "$F" --json --time_range -2s 0 guided_end
[ "$(field out end_ns)" = "$last" ] || fail "'guided_end' does not end at the last snapshot"

# a figure of the range
expect_ok damo-timeline -i "$F" --time_range 2s 4s guided -o window.png
[ -s window.png ] || fail "no figure"

expect_status 1 damo-timeline -i "$F" --time_range 100s 200s guided
expect_grep 'inside --time_range' err
expect_status 2 damo-timeline -i "$F" --time_range 5s
expect_status 2 damo-timeline -i "$F" --time_range 5x 6s

# --address_range with damo's 'guided' base: offsets from the hottest area
# of the guide, the range damo-heatmap draws for the same words
expect_ok damo-heatmap -i "$F" raw --address_range 4M 20M guided --resol 2 2 --abs_addr
lo=$(awk 'NR == 1 { print $2 }' out)
expect_ok damo-timeline -i "$F" --json --address_range 4M 20M guided
/usr/bin/python3 - "$lo" out <<'PY' || fail "the guided heatmap range differs from damo-heatmap's"
import json, sys
h = json.load(open(sys.argv[2]))["heatmap"]
lo = int(sys.argv[1])
assert h["choice"] == "address_range", h
assert int(h["start"], 16) == lo and int(h["end"], 16) == lo + (16 << 20), (h, lo)
PY
