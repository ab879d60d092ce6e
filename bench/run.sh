#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/run.sh: the benchmarks behind `make bench`.  Measures every command
# on damo-synth records of 1 000, 10 000 and 100 000 snapshots of 1 000
# regions and on large perf script texts, against baselines for the
# physical limits measured in the same run (plain read, zstd -d, wc -l),
# the record sizes against damo's json_compressed, and the recorder's CPU
# cost per tracepoint event (a raw capture replayed through the shim's
# decoder and the record writer).  Writes the tables into
# docs/PERFORMANCE.md between the "bench:begin" and "bench:end" markers;
# the rest of that file is kept as it is.
#
# Environment:
#   BENCH_SCALE=small   only the first size and smaller perf texts (a quick
#                       run); the tables then go to $BENCH_DIR/PERFORMANCE.md
#                       unless BENCH_DOC names a file
#   BENCH_DIR=DIR       work folder with the cached inputs (default build/bench)
#   BENCH_DOC=FILE      the file to write the tables into
#   BENCH_REPEAT=N      runs of each measurement, the best kept (default 3;
#                       1 for the 100M-region record)
#   BENCH_PROFILE=0     skip profiling the commands that miss a target
#   BENCH_LIMIT=SECONDS longest run of one command (default 300); a command
#                       that takes longer is reported as not finished
#   BIN, O              where `make` put the commands and libraries
#                       (default bin and build, as `make bench` builds them)
#   DT_SHARED           the shared folder with damo's fixtures (default ../shared)
#   FLAMEGRAPH_DIR=DIR  a checkout of brendangregg/FlameGraph: damo-stacks -f
#                       folded is measured against its stackcollapse-perf.pl
#                       (bench/flamegraph.sh); unset, that part is skipped
#                       with a notice
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$ROOT/$1" ;; esac; }
BIN_DIR=$(abspath "${BIN:-bin}")
LIB_DIR=$(abspath "${O:-build}")/lib
WORK=$(abspath "${BENCH_DIR:-build/bench}")
SCALE=${BENCH_SCALE:-full}
REPEAT=${BENCH_REPEAT:-3}
PROFILE=${BENCH_PROFILE:-1}
export TIMEIT_LIMIT=${BENCH_LIMIT:-300}
FIXTURES=$(abspath "${DT_SHARED:-../shared}")/interop/damo
REGIONS=1000
case $SCALE in
full) SNAPSHOTS=(1000 10000 100000); PERF_MB=300; CAPTURE_AGGRS=1000 ;;
small) SNAPSHOTS=(1000); PERF_MB=40; CAPTURE_AGGRS=100 ;;
*) echo "bench: BENCH_SCALE must be full or small" >&2; exit 2 ;;
esac
if [ -n "${BENCH_DOC:-}" ]; then
	DOC=$(abspath "$BENCH_DOC")
elif [ "$SCALE" = full ]; then
	DOC=$ROOT/docs/PERFORMANCE.md
else
	DOC=$WORK/PERFORMANCE.md
	[ -f "$DOC" ] || cp "$ROOT/docs/PERFORMANCE.md" "$DOC" 2>/dev/null || : >"$DOC"
fi

for c in damo-info damo-wss damo-heatmap damo-convert damo-stacks damo-synth damo-record; do
	[ -x "$BIN_DIR/$c" ] || { echo "bench: $BIN_DIR/$c missing (run make first)" >&2; exit 1; }
done
for t in zstd awk pkg-config; do
	command -v "$t" >/dev/null || { echo "bench: $t is needed" >&2; exit 1; }
done
HAVE_TIMELINE=0
[ -x "$BIN_DIR/damo-timeline" ] && HAVE_TIMELINE=1

