#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-stacks names the right function for each memory access phase: on the
# real DAMON record of a three-buffer program (with callstacks of the same
# shape on the same clock), and on a synthetic record whose phases are known.
source "$(dirname "$0")/lib.sh"

VM=$DAMO_FIXTURES/vm/damon-vm.perf-script
[ -r "$VM" ] || fail "missing fixture $VM"

# perf script text of a program that ran touch_a, touch_b, touch_c over the
# three buffers (1.5 s each from 4.75 s), sampled every 10 ms while it
# runs, asleep before (idle_loop on one sample in 50).
awk 'BEGIN {
	for (t = 3.40; t < 9.33; t += 0.01) {
		fn = t < 4.75 ? "idle_loop" : t < 6.25 ? "touch_a" : t < 7.80 ? "touch_b" : "touch_c"
		if (t < 4.75 && n++ % 50)
			continue
		printf "    vm prog 200/200 [001] %.6f: 10000000 cpu-clock: \n", t
		printf "\t    55d0 %s+0x1c (/root/vm prog)\n\t    55e0 main+0x5 (/root/vm prog)\n\n", fn
	}
}' >vm-stacks.txt

expect_ok damo-stacks vm-stacks.txt -i "$VM" -f trace-event -o vm-trace.json
node - vm-trace.json <<'EOF' || fail "phases of the vm record"
const t = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const phases = t.traceEvents.filter((e) => e.cat === 'phase');
if (phases.length !== 3) throw new Error(`${phases.length} phases`);
const want = ['touch_a', 'touch_b', 'touch_c'];
phases.forEach((p, i) => {
	if (p.args.function !== want[i]) throw new Error(`${p.name}: ${p.args.function}, want ${want[i]}`);
	if (!/^\[phase \d \| [0-9.]+-[0-9.]+ s \| touch_[abc] \| [a-z]+[^|]* \| WSS [0-9.]+ MiB\]$/.test(p.name)) throw new Error(p.name);
});
// Back to back: the hot set changed, no quiet span between.
if (Math.abs(phases[0].ts + phases[0].dur - phases[1].ts) > 1) throw new Error('gap 1-2');
if (Math.abs(phases[1].ts + phases[1].dur - phases[2].ts) > 1) throw new Error('gap 2-3');
EOF
expect_ok damo-stacks vm-stacks.txt -i "$VM" -f folded -o vm.folded
expect_grep '^\[phase 1 \| 1\.[0-9]+-[23]\.[0-9]+ s \| touch_a \| [^|]+ \| WSS [0-9.]+ MiB\];vm_prog;main;touch_a [0-9]+$' vm.folded
expect_grep '^\[outside phases\];vm_prog;main;idle_loop [0-9]+$' vm.folded
expect_no_grep '^\[phase 1 .*touch_c' vm.folded
# One phase's stacks, without the phase root: phase 1's lines of vm.folded.
expect_ok damo-stacks vm-stacks.txt -i "$VM" -f folded --phase 1 -o vm1.folded
grep '^\[phase 1 ' vm.folded | sed 's/^[^;]*;//' >want1.folded
expect_same_file want1.folded vm1.folded
expect_status 2 damo-stacks vm-stacks.txt -i "$VM" --phase 1
expect_status 1 damo-stacks vm-stacks.txt -i "$VM" -f folded --phase 4
expect_grep 'phase 4: the record has 3 phases' err
# The same phase of two runs side by side (difffolded.pl's format): here
# the same run twice, so both counts are equal on every line.
expect_ok damo-stacks --diff vm-stacks.txt vm-stacks.txt -i "$VM" -f folded --phase 1
awk '{ print $0 " " $NF }' want1.folded >want1.diff
expect_same_file want1.diff out

# Synthetic records with callstacks inside (damo-synth writes its truth):
# every phase found within 2 aggregations of the truth, with its function.
for spec in 1:200:100 3:300:200 4:300:200; do
	IFS=: read -r seed snaps regions <<<"$spec"
	expect_ok damo-synth -o synth$seed.dtr --seed "$seed" --snapshots "$snaps" --regions "$regions" \
		--stacks --truth truth$seed.txt
	expect_ok damo-stacks synth$seed.dtr -f trace-event -o synth-trace$seed.json
	node - truth$seed.txt synth-trace$seed.json <<'EOF' || fail "phases of synthetic record (seed $seed)"
