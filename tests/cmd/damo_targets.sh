#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo's multi-target records (issue 16, items 6, 15, 16): damo writes its
# json and json_compressed records target by target; damo-timeline and
# damo-stacks read them in time order and find the same phases as in the
# record they came from.  Many targets cost time linear in their number
# (a growing CONTEXT per target must not make readers cubic), and
# damo-convert writes them through one spool file, not one per target.
source "$(dirname "$0")/lib.sh"

# phases IN: each phase's span and WSS (hot ranges are cells of the
# worked-on areas, which the .dtr's maps delimit and damo's records lack)
phases() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["phases"]:
    print(p["start_ns"], p["end_ns"], p["wss"])
print(d["heatmap"]["start"], d["heatmap"]["end"])' "$1"
}

# (DAMON data alone: damo's records hold no callstacks, which the phases
# use too)
expect_ok damo-synth --targets 2 --snapshots 30 --regions 20 -o two.dtr
expect_ok damo-synth --stacks --targets 2 --snapshots 30 --regions 20 -o two-stacks.dtr
expect_ok damo-convert two.dtr -o two.json
expect_ok damo-convert two.dtr --to json_compressed -o two.json.z
expect_ok damo-timeline -i two.dtr --json
phases out >want
for f in two.json two.json.z; do
	expect_ok damo-timeline -i "$f" --json
	phases out >got
	expect_same_file want got
	expect_ok damo-timeline -i "$f" -o "$f.png"
done
# damo-stacks: phases from the damo record, callstacks from perf script text
expect_ok damo-convert two-stacks.dtr --to perf_script -o /dev/null
expect_ok damo-stacks -i two-stacks.dtr -f folded --no-phases
expect_ok damo-stacks -i two.json -f folded -o two.folded "$DT_SRC/tests/data/perf/threads.txt"

# 1 024 targets (damo-synth's most) into a damo record with 64 descriptors
expect_ok damo-synth --targets 1024 --snapshots 3 --regions 5 -o many.dtr
(ulimit -n 64 && damo-convert many.dtr -o many.json) 2>err ||
	{ cat err >&2; fail "damo-convert of 1024 targets with 64 descriptors"; }
expect_ok damo-convert many.dtr --to csv
sort out >want.csv
expect_ok damo-convert many.json -o back.dtr
expect_ok damo-convert back.dtr --to csv
sort out >got.csv
expect_same_file want.csv got.csv

# 4 096 targets: every reader in seconds (cubic, this took minutes)
python3 -c '
import json
recs = json.load(open("many.json"))
out = []
for k in range(4):
    for r in recs:
        r = dict(r)
        r["target_id"] += 1000000 * k
        out.append(r)
json.dump(out, open("m4k.json", "w"))'
expect_ok within 60 damo-timeline -i m4k.json
expect_ok within 60 damo-heatmap -i m4k.json raw
expect_ok within 60 damo-wss -i m4k.json
expect_ok within 60 damo-convert m4k.json -o m4k.dtr
echo "damo_targets: ok"
