#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make check-vm: real DAMON in a microVM.  Builds the workload, the host-side
# checker and an initramfs with the static damotrace commands and perf,
# boots the Debian DAMON kernel once to run every scenario of
# tests/vm/scenario.sh, then judges the results here, one line per check,
# ending with "check-vm: N passed, N failed".  docs/TESTING-VM.md has the
# details (cache, timings, debugging a boot).
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/vm/lib.sh

O=${O:-build}                       # make passes O and STATIC_BIN along
STATIC_BIN=${STATIC_BIN:-bin-static}
BIN=${BIN:-bin}                     # damo-timeline runs here, on the host
WORK=$O/vm
OUT=$WORK/out
CC=${CC:-cc}
PHASE_S=${PHASE_S:-3}
BUF_MIB=${BUF_MIB:-32}
start=$(date +%s)
# Emulation is slow and the machine may be busy: room for a slow run.
VM_TIMEOUT=${VM_TIMEOUT:-600}

die() {
	echo "check-vm: $*" >&2
	echo "check-vm: 0 passed, 1 failed"
	exit 1
}

ALL_SCENARIOS=raw,record_cmd,record_sigint,record_sigterm,record_sigkill,record_timeout,paddr,busy,tried_regions,record_g,record_g_sigint
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}   # a comma-separated subset, for debugging
want() {
	[[ ",$SCENARIOS," == *",$1,"* ]]
}

mkdir -p "$WORK" || die "cannot create $WORK"
static_specs=()
for cmd in damo-record damo-info damo-synth; do
	if [ -x "$STATIC_BIN/$cmd" ]; then
		static_specs+=("$STATIC_BIN/$cmd")
	elif [ "$SCENARIOS" != raw ]; then
		die "$STATIC_BIN/$cmd is missing (make static)"
	fi
done
[ -f "$O/lib/libdt-format.a" ] || die "$O/lib/libdt-format.a is missing (make static)"

"$CC" -std=c11 -Wall -Wextra -Werror -O2 -g -fno-omit-frame-pointer -static \
	-o "$WORK/phases" tests/vm/workloads/phases.c || die "cannot build the workload"
"$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 -g -Iformat \
	-o "$WORK/vm-check" tests/vm/vm-check.c "$O/lib/libdt-format.a" -lzstd -lz -lm -lpthread ||
	die "cannot build the checker"

perf_specs=$(vm_perf_files) || die "perf is needed in the VM (Debian package linux-perf)"
# shellcheck disable=SC2086
vm_build_initramfs "$WORK/initramfs.cpio.gz" tests/vm/scenario.sh \
	"${static_specs[@]}" "$WORK/phases" tests/vm/guest-lib.sh=/lib/damotrace-vm.sh $perf_specs ||
	die "cannot build the initramfs"
built=$(date +%s)

VM_EXTRA_APPEND="PHASE_S=$PHASE_S BUF_MIB=$BUF_MIB SCENARIOS=$SCENARIOS"
rm -rf "$OUT"
vm_boot "$WORK/initramfs.cpio.gz" "$OUT" || die "the VM run failed; see $OUT/console.txt"
booted=$(date +%s)
R=$OUT/results

# ------------------------------------------------------------------ checks
passed=0 failed=0

pass() {
	echo "PASS $*"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL $*"
	failed=$((failed + 1))
}

# check NAME DESCRIPTION COMMAND...: one check from a command's success.
check() {
	local name=$1 what=$2
	shift 2
	if "$@" >/dev/null 2>&1; then pass "$name: $what"; else fail "$name: $what"; fi
}

# vm_check NAME ARGS...: run the checker, count its lines.
vm_check() {
	local name=$1 line
	shift
	while IFS= read -r line; do
		case $line in
		PASS*) echo "$line"; passed=$((passed + 1)) ;;
		FAIL*) echo "$line"; failed=$((failed + 1)) ;;
		*) echo "$line" ;;
		esac
	done < <("$WORK/vm-check" --name "$name" "$@" 2>&1)
}

status_of() {
	cat "$R/$1/status" 2>/dev/null || echo missing
}

# damo-info (the static one runs on the host too) must call the record
# complete and closed cleanly.
info_clean() {
	"$STATIC_BIN/damo-info" --verify "$1" >"$1.info" 2>&1 &&
		grep -q 'closed cleanly' "$1.info" && ! grep -Eiq 'not closed|unclean|truncat|damage' "$1.info"
}

