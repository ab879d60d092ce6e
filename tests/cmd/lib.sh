# SPDX-License-Identifier: GPL-2.0-only
# Helpers for command-level tests.  A test script sources this file, runs
# the commands from $DT_BIN like a user would, and fails on the first
# expectation that does not hold.
set -euo pipefail

DT_SRC=${DT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DT_BIN=${DT_BIN:-$DT_SRC/bin}
DT_SHARED=${DT_SHARED:-$DT_SRC/../shared}
DAMO_FIXTURES=$DT_SHARED/interop/damo
PATH=$DT_BIN:$PATH
export DT_SRC DT_BIN DT_SHARED DAMO_FIXTURES PATH

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dt-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT
cd "$TEST_TMP"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_status N CMD...: run CMD, require exit status N; stdout/stderr kept
# in $TEST_TMP/out and $TEST_TMP/err.
expect_status() {
	local want=$1 got=0
	shift
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || got=$?
	if [ "$got" != "$want" ]; then
		echo "--- stdout:" >&2; head -n 20 "$TEST_TMP/out" >&2
		echo "--- stderr:" >&2; head -n 20 "$TEST_TMP/err" >&2
		fail "'$*' exited $got, expected $want"
	fi
}

# DT_SLOWDOWN: how many times slower than usual the commands run here
# (make valgrind sets 20): hang guards allow that much longer, and tests
# whose inputs only need to take a while shrink them by as much.
DT_SLOWDOWN=${DT_SLOWDOWN:-1}

# within SECONDS CMD...: run CMD, killed (status 124) if it runs longer than
# SECONDS (times DT_SLOWDOWN): a guard against hangs, not a speed check.
within() {
	local secs=$1
	shift
	timeout $((secs * DT_SLOWDOWN)) "$@"
}

# expect_ok CMD...: status 0.
expect_ok() {
	expect_status 0 "$@"
}

# expect_grep PATTERN FILE: extended regex must match a line of FILE.
expect_grep() {
	grep -Eq -- "$1" "$2" || { echo "--- $2:" >&2; head -n 20 "$2" >&2; fail "no line of $2 matches '$1'"; }
}

# expect_no_grep PATTERN FILE
expect_no_grep() {
	! grep -Eq -- "$1" "$2" || fail "a line of $2 matches '$1'"
}

# expect_same_file EXPECTED ACTUAL: byte for byte, with a diff on failure.
expect_same_file() {
	cmp -s "$1" "$2" || { diff -u "$1" "$2" | head -n 40 >&2; fail "$2 differs from $1"; }
}

# expect_error_line CMD...: fails with a non-zero status and one clear line
# on stderr that names the program.
expect_error() {
	local got=0
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || got=$?
	[ "$got" -ne 0 ] || fail "'$*' succeeded, expected an error"
	[ "$got" -lt 128 ] || fail "'$*' died with signal $((got - 128))"
	[ -s "$TEST_TMP/err" ] || fail "'$*' failed without a message on stderr"
}
