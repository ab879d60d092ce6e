#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-record -g against a fake kernel (tests/fakes/fake-kdamond) in a
# private mount namespace, with the real perf: the callstacks of a program
# with three known functions land in the same record as its snapshots, on
# the same clock; without perf it stops before anything starts; a failing
# perf leaves a complete DAMON record and exit status 3; a damo-record
# killed with SIGKILL does not leave perf recording on.
source "$(dirname "$0")/../fakes/ns.bash"
source "$(dirname "$0")/lib.sh"
# The perf a killed recorder may have left running (sig-perf below).
stop_left_perf() {
	[ -s "$TEST_TMP/left.pids" ] && kill -KILL $(cat "$TEST_TMP/left.pids") 2>/dev/null
	return 0
}
trap 'stop_left_perf; stop_fake_kernel; rm -rf "$TEST_TMP"' EXIT

command -v perf >/dev/null || fail "perf is missing (Debian package linux-perf)"
cc -O1 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline \
	-o three "$DT_SRC/tests/programs/three_phases.c" || fail "cannot build three_phases"

# A program's callstacks and snapshots, in one record.
fake_tree
fake_kernel
expect_ok damo-record -g --source tried-regions -a 40ms -o rec.dtr -- ./three 300
cp out phases.out
expect_grep '^phase sweep_gamma ' phases.out
expect_grep '^damo-record: stopped \(target exited\) .* [1-9][0-9]* snapshots' err
expect_grep '^damo-record: [1-9][0-9]* callstack samples -> rec.dtr' err
ls rec.dtr.perf* 2>/dev/null && fail "perf's data file was left behind"
expect_ok damo-info --verify rec.dtr
expect_ok damo-info rec.dtr
expect_grep '^closed cleanly: yes' out
expect_grep '^snapshots: [1-9]' out
expect_grep '^stack samples: [1-9]' out
expect_grep '^frames: [1-9]' out
expect_grep '^meta: callstacks = perf record -g -k mono -e cpu-clock -p [0-9]+$' out
expect_grep '^meta: callstack_samples = [1-9]' out
expect_no_grep 'callstacks_error' out
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "kdamond not removed"

# damo-stacks reads the record's own stacks: the program's three functions,
# each under the phases of the record.
expect_ok damo-stacks -f folded -i rec.dtr -o stacks.folded
for f in sweep_alpha sweep_beta sweep_gamma main; do
	expect_grep ";$f(;| )" stacks.folded
done
# Each function's samples fall inside its phase as the program measured it
# (CLOCK_MONOTONIC on both sides; 1 ms either side).
expect_ok damo-stacks -f trace-event -i rec.dtr --no-phases -o stacks.json
python3 - phases.out stacks.json <<'PY' || fail "samples outside their phase"
import json, sys
phases = {}
for line in open(sys.argv[1]):
    w = line.split()
    if w and w[0] == "phase":
        phases[w[1]] = (int(w[2]), int(w[3]))
doc = json.load(open(sys.argv[2]))
origin = int(doc["otherData"]["origin_ns"])
seen, outside = {}, []
for e in doc["traceEvents"]:
    name = e.get("name", "")
    if name in phases and e.get("ph") in ("B", "X"):
        t = origin + int(round(float(e["ts"]) * 1000))
        seen[name] = seen.get(name, 0) + 1
        lo, hi = phases[name]
        if not lo - 1000000 <= t <= hi + 1000000:
            outside.append((name, t - lo))
assert set(seen) == set(phases), ("functions seen", seen)
assert not outside, ("outside their phase", outside[:5])
PY

# --call-graph passes perf's mode through; --keep-perf-data keeps its data.
expect_ok damo-record --call-graph fp --keep-perf-data --source tried-regions -a 40ms \
	-o fp.dtr -- ./three 100
[ -s fp.dtr.perf.data ] || fail "--keep-perf-data: fp.dtr.perf.data missing"
expect_ok damo-info fp.dtr
expect_grep '^meta: callstacks = perf record --call-graph fp -k mono' out
expect_grep '^stack samples: [1-9]' out
expect_status 2 damo-record --call-graph bogus -- ./three 100
expect_grep "call-graph: 'bogus'" err
expect_status 2 damo-record --keep-perf-data -- ./three 100