# Every scenario asked for ran to its end in the VM.
ran=0 asked=0
for s in ${SCENARIOS//,/ }; do
	asked=$((asked + 1))
	grep -q "^scenario $s: exit" "$R/scenario.log" 2>/dev/null && ran=$((ran + 1))
done
check vm "kernel $(cat "$R/uname.txt" 2>/dev/null) ran every scenario ($ran of $asked)" test "$ran" = "$asked"

# raw: the kernel itself, through sysfs, the tracepoint and perf.
if want raw; then
	check raw "DAMON through sysfs, workload exited 0" test "$(cat "$R/raw/workload.status" 2>/dev/null)" = 0
	vm_check raw --perf-script --phases "$R/raw/phases.out" --stacks "$R/raw/stacks.perf.txt" \
		"$R/raw/damon.perf.txt"
fi

# record_cmd: damo-record -- CMD, stopped by the command's exit.
if want record_cmd; then
	d=$R/record_cmd
	check record_cmd "damo-record -- phases exits 0 when the command exits (status $(status_of record_cmd))" \
		test "$(status_of record_cmd)" = 0
	check record_cmd "damo-info --verify: record closed cleanly" info_clean "$d/rec.dtr"
	vm_check record_cmd --clean --maps --phases "$d/phases.out" "$d/rec.dtr"
fi

# record_sigint: stopped by SIGINT.
if want record_sigint; then
	d=$R/record_sigint
	check record_sigint "damo-record exits 0 on SIGINT (status $(status_of record_sigint))" \
		test "$(status_of record_sigint)" = 0
	check record_sigint "damo-info --verify: record closed cleanly" info_clean "$d/rec.dtr"
	vm_check record_sigint --clean --maps --phases "$d/phases.out" "$d/rec.dtr"
fi

# record_sigterm: stopped by SIGTERM.
if want record_sigterm; then
	d=$R/record_sigterm
	check record_sigterm "damo-record exits 0 on SIGTERM (status $(status_of record_sigterm))" \
		test "$(status_of record_sigterm)" = 0
	check record_sigterm "damo-info --verify: record closed cleanly" info_clean "$d/rec.dtr"
	vm_check record_sigterm --clean --min-snapshots 5 "$d/rec.dtr"
fi

# record_sigkill: killed; the guardian cleans up DAMON, the record is readable.
if want record_sigkill; then
	d=$R/record_sigkill
	check record_sigkill "damo-record was killed by SIGKILL (status $(status_of record_sigkill))" \
		test "$(status_of record_sigkill)" = 137
	check record_sigkill "the kdamond is removed after SIGKILL (nr_kdamonds $(cat "$d/nr_kdamonds-after" 2>/dev/null) after $(cat "$d/wait-tenths" 2>/dev/null) tenths of a second)" \
		test "$(cat "$d/nr_kdamonds-after" 2>/dev/null)" = 0
	check record_sigkill "damo-info --salvage reads it and says it was not closed cleanly" \
		eval "'$STATIC_BIN/damo-info' --salvage '$d/rec.dtr' >'$d/rec.dtr.info' 2>&1 && grep -q 'closed cleanly: no' '$d/rec.dtr.info'"
	vm_check record_sigkill --salvage --min-snapshots 10 "$d/rec.dtr"
fi

# record_timeout: a running pid, stopped by --timeout 3.
if want record_timeout; then
	d=$R/record_timeout
	check record_timeout "damo-record --timeout 3 PID exits 0 (status $(status_of record_timeout))" \
		test "$(status_of record_timeout)" = 0
	read -r t0 t1 <"$d/uptime" 2>/dev/null || t0=0 t1=0
	check record_timeout "stops within 3 s + 5 s of starting (took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)" \
		awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 3 && b - a <= 8) }'
	check record_timeout "damo-info --verify: record closed cleanly" info_clean "$d/rec.dtr"
	vm_check record_timeout --clean --min-snapshots 5 "$d/rec.dtr"
fi

# paddr
if want paddr; then
	d=$R/paddr
	check paddr "damo-record --timeout 4 paddr exits 0 (status $(status_of paddr))" test "$(status_of paddr)" = 0
	check paddr "damo-info --verify: record closed cleanly" info_clean "$d/rec.dtr"
	vm_check paddr --clean --min-snapshots 10 --paddr "$R/iomem.txt" --phases "$d/phases.out" "$d/rec.dtr"
fi

