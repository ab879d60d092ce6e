#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/python.sh: the Python module's reading speed (`make bench-python`,
# also run by `make bench`).  On damo-synth records of 1 000 and 10 000
# snapshots of 1 000 regions, in one run: damotrace's regions(),
# regions_df(), chunks(), iteration over snapshots and wss(), against
# pandas.read_csv of the same regions exported by damo-convert --to csv
# (read with the types of docs/EXPORTS.md, and with pandas' own guesses),
# and the export itself.  Each figure is the least CPU time (of the call,
# time.process_time) of BENCH_REPEAT runs, each in a fresh process (what a
# user pays: page faults of fresh memory included); peak RSS is VmHWM.  Writes
# a table between the "bench-python:begin" and "bench-python:end" markers
# of docs/PERFORMANCE.md (BENCH_DOC=FILE for another file).
#
# Environment: BENCH_SCALE=small (1 000 snapshots only), BENCH_DIR (inputs
# cached there, default build/bench), BENCH_REPEAT (default 3), BIN, O,
# PYTHON (default /usr/bin/python3).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$ROOT/$1" ;; esac; }
BIN_DIR=$(abspath "${BIN:-bin}")
PY_DIR=$(abspath "${O:-build}")/python
WORK=$(abspath "${BENCH_DIR:-build/bench}")
REPEAT=${BENCH_REPEAT:-3}
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
REGIONS=1000
case ${BENCH_SCALE:-full} in
full) SNAPSHOTS=(1000 10000) ;;
small) SNAPSHOTS=(1000) ;;
*) echo "bench: BENCH_SCALE must be full or small" >&2; exit 2 ;;
esac
DOC=$(abspath "${BENCH_DOC:-docs/PERFORMANCE.md}")
log() { printf 'bench-python: %s\n' "$*" >&2; }

[ -f "$PY_DIR/damotrace/_damotrace.so" ] || { echo "bench: $PY_DIR has no module (make python)" >&2; exit 1; }
for c in damo-synth damo-convert; do
	[ -x "$BIN_DIR/$c" ] || { echo "bench: $BIN_DIR/$c missing (run make first)" >&2; exit 1; }
done
mkdir -p "$WORK"
export PYTHONPATH=$PY_DIR PYTHONDONTWRITEBYTECODE=1

# One measurement in a fresh process: prints "cpu_s rss_kib rows".
CHILD='
import sys, time
import numpy as np, pandas as pd
import damotrace

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

what, path = sys.argv[1], sys.argv[2]
t0 = time.process_time()
if what == "regions":
    rows = len(damotrace.open(path).regions()["time"])
elif what == "regions_df":
    rows = len(damotrace.open(path).regions_df())
elif what == "chunks":
    rows = sum(len(c) for c in damotrace.open(path).chunks(1_000_000))
elif what == "iterate":
    rows = sum(len(s.regions) for s in damotrace.open(path))
elif what == "wss":
    rows = len(damotrace.open(path).wss())
elif what == "read_csv":
    rows = len(pd.read_csv(path, dtype={"time_ns": "uint64", "kdamond": "uint32",
        "context": "uint32", "target": "uint32", "start": "uint64", "end": "uint64",
        "nr_accesses": "UInt32", "age": "UInt32"}))
elif what == "read_csv_guess":
    rows = len(pd.read_csv(path))
print("%.6f %d %d" % (time.process_time() - t0, hwm(), rows))
'

# measure WHAT PATH: the best CPU time of REPEAT runs -> "cpu rss rows"
measure() {
	local best="" line
	for ((i = 0; i < REPEAT; i++)); do
		line=$("$PYTHON" -c "$CHILD" "$1" "$2")
		if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
			best=$line
		fi
	done
	log "$(printf '%-10s %-28s %s' "$1" "$(basename "$2")" "$best")"
	printf '%s\n' "$best"
}
# The CPU time of a command (best of REPEAT), from its rusage.
cmd_cpu() {
	"$PYTHON" -c '
import resource, subprocess, sys
best = None
for _ in range(int(sys.argv[1])):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
    best = t if best is None else min(best, t)
print("%.3f" % best)' "$REPEAT" "$@"
}

