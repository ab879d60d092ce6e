#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-convert --help and its man page list the same options, and every
# output format --list-formats names is accepted by --to and documented.
source "$(dirname "$0")/lib.sh"
MAN=$DT_SRC/docs/man/damo-convert.1

expect_ok damo-convert --help
grep -oE -- '--[a-z_-]+' out | sort -u > help-options
# roff escapes dashes as \-
sed 's/\\-/-/g' "$MAN" | grep -oE -- '--[a-z_-]+' | sort -u > man-options
comm -23 help-options man-options > missing
[ ! -s missing ] || fail "options in --help but not in the man page: $(tr '\n' ' ' < missing)"
# the man page may add the accepted alias and the damo wss options it cites
comm -13 help-options man-options | grep -vE -- '^--(perf-path|acc_thres|sz_thres)$' > extra || true
[ ! -s extra ] || fail "options in the man page but not in --help: $(tr '\n' ' ' < extra)"

expect_ok damo-convert --list-formats
awk 'NF && !/^Inputs/ && !/^perf-script/ {print $1}' out | head -n 7 > formats
[ "$(wc -l < formats)" -eq 7 ] || fail "expected 7 output formats"
echo '[]' > empty.json
while read -r f; do
	grep -q -- "$f" "$MAN" || fail "format $f is not in the man page"
	expect_ok damo-convert empty.json --to "$f" -o "out.$f"
done < formats
# an input without snapshots gives an empty but valid output
[ "$(cat out.json)" = "[]" ] || fail "empty json output is not []"
[ "$(cat out.csv)" = "time_ns,kdamond,context,target,start,end,nr_accesses,age" ] ||
	fail "empty csv output lacks its header"
expect_status 2 damo-convert --no-such-option
