#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Several targets: summed by default as damo does, one report each with
# --per_target; records from a pipe; damaged records fail clearly.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

expect_ok damo-synth -o two.dtr --targets 2 --snapshots 60 --regions 50
expect_ok damo-wss -i two.dtr --per_target --raw_number --all_wss --sortby time
[ "$(grep -c '^# target_id' out)" = 2 ] || fail "expected two target reports"
awk '/^# target_id/ { t++ } /^[0-9]+ [0-9]+$/ { v[t, $1] = $2 } END {
	for (i = 0; i < 40; i++) print i, v[1, i] + v[2, i] }' out > summed
expect_ok damo-wss -i two.dtr --raw_number --all_wss --sortby time
grep -E '^[0-9]+ [0-9]+$' out > collapsed
expect_same_file summed collapsed
expect_grep '^# target_id	0$' out

# per-target plots and CSV name both targets
expect_ok damo-wss -i two.dtr --per_target --sortby time --plot both.svg
expect_grep '<svg' both.svg
expect_ok damo-wss -i two.dtr --csv
[ "$(cut -d, -f1 out | sort -u | wc -l)" = 3 ] || fail "CSV should name two targets (and the header)"

# a record from a pipe
cat "$F/damon.data" | damo-wss -i - -r 1 101 1 --raw_number > piped || fail "stdin failed"
expect_same_file "$F/expects/report-wss" piped

# a damaged record: one line naming the file, exit 1
expect_ok damo-convert "$F/damon.data" -o full.dtr
head -c 3000 full.dtr > cut.dtr
expect_status 1 damo-wss -i cut.dtr
expect_grep 'cut\.dtr' err
[ "$(wc -l < err)" = 1 ] || fail "expected one error line"
