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
