#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Damaged inputs of every format are refused with one line naming the file
# and the place; nothing is left behind as output; bad command lines exit 2.
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

# one clear line on stderr that names the file and matches PATTERN
expect_located_error() {
	local pattern=$1
	shift
	expect_error "$@"
	[ "$(wc -l < err)" -eq 1 ] || { cat err >&2; fail "'$*': expected one error line"; }
	expect_grep "^damo-convert: " err
	expect_grep "$pattern" err
}

# truncated zlib stream
head -c 30000 "$F/damon.data" > cut.data
expect_located_error 'cut\.data.*truncated zlib stream at compressed byte offset' \
	damo-convert cut.data -o out.dtr
[ ! -e out.dtr ] || fail "a failed conversion left out.dtr behind"
ls | grep -q 'out.dtr.tmp' && fail "a failed conversion left a temporary file"

# broken JSON: a region object cut short by a stray bracket
node -e 'const fs=require("fs"),zlib=require("zlib");
const t=zlib.inflateSync(fs.readFileSync(process.argv[1])).toString();
const i=t.indexOf("\"end\"", 200000);
fs.writeFileSync("broken.json", t.slice(0,i)+"]"+t.slice(i));' "$F/damon.data"
expect_located_error 'broken\.json: JSON offset [0-9]+: ' damo-convert broken.json --to csv
# the message gives the JSON path of semantic errors
sed '0,/"start": "94,827,419,009,024"/s//"start": "nine"/' < <(node -e '
const fs=require("fs"),zlib=require("zlib");
process.stdout.write(zlib.inflateSync(fs.readFileSync(process.argv[1])));' "$F/damon.data") > badaddr.json
expect_located_error 'badaddr\.json: JSON offset [0-9]+: \[0\]\.snapshots\[0\]\.regions\[0\]\.start: bad value' \
	damo-convert badaddr.json --to csv

# truncated legacy binary record
head -c 100000 "$F/damon.data.binary_v2" > cut.binary
expect_located_error 'cut\.binary: truncated at byte offset [0-9]+: snapshot [0-9]+ target 0' \
	damo-convert cut.binary --to damo-raw

# garbage in perf script text, and a damon line with a broken field
{ head -n 100 "$F/perf.data.script"; echo "garbage here"; } > garbage.script
expect_located_error 'garbage\.script: line 101: not a trace event line' \
	damo-convert garbage.script --to damo-raw
head -n 10 "$F/perf.data.script" | sed '7s/nr_regions=8/nr_regions=eight/' > field.script
expect_located_error 'field\.script: line 7: bad nr_regions' damo-convert field.script --to csv

# truncated damotrace record
expect_ok damo-convert "$F/damon.data" -o good.dtr
head -c $(( $(stat -c %s good.dtr) / 2 )) good.dtr > cut.dtr
expect_located_error 'cut\.dtr' damo-convert cut.dtr --to csv

# unknown content, empty input, missing file, directory
printf '\x00\x01\x02garbage' > junk.bin
expect_located_error 'junk\.bin: unrecognised input format' damo-convert junk.bin --to csv
: > empty
expect_located_error 'empty: empty input' damo-convert empty --to csv
expect_located_error 'nosuch\.data: No such file' damo-convert nosuch.data --to csv

# perf.data needs perf: a clear message when it is missing
printf 'PERFILE2\x68\x00\x00\x00\x00\x00\x00\x00' > perf.data
expect_located_error "perf\.data: reading a perf\.data file needs perf, and '/nonexistent/perf' was not found" \
	damo-convert perf.data --perf_path /nonexistent/perf --to csv
# a perf that fails is reported with its message
cat > failing-perf <<'SH'
#!/bin/sh
echo "perf: broken data file" >&2
exit 3
SH
chmod +x failing-perf
expect_located_error "perf\.data: '\./failing-perf script' failed \(exit status 3\): perf: broken data file" \
	damo-convert perf.data --perf_path ./failing-perf --to csv
# and a working perf's text is read like any perf script text
cat > fake-perf <<SH
#!/bin/sh
[ "\$1" = script ] || exit 9
cat "$F/perf.data.script"
SH
chmod +x fake-perf
expect_ok damo-convert perf.data --perf_path ./fake-perf --to damo-raw
expect_same_file "$F/expects/report-raw_perf_script" out
# perf.data on standard input is spooled to a file perf can read
expect_ok damo-convert - --perf_path ./fake-perf --to damo-raw < perf.data
expect_same_file "$F/expects/report-raw_perf_script" out
# a real perf.data without DAMON events, read by the real perf
expect_ok perf record -q -e cpu-clock:u -o real.data -- true
expect_located_error 'real\.data: no damon_aggregated events in the input' \
	damo-convert real.data --to csv

# command line errors exit 2
expect_status 2 damo-convert "$F/damon.data"
expect_grep 'name the output format' err
expect_status 2 damo-convert "$F/damon.data" --to yaml
expect_status 2 damo-convert "$F/damon.data" -o out.unknown
expect_status 2 damo-convert "$F/damon.data" --to json --what wss
expect_status 2 damo-convert a b --to csv
expect_ok damo-convert --list-formats
expect_grep '^damo-raw ' out
expect_ok damo-convert --version
expect_grep '^damo-convert \(damotrace\) ' out

# Outputs that are not regular files are written in place, never replaced:
# a FIFO stays a FIFO, a symbolic link stays a link to the file it names.
mkfifo out.fifo
cat out.fifo > from-fifo.csv &
reader=$!
expect_ok damo-convert "$F/damon.data" --to csv -o out.fifo
wait "$reader"
[ -p out.fifo ] || fail "the FIFO was replaced"
[ "$(wc -l < from-fifo.csv)" -eq 9774 ] || fail "the FIFO reader got $(wc -l < from-fifo.csv) lines"
: > real.csv
ln -s real.csv link.csv
expect_ok damo-convert "$F/damon.data" -o link.csv
[ -L link.csv ] || fail "the symbolic link was replaced"
expect_same_file from-fifo.csv real.csv
