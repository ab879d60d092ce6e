#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-wss draws the WSS over time and the percentile curve (cairo) and
# prints the time series as CSV.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

png_size() {
	python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n", "not a PNG"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1"
}

expect_ok damo-wss -i "$F/vm/damon-vm.data" --sortby time --plot wss.png
[ "$(png_size wss.png)" = 1440x840 ] || fail "wss.png is $(png_size wss.png)"
expect_ok damo-wss -i "$F/vm/damon-vm.data" --plot pct.svg
expect_grep '<svg' pct.svg
expect_ok damo-wss -i "$F/damon.data" --sortby time --plot wss.pdf
pdftoppm -png -r 36 -singlefile wss.pdf page
[ "$(png_size page.png)" = 360x210 ] || fail "rendered PDF is $(png_size page.png)"
# the page is not blank: the curve and the axes are drawn
python3 - page.png <<'PY' || fail "the rendered PDF page is blank"
import sys, zlib, struct
d = open(sys.argv[1], 'rb').read()
pos, idat, w, h, ct = 8, b'', 0, 0, 0
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos+8]); c = d[pos+8:pos+8+n]; pos += 12 + n
    if t == b'IHDR': w, h, bd, ct = struct.unpack('>IIBB', c[:10])
    elif t == b'IDAT': idat += c
raw = zlib.decompress(idat)
bpp = {2: 3, 6: 4, 0: 1}[ct]
dark = sum(1 for b in raw if b < 128)
sys.exit(0 if dark > 500 else 1)
PY

# no gnuplot backend (docs/DAMO.md, "The gnuplot backend"): cairo draws
expect_status 2 damo-wss -i "$F/vm/damon-vm.data" --sortby time --plot g.png --gnuplot
expect_grep "unrecognized option '--gnuplot'" err
[ ! -e g.png ] || fail "an image appeared for a refused command line"

# CSV: one line per (merged) snapshot: target, start and end in s, bytes
expect_ok damo-wss -i "$F/vm/damon-vm.data" --csv
expect_grep '^target_id,start_s,end_s,wss_bytes$' out
[ "$(wc -l < out)" = 35 ] || fail "expected a header and 34 rows"
# times from the record's time zero (its first snapshot's start): the 20
# snapshots --exclude_samples drops by default do not move it (issue 15)
expect_grep '^0,2\.207705284,2\.319877284,50266112$' out
expect_ok damo-wss -i "$F/vm/damon-vm.data" --csv --exclude_samples 0
expect_grep '^0,0\.000000000,0\.111248284,0$' out
expect_grep '^0,2\.207705284,2\.319877284,50266112$' out
awk -F, 'NR > 1 && $3 < $2 { exit 1 }' out || fail "a row ends before it starts"

# a plot that cannot be written: one line naming it
expect_status 1 damo-wss -i "$F/vm/damon-vm.data" --plot no/such/dir/w.png
expect_grep 'no/such/dir/w\.png' err
