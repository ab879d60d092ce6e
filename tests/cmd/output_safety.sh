#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Outputs never destroy data (issue 16, items 1-3, 13, 19): every command's
# file output is written beside its target and renamed over it when
# complete.  A symbolic link's target is replaced only by that rename; an
# output that is an input (or a link to one) is refused before anything is
# written; a failed, full or killed run leaves the old file as it was and no
# temporary file; mode, umask, write protection and hard links are honoured;
# devices and FIFOs are written directly.  The full-disk part runs in a
# private mount namespace, on a small tmpfs.
if [ "${DT_OUTPUT_NS:-}" != 1 ]; then
	command -v unshare >/dev/null || { echo "FAIL: unshare is missing" >&2; exit 1; }
	DT_OUTPUT_NS=1 exec unshare -m bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"

# no_temp_files DIR: nothing but what the test made (no .dt* leftovers)
no_temp_files() {
	local left
	left=$(ls -A "$1" | grep -E '^\.dt|\.tmp' || true)
	[ -z "$left" ] || fail "temporary files left in $1: $left"
}

expect_ok damo-synth -o m.dtr --stacks --snapshots 300 --regions 60
head -c 40 m.dtr >bad.dtr

# 1. A symbolic link at the output path: a link to the input is refused, a
# link to another file has that file replaced by rename, the link stays.
cp m.dtr rec.dtr
ln -s rec.dtr latest.dtr
expect_status 1 damo-convert rec.dtr -o latest.dtr
expect_grep 'latest\.dtr is the input rec\.dtr' err
expect_same_file m.dtr rec.dtr
echo victim >victim
ln -s victim L.json
expect_status 1 damo-convert bad.dtr -o L.json
[ "$(cat victim)" = victim ] || fail "a failed conversion emptied the link's target"
expect_ok damo-convert m.dtr -o L.json
[ -L L.json ] || fail "the link was replaced instead of its target"
expect_grep '^\[' victim
ln -s victim.png L.png
echo oldpng >victim.png
expect_ok damo-heatmap -i m.dtr L.png
[ -L L.png ] && [ "$(head -c 4 victim.png | tail -c 3)" = PNG ] || fail "L.png: link or image wrong"
no_temp_files .

# 3. -o naming the input, or a link to it, or a hard link of it
for cmd in "damo-stacks -i rec.dtr -o rec.dtr" "damo-stacks -i rec.dtr -o latest.dtr" \
	   "damo-timeline -i rec.dtr -o rec.dtr.png" "damo-heatmap -i rec.dtr latest.png" \
	   "damo-wss -i rec.dtr --plot latest.svg"; do
	ln -sf rec.dtr latest.png
	ln -sf rec.dtr latest.svg
	ln -f rec.dtr rec.dtr.png
	expect_status 1 $cmd
	expect_grep 'is the input' err
	expect_same_file m.dtr rec.dtr
	rm -f rec.dtr.png
done
expect_status 2 damo-synth -o x.dtr --truth x.dtr
expect_status 2 damo-synth -o x.dtr --truth ./x.dtr
[ ! -e x.dtr ] || fail "damo-synth wrote x.dtr though refusing"

# 13. umask for new files, the old mode for replaced ones, hard links
(umask 027 && damo-convert m.dtr -o u.json) || fail "damo-convert -o u.json"
[ "$(stat -c %a u.json)" = 640 ] || fail "u.json has mode $(stat -c %a u.json), umask 027 says 640"
chmod 600 u.json
expect_ok damo-convert m.dtr --to csv -o u.json
[ "$(stat -c %a u.json)" = 600 ] || fail "the replaced u.json lost its mode 600"
cp m.dtr h1.dtr
ln h1.dtr h2.dtr
expect_status 1 damo-convert m.dtr --to csv -o h2.dtr
expect_grep 'h2\.dtr has 2 hard links' err
expect_same_file m.dtr h1.dtr
# a write-protected output, as a user who is not root
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$TEST_TMP"
	mkdir -m 1777 shared
	cp m.dtr shared/in.dtr
	chmod 644 shared/in.dtr
	echo protected >shared/ro.csv
	chown 65534:65534 shared/ro.csv
	chmod 444 shared/ro.csv
	as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	expect_status 1 "${as_nobody[@]}" "$DT_BIN/damo-convert" shared/in.dtr -o shared/ro.csv
	expect_grep 'ro\.csv is write-protected' err
	[ "$(cat shared/ro.csv)" = protected ] || fail "a write-protected output was replaced"
	no_temp_files shared
