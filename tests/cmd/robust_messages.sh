#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# What a command says when it fails is one line a terminal shows as it is:
#   - perf script text given explicitly that holds no callstack samples is
#     an error naming the file and what it held, for damo-stacks and
#     damo-timeline alike (the record's own stacks are not silently dropped);
#   - input quoted in a message is escaped (\xNN for control characters,
#     DEL and invalid UTF-8, \\ for a backslash) and cut with "...", and so
#     is anything else a message holds (file names);
#   - every command writing to a full device, on standard output or to a
#     file, names the output and the cause and exits 1, --help and
#     --version included (GNU close_stdout behaviour);
#   - damo-record --replay-raw of a directory or an empty file says so.
# damo-record only replays captures here, inside a private mount namespace
# with empty tmpfs over DAMON sysfs and tracefs.
source "$(dirname "$0")/../fakes/ns.bash"
source "$(dirname "$0")/lib.sh"

commands="damo-info damo-synth damo-convert damo-wss damo-heatmap damo-stacks damo-timeline damo-record"

# only_error STATUS PATTERN CMD...: CMD exits STATUS within 20 s and its
# whole stderr is one line "CMD: ..." matching PATTERN (no warning before
# it; for status 2, "Try 'CMD --help'." after it).  STDOUT_TO=FILE sends stdout there.
only_error() {
	local want=$1 pattern=$2 got=0
	shift 2
	local prog=${1##*/}
	within 20 "$@" >"${STDOUT_TO:-$TEST_TMP/out}" 2>"$TEST_TMP/err" </dev/null || got=$?
	[ "$got" != 124 ] || fail "'$*' hung (killed after 20 s)"
	[ "$got" -lt 128 ] || fail "'$*' died with signal $((got - 128))"
	if [ "$got" != "$want" ]; then
		head -n 5 "$TEST_TMP/err" >&2
		fail "'$*' exited $got, expected $want"
	fi
	# a bad command line is followed by "Try 'CMD --help'."
	[ "$want" != 2 ] || sed -i "2{/^Try '$prog --help'\.\$/d}" "$TEST_TMP/err"
	[ "$(wc -l <"$TEST_TMP/err")" = 1 ] || { cat "$TEST_TMP/err" >&2; fail "'$*': expected exactly one line on stderr"; }
	grep -aq "^$prog: " "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; fail "'$*': the error does not name $prog"; }
	grep -aEq -- "$pattern" "$TEST_TMP/err" ||
		{ cat "$TEST_TMP/err" >&2; fail "'$*': the error does not match '$pattern'"; }
}

# no_raw_bytes FILE: nothing a terminal would act on (control characters
# but the final newline, DEL, bytes that are not UTF-8).
no_raw_bytes() {
	LC_ALL=C grep -aq $'[\x01-\x09\x0b-\x1f\x7f]' "$1" && { od -c "$1" | head >&2; fail "$1 holds control characters"; }
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 || { od -c "$1" | head >&2; fail "$1 is not UTF-8"; }
	return 0
}

expect_ok damo-synth -o good.dtr --snapshots 30 --regions 20 --stacks
expect_ok damo-synth -o nostacks.dtr --snapshots 30 --regions 20
expect_ok damo-stacks -i good.dtr -f folded
[ -s out ] || fail "damo-stacks of the record's own stacks printed nothing"

# --- perf script text without callstack samples
: >empty
printf '# perf script header\n\n# nothing recorded\n' >comments.script
expected='expected what `perf script` prints of a `perf record -g` recording'
for cmd in "damo-stacks --perf-script" "damo-stacks -i good.dtr --perf-script" \
	"damo-stacks -i good.dtr --keep-record-stacks --perf-script" "damo-stacks -i good.dtr" \
	"damo-timeline --perf-script" "damo-timeline -i good.dtr --perf-script" \
	"damo-timeline -i good.dtr --keep-record-stacks --perf-script"; do
	read -r -a argv <<<"$cmd"
	only_error 1 "^${argv[0]}: empty: no callstack samples: the text is empty \($expected\)\$" "${argv[@]}" empty
	only_error 1 "^${argv[0]}: /dev/null: no callstack samples: the text is empty" "${argv[@]}" /dev/null
	only_error 1 "^${argv[0]}: comments\.script: no callstack samples in 3 lines \($expected\)\$" \
		"${argv[@]}" comments.script
	# (damo-stacks takes a positional file of damon events for a record)
	[ "$cmd" = "damo-stacks -i good.dtr" ] ||
		only_error 1 "^${argv[0]}: .*perf\.data\.script: no callstack samples, only damon events \(a DAMON record: give it with -i" \
			"${argv[@]}" "$DAMO_FIXTURES/perf.data.script"
done
# standard input is named so, not after a file holding it
for cmd in "damo-stacks --perf-script -" "damo-stacks -i good.dtr -" "damo-timeline -i good.dtr --perf-script -"; do
	read -r -a argv <<<"$cmd"
	st=0
	"${argv[@]}" </dev/null >out 2>err || st=$?
	[ "$st" = 1 ] || fail "'$cmd' </dev/null exited $st"
	[ "$(wc -l <err)" = 1 ] || { cat err >&2; fail "'$cmd' </dev/null: expected one line"; }
	expect_grep "^${argv[0]}: stdin: no callstack samples: the text is empty" err
done
printf 'hello\n' >hello.txt
st=0
damo-timeline -i good.dtr --perf-script - <hello.txt >out 2>err || st=$?
[ "$st" = 1 ] || fail "damo-timeline --perf-script - <hello.txt exited $st"
expect_grep '^damo-timeline: stdin: line 1: not a perf script sample header: "hello"$' err
st=0
damo-timeline -i - <hello.txt >out 2>err || st=$?
[ "$st" = 1 ] || fail "damo-timeline -i - <hello.txt exited $st"
expect_grep '^damo-timeline: stdin: unrecognised input format' err
# a closed standard input is named with its cause, never read as empty
for cmd in "damo-info -" "damo-wss -i -" "damo-heatmap -i -" "damo-convert - --to csv" \
	"damo-stacks --perf-script -" "damo-stacks -i -" "damo-timeline -i -" \
	"damo-timeline -i good.dtr --perf-script -"; do
	read -r -a argv <<<"$cmd"
	st=0
	"${argv[@]}" <&- >out 2>err || st=$?
	[ "$st" = 1 ] || fail "'$cmd' <&- exited $st"
	[ "$(wc -l <err)" = 1 ] || { cat err >&2; fail "'$cmd' <&-: expected one line"; }
	expect_grep "^${argv[0]}: stdin: (read error at byte offset 0: |read: )?Bad file descriptor\$" err
done
# a record without stacks and no perf script: one line saying where stacks come from
only_error 1 '^damo-stacks: nostacks\.dtr: no callstack samples \(record them with damo-record -g, or give perf script text\)$' \
	damo-stacks -i nostacks.dtr
# a perf script with samples still replaces the record's stacks (a warning), and works
printf 'prog 42/42 1.000000: 1000 cpu-clock:\n\t55d0c0a1b2c3 main+0x13 (/usr/bin/prog)\n\n' >one.script
expect_ok damo-stacks -i good.dtr --perf-script one.script -f folded --no-phases
expect_grep '^prog;main 1000$' out
expect_grep 'its [0-9]+ callstack samples are replaced by those of one\.script' err

# --- input quoted in messages: escaped, cut
printf 'foo\x1b[31mbar\x01\\tail\xff\x7f\n' >escapes.script
long=$(printf 'x%.0s' $(seq 1 200))
printf '%s\n' "$long" >long.script
printf 'prog 42/42 1.000000: 1000 cpu-clock:\n\t55d0c0a1b2c3 main+0x13 (/usr/bin/prog)\n\x1b]0;title\x07\xc2\x9b2J\n' >frame.script
for cmd in "damo-stacks --perf-script" "damo-timeline -i good.dtr --perf-script"; do
	read -r -a argv <<<"$cmd"
	only_error 1 'escapes\.script: line 1: not a perf script sample header: "foo\\x1b\[31mbar\\x01\\\\tail\\xff\\x7f"$' \
		"${argv[@]}" escapes.script
	no_raw_bytes "$TEST_TMP/err"
	only_error 1 "long\\.script: line 1: not a perf script sample header: \"x{60}\\.\\.\\.\"\$" "${argv[@]}" long.script
	only_error 1 'frame\.script: line 3: .*: "\\x1b\]0;title\\x07\\xc2\\x9b2J"$' "${argv[@]}" frame.script
	no_raw_bytes "$TEST_TMP/err"
done
# damon text (perf script of damon_aggregated): a bad token
head -n 3 "$DAMO_FIXTURES/perf.data.script" >text.script
printf '       kdamond.0  4452 [000] 82821.9\x1b[2J: damon:damon_aggregated: target_id=1 nr_regions=1 10-20: 0\n' >>text.script
for cmd in "damo-info" "damo-wss -i" "damo-convert --to csv"; do
	read -r -a argv <<<"$cmd"
	only_error 1 "text\\.script: line 4: bad timestamp '82821\\.9\\\\x1b\\[2J:'\$" "${argv[@]}" text.script
	no_raw_bytes "$TEST_TMP/err"
done
# damo json: a bad value, decoded from a JSON escape
printf '[{"kdamond_idx": null, "context_idx": null, "intervals": null, "scheme_idx": null,
 "target_id": 1, "snapshots": [{"start_time": "1\\u001b[5m\\u00e9t\\u00e9", "end_time": "2",
 "regions": []}]}]\n' >escape.json
