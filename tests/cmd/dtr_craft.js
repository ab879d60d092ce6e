// SPDX-License-Identifier: GPL-2.0-only
// Records made to order for command tests, hostile ones included: any text,
// any value, valid framing (checksums hold, zstd frames of raw blocks).
//
//   node dtr_craft.js OUT.dtr SPEC.json [BASE.dtr [first]]
//
// SPEC is a list of items, written as one DATA chunk after the header, or
// after BASE's chunks up to its index when BASE is given (before them
// with `first`).  The record is
// left unclosed, which is valid (no INDEX, END or trailer):
//   {"meta": [["key", "value"], ...]}
//   {"context": {"kdamond": 0, "context": 0, "ops": 1, "targets": [{"pid": 1, "cmdline": "x"}]}}
//   {"snapshot": {"start": N, "end": N, "target": 0, "regions": [[start, end, acc, age], ...]}}
//   {"snapshot": {..., "pattern": {"n": N, "start": A, "size": S, "gap": G, "acc": 1}}}
//   {"maps": {"time": N, "pid": P, "entries": [[start, end, offset, "r-xp", "path"], ...]}}
//   {"frame": {"symbol": "f", "dso": "", "srcline": ""}}   (ids in order)
//   {"stack": {"time": N, "pid": P, "tid": T, "frames": [id, ...]}}   (leaf first)
// Strings are bytes: each character code 0-255 is one byte ("\u00ff" is
// the byte 0xff), so invalid UTF-8 and control characters can be written.
// Numbers may be strings of digits (u64 values beyond 2^53).
'use strict';
const fs = require('fs');

