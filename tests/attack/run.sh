#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The attack suite: hostile records from tests/attack/attack_gen (valid but
# extreme .dtr written through libdtr, damo json and perf script text of
# damon_aggregated, valid or not, and byte-level mutations of all of them)
# read by every reading command, alone and with perf script callstacks.  Each run must
#   - end with status 0 or 1 (never 2, a signal or the time limit), with
#     no sanitizer report;
#   - when it fails, say why on stderr, naming the input file;
#   - leave its file output whole: a complete PNG, JSON or record when it
#     succeeded, the old file untouched when it failed.
#
#   tests/attack/run.sh GEN BIN [CASES [FIRST_SEED]]
#
# GEN is the built generator, BIN the folder of the commands (built with
# ASan/UBSan by `make sanitize`, which runs a fixed-seed subset; `make
# attack` runs the full set).  Failing inputs are kept in
# $ATTACK_KEEP (default build-attack/failed/) with the command that failed.
# Ends with "attack: N passed, N failed".
set -uo pipefail

GEN=$1 BIN=$2 CASES=${3:-1000} FIRST=${4:-1}
KEEP=${ATTACK_KEEP:-build-attack/failed}
LIMIT=${ATTACK_TIMEOUT:-60}
# hard_rss_limit_mb: a command that needs gigabytes for a small hostile
# input is a defect too (reported as a sanitizer error).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99:hard_rss_limit_mb=2048}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}
export TMPDIR=${TMPDIR:-/tmp}
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
work=$(mktemp -d "$TMPDIR/dt-attack.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$KEEP"
passed=0 failed=0

# whole FILE: a complete PNG, JSON document, record or non-empty text.
whole() {
	case $1 in
	*.png)
		[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
			[ "$(tail -c 8 "$1" | head -c 4)" = IEND ] ;;
	*.json) "$PYTHON" -c 'import json, sys; json.load(open(sys.argv[1], "rb"))' "$1" 2>/dev/null ;;
	*.dtr) "$BIN/damo-info" --verify "$1" >/dev/null 2>&1 ;;
	*.html) tail -c 100 "$1" | grep -q '</html>' ;;
	*) [ -s "$1" ] ;;
	esac
}

# named INPUTS: stderr names one of INPUTS (space-separated paths).
named() {
	local f
	for f in $1; do
		grep -qF -- "$(basename "$f")" "$work/stderr" && return 0
	done
	return 1
}

# one_run NAME INPUTS OUT CMD...: INPUTS are the files read (space-separated),
# OUT is the command's file output ("" for none); it holds "OLD" before the
# run.
one_run() {
	local name=$1 input=$2 out=$3 st=0
	shift 3
	[ -z "$out" ] || echo OLD >"$out"
	timeout "$LIMIT" "$@" >"$work/stdout" 2>"$work/stderr" </dev/null || st=$?
	local why=""
	if grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer|Sanitizer' "$work/stderr"; then
		why="sanitizer report"
	elif [ "$st" -ne 0 ] && [ "$st" -ne 1 ]; then
		why="exit status $st"
	elif [ "$st" -eq 1 ] && ! named "$input"; then
		why="an error that does not name the input"
	elif [ "$st" -eq 1 ] && [ -n "$out" ] && [ "$(cat "$out" 2>/dev/null)" != OLD ]; then
		why="a failed run changed its output $out"
	elif [ "$st" -eq 0 ] && [ -n "$out" ] && ! whole "$out"; then
		why="its output $out is not whole"
	fi
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		return
	fi
	failed=$((failed + 1))
	local keep f
	for f in $input; do
		keep=$KEEP/seed$name.$(basename "$f")
		cp "$f" "$keep"
	done
	echo "attack: $why: $* (inputs kept in $KEEP/seed$name.*)"
	{ echo "$why: $*"; cat "$work/stderr"; } >"$keep.log"
	head -n 12 "$work/stderr" | sed 's/^/  | /'
}

