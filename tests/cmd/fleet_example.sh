#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# docs/EXPORTS.md's fleet example as a session: four machines made with
# damo-synth, one dataset, the documented DuckDB views and queries (taken
# from the page itself), and their answers checked against each record on
# its own: the cold share of resident memory against damo-wss's WSS series
# and the footprint table, the WSS percentiles against damo-wss's, the
# hottest areas against their definition; then the whole dataset as Parquet
# through DuckDB gives the same answers.  (tests/python/test_fleet.py reads
# the same dataset with pandas and checks it against the Python module.)
source "$(dirname "$0")/lib.sh"

bash "$DT_SRC/tests/browser/npm-deps.sh"
query() { node "$DT_SRC/tests/npm/duckdb_query.js" "$1"; }
# doc_sql NAME: the ```sql block after "<!-- sql: NAME -->" in docs/EXPORTS.md
doc_sql() {
	awk -v name="<!-- sql: $1 -->" '$0 == name { on = 1; next }
		on && /^```sql/ { inside = 1; next }
		inside && /^```/ { exit }
		inside { print }' "$DT_SRC/docs/EXPORTS.md"
}
for q in views parquet cold hot wss; do
	[ -n "$(doc_sql $q)" ] || fail "docs/EXPORTS.md has no '$q' query"
done

# The machines, as docs/EXPORTS.md makes them
damo-synth -o web-01.dtr --hostname web-01 --cmdline "nginx: worker process" \
	--targets 2 --snapshots 300 --regions 120 --seed 11 --footprint
damo-synth -o web-02.dtr --hostname web-02 --cmdline "nginx: worker process" \
	--targets 2 --snapshots 200 --regions 80 --seed 12 --footprint
damo-synth -o db-01.dtr --hostname db-01 --cmdline "postgres -D /var/lib/postgresql" \
	--snapshots 400 --regions 200 --seed 21 --footprint
damo-synth -o cache-01.dtr --hostname cache-01 --cmdline "redis-server *:6379" \
	--snapshots 120 --regions 60 --seed 31 --footprint
expect_ok damo-convert --dataset fleet web-01.dtr web-02.dtr db-01.dtr cache-01.dtr
[ "$(wc -l <out)" = 4 ] || fail "dataset: $(cat out)"
hosts="cache-01 db-01 web-01 web-02"

# Which hosts keep more than half of their resident memory cold
query "$(doc_sql views) $(doc_sql cold)" >cold.tsv
echo "cold:" && cat cold.tsv
[ "$(cut -f1 cold.tsv | tr '\n' ' ')" = "$hosts " ] || fail "cold: hosts $(cut -f1 cold.tsv)"
for h in $hosts; do
	# the i-th footprint of a target follows its i-th snapshot
	damo-wss -i "$h.dtr" --exclude_samples 0 --csv >"$h-wss.csv"
	damo-convert "$h.dtr" --what footprint -o "$h-fp.csv"
	want=$(awk -F, 'FNR == 1 { next }
		FILENAME ~ /wss/ { w[$1, n[$1]++] = $4; next }
		{ r = $7; c = r - w[$5, m[$5]++]; cold += c > 0 ? c : 0; res += r; rows++ }
		END { printf "%.1f %.4f %s\n", res / rows / 1048576, cold / res,
			(cold / res > 0.5) ? "true" : "false" }' "$h-wss.csv" "$h-fp.csv")
	got=$(awk -F'\t' -v h="$h" '$1 == h { print $2, $3, $4 }' cold.tsv)
	read -r w_rss w_share w_flag <<<"$want"
	read -r g_rss g_share g_flag <<<"$got"
	awk -v a="$w_rss" -v b="$g_rss" -v c="$w_share" -v d="$g_share" \
		'BEGIN { exit !((a - b) ^ 2 < 0.0025 && (c - d) ^ 2 < 0.0000004) }' &&
		[ "$w_flag" = "$g_flag" ] || fail "cold share of $h: DuckDB '$got', damo-wss '$want'"
done

# WSS percentiles by host: damo-wss's own
query "$(doc_sql views) $(doc_sql wss)" >wss.tsv
echo "wss percentiles:" && cat wss.tsv
for h in $hosts; do
	p50_90=$(damo-wss -i "$h.dtr" -r 50 91 40 --raw_number | awk '/^ *[0-9]+ / { printf "\t%s", $2 }')
	p99=$(damo-wss -i "$h.dtr" -r 99 100 1 --raw_number | awk '/^ *[0-9]+ / { printf "\t%s", $2 }')
	[ "$(grep "^$h	" wss.tsv)" = "$h$p50_90$p99" ] ||
		fail "WSS percentiles of $h: DuckDB '$(grep "^$h	" wss.tsv)', damo-wss '$h$p50_90$p99'"
done

# The hottest 1% of address ranges per command: ceil(1%) of each command's
# areas, holding the share of the heat that the areas' own sums give
query "$(doc_sql views) $(doc_sql hot)" >hot.tsv
echo "hottest 1%:" && cat hot.tsv
[ "$(cut -f1 hot.tsv | tr '\n' '|')" = "nginx: worker process|postgres -D /var/lib/postgresql|redis-server *:6379|" ] ||
	fail "hot: commands $(cut -f1 hot.tsv)"
awk -F'\t' '{ if ($3 != int(($2 + 99) / 100) || $4 <= 0 || $4 > 1) exit 1 }' hot.tsv ||
	fail "hot: $(cat hot.tsv)"
grep -q $'^redis-server \\*:6379\t[0-9]*\t[0-9]*\t[0-9.]*\tcache-01 target 0 0x' hot.tsv ||
	fail "hot: redis' hottest area is not on cache-01"
query "$(doc_sql views)
	SELECT count(DISTINCT (host, record, target, start // 2097152)) FROM regions r
	JOIN targets t USING (host, record, kdamond, context, target)
	WHERE t.cmdline LIKE 'nginx%'" >nginx-areas
[ "$(cat nginx-areas)" = "$(grep '^nginx' hot.tsv | cut -f2)" ] || fail "nginx areas: $(cat nginx-areas)"

# Parquet: the documented statement, then every table the same way, and
# the three answers again from the Parquet files
expect_ok query "$(doc_sql parquet)"
[ "$(query "SELECT count(*), count(DISTINCT host), sum(nr_accesses) FROM 'fleet-regions.parquet'")" = \
  "$(query "$(doc_sql views) SELECT count(*), count(DISTINCT host), sum(nr_accesses) FROM regions")" ] ||
	fail "fleet-regions.parquet differs from the CSV"
for t in wss footprint targets; do
	expect_ok query "$(doc_sql views) COPY $t TO 'fleet-$t.parquet' (FORMAT parquet)"
done
for t in regions wss footprint targets; do
	echo "CREATE VIEW $t AS FROM 'fleet-$t.parquet';"
done >parquet-views.sql
query "SELECT typeof(start), typeof(host), typeof(record) FROM 'fleet-regions.parquet' LIMIT 1" >types
[ "$(cat types)" = $'UBIGINT\tVARCHAR\tVARCHAR' ] || fail "Parquet types: $(cat types)"
for q in cold wss hot; do
	query "$(cat parquet-views.sql) $(doc_sql $q)" >"parquet-$q.tsv"
	expect_same_file "$q.tsv" "parquet-$q.tsv"
done
