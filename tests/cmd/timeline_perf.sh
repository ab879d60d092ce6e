#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-timeline with real perf callstacks: examples/fft-phases (three
# phases, here with quiet gaps between them: FFT1DOnce over one buffer,
# Transpose over another, FFT1DOnce again) recorded with
# `perf record -g -k mono -e cpu-clock`; the DAMON
# side is a record generated here on the same CLOCK_MONOTONIC times from the
# phase times and buffer addresses the program printed (DAMON cannot run on
# this host).  The report must name FFT1DOnce for phases 1 and 3 and
# Transpose for phase 2 (the naming rule of phases.h, shared with
# damo-stacks: the deepest function on half of the samples; it may name a
# caller as distinct as its callee), at the times the program gave.
source "$(dirname "$0")/lib.sh"
PANELS=$DT_SRC/tests/cmd/timeline_panels.py

command -v perf >/dev/null || fail "perf is missing (make deps installs linux-perf)"
if ! perf record -q -g -k mono -e cpu-clock -o probe.data -- true 2>perf-probe.err; then
	cat perf-probe.err >&2
	fail "perf record does not work here (kernel.perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null))"
fi

cc -O2 -fno-omit-frame-pointer -o fft-phases "$DT_SRC/examples/fft-phases.c" -lm
perf record -q -g -k mono -e cpu-clock -o perf.data -- ./fft-phases --burst 1 --gap 0.5 --mib 16 >times.txt
[ "$(grep -c '^phase [123] .* start ' times.txt)" = 3 ] || fail "fft-phases did not print its phases"
perf script -i perf.data --header >fft.perf 2>/dev/null
perf script -i perf.data >fft-noheader.perf 2>/dev/null
grep -q '^# clockid: monotonic' fft.perf || fail "perf script --header does not state the monotonic clock"

# The DAMON record (damo's json format): 100 ms aggregations from half a
# second before the first burst; the data buffer hot while phases 1 and 3
# ran, the scratch buffer while phase 2 ran, text and stack lightly used.
node - times.txt damon.json <<'EOF'
const fs = require('fs');
const [src, dst] = process.argv.slice(2);
const buf = {}, ph = [];
for (const f of fs.readFileSync(src, 'utf8').trim().split('\n').map((l) => l.split(' '))) {
	if (f[0] === 'buffer') buf[f[1]] = { start: BigInt(f[2]), size: BigInt(f[3]) };
	else if (f[0] === 'phase' && f[4] === 'start') ph.push({ buffer: f[3], s: BigInt(Math.round(+f[5] * 1e9)) });
	else if (f[0] === 'phase' && f[2] === 'end') ph[ph.length - 1].e = BigInt(Math.round(+f[3] * 1e9));
}
const page = 4096n, aggr = 100000000n;
const lo = (b) => (buf[b].start / page) * page;
const hi = (b) => ((buf[b].start + buf[b].size + page - 1n) / page) * page;
const snapshots = [];
for (let t = ph[0].s - 500000000n; t + aggr <= ph[2].e + 300000000n; t += aggr) {
	const mid = t + aggr / 2n;
	const hot = (b) => (ph.some((p) => p.buffer === b && p.s <= mid && mid < p.e) ? 18 : 0);
	const regions = [
		{ start: 0x555555554000n, end: 0x555555559000n, n: 1 },
		{ start: lo('scratch'), end: hi('scratch'), n: hot('scratch') },
		{ start: lo('data'), end: hi('data'), n: hot('data') },
		{ start: 0x7ffffffde000n, end: 0x7ffffffff000n, n: 2 },
	].sort((a, b) => (a.start < b.start ? -1 : 1));
	snapshots.push({ start_time: `${t}`, end_time: `${t + aggr}`, regions: regions.map((r) => ({
		start: `${r.start}`, end: `${r.end}`, nr_accesses: { samples: r.n }, age: { aggr_intervals: 1 } })) });
}
fs.writeFileSync(dst, JSON.stringify([{ kdamond_idx: 0, context_idx: 0, target_id: 0,
	intervals: { sample_us: '5000', aggr_us: '100000', ops_update_us: '1000000' }, snapshots }]));
EOF

# The report names each burst's function.
expect_ok damo-timeline -i damon.json --perf-script fft.perf -o timeline.png
# (the program's exit may make a short phase of its own, with no working
# set: left out, as phases under 1 MiB)
grep '^phase ' out | grep -v 'WSS [0-9.]* \(B\|KiB\)' >report.txt
[ "$(wc -l <report.txt)" = 3 ] || fail "$(wc -l <report.txt) phases: $(cat out)"
expect_grep '^# time zero [0-9]+ ns CLOCK_MONOTONIC' out
# the naming rule: the deepest function on half of the samples
expect_grep '^phase 1 \[0\.[0-9]+-1\.[0-9]+ s\] \(±[0-9.]+, ±[0-9.]+\) FFT1DOnce: steady, WSS 1[0-9]\.[0-9] MiB, hot 0x[0-9a-f]+\+16\.0 MiB \(dense\).*; top: .*FFT1DOnce [0-9]+%' report.txt
expect_grep '^phase 2 \[.*\) Transpose: .*; top: .*Transpose [0-9]+%' report.txt
expect_grep '^phase 3 \[.*\) FFT1DOnce: .*; top: .*FFT1DOnce [0-9]+%' report.txt
# ... the functions damo-stacks names for the same phases.
sed -E 's/^phase [0-9]+ \[[^]]*\] \([^)]*\) ([^:,]+)[:,].*/\1/' report.txt >report.names
expect_ok damo-stacks fft.perf -i damon.json -f trace-event -o fft-trace.json
node -e '
const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const p of t.traceEvents.filter((e) => e.cat === "phase" && e.args.wss_mean >= 1048576)) console.log(p.args.function);
' fft-trace.json >stacks.names
expect_same_file stacks.names report.names
[ ! -s err ] || fail "warnings: $(cat err)"