# Every reading command over one input.
attack() {
	local f=$1 n=$2
	one_run "$n" "$f" "" "$BIN/damo-info" "$f"
	one_run "$n" "$f" "" "$BIN/damo-info" --json "$f"
	one_run "$n" "$f" "" "$BIN/damo-info" --verify "$f"
	one_run "$n" "$f" "" "$BIN/damo-info" --nr-regions "$f"
	one_run "$n" "$f" "" "$BIN/damo-wss" -i "$f" --exclude_samples 0
	one_run "$n" "$f" "" "$BIN/damo-wss" -i "$f" --sortby time --all_wss --per_target
	one_run "$n" "$f" "" "$BIN/damo-wss" -i "$f" --csv
	one_run "$n" "$f" "$work/wss.png" "$BIN/damo-wss" -i "$f" --sortby time --plot "$work/wss.png"
	one_run "$n" "$f" "" "$BIN/damo-heatmap" -i "$f" --guide
	one_run "$n" "$f" "" "$BIN/damo-heatmap" -i "$f" --output raw --resol 20 30
	one_run "$n" "$f" "" "$BIN/damo-heatmap" -i "$f" --color never
	one_run "$n" "$f" "" "$BIN/damo-heatmap" -i "$f" --sort_temperature --output raw --resol 10 10
	one_run "$n" "$f" "$work/heat.png" "$BIN/damo-heatmap" -i "$f" --resol 40 40 "$work/heat.png"
	one_run "$n" "$f" "$work/map.png" "$BIN/damo-heatmap" -i "$f" --resol 40 40 \
		--draw_range mapped "$work/map.png"
	one_run "$n" "$f" "" "$BIN/damo-heatmap" -i "$f" --draw_range all --output raw --resol 5 5
	one_run "$n" "$f" "" "$BIN/damo-timeline" -i "$f"
	one_run "$n" "$f" "$work/t.json" sh -c '"$1" -i "$2" --json >"$3.tmp" && mv "$3.tmp" "$3"' \
		sh "$BIN/damo-timeline" "$f" "$work/t.json"
	one_run "$n" "$f" "$work/t.png" "$BIN/damo-timeline" -i "$f" --resol 60 40 -o "$work/t.png"
	one_run "$n" "$f" "$work/t.html" "$BIN/damo-timeline" -i "$f" --resol 60 40 \
		--draw_range phases -o "$work/t.html"
	one_run "$n" "$f" "$work/s.json" "$BIN/damo-stacks" -i "$f" -o "$work/s.json"
	one_run "$n" "$f" "$work/e.json" "$BIN/damo-stacks" -i "$f" -f trace-event -o "$work/e.json"
	one_run "$n" "$f" "" "$BIN/damo-stacks" -i "$f" -f folded
	one_run "$n" "$f" "" "$BIN/damo-access" -i "$f" --snapshot_heatmap_width 30
	one_run "$n" "$f" "" "$BIN/damo-access" -i "$f" --sort_regions_by temperature --raw_number
	one_run "$n" "$f" "$work/c.dtr" "$BIN/damo-convert" "$f" -o "$work/c.dtr"
	one_run "$n" "$f" "$work/c.json" "$BIN/damo-convert" "$f" -o "$work/c.json"
	one_run "$n" "$f" "" "$BIN/damo-convert" "$f" --to csv --what wss -o -
	# the record with separately recorded callstacks, moved in time
	local p=$work/perf.txt
	"$GEN" stacks "$n" "$p" || return
	one_run "$n" "$f $p" "" "$BIN/damo-timeline" -i "$f" --perf-script "$p" --keep-record-stacks \
		--time-offset "-$(( (n * 7919) % 100 ))s"
	one_run "$n" "$p" "" "$BIN/damo-timeline" --perf-script "$p" --time-offset 9e9s
	# (--perf-script: a positional file is sorted out by its content, and
	# hostile text starting with "[" is taken for a second record, exit 2)
	one_run "$n" "$f $p" "$work/p.json" "$BIN/damo-stacks" --perf-script "$p" -i "$f" --time-offset -1s \
		-o "$work/p.json"
	one_run "$n" "$p" "" "$BIN/damo-stacks" "$p" -f folded --perf-clock perf
}

kinds=(dtr json perf dtr mutate)
for ((i = 0; i < CASES; i++)); do
	seed=$((FIRST + i))
	kind=${kinds[$((seed % ${#kinds[@]}))]}
	case $kind in
	dtr) f=$work/case$seed.dtr ;;
	json) f=$work/case$seed.json ;;
	perf) f=$work/case$seed.txt ;;
	mutate) f=$work/case$seed.bin ;;
	esac
	if [ "$kind" = mutate ]; then
		# a mutation of a generated record of any kind, or of a synthetic one
		base=$work/base$seed
		case $((seed / 5 % 4)) in
		0) "$GEN" dtr "$seed" "$base" ;;
		1) "$GEN" json "$seed" "$base" ;;
		2) "$GEN" perf "$seed" "$base" ;;
		3) "$BIN/damo-synth" --stacks --footprint --snapshots 20 --regions 10 --seed "$seed" \
			-o "$base" 2>/dev/null ;;
		esac
		"$GEN" mutate "$seed" "$base" "$f" || { failed=$((failed + 1)); continue; }
		rm -f "$base"
	else
		"$GEN" "$kind" "$seed" "$f" || { failed=$((failed + 1)); continue; }
	fi
	attack "$f" "$seed"
	rm -f "$f"
done
echo "attack: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
