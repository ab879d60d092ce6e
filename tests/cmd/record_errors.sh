#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-record's command line and its clear refusals: bad options, no DAMON,
# DAMON busy (nothing touched, nothing run), missing pid, missing tracepoint,
# unavailable operations, an unsafe output path.  Runs in a private mount
# namespace with tmpfs over DAMON sysfs and tracefs (tests/fakes/ns.bash).
source "$(dirname "$0")/../fakes/ns.bash"
source "$(dirname "$0")/lib.sh"
trap 'stop_fake_kernel; rm -rf "$TEST_TMP"' EXIT

expect_ok damo-record --help
expect_grep '^Usage: damo-record \[options\] TARGET' out
expect_grep 'include_child_tasks' out
expect_grep 'exclude_child_tasks' out
expect_grep 'source SOURCE' out
expect_ok damo-record --version
expect_grep '^damo-record \(damotrace\) ' out

# Bad command lines: status 2 and one line naming the problem.
expect_status 2 damo-record
expect_grep 'no TARGET given' err
expect_status 2 damo-record -s 5parsecs paddr
expect_grep "-s: '5parsecs' is not a duration" err
expect_status 2 damo-record -s 5ms -a 1ms paddr
expect_grep 'aggregation interval \(1000 us\) is shorter than the sampling interval \(5000 us\)' err
expect_status 2 damo-record -n 2 paddr
expect_grep 'need 3 <= minr' err
expect_status 2 damo-record -r 0x5000-0x3000 paddr
expect_grep 'end is not above start' err
expect_status 2 damo-record --ops vvaddr paddr
expect_status 2 damo-record --source perf paddr
expect_grep "'perf' is not tracepoint or tried-regions" err
expect_status 2 damo-record --timeout soon paddr
expect_status 2 damo-record ./a ./b
expect_grep 'one TARGET expected' err
expect_status 2 damo-record paddr -- true
expect_status 2 damo-record --
expect_grep 'no command after --' err
expect_status 2 damo-record --no-such-option paddr
expect_status 2 damo-record "sh -c 'unterminated"
expect_grep 'unterminated' err
expect_status 2 damo-record --source tried-regions --dump-raw raw.cap paddr
expect_status 2 damo-record --mmap-pages 3 paddr
expect_grep "not a power of 2" err

# No DAMON at all: the private tmpfs is empty.
expect_status 1 damo-record paddr
expect_grep '^damo-record: DAMON is not available: /sys/kernel/mm/damon/admin does not exist' err
[ "$(wc -l <"$TEST_TMP/err")" = 1 ] || fail "more than one error line"

# Not root.
fake_tree
expect_status 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$DT_BIN/damo-record" paddr
expect_grep 'must run as root' err

# DAMON busy: the refusal names the kdamond, its state and operations;
# nothing in the tree changes, no record is written, the command never runs.
fake_tree --busy --ops paddr
before=$(tree_digest)
expect_status 1 damo-record -o busy.dtr -- sh -c 'echo ran >ran.txt'
expect_grep 'DAMON is in use: kdamond 0 is on \(pid 71, operations paddr\); nothing was changed' err
[ "$before" = "$(tree_digest)" ] || fail "the busy tree changed"
[ ! -e busy.dtr ] || fail "a record was written although DAMON is busy"
[ ! -e ran.txt ] || fail "the command ran although DAMON is busy"

# A pid that does not exist.
fake_tree
expect_status 1 damo-record --source tried-regions 2147483646
expect_grep 'no process with pid 2147483646' err

# No tracefs: the message says how to get it or what to use instead.
expect_status 1 damo-record -o t.dtr -- true
expect_grep 'tracepoint is not available \(tracefs is not mounted\).*--source tried-regions' err
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "a kdamond was created"

# Operations this kernel lacks (like the build host: paddr only).
fake_tree --ops paddr
fake_kernel
expect_status 1 damo-record --source tried-regions -o t.dtr -- true
expect_grep "operations 'vaddr' are not available on this kernel \(avail_operations: paddr\); record 'paddr' instead" err
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "the created kdamond was not removed"
[ ! -e t.dtr ] || fail "an empty record was left behind"
stop_fake_kernel

# The tracepoint is there but perf cannot open it: DAMON is stopped and
# removed again, the command never ran.
sed 's/^ID: .*/ID: 2147483000/' "$FAKES/damon_aggregated-6.12.format" >bad-id.format
fake_tree --tracefs "$TRACEFS" bad-id.format
fake_kernel
echo "an earlier record" >t.dtr
expect_status 1 damo-record -o t.dtr -- sh -c 'echo ran >ran.txt'
expect_grep 'perf_event_open \(type 2, config 2147483000.*; without perf events, use --source tried-regions' err
[ "$(cat t.dtr)" = "an earlier record" ] || fail "the earlier record was not put back"
[ ! -e t.dtr.old ] || fail "t.dtr.old left behind"
[ "$(cat $DAMON_SYSFS/admin/kdamonds/0/state)" = off ] || fail "DAMON left on"
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "the kdamond was not removed"
[ ! -e ran.txt ] || fail "the command ran"
stop_fake_kernel

# Unsafe or impossible outputs, refused before DAMON is touched.
fake_tree
echo secret >target-file
ln -s target-file link.dtr
expect_status 1 damo-record --source tried-regions -o link.dtr paddr
expect_grep 'link.dtr: exists and is a symbolic link; refusing to replace it' err
[ "$(cat target-file)" = secret ] || fail "the symlink target changed"
mkdir dir.dtr
expect_status 1 damo-record --source tried-regions -o dir.dtr paddr
expect_grep 'dir.dtr: exists and is not a regular file' err
expect_status 1 damo-record --source tried-regions -o /nonexistent/dir/x.dtr paddr
expect_grep '/nonexistent/dir/x.dtr: cannot create: No such file or directory' err
[ "$(cat $DAMON_SYSFS/admin/kdamonds/nr_kdamonds)" = 0 ] || fail "a kdamond was created"

# Replaying something that is not a capture.
echo "not a capture" >junk.cap
expect_status 1 damo-record --replay-raw junk.cap -o r.dtr
expect_grep 'junk.cap: offset 0: not a damotrace raw capture' err
expect_status 1 damo-record --replay-raw missing.cap -o r.dtr
expect_grep 'missing.cap: No such file or directory' err
expect_status 2 damo-record --replay-raw junk.cap paddr
printf 'DAMOTRACE-RAW 1\nsample_type 1158\nformat 20\nname: damon_aggregat\nrecords\n' >badfmt.cap
expect_status 1 damo-record --replay-raw badfmt.cap -o r.dtr
expect_grep '^damo-record: badfmt.cap: event format: ' err
[ "$(wc -l <"$TEST_TMP/err")" = 1 ] || fail "more than one error line"
# A damaged field line is named by its line, and never reaches libtraceevent
# (which leaked on it).
printf 'DAMOTRACE-RAW 1\nsample_type 1158\nformat 44\nname: damon_aggregated\nID: 4\nformat:\nfield:s\nrecords\n' >badfield.cap
expect_status 1 damo-record --replay-raw badfield.cap -o r.dtr
expect_grep '^damo-record: badfield.cap: event format: damon_aggregated format: line 4: not a field description' err
[ "$(wc -l <"$TEST_TMP/err")" = 1 ] || fail "more than one error line"
