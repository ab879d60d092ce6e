#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/flamegraph.sh: damo-stacks -f folded against FlameGraph's
# stackcollapse-perf.pl on the same perf script texts, in one run, and
# whether their outputs are the same.  Writes a Markdown section on
# standard output (bench/run.sh puts it into docs/PERFORMANCE.md); runs
# alone too:
#
#   FLAMEGRAPH_DIR=/tmp/fg bench/flamegraph.sh [TEXT]
#
# Two texts of at least BENCH_FG_MB megabytes (default 120):
#   - TEXT (bench/run.sh gives its fft perf script), or else a real perf
#     output of tests/data/perf (kernel.txt) repeated: few distinct frame
#     lines, many repeats;
#   - a text whose symbols are mostly distinct (each sample's frames but the
#     outermost two are named after the sample), so that no cache of
#     repeated frame lines helps either tool.
# Without FLAMEGRAPH_DIR (a checkout or `git archive` of
# brendangregg/FlameGraph; the script is CDDL and not part of damotrace)
# the section says it was not measured and a notice goes to standard error.
#
# Environment: FLAMEGRAPH_DIR, BENCH_DIR (work folder, default build/bench),
# BIN (the commands, default bin), BENCH_FG_MB, BENCH_REPEAT (runs of each
# measurement, the least CPU kept; default 2), CC.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$ROOT/$1" ;; esac; }
BIN_DIR=$(abspath "${BIN:-bin}")
WORK=$(abspath "${BENCH_DIR:-build/bench}")/flamegraph
MB=${BENCH_FG_MB:-120}
REPEAT=${BENCH_REPEAT:-2}
log() { printf 'bench: %s\n' "$*" >&2; }

SCRIPT=${FLAMEGRAPH_DIR:+$FLAMEGRAPH_DIR/stackcollapse-perf.pl}
if [ -z "${FLAMEGRAPH_DIR:-}" ] || [ ! -f "$SCRIPT" ]; then
	why="FLAMEGRAPH_DIR is not set"
	[ -z "${FLAMEGRAPH_DIR:-}" ] || why="$FLAMEGRAPH_DIR has no stackcollapse-perf.pl"
	log "damo-stacks -f folded against stackcollapse-perf.pl skipped: $why"
	printf 'Not measured in this run: %s (a checkout of brendangregg/FlameGraph;\n' "$why"
	printf 'the script is not part of damotrace).\n'
	exit 0
fi
command -v perl >/dev/null || { log "perl is needed"; exit 1; }
[ -x "$BIN_DIR/damo-stacks" ] || { log "$BIN_DIR/damo-stacks missing (run make first)"; exit 1; }
mkdir -p "$WORK"
TIMEIT=$WORK/timeit
[ -x "$TIMEIT" ] && [ "$TIMEIT" -nt "$ROOT/bench/timeit.c" ] ||
	${CC:-cc} -O2 -o "$TIMEIT" "$ROOT/bench/timeit.c"
# The version measured: FlameGraph's commit, or the script's SHA-256 (the
# pinned one of tests/data/perf/README.md is named as such).
PIN_SUM=74faa47a29d8df07cb06731dfd8bb94dc4c165b9d811ac6b4c9449eea2ac25d8
sum=$(sha256sum "$SCRIPT" | cut -d' ' -f1)
if [ "$sum" = "$PIN_SUM" ]; then
	FG_VERSION="41fee1f, the version of tests/data/perf/README.md"
else
	FG_VERSION=$(git -C "$FLAMEGRAPH_DIR" rev-parse --short HEAD 2>/dev/null ||
		echo "script SHA-256 ${sum:0:12}")
fi

size_of() { stat -c %s "$1"; }
calc() { awk "BEGIN { printf \"${2:-%.2f}\", $1 }"; }

# repeated SRC OUT: SRC's samples repeated to MB megabytes.
repeated() {
	local one reps i
	one=$(size_of "$1")
	reps=$(((MB * 1000000 + one - 1) / one))
	: >"$2.tmp"
	for ((i = 0; i < reps; i++)); do grep -v '^#' "$1"; done >>"$2.tmp"
	mv "$2.tmp" "$2"
}

