#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Raw captures of damon:damon_aggregated taken with damo-record --dump-raw
# on Linux 6.12 in the microVM (tests/fakes/vm-6.12) replay into exactly the
# snapshots damo-record wrote live from the same events; a truncated capture
# is one clear error and what was decoded stays readable.
source "$(dirname "$0")/../fakes/ns.bash"
source "$(dirname "$0")/lib.sh"
trap 'stop_fake_kernel; rm -rf "$TEST_TMP"' EXIT

V=$DT_SRC/tests/fakes/vm-6.12
# name ops aggregation "incomplete, lost" of the live recording
while read -r name ops aggr losses; do
	expect_ok damo-record --replay-raw "$V/$name.cap" -a $aggr --ops $ops -o $name.dtr
	expect_grep "^damo-record: stopped \(end of input\) .*: [1-9][0-9]* snapshots \($losses events lost\)" err
	expect_ok damo-convert "$V/$name.dtr" -t csv -o live.csv
	expect_ok damo-convert $name.dtr -t csv -o replay.csv
	[ "$(wc -l <live.csv)" -gt 100 ] || fail "$name: the live record is too small to prove anything"
	expect_same_file live.csv replay.csv
	expect_ok damo-info "$V/$name.dtr"
	grep -E 'incomplete|snapshots [0-9]' out >live.info
	expect_ok damo-info $name.dtr
	grep -E 'incomplete|snapshots [0-9]' out >replay.info
	expect_same_file live.info replay.info
	expect_grep '^meta: source = tracepoint' out
	expect_grep "^meta: replayed_from = .*/$name.cap" out
	expect_grep "ops $ops" out
	expect_grep '^closed cleanly: yes' out
done <<'CASES'
vaddr vaddr 100ms 0 incomplete, 0
paddr paddr 100ms 0 incomplete, 0
lost vaddr 50ms 1 incomplete, 1
CASES
# The ring buffer overflowed once in lost.cap: exactly the snapshot it hit
# is incomplete.
expect_grep 'snapshots 63, regions 4399 \(69.8 per snapshot\), 1 incomplete' replay.info

# The print format of the event is never evaluated (libtraceevent parses a
# canonical text without it): vaddr.cap with one that divides by zero
# (libtraceevent died of SIGFPE on the text as given) replays the same.
flen=$(sed -n '3s/^format //p' "$V/vaddr.cap")
head_len=$(head -n 3 "$V/vaddr.cap" | wc -c)
dd if="$V/vaddr.cap" bs=1 skip="$head_len" count="$flen" status=none |
	sed 's/^print fmt: .*/print fmt: "", 1 % 0/' >div0.format
grep -q '^print fmt: "", 1 % 0$' div0.format || fail "div0.format was not made"
{
	printf 'DAMOTRACE-RAW 1\nsample_type 1158\nformat %d\n' "$(wc -c <div0.format)"
	cat div0.format
	printf '\nrecords\n'
	tail -c +$((head_len + flen + 10)) "$V/vaddr.cap"
} >div0.cap
expect_ok damo-record --replay-raw div0.cap -a 100ms --ops vaddr -o div0.dtr
expect_ok damo-convert "$V/vaddr.dtr" -t csv -o live.csv
expect_ok damo-convert div0.dtr -t csv -o replay.csv
expect_same_file live.csv replay.csv

head -c 30000 "$V/vaddr.cap" >trunc.cap
expect_status 1 damo-record --replay-raw trunc.cap -a 100ms -o trunc.dtr
expect_grep '^damo-record: trunc.cap: offset [0-9]+: truncated record' err
expect_ok damo-info --salvage trunc.dtr
expect_grep '^snapshots: [1-9]' out
