#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Recording into a full file system: one clear ENOSPC error, DAMON stopped
# and removed, and what was written stays readable.  Private mount
# namespace, fake kernel, a tiny tmpfs for the record.
source "$(dirname "$0")/../fakes/ns.bash"
source "$(dirname "$0")/lib.sh"
trap 'stop_fake_kernel; umount "$TEST_TMP/small" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

fake_tree
fake_kernel
mkdir small
mount -t tmpfs -o size=64k none small || fail "cannot mount a small tmpfs"
# Leave one page free: the header and first chunks fit, then not.
dd if=/dev/zero of=small/fill bs=4k count=15 2>/dev/null || true
expect_status 1 damo-record --source tried-regions -s 1ms -a 2ms --timeout 60 -o small/rec.dtr \
	-r 4096-8192,8192-12288,12288-16384,16384-20480,20480-24576,24576-28672,28672-32768,32768-36864 \
	paddr
expect_grep 'small/rec.dtr.*No space left on device; DAMON was stopped and small/rec.dtr is readable up to its last complete chunk' err
[ "$(wc -l <err)" = 1 ] || fail "more than one error line"
[ "$(cat $DAMON_SYSFS/admin/kdamonds/0/state)" = off ] || fail "DAMON left on"
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "kdamond not removed"
expect_ok damo-info --salvage small/rec.dtr
expect_grep '^closed cleanly: no' out
expect_grep '^meta: source = tried-regions' out