only_error 1 "escape\\.json: JSON offset [0-9]+: \\[0\\]\\.snapshots\\[0\\]\\.start_time: bad value '1\\\\x1b\\[5mété'\$" \
	damo-wss -i escape.json
no_raw_bytes "$TEST_TMP/err"
# names: control characters and invalid UTF-8 escaped, UTF-8 text kept
only_error 1 '^damo-info: a\\x0ab\\x1b\[1mc\\xff\.dtr: No such file or directory$' damo-info $'a\nb\e[1mc\xff.dtr'
no_raw_bytes "$TEST_TMP/err"
only_error 1 '^damo-wss: données\.dtr: No such file or directory$' damo-wss -i données.dtr
only_error 2 "^damo-heatmap: --tid: not a target id: '\\\\xe2\\\\x80\\\\xae1'\$" damo-heatmap --tid $'\u202e1'

# --- writing to a full device
full_stdout='writing standard output: No space left on device'
for cmd in $commands; do
	STDOUT_TO=/dev/full only_error 1 "^$cmd: $full_stdout\$" "$cmd" --help
	STDOUT_TO=/dev/full only_error 1 "^$cmd: $full_stdout\$" "$cmd" --version
	# a standard output not open for writing (as a closed one: not taken
	# over by a file the command or valgrind opens)
	st=0
	"$cmd" --version 1</dev/null 2>err || st=$?
	[ "$st" = 1 ] || fail "$cmd --version 1</dev/null exited $st"
	expect_grep "^$cmd: writing standard output: Bad file descriptor\$" err
	expect_ok "$cmd" --help
