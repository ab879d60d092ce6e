#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-timeline -o FILE.html: the interactive report next to the figure
# from one reading, its data sections, the same phase report on stdout,
# standard input refused (the report reads its inputs again), an unwritable
# path an error that leaves no file.  The page itself is tested in the
# browser (tests/browser/report_check.mjs, make check-browser).
source "$(dirname "$0")/lib.sh"

expect_ok damo-synth -o synth.dtr --seed 2 --snapshots 300 --regions 80 --stacks
expect_ok damo-timeline -i synth.dtr
cp out report.txt
expect_ok damo-timeline -i synth.dtr -o r.html -o r.png --title 'a <b> & "c"'
expect_same_file report.txt out
[ "$(head -c 15 r.html)" = '<!DOCTYPE html>' ] || fail "r.html does not start as HTML"
[ "$(head -c 4 r.png | tail -c 3)" = PNG ] || fail "r.png is not a PNG"
expect_grep '<title>a &lt;b&gt; &amp; &quot;c&quot;</title>' r.html
expect_grep '<script type="application/octet-stream" id="dt-meta" data-bytes="[0-9]+">' r.html
expect_grep 'id="dt-heat-0"' r.html
expect_grep 'id="dt-heat-1"' r.html
expect_no_grep '@@[A-Z]+@@' r.html
expect_no_grep '(src|href)="https?:' r.html
# upper-case extension, .htm
expect_ok damo-timeline -i synth.dtr -o R.HTM
expect_grep 'id="dt-meta"' R.HTM

expect_status 1 damo-timeline -i - -o s.html <synth.dtr
expect_grep 'standard input' err
[ ! -e s.html ] || fail "a refused report left s.html"
expect_status 1 damo-timeline -i synth.dtr -o no/such/dir/r.html
expect_grep 'no/such/dir/r.html' err
expect_status 2 damo-timeline -i synth.dtr -o r.txt
