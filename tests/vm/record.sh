#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Record a command with damo-record on the real DAMON kernel of the microVM,
# for machines whose own kernel cannot (no DAMON vaddr, or DAMON busy):
#
#   tests/vm/record.sh [-f HOST[=GUEST]]... -o OUT.dtr -- DAMO-RECORD-ARGS...
#
# Every -f file goes into the VM (a bare HOST to /bin/NAME; static binaries,
# or dynamic ones whose libraries are on perf's list); the static
# damo-record, damo-info and damo-synth of $STATIC_BIN and perf with its
# libraries are always there.  Inside, `damo-record -o /results/out.dtr
# DAMO-RECORD-ARGS...` runs in /tmp; the record comes back as OUT.dtr, the
# command's output as OUT.dtr.out and damo-record's messages on stderr.  The
# exit status is damo-record's (1 when the VM run itself failed).
#
#   tests/vm/record.sh -f build/fft-phases -o demo.dtr -- -g -- fft-phases
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

STATIC_BIN=${STATIC_BIN:-$here/../../bin-static}
out="" files=()
while [ $# -gt 0 ]; do
	case $1 in
	-f) files+=("$2"); shift 2 ;;
	-o) out=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [-f HOST[=GUEST]]... -o OUT.dtr -- DAMO-RECORD-ARGS..." >&2; exit 2 ;;
	esac
done
if [ -z "$out" ] || [ $# -eq 0 ]; then
	echo "usage: $0 [-f HOST[=GUEST]]... -o OUT.dtr -- DAMO-RECORD-ARGS..." >&2
	exit 2
fi
for cmd in damo-record damo-info damo-synth; do
	[ -x "$STATIC_BIN/$cmd" ] || { echo "record.sh: $STATIC_BIN/$cmd is missing (make static)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/dt-vm-record.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# The scenario: damo-record with the arguments, each single-quoted for sh.
{
	echo '. /lib/damotrace-vm.sh'
	printf 'damo-record -o "$RESULTS/out.dtr"'
	for arg in "$@"; do
		printf " '%s'" "${arg//\'/\'\\\'\'}"
	done
	echo ' >"$RESULTS/out.txt" 2>"$RESULTS/stderr.txt"'
	echo 'echo $? >"$RESULTS/status"'
} >"$work/scenario.sh"

perf_specs=$(vm_perf_files) || exit 1
# shellcheck disable=SC2086
vm_build_initramfs "$work/initramfs.cpio.gz" "$work/scenario.sh" \
	"$STATIC_BIN/damo-record" "$STATIC_BIN/damo-info" "$STATIC_BIN/damo-synth" \
	"$here/guest-lib.sh=/lib/damotrace-vm.sh" "${files[@]}" $perf_specs || exit 1
vm_boot "$work/initramfs.cpio.gz" "$work/out" || exit 1

results=$work/out/results
cat "$results/stderr.txt" >&2 2>/dev/null
[ -f "$results/out.dtr" ] && cp "$results/out.dtr" "$out"
[ -f "$results/out.txt" ] && cp "$results/out.txt" "$out.out"
status=$(cat "$results/status" 2>/dev/null || echo 1)
exit "$status"
