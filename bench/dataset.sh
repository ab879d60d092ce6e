#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/dataset.sh: from a record to Parquet and to a query's answer, one
# run, on a damo-synth record of 2 000 snapshots x 2 500 regions (5M
# regions, with footprints): the text paths (NDJSON, CSV with the types
# DuckDB guesses) against damo-convert --dataset (integer-only CSV read
# with declared types), each followed by DuckDB's COPY to Parquet; then one
# query over the CSV dataset and over its Parquet.  Figures are CPU seconds
# (user + system, /usr/bin/time) of each command, since wall time on a
# shared machine says more about the neighbours; DuckDB's include node's
# start (about 0.2 s).  Prints a Markdown table for docs/PERFORMANCE.md.
#
# Environment: BENCH_DIR (default build/bench-dataset), BIN (default bin).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN_DIR=$(cd "$ROOT" && realpath "${BIN:-bin}")
WORK=$(cd "$ROOT" && mkdir -p "${BENCH_DIR:-build/bench-dataset}" && realpath "${BENCH_DIR:-build/bench-dataset}")
QUERY="node $ROOT/tests/npm/duckdb_query.js"
COLS="columns = {time_ns: 'UBIGINT', kdamond: 'UINTEGER', context: 'UINTEGER',
  target: 'UINTEGER', start: 'UBIGINT', \"end\": 'UBIGINT', nr_accesses: 'UINTEGER',
  age: 'UINTEGER'}"
HIVE="hive_partitioning = true, hive_types = {host: VARCHAR, record: VARCHAR}"

bash "$ROOT/tests/browser/npm-deps.sh"
cd "$WORK"
rm -rf ds ./*.parquet ./*.csv ./*.ndjson
"$BIN_DIR/damo-synth" -o big.dtr --hostname big --snapshots 2000 --regions 2500 --footprint

# cpu LABEL CMD...: run CMD, print "LABEL<TAB>cpu seconds"
cpu() {
	local label=$1
	shift
	/usr/bin/time -f '%U %S' -o time.txt "$@" >/dev/null
	printf '%s\t%s\n' "$label" "$(awk '{ printf "%.2f", $1 + $2 }' time.txt)"
}

{
	cpu "ndjson: damo-convert --to ndjson" "$BIN_DIR/damo-convert" big.dtr -o big.ndjson
	cpu "ndjson: DuckDB read_json -> Parquet" $QUERY "COPY (FROM read_json('big.ndjson',
		format = 'newline_delimited', $COLS)) TO 'a.parquet' (FORMAT parquet)"
	cpu "csv: damo-convert --to csv" "$BIN_DIR/damo-convert" big.dtr -o big.csv
	cpu "csv: DuckDB read_csv (guessed types) -> Parquet" $QUERY "COPY (FROM read_csv('big.csv'))
		TO 'b.parquet' (FORMAT parquet)"
	cpu "dataset: damo-convert --dataset (4 tables)" "$BIN_DIR/damo-convert" --dataset ds big.dtr
	cpu "dataset: DuckDB read_csv (declared types) -> Parquet" $QUERY "COPY (FROM read_csv(
		'ds/regions/*/*/*.csv', $HIVE, $COLS)) TO 'c.parquet' (FORMAT parquet)"
	cpu "query on the CSV dataset" $QUERY "SELECT target, max(w) FROM (SELECT time_ns, target,
		sum(CASE WHEN nr_accesses >= 1 THEN \"end\" - start ELSE 0 END) AS w
		FROM read_csv('ds/regions/*/*/*.csv', $HIVE, $COLS) GROUP BY ALL) GROUP BY target"
	cpu "query on its Parquet" $QUERY "SELECT target, max(w) FROM (SELECT time_ns, target,
		sum(CASE WHEN nr_accesses >= 1 THEN \"end\" - start ELSE 0 END) AS w
		FROM 'c.parquet' GROUP BY ALL) GROUP BY target"
} | tee results.tsv >&2
printf 'sizes: ndjson %s B, csv %s B, dataset regions %s B, parquet %s B\n' \
	"$(stat -c %s big.ndjson)" "$(stat -c %s big.csv)" \
	"$(stat -c %s ds/regions/*/*/data.csv)" "$(stat -c %s c.parquet)"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
