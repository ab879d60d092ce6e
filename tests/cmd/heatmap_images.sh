#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-heatmap images: checked structurally (sizes; colours at known hot,
# cold and untouched cells; PDFs rendered with pdftoppm and not blank).
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

# png.py FILE size | png.py FILE pixel X Y | png.py FILE dark-fraction
cat > png.py <<'PY'
import struct, sys, zlib
def read(path):
    d = open(path, 'rb').read()
    assert d[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(d):
        n, t = struct.unpack('>I4s', d[pos:pos + 8]); c = d[pos + 8:pos + 8 + n]; pos += 12 + n
        if t == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', c[:10])
        elif t == b'IDAT': idat += c
    assert depth == 8 and ctype in (2, 6), 'unexpected PNG type'
    bpp = 3 if ctype == 2 else 4
    raw, rows, prev, i = zlib.decompress(idat), [], bytearray(w * bpp), 0
    for y in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + w * bpp]); i += 1 + w * bpp
        for x in range(len(line)):
            a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line); prev = line
    return w, h, bpp, rows
if sys.argv[2] == 'size':
    d = open(sys.argv[1], 'rb').read(24)
    assert d[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    print('%dx%d' % struct.unpack('>II', d[16:24]))
    sys.exit(0)
w, h, bpp, rows = read(sys.argv[1])
if sys.argv[2] == 'pixel':
    x, y = int(sys.argv[3]), int(sys.argv[4])
    print('%d,%d,%d' % tuple(rows[y][x * bpp:x * bpp + 3]))
elif sys.argv[2] == 'dark-fraction':
    dark = sum(1 for r in rows for x in range(w) if sum(r[x * bpp:x * bpp + 3]) < 600)
    print('%d' % (100 * dark // (w * h)))
PY
png() { python3 png.py "$@"; }
close() { # close R,G,B R,G,B: within 2 per channel
	python3 -c 'import sys; a=[int(v) for v in sys.argv[1].split(",")]; b=[int(v) for v in sys.argv[2].split(",")]; sys.exit(0 if all(abs(x-y)<=2 for x,y in zip(a,b)) else 1)' "$1" "$2" ||
		fail "colour $1, expected $2${3:+ ($3)}"
}

# --pixels: one pixel per cell; time left to right, highest address on top
# (of damo's hottest area, which images draw when asked; by default they
# frame the memory the program worked on, heatmap_framing.sh)
expect_ok damo-heatmap -i "$F/damon.data" raw
cp out raw.txt
expect_ok damo-heatmap -i "$F/damon.data" --draw_range hottest --pixels px.png
[ "$(png px.png size)" = 500x500 ] || fail "px.png is $(png px.png size)"
read -r hot_i hot_j cold_i cold_j nan_i nan_j < <(awk '
	{ i = int((NR - 1) / 500); j = (NR - 1) % 500 }
	$3 == "NaN" { if (ni == "") { ni = i; nj = j } next }
	hmax == "" || $3 + 0 > hmax { hmax = $3 + 0; hi = i; hj = j }
	$3 == "0.0" && ci == "" { ci = i; cj = j }
	END { print hi, hj, ci, cj, ni, nj }' raw.txt)
close "$(png px.png pixel "$hot_i" $((499 - hot_j)))" 253,231,37 "hottest cell: viridis top"
close "$(png px.png pixel "$cold_i" $((499 - cold_j)))" 68,1,84 "0.0 cell: viridis bottom"
close "$(png px.png pixel "$nan_i" $((499 - nan_j)))" 255,255,255 "untouched cell: white"
expect_ok damo-heatmap -i "$F/damon.data" --pixels gray.png --colormap gray --resol 100 50
[ "$(png gray.png size)" = 100x50 ] || fail "gray.png is $(png gray.png size)"

# a full picture: axes, colour bar, title; 760x520 points at 2 pixels each
expect_ok damo-heatmap -i "$F/vm/damon-vm.data" freq.png
[ "$(png freq.png size)" = 1520x1040 ] || fail "freq.png is $(png freq.png size)"

# PDF, rendered back to pixels
expect_ok damo-heatmap -i "$F/vm/damon-vm.data" freq.pdf
pdftoppm -png -r 36 -singlefile freq.pdf page
[ "$(png page.png size)" = 380x260 ] || fail "the PDF page is $(png page.png size)"
[ "$(png page.png dark-fraction)" -ge 40 ] || fail "the PDF page is mostly blank"

expect_ok damo-heatmap -i "$F/vm/damon-vm.data" --heatmap freq.svg --colormap magma --scale log
expect_grep '<svg' freq.svg
expect_grep '<image' freq.svg

# --draw_range all: one image per area, numbered as damo numbers them
expect_ok damo-heatmap -i "$F/vm/damon-vm.data" --draw_range all --resol 100 100 area.png
for f in area.png area.1.png area.2.png; do
	[ "$(png "$f" size)" = 1520x1040 ] || fail "$f missing or wrong size"
done
# --draw_range mapped: every area in one picture
expect_ok damo-heatmap -i "$F/vm/damon-vm.data" --draw_range mapped mapped.png
[ "$(png mapped.png size)" = 1520x1040 ] || fail "mapped.png is $(png mapped.png size)"
expect_ok damo-synth -o synth.dtr --snapshots 50 --regions 100
expect_ok damo-heatmap -i synth.dtr --draw_range mapped --pixels mapped-px.png --resol 50 120
[ "$(png mapped-px.png size)" = 50x120 ] || fail "mapped-px.png is $(png mapped-px.png size)"

# no gnuplot backend (docs/DAMO.md, "The gnuplot backend"): cairo draws
expect_status 2 damo-heatmap -i "$F/vm/damon-vm.data" --gnuplot g.png
expect_grep "unrecognized option '--gnuplot'" err

# an image that cannot be written
expect_error damo-heatmap -i "$F/vm/damon-vm.data" no/such/dir/x.png
expect_grep 'no/such/dir/x\.png' err
expect_status 1 damo-heatmap -i "$F/vm/damon-vm.data" --resol 40000 2 huge.png
expect_grep 'use --pixels' err
