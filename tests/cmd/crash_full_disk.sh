#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A full disk for the writers other than the recorder (whose full-disk test
# is record_full_disk.sh): damo-synth and damo-convert write into a 256 KiB
# tmpfs mounted in a private mount namespace.  Each fails with one line
# naming the file and ENOSPC, exit 1; a failed file output is removed (the
# space comes back) and an earlier output of the same name is kept; a
# record written to standard output keeps what reached the disk, readable
# as a record that was not closed cleanly.
if [ "${DT_FULL_DISK_NS:-}" != 1 ]; then
	command -v unshare >/dev/null || { echo "FAIL: unshare is missing" >&2; exit 1; }
	DT_FULL_DISK_NS=1 exec unshare -m bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"
mount --make-rprivate / || fail "mount --make-rprivate /"
mkdir small
mount -t tmpfs -o size=256k none small || fail "cannot mount a tmpfs"
trap 'umount small 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
[ "$(findmnt -n -o FSTYPE --target small)" = tmpfs ] || fail "small is not the private tmpfs"

free_kb() { df -k --output=avail small | tail -n 1 | tr -d ' '; }

# a record that fits, written first: it must stay readable whatever follows
expect_ok damo-synth -o small/kept.dtr --snapshots 20 --regions 20
expect_ok damo-info small/kept.dtr
cp out kept.info
empty=$(free_kb)

# enospc FILE CMD...: exit 1 and one error line naming FILE and the cause
# (STDOUT_TO=PATH: standard output goes there)
enospc() {
	local file=$1 got=0
	shift
	within 60 "$@" >"${STDOUT_TO:-$TEST_TMP/out}" 2>"$TEST_TMP/err" || got=$?
	[ "$got" = 1 ] || { cat "$TEST_TMP/err" >&2; fail "'$*' exited $got, expected 1"; }
	[ "$(wc -l <"$TEST_TMP/err")" = 1 ] || { cat "$TEST_TMP/err" >&2; fail "'$*': expected one error line"; }
	expect_grep "^${1##*/}: .*$file.*No space left on device" err
}

enospc 'small/big\.dtr' damo-synth -o small/big.dtr --snapshots 20000
[ ! -e small/big.dtr ] || fail "damo-synth left its half-written record on the full disk"
[ "$(free_kb)" = "$empty" ] || fail "the failed record's space was not given back"

expect_ok damo-synth -o source.dtr --snapshots 3000
enospc 'small/out\.dtr' damo-convert source.dtr -o small/out.dtr
enospc 'small/out\.csv' damo-convert source.dtr -o small/out.csv
enospc 'small/out\.json' damo-convert source.dtr --to json -o small/out.json
[ -z "$(ls small | grep -v '^kept\.dtr$')" ] || fail "left on the full disk: $(ls small)"

# an existing output survives a conversion that does not fit
expect_ok damo-synth -o small/out.dtr --snapshots 10 --regions 10
cp small/out.dtr before.dtr
enospc 'small/out\.dtr' damo-convert source.dtr -o small/out.dtr
expect_same_file before.dtr small/out.dtr
rm small/out.dtr

# standard output on the full disk: what was written stays a readable record
STDOUT_TO=small/piped.dtr enospc 'stdout' damo-synth -o - --snapshots 20000
[ -s small/piped.dtr ] || fail "nothing of the piped record reached the disk"
expect_ok damo-info small/piped.dtr
expect_grep "^closed cleanly: no \(no end marker\); recovered $(stat -c %s small/piped.dtr) bytes" out
expect_grep '^snapshots: [1-9]' out
expect_ok damo-info --verify small/piped.dtr
expect_grep 'not closed cleanly' out
rm small/piped.dtr
STDOUT_TO=small/piped2.dtr enospc 'stdout' damo-convert source.dtr --to dtr -o -
expect_ok damo-info small/piped2.dtr
expect_grep '^closed cleanly: no' out

# and the record written before all this is as it was
expect_ok damo-info small/kept.dtr
expect_same_file kept.info out
echo "crash_full_disk: ok"
