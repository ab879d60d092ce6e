#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-convert --dataset: records of several machines into one dataset of
# hive-style partitions TABLE/host=H/record=ID/data.EXT.  Each partition
# holds what the single-record export of the same table holds; record ids
# come from the records themselves (the same in every run and under any
# file name, another for a record cut shorter); adding a record leaves the
# others' files untouched; a failed input leaves no temporary file (and
# standard input, which would have to be read twice, is refused); the
# targets table quotes text; DuckDB reads the whole dataset with host and
# record as columns.
source "$(dirname "$0")/lib.sh"

expect_ok damo-synth -o web.dtr --hostname web-01 --footprint --targets 2 --snapshots 40 \
	--regions 30 --seed 2
expect_ok damo-synth -o db.dtr --hostname "db 02/east" --footprint --snapshots 50 --regions 20 \
	--seed 5
expect_ok damo-synth -o anon.dtr --snapshots 30 --regions 10 --seed 7   # no hostname

# Two records, four tables each; one line per input says where it went
expect_ok damo-convert --dataset fleet web.dtr db.dtr
web=$(awk '$2 == "web.dtr" { print $1 }' out)
db=$(awk '$2 == "db.dtr" { print $1 }' out)
[[ $web =~ ^host=web-01/record=[0-9a-f]{16}$ ]] || fail "web.dtr went to '$web'"
[[ $db =~ ^host=db%2002%2Feast/record=[0-9a-f]{16}$ ]] || fail "db.dtr went to '$db'"
for t in regions wss footprint targets; do
	for p in "$web" "$db"; do
		[ -f "fleet/$t/$p/data.csv" ] || fail "no fleet/$t/$p/data.csv"
	done
done
[ "$(find fleet -type f | wc -l)" = 8 ] || fail "extra files: $(find fleet -type f)"

# Each partition is the single-record export of its table, byte for byte
for t in regions wss footprint targets; do
	expect_ok damo-convert web.dtr --what "$t" -o "web-$t.csv"
	expect_same_file "web-$t.csv" "fleet/$t/$web/data.csv"
done
expect_grep '^0,0,1,[0-9]+,[0-9]+,"vaddr","synth-app --phases"$' fleet/targets/$web/data.csv

# The same ids in another run, from another file name; a shorter cut of the
# same recording is another record
cp web.dtr copy-of-web.dtr
expect_ok damo-convert --dataset again copy-of-web.dtr
[ "$(cut -d' ' -f1 out)" = "$web" ] || fail "copy-of-web.dtr got $(cat out), not $web"
expect_same_file fleet/regions/$web/data.csv again/regions/$web/data.csv
expect_ok damo-synth -o web-short.dtr --hostname web-01 --footprint --targets 2 --snapshots 39 \
	--regions 30 --seed 2
expect_ok damo-convert --dataset again web-short.dtr
[ "$(cut -d' ' -f1 out)" != "$web" ] || fail "a shorter record has the id of the whole one"

# Appending leaves every other file as it was (same inode, same time)
stamp() { find fleet -type f -printf '%p %i %T@\n' | sort; }
stamp >before
sleep 0.01
expect_ok damo-convert --dataset fleet anon.dtr
anon=$(cut -d' ' -f1 out)
[[ $anon =~ ^host=unknown/record= ]] || fail "anon.dtr went to $anon"
stamp | grep -v "/$anon/" >after
expect_same_file before after
# --hostname files a record under another host: same id
expect_ok damo-convert --dataset fleet --hostname cache-03 anon.dtr
[ "$(cut -d' ' -f1 out)" = "host=cache-03/${anon#host=unknown/}" ] || fail "--hostname: $(cat out)"

# NDJSON, and one table only
expect_ok damo-convert --dataset nd --to ndjson --what wss web.dtr
[ "$(find nd -type f)" = "nd/wss/$web/data.ndjson" ] || fail "nd: $(find nd -type f)"
expect_ok damo-convert web.dtr --what wss --to ndjson
expect_same_file out "nd/wss/$web/data.ndjson"

