#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Record the phase-detection corpus: every workload of tests/workloads/ (or
# the ones named) recorded RUNS times with `damo-record -g` on the real DAMON
# kernel of the microVM (tests/vm/record.sh), kept in tests/data/corpus/ as
# NAME-N.dtr with the workload's output as NAME-N.out, and NAME.truth
# written from those outputs (tests/workloads/truth.sh).
#
#   tests/workloads/record-corpus.sh [NAME...]      (make corpus [CORPUS_NAMES="..."])
#
# Settings (environment): RUNS (default 3), TRIES (recordings tried for
# each run, default 3), O, BIN, STATIC_BIN (as for make; the static
# commands and bin/damo-info must be built: make all static), CC, CORPUS
# (default tests/data/corpus).  Each recording boots the VM once (1-3
# minutes under emulation); the whole corpus takes about an hour.
set -uo pipefail
cd "$(dirname "$0")/../.."

O=${O:-build}
BIN=${BIN:-bin}
STATIC_BIN=${STATIC_BIN:-bin-static}
CC=${CC:-cc}
RUNS=${RUNS:-3}
TRIES=${TRIES:-3}
CORPUS=${CORPUS:-tests/data/corpus}
ALL="contiguous samebuf sweep heapgrow mmapfile threads steadyburst fft6 sort sqlite"
CFLAGS="-O2 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -Wall -Wextra -static"
MAX_BYTES=$((2 * 1024 * 1024))

die() {
	echo "record-corpus: $*" >&2
	exit 1
}

# HOST=GUEST specs for a dynamic program and every library it loads.
program_files() {
	local prog lib
	for prog in "$@"; do
		[ -x "$prog" ] || die "$prog is missing"
		echo "$prog=$prog"
		ldd "$prog" | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' |
			while read -r lib; do echo "$lib=$lib"; done
	done
}

# What runs in the VM for workload $1: sets files (-f specs), command
# (argv inside the VM) and record_args (damo-record options before --).
workload_setup() {
	local name=$1
	files=(-f "$O/workloads/$name=/bin/$name")
	command=("$name")
	record_args=(-g)
	case $name in
	sort | sqlite)
		# Real programs: Debian's stripped binaries, unwound with DWARF.
		# perf script resolves inlined frames with addr2line.
		local spec
		files=(-f "$O/workloads/$name=/bin/run-$name")
		command=("run-$name")
		record_args=(-g --call-graph dwarf)
		while read -r spec; do
			files+=(-f "$spec")
		done < <(program_files "/usr/bin/$([ "$name" = sort ] && echo sort || echo sqlite3)" \
			/usr/bin/addr2line | sort -u)
		;;
	esac
}

names=("$@")
[ ${#names[@]} -gt 0 ] || read -r -a names <<<"$ALL"
for name in "${names[@]}"; do
	case " $ALL " in *" $name "*) ;; *) die "no workload '$name' (workloads: $ALL)" ;; esac
done
for cmd in "$STATIC_BIN/damo-record" "$BIN/damo-info"; do
	[ -x "$cmd" ] || die "$cmd is missing (make all static)"
done
mkdir -p "$O/workloads" "$CORPUS" || die "cannot create $O/workloads or $CORPUS"

failed=()
for name in "${names[@]}"; do
	$CC $CFLAGS -o "$O/workloads/$name" "tests/workloads/$name.c" -lm -lpthread ||
		die "cannot build tests/workloads/$name.c"
	workload_setup "$name"
	rm -f "$CORPUS/$name".truth "$CORPUS/$name"-[0-9]*.dtr "$CORPUS/$name"-[0-9]*.out
	outs=()
	for run in $(seq 1 "$RUNS"); do
		rec=$CORPUS/$name-$run.dtr
		ok=0
		for try in $(seq 1 "$TRIES"); do
			echo "record-corpus: $name run $run (try $try): damo-record ${record_args[*]} -- ${command[*]}"
			rm -f "$rec" "$rec.out"
			STATIC_BIN=$STATIC_BIN tests/vm/record.sh "${files[@]}" -o "$rec" -- \
				"${record_args[@]}" -- "${command[@]}" 2>&1 | sed 's/^/    /'
			status=${PIPESTATUS[0]}
			[ -f "$rec.out" ] && mv "$rec.out" "$CORPUS/$name-$run.out"
			if [ "$status" != 0 ]; then
				echo "record-corpus: $name run $run: damo-record exit status $status"
			elif ! "$BIN/damo-info" --verify "$rec"; then
				echo "record-corpus: $name run $run: the record does not verify"
			elif ! tests/workloads/truth.sh "$name" "$CORPUS/$name-$run.out" >/dev/null; then
				echo "record-corpus: $name run $run: the workload's output is incomplete"
			else
				ok=1
				break
			fi
		done
		if [ "$ok" = 1 ]; then
			size=$(wc -c <"$rec")
			[ "$size" -le "$MAX_BYTES" ] || echo "record-corpus: warning: $rec is $size bytes (over 2 MiB)"
			outs+=("$CORPUS/$name-$run.out")
		else
			failed+=("$name-$run")
			rm -f "$rec" "$CORPUS/$name-$run.out"
		fi
	done
	if [ ${#outs[@]} -gt 0 ]; then
		tests/workloads/truth.sh "$name" "${outs[@]}" >"$CORPUS/$name.truth" ||
			die "cannot write $CORPUS/$name.truth"
		echo "record-corpus: $CORPUS/$name.truth from ${#outs[@]} run(s)"
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "record-corpus: failed: ${failed[*]}" >&2
	exit 1
fi
echo "record-corpus: done: ${names[*]}"
