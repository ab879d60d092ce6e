#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Crash consistency of the record writer: damo-synth writing a long record
# is killed with SIGKILL at random moments.  Every killed record opens, is
# the beginning of the complete one byte for byte, verifies with only an
# unclean end to report, and damo-info says how much was recovered and
# that it was not closed cleanly.  One writer stopped at increasing random
# moments shows the recovered snapshots never decrease as the kill comes
# later.  The writers stream to standard output redirected to a file, as a
# recording writes in place (an output named with -o is replaced only when
# complete, so a killed one never appears).  A kill during damo-convert's
# .dtr output leaves the existing output untouched and no temporary file.
# The delays come from a seed printed first; DT_CRASH_SEED=N replays them.
source "$(dirname "$0")/lib.sh"

seed=${DT_CRASH_SEED:-$(($(date +%s%N) % 1000000))}
echo "crash_kill: seed $seed (DT_CRASH_SEED=$seed reproduces the kill delays)"
RANDOM=$seed
# long enough to be killed while writing (shorter where commands are slow)
snapshots=$((20000 / DT_SLOWDOWN))
synth=(damo-synth --snapshots "$snapshots" --stacks --seed 3)

now_ms() { echo $(($(date +%s%N) / 1000000)); }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# field LABEL FILE: the number after "LABEL: " in damo-info's text
field() { sed -n "s/^$1: \([0-9]*\).*/\1/p" "$2"; }

# check_killed FILE [REFERENCE]: what a killed writer left is a readable,
# unclosed record (or one whose last chunk the kill tore, readable with
# --salvage up to it) whose snapshots are the first ones of REFERENCE (compared
# by content: the writer also flushes by time, so chunk boundaries, and
# bytes, depend on how fast it ran); prints its snapshot count.
check_killed() {
	local f=$1 ref=${2:-} size
	size=$(stat -c %s "$f")
	if [ "$size" -lt 16 ]; then
		# killed before the header was complete: nothing was recorded
		expect_status 1 damo-info "$f"
		expect_grep "^damo-info: $f: (empty input|truncated at offset $size)" err
		echo 0
		return
	fi
	local st=0
	damo-info --verify "$f" >verify.out 2>&1 || st=$?
	if [ "$st" != 0 ] && grep -q 'truncated chunk' verify.out; then
		# SIGKILL can cut a write short: the last chunk is torn.  --verify
		# names it as the record's end and --salvage reads what precedes it.
		local valid
		valid=$(sed -n 's/.*at offset [0-9]*; the first \([0-9]*\) bytes.*/\1/p' verify.out)
		[ -n "$valid" ] || fail "$f: $(cat verify.out)"
		! grep -q 'next intact chunk' verify.out || fail "$f: intact chunks after the torn one: $(cat verify.out)"
		expect_ok damo-info --salvage "$f"
		expect_grep "^closed cleanly: no; damaged at offset $valid, recovered $valid bytes" out
		echo "$f: last chunk torn by the kill; $valid bytes before it recovered" >&2
		field snapshots out
		return
	fi
	expect_ok damo-info "$f"
	if grep -q '^closed cleanly: yes' out; then
		# the writer finished before the kill
		[ -z "$ref" ] || [ "$(field snapshots out)" = "$(field snapshots "$ref.info")" ] ||
			fail "$f was closed cleanly with fewer snapshots than $ref"
		field snapshots out
		return
	fi
	expect_grep "^closed cleanly: no \(no end marker\); recovered $size bytes \([0-9]+ chunks\)" out
	local n
	n=$(field snapshots out)
	[ -n "$n" ] || fail "damo-info $f: no snapshot count"
	expect_ok damo-info --verify "$f"
	expect_grep "^$f: ok, [0-9]+ chunks, $size bytes, not closed cleanly" out
	expect_ok damo-info --json "$f"
	expect_grep '"clean_close": *false' out
	# the other commands read it too, and find the reference's first snapshots
	expect_ok damo-wss -i "$f"
	if [ -n "$ref" ]; then
		expect_ok damo-convert "$f" --to csv --what wss
		[ "$(wc -l <out)" = $((n + 1)) ] || fail "$f: $(wc -l <out) WSS rows for $n snapshots"
		head -n $((n + 1)) "$ref.wss" | cmp -s - out || fail "$f does not hold the first $n snapshots of $ref"
	fi
	echo "$n"
}

# The complete record, and how long writing it takes here.
start=$(now_ms)
expect_ok "${synth[@]}" -o complete.dtr
duration=$(($(now_ms) - start))
expect_ok damo-info complete.dtr
expect_grep '^closed cleanly: yes' out
total=$(field snapshots out)
cp out complete.dtr.info
[ "$total" = "$snapshots" ] || fail "the complete record has $total snapshots"
expect_ok damo-convert complete.dtr --to csv --what wss
cp out complete.dtr.wss
echo "crash_kill: a complete record takes $duration ms"

