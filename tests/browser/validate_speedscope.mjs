// SPDX-License-Identifier: GPL-2.0-only
// Validate a speedscope file against the JSON schema speedscope ships
// (file-format-schema.json, draft-07), plus what the schema cannot say:
// frame indices in range, one weight per sample, endValue = sum of weights.
// Usage: node validate_speedscope.mjs SCHEMA.json PROFILE.json
// Prints "ok: N profiles, M frames" or the first violations, exit 0/1.
import { readFileSync } from 'node:fs';

const [schemaPath, filePath] = process.argv.slice(2);
if (!schemaPath || !filePath) {
	console.error('usage: validate_speedscope.mjs SCHEMA PROFILE');
	process.exit(2);
}
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const doc = JSON.parse(readFileSync(filePath, 'utf8'));
const errors = [];

function resolve(ref) {
	if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
	return ref.slice(2).split('/').reduce((node, key) => node[key], schema);
}

function typeOk(type, v) {
	switch (type) {
	case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
	case 'array': return Array.isArray(v);
	case 'string': return typeof v === 'string';
	case 'number': return typeof v === 'number' && Number.isFinite(v);
	case 'integer': return Number.isInteger(v);
	case 'boolean': return typeof v === 'boolean';
	case 'null': return v === null;
	default: throw new Error(`unsupported type ${type}`);
	}
}

const known = new Set(['$ref', 'type', 'properties', 'required', 'items', 'const', 'enum',
	'anyOf', 'title', '$schema', 'definitions', 'description', 'additionalProperties']);

// Returns a list of violations of `node` by `v` at `path`.
function check(node, v, path) {
	for (const key of Object.keys(node))
		if (!known.has(key)) throw new Error(`schema keyword ${key} not supported`);
	if (node.$ref) return check(resolve(node.$ref), v, path);
	const out = [];
	if (node.type) {
		const types = Array.isArray(node.type) ? node.type : [node.type];
		if (!types.some((t) => typeOk(t, v))) {
			out.push(`${path}: expected ${types.join('|')}, got ${JSON.stringify(v)?.slice(0, 40)}`);
			return out;
		}
	}
	if ('const' in node && v !== node.const) out.push(`${path}: must be ${JSON.stringify(node.const)}`);
	if (node.enum && !node.enum.includes(v)) out.push(`${path}: not one of ${node.enum.join(', ')}`);
	if (node.anyOf) {
		const tries = node.anyOf.map((alt) => check(alt, v, path));
		if (!tries.some((t) => t.length === 0))
			out.push(`${path}: matches no alternative (${tries.map((t) => t[0]).join(' / ')})`);
	}
	if (node.required && typeOk('object', v))
		for (const key of node.required)
			if (!(key in v)) out.push(`${path}: missing ${key}`);
	if (node.properties && typeOk('object', v))
		for (const [key, sub] of Object.entries(node.properties))
			if (key in v) out.push(...check(sub, v[key], `${path}.${key}`));
	if (node.additionalProperties === false && node.properties && typeOk('object', v))
		for (const key of Object.keys(v))
			if (!(key in node.properties)) out.push(`${path}: unexpected ${key}`);
	if (node.items && Array.isArray(v))
		v.forEach((item, i) => out.push(...check(node.items, item, `${path}[${i}]`)));
	return out;
}

errors.push(...check(schema, doc, '$'));

const frames = doc.shared?.frames ?? [];
(doc.profiles ?? []).forEach((p, i) => {
	if (p.type !== 'sampled') return;
	if (p.samples.length !== p.weights.length)
		errors.push(`profiles[${i}]: ${p.samples.length} samples, ${p.weights.length} weights`);
	let sum = 0;
	p.weights.forEach((w, k) => {
		if (!(w >= 0)) errors.push(`profiles[${i}].weights[${k}]: ${w}`);
		sum += w;
	});
	if (Math.abs(sum - (p.endValue - p.startValue)) > 1e-6 * Math.max(1, sum))
		errors.push(`profiles[${i}]: endValue - startValue ${p.endValue - p.startValue} != sum of weights ${sum}`);
	p.samples.forEach((s, k) => s.forEach((f) => {
		if (!Number.isInteger(f) || f < 0 || f >= frames.length)
			errors.push(`profiles[${i}].samples[${k}]: frame ${f} out of range`);
	}));
});
const seen = new Set();
frames.forEach((f, i) => {
	const key = JSON.stringify([f.name, f.file ?? '', f.line ?? -1]);
	if (seen.has(key)) errors.push(`shared.frames[${i}]: duplicate of an earlier frame ${key}`);
	seen.add(key);
});
if (doc.activeProfileIndex !== undefined &&
    !(doc.activeProfileIndex >= 0 && doc.activeProfileIndex < (doc.profiles ?? []).length))
	errors.push(`activeProfileIndex ${doc.activeProfileIndex} out of range`);

if (errors.length) {
	console.error(errors.slice(0, 20).join('\n'));
	console.error(`${filePath}: ${errors.length} violation(s)`);
	process.exit(1);
}
console.log(`ok: ${doc.profiles.length} profiles, ${frames.length} frames`);
