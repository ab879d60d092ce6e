#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Regenerates every file in tests/data/perf/expected/ from the fixtures with
# FlameGraph's stackcollapse-perf.pl and difffolded.pl at the pinned commit
# (README.md lists each command).  The scripts are not part of damotrace
# (stackcollapse-perf.pl is CDDL) and CI never runs this: a person with a
# FlameGraph checkout does, after make-fixtures.sh or when the pin moves.
#
#   tests/data/perf/make-expected.sh FLAMEGRAPH_DIR
#
# FLAMEGRAPH_DIR: a checkout or `git archive` of brendangregg/FlameGraph at
# $PIN; the two scripts are checked against their SHA-256 at that commit
# (FORCE=1 writes the outputs of other versions anyway).
set -euo pipefail

PIN=41fee1f99f9276008b7cd112fca19dc3ea84ac32
SUM_COLLAPSE=74faa47a29d8df07cb06731dfd8bb94dc4c165b9d811ac6b4c9449eea2ac25d8
SUM_DIFF=55685edab6a33da695474233ff4978865a3e319e906ff27cdcfad0628ea47f5c

if [ $# -ne 1 ]; then
	echo "usage: $0 FLAMEGRAPH_DIR (brendangregg/FlameGraph at $PIN)" >&2
	exit 2
fi
fg=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
collapse=$fg/stackcollapse-perf.pl
difffolded=$fg/difffolded.pl
check_sum() { # check_sum FILE SHA256
	if [ "$(sha256sum <"$1" | cut -d' ' -f1)" != "$2" ]; then
		echo "$1 is not the version of FlameGraph $PIN" >&2
		[ -n "${FORCE:-}" ] || exit 1
	fi
}
check_sum "$collapse" "$SUM_COLLAPSE"
check_sum "$difffolded" "$SUM_DIFF"

out=$here/expected
mkdir -p "$out"
rm -f "$out"/*.folded "$out"/*.stderr "$out"/*.diff
export LC_ALL=C

fixture() { # the text of fixture NAME, compressed or not
	if [ -f "$here/$1.txt" ]; then
		cat "$here/$1.txt"
	else
		zstd -dc "$here/$1.txt.zst"
	fi
}

# collapse NAME TAG [OPTIONS...]: expected/NAME.TAG.folded (and .stderr when
# the script wrote anything there).
collapse() {
	local name=$1 tag=$2
	shift 2
	fixture "$name" | perl "$collapse" "$@" >"$out/$name.$tag.folded" 2>"$out/$name.$tag.stderr"
	[ -s "$out/$name.$tag.stderr" ] || rm -f "$out/$name.$tag.stderr"
}

# Every fixture: default flags, --pid, --tid, --kernel, --addrs.  --jit and
# --all only where a frame's DSO is /tmp/perf-PID.map (elsewhere --jit
# changes nothing and --all is --kernel).
for name in two-events spin-run2 cycles-instructions exec cxx cxx-params \
	cxx-spaces cxx-noindent stripped-lib threads threads-pidtid comm-space \
	comm-space-pidtid kernel kernel-notrail faults-period handmade-jit; do
	collapse "$name" default
	for opt in pid tid kernel addrs; do
		collapse "$name" "$opt" "--$opt"
	done
done
collapse handmade-jit jit --jit
collapse handmade-jit all --all

# The event filter (the default is the first event seen).
collapse two-events event-task-clock --event-filter=task-clock
collapse two-events event-cpu-clock --event-filter=cpu-clock
collapse cycles-instructions event-instructions --event-filter=instructions

# difffolded.pl prints its stacks in Perl's hash order, which changes from
# run to run: sorted here (LC_ALL=C), compare as sets of lines.
"$difffolded" "$out/two-events.default.folded" "$out/spin-run2.default.folded" \
	| sort >"$out/spin.difffolded.diff"
"$difffolded" -n "$out/two-events.default.folded" "$out/spin-run2.default.folded" \
	| sort >"$out/spin.difffolded-n.diff"
"$difffolded" -s "$out/handmade-jit.default.folded" "$out/handmade-jit.kernel.folded" \
	| sort >"$out/handmade-jit.difffolded-s.diff"
echo "$(find "$out" -type f | wc -l) files in $out"
