#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# One time zero for every output of a record (convert/input/origin.h): the
# report's header, its JSON, the trace events (phase 1 at the time the
# report gives it) and speedscope carry the same absolute origin; damo-wss's
# CSV and plot keep it when --exclude_samples drops the first snapshots;
# --time-origin abs writes absolute times.
source "$(dirname "$0")/lib.sh"

expect_ok damo-synth -o synth.dtr --seed 2 --snapshots 200 --regions 100 --stacks
expect_ok damo-timeline -i synth.dtr --json
cp out report.json
expect_ok damo-timeline -i synth.dtr
expect_grep '^# time zero [0-9]+ ns CLOCK_MONOTONIC' out
zero=$(sed -nE 's/^# time zero ([0-9]+) ns.*/\1/p' out)
expect_ok damo-stacks -i synth.dtr -f trace-event -o trace.json
expect_ok damo-stacks -i synth.dtr -o prof.speedscope.json
expect_ok damo-stacks -i synth.dtr -f trace-event --time-origin abs -o abs.json
node - report.json trace.json prof.speedscope.json abs.json "$zero" <<'EOF2' || fail "time zero"
const fs = require('fs');
const [r, t, s, a] = process.argv.slice(2, 6).map((p) => JSON.parse(fs.readFileSync(p, 'utf8')));
const zero = Number(process.argv[6]);
if (r.time_zero_ns !== zero) throw new Error(`JSON ${r.time_zero_ns}, text ${zero}`);
if (t.otherData.origin_ns !== zero || s.origin_ns !== zero || a.otherData.origin_ns !== zero)
	throw new Error('origins differ');
const p1 = t.traceEvents.find((e) => e.cat === 'phase');
if (Math.abs(p1.ts / 1e6 - r.phases[0].start_s) > 1e-3)
	throw new Error(`trace phase 1 at ${p1.ts / 1e6} s, report ${r.phases[0].start_s} s`);
const q1 = a.traceEvents.find((e) => e.cat === 'phase');
if (Math.abs(q1.ts * 1e3 - r.phases[0].start_ns) > 1e3) throw new Error(`absolute ${q1.ts}`);
EOF2

# damo-wss: the first snapshots dropped do not move the origin.
expect_ok damo-wss -i synth.dtr --sortby time --exclude_samples 0 --csv
cp out all.csv
expect_ok damo-wss -i synth.dtr --sortby time --exclude_samples 20 --csv
cp out dropped.csv
[ "$(sed -n 22p all.csv)" = "$(sed -n 2p dropped.csv)" ] ||
	fail "origin moved: $(sed -n 22p all.csv) against $(sed -n 2p dropped.csv)"
expect_ok damo-wss -i synth.dtr --sortby time --exclude_samples 20 --plot wss.svg
[ -s wss.svg ] || fail "no plot"
