# SPDX-License-Identifier: GPL-2.0-only
# damo-info reads damo's own records too (format detected by content).
source "$(dirname "$0")/lib.sh"

[ -r "$DAMO_FIXTURES/damon.data" ] || fail "damo fixtures missing at $DAMO_FIXTURES"
cp "$DAMO_FIXTURES/damon.data" record.bin
expect_ok damo-info record.bin
expect_grep '^format: damo-json-compressed$' out
# 543 snapshots holding 9773 regions (counted from the JSON itself)
expect_grep '^snapshots: 543$' out
expect_grep '^regions: 9773$' out
expect_no_grep '^closed cleanly' out
expect_ok damo-info --json record.bin
expect_grep '"format":"damo-json-compressed".*"snapshots":543,"regions":9773' out

# damo's legacy binary record of the same recording: same counts, no age.
expect_ok damo-info "$DAMO_FIXTURES/damon.data.binary_v2"
expect_grep '^format: damo-binary$' out
expect_grep '^snapshots: 543$' out
expect_grep '^regions: 9773$' out
# damo's record from a real DAMON kernel, with intervals.
expect_ok damo-info "$DAMO_FIXTURES/vm/damon-vm.data"
expect_grep '^snapshots: 54$' out
expect_grep '^regions: 792$' out
expect_grep '^intervals: .* sample 5000 us, aggr 100000 us, update 1000000 us$' out
