#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: damotrace's whole story in one command.
#
# Installs what is missing (make deps, only when a needed tool is missing),
# builds the commands and the fft-phases workload, records the workload with
# DAMON and perf callstacks in one record (on this machine when its kernel
# has DAMON vaddr and DAMON is free, otherwise in the microVM of make
# check-vm, on Debian's 6.12 kernel), then draws and exports everything into
# demo/ (report.html: the interactive report) and prints the phase report.  The workload's three phases follow
# each other with no idle time (FFT1DOnce over one buffer, Transpose over
# another, FFT1DOnce again) and nothing tells the tools where its buffers
# are: the pictures frame the memory it worked on by themselves.  It fails
# (non-zero) unless the JSON report (damo-timeline --json) shows the three
# phases, each named after the workload's function for it and lying where
# the workload says it ran.
#
# Settings (environment): O, BIN, STATIC_BIN (as for make; make demo passes
# its own), DEMO_OUT (default demo), DEMO_WHERE (auto, host or vm; default
# auto), DEMO_ARGS (the workload's options; default --mib 16 on this
# machine, --mib 4 --burst 4 in the emulated VM), DEMO_RECORD_ARGS
# (more damo-record options; default none on this machine, -a 300ms in the
# VM: under emulation one FFT pass takes longer than 100 ms, and an
# aggregation that sees only part of a pass makes the hot set wander).
#
# The host is only probed by reading: /sys/kernel/mm/damon (number of
# kdamonds, the operations a context offers), the kernel's config and the
# tracepoint's format.  damo-record itself refuses, without writing, when a
# kdamond exists.
set -uo pipefail
cd "$(dirname "$0")/.."

O=${O:-build}
BIN=${BIN:-bin}
STATIC_BIN=${STATIC_BIN:-bin-static}
MAKE=${MAKE:-make}
OUT=${DEMO_OUT:-demo}
WHERE=${DEMO_WHERE:-auto}
started=$(date +%s)
nr_steps=6 step_no=0

step() {
	step_no=$((step_no + 1))
	printf '\n==> [%3d s] %d/%d %s\n' $(($(date +%s) - started)) "$step_no" "$nr_steps" "$*"
}
say() { echo "    $*"; }
die() {
	echo "demo: $*" >&2
	exit 1
}

case $WHERE in auto | host | vm) ;; *) die "DEMO_WHERE must be auto, host or vm (not '$WHERE')" ;; esac

# ------------------------------------------------------------------ tools
step "checking the tools the demo needs"
missing=()
for tool in cc pkg-config ar node perf qemu-system-x86_64 cpio gzip apt-cache dpkg-deb; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -x /bin/busybox ] || missing+=(busybox)
pkg-config --exists cairo libpng libzstd libtraceevent zlib check 2>/dev/null ||
	missing+=("libraries (cairo, libpng, zstd, traceevent, zlib, check)")
