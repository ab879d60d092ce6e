#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make valgrind`: every command-level test (tests/cmd/*.sh, or those named
# as arguments) with each command run under valgrind memcheck.  A directory
# of wrappers, one per command, takes the place of $DT_BIN; each wrapper
# execs `valgrind --error-exitcode=99 --leak-check=full
# --errors-for-leak-kinds=definite` on the real binary and logs to its own
# file.  A test fails as usual; besides, any non-empty log (an invalid read
# or write, a use of uninitialised memory, a definite leak, even on a path
# where the test expected the command to fail) fails the run.  Ends with
# "valgrind: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."

DT_SRC=${DT_SRC:-$PWD}
DT_BIN=${DT_BIN:-$DT_SRC/bin}
command -v valgrind >/dev/null || { echo "valgrind: not installed (make deps)"; echo "valgrind: 0 passed, 1 failed"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/dt-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The real binaries are found by valgrind on PATH, so that they see their
# own name as argv[0] (getopt's messages use it), as without valgrind.
# Tests also run commands as another user (setpriv): the wrappers must be
# reachable and the logs writable by everyone.
chmod 755 "$work"
mkdir -p "$work/bin" "$work/real" "$work/logs"
chmod 1777 "$work/logs"
supp=$DT_SRC/tests/valgrind/fontconfig.supp
valgrind=$(command -v valgrind) # tests may run commands with a narrow PATH
for real in "$DT_BIN"/damo-*; do
	[ -x "$real" ] || continue
	name=$(basename "$real")
	ln -s "$(cd "$(dirname "$real")" && pwd)/$name" "$work/real/$name"
	# valgrind keeps files of its own in \$TMPDIR and cannot start without
	# it: a command given an unusable TMPDIR (a test of its own error) runs
	# without valgrind.
	cat >"$work/bin/$name" <<SH
#!/bin/sh
if [ -n "\${TMPDIR:-}" ] && ! [ -d "\$TMPDIR" -a -w "\$TMPDIR" ]; then
	PATH="$work/real:\$PATH" exec $name "\$@"
fi
PATH="$work/real:\$PATH" exec "$valgrind" -q --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite --show-leak-kinds=definite --track-origins=yes \\
	--suppressions="$supp" \\
	--log-file="$work/logs/$name.%p.log" $name "\$@"
SH
	chmod +x "$work/bin/$name"
done

if [ $# -gt 0 ]; then
	scripts=("$@")
else
	scripts=()
	for s in tests/cmd/*.sh; do
		[ "$(basename "$s")" = lib.sh ] || scripts+=("$s")
	done
fi

passed=0 failed=0
for s in "${scripts[@]}"; do
	name=$(basename "$s" .sh)
	rm -f "$work/logs/"*.log
	start=$(date +%s)
	if DT_BIN="$work/bin" DT_SRC="$DT_SRC" DT_SLOWDOWN=20 bash "$s" >"$work/$name.out" 2>&1; then
		status=ok
	else
		status="test failed"
	fi
	bad=""
	for log in "$work/logs/"*.log; do
		[ -s "$log" ] && bad="$bad $log"
	done
	secs=$(( $(date +%s) - start ))
	if [ "$status" = ok ] && [ -z "$bad" ]; then
		echo "$name: ok (${secs} s)"
		passed=$((passed + 1))
		continue
	fi
	failed=$((failed + 1))
	echo "$name: FAILED (${secs} s)"
	[ "$status" = ok ] || { echo "--- $s output (tail):"; tail -n 15 "$work/$name.out"; }
	for log in $bad; do
		echo "--- $(basename "$log"):"
		head -n 40 "$log"
	done
done
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
