#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-access against damo 3.3's `report access` (tests/data/damo33): the
# default report with its snapshot heatmaps, templates, sorting, filters
# and --total_sz_only, byte for byte (colour with --color always, as damo
# writes it; damo's pager leaves long outputs without a final newline,
# damo-access always ends with one).
source "$(dirname "$0")/lib.sh"
source "$DT_SRC/tests/cmd/lib_damo33.bash"

# access NAME ARGS...: damo-access ARGS prints damo's output of NAME
access() {
	local name=$1
	shift
	damo33_expected "$name"
	[ -z "$(tail -c 1 expected)" ] || echo >> expected
	expect_ok damo-access --color always "$@"
	cmp -s expected out || { diff -u expected out | head -n 20 >&2; fail "$name differs"; }
}

for n in vm:damon-vm synth1:synth1 synth2t:synth2t synth3:synth3; do
	access "access-${n%%:*}-default" -i "${n#*:}.data"
done
access access-vm-raw_number -i damon-vm.data --raw_number
access access-vm-input_file --input_file damon-vm.data
access access-vm-style-detailed -i damon-vm.data --style detailed
REGION='<index> <start address> <end address> <size> <access rate> <access hz> <age> <temperature> <filters passed bytes> <probe hits>'
SNAPSHOT='<start time> <end time> <abs start time> <abs end time> <duration> <number of regions> <total bytes> <positive access samples ratio> <estimated memory bandwidth> <intervals tuning status> <snapshot intervals> <filters passed bytes> <filters passed type>'
access access-vm-format-region -i damon-vm.data --format set region "$REGION"
access access-vm-format-region-raw_number -i damon-vm.data --raw_number --format set region "$REGION"
access access-vm-format-snapshot -i damon-vm.data --format set snapshot_head "$SNAPSHOT" \
	--format set region '' --format set snapshot_tail ''
access access-vm-format-snapshot-raw_number -i damon-vm.data --raw_number \
	--format set snapshot_head "$SNAPSHOT" --format set region '' --format set snapshot_tail ''
access access-synth2t-format-record -i synth2t.data --format set record_head \
	'<kdamond index> <context index> <scheme index> <target id> <abs start time> <duration> <intervals> <data source>' \
	--format set snapshot_head '' --format set region '' --format set snapshot_tail '' \
	--format set record_tail 'tail <target id>'
access access-vm-format-append -i damon-vm.data --format append region ' temp <temperature>' \
	--format append snapshot_tail '\nregions: <number of regions>'
access access-vm-format-strings -i damon-vm.data --format set record_tail '<format strings>' \
	--format set snapshot_head '' --format set region '' --format set snapshot_tail ''
access access-vm-format_region-legacy -i damon-vm.data --format_region \
	'<start address> <end address> <access rate>'
access access-vm-min_chars_for -i damon-vm.data --min_chars_for '<size>' 20 \
	--format set region '[<size>] [<age>]'
access access-vm-sort-size-dsc -i damon-vm.data --sort_regions_by size --sort_regions_dsc size
access access-vm-sort-temperature-weights -i damon-vm.data --sort_regions_by temperature \
	--temperature_weights 1 100 100 --format set region \
	'<index> <start address> <size> <access rate> <age> <temperature>'
access access-vm-heatmap-static-40 -i damon-vm.data --snapshot_heatmap_static \
	--snapshot_heatmap_width 40 --snapshot_heatmap_colorset flame
# filters
access access-vm-sz_region -i damon-vm.data --sz_region 1M 100M
access access-vm-access_rate -i damon-vm.data --access_rate 10 max
access access-vm-age -i damon-vm.data --age 1s max
access access-vm-age-plain -i damon-vm.data --age 0 0.5
access access-vm-address -i damon-vm.data --address 4M 100MiB
access access-vm-address-two -i damon-vm.data --address 0 32M --address 127T 128T --snapshot_idx 0 2
access access-vm-sz_snapshot -i damon-vm.data --sz_snapshot 0 900M --total_sz_only
access access-vm-snapshot_time -i damon-vm.data --snapshot_time 5s 6s
access access-vm-snapshot_time-ns -i damon-vm.data --snapshot_time 5000000000 5500000000
access access-vm-snapshot_idx -i damon-vm.data --snapshot_idx 0 1 --snapshot_idx 50 51
access access-vm-temperature -i damon-vm.data --temperature 0 100000000
access access-synth3-filters -i synth3.data --access_rate 1 max --sz_region 4K max --snapshot_idx 100 101
access access-vm-total_sz_only -i damon-vm.data --total_sz_only
access access-vm-total_sz_only-raw_number -i damon-vm.data --total_sz_only --raw_number
access access-synth2t-total_sz_only -i synth2t.data --total_sz_only
access access-vm-synth1-two-inputs -i damon-vm.data -i synth1.data --total_sz_only

# damo's styles: distributions, then region boxes
for st in simple-boxes temperature-sz-hist recency-sz-hist cold-memory-tail recency-percentiles \
	idle-time-percentiles temperature-percentiles cold hot; do
	access "access-vm-style-$st" -i damon-vm.data --style "$st"
