#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A synthetic record with known phases (damo-synth --truth): in every hot
# phase the heat of the known hot range is far above that of the whole
# address space, and the WSS over time follows the phases.
source "$(dirname "$0")/lib.sh"

expect_ok damo-synth -o t.dtr --snapshots 100 --regions 200 --truth truth.txt
expect_ok damo-heatmap -i t.dtr --guide
lo=$(sed -n 's/^region\t 0: \[\([0-9]*\),.*/\1/p' out)
hi=$(grep '^region' out | tail -n 1 | sed -n 's/.*, \([0-9]*\)).*/\1/p')
[ -n "$lo" ] && [ -n "$hi" ] || fail "no areas in the guide"
nr=0
while read -r start end _ kind hot_start hot_end func; do
	[ "$kind" = hot ] || continue
	q=$(((end - start) / 4)) # the middle half of the phase
	expect_ok damo-heatmap -i t.dtr --resol 1 1 --time_range $((start + q)) $((end - q)) \
		--address_range $((hot_start)) $((hot_end)) raw
	hot=$(cut -f3 out)
	expect_ok damo-heatmap -i t.dtr --resol 1 1 --time_range $((start + q)) $((end - q)) \
		--address_range "$lo" "$hi" raw
	all=$(cut -f3 out)
	awk -v h="$hot" -v a="$all" 'BEGIN { exit !(h > 50 && h > 100 * a) }' ||
		fail "phase $func: hot range heat $hot, whole space $all"
	nr=$((nr + 1))
done < <(grep -v '^#' truth.txt)
[ "$nr" -ge 3 ] || fail "expected several hot phases, found $nr"

# every snapshot well inside a hot phase has a WSS of at least its hot range
expect_ok damo-wss -i t.dtr --exclude_samples 0 --csv
first=$(sed -n '2p' out | cut -d, -f2)
[ "$first" = 0.000000000 ] || fail "CSV times do not start at 0"
grep -v '^#' truth.txt | while read -r start end _ kind hot_start hot_end _; do
	[ "$kind" = hot ] && echo "$start $end $((hot_end - hot_start))"
done > hot.txt
t0=$(grep -v '^#' truth.txt | head -n 1 | cut -d' ' -f1)
awk -v t0="$t0" 'NR == FNR { s[++n] = $1; e[n] = $2; size[n] = $3; next }
	FNR > 1 { t = t0 + $3 * 1e9
		for (i = 1; i <= n; i++) if (t > s[i] + 2e8 && t < e[i]) { checked++; if ($4 < size[i] * 0.9) bad++ } }
	END { exit !(checked > 10 && !bad) }' hot.txt FS=, out ||
	fail "the WSS does not cover the hot ranges"
