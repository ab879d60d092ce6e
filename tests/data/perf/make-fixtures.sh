#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Re-records the real perf fixtures of tests/data/perf/ on this machine and
# rebuilds the hand-edited copies made from them (README.md lists each one).
# Needs perf, cc, c++, root or kernel.perf_event_paranoid <= 1, zstd.
# The programs are built into WORK (default /tmp/damotrace-perf-fixtures):
# their paths are in the fixtures' DSO column, so keep the default when the
# fixtures should stay comparable.  handmade-*.txt are not touched.
# Afterwards run make-expected.sh FLAMEGRAPH_DIR to refresh expected/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../programs/perf" && pwd)
work=${WORK:-/tmp/damotrace-perf-fixtures}
freq=${FREQ:-499}
mkdir -p "$work"
cd "$work"
# Real fixtures compressed by an earlier run (the hand-made ones never are).
find "$here" -maxdepth 1 -name '*.txt.zst' ! -name 'handmade-*' -delete

CFLAGS="-O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline"
# shellcheck disable=SC2086
{
	cc $CFLAGS -o spin "$src/spin.c"
	cc $CFLAGS -o exec_first "$src/exec_first.c"
	cc $CFLAGS -o exec_second "$src/exec_second.c"
	c++ $CFLAGS -o matrix "$src/matrix.cc"
	cc -O0 -fPIC -shared -fvisibility=hidden -fno-omit-frame-pointer \
		-mno-omit-leaf-frame-pointer -fno-inline -o libperfhidden.so "$src/hidden_lib.c"
	strip --strip-all libperfhidden.so
	cc $CFLAGS -o use_hidden "$src/use_hidden.c" -L. -lperfhidden -Wl,-rpath,"$work"
	cc $CFLAGS -pthread -o threads "$src/threads.c"
	cc $CFLAGS -pthread -o comm_space "$src/comm_space.c"
	cc $CFLAGS -o syscalls "$src/syscalls.c"
	cc $CFLAGS -o faults "$src/faults.c"
}

rec() { # rec DATA EVENTS [perf record options...] -- COMMAND...
	local data=$1 events=$2 opts=()
	shift 2
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	perf record -q -g -k mono -e "$events" -F "$freq" "${opts[@]}" -o "$data" -- "$@" >/dev/null
}
script() { # script DATA OUT [perf script options...]
	local data=$1 out=$2
	shift 2
	perf script -i "$data" --header "$@" >"$here/$out" 2>/dev/null
}
PIDTID=comm,pid,tid,cpu,time,period,event,ip,sym,dso

rec two-events.data cpu-clock,task-clock -- ./spin 150
script two-events.data two-events.txt
rec spin-run2.data cpu-clock -- ./spin 100
script spin-run2.data spin-run2.txt
rec exec.data cpu-clock -- ./exec_first 150 "$work/exec_second"
script exec.data exec.txt
rec cxx.data cpu-clock -- ./matrix 60
script cxx.data cxx.txt
script cxx.data cxx-params.txt -v        # -v: demangled names with argument lists
rec stripped-lib.data cpu-clock -- ./use_hidden 200
script stripped-lib.data stripped-lib.txt
rec threads.data cpu-clock --sample-cpu -- ./threads 300
script threads.data threads.txt
script threads.data threads-pidtid.txt -F "$PIDTID"
rec comm-space.data cpu-clock --sample-cpu -- ./comm_space 300
script comm-space.data comm-space.txt
script comm-space.data comm-space-pidtid.txt -F "$PIDTID"
rec kernel.data cpu-clock -- ./syscalls 150
script kernel.data kernel.txt
FREQ_SAVED=$freq freq=2000
rec faults.data page-faults -- ./faults 64   # frequency mode: periods vary
freq=$FREQ_SAVED
script faults.data faults-period.txt -F comm,pid,tid,time,period,event,ip,sym,dso

# Hand-edited copies (sed from the real ones).
sed 's/^\t/    /' "$here/cxx.txt" >"$here/cxx-spaces.txt"
sed -E 's/^\t *//' "$here/cxx.txt" >"$here/cxx-noindent.txt"
sed -e 's/cpu-clock/cycles/g' -e 's/task-clock/instructions/g' \
	"$here/two-events.txt" >"$here/cycles-instructions.txt"
sed '$d' "$here/kernel.txt" >"$here/kernel-notrail.txt"

# Fixtures over ~300 KB are kept compressed.
for f in "$here"/*.txt; do
	if [ "$(stat -c %s "$f")" -gt 300000 ]; then
		zstd -q -19 -f --rm "$f" -o "$f.zst"
	fi
done
ls -l "$here"
perf --version
uname -r
