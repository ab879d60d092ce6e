#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The whole test run (`make test`, and CI after `make deps`): unit and
# command tests, the same built with ASan/UBSan, a short fuzz pass, the
# real-kernel microVM test and the browser tests.  Each stage prints its own
# results; the last line sums up the checks of every stage.
set -uo pipefail
cd "$(dirname "$0")/.."

# name|driver that must exist|command
stages=(
	"check|Makefile|make -s check"
	"sanitize|Makefile|make -s sanitize"
	# every tests/fuzz/fuzz_*.c, FUZZ_SECONDS each, from a fixed seed so
	# that a red run names inputs the next run makes again (make fuzz by
	# hand draws a new seed each time)
	"fuzz|tests/fuzz/run.sh|make -s fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-20} FUZZ_SEED=${FUZZ_SEED:-1}"
	"check-vm|tests/vm/run.sh|make -s check-vm"
	"check-browser|tests/browser/run.sh|make -s check-browser"
)
[ -n "${DT_STAGES:-}" ] && IFS=' ' read -r -a only <<<"$DT_STAGES"

passed=0 failed=0 stage_failures=""
for entry in "${stages[@]}"; do
	name=${entry%%|*} rest=${entry#*|}
	driver=${rest%%|*} cmd=${rest#*|}
	[ -e "$driver" ] || continue
	if [ -n "${only[*]:-}" ] && [[ " ${only[*]} " != *" $name "* ]]; then
		continue
	fi
	echo "=== $name: $cmd"
	log=$(mktemp)
	start=$(date +%s)
	bash -c "$cmd" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	echo "=== $name: exit $status after $(( $(date +%s) - start )) s"
	# Check prints "NN%: Checks: N, Failures: F, Errors: E"; our own
	# harnesses print "N passed, N failed".
	read -r p f < <(awk '
		/[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
			gsub(/,/, ""); for (i = 1; i <= NF; i++) {
				if ($i == "Checks:") c = $(i+1); if ($i == "Failures:") fl = $(i+1); if ($i == "Errors:") e = $(i+1) }
			p += c - fl - e; f += fl + e }
		/^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed/ {
			for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
		END { print p + 0, f + 0 }' "$log")
	rm -f "$log"
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$status" -ne 0 ]; then
		stage_failures="$stage_failures $name"
		[ "$f" -gt 0 ] || failed=$((failed + 1))
	fi
done
[ -z "$stage_failures" ] || echo "failed stages:$stage_failures"
echo "damotrace: $passed passed, $failed failed"
[ -z "$stage_failures" ]
