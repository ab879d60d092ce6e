#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The same situation gets the same words from every command (issue 16,
# item 20): an empty file, a directory, a JSON token too long (at the
# token's own offset), a record on standard input, a TMPDIR too long; and
# damo-info(1)'s example of a record on standard input works.
source "$(dirname "$0")/lib.sh"

damo-synth --snapshots 10 --regions 8 --stacks -o rec.dtr
: >empty.dtr
mkdir dir.dtr

# "empty input", also from --verify (it said "no .dtr magic")
for argv in "damo-info empty.dtr" "damo-info --verify empty.dtr" "damo-wss -i empty.dtr" \
	"damo-stacks -i empty.dtr" "damo-convert empty.dtr -o e.json"; do
	expect_status 1 $argv
	expect_grep "^${argv%% *}: empty\.dtr: empty input$" err
done
# a cut header is not "no magic"
head -c 4 rec.dtr >cut.dtr
expect_status 1 damo-info --verify cut.dtr
expect_grep '^damo-info: cut\.dtr: truncated at offset 4: the header needs 16 bytes$' err

# "is a directory", also where damo-stacks reads perf script text (it
# said "read: Is a directory")
for argv in "damo-info dir.dtr" "damo-info --verify dir.dtr" "damo-timeline -i dir.dtr" "damo-stacks dir.dtr" \
	"damo-stacks --perf-script dir.dtr -i rec.dtr" "damo-timeline -i rec.dtr --perf-script dir.dtr"; do
	expect_status 1 $argv
	expect_grep "^${argv%% *}: dir\.dtr: is a directory$" err
done

# a JSON token over the limit is reported where it starts (the quote at
# offset 23), not where the reader gave up
{ printf '[{"target_id": 0, "c": "'; head -c 16777300 /dev/zero | tr '\0' a; printf '"}]'; } >long.json
expect_status 1 damo-info long.json
expect_grep '^damo-info: long\.json: JSON offset 23: token longer than 16777216 bytes$' err

# a record on standard input is detected as one (not taken for perf script)
expect_ok damo-stacks -f folded - <rec.dtr
expect_grep '^\[phase 1 ' out
# damo-info(1)'s example
sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$DT_SRC/docs/man/damo-info.1" >examples
expect_grep '^damo-synth \\-o \\- \| damo-info \\-' examples
damo-synth --snapshots 5 --regions 4 -o - | damo-info - >out
expect_grep '^record: -$' out

# a TMPDIR too long for a path is named
long_tmp=/tmp/$(head -c 5000 /dev/zero | tr '\0' a)
expect_status 1 env TMPDIR="$long_tmp" damo-stacks -i rec.dtr --buffer-size 1 -o s.json
expect_grep 'TMPDIR is 5005 bytes' err
echo "messages_same_words: ok"