# Without perf: one clear line naming the package, before anything starts.
expect_status 1 env PATH="$DT_BIN" damo-record -g --source tried-regions -o none.dtr -- ./three 100
expect_grep 'linux-perf' err
[ "$(wc -l <err)" = 1 ] || fail "more than one error line"
[ ! -e none.dtr ] || fail "a record was written without perf"
[ ! -s out ] || fail "the command ran without perf"
expect_status 1 damo-record -g --perf ./no-such-perf --source tried-regions -o none.dtr -- ./three 100
expect_grep 'no-such-perf.*linux-perf|linux-perf.*no-such-perf|no-such-perf' err
[ ! -e none.dtr ] || fail "a record was written with a missing --perf"
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "a kdamond was created"

# A failing perf: the DAMON part is complete and closed cleanly, the record
# and stderr say what failed, with perf's own last words, exit status 3.
printf '#!/bin/sh\necho "perf: broken" >&2\nexit 1\n' >bad-perf
chmod +x bad-perf
expect_status 3 damo-record -g --perf ./bad-perf --source tried-regions -a 40ms -o bad.dtr \
	-- ./three 100
expect_grep '^damo-record: callstacks: perf record .* exited before it started \(exit status 1: perf: broken\); the DAMON part of bad.dtr is complete' err
[ "$(wc -l <err)" = 2 ] || fail "perf's message was not only in the error line: $(cat err)"
expect_ok damo-info --verify bad.dtr
expect_ok damo-info bad.dtr
expect_grep '^closed cleanly: yes' out
expect_grep '^snapshots: [1-9]' out
expect_grep '^stack samples: 0' out
expect_grep '^meta: callstacks_error = perf record .* exited before it started' out
expect_grep '^meta: stop_reason = target exited' out
ls bad.dtr.perf* 2>/dev/null && fail "perf's data file was left behind"
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "kdamond not removed"

# A perf whose data fills the disk when it is stopped, as perf reports it
# (its progress notes after the error are not the reason).
cat >full-perf <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
echo "[ perf record: Woken up 1 times to write data ]" >&2
echo data >"$out"
trap 'echo "failed to write perf data, error: No space left on device" >&2
echo "[ perf record: Captured and wrote 0.000 MB $out ]" >&2; exit 255' INT
while :; do sleep 0.05; done
SH
chmod +x full-perf
expect_status 3 damo-record -g --perf ./full-perf --source tried-regions -a 40ms -o full.dtr \
	-- ./three 100
expect_grep '^damo-record: callstacks: perf record failed \(exit status 255: failed to write perf data, error: No space left on device\); the DAMON part of full.dtr is complete' err
expect_ok damo-info full.dtr
expect_grep '^meta: callstacks_error = perf record failed \(exit status 255: failed to write perf data, error: No space left on device\)' out

# SIGKILL: perf is stopped with SIGINT, as at a normal stop (so it completes
# its data, which stays behind), instead of recording on without end.  This
# perf writes its data file at once, notes its pid and the pid it follows,
# and what stopped it.
cat >sig-perf <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do
	case $1 in -o) out=$2 ;; -p) target=$2 ;; esac
	shift
done
echo "$$ $target" >>left.pids
echo data >"$out"
trap 'echo SIGINT >"$out.stopped-by"; exit 0' INT
while :; do sleep 0.05; done
SH
chmod +x sig-perf
damo-record -g --perf ./sig-perf --source tried-regions -a 40ms -o killed.dtr -- sleep 60 \
	>/dev/null 2>killed.err &
rpid=$!
for i in $(seq $((100 * DT_SLOWDOWN))); do
	[ -s left.pids ] && break
	sleep 0.1
done
[ -s left.pids ] || fail "sig-perf did not start: $(cat killed.err)"
sleep 1
kill -KILL $rpid
wait $rpid 2>/dev/null || true
for i in $(seq $((100 * DT_SLOWDOWN))); do
	[ -e killed.dtr.perf-*.stopped-by ] 2>/dev/null && break
	sleep 0.1
done
ls killed.dtr.perf-*.stopped-by >/dev/null 2>&1 || fail "perf was not stopped when damo-record was killed"
expect_grep '^SIGINT$' killed.dtr.perf-*.stopped-by
for i in $(seq $((50 * DT_SLOWDOWN))); do
	kill -0 "$(cut -d' ' -f1 left.pids)" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$(cut -d' ' -f1 left.pids)" 2>/dev/null && fail "perf still runs after damo-record was killed"
expect_grep '^data$' killed.dtr.perf-??????
exit 0
