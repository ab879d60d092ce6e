# SPDX-License-Identifier: GPL-2.0-only
# Sourced first by tests/cmd/record_*.sh: re-run the test inside a private
# mount namespace with tmpfs over the host's DAMON sysfs and tracefs, so
# nothing the test does can reach the real ones.  A test that cannot set
# this up fails; it never falls back to the real tree.

if [ "${DT_RECORD_NS:-}" != 1 ]; then
	command -v unshare >/dev/null || { echo "FAIL: unshare is missing" >&2; exit 1; }
	DT_RECORD_NS=1 exec unshare -m bash "$0" "$@"
	echo "FAIL: cannot enter a private mount namespace" >&2
	exit 1
fi

ns_fail() {
	echo "FAIL: private namespace setup: $*" >&2
	exit 1
}

mount --make-rprivate / || ns_fail "mount --make-rprivate /"
for d in /sys/kernel/mm/damon /sys/kernel/tracing /sys/kernel/debug/tracing; do
	if [ "$d" = /sys/kernel/debug/tracing ] && [ ! -d "$d" ]; then
		continue
	fi
	[ -d "$d" ] || ns_fail "$d does not exist"
	mount -t tmpfs none "$d" || ns_fail "mount tmpfs on $d"
	[ "$(findmnt -n -o FSTYPE --target "$d")" = tmpfs ] || ns_fail "$d is not the private tmpfs"
	[ -z "$(ls -A "$d")" ] || ns_fail "$d is not empty after mounting tmpfs"
done
# The roots the recorder uses are the (now private) default paths.
unset DAMOTRACE_SYSFS_ROOT DAMOTRACE_TRACEFS_ROOT DAMOTRACE_IOMEM
FAKES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DAMON_SYSFS=/sys/kernel/mm/damon
TRACEFS=/sys/kernel/tracing
FAKE_PID=""

# fake_tree [make-damon-tree options]: a fresh fake tree on the private tmpfs.
fake_tree() {
	rm -rf "${DAMON_SYSFS:?}"/* "${TRACEFS:?}"/*
	bash "$FAKES/make-damon-tree" "$DAMON_SYSFS" "$@"
}

# fake_kernel: start the fake kernel on the tree; stopped when the test ends.
fake_kernel() {
	bash "$FAKES/fake-kdamond" "$DAMON_SYSFS" &
	FAKE_PID=$!
}

stop_fake_kernel() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
		FAKE_PID=""
	fi
	return 0
}

# tree_digest: every file of the fake tree with its content.
tree_digest() {
	(cd "$DAMON_SYSFS" && find . -type f | sort | while read -r f; do echo "$f:$(cat "$f")"; done)
}
