#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-timeline on a synthetic record with callstacks (damo-synth writes the
# truth) and on the real DAMON record of a three-buffer program: the phase
# report, its JSON, the figure in every format read back, standard input,
# errors, and --help against the man page.
source "$(dirname "$0")/lib.sh"
PANELS=$DT_SRC/tests/cmd/timeline_panels.py

expect_ok damo-synth -o synth.dtr --seed 1 --snapshots 200 --regions 100 --stacks --truth truth.txt

# The text report: the time zero, one line per segment, each phase named
# after the truth's function (damo-synth's quiet spans, waiting and sampled
# now and then, are idle).
expect_ok damo-timeline -i synth.dtr
cp out report.txt
expect_grep '^# time zero 1000000000000 ns CLOCK_MONOTONIC' report.txt
grep '^phase ' report.txt >phases.txt
[ "$(wc -l <phases.txt)" = "$(grep -c ' hot ' truth.txt)" ] || fail "report: $(wc -l <phases.txt) phases"
grep ' hot ' truth.txt | awk '{ print $7 }' >want-fns
sed -E 's/^phase [0-9]+ \[[^]]*\] \([^)]*\) ([^:]+): .*/\1/' phases.txt >got-fns
expect_same_file want-fns got-fns
expect_grep '^phase 1 \[0\.00-2\.80 s\] \(±0\.00, ±0\.10\) transpose: steady, WSS [0-9.]+ MiB, hot 0x7f11[0-9a-f]+\+[0-9.]+ MiB \(anon\)( and [0-9]+ more)?; top: transpose [0-9]+%' report.txt
expect_grep '^phase 2 \[2\.80-5\.20 s\] .*\(heap\).*; top: scan_table ' report.txt
[ ! -s err ] || fail "warnings on a clean record: $(cat err)"

