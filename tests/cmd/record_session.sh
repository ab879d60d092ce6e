#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A recording session against a fake kernel (tests/fakes/fake-kdamond) in
# a private mount namespace: damo-record starts a command only once DAMON
# is on, stops cleanly when it exits, on --timeout, SIGINT and SIGTERM,
# writes exactly the DAMON configuration asked for, removes its kdamond,
# keeps an earlier record as .old, and under sudo runs the command as the
# invoking user and gives them the record.
source "$(dirname "$0")/../fakes/ns.bash"
source "$(dirname "$0")/lib.sh"
trap 'stop_fake_kernel; rm -rf "$TEST_TMP"' EXIT

kd=$DAMON_SYSFS/admin/kdamonds/0
ctx=$kd/contexts/0

# damon_turned_on_after N PID ERR: wait until the fake kernel has logged
# more than N "on" commands, i.e. the recorder PID started in the
# background (its stderr in ERR) has turned DAMON on.  Its signal handlers
# are in place by then; before, a SIGINT would be lost (a background job of
# a script starts with SIGINT ignored).  A recorder that ends first fails
# the test with its own words; a loaded machine gets a minute.
ons() { grep -c '^on$' "$DAMON_SYSFS/fake-kdamond.log" || true; }
damon_turned_on_after() {
	local i
	for i in $(seq $((600 * DT_SLOWDOWN))); do
		[ "$(ons)" -gt "$1" ] && return 0
		kill -0 "$2" 2>/dev/null ||
			fail "the recorder ended before turning DAMON on: $(cat "$3")"
		sleep 0.1
	done
	fail "the recorder did not turn DAMON on within $((60 * DT_SLOWDOWN)) s;" \
		"its stderr: $(cat "$3"); the fake kernel's last commands:" \
		"$(tail -n 5 "$DAMON_SYSFS/fake-kdamond.log" | tr '\n' ' ')"
}

# A command, stopped by its exit.  It runs only once DAMON is on.  (Its
# children, cat and sleep, are left out here: one target.)
fake_tree
fake_kernel
expect_ok damo-record --exclude_child_tasks --source tried-regions -s 2ms -a 40ms -u 400ms -n 5 \
	-m 500 -o rec.dtr -- sh -c "cat $kd/pid; sleep 1"
expect_grep "^[1-9][0-9]*$" out
expect_grep '^damo-record: stopped \(target exited\) after .*: [1-9][0-9]* snapshots \(0 incomplete' err
[ "$(cat $ctx/operations)" = vaddr ] || fail "operations not vaddr"
[ "$(cat $ctx/monitoring_attrs/intervals/sample_us)" = 2000 ] || fail "sample_us"
[ "$(cat $ctx/monitoring_attrs/intervals/aggr_us)" = 40000 ] || fail "aggr_us"
[ "$(cat $ctx/monitoring_attrs/intervals/update_us)" = 400000 ] || fail "update_us"
[ "$(cat $ctx/monitoring_attrs/nr_regions/min)" = 5 ] || fail "min regions"
[ "$(cat $ctx/monitoring_attrs/nr_regions/max)" = 500 ] || fail "max regions"
[ "$(cat $ctx/targets/nr_targets)" = 1 ] || fail "nr_targets"
[ "$(cat $ctx/schemes/0/action)" = stat ] || fail "the scheme is not 'stat'"
[ "$(cat $kd/state)" = off ] || fail "DAMON left on"
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "kdamond not removed"
expect_grep '^update_schemes_tried_regions$' "$DAMON_SYSFS/fake-kdamond.log"
[ "$(stat -c %a rec.dtr)" = 600 ] || fail "record mode $(stat -c %a rec.dtr), expected 600"
expect_ok damo-info --verify rec.dtr
expect_ok damo-info rec.dtr
expect_grep '^closed cleanly: yes' out
expect_grep '^meta: source = tried-regions' out
expect_grep '^meta: sampling = tried-regions samples aggregations' out
expect_grep '^meta: stop_reason = target exited' out
expect_grep 'cmdline "sh -c cat ' out
expect_grep '^clocks: start, record on monotonic, monotonic [0-9]+, perf [0-9]+, realtime' out
expect_grep '^clocks: end,' out
expect_grep 'sample 2000 us, aggr 40000 us, update 400000 us' out
expect_grep '^memory maps: [1-9]' out
expect_grep '^snapshots: [1-9]' out
# a footprint after every snapshot while the command lives (not after it
# exited: the last snapshot may have none)
snaps=$(sed -n 's/^snapshots: //p' out)
fps=$(sed -n 's/^footprints: //p' out)
[ "$fps" -ge 1 ] && [ "$fps" -le "$snaps" ] && [ "$fps" -ge $((snaps - 1)) ] ||
	fail "$fps footprints for $snaps snapshots"
