#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Bad command lines for every command: unknown options, missing and invalid
# values, values out of range, numbers too large for any type, extra
# arguments.  Each is refused with exit 2 (cmd/cli.h) and one line on stderr
# naming the program and the option, possibly followed by "Try 'PROG
# --help'."; none crashes or hangs.  --help and --version succeed and every
# man page documents the exit status.  damo-record is only handed command
# lines that fail before it touches any kernel interface, and even so runs
# in a private mount namespace with empty tmpfs over DAMON sysfs and tracefs.
source "$(dirname "$0")/../fakes/ns.bash"
source "$(dirname "$0")/lib.sh"

# refused STATUS PATTERN CMD...: CMD exits STATUS within 20 s with one line
# "CMD: ..." matching PATTERN on stderr (besides "Try 'CMD --help'.").
refused() {
	local want=$1 pattern=$2 got=0
	shift 2
	local prog=$1
	within 20 "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" </dev/null || got=$?
	[ "$got" != 124 ] || fail "'$*' hung (killed after 20 s)"
	[ "$got" -lt 128 ] || fail "'$*' died with signal $((got - 128))"
	if [ "$got" != "$want" ]; then
		head -n 5 "$TEST_TMP/err" >&2
		fail "'$*' exited $got, expected $want"
	fi
	grep -av "^Try '$prog --help'\.$" "$TEST_TMP/err" >"$TEST_TMP/err.main" || true
	[ "$(wc -l <"$TEST_TMP/err.main")" = 1 ] ||
		{ cat "$TEST_TMP/err" >&2; fail "'$*': expected one error line on stderr"; }
	grep -aq "^$prog: " "$TEST_TMP/err.main" || { cat "$TEST_TMP/err" >&2; fail "'$*': the error does not name $prog"; }
	grep -aEq -- "$pattern" "$TEST_TMP/err.main" ||
		{ cat "$TEST_TMP/err" >&2; fail "'$*': the error does not match '$pattern'"; }
	[ ! -s "$TEST_TMP/out" ] || fail "'$*' printed on stdout although it failed"
}

commands="damo-info damo-synth damo-convert damo-wss damo-heatmap damo-stacks damo-timeline damo-record"
huge=99999999999999999999999

# Every command: help, version, unknown options, the exit codes in the man page.
for cmd in $commands; do
	expect_ok "$cmd" --help
	expect_grep "^Usage: $cmd " out
	expect_grep 'Exit status: 0 ' out
	expect_ok "$cmd" --version
	expect_grep "^$cmd \(damotrace\) " out
	refused 2 "unrecognized option '--no-such-option'" "$cmd" --no-such-option
	refused 2 "invalid option -- 'Z'" "$cmd" -Z
	man=$DT_SRC/docs/man/$cmd.1
	[ -f "$man" ] || fail "$cmd has no man page"
	section=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$man")
	[ -n "$section" ] || fail "$man has no EXIT STATUS section"
	for code in 0 1 2; do
		grep -q "^\.B $code\$" <<<"$section" || fail "$man: EXIT STATUS does not document $code"
	done
done

# Work in a directory with a record, so that a command that wrongly
# accepted its command line would find input and succeed, not fail alike.
expect_ok damo-synth -o damon.dtr --snapshots 30 --regions 20 --stacks

# exit status|pattern|command and arguments (words; @HUGE@ is a number no
# integer type holds)
while IFS='|' read -r status pattern words; do
	[ -n "$status" ] && [ "${status:0:1}" != "#" ] || continue
	read -r -a argv <<<"${words//@HUGE@/$huge}"
	refused "$status" "${pattern//@HUGE@/$huge}" "${argv[@]}"
