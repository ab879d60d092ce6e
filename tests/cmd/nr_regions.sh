#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-info --nr-regions prints what `damo report nr_regions` prints.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

expect_ok damo-info --nr-regions -r 1 101 1 "$F/damon.data"
expect_same_file "$F/expects/report-nr_regions" out
# the same record in every other form it comes in
expect_ok damo-info --nr-regions --range 1 101 1 "$F/damon.data.binary_v2"
expect_grep '^# avr:	18$' out
expect_ok damo-convert "$F/damon.data" -o damon.dtr
expect_ok damo-info --nr-regions -r 1 101 1
expect_same_file "$F/expects/report-nr_regions" out
# damo's default percentiles
expect_ok damo-info --nr-regions "$F/vm/damon-vm.data"
printf '%s\n' '# <percentile> <# regions>' '# target_id	0' '# avr:	15' \
	'0	14' '25	14' '50	14' '75	15' '100	24' > want
expect_same_file want out
expect_status 2 damo-info --nr-regions -r 1 101 "$F/damon.data"
expect_status 2 damo-info --nr-regions -r 1 101 0 "$F/damon.data"