mkdir -p "$WORK/tools" "$WORK/out" "$WORK/prof"
RESULTS=$WORK/results.tsv
: >"$RESULTS"
log() { printf 'bench: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- helpers
# calc EXPR [FORMAT]: floating point arithmetic through awk.
calc() { awk "BEGIN { printf \"${2:-%.2f}\", $1 }"; }

declare -A WALL USER SYS CPU CPUX RSS FAILED
# measure ID REPEATS OUT CMD...: run CMD under bench/timeit.c, keep the run
# with the least CPU time (user + sys).  OUT is where CMD's output goes; "|"
# sends it through a pipe into `wc -c` (its byte count lands in
# $WORK/pipe-bytes), so only CMD is timed, never the reader.  A failure is
# noted, not fatal.
measure() {
	local id=$1 rep=$2 out=$3 i w u s m best="" st
	shift 3
	for ((i = 0; i < rep; i++)); do
		if [ "$out" = "|" ]; then
			set +e
			"$TIMEIT" "$WORK/time.tmp" "$@" 2>"$WORK/err.tmp" |
				wc -c >"$WORK/pipe-bytes"
			st=${PIPESTATUS[0]}
			set -e
		else
			st=0
			"$TIMEIT" "$WORK/time.tmp" "$@" >"$out" 2>"$WORK/err.tmp" || st=$?
		fi
		if [ "$st" = 124 ]; then
			log "$id: not finished in $TIMEIT_LIMIT s"
			FAILED[$id]="not finished in $TIMEIT_LIMIT s"
			return 0
		fi
		if [ "$st" != 0 ]; then
			log "$id failed: $(head -c 600 "$WORK/err.tmp")"
			FAILED[$id]=failed
			return 0
		fi
		read -r w u s m <"$WORK/time.tmp"
		if [ -z "$best" ] || awk "BEGIN { exit !($u + $s < $best) }"; then
			best=$(calc "$u + $s" %.6f)
			WALL[$id]=$(calc "$w" %.3f) USER[$id]=$u SYS[$id]=$s CPUX[$id]=$best
			CPU[$id]=$(calc "$best" %.3f) RSS[$id]=$m
		fi
	done
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "${WALL[$id]}" "${USER[$id]}" "${SYS[$id]}" \
		"${CPUX[$id]}" "${RSS[$id]}" >>"$RESULTS"
	log "$(printf '%-28s wall %6ss  cpu %6ss  rss %6s KiB' "$id" "${WALL[$id]}" "${CPU[$id]}" "${RSS[$id]}")"
}

ok() { [ -n "${CPU[$1]:-}" ] && [ -z "${FAILED[$1]:-}" ]; }
# Best-of CPU seconds, never 0.
cpu_of() { calc "(${CPUX[$1]} < 0.0001 ? 0.0001 : ${CPUX[$1]})" %.6f; }
mib() { calc "${RSS[$1]} / 1024" %.1f; }
# rate ID AMOUNT SCALE: AMOUNT / CPU / SCALE
rate() { calc "$2 / $(cpu_of "$1") / $3" "${4:-%.1f}"; }
ratio() { calc "$(cpu_of "$1") / $(cpu_of "$2")" %.1f; }
cell() { if ok "$1"; then "${@:2}"; else printf '%s' "${FAILED[$1]:-failed}"; fi; }

tool_hash() { sha256sum "$1" | cut -c1-16; }
# fresh FILE KEY [DEPS...]: FILE exists, was made with KEY, and is newer
# than every DEP.
fresh() {
	local f=$1 key=$2 d
	shift 2
	[ -s "$f" ] && [ -f "$f.key" ] && [ "$(cat "$f.key")" = "$key" ] || return 1
	for d in "$@"; do [ "$f" -nt "$d" ] || return 1; done
}
stamp() { printf '%s\n' "$2" >"$1.key"; }
size_of() { stat -c %s "$1"; }
# snapshots and regions of a record, as damo-info counts them
info_counts() { "$BIN_DIR/damo-info" "$1" | awk '/^snapshots:/ { s = $2 } /^regions:/ { r = $2 } END { print s + 0, r + 0 }'; }

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
T_START=$(date +%s)

# ---------------------------------------------------------------- tools
CC=${CC:-cc}
TOOL_CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Werror -fno-omit-frame-pointer"
for a in format kernel-shim convert-util convert-input recorder; do
	[ -f "$LIB_DIR/libdt-$a.a" ] || { echo "bench: $LIB_DIR/libdt-$a.a missing (run make first)" >&2; exit 1; }
done
$CC $TOOL_CFLAGS -I"$ROOT/format" -o "$WORK/tools/dtr-scan" "$ROOT/bench/dtr-scan.c" \
	"$LIB_DIR/libdt-format.a" -lzstd -lm
# shellcheck disable=SC2046
$CC $TOOL_CFLAGS -I"$ROOT/kernel-shim" -I"$ROOT/recorder" -I"$ROOT/format" \
	$(pkg-config --cflags libtraceevent 2>/dev/null) \
	-o "$WORK/tools/replay-bench" "$ROOT/bench/replay-bench.c" \
	"$LIB_DIR/libdt-recorder.a" "$LIB_DIR/libdt-convert-input.a" \
	"$LIB_DIR/libdt-convert-util.a" "$LIB_DIR/libdt-kernel-shim.a" \
	"$LIB_DIR/libdt-format.a" -ltraceevent -lzstd -lz -lm -lpthread
$CC $TOOL_CFLAGS -o "$WORK/tools/timeit" "$ROOT/bench/timeit.c"
SCAN=$WORK/tools/dtr-scan
TIMEIT=$WORK/tools/timeit

# ---------------------------------------------------------------- inputs
SYNTH_HASH=$(tool_hash "$BIN_DIR/damo-synth")
CONVERT_HASH=$(tool_hash "$BIN_DIR/damo-convert")
synth_record() { # N [--stacks]: the record of N snapshots x REGIONS regions
	local n=$1 extra=${2:-} f key
	f=$WORK/synth-${n}x$REGIONS${extra:+-stacks}.dtr
	key="$SYNTH_HASH --snapshots $n --regions $REGIONS $extra"
	if ! fresh "$f" "$key"; then
		log "writing $(basename "$f")"
		rm -f "$f" "$f.old"
		"$BIN_DIR/damo-synth" --snapshots "$n" --regions "$REGIONS" $extra -o "$f"
		stamp "$f" "$key"
	fi
	printf '%s\n' "$f"
}
raw_dump_zst() { # RECORD: its regions as 24-byte records, zstd -3
	local f=$1.raw.zst
	if ! fresh "$f" "v1" "$1"; then
		log "writing $(basename "$f")"
		"$SCAN" --dump "$1" | zstd -q -3 -T1 -c >"$f.tmp"
		mv "$f.tmp" "$f"
		stamp "$f" v1
	fi
	printf '%s\n' "$f"
}
json_export() { # RECORD: damo's json_compressed of it
	local f=${1%.dtr}.data
	if ! fresh "$f" "$CONVERT_HASH" "$1"; then
		log "writing $(basename "$f")"
		rm -f "$f"
		"$BIN_DIR/damo-convert" "$1" -t json_compressed -o "$f"
		stamp "$f" "$CONVERT_HASH"
	fi
	printf '%s\n' "$f"
}

declare -A REC NREG NSNAP CSV_BYTES ZST_BYTES
for n in "${SNAPSHOTS[@]}"; do
	REC[$n]=$(synth_record "$n")
	read -r NSNAP[$n] NREG[$n] <<<"$(info_counts "${REC[$n]}")"
done

# ---------------------------------------------------------------- records
log "commands on the records"
for n in "${SNAPSHOTS[@]}"; do
	f=${REC[$n]}
	rep=$REPEAT
	[ "${NREG[$n]}" -gt 20000000 ] && rep=1
	zst=$(raw_dump_zst "$f")
	measure "cat-$n" "$rep" /dev/null cat "$f"
	measure "zstd-$n" "$rep" /dev/null zstd -q -d -c "$zst"
	measure "scan-$n" "$rep" /dev/null "$SCAN" "$f"
	measure "info-$n" "$rep" /dev/null "$BIN_DIR/damo-info" --verify "$f"
	measure "wss-$n" "$rep" "$WORK/out/wss-$n.txt" "$BIN_DIR/damo-wss" -i "$f"
	measure "heatraw-$n" "$rep" /dev/null "$BIN_DIR/damo-heatmap" -i "$f" --resol 500 500 --output raw
	measure "heatpng-$n" "$rep" /dev/null "$BIN_DIR/damo-heatmap" -i "$f" --resol 500 500 \
		--output "$WORK/out/heatmap-$n.png"
	measure "csv-$n" "$rep" "|" "$BIN_DIR/damo-convert" "$f" --to csv
	CSV_BYTES[$n]=$(cat "$WORK/pipe-bytes")
	if [ $HAVE_TIMELINE = 1 ]; then
		measure "timeline-$n" "$rep" /dev/null "$BIN_DIR/damo-timeline" -i "$f" \
			-o "$WORK/out/timeline-$n.png"
	fi
	ZST_BYTES[$n]=$(size_of "$zst")
done

# ---------------------------------------------------------------- stacks records
log "callstacks in records (damo-synth --stacks)"
declare -A SREC SSTACKS
for n in "${SNAPSHOTS[@]}"; do
	SREC[$n]=$(synth_record "$n" --stacks)
	SSTACKS[$n]=$("$BIN_DIR/damo-info" "${SREC[$n]}" | awk '/^stack samples:/ { print $3 }')
	rep=$REPEAT
	[ "$n" -gt 20000 ] && rep=1
	measure "stacksrec-$n" "$rep" /dev/null "$BIN_DIR/damo-stacks" -i "${SREC[$n]}"
	if [ $HAVE_TIMELINE = 1 ]; then
		measure "timelinerec-$n" "$rep" /dev/null "$BIN_DIR/damo-timeline" -i "${SREC[$n]}" \
			-o "$WORK/out/timeline-stacks-$n.png"
	fi
done

# ---------------------------------------------------------------- perf script
log "perf script texts"
PERF_OK=0
PERF_NOTE=""
# repeat_perf_text FILE N: N copies of perf script text, each copy's sample
# times moved past the previous copy's, so that the result reads as one
# longer recording in time order (a header line's time is the first
# " SECONDS.MICROSECONDS: " on it; frame lines start with white space).
repeat_perf_text() {
	awk -v copies="$2" '
		function us(tok) { sub(/:$/, "", tok); split(tok, p, "."); return p[1] * 1000000 + p[2] }
		NR == FNR {
			lines[++n] = $0
			if ($0 !~ /^[ \t]/ && match($0, / [0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]: /)) {
				t = us(substr($0, RSTART + 1, RLENGTH - 2))
				if (first == "" || t < first) first = t
				if (t > last) last = t
				at[n] = RSTART; len[n] = RLENGTH
			}
			next
		}
		END {
			span = last - first + 1000
			for (c = 0; c < copies; c++)
				for (i = 1; i <= n; i++) {
					if (!(i in at)) { print lines[i]; continue }
					l = lines[i]
					t = us(substr(l, at[i] + 1, len[i] - 2)) + c * span
					printf "%s %d.%06d: %s\n", substr(l, 1, at[i] - 1), int(t / 1000000), t % 1000000, substr(l, at[i] + len[i])
				}
		}' "$1" "$1"
}
FFT_ONE=$WORK/fft.perf-script
FFT_BIG=$WORK/fft-big.perf-script
FFT_TENTH=$WORK/fft-tenth.perf-script
if command -v perf >/dev/null; then
	if [ ! -s "$FFT_ONE" ]; then
		$CC -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline \
			-o "$WORK/tools/fft-phases" "$ROOT/examples/fft-phases.c" -lm
		if perf record -q -g -k mono -e cpu-clock -o "$WORK/fft.data" -- \
			"$WORK/tools/fft-phases" --burst 1 --gap 0.5 >"$WORK/fft.out" 2>"$WORK/perf.err" &&
			perf script -i "$WORK/fft.data" >"$FFT_ONE.tmp" 2>/dev/null; then
			mv "$FFT_ONE.tmp" "$FFT_ONE"
		else
			PERF_NOTE="perf record failed here: $(head -c 300 "$WORK/perf.err")"
		fi
	fi
	if [ -s "$FFT_ONE" ]; then
		PERF_OK=1
		one=$(size_of "$FFT_ONE")
		reps=$(((PERF_MB * 1000000 + one - 1) / one))
		key="$reps $(size_of "$FFT_ONE")"
		if ! fresh "$FFT_BIG" "$key" "$FFT_ONE" || [ ! -s "$FFT_TENTH" ]; then
			log "writing $(basename "$FFT_BIG") ($reps copies)"
			repeat_perf_text "$FFT_ONE" "$reps" >"$FFT_BIG"
			repeat_perf_text "$FFT_ONE" $(((reps + 9) / 10)) >"$FFT_TENTH"
			stamp "$FFT_BIG" "$key"
		fi
	fi
else
	PERF_NOTE="perf is not installed"
fi
PERF_SAMPLES_ONE=0
if [ $PERF_OK = 1 ]; then
	PERF_SAMPLES_ONE=$(grep -c 'cpu-clock:' "$FFT_ONE" || true)
	PERF_REPS=$(($(size_of "$FFT_BIG") / $(size_of "$FFT_ONE")))
	PERF_REPS_TENTH=$(($(size_of "$FFT_TENTH") / $(size_of "$FFT_ONE")))
	measure "perfcat" "$REPEAT" /dev/null cat "$FFT_BIG"
	measure "perfwc" "$REPEAT" /dev/null wc -l "$FFT_BIG"
	measure "stacksfolded" "$REPEAT" /dev/null "$BIN_DIR/damo-stacks" "$FFT_BIG" -f folded
	measure "stacksspeed" "$REPEAT" /dev/null "$BIN_DIR/damo-stacks" "$FFT_BIG"
	measure "stackstrace" "$REPEAT" /dev/null "$BIN_DIR/damo-stacks" "$FFT_BIG" -f trace-event
	measure "stacksspeed-tenth" "$REPEAT" /dev/null "$BIN_DIR/damo-stacks" "$FFT_TENTH"
	measure "stackstrace-tenth" "$REPEAT" /dev/null "$BIN_DIR/damo-stacks" "$FFT_TENTH" -f trace-event
	if [ $HAVE_TIMELINE = 1 ]; then
		# the samples moved to start with the first record's snapshots
		rec0=$("$BIN_DIR/damo-info" "${REC[${SNAPSHOTS[0]}]}" | awk '/^time:/ { split($2, p, "."); print p[1] p[2]; exit }')
		perf0=$(awk '/^[^ \t]/ && match($0, / [0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]: /) { t = substr($0, RSTART + 1, RLENGTH - 2); sub(/\./, "", t); print t "000"; exit }' "$FFT_ONE")
		offset=$(awk -v a="$rec0" -v b="$perf0" 'BEGIN { printf "%.0f", a - b }')
		measure "timelineperf" 1 /dev/null "$BIN_DIR/damo-timeline" -i "${REC[${SNAPSHOTS[0]}]}" \
			--perf-script "$FFT_BIG" --time-offset "$offset" -o "$WORK/out/timeline-perf.png"
		measure "timelineperf-tenth" 1 /dev/null "$BIN_DIR/damo-timeline" -i "${REC[${SNAPSHOTS[0]}]}" \
			--perf-script "$FFT_TENTH" --time-offset "$offset" -o "$WORK/out/timeline-perf-tenth.png"
	fi
fi
# damo-stacks -f folded against stackcollapse-perf.pl (skipped, with a
# notice, without FLAMEGRAPH_DIR): on the fft text and on one whose symbols
# are mostly distinct.
FG_REPORT=$WORK/flamegraph.md
BENCH_DIR=$WORK BIN=$BIN_DIR BENCH_FG_MB=$((PERF_MB < 120 ? PERF_MB : 120)) \
	bash "$ROOT/bench/flamegraph.sh" $([ $PERF_OK = 1 ] && echo "$FFT_BIG") >"$FG_REPORT" ||
	printf 'Not measured: bench/flamegraph.sh failed (see its messages above).\n' >"$FG_REPORT"
# damon:damon_aggregated perf script text, as damo writes it, of the first record
DAMON_TEXT=${REC[${SNAPSHOTS[0]}]%.dtr}.perf-script
if ! fresh "$DAMON_TEXT" "$CONVERT_HASH" "${REC[${SNAPSHOTS[0]}]}"; then
	log "writing $(basename "$DAMON_TEXT")"
	"$BIN_DIR/damo-convert" "${REC[${SNAPSHOTS[0]}]}" --to perf_script >"$DAMON_TEXT"
	stamp "$DAMON_TEXT" "$CONVERT_HASH"
fi
measure "damoncat" "$REPEAT" /dev/null cat "$DAMON_TEXT"
measure "damonwc" "$REPEAT" /dev/null wc -l "$DAMON_TEXT"
measure "damonwss" "$REPEAT" /dev/null "$BIN_DIR/damo-wss" -i "$DAMON_TEXT"

# ---------------------------------------------------------------- sizes
log "record sizes"
SIZE_ROWS=()
size_row() { # LABEL DTR JSON_COMPRESSED
	local snaps regs d j
	read -r snaps regs <<<"$(info_counts "$2")"
	d=$(size_of "$2")
	j=$(size_of "$3")
	SIZE_ROWS+=("$1|$snaps|$regs|$j|$d")
}
if [ -f "$FIXTURES/damon.data" ]; then
	rm -f "$WORK/fixture.dtr" "$WORK/fixture-vm.dtr" "$WORK/fixture-v2.dtr" "$WORK/fixture-v2.data"
	"$BIN_DIR/damo-convert" "$FIXTURES/damon.data" -o "$WORK/fixture.dtr"
	size_row "damo's test record \`damon.data\`" "$WORK/fixture.dtr" "$FIXTURES/damon.data"
	if [ -f "$FIXTURES/damon.data.binary_v2" ]; then
		"$BIN_DIR/damo-convert" "$FIXTURES/damon.data.binary_v2" -o "$WORK/fixture-v2.dtr"
		"$BIN_DIR/damo-convert" "$FIXTURES/damon.data.binary_v2" -t json_compressed -o "$WORK/fixture-v2.data"
		size_row "the same from damo's \`damon.data.binary_v2\`" "$WORK/fixture-v2.dtr" "$WORK/fixture-v2.data"
	fi
	if [ -f "$FIXTURES/vm/damon-vm.data" ]; then
		"$BIN_DIR/damo-convert" "$FIXTURES/vm/damon-vm.data" -o "$WORK/fixture-vm.dtr"
		size_row "real-kernel record \`vm/damon-vm.data\` (with age)" "$WORK/fixture-vm.dtr" "$FIXTURES/vm/damon-vm.data"
	fi
else
	log "damo's fixtures not found at $FIXTURES"
fi
for n in "${SNAPSHOTS[@]}"; do
	[ "$n" -gt 10000 ] && break # damo's format of 100M regions: hours of zlib
	size_row "damo-synth ${n} x $REGIONS" "${REC[$n]}" "$(json_export "${REC[$n]}")"
done
# pure bytes per region of the largest record
LAST=${SNAPSHOTS[-1]}

# ---------------------------------------------------------------- recorder
log "recorder replay"
FORMAT_TEXT=$ROOT/tests/fakes/damon_aggregated-6.12.format
CAPTURE=$WORK/capture-${CAPTURE_AGGRS}x$REGIONS.raw
REPLAY_HASH=$(tool_hash "$WORK/tools/replay-bench")
if ! fresh "$CAPTURE" "$CAPTURE_AGGRS $REGIONS" "$FORMAT_TEXT"; then
	"$WORK/tools/replay-bench" make "$CAPTURE" "$FORMAT_TEXT" "$CAPTURE_AGGRS" "$REGIONS"
	stamp "$CAPTURE" "$CAPTURE_AGGRS $REGIONS"
fi
REPLAY_OUT=$WORK/replay.txt
BENCH_REPEAT=$REPEAT "$WORK/tools/replay-bench" run "$CAPTURE" "$WORK/out/replay.dtr" >"$REPLAY_OUT"
rm -f "$WORK/out/replay2.dtr" "$WORK/out/replay2.dtr.old"
measure "replay" 1 /dev/null "$BIN_DIR/damo-record" --replay-raw "$CAPTURE" -a 100ms \
	-o "$WORK/out/replay2.dtr"
rm -f "$WORK/out/replay2.dtr" "$WORK/out/replay2.dtr.old"
: "$REPLAY_HASH"

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
T_END=$(date +%s)

# ---------------------------------------------------------------- targets
# wss, heatmap raw: the largest record; memory: every record.
declare -A TARGET_VALUE TARGET_MET
target() { TARGET_VALUE[$1]=$2; TARGET_MET[$1]=$3; }
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**not met**"; fi; }

if ok "wss-$LAST"; then
	v=$(rate "wss-$LAST" "${NREG[$LAST]}" 1e6)
	target wss "$v M regions/s" "$(met "$v >= 40")"
fi
if ok "heatraw-$LAST"; then
	v=$(rate "heatraw-$LAST" "${NREG[$LAST]}" 1e6)
	target heat "$v M regions/s" "$(met "$v >= 30")"
fi
maxrss=0 maxrss_id=""
for n in "${SNAPSHOTS[@]}"; do
	for c in wss heatraw heatpng csv; do
		id=$c-$n
		ok "$id" || continue
		if [ "${RSS[$id]}" -gt "$maxrss" ]; then maxrss=${RSS[$id]} maxrss_id=$id; fi
	done
done
target rss "$(calc "$maxrss / 1024" %.1f) MiB (${maxrss_id})" "$(met "$maxrss < 65536")"

# growth of damo-stacks/damo-timeline with samples and snapshots
first=${SNAPSHOTS[0]}
growth_rows=()
grow_ok=1
# Growing "only with frames, threads and image" is taken as: the larger
# input's peak RSS is at most 1.25 times the smaller one's plus 1 MiB.
grow_check() { # LABEL SMALL_ID LARGE_ID SMALL_DESC LARGE_DESC SMALL_N LARGE_N
	ok "$2" && ok "$3" || return 0
	local d per verdict=flat
	d=$(calc "(${RSS[$3]} - ${RSS[$2]}) / 1024" %.1f)
	per=$(calc "(${RSS[$3]} - ${RSS[$2]}) * 1024 / ($7 - $6)" %.0f)
	if awk "BEGIN { exit !(${RSS[$3]} > ${RSS[$2]} * 1.25 + 1024) }"; then
		grow_ok=0
		verdict="**grows**"
	fi
	growth_rows+=("$1|$4|$(mib "$2")|$5|$(mib "$3")|$d|$per|$verdict")
	return 0
}
# the largest record a command finished (one that ran out of time is left out)
largest_ok() { # ID_PREFIX
	local n best=""
	for n in "${SNAPSHOTS[@]}"; do
		[ "$n" != "$first" ] && ok "$1-$n" && best=$n
	done
	printf '%s\n' "$best"
}
if [ "$LAST" != "$first" ]; then
	big=$(largest_ok stacksrec)
	[ -z "$big" ] || grow_check "damo-stacks -i (record stacks, snapshots)" "stacksrec-$first" "stacksrec-$big" \
		"${SSTACKS[$first]} samples, $first snapshots" "${SSTACKS[$big]} samples, $big snapshots" \
		"${SSTACKS[$first]}" "${SSTACKS[$big]}"
	big=$(largest_ok timelinerec)
	[ -z "$big" ] || grow_check "damo-timeline -i (record stacks, snapshots)" "timelinerec-$first" "timelinerec-$big" \
		"${SSTACKS[$first]} samples, $first snapshots" "${SSTACKS[$big]} samples, $big snapshots" \
		"${SSTACKS[$first]}" "${SSTACKS[$big]}"
	big=$(largest_ok timeline)
	[ -z "$big" ] || grow_check "damo-timeline -i (snapshots)" "timeline-$first" "timeline-$big" \
		"$first snapshots" "$big snapshots" "$first" "$big"
fi
if [ $PERF_OK = 1 ]; then
	small_n=$((PERF_SAMPLES_ONE * PERF_REPS_TENTH)) large_n=$((PERF_SAMPLES_ONE * PERF_REPS))
	grow_check "damo-stacks perf script, speedscope" stacksspeed-tenth stacksspeed \
		"$small_n samples" "$large_n samples" "$small_n" "$large_n"
	grow_check "damo-stacks perf script, trace-event" stackstrace-tenth stackstrace \
		"$small_n samples" "$large_n samples" "$small_n" "$large_n"
	grow_check "damo-timeline --perf-script" timelineperf-tenth timelineperf \
		"$small_n samples" "$large_n samples" "$small_n" "$large_n"
fi
if [ ${#growth_rows[@]} -gt 0 ]; then
	if [ $grow_ok = 1 ]; then target grow "flat (table below)" met
	else target grow "some grow with the samples or snapshots (table below)" "**not met**"; fi
fi

worst_size=""
for row in "${SIZE_ROWS[@]}"; do
	IFS='|' read -r label snaps regs j d <<<"$row"
	[ "$snaps" -ge 500 ] || continue # the fixed cost of tiny records aside (see below)
	r=$(calc "$j / $d" %.1f)
	if [ -z "$worst_size" ] || awk "BEGIN { exit !($r < $worst_size) }"; then worst_size=$r; fi
done
[ -n "$worst_size" ] && target size "1/$worst_size at worst (records of 500 snapshots or more)" \
	"$(met "$worst_size >= 8")"
if [ $PERF_OK = 1 ] && ok stacksfolded; then
	v=$(rate stacksfolded "$(size_of "$FFT_BIG")" 1e6 %.0f)
	target perf "$v MB/s (damo-stacks -f folded)" "$(met "$v >= 400")"
fi

# ---------------------------------------------------------------- profiles
PROFILE_MD=$WORK/profiles.md
: >"$PROFILE_MD"
profile() { # LABEL CMD...: the hottest functions by self time
	local label=$1 data
	shift
	data=$WORK/prof/$(printf '%s' "$label" | tr -c 'a-zA-Z0-9' _).data
	if perf record -q -F 1999 -g -o "$data" -- "$@" >/dev/null 2>"$WORK/prof/err.tmp"; then
		{
			printf '\n%s:\n\n```\n' "$label"
			perf report -i "$data" --no-children --sort sym --stdio -q --percent-limit 2 \
				-g none 2>/dev/null | sed 's/[[:space:]]*$//' | grep -v '^$' | head -n 12
			printf '```\n'
		} >>"$PROFILE_MD"
	fi
}
if [ "$PROFILE" = 1 ] && command -v perf >/dev/null; then
	log "profiling the commands that miss a target"
	mid=${SNAPSHOTS[1]:-${SNAPSHOTS[0]}}
	[ "${TARGET_MET[wss]:-met}" = met ] ||
		profile "damo-wss -i synth-${mid}x$REGIONS.dtr" "$BIN_DIR/damo-wss" -i "${REC[$mid]}"
	[ "${TARGET_MET[heat]:-met}" = met ] ||
		profile "damo-heatmap --output raw --resol 500 500, synth-${mid}x$REGIONS.dtr" \
			"$BIN_DIR/damo-heatmap" -i "${REC[$mid]}" --resol 500 500 --output raw
	[ "${TARGET_MET[perf]:-met}" = met ] ||
		profile "damo-stacks -f folded, fft-tenth.perf-script" \
			"$BIN_DIR/damo-stacks" "$FFT_TENTH" -f folded
	if ok damonwss && awk "BEGIN { exit !($(rate damonwss "$(size_of "$DAMON_TEXT")" 1e6) < 400) }"; then
		profile "damo-wss -i $(basename "$DAMON_TEXT") (damon:damon_aggregated perf script text)" \
			"$BIN_DIR/damo-wss" -i "$DAMON_TEXT"
	fi
	if [ "${TARGET_MET[rss]:-met}" != met ]; then log "peak RSS above 64 MiB: $maxrss_id"; fi
fi

# ---------------------------------------------------------------- report
log "writing the tables into $DOC"
REPORT=$WORK/report.md
{
	cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	cat <<EOF
## Benchmarks

Written by \`make bench\` (bench/run.sh, BENCH_SCALE=$SCALE) on $START_DATE;
the whole run took $(((T_END - T_START) / 60)) min $(((T_END - T_START) % 60)) s.

| machine | |
|---|---|
| CPUs | $(nproc) ($cpu_model) |
| memory | $mem |
| kernel | $(uname -r) |
| compiler | $($CC --version | head -n 1) |
| zstd | $(zstd --version | head -n 1 | sed 's/^[* ]*//; s/, by.*//') |
| load average (1, 5, 15 min) | at start $LOAD_START, at the end $LOAD_END |

Every command is single-threaded.  Times are the best of $REPEAT runs
(one for the 100M-region record) by CPU time (user + system, from wait4's
resource usage as \`/usr/bin/time -f '%e %U %S %M'\` reports it, to the
microsecond: bench/timeit.c), which other load on the machine disturbs much less than
wall time; rates are per CPU second, i.e. on one core.  "x zstd -d" is the
command's CPU time over the CPU time of \`zstd -d\` of the same regions
(24 bytes each: start, end, nr_accesses, age, compressed with zstd -3), "x
read" over reading the record through the library alone (bench/dtr-scan.c:
decompression, checksums, decoding, every region touched).  Peak RSS is the
maximum resident set size.  MB is 10^6 bytes.
EOF
	if awk "BEGIN { exit !(${LOAD_START%% *} > $(nproc)) }"; then
		printf '\nThe machine was shared during this run (load average above its %s CPUs): wall times are\ninflated, CPU times less so; compare the ratios.\n' "$(nproc)"
	fi

	printf '\n### Targets\n\n| target (issue 8) | measured | |\n|---|---|---|\n'
	printf '| damo-wss >= 40M regions/s on one core | %s | %s |\n' "${TARGET_VALUE[wss]:-failed}" "${TARGET_MET[wss]:-**not met**}"
	printf '| damo-heatmap (raw, 500x500) >= 30M regions/s on one core | %s | %s |\n' "${TARGET_VALUE[heat]:-failed}" "${TARGET_MET[heat]:-**not met**}"
	printf '| peak RSS of damo-wss, damo-heatmap, damo-convert < 64 MiB at every scale | largest: %s | %s |\n' "${TARGET_VALUE[rss]}" "${TARGET_MET[rss]}"
	printf '| damo-stacks%s grow with frames, threads and image only | %s | %s |\n' \
		"$([ $HAVE_TIMELINE = 1 ] && echo ' and damo-timeline')" "${TARGET_VALUE[grow]:-not measured}" "${TARGET_MET[grow]:-not measured}"
	printf '| records <= 1/8 of damo'"'"'s json_compressed | %s | %s |\n' "${TARGET_VALUE[size]:-not measured}" "${TARGET_MET[size]:-not measured}"
	printf '| perf script parsing >= 400 MB/s | %s | %s |\n' "${TARGET_VALUE[perf]:-not measured}" "${TARGET_MET[perf]:-not measured}"
	[ $HAVE_TIMELINE = 1 ] || printf '\ndamo-timeline was not built when this ran; its rows are missing.\n'

	printf '\n### Commands on damo-synth records (%s regions per snapshot)\n\n' "$REGIONS"
	printf '| record | command | wall s | CPU s | M regions/s | peak RSS MiB | x zstd -d | x read |\n'
	printf '|---|---|---:|---:|---:|---:|---:|---:|\n'
	for n in "${SNAPSHOTS[@]}"; do
		label="$n x $REGIONS ($(calc "${NREG[$n]} / 1e6" %.0f)M regions, $(calc "$(size_of "${REC[$n]}") / 1e6" %.1f) MB)"
		row() { # ID NAME
			if ok "$1"; then
				printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$2" "${WALL[$1]}" "${CPU[$1]}" \
					"$(rate "$1" "${NREG[$n]}" 1e6)" "$(mib "$1")" "$(ratio "$1" "zstd-$n")" "$(ratio "$1" "scan-$n")"
			else
				printf '| %s | %s | %s | | | | | |\n' "$label" "$2" "${FAILED[$1]:-failed}"
			fi
			label=""
		}
		row "cat-$n" "baseline: \`cat\` (plain read)"
		row "zstd-$n" "baseline: \`zstd -d\` of the regions ($(calc "${ZST_BYTES[$n]} / 1e6" %.1f) MB)"
		row "scan-$n" "baseline: read through the library"
		row "info-$n" "damo-info --verify"
		row "wss-$n" "damo-wss"
		row "heatraw-$n" "damo-heatmap --output raw --resol 500 500"
		row "heatpng-$n" "damo-heatmap --output x.png --resol 500 500"
		row "csv-$n" "damo-convert --to csv \| cat ($(calc "${CSV_BYTES[$n]:-0} / 1e6" %.0f) MB)"
		if [ $HAVE_TIMELINE = 1 ]; then row "timeline-$n" "damo-timeline -o x.png"; fi
	done
	cat <<EOF

Reference (not measured here; damo is not installed on this machine and
PyPI is not reachable from it): issue 8 quotes damo v3.3.0 at 27 s and
1.9 GB of memory for the 500x500 raw heatmap of a record of 1 000 x 1 000
regions, 44 s for its WSS report, and 17 MB for that record as
json_compressed, on this kind of machine.
EOF
	if ok "heatraw-$first" && ok "wss-$first"; then
		printf 'For the %s x %s record here: damo-heatmap raw %s s CPU and %s MiB (issue: 27 s, 1.9 GB),\ndamo-wss %s s CPU (issue: 44 s).\n' \
			"$first" "$REGIONS" "${CPU[heatraw-$first]}" "$(mib "heatraw-$first")" "${CPU[wss-$first]}"
	fi

	printf '\n### Callstacks and perf script parsing\n\n'
	if [ $PERF_OK = 1 ]; then
		big=$(size_of "$FFT_BIG")
		cat <<EOF
Input: \`perf record -g -k mono -e cpu-clock\` of examples/fft-phases.c
(built with frame pointers, --burst 1 --gap 0.5) on this host, \`perf script\`
text $(calc "$(size_of "$FFT_ONE") / 1e6" %.1f) MB with $PERF_SAMPLES_ONE samples, repeated $PERF_REPS times
(each copy's times moved after the previous one's, so it reads as one long recording):
$(calc "$big / 1e6" %.0f) MB, $((PERF_SAMPLES_ONE * PERF_REPS)) samples.  "x wc -l" is the CPU time over \`wc -l\` of the same text.

| input | command | wall s | CPU s | MB/s | peak RSS MiB | x wc -l |
|---|---|---:|---:|---:|---:|---:|
EOF
		prow() { # ID NAME BYTES BASE
			if ok "$1"; then
				printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$5" "$2" "${WALL[$1]}" "${CPU[$1]}" \
					"$(rate "$1" "$3" 1e6 %.0f)" "$(mib "$1")" "$(ratio "$1" "$4")"
			else
				printf '| %s | %s | %s | | | | |\n' "$5" "$2" "${FAILED[$1]:-failed}"
			fi
		}
		lbl="fft perf script, $(calc "$big / 1e6" %.0f) MB"
		prow perfcat "baseline: \`cat\`" "$big" perfwc "$lbl"
		prow perfwc "baseline: \`wc -l\`" "$big" perfwc ""
		prow stacksfolded "damo-stacks -f folded" "$big" perfwc ""
		prow stacksspeed "damo-stacks (speedscope)" "$big" perfwc ""
		prow stackstrace "damo-stacks -f trace-event" "$big" perfwc ""
		[ $HAVE_TIMELINE = 0 ] || prow timelineperf "damo-timeline -i ${first}x$REGIONS.dtr --perf-script, -o x.png" "$big" perfwc ""
		dt=$(size_of "$DAMON_TEXT")
		lbl="damon:damon_aggregated perf script (damo-convert --to perf_script of $first x $REGIONS), $(calc "$dt / 1e6" %.0f) MB"
		prow damoncat "baseline: \`cat\`" "$dt" damonwc "$lbl"
		prow damonwc "baseline: \`wc -l\`" "$dt" damonwc ""
		prow damonwss "damo-wss" "$dt" damonwc ""
	else
		printf 'Not measured: %s.\n' "$PERF_NOTE"
	fi

	printf '\n### damo-stacks -f folded against stackcollapse-perf.pl\n\n'
	cat "$FG_REPORT"

	if [ ${#growth_rows[@]} -gt 0 ]; then
		printf '\n### Memory against samples and snapshots\n\n'
		printf '| command | smaller input | peak RSS MiB | larger input | peak RSS MiB | growth MiB | bytes per added sample or snapshot | |\n|---|---|---:|---|---:|---:|---:|---|\n'
		for row in "${growth_rows[@]}"; do
			IFS='|' read -r a b c d e f g h <<<"$row"
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h"
		done
		printf '\n"Flat" means the larger input'"'"'s peak RSS is at most 1.25 times the smaller'"'"'s plus 1 MiB.\n'
		printf 'The record rows read damo-synth records (%s regions per snapshot; --stacks adds 100 samples per second).\n' "$REGIONS"
	fi

	printf '\n### Record size against damo'"'"'s json_compressed\n\n'
	printf '| record | snapshots | regions | damo json_compressed | .dtr | bytes per region | .dtr / damo |\n|---|---:|---:|---:|---:|---:|---:|\n'
	for row in "${SIZE_ROWS[@]}"; do
		IFS='|' read -r label snaps regs j d <<<"$row"
		printf '| %s | %s | %s | %s B | %s B | %s | 1/%s |\n' "$label" "$snaps" "$regs" "$j" "$d" \
			"$(calc "$d / $regs" %.2f)" "$(calc "$j / $d" %.1f)"
	done
	for n in "${SNAPSHOTS[@]}"; do
		[ "$n" -gt 10000 ] || continue
		d=$(size_of "${REC[$n]}")
		printf '| damo-synth %s x %s | %s | %s | - | %s B | %s | - |\n' "$n" "$REGIONS" "${NSNAP[$n]}" "${NREG[$n]}" "$d" "$(calc "$d / ${NREG[$n]}" %.2f)"
	done
	printf '\nThe json_compressed files of synthetic records are written by `damo-convert -t json_compressed`;\n'
	printf 'that of the 100M-region record is left out (about 1.7 GB of zlib output).  Records of fewer\n'
	printf 'than 500 snapshots are outside the target: the fixed cost of a record (header, index, end,\n'
	printf 'metadata: about 200 bytes) weighs on them.  For comparison, zstd -3 of the bare regions\n'
	printf '(24 bytes each) of the %s x %s record takes %s bytes per region.\n' "$first" "$REGIONS" \
		"$(calc "${ZST_BYTES[$first]} / ${NREG[$first]}" %.2f)"

	printf '\n### Recorder cost per tracepoint event\n\n'
	read -r _ ev_read _ cpu_read ns_read <<<"$(awk '$1 == "read"' "$REPLAY_OUT")"
	read -r _ ev_dec snaps_dec cpu_dec ns_dec <<<"$(awk '$1 == "decode"' "$REPLAY_OUT")"
	read -r _ ev_rec snaps_rec cpu_rec ns_rec <<<"$(awk '$1 == "record"' "$REPLAY_OUT")"
	dec_ns=$(calc "$ns_dec - $ns_read" %.1f)
	rec_ns=$(calc "$ns_rec - $ns_read" %.1f)
	cat <<EOF
A raw capture (docs/RECORDING.md) of $CAPTURE_AGGRS aggregations of $REGIONS regions
($ev_rec damon:damon_aggregated samples, $(calc "$(size_of "$CAPTURE") / 1e6" %.0f) MB, written by
bench/replay-bench.c with the tracefs format of Linux 6.12) replayed on the
host, no DAMON involved; CPU time of the process, best of $REPEAT.  Reading
the capture file stands in for the ring buffer and is subtracted.

| stage | CPU s | ns per event | per aggregation of $REGIONS regions |
|---|---:|---:|---:|
| reading the capture file (subtracted) | $(calc "$cpu_read" %.3f) | $ns_read | $(calc "$ns_read * $REGIONS / 1000" %.0f) us |
| decoder and snapshot assembly (kernel-shim) | $(calc "$cpu_dec - $cpu_read" %.3f) | $dec_ns | $(calc "$dec_ns * $REGIONS / 1000" %.0f) us |
| decoder, assembly and record writer (\`rec_replay_raw\`) | $(calc "$cpu_rec - $cpu_read" %.3f) | $rec_ns | **$(calc "$rec_ns * $REGIONS / 1000" %.0f) us** |

At DAMON's default 100 ms aggregation interval, $REGIONS regions cost the
recorder $(calc "$rec_ns * $REGIONS / 1000 / 100000 * 100" %.3f) % of one CPU.  The whole command,
\`damo-record --replay-raw\` (process start, capture read and record written
to disk included), took $(cell replay printf '%s' "${CPU[replay]:-}") s CPU and $(cell replay mib replay) MiB peak RSS for the $snaps_rec snapshots.
EOF
	if [ -s "$PROFILE_MD" ]; then
		printf '\n### Profiles of the commands that miss a target\n\n'
		printf '`perf record -g` of each on this machine, self time by function (perf report --no-children --sort sym):\n'
		cat "$PROFILE_MD"
	fi

	cat <<EOF

### Reproduce

\`\`\`sh
make bench                   # everything (inputs cached in build/bench/); writes docs/PERFORMANCE.md
BENCH_SCALE=small make bench # 1 000 x 1 000 only, tables in build/bench/PERFORMANCE.md
\`\`\`

Inputs are rebuilt only when the command that wrote them changed.  The raw
results are in build/bench/results.tsv (id, wall, user, system, CPU s, peak
RSS KiB).
EOF
} >"$REPORT"

# Splice the report between the markers, keeping everything else.
BEGIN_MARK='<!-- bench:begin (written by bench/run.sh; edit outside these markers) -->'
END_MARK='<!-- bench:end -->'
[ -f "$DOC" ] || : >"$DOC"
if ! grep -qF '<!-- bench:begin' "$DOC"; then
	printf '\n%s\n%s\n' "$BEGIN_MARK" "$END_MARK" >>"$DOC"
fi
awk -v report="$REPORT" -v bm="$BEGIN_MARK" '
	/^<!-- bench:begin/ { print bm; while ((getline line < report) > 0) print line; skip = 1; next }
	/^<!-- bench:end -->/ { skip = 0 }
	!skip { print }
' "$DOC" >"$DOC.tmp"
mv "$DOC.tmp" "$DOC"
log "done in $((T_END - T_START)) s; $DOC"