START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
rows=""
for n in "${SNAPSHOTS[@]}"; do
	rec=$WORK/synth-${n}x$REGIONS.dtr
	csv=$WORK/synth-${n}x$REGIONS.csv
	[ -s "$rec" ] || "$BIN_DIR/damo-synth" --snapshots "$n" --regions "$REGIONS" -o "$rec"
	[ -s "$csv" ] && [ "$csv" -nt "$rec" ] || "$BIN_DIR/damo-convert" "$rec" --to csv -o "$csv"
	total=$((n * REGIONS))
	label="$n x $REGIONS ($((total / 1000000))M regions; .dtr $(($(stat -c %s "$rec") / 1000000)) MB, CSV $(($(stat -c %s "$csv") / 1000000)) MB)"
	read -r csv_cpu csv_rss _ < <(measure read_csv "$csv")
	read -r guess_cpu guess_rss _ < <(measure read_csv_guess "$csv")
	export_cpu=$(cmd_cpu "$BIN_DIR/damo-convert" "$rec" --to csv -o /dev/null)
	for what in regions regions_df chunks iterate wss; do
		read -r cpu rss got < <(measure "$what" "$rec")
		[ "$what" = wss ] || [ "$got" = "$total" ] || { echo "bench: $what read $got regions, not $total" >&2; exit 1; }
		rate=$(awk -v t="$total" -v c="$cpu" 'BEGIN { printf "%.1f", t / c / 1e6 }')
		x=$(awk -v a="$guess_cpu" -v c="$cpu" 'BEGIN { printf "%.1f", a / c }')
		case $what in
		chunks) call='`chunks(1_000_000)`' ;;
		iterate) call='`for snapshot in record`' ;;
		*) call="\`$what()\`" ;;
		esac
		rows+="| $label | $call | $(printf '%.3f' "$cpu") | $rate | $((rss / 1024)) | $x |"$'\n'
		label=""
	done
	rate=$(awk -v t="$total" -v c="$csv_cpu" 'BEGIN { printf "%.1f", t / c / 1e6 }')
	x=$(awk -v a="$guess_cpu" -v c="$csv_cpu" 'BEGIN { printf "%.1f", a / c }')
	rows+="|  | \`pandas.read_csv\` of the CSV (dtypes of docs/EXPORTS.md: uint64, uint32, UInt32) | $(printf '%.3f' "$csv_cpu") | $rate | $((csv_rss / 1024)) | $x |"$'\n'
	rate=$(awk -v t="$total" -v c="$guess_cpu" 'BEGIN { printf "%.1f", t / c / 1e6 }')
	rows+="|  | \`pandas.read_csv\` of the CSV (pandas' guessed types: int64) | $(printf '%.3f' "$guess_cpu") | $rate | $((guess_rss / 1024)) | 1.0 |"$'\n'
	rate=$(awk -v t="$total" -v c="$export_cpu" 'BEGIN { printf "%.1f", t / c / 1e6 }')
	rows+="|  | \`damo-convert --to csv\` (the export read_csv needs first) | $export_cpu | $rate | - | - |"$'\n'
done

pyver=$("$PYTHON" -c 'import sys, numpy, pandas; print("Python %d.%d.%d, numpy %s, pandas %s" % (sys.version_info[:3] + (numpy.__version__, pandas.__version__)))')
section=$(cat <<EOF
<!-- bench-python:begin (written by bench/python.sh; edit outside these markers) -->
## The Python module

Written by \`make bench-python\` (bench/python.sh) on $START_DATE;
$pyver, $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg).
CPU seconds (user + system) of the call in a fresh Python process, the
best of $REPEAT; rates per CPU second; peak RSS of the whole process (numpy
and pandas take about 60 MiB of it); "x read_csv" is the CPU time of
pandas.read_csv of the same regions as CSV, with the types it guesses
(its fastest way here), over the call's.  \`regions_df()\` is the issue's target: at
least 20M regions/s.

| record | call | CPU s | M regions/s | peak RSS MiB | x read_csv |
|---|---|---:|---:|---:|---:|
$rows
<!-- bench-python:end -->
EOF
)
if [ -f "$DOC" ] && grep -q '^<!-- bench-python:begin' "$DOC"; then
	awk -v s="$section" '
		/^<!-- bench-python:begin/ { print s; skip = 1; next }
		/^<!-- bench-python:end/ { skip = 0; next }
		!skip' "$DOC" >"$DOC.tmp"
else
	{ [ -f "$DOC" ] && cat "$DOC"; printf '\n%s\n' "$section"; } >"$DOC.tmp"
fi
mv "$DOC.tmp" "$DOC"
log "wrote $DOC"