# distinct OUT: samples of 12 frames each, 10 of them named after the
# sample (addresses too), the outermost two shared; MB megabytes.
distinct() {
	awk -v bytes=$((MB * 1000000)) 'BEGIN {
		for (s = 0; written < bytes; s++) {
			h = sprintf("app %d/%d [%03d] %d.%06d: 250000 cpu-clock: \n",
				    4000, 4000 + s % 7, s % 4, 100 + int(s / 4000), (s * 250) % 1000000)
			printf "%s", h; written += length(h)
			for (d = 0; d < 10; d++) {
				l = sprintf("\t    %12x fn_%d_%d_%s+0x%x (/usr/lib/libdistinct.so)\n",
					    140000000000 + s * 16 + d, s, d, (d % 2 ? "update" : "compute"), d * 7 + 3)
				printf "%s", l; written += length(l)
			}
			printf "\t    %12x main+0x1f (/usr/bin/app)\n\t    %12x __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)\n\n", 4198400, 140000000001
			written += 120
		}
	}' >"$1.tmp"
	mv "$1.tmp" "$1"
}

REP_TEXT=$WORK/repeated.perf-script
SRC=${1:-}
if [ -z "$SRC" ]; then
	SRC=$ROOT/tests/data/perf/kernel.txt
	[ -s "$REP_TEXT" ] && [ "$REP_TEXT" -nt "$SRC" ] || repeated "$SRC" "$REP_TEXT"
	TEXT1=$REP_TEXT
	LABEL1="tests/data/perf/kernel.txt repeated"
else
	TEXT1=$SRC
	LABEL1="$(basename "$SRC") (bench/run.sh's fft perf script)"
fi
TEXT2=$WORK/distinct.perf-script
[ -s "$TEXT2" ] && [ "$(size_of "$TEXT2")" -ge $((MB * 1000000)) ] || distinct "$TEXT2"

declare -A CPU WALL RSS
# measure ID OUT CMD...: the run with the least CPU of REPEAT.
measure() {
	local id=$1 out=$2 i w u s m
	shift 2
	for ((i = 0; i < REPEAT; i++)); do
		"$TIMEIT" "$WORK/time.tmp" "$@" >"$out" 2>"$WORK/err.tmp" ||
			{ log "$id failed: $(head -c 300 "$WORK/err.tmp")"; return 1; }
		read -r w u s m <"$WORK/time.tmp"
		if [ -z "${CPU[$id]:-}" ] || awk "BEGIN { exit !($u + $s < ${CPU[$id]}) }"; then
			CPU[$id]=$(calc "$u + $s" %.3f) WALL[$id]=$(calc "$w" %.3f) RSS[$id]=$m
		fi
	done
	log "$(printf '%-22s wall %7ss  cpu %7ss  rss %7s KiB' "$id" "${WALL[$id]}" "${CPU[$id]}" "${RSS[$id]}")"
}

cat <<EOF
damo-stacks -f folded against FlameGraph's \`stackcollapse-perf.pl\` (FlameGraph
$FG_VERSION; perl $(perl -e 'print $^V'); default flags; the text on standard
input for the script, as a file for damo-stacks), the run with the least CPU
time of $REPEAT each, on this host ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the
start: wall times count waiting for a CPU, compare CPU times).  "Same output"
compares the two outputs line for line.

| input | MB | samples | command | wall s | CPU s | MB/s | peak RSS MiB | ratio | same output |
|---|---:|---:|---|---:|---:|---:|---:|---:|---|
EOF
for t in 1 2; do
	eval "text=\$TEXT$t"
	if [ "$t" = 1 ]; then label=$LABEL1; else label="distinct symbols (generated)"; fi
	bytes=$(size_of "$text")
	samples=$(grep -c 'cpu-clock: *$' "$text" || true)
	measure "damo$t" "$WORK/damo$t.folded" "$BIN_DIR/damo-stacks" -f folded "$text"
	measure "script$t" "$WORK/script$t.folded" sh -c 'exec perl "$0" <"$1"' "$SCRIPT" "$text"
	if cmp -s "$WORK/damo$t.folded" "$WORK/script$t.folded"; then
		same=yes
	else
		same="no: $(diff "$WORK/script$t.folded" "$WORK/damo$t.folded" | grep -c '^[<>]') lines differ"
	fi
	mb=$(calc "$bytes / 1e6" %.0f)
	for id in "script$t" "damo$t"; do
		name="stackcollapse-perf.pl"
		[ "$id" = "damo$t" ] && name="damo-stacks -f folded"
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
			"$([ "$id" = "script$t" ] && echo "$label")" "$([ "$id" = "script$t" ] && echo "$mb")" \
			"$([ "$id" = "script$t" ] && echo "$samples")" "$name" "${WALL[$id]}" "${CPU[$id]}" \
			"$(calc "$bytes / ${CPU[$id]} / 1e6" %.0f)" "$(calc "${RSS[$id]} / 1024" %.1f)" \
			"$([ "$id" = "damo$t" ] && calc "${CPU[script$t]} / ${CPU[damo$t]}" '%.1fx faster' || echo 1)" \
			"$([ "$id" = "damo$t" ] && echo "$same")"
	done
done
