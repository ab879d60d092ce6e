#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A hand-made damo record with known hot cells: every cell of the grid is
# checked, with ranges and resolution as damo's options set them.
source "$(dirname "$0")/lib.sh"

region() { # start end samples
	printf '{"start": "%s", "end": "%s", "nr_accesses": {"samples": %s, "percent": null}, "age": {"usec": null, "aggr_intervals": null}}' "$@"
}
cat > tiny.json <<JSON
[{"kdamond_idx": null, "context_idx": null, "intervals": null, "scheme_idx": null,
  "target_id": 42,
  "snapshots": [
    {"start_time": "1000000000", "end_time": "1100000000", "total_bytes": "4194304",
     "regions": [$(region 4194304 6291456 10), $(region 6291456 8388608 0)]},
    {"start_time": "1100000000", "end_time": "1200000000", "total_bytes": "4194304",
     "regions": [$(region 4194304 6291456 0), $(region 6291456 8388608 4)]}]}]
JSON

expect_ok damo-heatmap -i tiny.json --guide
printf 'target_id: 42\ntime: [1000000000, 1200000000) (200000000)\nregion\t 0: [4194304, 8388608) (4194304)\n' > want
expect_same_file want out

# first 100 ms: the low 2 MiB hot (10 samples), then the high 2 MiB (4)
expect_ok damo-heatmap -i tiny.json --resol 2 4 raw
printf '%s\n' "0	0	10.0" "0	1048576	10.0" "0	2097152	0.0" "0	3145728	0.0" \
	"100000000	0	0.0" "100000000	1048576	0.0" "100000000	2097152	4.0" \
	"100000000	3145728	4.0" > want
expect_same_file want out

# a window shifted by half a cell: each cell sees 50 ms of the 4 samples;
# the cells at the region's end are touched with nothing (0.0)
expect_ok damo-heatmap -i tiny.json --resol 2 2 --time_range 1050000000 1250000000 \
	--address_range 6291456 10485760 raw --abs_time --abs_addr
printf '%s\n' "1050000000	6291456	2.0" "1050000000	8388608	0.0" \
	"1150000000	6291456	2.0" "1150000000	8388608	0.0" > want
expect_same_file want out

# the terminal heatmap: two rows of four digits, hot first, and damo 3.3's
# captions; colour codes only with --color always (or on a terminal)
expect_ok damo-heatmap -i tiny.json --resol 2 4 --stdout_skip_colorset_example
printf '%s\n' "8800" "0033" "# x-axis: space [4.000000 MiB, 8.000000 MiB) (4.000 MiB)" \
	"# y-axis: time [1 s, 1.200 s) (200 ms)" \
	"# resolution: 4x2 (1024.000 KiB and 100 ms for each character)" > want
expect_same_file want out
expect_ok damo-heatmap -i tiny.json --resol 2 4 --color always
expect_grep $'^\x1b\\[48;5;232m\x1b\\[38;5;253m8' out
expect_grep '^# access_frequency: .*\(0\.000-10\.000 samples\)$' out
sed 's/\x1b\[[0-9;]*m//g' out | sed -n '1,2p' > plain
printf '%s\n' "8800" "0033" > want
expect_same_file want plain

# WSS of the same record: 2 MiB in each snapshot
expect_ok damo-wss -i tiny.json --exclude_samples 0 --all_wss --raw_number
expect_grep '^0 2097152$' out
expect_grep '^1 2097152$' out

# errors: a window smaller than the resolution, an unknown target
expect_error damo-heatmap -i tiny.json --resol 500 500 --time_range 0 100 raw
expect_grep 'time range' err
expect_error damo-heatmap -i tiny.json --tid 7 raw
expect_grep 'no target with id 7' err
expect_status 2 damo-heatmap -i tiny.json --resol 0 10
expect_status 2 damo-heatmap -i tiny.json --draw_range most
expect_status 2 damo-heatmap -i tiny.json out.gif
expect_status 2 damo-heatmap -i tiny.json --pixels out.pdf
expect_ok damo-heatmap --help
expect_grep 'draw_range' out

# two areas: the hottest per byte is drawn; an area too small for the
# resolution matters only when it is the one to draw
two_areas() { # samples of the 4 MiB area, of the 4 KiB area
	cat > two.json <<JSON
[{"kdamond_idx": null, "context_idx": null, "intervals": null, "scheme_idx": null, "target_id": 1,
  "snapshots": [
    {"start_time": "1000000000", "end_time": "1100000000", "regions": [$(region 4194304 8388608 "$1"), $(region 1073741824 1073745920 "$2")]},
    {"start_time": "1100000000", "end_time": "1200000000", "regions": [$(region 4194304 8388608 "$1"), $(region 1073741824 1073745920 "$2")]}]}]
JSON
}
two_areas 5 0
expect_ok damo-heatmap -i two.json --resol 2 8192 raw
[ "$(wc -l < out)" = 16384 ] || fail "expected the 4 MiB area in 2x8192 cells"
expect_grep '^0	0	5\.0$' out
two_areas 1 9
expect_ok damo-heatmap -i two.json --resol 2 4 raw
expect_grep '^0	3072	9\.0$' out
expect_ok damo-heatmap -i two.json --resol 2 4 raw --abs_addr
expect_grep '^0	1073744896	9\.0$' out
expect_status 1 damo-heatmap -i two.json --resol 2 8192 raw
expect_grep 'address range 1073741824-1073745920 is smaller than 8192 bytes' err
expect_ok damo-heatmap -i two.json --resol 2 4 --draw_range all raw
[ "$(wc -l < out)" = 16 ] || fail "--draw_range all: expected two grids of 8 cells"
