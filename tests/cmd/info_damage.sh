# SPDX-License-Identifier: GPL-2.0-only
# damo-info on damaged and unfinished records: clear errors naming the
# offset, --salvage shows what is left, --verify catches every bad byte.
source "$(dirname "$0")/lib.sh"

expect_ok damo-synth -o good.dtr --snapshots 400 --regions 200 --seed 5
size=$(stat -c %s good.dtr)

# A flipped bit in the middle: caught by the checksum, offset named.
cp good.dtr flipped.dtr
at=$((size / 2))
byte=$(od -An -tu1 -j "$at" -N1 good.dtr | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 16)))" | dd of=flipped.dtr bs=1 seek="$at" conv=notrunc status=none
cmp -s good.dtr flipped.dtr && fail "the byte was not changed"
expect_status 1 damo-info --verify flipped.dtr
expect_grep 'flipped\.dtr: .* at offset [0-9]+' err
offset=$(grep -Eo 'at offset [0-9]+' err | head -1 | grep -Eo '[0-9]+')
[ "$offset" -le "$at" ] || fail "damage reported at $offset, after the flipped byte $at"
# ... and where the damaged span ends: the next intact chunk.
expect_grep 'the next intact chunk starts at offset [0-9]+$' err
resume=$(grep -Eo 'next intact chunk starts at offset [0-9]+' err | grep -Eo '[0-9]+$')
[ "$resume" -gt "$at" ] || fail "the damaged span ends at $resume, before the flipped byte $at"
[ "$(tail -c +$((resume + 1)) good.dtr | head -c 4)" = DTCK ] || fail "no chunk at offset $resume"
[ "$((at - offset))" -lt $((2 * 1024 * 1024)) ] || fail "damage offset $offset is far from $at"
expect_status 1 damo-info flipped.dtr
expect_grep 'at offset' err
expect_grep 'salvage' err
expect_ok damo-info --salvage flipped.dtr
expect_grep "^closed cleanly: no; damaged at offset $offset, recovered [0-9]+ bytes" out
expect_ok damo-info --verify --json good.dtr
expect_grep '"ok":true' out
expect_status 1 damo-info --verify --json flipped.dtr
expect_grep "\"ok\":false.*\"damage_offset\":$offset" out

# Truncated in the middle of a chunk: fails, says how much is valid.
head -c $((size - 100)) good.dtr >cut.dtr
expect_status 1 damo-info cut.dtr
expect_grep 'cut\.dtr: truncated' err
expect_grep 'the first [0-9]+ bytes .* are valid' err
expect_ok damo-info --salvage cut.dtr
expect_grep '^closed cleanly: no; damaged at offset' out
expect_status 1 damo-info --verify cut.dtr

# A recording stopped between chunks (the writer was killed): readable,
# reported as not closed cleanly, not as damage.
expect_ok damo-info "$DT_SRC/tests/data/unclosed.dtr"
expect_grep '^closed cleanly: no \(no end marker\); recovered [0-9]+ bytes' out
expect_grep '^snapshots: 9$' out
expect_ok damo-info --verify "$DT_SRC/tests/data/unclosed.dtr"
expect_grep 'ok, .* not closed cleanly$' out

# A record from a future major version is refused by name.
cp good.dtr v2.dtr
node -e '
const fs = require("fs"), b = fs.readFileSync("v2.dtr");
let t = []; for (let i = 0; i < 256; i++) { let c = i; for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1; t.push(c >>> 0); }
b[8] = 2; b[10] = 0;
let c = 0xffffffff; for (let i = 0; i < 12; i++) c = t[(c ^ b[i]) & 0xff] ^ (c >>> 8);
b.writeUInt32LE((c ^ 0xffffffff) >>> 0, 12); fs.writeFileSync("v2.dtr", b);'
expect_status 1 damo-info v2.dtr
expect_grep 'v2\.dtr: record format version 2\.0 is not supported' err

# --salvage is suggested only where it works: damaged .dtr records, not a
# damo JSON or json_compressed recording cut short.
expect_ok damo-convert good.dtr -o good.json
head -c 3000 good.json >cut.json
expect_status 1 damo-info cut.json
expect_grep 'cut\.json: ' err
expect_no_grep 'salvage' err
expect_ok damo-convert good.dtr -t json_compressed -o good.data
head -c 500 good.data >cut.data
expect_status 1 damo-info cut.data
expect_grep 'cut\.data: truncated' err
expect_no_grep 'salvage' err
expect_status 1 damo-info --salvage cut.json
expect_no_grep 'salvage' err

# --verify checks what checksums cannot: the END totals (one snapshot too
# many here, in a chunk whose checksums hold), reported at the END chunk.
node -e '
const fs = require("fs"), zlib = require("zlib"), b = fs.readFileSync("good.dtr");
let t = []; for (let i = 0; i < 256; i++) { let c = i; for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1; t.push(c >>> 0); }
const crc = (buf) => { let c = 0xffffffff; for (const x of buf) c = t[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
let p = 16, end = -1;
while (p < b.length - 16) { const type = b.readUInt16LE(p + 4), plen = b.readUInt32LE(p + 8); if (type === 3) end = p; p += 24 + plen; }
// a zstd frame of raw blocks: 401 snapshots (0x91 0x03), 200*400 regions, 0 stacks
const v = (n) => { const o = []; while (n >= 128) { o.push((n & 127) | 128); n = Math.floor(n / 128); } o.push(n); return o; };
const raw = Buffer.from([...v(401), ...v(80000), 0]);
const frame = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, raw.length]),
  Buffer.from([(raw.length << 3) | 1, 0, 0]), raw]);
const h = Buffer.alloc(24); h.write("DTCK"); h.writeUInt16LE(3, 4); h.writeUInt32LE(frame.length, 8);
h.writeUInt32LE(raw.length, 12); h.writeUInt32LE(crc(frame), 16); h.writeUInt32LE(crc(h.subarray(0, 20)), 20);
fs.writeFileSync("lying.dtr", Buffer.concat([b.subarray(0, end), h, frame, b.subarray(b.length - 16)]));
fs.writeFileSync("end_offset", String(end));'
expect_ok damo-info lying.dtr
expect_status 1 damo-info --verify lying.dtr
expect_grep "lying\.dtr: end chunk counts 401 snapshots, 80000 regions, 0 stacks; the record holds 400, 80000, 0 at offset $(cat end_offset);" err
