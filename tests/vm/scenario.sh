# SPDX-License-Identifier: GPL-2.0-only
# The check-vm scenarios, run inside the microVM by /init (busybox sh).
# Each scenario writes its files into $RESULTS/NAME/; the host checks them
# (tests/vm/run.sh).  Nothing is judged here: a step that fails leaves its
# exit status and messages for the host to report.
. /lib/damotrace-vm.sh

PHASE_S=${PHASE_S:-3}  # seconds per phase of the phases workload
BUF_MIB=${BUF_MIB:-32}

cat /proc/iomem >"$RESULTS/iomem.txt"
grep -E 'MemTotal|MemFree' /proc/meminfo >"$RESULTS/meminfo.txt"

# raw: DAMON through sysfs alone, the tracepoint read by perf, and perf's
# callstacks of the same workload; proves the kernel side, independent of
# damo-record.
scenario_raw() {
	local d=$RESULTS/raw pid
	mkdir -p "$d"
	start_stopped "$d/phases.out" phases "$PHASE_S" "$BUF_MIB" || return 1
	pid=$STARTED_PID
	perf_start damon -q -B -N -e damon:damon_aggregated -a -k mono -o /tmp/damon.data || return 1
	perf_start stacks -q -B -N -g -k mono -e cpu-clock -F 499 -p "$pid" -o /tmp/stacks.data || return 1
	damon_sysfs_start vaddr "$pid" 5000 100000 1000000 || return 1
	say "raw: DAMON on for pid $pid"
	cat "$DAMON_ADMIN/0/pid" >"$d/kdamond.pid"
	kill -CONT "$pid"
	wait_exit "$pid" 60
	echo $? >"$d/workload.status"
	say "raw: workload done"
	damon_sysfs_stop
	perf_stop damon >"$d/perf-damon.log" 2>&1
	perf_stop stacks >"$d/perf-stacks.log" 2>&1
	say "raw: perf stopped; perf script"
	perf script --ns -i /tmp/damon.data >"$d/damon.perf.txt" 2>"$d/perf-script-damon.log"
	perf script --ns -i /tmp/stacks.data >"$d/stacks.perf.txt" 2>"$d/perf-script-stacks.log"
	rm -f /tmp/damon.data /tmp/stacks.data
	echo 0 >"$d/status"
}

# record_cmd: damo-record starts the workload itself and stops when it exits.
scenario_record_cmd() {
	local d=$RESULTS/record_cmd
	mkdir -p "$d"
	timeout 120 damo-record -o "$d/rec.dtr" -- phases "$PHASE_S" "$BUF_MIB" \
		>"$d/phases.out" 2>"$d/stderr"
	echo $? >"$d/status"
}

# record_sigint: SIGINT once the workload is past its phases (it then idles).
scenario_record_sigint() {
	local d=$RESULTS/record_sigint rpid wpid i=0
	mkdir -p "$d"
	damo-record -o "$d/rec.dtr" -- phases "$PHASE_S" "$BUF_MIB" 60 \
		>"$d/phases.out" 2>"$d/stderr" &
	rpid=$!
	while ! grep -q '^end ' "$d/phases.out" 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
	say "record_sigint: SIGINT to $rpid"
	kill -INT "$rpid"
	wait_exit "$rpid" 60
	echo $? >"$d/status"
	wpid=$(awk '$1 == "pid" { print $2 }' "$d/phases.out")
	if [ -n "$wpid" ] && kill -0 "$wpid" 2>/dev/null; then
		echo running >"$d/workload-after"
		kill -KILL "$wpid"
	else
		echo gone >"$d/workload-after"
	fi
}

