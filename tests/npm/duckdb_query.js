// SPDX-License-Identifier: GPL-2.0-only
// Run one SQL query with DuckDB (the pinned @duckdb/node-api) in the
// current directory and print the rows, tab-separated, one per line.
// Usage: node tests/npm/duckdb_query.js 'SELECT ...'
'use strict';
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, 'node_modules', '@duckdb', 'node-api'));

async function main() {
	const sql = process.argv[2];
	if (!sql) {
		console.error('usage: duckdb_query.js SQL');
		process.exit(2);
	}
	const instance = await DuckDBInstance.create(':memory:');
	const conn = await instance.connect();
	const reader = await conn.runAndReadAll(sql);
	const lines = reader.getRows().map((row) =>
		row.map((v) => (v === null ? 'NULL' : String(v))).join('\t'));
	process.stdout.write(lines.length ? lines.join('\n') + '\n' : '');
}

main().catch((e) => {
	console.error('duckdb_query: ' + (e && e.message ? e.message : e));
	process.exit(1);
});
