#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-stacks keeps samples in memory only up to --buffer-size and spools
# the rest to unlinked temporary files in $TMPDIR.  Every export must be
# byte for byte the same whatever the buffer (0: everything through files;
# the default; 1G: nothing leaves memory), and the same as the reference
# digests below, on perf script texts with several threads, samples out of
# time order, samples of one instant, unknown periods, non-time events,
# no times at all, and DAMON phases.  A missing or full $TMPDIR is one
# clear error line; no temporary file is ever left behind.
if [ "${DT_STACKS_SPOOL_NS:-}" != 1 ]; then
	command -v unshare >/dev/null || { echo "FAIL: unshare is missing" >&2; exit 1; }
	DT_STACKS_SPOOL_NS=1 exec unshare -m bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"

VM=$DAMO_FIXTURES/vm/damon-vm.perf-script
[ -r "$VM" ] || fail "missing fixture $VM"

# gen SEED N THREADS DISORDER TIES PERIOD EVENT TIME: perf script text.
# DISORDER, TIES: per mille of samples moved back in time / at the time of
# the previous one; PERIOD all, none or some; TIME us, ns or none.  Samples
# start at 3.4 s, about 300 us apart, and keep a thread's stack for a while
# (so trace-event merges them).  Park-Miller random numbers, exact in any
# awk.
gen() {
	awk -v seed="$1" -v n="$2" -v threads="$3" -v disorder="$4" -v ties="$5" \
		-v period="$6" -v event="$7" -v tmode="$8" '
	function rnd(k) { x = (x * 16807) % 2147483647; return x % k }
	BEGIN {
		x = seed * 7919 + 1
		split("run work_a work_b memcpy helper f;semi deep", fn, " ")
		for (k = 0; k < 12; k++) {
			depth = k ? 1 + rnd(7) : 0
			st[k] = depth ? "main" : ""
			for (d = 1; d < depth; d++) st[k] = st[k] " " fn[1 + rnd(7)]
		}
		t = 3400000
		for (i = 0; i < n; i++) {
			if (rnd(1000) >= ties) t += 150 + rnd(300)
			tt = rnd(1000) < disorder ? t - rnd(15000) : t
			th = rnd(threads)
			if (!(th in cur) || rnd(10) >= 6) cur[th] = rnd(12)
			comm = th == 2 ? "with space" : "comm" th % 2
			hdr = sprintf("%16s %d/%d [%03d] ", comm, 100 + int(th / 2), 100 + th,
				rnd(4))
			if (tmode == "us")
				hdr = hdr sprintf("%d.%06d: ", int(tt / 1000000), tt % 1000000)
			else if (tmode == "ns")
				hdr = hdr sprintf("%d.%06d%03d: ", int(tt / 1000000), tt % 1000000,
					rnd(1000))
			if (period == "all" || (period == "some" && rnd(2)))
				hdr = hdr sprintf("%10d ", rnd(3) ? 250000 : 123457)
			print hdr event ": "
			m = split(st[cur[th]], path, " ")
			for (d = m; d >= 1; d--)
				printf "\t%16x %s+0x%x (%s)\n", 4096 + rnd(1000000), path[d],
					rnd(4096),
					path[d] == "memcpy" ? "/usr/lib/libx.so" : "/bin/app"
			print ""
		}
	}'
}

gen 1 4000 3 30 150 all cpu-clock us >a.txt
gen 2 3000 4 10 100 none cpu-clock us >b.txt
gen 3 3000 3 0 50 some cycles ns >c.txt
gen 4 2000 2 0 0 none cpu-clock none >d.txt
gen 5 100000 5 20 100 some cpu-clock us >e.txt
gen 6 20000 3 5 100 all cpu-clock us >f.txt
expect_ok damo-synth -o synth.dtr --seed 1 --snapshots 200 --regions 100 --stacks
[ "$(grep -c 'cpu-clock: $' a.txt)" = 4000 ] || fail "the generator did not write 4000 samples"

# same A B: byte for byte (the first differing byte on failure: the JSON
# exports are one long line).
same() {
	cmp "$1" "$2" >cmp.out 2>&1 || fail "$(cat cmp.out)"
}

# run NAME FORMAT ARGS...: NAME.FORMAT.SIZE with each buffer size, all equal.
run() {
	local name=$1 fmt=$2 size
	shift 2
	for size in 0 default 1G; do
		local opt=()
		[ "$size" = default ] || opt=(--buffer-size "$size")
		expect_ok damo-stacks "${opt[@]}" "$@" --name "$name" -f "$fmt" \
			-o "$name.$fmt.$size"
	done
	same "$name.$fmt.default" "$name.$fmt.0"
	same "$name.$fmt.default" "$name.$fmt.1G"
}
for fmt in folded speedscope trace-event; do
	run a "$fmt" a.txt
	run b "$fmt" b.txt
	run c "$fmt" c.txt
	run d "$fmt" d.txt
	[ "$fmt" = trace-event ] || run e "$fmt" e.txt
	run f "$fmt" f.txt -i "$VM"
	run fnophases "$fmt" f.txt -i "$VM" --no-phases
	run synth "$fmt" -i synth.dtr
	run mixed "$fmt" -i synth.dtr --perf-script a.txt --keep-record-stacks
