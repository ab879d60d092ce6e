#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-wss prints what `damo report wss` prints, byte for byte, on damo's
# own record and on the real-kernel record with intervals and ages.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

expect_ok damo-wss -i "$F/damon.data" -r 1 101 1 --raw_number
expect_same_file "$F/expects/report-wss" out

# --work_time merges snapshots into 1 s units, as damo does
expect_ok damo-wss -i "$F/damon.data" -r 1 101 1 --work_time 1000000 --raw_number
expect_same_file "$F/expects/report-wss_worktime_1s" out
# the same duration spelled with a unit
expect_ok damo-wss -i "$F/damon.data" --range 1 101 1 --work_time 1s --raw_number
expect_same_file "$F/expects/report-wss_worktime_1s" out

expect_ok damo-wss -i "$F/vm/damon-vm.data" -r 1 101 1 --raw_number
expect_same_file "$F/vm/report-wss" out
expect_ok damo-wss -i "$F/vm/damon-vm.data" --sortby time --raw_number
expect_same_file "$F/vm/report-wss_sortby_time" out

# every input format gives the same numbers: the vm trace as perf script
# text, and damo's record converted to .dtr
expect_ok damo-wss -i "$F/vm/damon-vm.perf-script" -r 1 101 1 --raw_number
expect_same_file "$F/vm/report-wss" out
expect_ok damo-convert "$F/damon.data" -o damon.dtr
expect_ok damo-wss -r 1 101 1 --raw_number
expect_same_file "$F/expects/report-wss" out

# human units and --all_wss
expect_ok damo-wss -i "$F/vm/damon-vm.data"
expect_grep '^# avr:	65\.106 MiB$' out
expect_grep '^100     168\.043 MiB \|\*{59}\|$' out
expect_ok damo-wss -i "$F/vm/damon-vm.data" --all_wss --raw_number --sortby time
expect_grep '^0 50266112$' out
[ "$(grep -c '^[0-9]* [0-9]*$' out)" = 34 ] || fail "expected 34 values (54 snapshots - 20)"

# thresholds: nothing is accessed 1000 times per aggregation
expect_ok damo-wss -i "$F/vm/damon-vm.data" --acc_thres 1000 --raw_number -r 100 101 1
expect_grep '^100               0 ' out

# bad command lines and inputs
expect_status 2 damo-wss -i "$F/damon.data" -r 1 101
expect_status 2 damo-wss -i "$F/damon.data" -r 0 200 50
expect_status 2 damo-wss -i "$F/damon.data" --sortby weight
expect_status 2 damo-wss -i "$F/damon.data" --plot wss.gif
expect_error damo-wss -i missing.dtr
expect_grep 'missing\.dtr' err
head -c 3000 "$F/vm/damon-vm.perf-script" | head -n 20 > broken.txt
printf 'garbage line\n' >> broken.txt
expect_error damo-wss -i broken.txt
expect_ok damo-wss --help
expect_grep 'acc_thres' out
expect_ok damo-wss --version
expect_grep 'damo-wss' out
