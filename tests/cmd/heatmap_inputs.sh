#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-heatmap on several targets (--tid), from a pipe (one pass, so the
# ranges must be given), and on damaged records.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

expect_ok damo-synth -o two.dtr --targets 2 --snapshots 60 --regions 50
expect_ok damo-heatmap -i two.dtr --guide
[ "$(grep -c '^target_id: ' out)" = 2 ] || fail "expected a guide per target"
first=$(sed -n 's/^target_id: //p' out | head -n 1)
second=$(sed -n 's/^target_id: //p' out | tail -n 1)
expect_ok damo-heatmap -i two.dtr --resol 10 10 raw
cp out first.txt
expect_ok damo-heatmap -i two.dtr --resol 10 10 raw --tid "$first"
expect_same_file first.txt out
expect_ok damo-heatmap -i two.dtr --resol 10 10 raw --tid "$second"
cmp -s first.txt out && fail "--tid $second drew the first target"
[ "$(wc -l < out)" = 100 ] || fail "expected 10x10 cells"

# one pass from a pipe, with the ranges given; a clear error without them
expect_ok damo-heatmap -i "$F/damon.data" --guide
range=$(sed -n 's/^region\t 1: \[\([0-9]*\), \([0-9]*\)).*/\1 \2/p' out)
span=$(sed -n 's/^time: \[\([0-9]*\), \([0-9]*\)).*/\1 \2/p' out)
cat "$F/damon.data" | damo-heatmap -i - --time_range $span --address_range $range raw > piped ||
	fail "a heatmap from a pipe failed"
zstd -q -dc "$F/expects/report-heats.zst" | cut -f1,2 > want-columns
cut -f1,2 piped > got-columns
expect_same_file want-columns got-columns
# a pipe read in several passes: spooled once, the same heatmap as the file's
expect_ok damo-heatmap -i "$F/damon.data" raw
mv out by-file
cat "$F/damon.data" | expect_ok damo-heatmap -i - raw
expect_same_file by-file out

# damaged records fail with one line naming the file
expect_ok damo-convert "$F/vm/damon-vm.data" -o vm.dtr
head -c 1000 vm.dtr > cut.dtr
expect_status 1 damo-heatmap -i cut.dtr raw
expect_grep 'cut\.dtr' err
[ "$(wc -l < err)" = 1 ] || fail "expected one error line"
printf 'not a record\n' > junk.txt
expect_status 1 damo-heatmap -i junk.txt --guide
expect_grep 'junk\.txt' err
