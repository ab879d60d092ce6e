# SPDX-License-Identifier: GPL-2.0-only
# damo-info on a fresh record: summary, JSON, stdin, command line.
source "$(dirname "$0")/lib.sh"

expect_ok damo-synth --snapshots 50 --regions 40 --targets 2 --stacks --seed 3
[ -s damon.dtr ] || fail "damo-synth wrote no damon.dtr"

# With no file named, damon.dtr is read.
expect_ok damo-info
cp out info.txt
expect_grep '^format: dtr 1\.1, [0-9]+ bytes$' info.txt
expect_grep '^closed cleanly: yes$' info.txt
expect_grep '^snapshots: 100$' info.txt
expect_grep '^regions: 4000$' info.txt
expect_grep '^stack samples: [1-9][0-9]+$' info.txt
expect_grep '^meta: generator = damo-synth$' info.txt
expect_grep '^meta: synth_seed = 3$' info.txt
expect_grep '^kdamond 0 context 0: ops vaddr' info.txt
expect_grep '^  target 0: id [0-9]+, pid [0-9]+, cmdline "synth-app --phases"$' info.txt
expect_grep '^  target 1: ' info.txt
expect_grep '^    snapshots 50, regions 2000 \(40\.0 per snapshot\), mean WSS [0-9.]+ [KMG]iB$' info.txt
expect_grep '^intervals: kdamond 0 context 0 from 1000\.000000000 s: sample 5000 us, aggr 100000 us, update 1000000 us$' info.txt
expect_grep '^clocks: start, record on monotonic, monotonic 1000000000000, perf [0-9]+, realtime [0-9]+$' info.txt
expect_grep '^clocks: end, ' info.txt
# 50 snapshots of 100 ms, a little jitter at the end
expect_grep '^time: 1000\.000000000 s to 1005\.00[0-9]+ s \(5\.00 s\)$' info.txt

# The same as one JSON object.
expect_ok damo-info --json damon.dtr
cp out info.json
[ "$(wc -l <info.json)" = 1 ] || fail "--json printed more than one line"
node -e '
const j = JSON.parse(require("fs").readFileSync("info.json", "utf8"));
const t = j.contexts[0].targets;
const ok = j.format === "dtr" && j.version === "1.1" && j.clean_close === true &&
	j.damaged === false && j.snapshots === 100 && j.regions === 4000 && j.stacks > 10 &&
	j.meta.generator === "damo-synth" && t.length === 2 && t[0].snapshots === 50 &&
	t[1].regions === 2000 && t[0].mean_wss_bytes > 0 && j.intervals[0].aggr_us === 100000 &&
	typeof t[0].id === "string" &&
	j.clocks.length === 2 && j.start_ns === 1000000000000 && j.duration_ns > 4.9e9;
if (!ok) { console.error(JSON.stringify(j)); process.exit(1); }
' || fail "damo-info --json does not hold what the record holds"

# -i names the record too, as in damo and the other commands.
expect_ok damo-info -i damon.dtr
diff info.txt out >/dev/null || fail "damo-info -i differs from the FILE operand"
expect_status 2 damo-info -i damon.dtr other.dtr

# Standard input, a pipe: the same summary.
cat damon.dtr | damo-info - >stdin.txt 2>&1 || fail "damo-info - failed: $(cat stdin.txt)"
diff <(grep -v '^record:' info.txt) <(grep -v '^record:' stdin.txt) >/dev/null ||
	{ diff info.txt stdin.txt; fail "reading stdin gives another summary"; }

# Verification of an intact record.
expect_ok damo-info --verify damon.dtr
expect_grep '^damon\.dtr: ok, [0-9]+ chunks, [0-9]+ bytes, closed cleanly$' out

# Command line.
expect_ok damo-info --help
expect_grep '--verify' out
expect_grep '--json' out
expect_grep '--salvage' out
expect_ok damo-info --version
expect_grep '^damo-info \(damotrace\) [0-9]' out
expect_status 2 damo-info --no-such-option
expect_status 2 damo-info a.dtr b.dtr
expect_status 2 damo-info --verify --salvage damon.dtr
expect_status 1 damo-info missing.dtr
expect_grep 'missing\.dtr' err
echo "plain text, not a record" >notes.txt
expect_error damo-info notes.txt
