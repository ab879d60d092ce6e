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

ALL_SCENARIOS=raw,record_cmd,record_sigint,record_sigterm,record_sigkill,record_full_disk,record_timeout,paddr,busy,tried_regions,record_g,record_g_sigint
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

# record_sigkill's moments, from a printed seed: a kill within 0.6 s of the
# start (setup), one within 0.6-3 s, one within 3-8 s, and one with -g
# within 3 s of the workload's phase A.
KILL_SEED=${DT_KILL_SEED:-$(($(date +%s%N) % 1000000))}
RANDOM=$KILL_SEED
KILLS=plain:$((RANDOM % 600)),plain:$((600 + RANDOM % 2400)),plain:$((3000 + RANDOM % 5000)),g:$((RANDOM % 3000))
want record_sigkill &&
	echo "check-vm: kill seed $KILL_SEED (DT_KILL_SEED=$KILL_SEED reproduces record_sigkill's moments: $KILLS ms)"

VM_EXTRA_APPEND="PHASE_S=$PHASE_S BUF_MIB=$BUF_MIB SCENARIOS=$SCENARIOS KILLS=$KILLS"
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

# file_size FILE
file_size() {
	stat -c %s "$1" 2>/dev/null || echo 0
}

# check_unclosed NAME REC [killed]: what a recorder that was stopped short
# (SIGKILL, full disk) left opens, verifies up to its last chunk and is
# reported as recovered and not closed cleanly.  After a kill the last chunk
# may be torn (SIGKILL can cut a write short): then --verify names that
# truncated chunk as the record's end, and --salvage reads what precedes
# it.  (A full disk never leaves one: the writer takes it back.)  Returns 1
# when the header itself is incomplete (nothing for vm-check to read).
check_unclosed() {
	local name=$1 rec=$2 killed=${3:-} size valid
	size=$(file_size "$rec")
	if [ "$size" -lt 16 ]; then
		"$STATIC_BIN/damo-info" "$rec" >"$rec.info" 2>&1
		check "$name" "a record without its whole header ($size bytes) is refused with one line naming the file ($(head -c 200 "$rec.info"))" \
			grep -Eq "^damo-info: $rec: (empty input|truncated at offset $size)" "$rec.info"
		return 1
	fi
	"$STATIC_BIN/damo-info" --verify "$rec" >"$rec.verify" 2>&1
	if [ -n "$killed" ] && grep -q 'truncated chunk' "$rec.verify"; then
		valid=$(sed -n 's/.*at offset [0-9]*; the first \([0-9]*\) bytes.*/\1/p' "$rec.verify")
		check "$name" "damo-info --verify: the last chunk was torn by the kill, the ${valid:-?} bytes before it are valid ($(head -c 300 "$rec.verify"))" \
			eval "[ -n '$valid' ] && ! grep -q 'next intact chunk' '$rec.verify'"
		"$STATIC_BIN/damo-info" --salvage "$rec" >"$rec.info" 2>&1
		check "$name" "damo-info --salvage: not closed cleanly, $valid bytes recovered ($(grep -h '^closed cleanly' "$rec.info"))" \
			grep -Eq "^closed cleanly: no; damaged at offset $valid, recovered $valid bytes" "$rec.info"
	else
		check "$name" "damo-info --verify: ok, not closed cleanly, all $size bytes ($(head -c 300 "$rec.verify"))" \
			grep -Eq "^$rec: ok, [0-9]+ chunks, $size bytes, not closed cleanly\$" "$rec.verify"
		"$STATIC_BIN/damo-info" "$rec" >"$rec.info" 2>&1
		check "$name" "damo-info: not closed cleanly, recovered $size bytes; $(grep -h '^snapshots:' "$rec.info") ($(grep -h '^closed cleanly' "$rec.info"))" \
			grep -Eq "^closed cleanly: no \(no end marker\); recovered $size bytes \([0-9]+ chunks\)" "$rec.info"
	fi
}

