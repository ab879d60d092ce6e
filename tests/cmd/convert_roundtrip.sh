#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Round trips through every format damo-convert writes keep the snapshots:
# damo json -> dtr -> damo json, dtr -> perf script -> dtr, and the vm trace
# and the record damo wrote from it give the same damo json.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

# damo json_compressed -> damotrace record -> damo json_compressed
expect_ok damo-convert "$F/damon.data" -o damon.dtr
expect_ok damo-convert damon.dtr -o back.data
head -c 2 back.data | od -An -tx1 | grep -q '78 9c' || fail "back.data is not a zlib stream"
expect_ok damo-convert back.data --to damo-raw
expect_same_file "$F/expects/report-raw" out

# ... -> plain json -> dtr -> perf script -> damo-raw
expect_ok damo-convert damon.dtr -o back.json
expect_grep '"start": "94,827,419,009,024"' back.json
expect_ok damo-convert back.json -o again.dtr
expect_ok damo-convert again.dtr --to perf_script -o back.perf-script
expect_grep 'damon:damon_aggregated: target_id=18446623438842320000 nr_regions=10 ' back.perf-script
expect_ok damo-convert back.perf-script --to damo-raw
expect_same_file "$F/expects/report-raw" out

# exact times survive a perf script trip (nanosecond stamps where needed)
expect_ok damo-convert damon.dtr --to ndjson -o a.ndjson
expect_ok damo-convert back.perf-script --to ndjson -o b.ndjson
expect_same_file a.ndjson b.ndjson

# The vm trace and damo's record of it: same snapshots, same json, except
# what only the record knows (damo was given the intervals).
expect_ok damo-convert "$F/vm/damon-vm.perf-script" --to json -o from-trace.json
expect_ok damo-convert "$F/vm/damon-vm.data" --to json -o from-record.json
node - "$F/vm/damon-vm.data" from-record.json from-trace.json <<'JS'
const fs = require('fs'), zlib = require('zlib'), assert = require('assert');
const [damoPath, oursPath, tracePath] = process.argv.slice(2);
const damo = JSON.parse(zlib.inflateSync(fs.readFileSync(damoPath)).toString());
const ours = JSON.parse(fs.readFileSync(oursPath));
const trace = JSON.parse(fs.readFileSync(tracePath));
// our json of damo's record is damo's json; the trace has no null indexes
assert.deepStrictEqual(ours, damo, "record -> json differs from damo's json");
for (const rec of [damo[0], trace[0]]) {
	delete rec.kdamond_idx;
	delete rec.context_idx;
}
assert.strictEqual(trace[0].intervals, null);
delete trace[0].intervals;
delete damo[0].intervals;
assert.deepStrictEqual(trace, damo, "trace -> json differs from damo's json of the same trace");
JS

# damo's vm record through a damotrace record and back is damo's file, byte
# for byte, compressed or not
expect_ok damo-convert "$F/vm/damon-vm.data" -o vm.dtr
expect_ok damo-convert vm.dtr -o vm-back.data
expect_same_file "$F/vm/damon-vm.data" vm-back.data
node -e 'process.stdout.write(require("zlib").inflateSync(require("fs").readFileSync(process.argv[1])))' \
	"$F/vm/damon-vm.data" > vm-damo.json
expect_ok damo-convert vm.dtr --to json -o vm-back.json
expect_same_file vm-damo.json vm-back.json

# json written by damo-convert is read back by damo-convert identically
expect_ok damo-convert from-record.json -o rec.dtr
expect_ok damo-convert rec.dtr --to json -o rec2.json
expect_same_file from-record.json rec2.json

# A synthetic damotrace record with two targets (snapshots interleaved in
# time, callstacks and maps besides): damo json and perf script keep every
# region of every snapshot, and damo's raw text of the round trip is equal.
expect_ok damo-synth --targets 2 --snapshots 40 --regions 25 --stacks -o synth.dtr
damo-convert synth.dtr --to ndjson | sort > synth.ndjson
[ "$(wc -l < synth.ndjson)" -eq 2000 ] || fail "expected 2000 region rows"
expect_ok damo-convert synth.dtr -o synth.json
expect_ok damo-convert synth.json -o synth-back.dtr
damo-convert synth-back.dtr --to ndjson | sort > synth-back.ndjson
expect_same_file synth.ndjson synth-back.ndjson
expect_ok damo-convert synth.dtr -o synth.perf-script
damo-convert synth.perf-script --to ndjson | sort > synth-ps.ndjson
expect_same_file synth.ndjson synth-ps.ndjson
expect_ok damo-convert synth.dtr --to damo-raw -o a.raw
expect_ok damo-convert synth-back.dtr --to damo-raw -o b.raw
expect_same_file a.raw b.raw
[ "$(grep -c '^base_time_absolute' a.raw)" -eq 2 ] || fail "expected one raw record per target"

# damotrace to damotrace keeps every item (stacks, frames, maps, clocks)
expect_ok damo-convert synth.dtr -o copy.dtr
expect_ok damo-info synth.dtr
grep -v '^record:' out > info-a
expect_ok damo-info copy.dtr
grep -v '^record:' out > info-b
expect_same_file info-a info-b
expect_grep 'stack' info-a
