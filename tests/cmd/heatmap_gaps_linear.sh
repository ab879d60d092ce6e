#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The heatmap guide's gap intersection on hostile but valid records (issue
# 16, item 14): two snapshots of 200 000 one-page regions separated by
# one-page gaps, the second shifted by a page, took minutes (quadratic);
# `within` guards against that hang, it is not a timed assertion.
source "$(dirname "$0")/lib.sh"

n=$((200000 / DT_SLOWDOWN))
cat >gen.js <<'JS'
const n = +process.argv[2];
const items = [{context: {ops: 1, targets: [{pid: 1, cmdline: "x"}]}}];
for (let k = 0; k < 2; k++)
	items.push({snapshot: {start: 1e9 + k * 1e8, end: 1e9 + (k + 1) * 1e8, target: 0,
		pattern: {n: n, start: 4096 + k * 4096, size: 4096, gap: 4096, acc: 1}}});
console.log(JSON.stringify(items));
JS
node gen.js "$n" >gaps.json
node "$DT_SRC/tests/cmd/dtr_craft.js" gaps.dtr gaps.json

expect_ok within 20 damo-heatmap -i gaps.dtr gaps.png
[ -s gaps.png ] || fail "no gaps.png"
expect_ok within 20 damo-heatmap -i gaps.dtr --guide
expect_grep '^region	 0: \[4096, 12288\) \(8192\)' out
expect_ok within 20 damo-timeline -i gaps.dtr -o gaps-t.png
echo "heatmap_gaps_linear: ok"
