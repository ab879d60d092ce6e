#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-info --nr-regions against damo 3.3's `report nr_regions`
# (tests/data/damo33), byte for byte: the first 20 snapshots skipped,
# percentiles of the sorted numbers, or in time order with --sortby time.
source "$(dirname "$0")/lib.sh"
source "$DT_SRC/tests/cmd/lib_damo33.bash"

damo33_same nr_regions-vm-default damo-info --nr-regions -i damon-vm.data
damo33_same nr_regions-synth2t-default damo-info --nr-regions -i synth2t.data
damo33_same nr_regions-damon-default damo-info --nr-regions -i damon.data
damo33_same nr_regions-vm-range damo-info --nr-regions -i damon-vm.data --range 0 101 10
damo33_same nr_regions-synth3-sortby-time damo-info --nr-regions -i synth3.data --sortby time \
	--range 0 101 20
# size is the default order; time order differs on the VM record
expect_ok damo-info --nr-regions -i damon-vm.data --sortby size
mv out size
expect_ok damo-info --nr-regions -i damon-vm.data
cmp -s size out || fail "--sortby size is not the default"
expect_ok damo-info --nr-regions -i damon-vm.data --sortby time
cmp -s size out && fail "--sortby time made no difference on damon-vm.data"
expect_status 2 damo-info --sortby time synth3.data
expect_status 2 damo-info --nr-regions --sortby age synth3.data