# busy: refusal when DAMON is in use.
if want busy; then
	d=$R/busy
	check busy "damo-record refuses with status 1 (status $(status_of busy))" test "$(status_of busy)" = 1
	check busy "the refusal names the kdamond ($(head -c 200 "$d/stderr" 2>/dev/null | tr '\n' ' '))" \
		grep -Eq 'kdamond[^0-9]*0' "$d/stderr"
	check busy "no record written" test ! -e "$d/rec-exists"
	check busy "the command did not run" test ! -s "$d/phases.out"
	check busy "the kdamond it found is untouched" cmp "$d/kdamond-before" "$d/kdamond-after"
fi

# tried_regions: the fallback source produces snapshots.
if want tried_regions; then
	d=$R/tried_regions
	check tried_regions "damo-record --source tried-regions exits 0 (status $(status_of tried_regions))" \
		test "$(status_of tried_regions)" = 0
	check tried_regions "damo-info --verify: record closed cleanly" info_clean "$d/rec.dtr"
	vm_check tried_regions --clean --min-snapshots 5 --phases "$d/phases.out" --hot-fraction 0.75 \
		--boundary-aggrs 3 --min-inside 2 "$d/rec.dtr"
fi

# phase_functions REC: the function damo-timeline's phase report names for
# each phase, in order, phase_a/b/c only, repeats collapsed.
phase_functions() {
	"$BIN/damo-timeline" -i "$1" --json |
		python3 -c 'import json, sys
names = [p.get("function") for p in json.load(sys.stdin)["phases"]]
names = [n for n in names if n in ("phase_a", "phase_b", "phase_c")]
print(" ".join(n for i, n in enumerate(names) if i == 0 or names[i - 1] != n))'
}

# record_g: damo-record -g, snapshots and callstacks in one record.
if want record_g; then
	d=$R/record_g
	check record_g "damo-record -g -- phases exits 0 (status $(status_of record_g); $(grep -h callstack "$d/stderr" 2>/dev/null | head -n 1))" \
		test "$(status_of record_g)" = 0
	check record_g "damo-info --verify: record closed cleanly" info_clean "$d/rec.dtr"
	"$STATIC_BIN/damo-info" "$d/rec.dtr" >"$d/rec.dtr.summary" 2>&1
	check record_g "damo-info: stack samples and META callstacks" \
		eval "grep -Eq '^stack samples: [1-9]' '$d/rec.dtr.summary' && grep -q '^meta: callstacks = perf record -g -k mono' '$d/rec.dtr.summary' && ! grep -q callstacks_error '$d/rec.dtr.summary'"
	check record_g "perf's data file was removed ($(tr '\n' ' ' <"$d/files-after" 2>/dev/null))" \
		eval "! grep -q perf '$d/files-after'"
	vm_check record_g --clean --maps --phases "$d/phases.out" --record-stacks "$d/rec.dtr"
	if [ -x "$BIN/damo-timeline" ]; then
		got=$(phase_functions "$d/rec.dtr" 2>&1)
		check record_g "damo-timeline's phase report names phase_a, phase_b, phase_c in order (got: $got)" \
			test "$got" = "phase_a phase_b phase_c"
	else
		fail "record_g: $BIN/damo-timeline is missing (make all)"
	fi
fi

# record_g_sigint: -g stopped by SIGINT; both parts readable.
if want record_g_sigint; then
	d=$R/record_g_sigint
	check record_g_sigint "damo-record -g exits 0 on SIGINT (status $(status_of record_g_sigint))" \
		test "$(status_of record_g_sigint)" = 0
	check record_g_sigint "damo-info --verify: record closed cleanly" info_clean "$d/rec.dtr"
	"$STATIC_BIN/damo-info" "$d/rec.dtr" >"$d/rec.dtr.summary" 2>&1
	check record_g_sigint "damo-info: snapshots and stack samples, stopped by SIGINT" \
		eval "grep -Eq '^snapshots: [1-9]' '$d/rec.dtr.summary' && grep -Eq '^stack samples: [1-9]' '$d/rec.dtr.summary' && grep -q '^meta: stop_signal = SIGINT' '$d/rec.dtr.summary'"
	vm_check record_g_sigint --clean --min-snapshots 5 "$d/rec.dtr"
fi

end=$(date +%s)
echo "check-vm: build $((built - start)) s, VM $((booted - built)) s, checks $((end - booted)) s; results in $OUT"
[ "$failed" -eq 0 ] || echo "check-vm: failed checks; scenario log: $R/scenario.log, console: $OUT/console.txt"
echo "check-vm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