# JSON: spans within two aggregations of the printed times, hot ranges on
# the printed buffers, functions in order, samples of the program inside.
expect_ok damo-timeline -i damon.json --perf-script fft.perf --json
cp out report.json
node - times.txt report.json <<'EOF' || fail "JSON report"
const fs = require('fs');
const [timesPath, jsonPath] = process.argv.slice(2);
const buf = {}, ph = [];
for (const f of fs.readFileSync(timesPath, 'utf8').trim().split('\n').map((l) => l.split(' '))) {
	if (f[0] === 'buffer') buf[f[1]] = BigInt(f[2]);
	else if (f[0] === 'phase' && f[4] === 'start') ph.push({ fn: f[2], buffer: f[3], s: +f[5] * 1e9 });
	else if (f[0] === 'phase' && f[2] === 'end') ph[ph.length - 1].e = +f[3] * 1e9;
}
const r = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
r.phases = r.phases.filter((p) => p.wss.mean >= 1048576);
if (r.phases.length !== 3) throw new Error(`${r.phases.length} phases`);
if (r.stacks.alignment !== 'same-clock' || r.stacks.weight_unit !== 'ns') throw new Error(JSON.stringify(r.stacks));
if (!r.thread || r.thread.comm !== 'fft-phases') throw new Error(`thread ${JSON.stringify(r.thread)}`);
r.phases.forEach((p, i) => {
	const w = ph[i];
	/* the issue's tolerance: max(2 aggregations, 0.5 s) */
	if (Math.abs(p.start_ns - w.s) > 5e8 || Math.abs(p.end_ns - w.e) > 5e8)
		throw new Error(`phase ${i + 1}: ${p.start_ns}-${p.end_ns}, printed ${w.s}-${w.e}`);
	if (p.function !== w.fn) throw new Error(`phase ${i + 1}: ${p.function}, printed ${w.fn}`);
	const f = p.top_functions.find((t) => t.name === w.fn);
	if (!f || !(f.share > 0.8)) throw new Error(`phase ${i + 1}: ${w.fn} only ${f && f.share}`);
	const h = p.hot_ranges[0];
	if (!(BigInt(h.start) <= buf[w.buffer] && buf[w.buffer] < BigInt(h.end))) throw new Error(`phase ${i + 1}: hot ${h.start}`);
	if (p.samples < 100) throw new Error(`phase ${i + 1}: ${p.samples} samples`);
});
EOF

# Without --header the clock is guessed from the record's span: same phases.
expect_ok damo-timeline -i damon.json --perf-script fft-noheader.perf
grep '^phase ' out | grep -v 'WSS [0-9.]* \(B\|KiB\)' |
	sed -E 's/^phase [0-9]+ \[[^]]*\] \([^)]*\) ([^:,]+)[:,].*/\1/' >guessed.names
cmp -s report.names guessed.names || fail "guessed clock: $(cat out)"

# The figure: three panels on one axis, the flame chart has boxes.
python3 "$PANELS" timeline.png >panels.json
node -e '
const img = JSON.parse(require("fs").readFileSync("panels.json", "utf8"));
if (img.width !== 2000 || img.height !== 1520 || img.panels.length !== 3) throw new Error(JSON.stringify(img));
const [wss, heat, flame] = img.panels;
if (wss.ink < 20 || heat.viridis < 50 || flame.warm < 5) throw new Error(JSON.stringify(img.panels));
' || fail "timeline.png"
expect_ok damo-timeline -i damon.json --perf-script fft.perf -o timeline.pdf
pdftoppm -png -r 72 -singlefile timeline.pdf page
python3 "$PANELS" page.png | node -e '
const img = JSON.parse(require("fs").readFileSync(0, "utf8"));
if (img.width !== 1000 || img.height !== 760 || img.panels.length !== 3) throw new Error(JSON.stringify(img));
if (img.panels[2].warm < 5 || img.panels[1].viridis < 50) throw new Error(JSON.stringify(img.panels));
' || fail "timeline.pdf"

# Several events in one perf script: the first one's samples, a warning
# naming the others; --event chooses; an event the text lacks is an error.
TWO=$DT_SRC/tests/data/perf/two-events.txt
expect_ok damo-timeline --perf-script "$TWO" --json
expect_grep 'two-events.txt: samples of cpu-clock only, the first event; left out 63 samples of task-clock \(--event NAME chooses\)' err
expect_ok damo-timeline --perf-script "$TWO" --event task-clock --json
expect_no_grep 'left out' err
expect_status 1 damo-timeline --perf-script "$TWO" --event cycles --json
expect_grep "no samples of event 'cycles' \(the text has cpu-clock, task-clock\)" err