# Independent writers, each killed once at a random moment.
for i in 1 2 3 4 5; do
	delay=$((RANDOM % (duration + 1)))
	"${synth[@]}" -o - >"killed$i.dtr" &
	pid=$!
	sleep_ms "$delay"
	kill -KILL "$pid" 2>/dev/null || true
	st=0
	wait "$pid" || st=$?
	[ "$st" = 137 ] || [ "$st" = 0 ] || fail "damo-synth exited $st, expected SIGKILL or success"
	[ -s "killed$i.dtr" ] || { echo "kill $i after $delay ms: before the record was created"; continue; }
	n=$(check_killed "killed$i.dtr" complete.dtr)
	echo "kill $i after $delay ms (status $st): $(stat -c %s "killed$i.dtr") bytes, $n of $total snapshots recovered"
done

# One writer, stopped at increasing random moments: what is on disk at each
# stop is what a SIGKILL then would leave (the page cache keeps the file,
# the process's buffers are lost either way).  The last stop is a SIGKILL.
# The writer flushes chunks by time too, so a stopped writer's chunks differ
# from an uninterrupted one's: each stop is compared with the previous one,
# which it must extend without rewriting a byte.
delays=()
for i in 1 2 3 4 5 6; do delays+=($((RANDOM % (duration + 1)))); done
mapfile -t delays < <(printf '%s\n' "${delays[@]}" | sort -n)
"${synth[@]}" -o - >growing.dtr &
pid=$!
elapsed=0 previous=-1 k=0
for delay in "${delays[@]}"; do
	k=$((k + 1))
	sleep_ms $((delay - elapsed))
	elapsed=$delay
	if [ "$k" = "${#delays[@]}" ]; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
	else
		kill -STOP "$pid" 2>/dev/null || true
		# the signal is asynchronous: wait until the writer is really stopped
		while [ -e "/proc/$pid/stat" ] && [ "$(cut -d' ' -f3 "/proc/$pid/stat")" != T ]; do
			sleep 0.01
		done
	fi
	if [ -s growing.dtr ]; then
		cp growing.dtr "stop$k.dtr"
		n=$(check_killed "stop$k.dtr")
		if [ "$k" -gt 1 ] && [ -e "stop$((k - 1)).dtr" ]; then
			cmp -s -n "$(stat -c %s "stop$((k - 1)).dtr")" "stop$((k - 1)).dtr" "stop$k.dtr" ||
				fail "stop$k.dtr does not begin with stop$((k - 1)).dtr: the writer rewrote what it had written"
		fi
	else
		n=0
	fi
	echo "stop $k at $delay ms: $n snapshots recovered"
	[ "$n" -ge "$previous" ] || fail "stop $k at $delay ms recovered $n snapshots, fewer than the $previous of an earlier stop"
	previous=$n
	kill -CONT "$pid" 2>/dev/null || true
done

# damo-convert writing a .dtr: killed, the previous output stays as it was
# and no temporary file is left (an anonymous one, where the filesystem
# allows; a named one that survived could only be a SIGKILL's leftover).
expect_ok damo-synth -o source.dtr --snapshots $((3000 / DT_SLOWDOWN)) --stacks --seed 5
expect_ok damo-convert source.dtr -o source.json.gz --to json_compressed
expect_ok damo-convert source.json.gz -o reference.dtr
expect_ok damo-info reference.dtr
cp out reference.dtr.info
expect_ok damo-convert reference.dtr --to csv --what wss
cp out reference.dtr.wss
start=$(now_ms)
expect_ok damo-convert source.json.gz -o timing.dtr
duration=$(($(now_ms) - start))
echo "previous output" >out.dtr
for i in 1 2 3; do
	delay=$((RANDOM % (duration + 1)))
	damo-convert source.json.gz -o out.dtr &
	pid=$!
	sleep_ms "$delay"
	kill -KILL "$pid" 2>/dev/null || true
	st=0
	wait "$pid" || st=$?
	if [ "$st" = 0 ]; then
		check_killed out.dtr reference.dtr >/dev/null
		echo "previous output" >out.dtr
		echo "convert kill $i after $delay ms: the conversion had finished"
		continue
	fi
	[ "$st" = 137 ] || fail "damo-convert exited $st"
	[ "$(cat out.dtr)" = "previous output" ] || fail "a killed conversion changed out.dtr"
	for tmp in .dt*; do
		[ -e "$tmp" ] || continue
		n=$(check_killed "$tmp" reference.dtr)
		echo "convert kill $i after $delay ms: $tmp (no O_TMPFILE here) holds $n snapshots"
		rm -f "$tmp"
	done
done
echo "crash_kill: ok"