# read from the command's /proc: its pid, a resident size, the system's memory
expect_ok damo-convert rec.dtr --what footprint -t csv
awk -F, 'NR > 1 && $5 > 1 && $7 > 0 && $7 <= $6 && $16 >= 1 && $17 > $7 { ok++ }
	END { exit !(ok == NR - 1 && ok > 0) }' out || { head -3 out >&2; fail "footprint rows"; }

# Progress only on a terminal: elapsed, snapshots, regions, WSS.
expect_no_grep 'WSS' err
script -qec "damo-record --source tried-regions -a 50ms --timeout 1 -o tty.dtr paddr" /dev/null \
	>tty.out </dev/null || fail "damo-record on a terminal failed: $(cat tty.out)"
expect_grep 'damo-record: [0-9.]+ (ms|s), [0-9]+ snapshots, [0-9]+ regions, WSS ' tty.out

# paddr for a while, stopped by --timeout; the earlier record is kept as .old.
cp rec.dtr first.dtr
expect_ok damo-record --source tried-regions -a 50ms --timeout 0.6 -o rec.dtr paddr
expect_grep 'stopped \(timeout\)' err
expect_same_file first.dtr rec.dtr.old
[ "$(cat $ctx/operations)" = paddr ] || fail "operations not paddr"
ram=$(awk -F' : ' '$2 == "System RAM" && $1 !~ /^ / { print $1; exit }' /proc/iomem)
[ "$(printf '%x' "$(cat $ctx/targets/0/regions/0/start)")" = "$(echo "${ram%-*}" | sed 's/^0*//')" ] ||
	fail "paddr region 0 does not start at the first System RAM range ($ram)"
expect_ok damo-info rec.dtr
expect_grep '^meta: stop_reason = timeout' out
expect_grep 'ops paddr' out

# Given ranges, and SIGINT.
on_before=$(ons)
damo-record --source tried-regions -a 50ms -r 4096-8192,16384-32768 -o int.dtr paddr \
	>/dev/null 2>int.err &
rpid=$!
damon_turned_on_after "$on_before" $rpid int.err
sleep 0.7
kill -INT $rpid
status=0
wait $rpid || status=$?
[ $status = 0 ] || { cat int.err >&2; fail "SIGINT: status $status"; }
expect_grep 'stopped \(signal, SIGINT\)' int.err
[ "$(cat $ctx/targets/0/regions/nr_regions)" = 2 ] || fail "nr_regions for -r"
[ "$(cat $ctx/targets/0/regions/1/start)" = 16384 ] || fail "region 1 start"
[ "$(cat $ctx/targets/0/regions/1/end)" = 32768 ] || fail "region 1 end"
expect_ok damo-info int.dtr
expect_grep '^meta: stop_signal = SIGINT' out
expect_grep '^closed cleanly: yes' out

# A running process by pid, and SIGTERM.
sleep 30 &
spid=$!
# The background job is a copy of this shell until it executes sleep.
for i in $(seq 100); do
	[[ "$(tr '\0' ' ' </proc/$spid/cmdline)" == "sleep 30"* ]] && break
	sleep 0.05
done
on_before=$(ons)
damo-record --source tried-regions -a 50ms -o term.dtr $spid >/dev/null 2>term.err &
rpid=$!
damon_turned_on_after "$on_before" $rpid term.err
sleep 0.7
kill -TERM $rpid
status=0
wait $rpid || status=$?
[ $status = 0 ] || { cat term.err >&2; fail "SIGTERM: status $status"; }
expect_grep 'stopped \(signal, SIGTERM\)' term.err
[ "$(cat $ctx/targets/0/pid_target)" = $spid ] || fail "pid_target"
kill $spid
expect_ok damo-info term.dtr
expect_grep "pid $spid, cmdline \"sleep 30\"" out

