#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-stacks -f folded against FlameGraph's stackcollapse-perf.pl: every
# perf script fixture of tests/data/perf (real perf 6.1 outputs, their
# hand-edited copies and a hand-written JIT one), with the script's default
# flags and with each of its flags, must give the script's output line for
# line (as sets of `stack count` lines), apart from the deliberate
# differences listed below.  The expected files are the output of
# stackcollapse-perf.pl and difffolded.pl at FlameGraph commit
# 41fee1f99f9276008b7cd112fca19dc3ea84ac32 (tests/data/perf/README.md); the
# script itself is not run here.
#
# The allowed differences, each undone by one named rule before comparing
# (damo-stacks(1), FOLDED STACKS, lists them for users):
#   anon-ns       frames of `(anonymous namespace)::...` are kept; the script
#                 drops any frame whose name starts with '('.
#   templates     argument lists are cut outside template arguments and
#                 braces; the script cuts at the first '(' wherever it is
#                 (`std::function<double (double)>::operator()` ->
#                 `std::function<double `).
#   operator->    `operator->` is a name; the script splits it as an inline
#                 chain (`operator` and, from `operator->()`, `;_[i]`).
#   pool-comm     the comm `Pool 2 worker` is kept whole; the script takes
#                 the first ` DIGITS ` of a header as the thread id (comm
#                 `Pool`, tid 2, pid `?`).
#   last-sample   a last sample without a blank line after it is kept; the
#                 script loses it (kernel-notrail is compared with the
#                 expected output of kernel, which it is a copy of).
# Any other difference fails the test.
source "$(dirname "$0")/lib.sh"

DATA=$DT_SRC/tests/data/perf
EXP=$DATA/expected
PIN=41fee1f99f9276008b7cd112fca19dc3ea84ac32
grep -q "$PIN" "$DATA/README.md" || fail "tests/data/perf/README.md names no FlameGraph $PIN"
export LC_ALL=C

# script_names: rules anon-ns, templates, operator-> and pool-comm on folded
# lines (stdin), counts of lines that become equal summed, sorted.
script_names() {
	awk '
	function script_cut(s,    i, rest) { # first "(" not opening "(anonymous namespace)"
		for (i = 1; i <= length(s); i++) {
			if (substr(s, i, 1) != "(") continue
			if (substr(s, i, 21) == "(anonymous namespace)") continue
			return substr(s, 1, i - 1)
		}
		return s
	}
	{
		match($0, / [0-9]+$/)
		stack = substr($0, 1, RSTART - 1); count = substr($0, RSTART + 1)
		n = split(stack, f, ";")
		out = f[1]
		if (out ~ /^Pool_2_worker/) {               # pool-comm
			sub(/^Pool_2_worker/, "Pool", out)
			sub(/-[0-9?]+\/[0-9]+$/, "-?/2", out)
			sub(/-[0-9]+$/, "-?", out)
		}
		for (i = 2; i <= n; i++) {
			fr = f[i]
			if (fr ~ /^\(anonymous namespace\)/) continue   # anon-ns
			if (fr !~ /\.\(.*\)\./) fr = script_cut(fr)    # templates
			sub(/::operator->$/, "::operator", fr)          # operator->
			out = out ";" fr
		}
		sum[out] += count
	}
	END { for (s in sum) print s " " sum[s] }' | sort
}

# The expected side of operator->: `operator;_[i]` (from `operator->()`) is
# the script's split of the same name.
expected_names() {
	sed 's/::operator;_\[i\]/::operator/g' "$1" | script_names
}

# compare NAME TAG [OPTIONS...]: damo-stacks -f folded OPTIONS on fixture
# NAME against expected/NAME.TAG.folded.
compared=0
compare() {
	local name=$1 tag=$2 want=$1
	shift 2
	[ "$name" = kernel-notrail ] && want=kernel # last-sample
	expect_ok damo-stacks -f folded "$@" "$DATA/$name.txt"
	cp out "got.$name.$tag"
	script_names <out >got
	expected_names "$EXP/$want.$tag.folded" >want
	diff -u want got >diff.txt ||
		fail "$name.txt with '${*:-default flags}': lines differ from stackcollapse-perf.pl" \
			"(- script, + damo-stacks): $(head -n 12 diff.txt)"
	compared=$((compared + 1))
}

