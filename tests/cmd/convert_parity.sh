#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-convert --to damo-raw prints what `damo report access --raw_form`
# prints, byte for byte, for every damo fixture, whatever its format.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

# damo's own json_compressed record
expect_ok damo-convert "$F/damon.data" --to damo-raw
expect_same_file "$F/expects/report-raw" out

# perf script text of an older kernel (kernel-pointer target ids, no age)
expect_ok damo-convert "$F/perf.data.script" --to damo-raw
expect_same_file "$F/expects/report-raw_perf_script" out

# the vm record with intervals and ages, and the trace it came from
expect_ok damo-convert "$F/vm/damon-vm.data" --to damo-raw
expect_same_file "$F/vm/report-raw" out
expect_ok damo-convert "$F/vm/damon-vm.perf-script" --to damo-raw
expect_same_file "$F/vm/report-raw" out

# the legacy binary record holds the same snapshots as damon.data
expect_ok damo-convert "$F/damon.data.binary_v2" --to damo-raw
expect_same_file "$F/expects/report-raw" out

# the format comes from the content, not the name; - reads stdin
cp "$F/damon.data" mystery.txt
expect_ok damo-convert mystery.txt -o raw.txt
expect_same_file "$F/expects/report-raw" raw.txt
expect_ok damo-convert - --to damo-raw < "$F/perf.data.script"
expect_same_file "$F/expects/report-raw_perf_script" out
cat "$F/damon.data.binary_v2" | damo-convert - --to damo-raw > piped.txt
expect_same_file "$F/expects/report-raw" piped.txt
cat "$F/damon.data" | damo-convert - --to damo-raw > piped-json.txt
expect_same_file "$F/expects/report-raw" piped-json.txt
damo-convert "$F/damon.data" -o - --to dtr | damo-convert - --to damo-raw > piped-dtr.txt
expect_same_file "$F/expects/report-raw" piped-dtr.txt

# the same trace as the tracefs `trace` file shows it
{
	echo '# tracer: nop'
	echo '#'
	echo '#                                _-----=> irqs-off/BH-disabled'
	echo '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION'
	echo '#              | |         |   |||||     |         |'
	sed -E 's/^ *([^ ]+) ([0-9]+) (\[[0-9]+\]) ([0-9.]+): damon:damon_aggregated: /       \1-\2     \3 .....  \4: damon_aggregated: /' \
		"$F/vm/damon-vm.perf-script"
} > trace
expect_grep '^       kdamond\.0-143     \[001\] \.\.\.\.\.  3\.428551: damon_aggregated: target_id=0 ' trace
expect_ok damo-convert trace --to damo-raw
expect_same_file "$F/vm/report-raw" out