done
STDOUT_TO=/dev/full only_error 1 "^damo-convert: $full_stdout\$" damo-convert --list-formats
# every report on standard output
while IFS='|' read -r pattern words; do
	[ -n "$pattern" ] && [ "${pattern:0:1}" != "#" ] || continue
	read -r -a argv <<<"$words"
	STDOUT_TO=/dev/full only_error 1 "^${argv[0]}: $pattern\$" "${argv[@]}"
done <<TABLE
$full_stdout|damo-info good.dtr
$full_stdout|damo-info --json good.dtr
$full_stdout|damo-info --salvage good.dtr
$full_stdout|damo-info --verify good.dtr
$full_stdout|damo-info --verify --json good.dtr
$full_stdout|damo-info --nr-regions good.dtr
$full_stdout|damo-wss -i good.dtr
$full_stdout|damo-wss -i good.dtr --all_wss --per_target
$full_stdout|damo-wss -i good.dtr --csv
$full_stdout|damo-heatmap -i good.dtr
$full_stdout|damo-heatmap -i good.dtr raw
$full_stdout|damo-heatmap -i good.dtr raw --resol 64 64
$full_stdout|damo-heatmap -i good.dtr --guide
$full_stdout|damo-stacks -i good.dtr
$full_stdout|damo-stacks -i good.dtr -f trace-event
$full_stdout|damo-stacks -i good.dtr -f folded
$full_stdout|damo-stacks -i good.dtr -f folded -o -
$full_stdout|damo-timeline -i good.dtr
$full_stdout|damo-timeline -i good.dtr --json
stdout: write error: No space left on device|damo-convert good.dtr --to csv
stdout: write error: No space left on device|damo-convert good.dtr --to json
stdout: write error: No space left on device|damo-convert good.dtr --to perf_script -o -
stdout: write at offset 0: No space left on device|damo-synth -o - --snapshots 5
TABLE
# every file output: our own node of the kernel's "full" device (1,7)
for f in full.json full.trace full.folded full.png full.svg full.pdf full.dtr full.csv full.txt; do
	mknod "$f" c 1 7 || fail "mknod $f (the test runs as root)"
