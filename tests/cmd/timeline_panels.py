# SPDX-License-Identifier: GPL-2.0-only
# Reads a PNG (8-bit RGB or RGBA, as cairo and pdftoppm write them) and
# prints what damo-timeline's tests check, as JSON:
#   python3 timeline_panels.py FILE.png [X,Y ...]
# {"width", "height", "panels": [{"top", "bottom", "left", "right", "ink",
#  "warm", "viridis", "orange_px"}], "pixels": [[r, g, b], ...]}
# Panels are found by their frames: rows that are mostly dark pixels are
# frame edges; consecutive pairs of them bound a panel.  ink: percent of
# non-white pixels inside; warm: percent of flame-chart colours (red high,
# blue low); viridis: percent of saturated colours with more blue than red
# (viridis but its yellow end; the phase shades are too pale to count);
# orange_px: pixels of the RSS line's orange (DT_COLOR_ORANGE, 255,128,13).
import json
import struct
import sys
import zlib


def read_png(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise SystemExit('%s: not a PNG' % path)
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', chunk[:10])
        elif kind == b'IDAT':
            idat += chunk
    if depth != 8 or ctype not in (2, 6):
        raise SystemExit('%s: unexpected PNG type' % path)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    rows, prev, i = [], bytearray(w * bpp), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + w * bpp])
        i += 1 + w * bpp
        for x in range(len(line)):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def main():
    w, h, rows = read_png(sys.argv[1])
    # frame lines: dark grey or black (anti-aliased), never a colour map's dark end
    dark = lambda p: max(p) < 130 and max(p) - min(p) < 30
    edges = []
    for y in range(h):
        run = best = start = best_start = 0
        for x in range(w):
            if dark(rows[y][x]):
                if run == 0:
                    start = x
                run += 1
                if run > best:
                    best, best_start = run, start
            else:
                run = 0
        if best > w // 2:
            if edges and y - edges[-1][0] <= 3:
                continue  # the same edge, a few pixels thick
            edges.append((y, best_start, best_start + best))
    panels = []
    for k in range(0, len(edges) - 1, 2):
        (top, left, right), (bottom, _, _) = edges[k], edges[k + 1]
        n = ink = warm = viridis = orange = 0
        for y in range(top + 4, bottom - 3):
            for x in range(left + 4, right - 3):
                r, g, b = rows[y][x]
                n += 1
                ink += (r, g, b) != (255, 255, 255)
                warm += r > 200 and b < 140 and g > 60
                viridis += b > r and max(r, g, b) - min(r, g, b) > 40
                orange += r > 235 and 100 < g < 155 and b < 60
        panels.append({'top': top, 'bottom': bottom, 'left': left, 'right': right,
                       'ink': 100 * ink // max(n, 1), 'warm': 100 * warm // max(n, 1),
                       'viridis': 100 * viridis // max(n, 1), 'orange_px': orange})
    pixels = []
    for arg in sys.argv[2:]:
        x, y = (int(v) for v in arg.split(','))
        pixels.append(list(rows[y][x]))
    print(json.dumps({'width': w, 'height': h, 'panels': panels, 'pixels': pixels}))


main()
