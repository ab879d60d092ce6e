#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Exports load into DuckDB (the pinned @duckdb/node-api) and a query's
# answer agrees with numbers computed elsewhere: the WSS series damo-convert
# writes (C) equals the one DuckDB computes from the region rows (SQL), and
# damo's own `report wss` percentiles come out of DuckDB from the export.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

bash "$DT_SRC/tests/browser/npm-deps.sh"
query() {
	node "$DT_SRC/tests/npm/duckdb_query.js" "$1"
}
REGION_COLUMNS="columns={time_ns: 'UBIGINT', kdamond: 'UINTEGER', context: 'UINTEGER',
	target: 'UINTEGER', start: 'UBIGINT', \"end\": 'UBIGINT', nr_accesses: 'UINTEGER',
	age: 'UINTEGER'}"

# regions as NDJSON through a pipe, WSS as CSV into a file
damo-convert "$F/damon.data" --to ndjson | cat > regions.ndjson
expect_ok damo-convert "$F/damon.data" --what wss -o wss.csv
[ "$(wc -l < regions.ndjson)" -eq 9773 ] || fail "expected 9773 region rows"

query "SELECT time_ns, target,
	sum(CASE WHEN nr_accesses >= 1 THEN \"end\" - start ELSE 0 END)
	FROM read_json('regions.ndjson', format='newline_delimited', $REGION_COLUMNS)
	GROUP BY time_ns, target ORDER BY time_ns" > sql-wss.tsv
tail -n +2 wss.csv | awk -F, '{print $1 "\t" $4 "\t" $5}' > c-wss.tsv
[ "$(wc -l < sql-wss.tsv)" -eq 543 ] || fail "expected 543 snapshots from DuckDB"
expect_same_file c-wss.tsv sql-wss.tsv

# damo report wss -r 1 101 1 --raw_number: skip 20 snapshots, percentile p
# is element int(p / 100 * len) of the sorted list
percentiles() { # FILE ORDER: "p wss" lines computed by DuckDB
	query "WITH w AS (SELECT wss_bytes AS wss, row_number() OVER (ORDER BY time_ns) AS i
			  FROM read_csv('$1', header=true)),
		   kept AS (SELECT wss, i FROM w WHERE i > 20),
		   s AS (SELECT wss, row_number() OVER (ORDER BY $2) - 1 AS idx,
			 count(*) OVER () AS n FROM kept)
		SELECT p, wss FROM range(${3:-1}, 101, ${4:-1}) t(p) JOIN s
		ON s.idx = least(floor(p::DOUBLE / 100.0::DOUBLE * n::DOUBLE)::BIGINT, n - 1)
		ORDER BY p" | tr '\t' ' '
}
grep -E '^ *[0-9]+ ' "$F/expects/report-wss" | awk '{print $1, $2}' > damo-percentiles
percentiles wss.csv wss > sql-percentiles
expect_same_file damo-percentiles sql-percentiles
avr=$(query "SELECT floor(avg(wss_bytes))::BIGINT FROM (SELECT wss_bytes, row_number() OVER
	(ORDER BY time_ns) AS i FROM read_csv('wss.csv', header=true)) WHERE i > 20")
expect_grep "^# avr:	$avr\$" "$F/expects/report-wss"

# the vm record, time-ordered percentiles (damo report wss --sortby time)
expect_ok damo-convert "$F/vm/damon-vm.perf-script" --what wss -o vm-wss.csv
grep -E '^ *[0-9]+ ' "$F/vm/report-wss_sortby_time" | awk '{print $1, $2}' > damo-vm
percentiles vm-wss.csv i 0 25 > sql-vm
expect_same_file damo-vm sql-vm

# the CSV of regions loads too, with empty ages as NULL
expect_ok damo-convert "$F/perf.data.script" -o regions.csv
[ "$(query "SELECT count(*), count(age), count(DISTINCT time_ns)
	FROM read_csv('regions.csv', header=true)")" = "$(printf '%s\t0\t562' \
	"$(( $(wc -l < regions.csv) - 1 ))")" ] || fail "regions.csv did not load as expected"

# damo-wss's own time series (every snapshot kept) agrees with the WSS that
# DuckDB computes from the exported regions
expect_ok damo-wss -i "$F/damon.data" --exclude_samples 0 --csv
mv out damo-wss.csv
query "SELECT wss_bytes FROM read_csv('damo-wss.csv', header=true) ORDER BY start_s" > wss-a
query "SELECT sum(CASE WHEN nr_accesses >= 1 THEN \"end\" - start ELSE 0 END)
	FROM read_json('regions.ndjson', format='newline_delimited', $REGION_COLUMNS)
	GROUP BY time_ns ORDER BY time_ns" > wss-b
[ "$(wc -l < wss-a)" -eq 543 ] || fail "damo-wss gave $(wc -l < wss-a) rows"
expect_same_file wss-a wss-b
