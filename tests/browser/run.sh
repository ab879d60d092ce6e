#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Browser tests (`make check-browser`): speedscope files written by
# damo-stacks open in the real speedscope 1.25.0 web app (pinned npm
# package), served on 127.0.0.1 and loaded with #profileURL= in Debian's
# headless chromium: the page title names the profile, the flame graph is
# drawn, no error is logged, thrown or alerted.  damo-timeline's HTML report
# of the golden record tests/data/corpus/fft6-1.dtr opens from file://
# (report_check.mjs, puppeteer-core): no console error, no network request,
# the phases whose reports name Transpose and Twiddle show them at the top
# of their call trees, zoom and pan move every panel's time axis, a hovered
# cell shows the address and heat damo-heatmap --output raw gives, the
# screenshot is not blank; the report of a synthetic record with memory
# footprints shows their RSS as damo-convert --what footprint gives it; the vendored scripts match their npm tarballs
# (render/html/vendor/verify.sh).  Screenshots are kept in
# $DT_BROWSER_OUT (default: $TMPDIR/dt-browser-screenshots, replaced on each
# run, printed at the end).
# Last line: "check-browser: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
DT_SRC=$PWD
DT_BIN=${DT_BIN:-$DT_SRC/bin}
DT_SHARED=${DT_SHARED:-$DT_SRC/../shared}
PATH=$DT_BIN:$PATH
APP=$DT_SRC/tests/npm/node_modules/speedscope/dist/release
SCHEMA=$APP/file-format-schema.json
CHECK="env DT_NPM=$DT_SRC/tests/npm node $DT_SRC/tests/browser/speedscope_check.mjs"
VALIDATE="node $DT_SRC/tests/browser/validate_speedscope.mjs"