const fs = require('fs');
const [truthPath, tracePath] = process.argv.slice(2);
const truth = fs.readFileSync(truthPath, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
	.map((l) => l.split(' ')).filter((f) => f[3] === 'hot')
	.map((f) => ({ s: Number(BigInt(f[0])), e: Number(BigInt(f[1])), fn: f[6] }));
const t = JSON.parse(fs.readFileSync(tracePath, 'utf8'));
const origin = t.otherData.origin_ns;
/* damo-synth's quiet spans (waiting, sampled now and then) are idle */
const phases = t.traceEvents.filter((e) => e.cat === 'phase')
	.map((p) => ({ s: origin + p.ts * 1000, e: origin + (p.ts + p.dur) * 1000, top: p.args.function }));
if (phases.length !== truth.length) throw new Error(`${phases.length} phases, truth ${truth.length}`);
const aggr = 100e6 * 1.01; /* the synthetic aggregations jitter */
truth.forEach((w, i) => {
	const p = phases[i];
	if (Math.abs(p.s - w.s) > 2 * aggr || Math.abs(p.e - w.e) > 2 * aggr)
		throw new Error(`phase ${i + 1}: ${p.s}-${p.e}, truth ${w.s}-${w.e}`);
	if (p.top !== w.fn) throw new Error(`phase ${i + 1}: function ${p.top}, truth ${w.fn}`);
});
EOF
done
cp synth1.dtr synth.dtr
expect_ok damo-stacks -i synth.dtr -o synth.speedscope.json
# The record's own stacks replaced by perf script text, or kept with it.
expect_ok damo-stacks -i synth.dtr vm-stacks.txt -f folded -o replaced.folded
expect_grep 'warning: .*callstack samples are replaced' "$TEST_TMP/err"
expect_no_grep 'run_phase' replaced.folded
expect_ok damo-stacks -i synth.dtr --perf-script vm-stacks.txt --keep-record-stacks -f folded -o both.folded
expect_grep 'run_phase' both.folded
expect_grep 'touch_a' both.folded
expect_ok damo-stacks -i synth.dtr --no-phases -f folded -o nophases.folded
expect_no_grep '^\[' nophases.folded

# --help and the man page list the same options.
expect_ok damo-stacks --help
grep -oE '(^|[ ,])--[a-z][a-z-]*' "$TEST_TMP/out" | sed 's/^[ ,]*//' | sort -u >help-opts
sed -n 's/.*\\-\\-\([a-z][a-z-]*\).*/--\1/p' "$DT_SRC/docs/man/damo-stacks.1" | sort -u >man-opts
grep -oE '\\-\\-[a-z][a-z-]*' "$DT_SRC/docs/man/damo-stacks.1" | sed 's/\\-\\-/--/' | sort -u >man-opts
for o in $(cat help-opts); do grep -qx -- "$o" man-opts || fail "$o is in --help, not in the man page"; done
for o in --input --output --format --name --no-phases --perf-script --keep-record-stacks \
	--time-offset --perf-clock --phase-call-effect --phase-memory-effect --time-origin \
	--help --version; do
	grep -qx -- "$o" help-opts || fail "$o missing from --help"
	grep -qx -- "$o" man-opts || fail "$o missing from the man page"
done
expect_ok damo-stacks --version
expect_grep '^damo-stacks \(damotrace\) [0-9]' "$TEST_TMP/out"

# Errors: one clear line, the right exit status.
printf 't 1 1.0: 1 cpu-clock: \n\t1 f (/x)\n\nthis is not perf output\n' >garbage.txt
expect_status 1 damo-stacks garbage.txt
expect_grep '^damo-stacks: garbage.txt: line 4: not a perf script sample header' "$TEST_TMP/err"
[ "$(wc -l <"$TEST_TMP/err")" = 1 ] || fail "more than one error line"
expect_status 1 damo-stacks missing.txt -i "$VM"
expect_grep 'missing.txt: No such file' "$TEST_TMP/err"
expect_status 1 damo-stacks vm-stacks.txt -i missing.dtr
expect_status 1 damo-stacks vm-stacks.txt -o /nonexistent/dir/out.json
expect_status 2 damo-stacks -f svg vm-stacks.txt
expect_grep 'unknown format' "$TEST_TMP/err"
expect_status 2 damo-stacks --phase-call-effect 2 vm-stacks.txt
expect_grep 'phase-call-effect' "$TEST_TMP/err"
expect_status 2 damo-stacks --time-offset soon vm-stacks.txt
expect_status 2 damo-stacks a.txt b.txt
expect_status 2 damo-stacks --bogus
# A failed run leaves no partial output behind.
expect_status 1 damo-stacks garbage.txt -o partial.json
[ ! -e partial.json ] || fail "partial output left behind"
