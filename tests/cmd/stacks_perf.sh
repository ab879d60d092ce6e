#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-stacks on real perf output made here: a program with three known
# phases (sweep_alpha, sweep_beta, sweep_gamma over three buffers) recorded
# with `perf record -g -k mono -e cpu-clock`, printed by `perf script` in its
# default and -F forms; a DAMON record of the same phases (damo json, built
# from the times the program printed) gives the phases.  Each phase's
# samples must be its own function's, in every export.
source "$(dirname "$0")/lib.sh"

command -v perf >/dev/null || fail "perf is missing (make deps installs linux-perf)"
if ! perf record -q -g -k mono -e cpu-clock -o probe.data -- true 2>perf-probe.err; then
	cat perf-probe.err >&2
	fail "perf record does not work here (kernel.perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null))"
fi
bash "$DT_SRC/tests/browser/npm-deps.sh"
SCHEMA=$DT_SRC/tests/npm/node_modules/speedscope/dist/release/file-format-schema.json
VALIDATE=$DT_SRC/tests/browser/validate_speedscope.mjs

cc -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline \
	-o three_phases "$DT_SRC/tests/programs/three_phases.c"
perf record -q -g -k mono -e cpu-clock -o perf.data -- ./three_phases 300 >phases.txt
[ "$(grep -c '^phase ' phases.txt)" = 3 ] || fail "the program did not report its phases"

perf script -i perf.data >default.txt 2>/dev/null
perf script -i perf.data --header >header.txt 2>/dev/null
perf script -i perf.data -F comm,pid,tid,time,period,event,ip,sym,dso,srcline --ns >srcline.txt 2>/dev/null
perf script -i perf.data -F comm,tid,time,ip,sym -G >flat.txt 2>/dev/null
perf script -i perf.data -F tid,ip,sym >notime.txt 2>/dev/null
grep -q '^# clockid: monotonic' header.txt || fail "perf script --header does not state the monotonic clock"

# Every form parses, and the three functions carry most of the samples.
for form in default header srcline flat notime; do
	expect_ok damo-stacks "$form.txt" -f folded -o "$form.folded"
	for fn in sweep_alpha sweep_beta sweep_gamma; do
		n=$(awk -v fn="$fn" '{ k = split($0, a, ";"); sub(/ [0-9]+$/, "", a[k]); if (a[k] == fn) { split($0, b, " "); c += b[length(b)] } } END { print c + 0 }' "$form.folded")
		[ "$n" -ge 30 ] || fail "$form: only $n samples with $fn as leaf"
	done
done
# With callchains, the sweeps are called from main.
expect_grep '^three_phases;.*main;sweep_alpha [0-9]+$' default.folded
expect_grep '^three_phases;.*main;sweep_gamma [0-9]+$' srcline.folded
# Without: the frame on the header line is the whole stack.
expect_grep '^three_phases;sweep_beta [0-9]+$' flat.folded

# The DAMON side: 50 ms aggregations over the program's run, each phase's
# buffer hot while it ran (damo's json record format).
node - phases.txt record.json <<'EOF'
const fs = require('fs');
const [src, dst] = process.argv.slice(2);
const phases = fs.readFileSync(src, 'utf8').trim().split('\n').map((l) => l.split(' '))
	.map(([, name, s, e]) => ({ name, s: BigInt(s), e: BigInt(e) }));
const aggr = 50000000n, base = { sweep_alpha: 0x7f0000000000n, sweep_beta: 0x7f0010000000n, sweep_gamma: 0x7f0020000000n };
const snapshots = [];
for (let t = phases[0].s - 200000000n; t + aggr <= phases[2].e + 200000000n; t += aggr) {
	const mid = t + aggr / 2n;
	snapshots.push({ start_time: `${t}`, end_time: `${t + aggr}`, regions: phases.map((p) => ({
		start: `${base[p.name]}`, end: `${base[p.name] + 8388608n}`,
		nr_accesses: { samples: p.s <= mid && mid < p.e ? 12 : 0 }, age: { aggr_intervals: 1 } })) });
}
fs.writeFileSync(dst, JSON.stringify([{ kdamond_idx: 0, context_idx: 0, target_id: 0,
	intervals: { sample_us: '5000', aggr_us: '50000', ops_update_us: '1000000' }, snapshots }]));
EOF

# speedscope: valid, phase roots, one profile per thread and per phase.
expect_ok damo-stacks header.txt -i record.json -o prof.speedscope.json
expect_ok node "$VALIDATE" "$SCHEMA" prof.speedscope.json
node - prof.speedscope.json <<'EOF' || fail "speedscope content"
const doc = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const frames = doc.shared.frames.map((f) => f.name);
const names = doc.profiles.map((p) => p.name);
const want = ['sweep_alpha', 'sweep_beta', 'sweep_gamma'];
const phaseProfiles = doc.profiles.filter((p) => /^phase [123] \| /.test(p.name));
if (phaseProfiles.length !== 3) throw new Error(`phase profiles: ${names}`);
const thread = doc.profiles.find((p) => /^three_phases-\d+$/.test(p.name));
if (!thread) throw new Error(`no thread profile: ${names}`);
if (thread.unit !== 'nanoseconds') throw new Error('unit');
// Every sample of the thread starts with a phase (or outside) root frame.
for (const s of thread.samples)
	if (!/^\[(phase \d+ \| [0-9.]+-[0-9.]+ s \| .*WSS .*|outside phases)\]$/.test(frames[s[0]]))
		throw new Error(`root ${frames[s[0]]}`);