for lib in libzstd.a libtraceevent.a libz.a libm.a; do
	case $(cc -print-file-name="$lib" 2>/dev/null) in
	/*) ;;
	*) missing+=("$lib") ;;
	esac
done
if [ ${#missing[@]} -gt 0 ]; then
	say "missing: ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "run 'sudo make deps' first (it installs Debian packages)"
	say "running make deps"
	$MAKE -s deps || die "make deps failed"
else
	say "all present (make deps not needed)"
fi

# ------------------------------------------------------------------ build
step "building the commands and the fft-phases workload ($BIN/, $STATIC_BIN/, $O/examples/)"
# The build's output (the static link's warnings too) is shown only when it fails.
build_log=$(mktemp "${TMPDIR:-/tmp}/damotrace-demo-build.XXXXXX") || die "cannot create a temporary file"
trap 'rm -f "$build_log"' EXIT
if ! $MAKE -s -j"$(nproc 2>/dev/null || echo 2)" O="$O" BIN="$BIN" STATIC_BIN="$STATIC_BIN" \
	all static examples >"$build_log" 2>&1; then
	tail -n 40 "$build_log" >&2
	die "the build failed"
fi
say "done"
export PATH=$PWD/$BIN:$PATH

# ------------------------------------------------------------------ where
# host_reason: why this machine cannot record (empty when it can).  Reads only.
host_reason() {
	local admin=/sys/kernel/mm/damon/admin/kdamonds nr ops config
	if ! nr=$(cat "$admin/nr_kdamonds" 2>/dev/null); then
		echo "its kernel has no DAMON sysfs interface"
		return
	fi
	if [ "$nr" != 0 ]; then
		ops=$(cat "$admin"/*/contexts/*/avail_operations 2>/dev/null | tr '\n' ' ')
		echo "DAMON is in use ($nr kdamond(s) exist${ops:+; operations offered: ${ops% }})"
		return
	fi
	config=$( (zcat /proc/config.gz || cat "/boot/config-$(uname -r)") 2>/dev/null)
	if ! grep -qx 'CONFIG_DAMON_VADDR=y' <<<"$config"; then
		echo "its kernel has no DAMON vaddr operations (or no readable config saying so)"
		return
	fi
	if ! [ -r /sys/kernel/tracing/events/damon/damon_aggregated/format ] &&
		! [ -r /sys/kernel/debug/tracing/events/damon/damon_aggregated/format ]; then
		echo "the damon:damon_aggregated tracepoint is not visible (tracefs)"
		return
	fi
	[ "$(id -u)" = 0 ] || echo "recording needs root (sudo make demo records here)"
}

step "choosing where to record"
if [ "$WHERE" = auto ]; then
	reason=$(host_reason)
	if [ -z "$reason" ]; then
		WHERE=host
		say "this machine: kernel $(uname -r) has DAMON vaddr and no kdamond runs"
	else
		WHERE=vm
		say "not on this machine: $reason"
		say "recording in the microVM instead (Debian's Linux 6.12 with DAMON, emulated)"
	fi
else
	say "DEMO_WHERE=$WHERE"
	if [ "$WHERE" = host ]; then
		reason=$(host_reason)
		# Never against a kdamond someone else runs, even when asked.
		case $reason in "DAMON is in use"*) die "cannot record on this machine: $reason" ;; esac
		[ -z "$reason" ] || say "warning: $reason"
	fi
fi

mkdir -p "$OUT" || die "cannot create $OUT/"
record=$OUT/fft-phases.dtr
workload_out=$record.out
rm -f "$record" "$record.old" "$workload_out"

# ------------------------------------------------------------------ record
if [ "$WHERE" = host ]; then
	read -r -a args <<<"${DEMO_ARGS:---mib 16}"
	read -r -a rec_args <<<"${DEMO_RECORD_ARGS:-}"
	step "recording fft-phases ${args[*]} with DAMON and callstacks: damo-record -g (about 15 s)"
	damo-record -g "${rec_args[@]}" -o "$record" -- "$O/examples/fft-phases" "${args[@]}" >"$workload_out"
	status=$?
else
	read -r -a args <<<"${DEMO_ARGS:---mib 4 --burst 4}"
	read -r -a rec_args <<<"${DEMO_RECORD_ARGS:--a 300ms}"
	step "recording fft-phases ${args[*]} with DAMON and callstacks in the microVM: damo-record -g (about a minute)"
	STATIC_BIN=$STATIC_BIN tests/vm/record.sh -f "$O/examples/fft-phases-static=/bin/fft-phases" \
		-o "$record" -- -g "${rec_args[@]}" -- fft-phases "${args[@]}" 2>&1 | sed 's/^/    /'
	status=${PIPESTATUS[0]}
fi
[ "$status" = 0 ] || die "damo-record failed (exit $status)"
[ -s "$record" ] || die "no record came back"
say "record: $record ($(wc -c <"$record") bytes); the workload said:"
sed 's/^/      /' "$workload_out"

# ------------------------------------------------------------------ outputs
step "drawing and exporting into $OUT/"
# run CMD...: show it, run it with its standard output discarded.
run() {
	say "$*"
	"$@" >/dev/null || die "$1 failed"
}
run damo-wss -i "$record" --sortby time --exclude_samples 0 --plot "$OUT/wss.png"
run damo-wss -i "$record" --sortby time --exclude_samples 0 --plot "$OUT/wss.pdf"
run damo-heatmap -i "$record" --output "$OUT/freq.pdf"
run damo-stacks -i "$record" -o "$OUT/profile.speedscope.json"
run damo-stacks -i "$record" -f trace-event -o "$OUT/trace.json"
timeline=(damo-timeline -i "$record" --title "fft-phases: working set, heatmap, callstacks"
	-o "$OUT/timeline.png" -o "$OUT/timeline.pdf" -o "$OUT/report.html")
say "${timeline[*]}"
"${timeline[@]}" >"$OUT/phases.txt" || die "damo-timeline failed"
say "damo-timeline -i $record --json"
damo-timeline -i "$record" --json >"$OUT/phases.json" || die "damo-timeline --json failed"
for f in wss.png timeline.png; do
	[ "$(head -c 4 "$OUT/$f" | tail -c 3)" = PNG ] || die "$OUT/$f is not a PNG"
done
for f in wss.pdf freq.pdf timeline.pdf; do
	[ "$(head -c 4 "$OUT/$f")" = %PDF ] || die "$OUT/$f is not a PDF"
done
grep -q 'id="dt-meta"' "$OUT/report.html" || die "$OUT/report.html has no report data"
grep -q 'speedscope' "$OUT/profile.speedscope.json" || die "$OUT/profile.speedscope.json is not a speedscope file"
grep -q '"traceEvents"' "$OUT/trace.json" || die "$OUT/trace.json has no trace events"

# ------------------------------------------------------------------ report
step "the phase report (damo-timeline; also in $OUT/phases.txt)"
sed 's/^/    /' "$OUT/phases.txt"

# Each reported phase (the JSON report: its absolute start_ns and end_ns on
# the record's clock, CLOCK_MONOTONIC as the workload's own times) must be
# named after the workload's function for it (the naming rule: the deepest
# function on half of its samples) and have its middle inside the printed
# start..end.
verdict=$(node - "$workload_out" "$OUT/phases.json" <<'EOF'
const fs = require('fs');
const [outFile, jsonFile] = process.argv.slice(2);
const want = [];
for (const f of fs.readFileSync(outFile, 'utf8').trim().split('\n').map((l) => l.split(' '))) {
	if (f[0] === 'phase' && f[4] === 'start') want.push({ fn: f[2], s: +f[5] });
	else if (f[0] === 'phase' && f[2] === 'end') want[want.length - 1].e = +f[3];
}
const got = JSON.parse(fs.readFileSync(jsonFile, 'utf8')).phases;
const bad = [];
if (got.length !== want.length)
	bad.push(`${got.length} phases reported, the workload had ${want.length}`);
got.forEach((p, i) => {
	const w = want[i];
	if (!w)
		return;
	const mid = (Number(p.start_ns) + Number(p.end_ns)) / 2e9;
	if (p.function !== w.fn)
		bad.push(`phase ${i + 1} names ${p.function}, the workload ran ${w.fn}`);
	else if (!(mid >= w.s && mid <= w.e))
		bad.push(`phase ${i + 1} (middle ${mid.toFixed(2)} s) lies outside the workload's phase ${i + 1} (${w.s.toFixed(2)}-${w.e.toFixed(2)} s)`);
});
console.log(bad.length ? bad.join('; ') : 'ok');
EOF
)

elapsed=$(($(date +%s) - started))
if [ "$verdict" != ok ]; then
	echo
	die "the phase report does not match the workload: $verdict"
fi
cat <<EOF

demo: 3 phases back to back, FFT1DOnce, Transpose and FFT1DOnce again,
each where the workload ran it ($elapsed s in all; recorded on the $([ "$WHERE" = host ] && echo "this machine" || echo "microVM")).

  $OUT/timeline.png, .pdf      WSS, heatmap and callstacks on one time axis
  $OUT/report.html             the same, interactive (zoom, hover, phase call trees), one file
  $OUT/wss.png, .pdf           working set size over time
  $OUT/freq.pdf                access heatmap of the memory it worked on
  $OUT/phases.txt, .json       the phase report, as text and JSON
  $OUT/profile.speedscope.json drag onto https://www.speedscope.app (or: npx speedscope FILE)
  $OUT/trace.json              https://ui.perfetto.dev, "Open trace file"
  $record          the record itself (damo-info $record)
EOF