# The kernel changes the intervals (as its auto-tuning does): the record
# gets the new ones from then on.
on_before=$(ons)
damo-record --source tried-regions -a 50ms --timeout 2.5 -o tune.dtr paddr >/dev/null 2>tune.err &
rpid=$!
damon_turned_on_after "$on_before" $rpid tune.err
sleep 0.8
echo 80000 >$ctx/monitoring_attrs/intervals/aggr_us
wait $rpid || fail "recording with changed intervals failed: $(cat tune.err)"
expect_ok damo-info tune.dtr
expect_grep 'intervals: .* aggr 50000 us' out
expect_grep 'intervals: .* aggr 80000 us' out

# A monitored pid that exits ends the recording too.
# (lives long enough for damo-record to start, however slowly it does)
sleep "$(awk "BEGIN { print 0.5 * $DT_SLOWDOWN }")" &
spid=$!
expect_ok damo-record --source tried-regions -a 50ms -o exit.dtr $spid
expect_grep 'stopped \((target exited|DAMON turned off)\)' err

# Children become targets by default, as in damo (committed to the running
# kdamond) and the record's context lists them; --exclude_child_tasks
# leaves them out.
expect_ok damo-record --exclude_child_tasks --source tried-regions -a 50ms -o nokids.dtr \
	-- sh -c 'sleep 1.6 & sleep 1.7; wait'
[ "$(cat $ctx/targets/nr_targets)" = 1 ] || fail "--exclude_child_tasks added children"
expect_ok damo-record --source tried-regions -a 50ms -o kids.dtr \
	-- sh -c 'sleep 1.6 & sleep 1.7; wait'
[ "$(cat $ctx/targets/nr_targets)" = 3 ] || fail "children were not added as targets"
expect_grep '^commit$' "$DAMON_SYSFS/fake-kdamond.log"
expect_ok damo-info kids.dtr
expect_grep 'target 1: id 1, pid [0-9]+, cmdline "sleep 1.6"' out
expect_grep 'target 2: id 2, pid [0-9]+, cmdline "sleep 1.7"' out

# Under sudo: the command runs as the invoking user, the record is theirs.
expect_ok env SUDO_UID=65534 SUDO_GID=65534 damo-record --source tried-regions -a 50ms \
	-o sudo.dtr -- sh -c 'echo "uid=$(id -u) gid=$(id -g)"'
expect_grep '^uid=65534 gid=65534$' out
[ "$(stat -c %u:%g:%a sudo.dtr)" = 65534:65534:600 ] || fail "sudo.dtr is $(stat -c %u:%g:%a sudo.dtr)"
expect_ok env SUDO_UID=65534 SUDO_GID=65534 damo-record --source tried-regions -a 50ms --as-root \
	-o root.dtr -- sh -c 'echo "uid=$(id -u)"'
expect_grep '^uid=0$' out

# A command that cannot run: a clear error, DAMON stopped and removed.
expect_status 1 damo-record --source tried-regions -o none.dtr -- ./no-such-program
expect_grep "cannot run './no-such-program': No such file or directory" err
[ "$(cat $kd/state)" = off ] || fail "DAMON left on"
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "kdamond not removed"

# SIGKILL: nothing runs in the recorder any more, but its guardian turns
# DAMON off and removes the kdamond, and the record reads up to its last
# chunk (flushed at least every second).
on_before=$(ons)
damo-record --source tried-regions -a 50ms -o killed.dtr paddr >/dev/null 2>killed.err &
rpid=$!
damon_turned_on_after "$on_before" $rpid killed.err
sleep 2.5
kill -0 $rpid 2>/dev/null || fail "the recorder ended before SIGKILL: $(cat killed.err)"
kill -KILL $rpid
wait $rpid 2>/dev/null || true
# (waiting up to 20 s: the guardian is quick, but a loaded machine is not)
for i in $(seq $((200 * DT_SLOWDOWN))); do
	[ "$(cat $kd/state)" = off ] && [ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] && break
	sleep 0.1
done
[ "$(cat $kd/state)" = off ] || fail "DAMON left on after SIGKILL"
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "kdamond left after SIGKILL"
expect_ok damo-info --salvage killed.dtr
expect_grep '^closed cleanly: no' out
expect_grep '^snapshots: [1-9]' out
