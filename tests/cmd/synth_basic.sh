# SPDX-License-Identifier: GPL-2.0-only
# damo-synth: deterministic records of the asked size, a truth file, stdout.
source "$(dirname "$0")/lib.sh"

expect_ok damo-synth -o a.dtr --snapshots 30 --regions 64 --seed 9 --stacks --truth a.truth
expect_ok damo-synth -o b.dtr --snapshots 30 --regions 64 --seed 9 --stacks --truth b.truth
expect_same_file a.dtr b.dtr
expect_same_file a.truth b.truth
expect_ok damo-synth -o c.dtr --snapshots 30 --regions 64 --seed 10 --stacks
cmp -s a.dtr c.dtr && fail "another seed gave the same record"

expect_ok damo-info a.dtr
expect_grep '^snapshots: 30$' out
expect_grep '^regions: 1920$' out
# 100 samples a second while a phase's function runs, one in 50 of them in
# quiet spans (the program waits off the CPU)
samples=$(sed -n 's/^stack samples: //p' out)
hot=$(awk '$4 == "hot" { s += ($2 - $1) / 1e7 } END { printf "%d", s }' a.truth)
all=$(awk '{ s += ($2 - $1) / 1e7 } END { printf "%d", s }' <(tail -n +2 a.truth))
[ "$samples" -ge $((hot - 1)) ] && [ "$samples" -le $((hot + (all - hot) / 10 + 2)) ] ||
	fail "$samples stack samples, $hot hot and $all in all (x 10 ms)"
[ "$hot" -lt "$all" ] || fail "seed 9 has no quiet span any more: pick another"
expect_grep '^memory maps: 1$' out

# The truth file: a comment, then phases that tile the record's time.
head -n1 a.truth | grep -q '^# ' || fail "truth file does not start with a comment"
tail -n +2 a.truth >phases
[ -s phases ] || fail "no phases in the truth file"
grep -Evq '^[0-9]+ [0-9]+ 0 (hot 0x[0-9a-f]+ 0x[0-9a-f]+ [a-z_]+|quiet - - -)$' phases &&
	fail "badly formed truth line: $(grep -Ev '^[0-9]+ [0-9]+ 0 (hot|quiet) ' phases | head -1)"
awk 'NR == 1 && $1 != 1000000000000 { exit 1 }
     NR > 1 && $1 != prev { exit 1 }
     $2 <= $1 { exit 1 }
     { prev = $2 }' phases || fail "phases do not tile the time"

# Intervals in damo's spellings, output to stdout, no regions at all.
expect_ok damo-synth -o ms.dtr --snapshots 5 --aggr 200ms --sample 10ms
expect_ok damo-info ms.dtr
expect_grep 'sample 10000 us, aggr 200000 us' out
expect_grep '\(1\.00 s\)$' out
damo-synth -o - --snapshots 7 --regions 10 | damo-info - >piped 2>&1 || fail "stdout output: $(cat piped)"
expect_grep '^snapshots: 7$' piped
expect_ok damo-synth -o none.dtr --snapshots 4 --regions 0
expect_ok damo-info none.dtr
expect_grep '^regions: 0$' out
expect_ok damo-synth -o zero.dtr --snapshots 0
expect_ok damo-info --verify zero.dtr
expect_ok damo-synth -o two.dtr --snapshots 3 --targets 3
expect_ok damo-info two.dtr
expect_grep '^  target 2: ' out

# Command line.
expect_ok damo-synth --help
for opt in --output --snapshots --regions --seed --targets --stacks --sample --aggr --update --truth; do
	expect_grep "$opt" out
done
expect_ok damo-synth --version
expect_status 2 damo-synth --snapshots many
expect_status 2 damo-synth --targets 0
expect_status 2 damo-synth --aggr 5ms --sample 10ms
expect_status 2 damo-synth extra-argument
expect_status 2 damo-synth -o never.dtr --snapshots 100000000000000
[ ! -e never.dtr ] || fail "a refused command line left never.dtr behind"
expect_status 1 damo-synth -o /nonexistent/dir/x.dtr
expect_grep '/nonexistent/dir/x\.dtr' err