# wait_line FILE PATTERN: wait (at most 30 s) for a line of FILE to match.
wait_line() {
	local i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		[ $i -lt 300 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# record_timeout: an already running process by pid, stopped by --timeout.
scenario_record_timeout() {
	local d=$RESULTS/record_timeout wpid t0 t1
	mkdir -p "$d"
	phases "$PHASE_S" "$BUF_MIB" >"$d/phases.out" 2>&1 &
	wpid=$!
	wait_line "$d/phases.out" '^phase A'
	t0=$(cut -d' ' -f1 /proc/uptime)
	timeout 60 damo-record -o "$d/rec.dtr" --timeout 3 "$wpid" >"$d/stdout" 2>"$d/stderr"
	echo $? >"$d/status"
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "$t0 $t1" >"$d/uptime"
	kill -KILL "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
}

# paddr: the physical address space while the workload runs its phases; the
# workload prints its buffers' physical pages.
scenario_paddr() {
	local d=$RESULTS/paddr wpid
	mkdir -p "$d"
	PHASES_PHYS=1 phases "$PHASE_S" "$BUF_MIB" >"$d/phases.out" 2>&1 &
	wpid=$!
	wait_line "$d/phases.out" '^phase A'
	timeout 60 damo-record -o "$d/rec.dtr" --timeout 4 paddr >"$d/stdout" 2>"$d/stderr"
	echo $? >"$d/status"
	kill -KILL "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
}

# record_sigterm: SIGTERM stops cleanly too (short phases, idle tail).
scenario_record_sigterm() {
	local d=$RESULTS/record_sigterm rpid wpid
	mkdir -p "$d"
	damo-record -o "$d/rec.dtr" -- phases 1 8 60 >"$d/phases.out" 2>"$d/stderr" &
	rpid=$!
	wait_line "$d/phases.out" '^end '
	kill -TERM "$rpid"
	wait_exit "$rpid" 60
	echo $? >"$d/status"
	wpid=$(awk '$1 == "pid" { print $2 }' "$d/phases.out")
	[ -n "$wpid" ] && kill -KILL "$wpid" 2>/dev/null
}

# now_s: CLOCK_MONOTONIC in seconds, to 10 ms (the VM never suspends, so
# /proc/uptime's boot time is the monotonic clock of the records).
now_s() {
	cut -d' ' -f1 /proc/uptime
}

# sleep_ms MS
sleep_ms() {
	sleep "$(awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }')"
}

# processes: "PID (NAME) STATE" of every process
processes() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk '{ print $1, $2, $3 }'
}

# wait_gone NAME SECONDS: wait until no process whose name starts with NAME
# is alive (zombies count as gone), for at most SECONDS of uptime (listing
# the processes takes a while under emulation); 1 if one still is.
wait_gone() {
	local until
	until=$(awk -v t="$(now_s)" -v s="$2" 'BEGIN { print t + s }')
	while processes | awk -v p="($1" '$3 != "Z" && index($2, p) == 1 { f = 1 } END { exit !f }'; do
		awk -v t="$(now_s)" -v u="$until" 'BEGIN { exit !(t < u) }' || return 1
		sleep 0.1
	done
}

# record_sigkill: damo-record killed with SIGKILL at the moments in KILLS
# (from the kernel command line, chosen on the host from a printed seed):
# comma-separated MODE:MS, one recording each.  MODE "plain" kills MS after
# damo-record was started (early ones land in its setup); MODE "g" records
# with -g and kills MS after the workload's phase A began (perf running).
# After each kill: the recorder's guardian turns the kdamond off and removes
# it, perf (with -g) stops by itself and leaves its data, and the record is
# readable up to its last chunk.
scenario_record_sigkill() {
	local k=0 spec mode ms d rpid wpid i g
	for spec in $(echo "${KILLS:-plain:300,plain:2000,plain:6000,g:1500}" | tr , " "); do
		k=$((k + 1))
		mode=${spec%%:*} ms=${spec#*:}
		d=$RESULTS/record_sigkill/$k
		mkdir -p "$d"
		echo "$mode $ms" >"$d/kill"
		g=
		[ "$mode" = g ] && g=-g
		now_s >"$d/launched"
		damo-record $g -o "$d/rec.dtr" -- phases 1 8 60 >"$d/phases.out" 2>"$d/stderr" &
		rpid=$!
		[ "$mode" = g ] && wait_line "$d/phases.out" '^phase A'
		sleep_ms "$ms"
		kill -KILL "$rpid"
		now_s >"$d/killed-at"
		wait "$rpid"
		echo $? >"$d/status"
		say "record_sigkill $k: $mode, killed $ms ms in (status $(cat "$d/status"))"
		i=0
		while [ "$(cat "$DAMON_ADMIN/nr_kdamonds")" != 0 ] && [ $i -lt 200 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		cat "$DAMON_ADMIN/nr_kdamonds" >"$d/nr_kdamonds-after"
		cat "$DAMON_ADMIN/0/state" >"$d/state-after" 2>/dev/null
		echo "$i" >"$d/wait-tenths"
		# The guardian has nothing left to do; perf, told by its
		# parent-death signal, writes its data and exits.
		wait_gone damo-record 20 || echo damo-record >>"$d/left-running"
		wait_gone perf 20 || echo perf >>"$d/left-running"
		processes >"$d/processes-after"
		ls "$d" >"$d/files-after"
		for f in "$d"/rec.dtr.perf-*; do
			[ -f "$f" ] || continue
			perf script -i "$f" -F time 2>"$d/perf-script.err" | wc -l >"$d/perf-samples"
			rm -f "$f"
		done
		wpid=$(awk '$1 == "pid" { print $2 }' "$d/phases.out")
		[ -n "$wpid" ] && kill -KILL "$wpid" 2>/dev/null
		[ -n "$wpid" ] && wait_gone phases 20
	done
	return 0
}

# record_full_disk: the record goes to a 256 KiB tmpfs that fills up: full
# but for a few pages, and with at least 100 regions per snapshot, so that
# the first chunks fit and a few seconds later no more.  Then the same with
# -g: perf's data goes there too, and whichever of the two needs a page
# first finds none, the record at the latest a few seconds later.
# damo-record must stop with one ENOSPC line, turn DAMON off and remove it,
# stop perf and remove its data, and leave a record that reads up to its
# last complete chunk.
scenario_record_full_disk() {
	local small=/tmp/small sub d wpid g pages
	mkdir -p "$small"
	for sub in plain g; do
		d=$RESULTS/record_full_disk/$sub
		mkdir -p "$d"
		mount -t tmpfs -o size=256k tmpfs "$small" || { echo "cannot mount" >"$d/setup"; return 1; }
		g= pages=62
		[ $sub = g ] && g=-g pages=60 # perf's data file takes a page at once
		dd if=/dev/zero of="$small/fill" bs=4k count=$pages 2>/dev/null
		# The workload's messages go elsewhere: stderr is damo-record's.
		timeout 120 damo-record $g -n 100 -o "$small/rec.dtr" -- \
			sh -c 'exec phases 1 8 20 2>/tmp/phases.err' >"$d/phases.out" 2>"$d/stderr"
		echo $? >"$d/status"
		say "record_full_disk $sub: status $(cat "$d/status")"
		cat "$DAMON_ADMIN/nr_kdamonds" >"$d/nr_kdamonds-after"
		wait_gone perf 30 || echo perf >>"$d/left-running"
		ls "$small" >"$d/files-after"
		df -k "$small" >"$d/df-after"
		cp "$small/rec.dtr" "$d/rec.dtr" 2>/dev/null
		wpid=$(awk '$1 == "pid" { print $2 }' "$d/phases.out")
		[ -n "$wpid" ] && kill -KILL "$wpid" 2>/dev/null
		[ -n "$wpid" ] && wait_gone phases 20
		umount "$small"
	done
	return 0
}

# busy: a kdamond this scenario started through sysfs is running; damo-record
# must refuse, name it, leave it alone and write no record.
scenario_busy() {
	local d=$RESULTS/busy spid
	mkdir -p "$d"
	sleep 1000 &
	spid=$!
	damon_sysfs_start vaddr "$spid" || { echo "sysfs setup failed" >"$d/setup"; return 1; }
	cat "$DAMON_ADMIN/0/state" "$DAMON_ADMIN/0/pid" >"$d/kdamond-before"
	timeout 60 damo-record -o "$d/rec.dtr" -- phases 1 8 >"$d/phases.out" 2>"$d/stderr"
	echo $? >"$d/status"
	cat "$DAMON_ADMIN/0/state" "$DAMON_ADMIN/0/pid" >"$d/kdamond-after"
	cat "$DAMON_ADMIN/nr_kdamonds" >"$d/nr_kdamonds-after"
	damon_sysfs_stop
	kill -KILL "$spid"
	wait "$spid" 2>/dev/null
	[ -e "$d/rec.dtr" ] && echo exists >"$d/rec-exists"
	return 0
}

# tried_regions: the fallback source, a DAMOS stat scheme's tried regions.
# Its phases are a second longer: on 6.12 each update_schemes_tried_regions
# request takes one or two aggregations to be answered, so a short phase
# holds too few snapshots to judge (docs/TESTING-VM.md).
scenario_tried_regions() {
	local d=$RESULTS/tried_regions
	mkdir -p "$d"
	timeout 120 damo-record --source tried-regions -o "$d/rec.dtr" -- phases "$((PHASE_S + 1))" "$BUF_MIB" \
		>"$d/phases.out" 2>"$d/stderr"
	echo $? >"$d/status"
}

# record_g: damo-record -g, snapshots and perf callstacks in one record.
scenario_record_g() {
	local d=$RESULTS/record_g
	mkdir -p "$d"
	timeout 180 damo-record -g -o "$d/rec.dtr" -- phases "$PHASE_S" "$BUF_MIB" \
		>"$d/phases.out" 2>"$d/stderr"
	echo $? >"$d/status"
	ls /results/record_g/ >"$d/files-after"
}

# record_g_sigint: -g stopped by SIGINT while the workload idles after its
# (short) phases; perf is stopped with it and both parts stay readable.
scenario_record_g_sigint() {
	local d=$RESULTS/record_g_sigint rpid wpid
	mkdir -p "$d"
	damo-record -g -o "$d/rec.dtr" -- phases 1 8 60 >"$d/phases.out" 2>"$d/stderr" &
	rpid=$!
	wait_line "$d/phases.out" '^end '
	sleep 0.5
	kill -INT "$rpid"
	wait_exit "$rpid" 120
	echo $? >"$d/status"
	wpid=$(awk '$1 == "pid" { print $2 }' "$d/phases.out")
	[ -n "$wpid" ] && kill -KILL "$wpid" 2>/dev/null
	return 0
}

# SCENARIOS (kernel command line, comma-separated) picks some; default all.
for s in $(echo "${SCENARIOS:-raw,record_cmd,record_sigint,record_sigterm,record_sigkill,record_full_disk,record_timeout,paddr,busy,tried_regions,record_g,record_g_sigint}" | tr , " "); do
	say "scenario $s"
	"scenario_$s"
	echo "scenario $s: exit $?"
	# Whatever a scenario left behind, DAMON is free for the next one.
	if [ "$(cat "$DAMON_ADMIN/nr_kdamonds")" != 0 ]; then
		say "scenario $s left a kdamond: $(cat "$DAMON_ADMIN/0/state" 2>/dev/null)"
		damon_sysfs_stop
	fi
done
say "all scenarios done"
