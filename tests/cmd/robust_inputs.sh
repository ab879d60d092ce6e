#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every command that reads a record is handed what is not one: a missing
# file, a directory, an empty file, /dev/null, a PNG, text, an ELF binary,
# a damaged or truncated record of each format.  Every writer is pointed at
# places it cannot write: a missing directory, a path through a file, a
# directory, a full device.  Each time: exit 1, one line on stderr naming
# the program and the file, no crash, no hang.  A device given as output is
# written in place, never replaced by a regular file.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

# expect_clean_error STATUS PATTERN CMD...: CMD exits STATUS within 20 s,
# and stderr holds one line "CMD: ..." matching PATTERN (warnings aside;
# usage errors add "Try 'CMD --help'.").  STDOUT_TO=FILE sends stdout there.
expect_clean_error() {
	local want=$1 pattern=$2 got=0
	shift 2
	local prog=${1##*/}
	within 20 "$@" >"${STDOUT_TO:-$TEST_TMP/out}" 2>"$TEST_TMP/err" || got=$?
	[ "$got" != 124 ] || fail "'$*' hung (killed after 20 s)"
	[ "$got" -lt 128 ] || fail "'$*' died with signal $((got - 128))"
	if [ "$got" != "$want" ]; then
		head -n 5 "$TEST_TMP/err" >&2
		fail "'$*' exited $got, expected $want"
	fi
	grep -av "^$prog: warning: " "$TEST_TMP/err" | grep -av "^Try '$prog --help'\.$" >"$TEST_TMP/err.main" || true
	[ "$(wc -l <"$TEST_TMP/err.main")" = 1 ] ||
		{ cat "$TEST_TMP/err" >&2; fail "'$*': expected one error line on stderr"; }
	grep -aq "^$prog: " "$TEST_TMP/err.main" || { cat "$TEST_TMP/err" >&2; fail "'$*': the error line does not name $prog"; }
	grep -aEq -- "$pattern" "$TEST_TMP/err.main" ||
		{ cat "$TEST_TMP/err" >&2; fail "'$*': the error line does not match '$pattern'"; }
}

# --- inputs that are not records
expect_ok damo-synth -o good.dtr --snapshots 60 --regions 40 --stacks
size=$(stat -c %s good.dtr)
head -c $((size / 2)) good.dtr >half.dtr
head -c 20 good.dtr >header.dtr
python3 - <<'PY'
d = bytearray(open("good.dtr", "rb").read())
d[len(d) // 2] ^= 0xff
open("flipped.dtr", "wb").write(d)
d = bytearray(open("good.dtr", "rb").read())
d[3] ^= 0xff
open("badmagic.dtr", "wb").write(d)
PY
head -c 3000 "$F/damon.data" >cut.json_compressed
python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.decompress(open(sys.argv[1], "rb").read())[:50000])' \
	"$F/damon.data" >cut.json
head -c 50000 "$F/damon.data.binary_v2" >cut.binary
head -c 2000 "$F/perf.data.script" >cut.script
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89' >picture.png
echo "hello, world" >notes.txt
echo '{"name": "not damo", "values": [1, 2, 3]}' >other.json
cp "$(type -P true)" program.elf
head -c 65536 /dev/zero >zeros
zstd -q -c good.dtr >good.dtr.zst
: >empty
mkdir adir

unrecognised='unrecognised input format at byte offset 0'
# name|pattern of the error line
bad_inputs=(
	"nosuch.dtr|nosuch\.dtr: No such file or directory"
	"adir|adir: is a directory"
	"empty|empty: empty input"
	"/dev/null|/dev/null: empty input"
	"picture.png|picture\.png: $unrecognised"
	"notes.txt|notes\.txt: $unrecognised"
	"other.json|other\.json: $unrecognised"
	"program.elf|program\.elf: $unrecognised"
	"zeros|zeros: $unrecognised"
	"good.dtr.zst|good\.dtr\.zst: $unrecognised"
	"badmagic.dtr|badmagic\.dtr: $unrecognised"
	"half.dtr|half\.dtr: truncated chunk .* at offset 16"
	"header.dtr|header\.dtr: truncated chunk header .* at offset 16"
	"flipped.dtr|flipped\.dtr: checksum mismatch in chunk at offset 16"
	"cut.json_compressed|cut\.json_compressed: truncated zlib stream at compressed byte offset 3000"
	"cut.json|cut\.json: JSON offset [0-9]+"
	"cut.binary|cut\.binary: truncated at byte offset [0-9]+"
	"cut.script|cut\.script: line [0-9]+: "
)
for entry in "${bad_inputs[@]}"; do
	input=${entry%%|*} pattern=${entry#*|}
	expect_clean_error 1 "$pattern" damo-info "$input"
	expect_clean_error 1 "$pattern" damo-wss -i "$input"
	expect_clean_error 1 "$pattern" damo-heatmap -i "$input"
	expect_clean_error 1 "$pattern" damo-heatmap -i "$input" --guide
	expect_clean_error 1 "$pattern" damo-convert "$input" --to csv
	expect_clean_error 1 "$pattern" damo-convert "$input" -o out.dtr
	[ ! -e out.dtr ] || fail "damo-convert left out.dtr behind after failing on $input"
	expect_clean_error 1 "$pattern" damo-stacks -i "$input"
	expect_clean_error 1 "$pattern" damo-timeline -i "$input"
done
ls | grep -q '\.tmp' && fail "a failed command left a temporary file: $(ls | grep '\.tmp')"

# --verify checks damotrace records only
for entry in "nosuch.dtr|nosuch\.dtr: cannot open: No such file or directory" \
	"adir|adir: is a directory" \
	"empty|empty: empty input" \
	"/dev/null|/dev/null: empty input" \
	"picture.png|picture\.png: not a damotrace record" \
	"cut.json|cut\.json: not a damotrace record" \
	"badmagic.dtr|badmagic\.dtr: not a damotrace record" \
	"half.dtr|half\.dtr: truncated chunk .* at offset 16" \
	"flipped.dtr|flipped\.dtr: checksum mismatch in chunk at offset 16"; do
	expect_clean_error 1 "${entry#*|}" damo-info --verify "${entry%%|*}"
done

# the same through standard input
expect_clean_error 1 'stdin: empty input' damo-info - </dev/null
expect_clean_error 1 "stdin: $unrecognised" damo-wss -i - <picture.png
expect_clean_error 1 'stdin: is a directory' damo-convert - --to csv <adir
expect_clean_error 1 'stdin: truncated chunk' damo-heatmap -i - <half.dtr

# standard input redirected from a record is read like the record itself
expect_ok damo-info good.dtr
sed 1d out >by-name
expect_ok damo-info - <good.dtr
sed 1d out >by-stdin
expect_same_file by-name by-stdin
expect_ok damo-convert good.dtr --to csv
mv out by-name.csv
expect_ok damo-convert - --to csv <good.dtr
expect_same_file by-name.csv out
expect_ok damo-convert - --to csv <"$F/damon.data.binary_v2"
expect_ok damo-wss -i good.dtr
mv out by-name.wss
expect_ok damo-wss -i - <good.dtr
expect_same_file by-name.wss out
# the heatmap reads standard input once: the ranges come from the guide
expect_ok damo-heatmap -i good.dtr --guide
time_range=$(sed -n 's/^time: \[\([0-9]*\), \([0-9]*\)).*/\1 \2/p' out)
address_range=$(sed -n 's/^region\t 0: \[\([0-9]*\), \([0-9]*\)).*/\1 \2/p' out)
[ -n "$time_range" ] && [ -n "$address_range" ] || fail "no ranges in the guide"
expect_ok damo-heatmap -i good.dtr raw --time_range $time_range --address_range $address_range
mv out by-name.heat
expect_ok damo-heatmap -i - raw --time_range $time_range --address_range $address_range <good.dtr
expect_same_file by-name.heat out
expect_ok damo-heatmap -i good.dtr raw
mv out whole.heat
expect_ok damo-heatmap -i - raw <good.dtr
expect_same_file whole.heat out
expect_ok damo-stacks -i - --no-phases -f folded <good.dtr
expect_ok damo-timeline -i - <good.dtr

# callstacks from perf script text that is not perf script text
for entry in "nosuch.script|nosuch\.script: No such file or directory" \
	"adir|adir: is a directory" \
	"picture.png|picture\.png: line 1: not a perf script sample header" \
	"notes.txt|notes\.txt: line 1: not a perf script sample header"; do
	input=${entry%%|*} pattern=${entry#*|}
	expect_clean_error 1 "$pattern" damo-stacks "$input" -i good.dtr
	expect_clean_error 1 "$pattern" damo-stacks --perf-script "$input"
	expect_clean_error 1 "$pattern" damo-timeline -i good.dtr --perf-script "$input"
done
expect_clean_error 1 'empty: no callstack samples: the text is empty' damo-stacks --perf-script empty

# --- outputs that cannot be written
echo "a file" >afile
mkdir out.png out.pdf out.svg out.dtr out.csv out.json
for where in /nonexistent/dir/out "afile/out"; do
	case $where in /nonexistent/*) why='No such file or directory' ;; *) why='Not a directory' ;; esac
	pat=$(printf '%s' "$where" | sed 's/\./\\./g')
	for ext in png pdf svg; do
		expect_clean_error 1 "$pat\.$ext: cannot create: $why" damo-heatmap -i good.dtr --output "$where.$ext"
		expect_clean_error 1 "$pat\.$ext: cannot create: $why" damo-wss -i good.dtr --plot "$where.$ext"
		expect_clean_error 1 "$pat\.$ext: cannot create: $why" damo-timeline -i good.dtr -o "$where.$ext"
	done
	expect_clean_error 1 "$pat\.dtr: cannot create: $why" damo-convert good.dtr -o "$where.dtr"
	expect_clean_error 1 "$pat\.csv: cannot create: $why" damo-convert good.dtr -o "$where.csv"
	expect_clean_error 1 "$pat\.dtr: cannot create: $why" damo-synth -o "$where.dtr" --snapshots 5
	expect_clean_error 1 "$pat\.txt: .*$why" damo-synth -o ok.dtr --snapshots 5 --truth "$where.txt"
	expect_clean_error 1 "$pat\.json: .*$why" damo-stacks -i good.dtr -o "$where.json"
done
for ext in png pdf svg; do
	expect_clean_error 1 "out\.$ext: cannot create: Is a directory" damo-heatmap -i good.dtr --output out.$ext
	expect_clean_error 1 "out\.$ext: cannot create: Is a directory" damo-wss -i good.dtr --plot out.$ext
	expect_clean_error 1 "out\.$ext: cannot create: Is a directory" damo-timeline -i good.dtr -o out.$ext
done
expect_clean_error 1 'out\.dtr: .*Is a directory' damo-convert good.dtr -o out.dtr
expect_clean_error 1 'out\.csv: .*Is a directory' damo-convert good.dtr -o out.csv
expect_clean_error 1 'out\.dtr: cannot create: Is a directory' damo-synth -o out.dtr --snapshots 5
expect_clean_error 1 'out\.json: cannot create: Is a directory' damo-stacks -i good.dtr -o out.json

# A full device: our own nodes of the kernel's "full" (1,7) and "null" (1,3)
# devices, so that nothing outside this directory can be touched.
mknod full.png c 1 7 || fail "mknod (the test runs as root, as the recorder's tests do)"
for f in full.pdf full.svg full.dtr full.csv full.json; do mknod "$f" c 1 7; done
for ext in png pdf svg; do
	expect_clean_error 1 "full\.$ext: cannot write the image: No space left on device" \
		damo-heatmap -i good.dtr --output full.$ext
	expect_clean_error 1 "full\.$ext: cannot write the image: No space left on device" \
		damo-wss -i good.dtr --plot full.$ext
	expect_clean_error 1 "full\.$ext: .*No space left on device" damo-timeline -i good.dtr -o full.$ext
done
expect_clean_error 1 'full\.dtr: .*No space left on device' damo-convert good.dtr -o full.dtr
expect_clean_error 1 'full\.csv: .*No space left on device' damo-convert good.dtr -o full.csv
expect_clean_error 1 'full\.dtr: .*No space left on device' damo-synth -o full.dtr --snapshots 5
expect_clean_error 1 'writing full\.json: No space left on device' damo-stacks -i good.dtr -o full.json
for f in full.png full.pdf full.svg full.dtr full.csv full.json; do
	[ -c "$f" ] || fail "$f is no longer a device"
done

# standard output on a full disk
full_stdout='writing standard output: No space left on device'
STDOUT_TO=/dev/full expect_clean_error 1 "$full_stdout" damo-info good.dtr
STDOUT_TO=/dev/full expect_clean_error 1 "$full_stdout" damo-info --json good.dtr
STDOUT_TO=/dev/full expect_clean_error 1 "$full_stdout" damo-wss -i good.dtr
STDOUT_TO=/dev/full expect_clean_error 1 "$full_stdout" damo-wss -i good.dtr --csv
STDOUT_TO=/dev/full expect_clean_error 1 "$full_stdout" damo-heatmap -i good.dtr raw
STDOUT_TO=/dev/full expect_clean_error 1 "$full_stdout" damo-heatmap -i good.dtr --guide
STDOUT_TO=/dev/full expect_clean_error 1 'stdout: .*No space left on device' damo-convert good.dtr --to csv
STDOUT_TO=/dev/full expect_clean_error 1 'stdout: write error: No space left on device' damo-convert good.dtr --to ndjson
STDOUT_TO=/dev/full expect_clean_error 1 'stdout: .*No space left on device' damo-convert good.dtr --to dtr -o -
STDOUT_TO=/dev/full expect_clean_error 1 "$full_stdout" damo-stacks -i good.dtr
STDOUT_TO=/dev/full expect_clean_error 1 "$full_stdout" damo-timeline -i good.dtr
STDOUT_TO=/dev/full expect_clean_error 1 'stdout.*No space left on device' damo-synth -o - --snapshots 5

# Devices, FIFOs and links given as output are written in place: a root
# user's `-o /dev/null` must not replace /dev/null with a regular file.
for f in null.dtr null.csv null.png null.json; do mknod "$f" c 1 3; done
ln -s null.csv link.csv
expect_ok damo-convert good.dtr -o null.dtr
expect_ok damo-convert good.dtr -o null.csv
expect_ok damo-convert good.dtr --to csv -o link.csv
expect_ok damo-synth -o null.dtr --snapshots 5
expect_ok damo-heatmap -i good.dtr --output null.png
expect_ok damo-wss -i good.dtr --plot null.png
expect_ok damo-timeline -i good.dtr -o null.png
expect_ok damo-stacks -i good.dtr -o null.json
for f in null.dtr null.csv null.png null.json; do
	[ -c "$f" ] || fail "$f was replaced: $(stat -c %F "$f")"
done
[ -L link.csv ] || fail "link.csv was replaced: $(stat -c %F link.csv)"
ls | grep -q '\.tmp' && fail "a temporary file was left: $(ls | grep '\.tmp')"
mkfifo pipe.csv
cat pipe.csv >from-pipe.csv &
reader=$!
expect_ok damo-convert good.dtr --to csv -o pipe.csv
wait "$reader"
[ -p pipe.csv ] || fail "the FIFO was replaced"
expect_ok damo-convert good.dtr --to csv -o plain.csv
expect_same_file plain.csv from-pipe.csv
# /dev/stdout, a link to the shell's redirection, gets the output
expect_ok damo-convert good.dtr --to csv -o /dev/stdout
expect_same_file plain.csv out
echo "robust_inputs: ok"