work=$(mktemp -d "${TMPDIR:-/tmp}/dt-browser.XXXXXX")
out=${DT_BROWSER_OUT:-${TMPDIR:-/tmp}/dt-browser-screenshots}
rm -f "$out"/*.png 2>/dev/null
mkdir -p "$out"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

result() { # NAME STATUS MESSAGE
	if [ "$2" = 0 ]; then
		passed=$((passed + 1))
		echo "PASS: $1${3:+: $3}"
	else
		failed=$((failed + 1))
		echo "FAIL: $1${3:+: $3}"
	fi
}

# open_ok NAME PROFILE TITLE: valid against the schema and loads in the app.
open_ok() {
	local log
	if ! log=$($VALIDATE "$SCHEMA" "$2" 2>&1); then
		result "$1" 1 "schema: $log"
		return
	fi
	log=$($CHECK "$APP" "$2" "$3" "$out/$1.png" 2>&1)
	result "$1" $? "$log"
}

if ! bash tests/browser/npm-deps.sh || [ ! -f "$APP/index.html" ]; then
	result "npm-deps" 1 "speedscope web app not installed"
	echo "check-browser: $passed passed, $failed failed"
	exit 1
fi
command -v chromium >/dev/null || result "chromium" 1 "chromium is missing (make deps)"
command -v damo-stacks >/dev/null || result "damo-stacks" 1 "not built in $DT_BIN"
cd "$work"

# 1. A synthetic record with its own callstacks and phases.
if damo-synth -o synth.dtr --seed 3 --snapshots 150 --regions 100 --stacks 2>err.txt &&
	damo-stacks -i synth.dtr -o synth.speedscope.json 2>>err.txt; then
	open_ok synth synth.speedscope.json synth.speedscope.json
else
	result synth 1 "$(head -n 3 err.txt)"
fi

# 2. The real DAMON record of three buffers, with callstacks of the same
# program shape, named explicitly.
VM=$DT_SHARED/interop/damo/vm/damon-vm.perf-script
awk 'BEGIN {
	for (t = 3.40; t < 9.33; t += 0.005) {
		fn = t < 4.75 ? "idle_loop" : t < 6.25 ? "touch_a" : t < 7.80 ? "touch_b" : "touch_c"
		printf "prog 200/200 [001] %.6f: 5000000 cpu-clock: \n\t55d0 %s+0x1c (/root/prog)\n\t55e0 main+0x5 (/root/prog)\n\n", t, fn
	}
}' >vm-stacks.txt
if damo-stacks vm-stacks.txt -i "$VM" --name "vm: three buffers" -o vm.speedscope.json 2>err.txt; then
	open_ok vm-phases vm.speedscope.json "vm: three buffers"
else
	result vm-phases 1 "$(head -n 3 err.txt)"
fi

# 3. Real perf callstacks of the three-phase test program.
if cc -O1 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline -o three_phases \
	"$DT_SRC/tests/programs/three_phases.c" 2>err.txt &&
	perf record -q -g -k mono -e cpu-clock -o perf.data -- ./three_phases 200 >/dev/null 2>>err.txt &&
	perf script -i perf.data --header >perf.txt 2>/dev/null &&
	damo-stacks perf.txt -o perf.speedscope.json 2>>err.txt; then
	open_ok perf perf.speedscope.json perf.speedscope.json
else
	result perf 1 "$(head -n 3 err.txt)"
fi

# 4. The check itself can fail: a truncated profile must be refused.
if [ -s synth.speedscope.json ]; then
	head -c 2000 synth.speedscope.json >truncated.speedscope.json
	if log=$($CHECK "$APP" truncated.speedscope.json truncated.speedscope.json "$out/truncated.png" 2>&1); then
		result truncated-refused 1 "a truncated profile was reported as loaded: $log"
	else
		result truncated-refused 0 "$log"
	fi
fi

# 5. damo-timeline's HTML report of a golden record from the real kernel,
# its heatmap over the phases' largest hot ranges (as make demo draws the
# buffers).
REC=$DT_SRC/tests/data/corpus/fft6-1.dtr
range=$(damo-timeline -i "$REC" --json 2>err.txt | node -e '
	const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
	let lo = null, hi = null;
	for (const p of d.phases) {
		const r = p.hot_ranges[0];
		if (!r) continue;
		const s = BigInt(r.start), e = BigInt(r.end);
		if (lo === null || s < lo) lo = s;
		if (hi === null || e > hi) hi = e;
	}
	if (lo !== null) console.log("0x" + lo.toString(16), "0x" + hi.toString(16));')
report_check() { # NAME REPORT RECORD ARG...
	local name=$1 log status
	shift
	log=$(DT_BIN=$DT_BIN DT_NPM=$DT_SRC/tests/npm node "$DT_SRC/tests/browser/report_check.mjs" \
		"$1" "$2" "$out/$name.png" "${@:3}" 2>&1)
	status=$?
	echo "$log" | sed 's/^/    /'
	result "$name" $status "$(echo "$log" | grep -c '^PASS') checks passed, $(echo "$log" | grep -c '^FAIL') failed"
}
if [ -n "$range" ] && damo-timeline -i "$REC" --address_range $range -o report.html >/dev/null 2>>err.txt; then
	report_check report report.html "$REC" Transpose Twiddle
else
	result report 1 "$(head -n 3 err.txt)"
fi

# 6. A synthetic record with the targets' memory footprints (format 1.1):
# the report draws their RSS beside the WSS, as damo-wss --plot does.
if damo-synth -o fp.dtr --seed 3 --snapshots 300 --regions 80 --stacks --footprint 2>err.txt &&
	damo-timeline -i fp.dtr --draw_range hottest -o fp.html >/dev/null 2>>err.txt; then
	report_check report-rss fp.html fp.dtr --rss update_mesh build_index
else
	result report-rss 1 "$(head -n 3 err.txt)"
fi
if log=$(bash "$DT_SRC/render/html/vendor/verify.sh" 2>&1); then
	result vendor 0 "$(echo "$log" | tail -n 1)"
else
	result vendor 1 "$(echo "$log" | tail -n 3 | tr '\n' ' ')"
fi

echo "screenshots: $out"
echo "check-browser: $passed passed, $failed failed"
[ "$failed" = 0 ]