done
for st in simple-boxes temperature-sz-hist recency-sz-hist recency-percentiles \
	temperature-percentiles hot; do
	access "access-synth2t-style-$st" -i synth2t.data --style "$st"
done
access access-synth3-style-recency-percentiles -i synth3.data --style recency-percentiles
access access-synth3-style-temperature-sz-hist -i synth3.data --style temperature-sz-hist
access access-vm-style-recency-percentiles-raw_number -i damon-vm.data \
	--style recency-percentiles --raw_number
access access-vm-style-temperature-sz-hist-raw_number -i damon-vm.data \
	--style temperature-sz-hist --raw_number
access access-vm-percentiles_range-3 -i damon-vm.data --style recency-percentiles \
	--percentiles_range 0 101 10
access access-vm-percentiles_range-list -i damon-vm.data --style temperature-percentiles \
	--percentiles_range 5 50 90 95 99
S3="-i synth3.data"
access access-synth3-percentiles_range-1 $S3 --style recency-percentiles --percentiles_range 5 \
	--snapshot_idx 50 50
access access-synth3-percentiles_range-2 $S3 --style temperature-percentiles \
	--percentiles_range 10 60 --snapshot_idx 50 50
access access-vm-hist_logscale -i damon-vm.data --style recency-sz-hist --hist_logscale
access access-vm-hist_cumulate -i damon-vm.data --style recency-sz-hist --hist_cumulate
access access-vm-hist_ranges -i damon-vm.data --style recency-sz-hist \
	--hist_ranges 0 500ms 500ms 2s 2s 10s
access access-synth3-hist_ranges-temperature $S3 --style temperature-sz-hist \
	--hist_ranges -100000000 0 0 100000000 --snapshot_idx 50 51
access access-synth3-hist_logscale-cumulate $S3 --style temperature-sz-hist --hist_logscale \
	--hist_cumulate --snapshot_idx 60 61
access access-synth3-hist_logscale-recency $S3 --style recency-sz-hist --hist_logscale \
	--snapshot_idx 60 61
access access-synth3-style-cold $S3 --style cold --snapshot_idx 100 101
access access-synth3-style-cold-dsc $S3 --style cold --sort_regions_dsc temperature \
	--snapshot_idx 100 100
access access-synth3-style-hot $S3 --style hot --snapshot_idx 30 30
access access-synth3-style-simple-boxes $S3 --style simple-boxes --snapshot_idx 60 61
access access-vm-region_box -i damon-vm.data --region_box
access access-synth3-region_box-options $S3 --region_box \
	--region_box_values size age access_rate --region_box_scales linear log linear \
	--region_box_min_max_length 2 20 --region_box_min_max_height 1 3 \
	--region_box_colorset flame --region_box_align right --snapshot_idx 100 101
access access-synth3-region_box-raw_number $S3 --region_box --raw_number --snapshot_idx 5 5
# boxes without a terminal: the same digits, no colour codes
damo33_expected access-synth3-style-hot
[ -z "$(tail -c 1 expected)" ] || echo >> expected
expect_ok damo-access $S3 --style hot --snapshot_idx 30 30
expect_grep '|[0-9]*|' out
sed 's/\x1b\[[0-9;]*m//g' expected | cmp -s - out || fail "--style hot into a pipe"
# damo lists none as a box value and fails on it; damotrace refuses it
expect_status 2 damo-access --region_box_values age none none
expect_status 2 damo-access --style warm
expect_status 2 damo-access --style temperature-sz-hist --hist_ranges 0 1s

# --json and --raw_form: damo's dumps of the records, filters applied, also
# of records without intervals (percent and usec then null)
access access-vm-json -i damon-vm.data --json
access access-vm-json-raw_number -i damon-vm.data --json --raw_number
access access-synth2t-json -i synth2t.data --json
access access-damon-json -i damon.data --json
access access-synth1-json-snapshot_idx -i synth1.data --json --snapshot_idx 10 11
access access-synth2t-raw_form -i synth2t.data --raw_form
access access-vm-raw_form-raw_number -i damon-vm.data --raw_form --raw_number
# perf script: damo holds the first snapshot's estimated start in floats
# ("262.031 ns"); damotrace keeps whole nanoseconds (damo's value truncated)
damo33_expected access-perf-json
echo >> expected
expect_ok damo-access -i perf.data.script --json
sed -E '11s/^( *"start_time": ".* [0-9]+)\.[0-9]+ ns",$/\1 ns",/' expected > expected.ns
cmp -s expected expected.ns && fail "access-perf-json: no fractional start to truncate"
cmp -s expected.ns out || { diff expected.ns out | head >&2; fail "access-perf-json differs"; }

# records without intervals are refused, as damo refuses them
expect_status 1 damo-access -i damon.data
expect_grep 'lack the intervals' err
expect_status 1 damo-access -i perf.data.script
# no colour codes into a pipe unless asked
expect_ok damo-access -i damon-vm.data --snapshot_idx 0 0
expect_no_grep $'\x1b' out
expect_status 2 damo-access --format put region x