# record_sigkill: killed at seeded random moments; each time the guardian
# cleans up DAMON, nothing of the recorder keeps running (with -g, perf
# stops by its parent-death signal and leaves data perf script reads), and
# the record is readable up to its last chunk, holding only what came
# before the kill.
if want record_sigkill; then
	for d in "$R"/record_sigkill/[0-9]*; do
		[ -d "$d" ] || { fail "record_sigkill: no kill was made"; break; }
		n=record_sigkill/${d##*/}
		read -r mode ms <"$d/kill"
		launched=$(cat "$d/launched") killed=$(cat "$d/killed-at")
		since=$(awk -v a="$launched" -v b="$killed" 'BEGIN { printf "%.2f", b - a }')
		if [ "$mode" = g ]; then
			echo "$n: damo-record -g killed $ms ms into phase A, $since s after starting"
		else
			echo "$n: damo-record killed $ms ms ($since s) after starting"
		fi
		check "$n" "damo-record was killed by SIGKILL (status $(cat "$d/status"))" test "$(cat "$d/status")" = 137
		check "$n" "the guardian removed the kdamond (nr_kdamonds $(cat "$d/nr_kdamonds-after") after $(cat "$d/wait-tenths") tenths of a second)" \
			test "$(cat "$d/nr_kdamonds-after")" = 0
		check "$n" "nothing of the recorder keeps running ($(tr '\n' ' ' 2>/dev/null <"$d/left-running" || echo none))" \
			test ! -e "$d/left-running"
		if [ ! -e "$d/rec.dtr" ]; then
			check "$n" "no record: killed before creating it, $since s after starting" \
				awk -v s="$since" 'BEGIN { exit !(s < 2) }'
		else
			# A kill 4 s after starting comes after the first
			# snapshots were flushed (every second).
			min=0
			awk -v s="$since" 'BEGIN { exit !(s >= 4) }' && min=1
			check_unclosed "$n" "$d/rec.dtr" killed &&
				vm_check "$n" --salvage --min-snapshots "$min" --killed-at "$killed" "$d/rec.dtr"
		fi
		if [ "$mode" = g ]; then
			samples=$(cat "$d/perf-samples" 2>/dev/null || echo 0)
			check "$n" "perf's data was left for perf script, which reads $samples samples ($(head -c 200 "$d/perf-script.err" 2>/dev/null))" \
				eval "grep -q '^rec.dtr.perf-' '$d/files-after' && [ '$samples' -gt 0 ]"
		fi
	done
fi

# record_full_disk: a tmpfs that fills up.
if want record_full_disk; then
	for sub in plain g; do
		d=$R/record_full_disk/$sub n=record_full_disk/$sub
		check "$n" "damo-record exits 1 (status $(status_of record_full_disk/$sub))" \
			test "$(status_of record_full_disk/$sub)" = 1
		check "$n" "one error line naming the record and ENOSPC ($(head -c 300 "$d/stderr" 2>/dev/null | tr '\n' '|'))" \
			eval "[ \"\$(wc -l <'$d/stderr')\" = 1 ] && grep -Eq '^damo-record: /tmp/small/rec.dtr: write at offset [0-9]+: No space left on device; DAMON was stopped and /tmp/small/rec.dtr is readable up to its last complete chunk\$' '$d/stderr'"
		check "$n" "DAMON was stopped and removed (nr_kdamonds $(cat "$d/nr_kdamonds-after" 2>/dev/null))" \
			test "$(cat "$d/nr_kdamonds-after" 2>/dev/null)" = 0
		check "$n" "no perf left running, no perf data left ($(tr '\n' ' ' <"$d/files-after" 2>/dev/null))" \
			eval "[ ! -e '$d/left-running' ] && ! grep -q perf '$d/files-after'"
		check "$n" "the record was kept ($(file_size "$d/rec.dtr") bytes)" test -s "$d/rec.dtr"
		min=1
		[ "$sub" = g ] && min=0 # perf's data may fill the disk before a snapshot is flushed
		check_unclosed "$n" "$d/rec.dtr" && vm_check "$n" --salvage --min-snapshots "$min" "$d/rec.dtr"
	done
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