done
for fmt in speedscope trace-event folded; do
	only_error 1 '^damo-stacks: (writing full\.json|full\.json: cannot write): No space left on device$' damo-stacks -i good.dtr -f $fmt -o full.json
done
for ext in png svg pdf; do
	only_error 1 "^damo-timeline: full\\.$ext: .*No space left on device\$" damo-timeline -i good.dtr -o full.$ext
	only_error 1 "^damo-heatmap: full\\.$ext: cannot write the image: No space left on device\$" \
		damo-heatmap -i good.dtr --output full.$ext
	only_error 1 "^damo-wss: full\\.$ext: cannot write the image: No space left on device\$" \
		damo-wss -i good.dtr --plot full.$ext
done
only_error 1 '^damo-convert: full\.csv: write error: No space left on device$' damo-convert good.dtr -o full.csv
only_error 1 '^damo-convert: full\.dtr: .*No space left on device$' damo-convert good.dtr -o full.dtr
only_error 1 '^damo-synth: full\.dtr: .*No space left on device$' damo-synth --snapshots 5 -o full.dtr
only_error 1 '^damo-synth: full\.txt: cannot write the phases: No space left on device$' \
	damo-synth --snapshots 5 -o synth.dtr --truth full.txt
[ ! -e synth.dtr ] || fail "damo-synth left synth.dtr behind after failing on its truth file"
for f in full.*; do
	[ -c "$f" ] || fail "$f is no longer a device"
done

# --- damo-record --replay-raw of what is not a capture
mkdir adir
only_error 1 '^damo-record: adir: Is a directory$' damo-record --replay-raw adir -o replay.dtr
only_error 1 '^damo-record: empty: empty, not a damotrace raw capture$' damo-record --replay-raw empty -o replay.dtr
only_error 1 '^damo-record: /dev/null: empty, not a damotrace raw capture$' damo-record --replay-raw /dev/null -o replay.dtr
only_error 1 '^damo-record: good\.dtr: offset 0: not a damotrace raw capture$' damo-record --replay-raw good.dtr -o replay.dtr
[ ! -e replay.dtr ] || fail "a failed replay left replay.dtr behind"
[ -z "$(ls -A /sys/kernel/mm/damon)" ] || fail "something was written under the (private) DAMON sysfs"
# the man pages say how write errors end a command
for cmd in $commands; do
	sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$DT_SRC/docs/man/$cmd.1" >section
	expect_grep 'standard output' section
	expect_grep '"writing standard output" and the cause' section
done
echo "robust_messages: ok"