// Each phase profile is dominated by its function.
phaseProfiles.forEach((p, i) => {
	let mine = 0, total = 0;
	p.samples.forEach((s, k) => { total += p.weights[k]; if (s.some((f) => frames[f] === want[i])) mine += p.weights[k]; });
	if (!(total > 0 && mine / total > 0.8)) throw new Error(`${p.name}: ${want[i]} ${mine}/${total}`);
});
// Samples in time order inside the phases: phase roots never go back.
let last = 0;
for (const s of thread.samples) {
	const m = /^\[phase (\d+)/.exec(frames[s[0]]);
	if (m) { if (+m[1] < last) throw new Error('phases out of order'); last = +m[1]; }
}
EOF

# The same with the clock left to guess (no --header): same phases.
expect_ok damo-stacks default.txt -i record.json -f folded -o guessed.folded
expect_grep '^\[phase 1 \| [0-9.]+-[0-9.]+ s \| sweep_alpha \| [a-z]+ \| WSS 8.00 MiB\];three_phases;.*sweep_alpha [0-9]+$' guessed.folded
expect_grep '^\[phase 3 \| .*sweep_gamma [0-9]+$' guessed.folded
expect_no_grep '^\[phase 1 \| .*sweep_gamma [0-9]+$' guessed.folded

# A forced offset far away puts every sample outside the record: a warning.
expect_ok damo-stacks default.txt -i record.json --time-offset=-100s -f folded -o shifted.folded
expect_grep 'warning: no callstack sample falls inside' "$TEST_TMP/err"
expect_no_grep '^\[phase' shifted.folded

# trace-event: WSS counter, phases track, merged slices, names.
expect_ok damo-stacks header.txt -i record.json -f trace-event -o trace.json
node - trace.json <<'EOF' || fail "trace-event content"
const t = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const ev = t.traceEvents;
const C = ev.filter((e) => e.ph === 'C'), X = ev.filter((e) => e.ph === 'X'), M = ev.filter((e) => e.ph === 'M');
if (C.length < 20 || !C.every((e) => e.name === 'WSS' && typeof e.args.bytes === 'number')) throw new Error('counter');
if (Math.max(...C.map((e) => e.args.bytes)) !== 8388608) throw new Error('WSS values');
const phases = X.filter((e) => e.cat === 'phase');
if (phases.length !== 3) throw new Error(`phases: ${phases.length}`);
const stack = X.filter((e) => e.cat === 'stack');
const fns = ['sweep_alpha', 'sweep_beta', 'sweep_gamma'];
fns.forEach((fn, i) => {
	const ph = phases[i];
	const mine = stack.filter((e) => e.name === fn);
	if (!mine.length) throw new Error(`no ${fn} slice`);
	const inside = mine.filter((e) => e.ts >= ph.ts - 1000 && e.ts + e.dur <= ph.ts + ph.dur + 1000);
	const dur = (a) => a.reduce((s, e) => s + e.dur, 0);
	if (dur(inside) / dur(mine) < 0.9) throw new Error(`${fn} outside its phase`);
	// Merged: far fewer slices than samples (4 kHz over 300 ms).
	if (mine.length > 200) throw new Error(`${fn}: ${mine.length} slices, not merged`);
});
for (const e of X) if (!(e.ts >= 0 && e.dur >= 0)) throw new Error('negative time');
if (!M.some((e) => e.name === 'thread_name' && /^three_phases-\d+$/.test(e.args.name))) throw new Error('thread name');
if (!M.some((e) => e.name === 'process_name' && e.args.name === 'DAMON')) throw new Error('DAMON process');
// Nesting: within a thread, slices either nest or are disjoint.
const byTid = {};
for (const e of stack) (byTid[e.tid] ??= []).push(e);
for (const list of Object.values(byTid)) {
	list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
	const open = [];
	for (const e of list) {
		while (open.length && open.at(-1).ts + open.at(-1).dur <= e.ts + 1e-6) open.pop();
		if (open.length && e.ts + e.dur > open.at(-1).ts + open.at(-1).dur + 1e-6) throw new Error('overlapping slices');
		open.push(e);
	}
}
EOF

# The record alone (no stacks in it) and stdin.
expect_error damo-stacks -i record.json
expect_grep 'no callstack samples' "$TEST_TMP/err"
damo-stacks - -f folded <default.txt >stdin.folded || fail "stdin"
cmp -s stdin.folded default.folded || fail "stdin gives other stacks than the file"