done
expect_grep '^\[phase 1 \|' f.folded.default
expect_grep '^\[phase 2 \|' f.folded.default
# Digests changed once (issue 15): phases from the segmentation, named by
# its rule; speedscope files carry the record's time zero (origin_ns);
# trace-event times count from it.  And the f records' phase labels once
# more when patterns were read from rank trends: the VM record's buffer A,
# written over and over, is steady, not growth.

# The reference: sha256 of each export (the exporter's version left out).
while read -r name digest; do
	got=$(sed 's/"damotrace [^"]*"/"damotrace"/' "$name.default" | sha256sum | cut -c1-64)
	[ "$got" = "$digest" ] || fail "$name: sha256 $got, expected $digest"
done <<'EOF'
a.folded 55eb00e8315f1fe87f174e6ccfc536678b3fde7706a09d39cfb3b6a15194bc84
a.speedscope 9981a6338f094c6b4a7a467064249ac12c9e3b6bed28da36d87888b81de21e42
a.trace-event f0c2ffdeb506c2c77461e2300c72a0d95e2745b561a380586c6fbf26311898ff
b.folded 608056677dba1897456a8a65019b61db8db05eebed26f775683eaeeda1eb7648
b.speedscope 67b5c069dd741870d92eae143d43dafae7a40c69707ef9b808f0e313897f2118
b.trace-event ed771db50853c64ac4e517d23ca8e88b28e425d9d0364531a540e7e3db486621
c.folded 3b7975e4f60305d038795e3260a1ce51333768e663b350316501e2a7ddcccced
c.speedscope 71b6f21790b46ad58890ed38f4313a51079c6a46ba6f700006ceefa08acf69f2
c.trace-event 6c81ecdde256a79d398ece5506529071d5197a77b411a424a9e1687857a5cda1
d.folded 8409b0ece2b301923cb4662337d63279680e402d80eea335390ab88a2ee3dc91
d.speedscope 28edd74867c6bfb019b2e020c958304cfc586c2bfbb08d401b6b250a0dab4fe3
d.trace-event 4b97605591b6eddeaec832ecc321c1e2a89a74da2a3c9b0c85d5242d4b2b60f9
e.folded 710e2b8e76e131469c3805a2adad7195a1471c056bc08d1a177d32d020af505e
e.speedscope 18684f6bf04b4c04660e32f1eb2086eae14240553456244f18401615665f3c4a
f.folded b7a27888dda32bc5b7a15ef7d61ec3a4666bdf1d9d56960e6fa0189f7fff9f08
f.speedscope 5ccdd1e26260c6960ba457e4e5040050e1a99bf536713ffb114d3fbe8528aa8f
f.trace-event e13a56a2e570c194ded8740fa9ff42e1360a8a07f8bd886d6d5b289d4a2751d5
fnophases.folded 5c72c19471e787174ab0ac1a3381c3d049b1829fe8b6179f17d3fe4d3cab832a
fnophases.speedscope 31ceec963e0a0d20530585fbae622ffcca39c33e4c0c40a714e809785248c00c
fnophases.trace-event ec1f3acf9962090060aa2594c6629cc138b9ad650209e037269844852ab9492c
EOF

# No temporary file stays behind, and $TMPDIR is where they go.
mkdir spool
TMPDIR=$TEST_TMP/spool expect_ok damo-stacks --buffer-size 0 e.txt --name e -f speedscope \
	-o e.tmpdir
same e.speedscope.default e.tmpdir
[ -z "$(ls -A spool)" ] || fail "temporary files left in \$TMPDIR: $(ls spool)"
TMPDIR=$TEST_TMP/missing expect_status 1 damo-stacks --buffer-size 0 a.txt -f folded \
	-o x.folded
expect_grep "^damo-stacks: a.txt: cannot create a temporary file in $TEST_TMP/missing: \
No such file or directory$" err
[ "$(wc -l <err)" = 1 ] || fail "more than one error line"
[ ! -e x.folded ] || fail "a failed run left its output"
# What fits in the buffer needs no temporary file.
TMPDIR=$TEST_TMP/missing expect_ok damo-stacks a.txt -f folded -o x.folded
same a.folded.default x.folded
expect_status 2 damo-stacks --buffer-size lots a.txt
expect_grep 'buffer-size' err

# A full $TMPDIR: a 64 KiB tmpfs in a private mount namespace.
mount --make-rprivate / || fail "mount --make-rprivate /"
mkdir small
mount -t tmpfs -o size=64k none small || fail "cannot mount a tmpfs"
trap 'umount small 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
[ "$(findmnt -n -o FSTYPE --target small)" = tmpfs ] || fail "small is not the private tmpfs"
for fmt in folded trace-event; do
	TMPDIR=$TEST_TMP/small expect_status 1 damo-stacks --buffer-size 0 e.txt -f "$fmt" \
		-o full.out
	expect_grep "^damo-stacks: .*temporary file in $TEST_TMP/small: No space left on device$" \
		err
	[ "$(wc -l <err)" = 1 ] || fail "more than one error line"
	[ ! -e full.out ] || fail "a failed run left its output"
	[ -z "$(ls -A small)" ] || fail "temporary files left in the full \$TMPDIR"
done
# Its space is back: a run that fits succeeds there.
TMPDIR=$TEST_TMP/small expect_ok damo-stacks --buffer-size 0 d.txt -f folded -o d.small
same d.folded.default d.small
