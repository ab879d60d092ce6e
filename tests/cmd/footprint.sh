#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The memory footprint in a session: a synthetic fleet host with footprints
# (damo-synth --hostname --footprint), what damo-info counts, the
# footprint table (damo-convert --what footprint, CSV and NDJSON), RSS
# drawn next to WSS by damo-wss --sortby time --plot and damo-timeline,
# and damo's formats unchanged by footprints.  (damo-record's footprints
# from /proc: tests/cmd/record_session.sh and tests/unit/test_shim_proc.c.)
source "$(dirname "$0")/lib.sh"

panels() { python3 "$DT_SRC/tests/cmd/timeline_panels.py" "$@"; }
# orange_px of panel N of a PNG: the RSS line's pixels
orange() { panels "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['panels'][$2]['orange_px'])"; }

# A host of a fleet: two targets, 100 snapshots each, a footprint after each
expect_ok damo-synth -o web.dtr --hostname web-01 --footprint --targets 2 --snapshots 100 \
	--regions 60 --seed 3
expect_ok damo-synth -o plain.dtr --targets 2 --snapshots 100 --regions 60 --seed 3
expect_ok damo-info web.dtr
expect_grep '^meta: hostname = web-01$' out
expect_grep '^footprints: 200$' out
expect_ok damo-info plain.dtr
expect_grep '^footprints: 0$' out
expect_no_grep 'hostname' out

# The table: one row per footprint, every column filled
expect_ok damo-convert web.dtr --what footprint -o fp.csv
head -n 1 fp.csv >head.txt
echo "time_ns,kdamond,context,target,pid,size,resident,shared,text,data,swap,utime_ns,stime_ns,minflt,majflt,threads,mem_total,mem_free,mem_available,mem_buffers,mem_cached" >want.txt
expect_same_file want.txt head.txt
[ "$(tail -n +2 fp.csv | wc -l)" = 200 ] || fail "fp.csv: $(tail -n +2 fp.csv | wc -l) rows"
# RSS never below the snapshot's WSS, never shrinking, below VSZ; CPU time grows
expect_ok damo-convert web.dtr --what wss -t csv
cp out wss.csv
python3 - <<'PY' || fail "footprint rows do not hold together"
import csv
rows = list(csv.DictReader(open('fp.csv')))
wss = {(r['target'], i): int(r['wss_bytes'])
       for t in ('0', '1')
       for i, r in enumerate(x for x in csv.DictReader(open('wss.csv')) if x['target'] == t)}
for t in ('0', '1'):
    mine = [r for r in rows if r['target'] == t]
    assert len(mine) == 100
    for i, r in enumerate(mine):
        rss, vsz = int(r['resident']), int(r['size'])
        assert wss[(t, i)] <= rss <= vsz, (t, i, wss[(t, i)], rss, vsz)
        assert r['pid'] != '' and int(r['threads']) == 4
        assert int(r['mem_available']) <= int(r['mem_total']) == 16 << 30
        if i:
            assert rss >= int(mine[i - 1]['resident'])
            assert int(r['utime_ns']) > int(mine[i - 1]['utime_ns'])
PY
expect_ok damo-convert web.dtr --what footprint -t ndjson
[ "$(wc -l <out)" = 200 ] || fail "ndjson: $(wc -l <out) lines"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
const o = JSON.parse(lines[0]);
const keys = "time_ns,kdamond,context,target,pid,size,resident,shared,text,data,swap,utime_ns,stime_ns,minflt,majflt,threads,mem_total,mem_free,mem_available,mem_buffers,mem_cached";
if (Object.keys(o).join(",") !== keys) process.exit(1);
' "$TEST_TMP/out" || fail "ndjson keys"
# docs/EXPORTS.md's cold-memory query, in DuckDB: RSS minus the WSS of the
# snapshot just before, never negative here (the synthetic RSS covers it)
bash "$DT_SRC/tests/browser/npm-deps.sh"
node "$DT_SRC/tests/npm/duckdb_query.js" "SELECT count(*), min(cold_bytes), max(cold_bytes) > 0 FROM (
	SELECT f.time_ns, f.target, f.resident, w.wss_bytes, f.resident - w.wss_bytes AS cold_bytes
	FROM read_csv('fp.csv', header = true) f
	ASOF JOIN read_csv('wss.csv', header = true) w
	  ON f.target = w.target AND f.time_ns >= w.time_ns)" >cold.tsv ||
	fail "the cold-memory query failed"
awk -F'\t' '$1 != 200 || $2 < 0 || $3 != "true" { exit 1 }' cold.tsv || fail "cold memory: $(cat cold.tsv)"

# Values the record did not read are empty (CSV) and null (NDJSON)
expect_ok damo-convert "$DT_SRC/tests/data/footprint-1.1.dtr" --what footprint -t csv
expect_grep '^201500,4294967295,1,2,,,,,,,,,,,,,18446744073709551615,0,0,0,0$' out
expect_ok damo-convert "$DT_SRC/tests/data/footprint-1.1.dtr" --what footprint -t ndjson
expect_grep '"pid":null,"size":null,.*"threads":null,"mem_total":18446744073709551615' out
# A record without footprints: the header only
expect_ok damo-convert plain.dtr --what footprint -t csv
[ "$(wc -l <out)" = 1 ] || fail "plain.dtr has footprint rows"
expect_status 2 damo-convert web.dtr --what footprint -o web.json
expect_grep 'footprint is for csv and ndjson' err

# damo's formats carry no footprint: the same as without it
for to in json perf_script damo-raw; do
	expect_ok damo-convert web.dtr -t "$to" -o "web.$to"
	expect_ok damo-convert plain.dtr -t "$to" -o "plain.$to"
	expect_same_file "plain.$to" "web.$to"
done
# and a damotrace record keeps it
expect_ok damo-convert web.dtr -o copy.dtr
expect_ok damo-info copy.dtr
expect_grep '^footprints: 200$' out

# RSS next to WSS: the orange line, only when the record has footprints
expect_ok damo-wss -i web.dtr --sortby time --plot wss.png
[ "$(orange wss.png 0)" -gt 500 ] || fail "damo-wss drew no RSS"
expect_ok damo-wss -i plain.dtr --sortby time --plot wss-plain.png
[ "$(orange wss-plain.png 0)" = 0 ] || fail "damo-wss drew an RSS without footprints"
expect_ok damo-wss -i web.dtr --sortby time --per_target --plot wss-per.png
# damo's percentile plot stays as damo draws it
expect_ok damo-wss -i web.dtr --plot pct.png
[ "$(orange pct.png 0)" = 0 ] || fail "the percentile plot has an RSS line"
expect_ok damo-timeline -i web.dtr -o tl.png
[ "$(orange tl.png 0)" -gt 500 ] || fail "damo-timeline's WSS panel has no RSS"
expect_ok damo-timeline -i plain.dtr -o tl-plain.png
[ "$(orange tl-plain.png 0)" = 0 ] || fail "damo-timeline drew an RSS without footprints"
