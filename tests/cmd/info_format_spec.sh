# SPDX-License-Identifier: GPL-2.0-only
# A second, independent reader of the record format, written from
# docs/FORMAT.md alone (JavaScript; zstd frames through the zstd command),
# must read every golden record in tests/data/ exactly as the C library
# does (the .txt next to each record).  Proves the spec is complete.
source "$(dirname "$0")/lib.sh"

command -v node >/dev/null || fail "node is needed (make deps)"
command -v zstd >/dev/null || fail "zstd is needed (make deps)"

cat >reader.js <<'JS'
"use strict";
const fs = require("fs");
const { execFileSync } = require("child_process");

const table = [];
for (let i = 0; i < 256; i++) {
	let c = i;
	for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
	table.push(c >>> 0);
}
function crc32c(buf) {
	let c = 0xffffffff;
	for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
function die(msg) { console.error(msg); process.exit(1); }

const M64 = (1n << 64n) - 1n;
class Cursor {
	constructor(buf) { this.b = buf; this.p = 0; }
	left() { return this.b.length - this.p; }
	varint() {
		let v = 0n, shift = 0n;
		for (let i = 0; i < 10; i++) {
			if (this.p >= this.b.length) die("varint past the end");
			const x = this.b[this.p++];
			if (i === 9 && x > 1) die("varint too long");
			v |= BigInt(x & 0x7f) << shift;
			if (!(x & 0x80)) return v;
			shift += 7n;
		}
		die("varint too long");
	}
	u32() { const v = this.varint(); if (v > 0xffffffffn) die("u32 out of range"); return v; }
	svarint() { const u = this.varint(); return (u & 1n) ? -((u >> 1n) + 1n) : (u >> 1n); }
	string() {
		const n = Number(this.varint());
		if (n >= this.left() || this.b[this.p + n] !== 0) die("bad string");
		const s = this.b.subarray(this.p, this.p + n);
		if (s.includes(0)) die("NUL in string");
		this.p += n + 1;
		return s.toString("utf8");
	}
}

const OPS = ["unknown", "vaddr", "fvaddr", "paddr"];
const CLOCK = ["unknown", "monotonic", "perf", "realtime", "boottime"];
const UNIT = ["absent", "samples", "aggregations"];
const hex = (v) => v.toString(16);
const wrap = (v) => v & M64;

const file = fs.readFileSync(process.argv[2]);
const out = [];
if (file.length < 16 || !file.subarray(0, 8).equals(Buffer.from([0x89, 0x44, 0x54, 0x52, 0x0d, 0x0a, 0x1a, 0x0a])))
	die("not a record");
if (file.readUInt32LE(12) !== crc32c(file.subarray(0, 12))) die("header CRC");
const major = file.readUInt16LE(8), minor = file.readUInt16LE(10);
if (major !== 1) die("major version " + major);

let at = 16, clean = 0, nframes = 0n;
while (at < file.length) {
	if (at + 24 > file.length) die("truncated chunk header at " + at);
	const h = file.subarray(at, at + 24);
	if (h.toString("latin1", 0, 4) !== "DTCK") die("no sync marker at " + at);
	if (h.readUInt32LE(20) !== crc32c(h.subarray(0, 20))) die("chunk header CRC at " + at);
	const type = h.readUInt16LE(4), plen = h.readUInt32LE(8), rlen = h.readUInt32LE(12);
	const payload = file.subarray(at + 24, at + 24 + plen);
	if (payload.length !== plen) die("truncated chunk at " + at);
	if (h.readUInt32LE(16) !== crc32c(payload)) die("payload CRC at " + at);
	at += 24 + plen;
	if (type < 1 || type > 3) continue; /* unknown chunk type: skipped */
	const raw = execFileSync("zstd", ["-dcq"], { input: payload });
	if (raw.length !== rlen) die("raw length");
	const c = new Cursor(raw);
	if (type === 3) {
		out.push(`end snapshots=${c.varint()} regions=${c.varint()} stacks=${c.varint()}`);
		if (file.length !== at + 16) die("trailer missing or extra bytes");
		const t = file.subarray(at, at + 16);
		if (t.toString("latin1", 8, 12) !== "DTRE" || t.readUInt32LE(12) !== crc32c(t.subarray(0, 12)))
			die("bad trailer");
		at += 16;
		clean = 1;
		continue;
	}
	if (type === 2) continue; /* the index is for seeking; a scan does not need it */
	let snapEnd = 0n, stackTime = 0n;
	while (c.left() > 0) {
		const itype = Number(c.varint()), len = Number(c.varint());
		if (len > c.left()) die("item past the chunk");
		const body = new Cursor(raw.subarray(c.p, c.p + len));
		c.p += len;
		let s;
		switch (itype) {
		case 1: {
			s = "meta";
			const n = body.varint();
			for (let i = 0n; i < n; i++) s += ` [${body.string()}]=[${body.string()}]`;
			break;
		}
		case 2: {
			const kd = body.u32(), cx = body.u32(), ops = Number(body.varint());
			s = `context ${kd}/${cx} ${OPS[ops]} min=${body.varint()} max=${body.varint()}`;
			const n = body.varint();
			for (let i = 0n; i < n; i++)
				s += ` t${body.u32()}:id=${body.varint()},pid=${body.svarint()},cmd=[${body.string()}]`;
			break;
		}
		case 3:
			s = `intervals ${body.u32()}/${body.u32()} t=${body.varint()} s=${body.varint()} a=${body.varint()} u=${body.varint()}`;
			break;
		case 4: {
			const clock = Number(body.varint()), label = body.string();
			s = `clocks ${CLOCK[clock]} [${label}] has=${body.u32()} m=${body.varint()} p=${body.varint()} r=${body.varint()}`;
			break;
		}
		case 5: {
			const start = wrap(snapEnd + body.svarint()), end = start + body.varint();
			const kd = body.u32(), cx = body.u32(), tg = body.u32(), flags = body.u32();
			const au = Number(body.varint()), gu = Number(body.varint());
			const n = Number(body.varint()), shift = body.varint();
			const gaps = [], sizes = [], acc = [], age = [];
			for (let i = 0; i < n; i++) gaps.push(body.varint());
			for (let i = 0; i < n; i++) sizes.push(body.varint());
			if (au) for (let i = 0; i < n; i++) acc.push(body.u32());
			if (gu) for (let i = 0; i < n; i++) age.push(body.u32());
			s = `snapshot ${start}-${end} ${kd}/${cx}/${tg} f=${flags} ${UNIT[au]}/${UNIT[gu]} n=${n}`;
			let prev = 0n;
			for (let i = 0; i < n; i++) {
				const rs = prev + (gaps[i] << shift), re = rs + (sizes[i] << shift);
				if (re > M64) die("region out of range");
				s += ` ${hex(rs)}-${hex(re)}` + (au ? `:${acc[i]}` : "") + (gu ? `:${age[i]}` : "");
				prev = re;
			}
			snapEnd = end;
			break;
		}
		case 6: {
			const id = body.u32();
			if (id !== nframes) die("frame out of order");
			nframes++;
			s = `frame ${id} [${body.string()}] [${body.string()}] [${body.string()}]`;
			break;
		}
		case 7: {
			const t = wrap(stackTime + body.svarint());
			s = `stack t=${t} ${body.svarint()}/${body.svarint()} cpu=${body.u32()} w=${body.varint()} :`;
			const n = body.varint();
			for (let i = 0n; i < n; i++) {
				const f = body.u32();
				if (f >= nframes) die("undefined frame");
				s += ` ${f}`;
			}
			stackTime = t;
			break;
		}
		case 8:
			s = `thread ${body.svarint()}/${body.svarint()} [${body.string()}]`;
			break;
		case 9: {
			s = `maps t=${body.varint()} pid=${body.svarint()}`;
			const n = body.varint();
			for (let i = 0n; i < n; i++) {
				const st = body.varint(), size = body.varint(), off = body.varint();
				s += ` ${hex(st)}-${hex(st + size)}@${hex(off)}:${body.string()}:[${body.string()}]`;
			}
			break;
		}
		case 11: {
			if (process.env.READER_MINOR === "0") continue; /* as a 1.0 reader: unknown */
			s = `footprint t=${body.varint()} ${body.u32()}/${body.u32()}/${body.u32()}` +
			    ` pid=${body.svarint()} has=${body.u32()}`;
			const v = [];
			for (let i = 0; i < 16; i++) v.push(body.varint());
			s += ` statm=${v.slice(0, 5).join(",")} swap=${v[5]} stat=${v.slice(6, 11).join(",")}` +
			     ` mem=${v.slice(11).join(",")}`;
			break;
		}
		default:
			continue; /* unknown item type: skipped */
		}
		out.push(s);
	}
}
out.push(`# clean_close=${clean} version=${major}.${minor}`);
process.stdout.write(out.join("\n") + "\n");
JS

n=0
for rec in "$DT_SRC"/tests/data/*.dtr; do
	name=$(basename "$rec" .dtr)
	node reader.js "$rec" >"$name.txt" 2>"$name.err" || fail "$name.dtr: the second reader failed: $(cat "$name.err")"
	expect_same_file "$DT_SRC/tests/data/$name.txt" "$name.txt"
	n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n golden records found"

# A 1.0 reader (the same reader without item type 11) reads the 1.1 record
# with FOOTPRINT items, skipping them as the versioning rules say.
READER_MINOR=0 node reader.js "$DT_SRC/tests/data/footprint-1.1.dtr" >old.txt ||
	fail "the reader without FOOTPRINT failed on footprint-1.1.dtr"
grep -v '^footprint ' "$DT_SRC/tests/data/footprint-1.1.txt" >want-old.txt
expect_same_file want-old.txt old.txt

# And a fresh record, against what damo-info counts in it.
expect_ok damo-synth -o fresh.dtr --snapshots 40 --regions 50 --targets 2 --stacks --seed 4
node reader.js fresh.dtr >fresh.txt || fail "the second reader failed on a fresh record"
expect_ok damo-info fresh.dtr
[ "$(grep -c '^snapshot ' fresh.txt)" = 80 ] || fail "second reader: $(grep -c '^snapshot ' fresh.txt) snapshots"
stacks=$(grep -Eo '^stack samples: [0-9]+' out | grep -Eo '[0-9]+$')
[ "$(grep -c '^stack ' fresh.txt)" = "$stacks" ] || fail "second reader: stacks differ from damo-info's $stacks"
expect_grep '^end snapshots=80 regions=4000 stacks=' fresh.txt
