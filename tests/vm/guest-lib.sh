# SPDX-License-Identifier: GPL-2.0-only
# Helpers for scenario scripts running inside the damotrace microVM (busybox
# sh).  tests/vm/lib.sh puts this file at /lib/damotrace-vm.sh; a scenario
# does `. /lib/damotrace-vm.sh`.

DAMON_ADMIN=/sys/kernel/mm/damon/admin/kdamonds

say() {
	echo "[$(cut -d' ' -f1 /proc/uptime)] $*"
}

# start_stopped OUT CMD...: start CMD with stdout and stderr in OUT, stopped
# before it execs; its pid (the same after exec) is in $STARTED_PID.  The
# caller sends SIGCONT when it is ready.  Not in $(...): the scenario's own
# shell must be the parent, to wait for it.
start_stopped() {
	local out=$1
	shift
	sh -c 'kill -STOP $$; exec "$@"' sh "$@" >"$out" 2>&1 &
	STARTED_PID=$!
	wait_state "$STARTED_PID" T
}

# wait_state PID STATE: wait (at most 20 s) until /proc/PID/stat says STATE.
wait_state() {
	local i=0
	while [ $i -lt 200 ]; do
		[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "pid $1 never reached state $2" >&2
	return 1
}

# wait_exit PID SECONDS: wait for a child, killing it after SECONDS;
# prints nothing, returns its status (or 124 on timeout).
wait_exit() {
	local pid=$1 limit=$2 i=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ $i -ge $((limit * 10)) ]; then
			echo "pid $pid still running after ${limit}s: killed" >&2
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 124
		fi
		# A zombie child counts as gone.
		[ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
		sleep 0.1
		i=$((i + 1))
	done
	wait "$pid"
}

# perf_start NAME PERF-RECORD-ARGS...: run `perf record` with events
# disabled, enable them and return once perf says they are on.  The perf
# pid is in $PERF_PID_<NAME>.
perf_start() {
	local name=$1 ack
	shift
	rm -f "/tmp/perf-$name.ctl" "/tmp/perf-$name.ack"
	mkfifo "/tmp/perf-$name.ctl" "/tmp/perf-$name.ack"
	perf record -D -1 --control "fifo:/tmp/perf-$name.ctl,/tmp/perf-$name.ack" \
		"$@" >"/tmp/perf-$name.log" 2>&1 &
	eval "PERF_PID_$name=$!"
	# Opening the fifos blocks until perf has opened its ends.
	echo enable >"/tmp/perf-$name.ctl"
	read -r ack <"/tmp/perf-$name.ack"
	[ "$ack" = ack ] || { echo "perf $name: no ack ($ack)" >&2; cat "/tmp/perf-$name.log" >&2; return 1; }
}

# perf_stop NAME: SIGINT the perf record started by perf_start, wait for it.
perf_stop() {
	local pid
	eval "pid=\$PERF_PID_$1"
	kill -INT "$pid" 2>/dev/null
	wait_exit "$pid" 60
	local status=$?
	cat "/tmp/perf-$1.log"
	return $status
}

# damon_sysfs_start OPS TARGET [SAMPLE_US AGGR_US UPDATE_US]: one kdamond,
# one context, one target (a pid, or "-" for paddr's default), started.
damon_sysfs_start() {
	local ops=$1 target=$2 ctx
	echo 1 >"$DAMON_ADMIN/nr_kdamonds" || return 1
	echo 1 >"$DAMON_ADMIN/0/contexts/nr_contexts" || return 1
	ctx=$DAMON_ADMIN/0/contexts/0
	echo "$ops" >"$ctx/operations" || return 1
	echo "${3:-5000}" >"$ctx/monitoring_attrs/intervals/sample_us" &&
	echo "${4:-100000}" >"$ctx/monitoring_attrs/intervals/aggr_us" &&
	echo "${5:-1000000}" >"$ctx/monitoring_attrs/intervals/update_us" &&
	echo 10 >"$ctx/monitoring_attrs/nr_regions/min" &&
	echo 1000 >"$ctx/monitoring_attrs/nr_regions/max" || return 1
	echo 1 >"$ctx/targets/nr_targets" || return 1
	if [ "$target" != - ]; then
		echo "$target" >"$ctx/targets/0/pid_target" || return 1
	fi
	echo on >"$DAMON_ADMIN/0/state"
}

# damon_sysfs_stop: turn kdamond 0 off and remove it.
damon_sysfs_stop() {
	echo off >"$DAMON_ADMIN/0/state" 2>/dev/null
	echo 0 >"$DAMON_ADMIN/nr_kdamonds"
}
