#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The default heatmap shows the memory the program worked on: on every
# golden record of the phase corpus (tests/data/corpus/*.dtr), the buffers
# the workload printed (NAME.truth: `buffer RUN NAME START END`) get at
# least a quarter of damo-timeline's address axis, read from its JSON
# report's heatmap object (each area's address cells; an area's cells
# count for the buffers by the part of the area they cover).  damo-heatmap
# draws its images with the same framing; its raw output stays damo's.
source "$(dirname "$0")/lib.sh"

CORPUS=$DT_SRC/tests/data/corpus
shares=$TEST_TMP/shares
: >"$shares"
for truth in "$CORPUS"/*.truth; do
	workload=$(basename "$truth" .truth)
	for run in $(awk '$1 == "run" { print $2 }' "$truth"); do
		record=$CORPUS/$workload-$run.dtr
		expect_ok damo-timeline -i "$record" --json
		awk -v run="$run" '$1 == "buffer" && $2 == run { print $4, $5 }' "$truth" >buffers
		node -e '
const fs = require("fs");
const h = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).heatmap;
const bufs = fs.readFileSync(process.argv[2], "utf8").trim().split("\n").map((l) => l.split(" ").map(BigInt));
if (!h || h.choice !== "worked") throw new Error("heatmap: " + JSON.stringify(h));
let cells = 0;
for (const a of h.areas) {
	const s = BigInt(a.start), e = BigInt(a.end);
	let inside = 0n;
	for (const [bs, be] of bufs) {
		const lo = s > bs ? s : bs, hi = e < be ? e : be;
		if (hi > lo) inside += hi - lo;
	}
	cells += a.cells * Number(inside) / Number(e - s);
}
console.log(process.argv[3], (cells / h.cells).toFixed(3), h.areas.map((a) => a.name || "?").join(","));
' "$TEST_TMP/out" buffers "$workload-$run" >>"$shares"
	done
done
cat "$shares"
[ "$(wc -l <"$shares")" -ge 24 ] || fail "expected at least 24 corpus records"
awk '$2 < 0.25 { bad = bad " " $1 " (" $2 ")" } END { if (bad != "") { print "buffers get less than a quarter of the axis:" bad; exit 1 } }' \
	"$shares" || fail "framing"

# damo-heatmap: images framed the same way (a PNG made), the raw text
# still the guide's hottest area, as damo draws it.
record=$CORPUS/contiguous-1.dtr
expect_ok damo-heatmap -i "$record" framed.png
[ "$(head -c 4 framed.png | tail -c 3)" = PNG ] || fail "framed.png is not a PNG"
expect_ok damo-heatmap -i "$record" --output raw --abs_addr --resol 4 4
default_raw=$(head -n 1 out | cut -f2)
expect_ok damo-heatmap -i "$record" --output raw --abs_addr --resol 4 4 --draw_range hottest
[ "$(head -n 1 out | cut -f2)" = "$default_raw" ] || fail "raw output left the hottest area"
expect_ok damo-heatmap -i "$record" --output raw --abs_addr --resol 4 4 --draw_range worked
[ "$(head -n 1 out | cut -f2)" != "$default_raw" ] || fail "--draw_range worked drew the hottest area"
expect_ok damo-heatmap -i "$record" --draw_range hottest hottest.png