fixtures="two-events spin-run2 cycles-instructions exec cxx cxx-params cxx-spaces
	cxx-noindent stripped-lib threads threads-pidtid comm-space comm-space-pidtid kernel
	kernel-notrail faults-period handmade-jit"
for name in $fixtures; do
	compare "$name" default
	for flag in pid tid kernel addrs; do
		compare "$name" "$flag" "--$flag"
	done
done
compare handmade-jit jit --jit
compare handmade-jit all --all
compare two-events event-task-clock --event task-clock
compare two-events event-cpu-clock --event cpu-clock
compare cycles-instructions event-instructions --event instructions
[ "$compared" -eq 90 ] || fail "compared $compared outputs, expected 90"

# Exactly, without any rule, where no deliberate difference applies: the
# names of unknown symbols, Java, JIT and Go frames, and periods.
expect_ok damo-stacks -f folded "$DATA/handmade-jit.txt"
expect_same_file "$EXP/handmade-jit.default.folded" out
expect_ok damo-stacks -f folded --addrs "$DATA/stripped-lib.txt"
expect_same_file "$EXP/stripped-lib.addrs.folded" out
expect_ok damo-stacks -f folded "$DATA/faults-period.txt"
expect_same_file "$EXP/faults-period.default.folded" out

# And the differences themselves, as the man page states them.
expect_grep '^matrix;__libc_start_call_main;main;std::function<double \(double\)>::operator\(\);' \
	got.cxx.default
expect_grep ';checked_transposes;\(anonymous namespace\)::Matrix<double>::transpose 8016032$' \
	got.cxx.default
expect_grep ';Checked::operator->;' got.cxx-params.default
expect_grep '^Pool_2_worker;start_thread;pool_worker;spin ' got.comm-space.default
expect_grep '^Pool_2_worker-3144/3148;' got.comm-space-pidtid.tid

# Several events: the first one's samples, a notice naming the others (the
# script prints "Filtering for events of type: task-clock").
expect_ok damo-stacks -f folded "$DATA/two-events.txt"
expect_grep 'task-clock' "$EXP/two-events.default.stderr"
expect_grep '^damo-stacks: warning: .*two-events.txt: samples of cpu-clock only.*task-clock' err
[ "$(wc -l <err)" -eq 1 ] || fail "more than one line on stderr: $(cat err)"
expect_status 1 damo-stacks -f folded --event cycles "$DATA/two-events.txt"
expect_grep "no samples of event 'cycles' \(the text has cpu-clock, task-clock\)" err

# --weight samples: sample counts (the script's periods divided by 2004008,
# cpu-clock's period at 499 Hz).
expect_ok damo-stacks -f folded --weight samples "$DATA/spin-run2.txt"
awk '{ n = $NF; $NF = n / 2004008; print }' "$EXP/spin-run2.default.folded" >counts
expect_same_file counts out

# --keep-args: the whole C++ signature.
expect_ok damo-stacks -f folded --keep-args "$DATA/cxx-params.txt"
expect_grep ';scale\(double, int\) ' out

# --diff A B: difffolded.pl's format (its output is in hash order: sorted).
expect_ok damo-stacks --diff "$DATA/two-events.txt" "$DATA/spin-run2.txt"
expect_same_file "$EXP/spin.difffolded.diff" out
expect_status 2 damo-stacks --diff "$DATA/two-events.txt"
expect_status 2 damo-stacks -f speedscope --diff "$DATA/two-events.txt" "$DATA/spin-run2.txt"
expect_status 2 damo-stacks --pid "$DATA/two-events.txt"
expect_grep 'options of -f folded' err
echo "ok: $compared folded outputs equal stackcollapse-perf.pl's but for the listed differences"