# A bad input among good ones: status 1 and its message, the others added,
# no temporary file left
printf 'not a record\n' >bad.dtr
expect_status 1 damo-convert --dataset mixed web.dtr bad.dtr db.dtr
expect_grep 'bad.dtr' err
[ "$(wc -l <out)" = 2 ] || fail "mixed: $(cat out)"
[ "$(find mixed -type f | wc -l)" = 8 ] || fail "mixed: $(find mixed -type f)"
expect_ok damo-synth -o cut.dtr --snapshots 30 --regions 10
head -c 1000 cut.dtr >damaged.dtr
expect_status 1 damo-convert --dataset mixed damaged.dtr
[ -z "$(find mixed -type f ! -name data.csv)" ] || fail "files left: $(find mixed -type f ! -name data.csv)"
expect_status 1 damo-convert --dataset mixed - <web.dtr
expect_grep 'standard input cannot go to a dataset' err
[ "$(find mixed -type f | wc -l)" = 8 ] || fail "a damaged record left files"

# Command lines that make no dataset
expect_status 2 damo-convert --dataset d -o x.csv web.dtr
expect_grep 'drop -o' err
expect_status 2 damo-convert --dataset d --to json web.dtr
expect_grep 'csv or ndjson' err
expect_status 2 damo-convert --dataset d
expect_grep 'records to add' err
expect_status 2 damo-convert --hostname h web.dtr -o x.csv
expect_grep 'hostname' err
expect_status 2 damo-convert web.dtr db.dtr -o x.csv
expect_grep 'one input only' err
[ ! -e d ] || fail "a refused command line made the dataset"

# DuckDB reads the whole dataset: host (unescaped) and record are columns
bash "$DT_SRC/tests/browser/npm-deps.sh"
query() { node "$DT_SRC/tests/npm/duckdb_query.js" "$1"; }
query "SELECT host, target, count(*) FROM read_csv('fleet/regions/*/*/*.csv',
	hive_partitioning = true, hive_types = {host: VARCHAR, record: VARCHAR})
	GROUP BY ALL ORDER BY ALL" >counts.tsv
printf '%s\t0\t300\n' cache-03 >want.tsv
printf '%s\t0\t1000\n' 'db 02/east' >>want.tsv
printf '%s\t0\t300\n' unknown >>want.tsv
printf '%s\t0\t1200\n%s\t1\t1200\n' web-01 web-01 >>want.tsv
expect_same_file want.tsv counts.tsv

# Parquet from DuckDB, by the statement docs/EXPORTS.md gives: the same rows,
# host and record as columns, unsigned 64-bit addresses
parquet_sql=$(awk '$0 == "<!-- sql: parquet -->" { on = 1; next }
	on && /^```sql/ { inside = 1; next } inside && /^```/ { exit } inside { print }' \
	"$DT_SRC/docs/EXPORTS.md")
[ -n "$parquet_sql" ] || fail "docs/EXPORTS.md has no Parquet statement"
expect_ok query "$parquet_sql"
query "SELECT host, target, count(*) FROM 'fleet-regions.parquet' GROUP BY ALL ORDER BY ALL" >pq.tsv
expect_same_file want.tsv pq.tsv
[ "$(query "SELECT typeof(start), typeof(host), typeof(record) FROM 'fleet-regions.parquet' LIMIT 1")" = \
  $'UBIGINT\tVARCHAR\tVARCHAR' ] || fail "Parquet column types"
query "SELECT sum(\"end\" - start), sum(nr_accesses), sum(age) FROM 'fleet-regions.parquet'
	WHERE record = '${web#*record=}'" >pq-web
awk -F, 'NR > 1 { b += $6 - $5; a += $7; g += $8 } END { printf "%.0f\t%.0f\t%.0f\n", b, a, g }' \
	"fleet/regions/$web/data.csv" >csv-web
expect_same_file csv-web pq-web
