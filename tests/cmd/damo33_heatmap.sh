#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-heatmap against damo 3.3's `report heatmap` (tests/data/damo33):
# the guide (with kdamond_idx/context_idx where damo prints them, and the
# perf script start damo holds in floats), --guide_human, the terminal
# heatmap and its captions (colour codes with --color always, as damo writes
# them), and the raw cells with damo's range spellings and options.
source "$(dirname "$0")/lib.sh"
source "$DT_SRC/tests/cmd/lib_damo33.bash"

for n in vm:damon-vm synth1:synth1 synth2t:synth2t synth3:synth3 perf:perf.data.script \
	damon:damon.data; do
	f=${n#*:}
	[ "$f" = perf.data.script ] || [ "$f" = damon.data ] || f=$f.data
	damo33_same "heatmap-${n%%:*}-guide" damo-heatmap -i "$f" --guide
	damo33_same "heatmap-${n%%:*}-guide_human" damo-heatmap -i "$f" --guide_human
done
damo33_same heatmap-synth1-repeated-i damo-heatmap -i synth1.data -i synth3.data --guide
# several files after one -i: every file's records, as damo reads them
damo33_same heatmap-synth1-synth3-inputs damo-heatmap -i synth1.data synth3.data --guide
damo33_heats heatmap-synth1-synth3-raw damo-heatmap -i synth1.data synth3.data --output raw \
	--resol 30 20
expect_ok damo-heatmap -i synth1.data synth3.data raw --resol 10 10 --tid 4003
mv out both
expect_ok damo-heatmap -i synth3.data raw --resol 10 10
cmp -s both out || fail "-i A B --tid (B's target) differs from -i B"
expect_ok damo-heatmap -i synth1.data synth3.data two.png
[ -s two.png ] || fail "an image OUT after the inputs is not drawn"
expect_status 1 damo-heatmap -i damon-vm.data damon.data --guide
expect_grep 'some records have intervals while some not' err
# damo's record_info is the guide: human numbers, or raw ones
for n in vm:damon-vm.data synth2t:synth2t.data damon:damon.data perf:perf.data.script; do
	damo33_same "record_info-${n%%:*}" damo-heatmap -i "${n#*:}" --guide_human
done
damo33_same record_info-synth2t-raw_numbers damo-heatmap -i synth2t.data --guide
damo33_same record_info-two-inputs damo-heatmap -i synth1.data synth2t.data --guide

# the terminal heatmap
for n in vm:damon-vm.data synth1:synth1.data synth2t:synth2t.data perf:perf.data.script \
	damon:damon.data; do
	damo33_same "heatmap-${n%%:*}-stdout" damo-heatmap -i "${n#*:}" --color always
done
damo33_same heatmap-vm-stdout-flame-resol damo-heatmap -i damon-vm.data --stdout_colorset flame \
	--resol 10 20 --color always
damo33_same heatmap-vm-stdout-skip_colorset damo-heatmap -i damon-vm.data --stdout_colorset emotion \
	--stdout_skip_colorset_example --color always
damo33_same heatmap-vm-stdout-draw_range-all damo-heatmap -i damon-vm.data --draw_range all \
	--resol 8 16 --color always
damo33_same heatmap-synth2t-stdout-tid damo-heatmap -i synth2t.data --tid 4019 --resol 10 20 \
	--color always
# without a terminal, no colour codes: the same digits
damo-heatmap -i damon-vm.data --stdout_colorset flame --resol 10 20 > plain
damo33_expected heatmap-vm-stdout-flame-resol
sed 's/\x1b\[[0-9;]*m//g' expected | cmp -s - plain || fail "--color auto into a pipe"

# raw cells: time ranges in damo's units, bases, floats; address suffixes
R="damo-heatmap -i damon-vm.data --output raw --resol 30 20"
damo33_heats heatmap-vm-raw-time_range-units $R --time_range 5s 7s
damo33_heats heatmap-vm-raw-time_range-float $R --time_range 5.5s 7250ms
damo33_heats heatmap-vm-raw-time_range-ns $R --time_range 5000000000 7000000000
damo33_heats heatmap-vm-raw-time_range-guided $R --time_range 1s 3s guided
damo33_heats heatmap-vm-raw-time_range-guided_end $R --time_range 0 1s guided_end
damo33_heats heatmap-vm-raw-time_range-base $R --time_range 1s 2s 4s
damo33_heats heatmap-vm-raw-time_range-compound $R --time_range '4 s 500 ms' 6s
damo33_heats heatmap-vm-raw-address_range-suffix $R --address_range 4M 100MiB
damo33_heats heatmap-vm-raw-address_range-guided $R --address_range 0 64M guided
damo33_heats heatmap-vm-raw-address_range-float $R --address_range 1.5M 0.25G
damo33_heats heatmap-vm-raw-address_range-two damo-heatmap -i damon-vm.data -o raw --resol 10 10 \
	--address_range 4M 36M --address_range 127.26T 127.27T
damo33_heats heatmap-vm-raw-time-address-guided damo-heatmap -i damon-vm.data -o raw --resol 3 3 \
	--time_range 1s 2s guided --address_range 0 1G guided
damo33_heats heatmap-vm-raw-abs damo-heatmap -i damon-vm.data raw --resol 20 10 --abs_time --abs_addr
damo33_heats heatmap-vm-raw-draw_range-all damo-heatmap -i damon-vm.data raw --resol 10 10 \
	--draw_range all
damo33_heats heatmap-vm-raw-sort_temperature $R --sort_temperature
damo33_heats heatmap-vm-raw-sort_temperature-weights $R --sort_temperature --temperature_weights 1 0
damo33_heats heatmap-vm-raw-df_passed $R --df_passed
damo33_heats heatmap-perf-raw-df_passed damo-heatmap -i perf.data.script raw --resol 3 3 --df_passed
damo33_heats heatmap-damon-raw-df_passed damo-heatmap -i damon.data raw --resol 3 3 --df_passed
damo33_heats heatmap-perf-raw damo-heatmap -i perf.data.script raw --resol 30 20
damo33_heats heatmap-synth1-raw damo-heatmap -i synth1.data raw
damo33_heats heatmap-synth2t-raw damo-heatmap -i synth2t.data raw --resol 40 30
damo33_heats heatmap-synth2t-raw-tid damo-heatmap -i synth2t.data raw --resol 20 10 \
	--kdamond_idx 0 --context_idx 0 --tid 4019

# refusals damo makes too
expect_status 2 damo-heatmap -i damon-vm.data --time_range 5s
expect_status 1 damo-heatmap -i synth2t.data --kdamond_idx 1
expect_grep 'no target of kdamond' err
expect_status 1 damo-heatmap -i damon-vm.data raw --address_range 0 1G guided --address_range 0 1G guided
expect_grep "'guided', but the guide has no area" err