fi

# non-regular outputs are written directly
expect_ok damo-convert m.dtr --to json -o /dev/null
mkfifo fifo.csv
cat fifo.csv >from-fifo.csv &
reader=$!
expect_ok damo-convert m.dtr -o fifo.csv
wait "$reader"
[ -p fifo.csv ] || fail "the FIFO was replaced"
expect_grep '^time_ns,' from-fifo.csv
expect_ok damo-convert m.dtr --to csv -o /dev/stdout
expect_grep '^time_ns,' out

# 19. a legal 250-character name (the temporary name is short)
long=$(printf 'n%.0s' {1..246}).csv
expect_ok damo-convert m.dtr -o "$long"
[ -s "$long" ] || fail "the 250-character output is missing"
no_temp_files .

# 10. an output name holding a newline is a name, nothing more (no
# program ever parses it: the gnuplot backend is gone)
evil=$'a\nsystem "touch PWNED"\n#.png'
expect_ok damo-heatmap -i m.dtr "$evil"
[ ! -e PWNED ] || fail "something ran a command from the output's name"
[ "$(head -c 4 "$evil" | tail -c 3)" = PNG ] || fail "no PNG under the odd name"
expect_ok damo-wss -i m.dtr --sortby time --plot "$evil"
rm -f "$evil"

# 2, 19. killed writers: the old file stays, no temporary file is left
expect_ok damo-synth -o big.dtr --stacks --snapshots 4000 --regions 200
# What an undisturbed run writes (under the same name: the output names
# itself): a signal may land after the output was renamed into place, so
# out.json is then this, never anything between.
expect_ok damo-stacks -i big.dtr -f trace-event -o out.json
mv out.json whole-stacks.json
expect_ok damo-convert big.dtr --to json -o out.json
mv out.json whole-convert.json
old_or_whole() { # WHAT WHOLE: out.json is the old file or WHOLE, byte for byte
	[ "$(cat out.json)" = OLD ] || cmp -s out.json "$2" ||
		fail "$1 left $(stat -c %s out.json) bytes in place of out.json"
}
for sig in TERM INT HUP; do
	echo OLD >out.json
	damo-stacks -i big.dtr -f trace-event -o out.json &
	pid=$!
	sleep 0.1
	kill -"$sig" "$pid" 2>/dev/null || true
	wait "$pid" || true
	old_or_whole "SIG$sig during damo-stacks" whole-stacks.json
	echo OLD >out.json
	damo-convert big.dtr --to json -o out.json &
	pid=$!
	sleep 0.2
	kill -"$sig" "$pid" 2>/dev/null || true
	wait "$pid" || true
	old_or_whole "SIG$sig during damo-convert" whole-convert.json
	no_temp_files .
done

# 2. a full disk: the old file stays, for every writer
mount --make-rprivate / || fail "mount --make-rprivate /"
mkdir small
mount -t tmpfs -o size=64k none small || fail "cannot mount a tmpfs"
trap 'umount small 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
for out in o.png o.svg o.json o.trace o.dtr o.txt; do
	echo OLD >"small/$out"
done
expect_status 1 damo-heatmap -i big.dtr small/o.png
expect_status 1 damo-timeline -i big.dtr -o small/o.svg
expect_status 1 damo-stacks -i big.dtr -o small/o.json
expect_status 1 damo-stacks -i big.dtr -f trace-event -o small/o.trace
expect_status 1 damo-synth -o small/o.dtr --snapshots 4000 --truth small/o.txt
expect_status 1 damo-convert big.dtr -o small/o.dtr
expect_status 1 damo-wss -i big.dtr --plot small/o.png --sortby time
for out in o.png o.svg o.json o.trace o.dtr o.txt; do
	[ "$(cat "small/$out")" = OLD ] || fail "a full disk destroyed small/$out"
done
no_temp_files small
echo "output_safety: ok"
