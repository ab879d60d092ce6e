# SPDX-License-Identifier: GPL-2.0-only
# The check-vm scenarios, run inside the microVM by /init (busybox sh).
# Each scenario writes its files into $RESULTS/NAME/; the host checks them
# (tests/vm/run.sh).  Nothing is judged here: a step that fails leaves its
# exit status and messages for the host to report.
. /lib/damotrace-vm.sh

PHASE_S=${PHASE_S:-2}  # seconds per phase of the phases workload
BUF_MIB=${BUF_MIB:-32}

cat /proc/iomem >"$RESULTS/iomem.txt"
grep -E 'MemTotal|MemFree' /proc/meminfo >"$RESULTS/meminfo.txt"

# raw: DAMON through sysfs alone, the tracepoint read by perf, and perf's
# callstacks of the same workload; proves the kernel side, independent of
# damo-record.
scenario_raw() {
	local d=$RESULTS/raw pid
	mkdir -p "$d"
	pid=$(start_stopped "$d/phases.out" phases "$PHASE_S" "$BUF_MIB") || return 1
	perf_start damon -q -e damon:damon_aggregated -a -k mono -o /tmp/damon.data || return 1
	perf_start stacks -q -g -k mono -e cpu-clock -F 499 -p "$pid" -o /tmp/stacks.data || return 1
	damon_sysfs_start vaddr "$pid" 5000 100000 1000000 || return 1
	say "raw: DAMON on for pid $pid"
	cat "$DAMON_ADMIN/0/pid" >"$d/kdamond.pid"
	kill -CONT "$pid"
	wait_exit "$pid" 60
	echo $? >"$d/workload.status"
	damon_sysfs_stop
	perf_stop damon >"$d/perf-damon.log" 2>&1
	perf_stop stacks >"$d/perf-stacks.log" 2>&1
	say "raw: perf script"
	perf script --ns -i /tmp/damon.data >"$d/damon.perf.txt" 2>"$d/perf-script-damon.log"
	perf script --ns -i /tmp/stacks.data >"$d/stacks.perf.txt" 2>"$d/perf-script-stacks.log"
	rm -f /tmp/damon.data /tmp/stacks.data
	echo 0 >"$d/status"
}

for s in ${SCENARIOS:-raw}; do
	say "scenario $s"
	"scenario_$s"
	echo "scenario $s: exit $?"
done
say "all scenarios done"
