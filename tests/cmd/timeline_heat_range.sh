#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-timeline's heatmap panel with --draw_range hottest shows the hottest
# area of the heatmap guide, the same one damo-heatmap draws by default
# (its default is the worked-on memory, heatmap_framing.sh): records of a
# process with a heap and, far above it, its stack, one or the other
# hotter per byte; also when the first snapshot covers what later becomes
# the gap between them (the heats then come from a pass of their own).
# --address_range and --draw_range mapped override the choice; the JSON
# report says what the panel shows.
source "$(dirname "$0")/lib.sh"

# damo json: 100 ms aggregations; the heap (8 MiB in 4 regions) and the
# stack (1 MiB in 2 regions) with the given nr_accesses; with "covered",
# the first snapshot has one more region, never accessed, spanning the gap
# between them (the guide finds the gap from the second snapshot on).
write_record() { # FILE HEAP_ACCESSES STACK_ACCESSES [covered]
	node - "$@" <<'EOF'
const fs = require('fs');
const [dst, heapN, stackN, covered] = process.argv.slice(2);
const MiB = 1048576n, heap = 0x555555554000n, stack = 0x7ffffff00000n;
const snapshots = [];
for (let i = 0n; i < 40n; i++) {
	const t = 1000000000n + i * 100000000n;
	const regions = [];
	for (let k = 0n; k < 4n; k++)
		regions.push({ start: heap + k * 2n * MiB, end: heap + (k + 1n) * 2n * MiB, n: +heapN });
	if (covered && i === 0n)
		regions.push({ start: heap + 8n * MiB, end: stack, n: 0 });
	for (let k = 0n; k < 2n; k++)
		regions.push({ start: stack + k * MiB / 2n, end: stack + (k + 1n) * MiB / 2n, n: +stackN });
	snapshots.push({ start_time: `${t}`, end_time: `${t + 100000000n}`, regions: regions.map((r) => ({
		start: `${r.start}`, end: `${r.end}`, nr_accesses: { samples: r.n }, age: { aggr_intervals: 1 } })) });
}
fs.writeFileSync(dst, JSON.stringify([{ kdamond_idx: 0, context_idx: 0, target_id: 0,
	intervals: { sample_us: '5000', aggr_us: '100000', ops_update_us: '1000000' }, snapshots }]));
EOF
}

# panel_range FILE [OPTIONS...]: "START END CHOICE" of damo-timeline's panel
panel_range() {
	local f=$1
	shift
	expect_ok damo-timeline -i "$f" --json "$@"
	node -e '
const h = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).heatmap;
if (!h) throw new Error("no heatmap");
if (BigInt(h.end) - BigInt(h.start) !== BigInt(h.bytes)) throw new Error("bytes");
console.log(BigInt(h.start).toString(), BigInt(h.end).toString(), h.choice);' "$TEST_TMP/out"
}

# heatmap_range FILE: "START END" of the guide area damo-heatmap draws
heatmap_range() {
	expect_ok damo-heatmap -i "$1" --guide
	cp out guide.txt
	expect_ok damo-heatmap -i "$1" --output raw --abs_addr --resol 10 10
	local first
	first=$(head -n 1 out | cut -f2)
	awk -v s="$first" '/^region/ { gsub(/[\[\),]/, " "); if ($3 == s) print $3, $4 }' guide.txt
}

heap_lo=$((0x555555554000)) heap_hi=$((0x555555554000 + 8 * 1048576))
stack_lo=$((0x7ffffff00000)) stack_hi=$((0x7ffffff00000 + 1048576))
for spec in "heap 10 2" "stack 1 30" "heap-covered 10 2 covered" "stack-covered 1 30 covered"; do
	read -r name heapN stackN covered <<<"$spec"
	write_record "$name.json" "$heapN" "$stackN" $covered
	read -r start end choice <<<"$(panel_range "$name.json" --draw_range hottest)"
	want=$(heatmap_range "$name.json")
	[ -n "$want" ] || fail "$name: damo-heatmap drew no guide area: $(cat guide.txt)"
	[ "$start $end" = "$want" ] || fail "$name: damo-timeline shows $start-$end, damo-heatmap $want"
	[ "$choice" = hottest ] || fail "$name: choice $choice"
	case $name in
	heap*) [ "$start $end" = "$heap_lo $heap_hi" ] || fail "$name: $start-$end is not the heap" ;;
	stack*) [ "$start $end" = "$stack_lo $stack_hi" ] || fail "$name: $start-$end is not the stack" ;;
	esac
done

# By default, the worked-on memory: here both areas, each accessed.
expect_ok damo-timeline -i heap.json --json
node -e '
const h = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).heatmap;
if (h.choice !== "worked" || h.areas.length !== 2 || h.areas[0].cells + h.areas[1].cells !== h.cells)
	throw new Error(JSON.stringify(h));' "$TEST_TMP/out" || fail "worked-on memory"

# The figure's panel title names the range drawn.
expect_ok damo-timeline -i stack.json -o stack.png
[ -s stack.png ] || fail "no stack.png"

# Overrides: an address range, every mapped area.
read -r start end choice <<<"$(panel_range heap.json --address_range 0x7ffffff00000 0x7ffffff80000)"
[ "$start $end $choice" = "$stack_lo $((stack_lo + 524288)) address_range" ] ||
	fail "--address_range: $start $end $choice"
expect_ok damo-timeline -i heap.json --json --draw_range mapped
node -e '
const h = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).heatmap;
if (h.choice !== "mapped" || h.areas.length !== 2) throw new Error(JSON.stringify(h));
if (BigInt(h.areas[0].start) !== 0x555555554000n || BigInt(h.areas[1].end) !== 0x7ffffff00000n + 1048576n)
	throw new Error(JSON.stringify(h.areas));' "$TEST_TMP/out" || fail "--draw_range mapped"

# No snapshots: no heatmap.
printf 'app 1/1 [000] 1.0: 1 cpu-clock: \n\t1 f+0x1 (/a)\n\n' >only.perf
expect_ok damo-timeline --perf-script only.perf --json
node -e 'if (JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).heatmap !== null) throw new Error("heatmap")' \
	"$TEST_TMP/out" || fail "a heatmap without snapshots"
