#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every command names the same function for the same phase (one naming
# rule, convert/analysis/phases.h): a DAMON record with two bursts over
# two buffers, and perf script text on the same clock whose callstacks put
# a wrapper and the function it calls almost equally on the stack (wrap_a
# on every sample of phase 1, inner_a on 98 of 100 of them).  damo-stacks
# (trace events, speedscope and folded phase roots), damo-timeline's text
# report and its JSON report must give the same phases and the same names.
source "$(dirname "$0")/lib.sh"

# 100 ms aggregations from 10 s on; buffer A hot 10.5-11.5 s, buffer B hot
# 12.0-13.0 s, quiet around and between; damo's json format.
node - damon.json <<'EOF'
const fs = require('fs');
const aggr = 100000000n, A = 0x7f0000000000n, B = 0x7f1000000000n, MiB = 1048576n;
const snapshots = [];
for (let t = 10000000000n; t < 13500000000n; t += aggr) {
	const hot = (s, e) => (t >= s && t < e ? 18 : 0);
	const regions = [
		{ start: 0x555555554000n, end: 0x555555559000n, n: 1 },
		{ start: A, end: A + 16n * MiB, n: hot(10500000000n, 11500000000n) },
		{ start: B, end: B + 16n * MiB, n: hot(12000000000n, 13000000000n) },
	];
	snapshots.push({ start_time: `${t}`, end_time: `${t + aggr}`, regions: regions.map((r) => ({
		start: `${r.start}`, end: `${r.end}`, nr_accesses: { samples: r.n }, age: { aggr_intervals: 1 } })) });
}
fs.writeFileSync(process.argv[2], JSON.stringify([{ kdamond_idx: 0, context_idx: 0, target_id: 0,
	intervals: { sample_us: '5000', aggr_us: '100000', ops_update_us: '1000000' }, snapshots }]));
EOF

# perf script, one cpu-clock sample every 10 ms while the program runs:
# outside the bursts it sleeps, idle_loop on one sample in 50 (cpu-clock
# samples only what runs); in phase 1 main;wrap_a;inner_a (wrap_a alone on
# 2 of 100 samples), in phase 2 main;work_b.
awk 'BEGIN {
	print "# ========"
	print "# clockid: monotonic (1)"
	print "# ========"
	print "#"
	for (i = 0; i < 350; i++) {
		t = 10.005 + i * 0.01
		if (!(t >= 10.5 && t < 11.5) && !(t >= 12.0 && t < 13.0) && i % 50)
			continue
		printf "prog 100/100 [000] %.6f: 10000000 cpu-clock: \n", t
		if (t >= 10.5 && t < 11.5) {
			if (i % 50 != 7)
				printf "\t    1100 inner_a+0x10 (/usr/bin/prog)\n"
			printf "\t    1000 wrap_a+0x20 (/usr/bin/prog)\n"
		} else if (t >= 12.0 && t < 13.0) {
			printf "\t    1200 work_b+0x10 (/usr/bin/prog)\n"
		} else {
			printf "\t    1300 idle_loop+0x8 (/usr/bin/prog)\n"
		}
		printf "\t    1400 main+0x30 (/usr/bin/prog)\n\n"
	}
}' >prog.perf

# damo-timeline: the text report and the JSON report.
expect_ok damo-timeline -i damon.json --perf-script prog.perf
grep '^phase ' out >report.txt
[ "$(wc -l <report.txt)" = 2 ] || fail "$(wc -l <report.txt) phases: $(cat out)"
expect_grep '^# time zero 10000000000 ns CLOCK_MONOTONIC' out
sed -E 's/^phase ([0-9]+) \[([0-9.]+)-([0-9.]+) s\] \([^)]*\) ([^:,]+): .*/\1 \2 \3 \4/' report.txt \
	>timeline-text.names
expect_ok damo-timeline -i damon.json --perf-script prog.perf --json
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (r.time_zero_ns !== 10000000000) throw new Error(`time zero ${r.time_zero_ns}`);
for (const p of r.phases) {
	if (!p.top_functions.some((f) => f.name === p.function)) throw new Error(`phase ${p.number}: function ${p.function} not in its top list`);
	console.log(`${p.number} ${p.start_s.toFixed(2)} ${p.end_s.toFixed(2)} ${p.function}`);
}' "$TEST_TMP/out" >timeline-json.names || fail "damo-timeline --json"

# damo-stacks: trace events name each phase's function in its args; the
# speedscope and folded phase roots give each phase's number and span.
expect_ok damo-stacks prog.perf -i damon.json -f trace-event -o trace.json
node -e '
const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const p of t.traceEvents.filter((e) => e.cat === "phase")) {
	const m = /^\[phase (\d+) \| ([0-9.]+)-([0-9.]+) s \|/.exec(p.name);
	console.log(`${m[1]} ${m[2]} ${m[3]} ${p.args.function}`);
}' trace.json >stacks.names || fail "damo-stacks trace events"
expect_ok damo-stacks prog.perf -i damon.json -o prog.speedscope.json
node -e '
const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const f of s.shared.frames) {
	const m = /^\[phase (\d+) \| ([0-9.]+)-([0-9.]+) s \|/.exec(f.name);
	if (m) console.log(`${m[1]} ${m[2]} ${m[3]}`);
}' prog.speedscope.json >speedscope.spans || fail "damo-stacks speedscope"
expect_ok damo-stacks prog.perf -i damon.json -f folded -o prog.folded
sed -nE 's/^\[phase ([0-9]+) \| ([0-9.]+)-([0-9.]+) s \|.*/\1 \2 \3/p' prog.folded | sort -u >folded.spans

# The same phases everywhere, named after the same functions (the naming
# rule's: the deepest frame on half of the samples, inner_a; then work_b).
# Boundaries within two aggregations (0.2 s) of the bursts'.
cut -d' ' -f1-3 stacks.names >stacks.spans
awk 'BEGIN { split("0.50 1.50 2.00 3.00", w, " ") }
	{ for (i = 0; i < 2; i++) { d = $(2 + i) - w[2 * (NR - 1) + 1 + i]; if (d > 0.2 || d < -0.2) bad = 1 } }
	END { exit bad || NR != 2 }' stacks.spans || fail "phases $(cat stacks.spans), want 0.50-1.50 and 2.00-3.00"
expect_same_file stacks.spans speedscope.spans
expect_same_file stacks.spans folded.spans
expect_grep '^1 .* inner_a$' stacks.names
expect_grep '^2 .* work_b$' stacks.names
expect_same_file stacks.names timeline-text.names
expect_same_file stacks.names timeline-json.names
