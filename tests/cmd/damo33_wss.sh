#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-wss against damo 3.3's `report wss` (tests/data/damo33), byte for
# byte; with several targets damo sorts each target's list before adding
# them up, unless --sortby time.
source "$(dirname "$0")/lib.sh"
source "$DT_SRC/tests/cmd/lib_damo33.bash"

damo33_same wss-vm-default damo-wss -i damon-vm.data
damo33_same wss-synth2t-default damo-wss -i synth2t.data
damo33_same wss-damon-default damo-wss -i damon.data
damo33_same wss-perf-default damo-wss -i perf.data.script
damo33_same wss-vm-sortby-time damo-wss -i damon-vm.data --sortby time
damo33_same wss-vm-range damo-wss -i damon-vm.data --range 0 101 10 --raw_number
damo33_same wss-vm-exclude_samples-0 damo-wss -i damon-vm.data --exclude_samples 0 --raw_number
damo33_same wss-vm-work_time damo-wss -i damon-vm.data --work_time 500000 --raw_number
damo33_same wss-vm-acc_thres-sz_thres damo-wss -i damon-vm.data --acc_thres 5 --sz_thres 4096 \
	--raw_number
damo33_same wss-vm-all_wss damo-wss -i damon-vm.data --all_wss
damo33_same wss-vm-nr_cols_bar damo-wss -i damon-vm.data --nr_cols_bar 20
damo33_same wss-synth2t-per_target damo-wss -i synth2t.data --per_target --raw_number
damo33_same wss-synth2t-collapse_targets damo-wss -i synth2t.data --collapse_targets --raw_number
damo33_same wss-synth2t-sortby-time-per_target damo-wss -i synth2t.data --sortby time \
	--per_target --exclude_samples 0 --all_wss --raw_number
damo33_same wss-synth3-work_time-sortby-time damo-wss -i synth3.data --work_time 200000 \
	--sortby time --range 0 101 20
