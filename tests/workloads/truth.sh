#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Write a corpus truth file from what the workload's runs printed:
#
#   tests/workloads/truth.sh NAME NAME-1.out [NAME-2.out...] > NAME.truth
#
# Each NAME-N.out is the standard output of one recorded run (its record is
# NAME-N.dtr beside it).  The format is in tests/workloads/README.md; every
# value comes from the run's own lines, nothing is added by hand.
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: $0 NAME RUN.out..." >&2
	exit 2
fi
name=$1
shift
printf '# damotrace corpus truth, format 1 (tests/workloads/README.md)\n'
printf '# made by tests/workloads/truth.sh from the runs'"'"' output; not edited by hand\n'
printf 'workload %s\n' "$name"
run=0
for out in "$@"; do
	run=$((run + 1))
	base=$(basename "$out" .out)
	# NAME-N.out is run N.
	case ${base##*-} in '' | *[!0-9]*) ;; *) run=${base##*-} ;; esac
	awk -v run="$run" -v rec="$base.dtr" -v out="$(basename "$out")" -v file="$out" '
	function key(line, k,    n, i, f, parts) {
		n = split(line, f, " ")
		for (i = 1; i <= n; i++)
			if (index(f[i], k "=") == 1)
				return substr(f[i], length(k) + 2)
		return ""
	}
	function hex(s,    i, c, v) {
		v = 0
		s = tolower(s)
		sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function fail(msg) {
		printf "truth.sh: %s: %s\n", file, msg > "/dev/stderr"
		bad = 1
		exit 1
	}
	$1 == "start" { start = $2; main_lane = key($0, "tid") }
	$1 == "buffer" {
		nb++
		bname[nb] = $2; blo[$2] = $3; bhi[$2] = $4
		extra = ""
		for (i = 5; i <= NF; i++) extra = extra " " $i
		bextra[nb] = extra
	}
	$1 == "phase" {
		lane = key($0, "tid")
		if (lane == "") fail("a phase line without tid=")
		if (!(lane in nphase)) { nl++; lanes[nl] = lane }
		k = ++nphase[lane]
		pname[lane, k] = $2; pstart[lane, k] = $3; pline[lane, k] = $0
	}
	$1 == "end" {
		lane = key($0, "tid")
		if (lane == "") fail("an end line without tid=")
		lend[lane] = $2
		if (stop == "" || $2 + 0 > stop + 0) stop = $2
	}
	END {
		if (bad) exit 1
		if (start == "") fail("no start line")
		if (nl == 0) fail("no phase line")
		for (l = 1; l <= nl; l++)
			if (!(lanes[l] in lend)) fail("lane " lanes[l] " has no end line (the run was cut short)")
		printf "run %d %s %s %s %s\n", run, rec, out, start, stop
		for (b = 1; b <= nb; b++)
			printf "buffer %d %s %s %s%s\n", run, bname[b], blo[bname[b]], bhi[bname[b]], bextra[b]
		for (l = 1; l <= nl; l++) {
			lane = lanes[l]
			printf "lane %d %s %s\n", run, lane, lane == main_lane ? "main" : "thread"
			idx = 0
			# The main lane is idle from the program start to its first phase.
			if (lane == main_lane && start + 0 < pstart[lane, 1] + 0)
				printf "segment %d %s %d %s %s idle - -\n", run, lane, ++idx, start, pstart[lane, 1]
			for (k = 1; k <= nphase[lane]; k++) {
				line = pline[lane, k]
				s = pstart[lane, k]
				e = k < nphase[lane] ? pstart[lane, k + 1] : lend[lane]
				if (e + 0 < s + 0) fail("phase " pname[lane, k] " ends before it starts")
				pattern = key(line, "pattern"); if (pattern == "") pattern = "steady"
				func = key(line, "function"); if (func == "") func = pname[lane, k]
				if (pattern == "idle") func = "-"
				bufs = key(line, "buffers"); if (bufs == "") bufs = "-"
				extra = " phase=" pname[lane, k]
				range = key(line, "range")
				if ((pattern == "sweep" || pattern == "growth") && range == "") {
					# The range of the phase s buffers, from their lines.
					lo = ""; hi = ""
					n = split(bufs, bl, ",")
					for (i = 1; i <= n; i++) {
						if (!(bl[i] in blo)) continue
						if (lo == "" || hex(blo[bl[i]]) < hex(lo)) lo = blo[bl[i]]
						if (hi == "" || hex(bhi[bl[i]]) > hex(hi)) hi = bhi[bl[i]]
					}
					if (lo != "") range = lo "-" hi
				}
				if (range != "") extra = extra " range=" range
				split("speed band intensity", ks, " ")
				for (i = 1; i <= 3; i++)
					if ((v = key(line, ks[i])) != "") extra = extra " " ks[i] "=" v
				printf "segment %d %s %d %s %s %s %s %s%s\n", run, lane, ++idx, s, e, pattern, func, bufs, extra
			}
		}
	}' "$out"
done