# JSON: spans within two aggregations of the truth, functions in order.
expect_ok damo-timeline -i synth.dtr --json --top 4
cp out report.json
node - truth.txt report.json <<'EOF' || fail "JSON report of the synthetic record"
const fs = require('fs');
const [truthPath, jsonPath] = process.argv.slice(2);
const truth = fs.readFileSync(truthPath, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
	.map((l) => l.split(' ')).filter((f) => f[3] === 'hot')
	.map((f) => ({ s: Number(BigInt(f[0])), e: Number(BigInt(f[1])), lo: BigInt(f[4]), fn: f[6] }));
const r = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
const phases = r.phases;
if (phases.length !== truth.length) throw new Error(`${phases.length} phases, truth ${truth.length}`);
if (r.time_zero_ns !== 1000000000000 || r.clock !== 'CLOCK_MONOTONIC') throw new Error('time zero');
if (!r.quality || r.quality.snapshots !== 200 || r.quality.incomplete_snapshots !== 0) throw new Error('quality');
if (r.segments.length < r.phases.length) throw new Error('segments');
if (r.stacks.from_record < 1000 || r.stacks.from_perf_script !== 0) throw new Error('stack counts');
if (!r.thread || r.thread.comm !== 'synth-app') throw new Error(`thread ${JSON.stringify(r.thread)}`);
const aggr = 100e6 * 1.01;
phases.forEach((p, i) => {
	const w = truth[i];
	if (Math.abs(p.start_ns - w.s) > 2 * aggr || Math.abs(p.end_ns - w.e) > 2 * aggr)
		throw new Error(`phase ${i + 1}: ${p.start_ns}-${p.end_ns}, truth ${w.s}-${w.e}`);
	if (Math.abs(p.start_s - (p.start_ns - r.time_zero_ns) / 1e9) > 1e-6) throw new Error('start_s');
	if (p.function !== w.fn || p.name !== w.fn || p.top_functions[0].name !== w.fn) throw new Error(`phase ${i + 1}: ${p.function}, truth ${w.fn}`);
	if (p.top_functions.length < 1 || p.top_functions.length > 4) throw new Error('--top');
	for (let k = 1; k < p.top_functions.length; k++)
		if (p.top_functions[k].share > p.top_functions[k - 1].share) throw new Error('not descending');
	for (const f of p.top_functions)
		if (!(f.share > 0 && f.share <= 1)) throw new Error(JSON.stringify(f));
	if (!['steady', 'sweep', 'growth'].includes(p.pattern) || !p.uncertainty_s) throw new Error('pattern');
	if (!(p.wss.min <= p.wss.mean && p.wss.mean <= p.wss.max && p.wss.max <= r.peak_wss)) throw new Error('wss');
	/* hot ranges are cells of an eighth of their area: within 4 MiB */
	if (!p.hot_ranges.some((h) => BigInt(h.start) <= w.lo + 0x400000n && BigInt(h.end) > w.lo)) throw new Error(`phase ${i + 1}: no hot range at ${w.lo.toString(16)}`);
	if (!(p.samples > 0)) throw new Error('samples');
});
EOF

# The figure: three panels on one axis, phases shaded, flame boxes, heat.
expect_ok damo-timeline -i synth.dtr -o timeline.png
[ -s timeline.png ] || fail "no timeline.png"
cmp -s out report.txt || fail "the report differs when drawing"
python3 "$PANELS" timeline.png >panels.json
node - panels.json report.json <<'EOF' || fail "timeline.png"
const fs = require('fs');
const img = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const r = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
if (img.width !== 2000 || img.height !== 1520) throw new Error(`${img.width}x${img.height}`);
if (img.panels.length !== 3) throw new Error(`${img.panels.length} panels: ${JSON.stringify(img.panels)}`);
const [wss, heat, flame] = img.panels;
if (!(wss.bottom < heat.top && heat.bottom < flame.top)) throw new Error('panel order');
if (wss.left !== heat.left || heat.left !== flame.left || wss.right !== flame.right) throw new Error('not one time axis');
if (wss.ink < 30) throw new Error(`WSS panel ink ${wss.ink}%`);
if (heat.viridis < 50) throw new Error(`heatmap panel ${heat.viridis}% heat colours`);
if (flame.warm < 30) throw new Error(`flame chart ${flame.warm}% boxes`);
EOF
# Shaded phase columns: the middle of each phase near the bottom of the WSS
# panel is a pale shade (blue or orange), the middle of each gap is white.
read -r top bottom left right < <(node -e '
const p = JSON.parse(require("fs").readFileSync("panels.json", "utf8")).panels[0];
console.log(p.top, p.bottom, p.left, p.right)')
points=$(node -e '
const r = JSON.parse(require("fs").readFileSync("report.json", "utf8"));
const [top, bottom, left, right] = process.argv.slice(1).map(Number);
const x = (s) => Math.round(left + s / r.duration_s * (right - left));
const y = bottom - 8, out = [];
r.phases.forEach((p, i) => {
	out.push(`${x((p.start_s + p.end_s) / 2)},${y}`);
	const n = r.phases[i + 1];
	if (n && n.start_s - p.end_s > 0.3) out.push(`${x((p.end_s + n.start_s) / 2)},${y - 120}`);
});
console.log(out.join(" "))' "$top" "$bottom" "$left" "$right")
python3 "$PANELS" timeline.png $points >pixels.json
node - pixels.json report.json <<'EOF' || fail "phase shading"
const fs = require('fs');
const px = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')).pixels;
const r = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
let k = 0;
const pale = ([R, G, B]) => Math.min(R, G, B) > 190 && Math.max(R, G, B) < 252 && Math.max(R, G, B) - Math.min(R, G, B) > 10;
r.phases.forEach((p, i) => {
	if (!pale(px[k])) throw new Error(`phase ${i + 1}: ${px[k]} is no shade`);
	k++;
	const n = r.phases[i + 1];
	if (n && n.start_s - p.end_s > 0.3) {
		if (px[k].join() !== '255,255,255') throw new Error(`gap after phase ${i + 1}: ${px[k]}`);
		k++;
	}
});
if (k !== px.length) throw new Error('points');
EOF

# PDF rendered back with pdftoppm: the same three panels; SVG written.
expect_ok damo-timeline -i synth.dtr -o timeline.pdf -o timeline2.png --colormap magma --scale log --draw_range phases
[ "$(python3 "$PANELS" timeline2.png | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).panels.length)')" = 3 ] ||
	fail "the second -o has no three panels"
pdftoppm -png -r 72 -singlefile timeline.pdf page
python3 "$PANELS" page.png >pdf.json
node -e '
const img = JSON.parse(require("fs").readFileSync("pdf.json", "utf8"));
if (img.width !== 1000 || img.height !== 760) throw new Error(`${img.width}x${img.height}`);
if (img.panels.length !== 3) throw new Error(`${img.panels.length} panels`);
if (img.panels[2].warm < 30 || img.panels[1].ink < 60 || img.panels[0].ink < 20) throw new Error(JSON.stringify(img.panels));
' || fail "timeline.pdf"
expect_ok damo-timeline -i synth.dtr -o timeline.svg --resol 200 100 --thread 4001 --title "synthetic app"
grep -q '<svg .*viewBox="0 0 1000 760"' timeline.svg || fail "timeline.svg is no 1000x760 SVG"
[ "$(grep -c '<image\|<path' timeline.svg)" -gt 100 ] || fail "timeline.svg is nearly empty"

# Standard input gives the same report; the real vm record: three phases
# back to back (through the input layer: perf script of damon_aggregated).
expect_ok damo-timeline -i - <synth.dtr
expect_same_file report.txt out
VM=$DAMO_FIXTURES/vm/damon-vm.perf-script
expect_ok damo-timeline -i "$VM" --json
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
/* B and C, adjacent without maps, read as one sweep (docs/PHASES.md) */
if (r.phases.length < 2) throw new Error(`${r.phases.length} phases`);
for (let i = 1; i < r.phases.length; i++) if (r.phases[i].start_ns !== r.phases[i - 1].end_ns) throw new Error("not back to back");
if (r.phases.some((p) => p.end_s - p.start_s < 1.2)) throw new Error("spans");
if (r.thread !== null || r.stacks.samples !== 0) throw new Error("stacks");
' "$TEST_TMP/out" || fail "vm record"
expect_ok damo-timeline -i "$VM" -o vm.png
expect_grep '^phase 2 \[.*; no callstacks$' out
python3 "$PANELS" vm.png | node -e '
const img = JSON.parse(require("fs").readFileSync(0, "utf8"));
if (img.panels.length !== 3 || img.panels[1].viridis < 50) throw new Error(JSON.stringify(img.panels));
' || fail "vm.png"

# The record's stacks replaced by perf script text, or kept with it.
awk 'BEGIN { for (t = 1000.5; t < 1019.5; t += 0.01)
	printf "other 77/77 [000] %.6f: 10000000 cpu-clock: \n\t 1 spin+0x1 (/bin/other)\n\n", t }' >other.perf
expect_ok damo-timeline -i synth.dtr --perf-script other.perf --json
expect_grep 'warning: .*callstack samples are replaced' err
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (r.stacks.from_record !== 0 || r.stacks.from_perf_script < 1800 || r.thread.tid !== 77) throw new Error(JSON.stringify(r.stacks));
' "$TEST_TMP/out" || fail "replaced stacks"
expect_ok damo-timeline -i synth.dtr --perf-script other.perf
cp out replaced.txt
expect_ok damo-timeline -i synth.dtr --perf-script - <other.perf
expect_same_file replaced.txt out
expect_grep 'spin 100%' out
expect_ok damo-timeline -i synth.dtr --perf-script other.perf --keep-record-stacks --json
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (r.stacks.from_record < 1000 || r.stacks.from_perf_script < 1800) throw new Error(JSON.stringify(r.stacks));
if (r.phases[0].function !== "transpose") throw new Error(r.phases[0].function);
' "$TEST_TMP/out" || fail "kept stacks"

# Progress on a terminal (a pseudo-terminal from script(1)), none otherwise.
expect_ok damo-synth -o longer.dtr --snapshots 2000 --regions 200 --stacks
script -q -c "damo-timeline -i longer.dtr >/dev/null" typescript >/dev/null
grep -q 'longer\.dtr: record pass [123]: [0-9]* items' typescript || fail "no progress on a terminal: $(cat -v typescript)"
expect_ok damo-timeline -i longer.dtr
[ ! -s err ] || fail "progress or warnings without a terminal: $(cat err)"

# Samples the clocks cannot put inside the record: warnings, no attribution.
awk 'BEGIN { for (t = 5000.5; t < 5019.5; t += 0.01)
	printf "other 77/77 [000] %.6f: 10000000 cpu-clock: \n\t 1 spin+0x1 (/bin/other)\n\n", t }' >far.perf
expect_ok damo-timeline -i synth.dtr --perf-script far.perf
expect_grep 'warning: .*do not overlap the record.*not aligned' err
expect_grep 'warning: no callstack sample falls inside a phase' err
expect_no_grep 'spin' out
expect_ok damo-timeline -i synth.dtr --perf-script far.perf --time-offset=-4000s
expect_grep '; top: spin 100%' out
expect_no_grep 'falls inside' err

# Snapshots without regions: phases none, a figure all the same.
expect_ok damo-synth -o noregions.dtr --snapshots 10 --regions 0
expect_ok damo-timeline -i noregions.dtr -o noregions.png
expect_grep '^no phases$' out

# Errors: one line naming the file or the option; usage errors exit 2.
expect_status 1 damo-timeline -i missing.dtr
expect_grep 'damo-timeline: .*missing\.dtr' err
[ "$(wc -l <err)" = 1 ] || fail "more than one error line"
printf 'app 1/1 [000] 1.0: 1 cpu-clock: \n\t1 f+0x1 (/a)\n\nnot perf script at all\n' >bad.perf
expect_status 1 damo-timeline --perf-script bad.perf
expect_grep 'bad\.perf.*4' err
head -c 3000 synth.dtr >cut.dtr
expect_error damo-timeline -i cut.dtr
expect_grep 'cut\.dtr' err
expect_status 1 damo-timeline -i synth.dtr --thread 999999
expect_grep 'no callstack samples of this thread' err
expect_status 1 damo-timeline -i synth.dtr --target_id 424242
expect_status 1 damo-timeline -i synth.dtr -o /nonexistent-dir/t.png
expect_grep '/nonexistent-dir/t\.png' err
ln -s /dev/full full.png   # a full disk: the image cannot be written
expect_status 1 damo-timeline -i synth.dtr -o full.png
expect_grep 'full\.png' err
[ -L full.png ] || fail "the failed output's link was removed"
st=0; damo-timeline -i synth.dtr --json >/dev/full 2>full.err || st=$?
[ "$st" = 1 ] || fail "writing the report to a full disk exited $st"
expect_grep 'writing standard output: No space left on device' full.err
expect_status 2 damo-timeline -i synth.dtr -o timeline.gif
expect_status 2 damo-timeline --resol 5 5
expect_status 2 damo-timeline --draw_range all
expect_status 2 damo-timeline --phase-memory-effect 2
expect_status 2 damo-timeline --no-such-option
expect_status 2 damo-timeline -i - --perf-script -
expect_status 2 damo-timeline extra-argument
expect_ok damo-timeline --version
expect_grep '^damo-timeline \(damotrace\) ' out

# --help and the man page list the same options.
expect_ok damo-timeline --help
grep -oE '(^|[ ,])--[a-z][a-z_-]*' out | sed 's/^[ ,]*//' | sort -u >help-opts
grep -oE '\\-\\-[a-z][a-z_-]*' "$DT_SRC/docs/man/damo-timeline.1" | sed 's/\\-\\-/--/' | sort -u >man-opts
for o in $(cat help-opts); do grep -qx -- "$o" man-opts || fail "$o is in --help, not in the man page"; done
for o in $(sed -n 's/^\.BI\{0,1\}R\{0,1\} *\\-\\-\([a-z][a-z_-]*\).*/--\1/p; s/^\.BI* \\-[a-z] *", " \\-\\-\([a-z][a-z_-]*\).*/--\1/p' \
	"$DT_SRC/docs/man/damo-timeline.1" | sort -u); do
	grep -qx -- "$o" help-opts || fail "$o is in the man page's options, not in --help"
done
grep -q 'Exit status: 0 success, 1 failure' out || fail "--help does not give the exit codes"