done <<'TABLE'
# damo-info
2|option '--range' requires an argument|damo-info --nr-regions --range
2|--range needs three integers|damo-info --nr-regions --range 0 101
2|--range needs three integers|damo-info --nr-regions --range a b c
2|--range needs three integers|damo-info --nr-regions --range 0 @HUGE@ 25
2|step must not be 0|damo-info --nr-regions --range 0 101 0
2|'b' is extra|damo-info a b
2|--range is for --nr-regions|damo-info --range 0 100 10 damon.dtr
# damo-synth
2|bad number '-1'|damo-synth --snapshots -1
2|bad number '@HUGE@'|damo-synth --snapshots @HUGE@
2|bad number 'x'|damo-synth --regions x
2|bad number '@HUGE@'|damo-synth --regions @HUGE@
2|bad number '@HUGE@'|damo-synth --seed @HUGE@
2|--targets must be 1 to 1024|damo-synth --targets 0
2|--targets must be 1 to 1024|damo-synth --targets 100000
2|--sample and --aggr must be non-zero|damo-synth --sample 0
2|sample at most aggr|damo-synth --aggr 1 --sample 5ms
2|bad interval 'x'|damo-synth --sample x
2|bad interval '@HUGE@'|damo-synth --update @HUGE@
2|unexpected argument 'extra'|damo-synth extra
2|option '--output' requires an argument|damo-synth --output
# damo-convert
2|option '--to' requires an argument|damo-convert --to
2|unknown output format 'yaml'|damo-convert --to yaml
2|cannot tell the format of 'x.weird'|damo-convert -o x.weird
2|name the output format|damo-convert --what regions
2|--what takes regions, wss, footprint or targets, not 'all'|damo-convert --what all --to csv
2|--what wss is for csv and ndjson|damo-convert --what wss --to json
2|'b' is extra|damo-convert a b --to csv
# damo-wss
2|option '--input' requires an argument|damo-wss --input
2|--range needs three integers|damo-wss -r 0 101
2|--range needs three integers|damo-wss -r x 101 25
2|--range needs three integers|damo-wss -r 0 @HUGE@ 1
2|step must not be 0|damo-wss -r 0 101 0
2|--exclude_samples: not a count: '-1'|damo-wss --exclude_samples -1
2|--exclude_samples: not a count: '@HUGE@'|damo-wss --exclude_samples @HUGE@
2|--acc_thres: not an integer: 'abc'|damo-wss -t abc
2|--acc_thres: not an integer: '@HUGE@'|damo-wss -t @HUGE@
2|--sz_thres: not a size: '5XB'|damo-wss --sz_thres 5XB
2|--sz_thres: not a size: '@HUGE@'|damo-wss --sz_thres @HUGE@
2|--work_time: not a duration: 'soon'|damo-wss --work_time soon
2|--work_time: not a duration: '@HUGE@'|damo-wss --work_time @HUGE@
2|--sortby: 'size' or 'time', not 'weight'|damo-wss -s weight
2|--nr_cols_bar: not a width: '-1'|damo-wss --nr_cols_bar -1
2|--nr_cols_bar: not a width: '@HUGE@'|damo-wss --nr_cols_bar @HUGE@
2|x\.gif: unknown image type|damo-wss -p x.gif
2|unexpected argument 'extra'|damo-wss extra
# damo-heatmap
2|--resol needs two values|damo-heatmap --resol 10
2|--resol: two counts from 1 to 100000, not '0 10'|damo-heatmap --resol 0 10
2|--resol: two counts from 1 to 100000, not 'a b'|damo-heatmap --resol a b
2|--resol: two counts from 1 to 100000|damo-heatmap --resol @HUGE@ @HUGE@
2|--resol: two counts from 1 to 100000|damo-heatmap --resol 100000000 10
2|--time_range: START < END, not '5 1'|damo-heatmap --time_range 5 1
2|--time_range: START < END, not '2s 1500ms'|damo-heatmap --time_range 2s 1500ms
2|--time_range: not a time: '@HUGE@'|damo-heatmap --time_range 0 @HUGE@
2|--time_range: not a time: 'soon'|damo-heatmap --time_range soon 1s
2|--time_range needs two values|damo-heatmap --time_range 5s
2|--address_range: START < END, not '10 5'|damo-heatmap --address_range 10 5
2|--address_range: not an address: '@HUGE@'|damo-heatmap --address_range 0 @HUGE@
2|--address_range: not an address: '4Q'|damo-heatmap --address_range 4Q 8M
2|--kdamond_idx: not an index: 'x'|damo-heatmap --kdamond_idx x
2|--temperature_weights: two numbers|damo-heatmap --temperature_weights 1 x
2|--color: auto, always or never, not 'pink'|damo-heatmap --color pink
1|damon\.dtr: no target of kdamond|damo-heatmap --kdamond_idx 3
2|--draw_range: hottest, all, mapped or worked, not 'some'|damo-heatmap --draw_range some
2|--tid: not a target id: 'x'|damo-heatmap --tid x
2|--tid: not a target id: '@HUGE@'|damo-heatmap --tid @HUGE@
2|--stdout_colorset: gray, flame or emotion, not 'pink'|damo-heatmap --stdout_colorset pink
2|--colormap: viridis, magma, inferno or gray, not 'jet'|damo-heatmap --colormap jet
2|--scale: linear or log, not 'cubic'|damo-heatmap --scale cubic
2|out\.gif: unknown image type|damo-heatmap out.gif
2|unexpected argument 'b\.png'|damo-heatmap a.png b.png
2|--pixels needs an image OUT|damo-heatmap --pixels
2|--pixels needs an image OUT|damo-heatmap --pixels raw
1|damon\.dtr: no target with id 12345|damo-heatmap --tid 12345
# damo-stacks
2|--format: unknown format 'svg'|damo-stacks -f svg
2|option '--format' requires an argument|damo-stacks --format
2|--time-offset: invalid value 'soon'|damo-stacks --time-offset soon
2|--time-offset: invalid value '@HUGE@'|damo-stacks --time-offset @HUGE@
2|--perf-clock: invalid value 'tsc'|damo-stacks --perf-clock tsc
2|--phase-call-effect: invalid value '2'|damo-stacks --phase-call-effect 2
2|--phase-call-effect: invalid value '-1'|damo-stacks --phase-call-effect -1
2|--phase-memory-effect: invalid value '1.5'|damo-stacks --phase-memory-effect 1.5
2|--phase-memory-effect: invalid value 'nan'|damo-stacks --phase-memory-effect nan
2|--phase-call-effect: invalid value 'inf'|damo-stacks --phase-call-effect inf
2|--time-origin: expected abs or rel, not 'now'|damo-stacks --time-origin now
2|too many arguments|damo-stacks a b
2|cannot both be stdin|damo-stacks - -i -
# damo-timeline
2|--resol: two counts from 10 to 20000, not '0 5'|damo-timeline --resol 0 5
2|--resol: two counts from 10 to 20000|damo-timeline --resol @HUGE@ 5
2|--resol: two counts from 10 to 20000|damo-timeline --resol 100000 100000
2|--max-depth: a count from 1 to 1024, not '-1'|damo-timeline --max-depth -1
2|--max-depth: a count from 1 to 1024|damo-timeline --max-depth @HUGE@
2|--top: a count from 1 to 1000, not '0'|damo-timeline --top 0
2|--top: a count from 1 to 1000|damo-timeline --top @HUGE@
2|--thread: not a thread id: 'x'|damo-timeline --thread x
2|--tid: not a target id: 'x'|damo-timeline --tid x
2|--target_id: not a target id: 'x'|damo-timeline --target_id x
2|--address_range: START < END, not '5 1'|damo-timeline --address_range 5 1
2|--address_range: one range|damo-timeline --address_range 0 1M --address_range 2M 3M
2|--time_range: START < END, not '5 1'|damo-timeline --time_range 5 1
2|--time_range needs two values|damo-timeline --time_range 5s
2|--draw_range: hottest, mapped, phases or worked, not 'all'|damo-timeline --draw_range all
2|--colormap: viridis, magma, inferno or gray, not 'jet'|damo-timeline --colormap jet
2|--scale: linear or log, not 'x'|damo-timeline --scale x
2|x\.gif: unknown image type|damo-timeline -o x.gif
2|unexpected argument 'extra'|damo-timeline extra
2|--perf-clock: invalid value 'x'|damo-timeline --perf-clock x
2|--phase-memory-effect: invalid value '2'|damo-timeline --phase-memory-effect 2
2|--time-offset: invalid value '1e400s'|damo-timeline --time-offset 1e400s
1|--thread 99999: no callstack samples of this thread|damo-timeline --thread 99999
1|damon\.dtr: no target with id 99999|damo-timeline --target_id 99999
# damo-record: refused before any kernel interface is touched
2|no TARGET given|damo-record
2|-s: '@HUGE@' is not a duration|damo-record -s @HUGE@ paddr
2|-a: '@HUGE@' is not a duration|damo-record -a @HUGE@ paddr
2|-n: '@HUGE@' is not a positive number|damo-record -n @HUGE@ paddr
2|-m: '0' is not a positive number|damo-record -m 0 paddr
2|need 3 <= minr \(100\) <= maxr \(10\)|damo-record -n 100 -m 10 paddr
2|-r: region 'x': expected START-END|damo-record -r x paddr
2|-r: region '0x1-@HUGE@': not two addresses|damo-record -r 0x1-@HUGE@ paddr
2|--timeout: '@HUGE@' is not a duration|damo-record --timeout @HUGE@ paddr
2|--timeout: '-5' is not a duration|damo-record --timeout -5 paddr
2|--mmap-pages: '@HUGE@' is not a power of 2|damo-record --mmap-pages @HUGE@ paddr
2|--mmap-pages: '0' is not a power of 2|damo-record --mmap-pages 0 paddr
2|'@HUGE@' is not a pid|damo-record @HUGE@
2|one TARGET expected|damo-record ./a ./b
2|-o: a record is written to a file, not to standard output|damo-record -o - paddr
2|-o: a record is written to a file, not to standard output|damo-record --replay-raw damon.dtr -o -
2|--call-graph: dwarf stack size '@HUGE@' is not from 1 to 65528 bytes|damo-record --call-graph dwarf,@HUGE@ paddr
2|--call-graph: dwarf stack size '0' is not from 1 to 65528 bytes|damo-record --call-graph dwarf,0 paddr
2|--call-graph: 'dwarfish' is not fp, dwarf\[,SIZE\] or lbr|damo-record --call-graph dwarfish paddr
1|nosuch\.raw: No such file or directory|damo-record --replay-raw nosuch.raw -o replay.dtr
1|damon\.dtr: offset 0: not a damotrace raw capture|damo-record --replay-raw damon.dtr -o replay.dtr
TABLE

# Nothing above reached DAMON: the private trees are still empty.
[ -z "$(ls -A /sys/kernel/mm/damon)" ] || fail "something was written under the (private) DAMON sysfs"
[ -z "$(ls -A /sys/kernel/tracing)" ] || fail "something was written under the (private) tracefs"
[ ! -e replay.dtr ] || fail "a failed replay left replay.dtr behind"
echo "robust_args: ok"