const T = [];
for (let i = 0; i < 256; i++) {
	let c = i;
	for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
	T.push(c >>> 0);
}
function crc(buf) {
	let c = 0xffffffff;
	for (const x of buf) c = T[(c ^ x) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

class Out {
	constructor() { this.parts = []; }
	byte(b) { this.parts.push(Buffer.from([b])); }
	varint(v) {
		v = BigInt(v);
		const o = [];
		while (v >= 128n) { o.push(Number(v & 127n) | 128); v >>= 7n; }
		o.push(Number(v));
		this.parts.push(Buffer.from(o));
	}
	svarint(v) { v = BigInt(v); this.varint(v >= 0n ? v << 1n : ((-v) << 1n) - 1n); }
	string(s) {
		const b = Buffer.from(s || '', 'latin1');
		this.varint(b.length);
		this.parts.push(b, Buffer.from([0]));
	}
	buf() { return Buffer.concat(this.parts); }
}

function item(out, type, body) {
	const b = body.buf();
	out.varint(type);
	out.varint(b.length);
	out.parts.push(b);
}

const state = { snapshotEnd: 0n, stackTime: 0n };
const U64 = (1n << 64n) - 1n;
function delta(t, prev) {
	let d = (BigInt(t) - prev) & U64;
	if (d >= 1n << 63n) d -= 1n << 64n;
	return d;
}

function encode(out, it) {
	const b = new Out();
	if (it.meta) {
		b.varint(it.meta.length);
		for (const [k, v] of it.meta) { b.string(k); b.string(v); }
		return item(out, 1, b);
	}
	if (it.context) {
		const c = it.context;
		b.varint(c.kdamond || 0); b.varint(c.context || 0); b.varint(c.ops ?? 1);
		b.varint(c.min_nr_regions || 0); b.varint(c.max_nr_regions || 0);
		b.varint(c.targets.length);
		c.targets.forEach((t, i) => {
			b.varint(t.index ?? i); b.varint(t.id ?? i); b.svarint(t.pid ?? -1); b.string(t.cmdline);
		});
		return item(out, 2, b);
	}
	if (it.snapshot) {
		const s = it.snapshot;
		let regions = s.regions || [];
		if (s.pattern) {
			const p = s.pattern, st = BigInt(p.start), sz = BigInt(p.size), gap = BigInt(p.gap);
			regions = [];
			for (let i = 0n; i < BigInt(p.n); i++) {
				const a = st + i * (sz + gap);
				regions.push([a, a + sz, p.acc ?? 1, 0]);
			}
		}
		b.svarint(delta(s.start, state.snapshotEnd));
		b.varint(BigInt(s.end) - BigInt(s.start));
		state.snapshotEnd = BigInt(s.end);
		b.varint(s.kdamond || 0); b.varint(s.context || 0); b.varint(s.target || 0);
		b.varint(s.flags || 0); b.varint(1); b.varint(2);
		b.varint(regions.length); b.varint(0);
		let prev = 0n;
		const sizes = [];
		for (const r of regions) {
			b.varint(BigInt(r[0]) - prev);
			sizes.push(BigInt(r[1]) - BigInt(r[0]));
			prev = BigInt(r[1]);
		}
		for (const x of sizes) b.varint(x);
		for (const r of regions) b.varint(r[2] ?? 0);
		for (const r of regions) b.varint(r[3] ?? 0);
		return item(out, 5, b);
	}
	if (it.frame) {
		const f = it.frame;
		b.varint(f.id); b.string(f.symbol); b.string(f.dso); b.string(f.srcline);
		return item(out, 6, b);
	}
	if (it.stack) {
		const s = it.stack;
		b.svarint(delta(s.time, state.stackTime));
		state.stackTime = BigInt(s.time);
		b.svarint(s.pid ?? -1); b.svarint(s.tid ?? -1); b.varint(s.cpu ?? 0);
		b.varint(s.weight ?? 1000000); b.varint(s.frames.length);
		for (const f of s.frames) b.varint(f);
		return item(out, 7, b);
	}
	if (it.maps) {
		const m = it.maps;
		b.varint(m.time); b.svarint(m.pid); b.varint(m.entries.length);
		for (const e of m.entries) {
			b.varint(e[0]); b.varint(BigInt(e[1]) - BigInt(e[0])); b.varint(e[2]);
			b.string(e[3]); b.string(e[4]);
		}
		return item(out, 9, b);
	}
	throw new Error('unknown item ' + JSON.stringify(it));
}

// One zstd frame of raw blocks stating its content size.
function zstdFrame(raw) {
	const h = Buffer.alloc(9);
	h.writeUInt32LE(0xfd2fb528, 0);
	h[4] = 0xa0; // single segment, 4-byte content size
	h.writeUInt32LE(raw.length, 5);
	const parts = [h.subarray(0, 9)];
	let at = 0;
	do {
		const n = Math.min(raw.length - at, 131072), last = at + n === raw.length ? 1 : 0;
		const bh = (n << 3) | last;
		parts.push(Buffer.from([bh & 255, (bh >> 8) & 255, (bh >> 16) & 255]), raw.subarray(at, at + n));
		at += n;
	} while (at < raw.length);
	return Buffer.concat(parts);
}

function chunk(type, raw) {
	const z = zstdFrame(raw), h = Buffer.alloc(24);
	h.write('DTCK');
	h.writeUInt16LE(type, 4);
	h.writeUInt32LE(z.length, 8);
	h.writeUInt32LE(raw.length, 12);
	h.writeUInt32LE(crc(z), 16);
	h.writeUInt32LE(crc(h.subarray(0, 20)), 20);
	return Buffer.concat([h, z]);
}

const [outPath, specPath, basePath, where] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
const items = new Out();
let frameId = 0;
for (const it of spec) {
	if (it.frame && it.frame.id === undefined) it.frame.id = frameId;
	if (it.frame) frameId = it.frame.id + 1;
	encode(items, it);
}
let header = Buffer.from([0x89, 0x44, 0x54, 0x52, 0x0d, 0x0a, 0x1a, 0x0a, 1, 0, 0, 0, 0, 0, 0, 0]);
header.writeUInt32LE(crc(header.subarray(0, 12)), 12);
if (basePath) {
	const base = fs.readFileSync(basePath), tail = base.subarray(base.length - 16);
	const closed = base.length > 32 && tail.toString('latin1', 8, 12) === 'DTRE';
	header = base.subarray(0, closed ? Number(tail.readBigUInt64LE(0)) : base.length);
}
const data = chunk(1, items.buf());
fs.writeFileSync(outPath, where === 'first'
	? Buffer.concat([header.subarray(0, 16), data, header.subarray(16)])
	: Buffer.concat([header, data]));
