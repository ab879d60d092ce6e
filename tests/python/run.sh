#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make check-python: pytest over tests/python/ (the Python module), with
# the Python the module was built for ($PYTHON).  pytest's own summary
# comes first, then "python: N passed, N failed" (errors count as
# failures), the line tests/run-all.sh counts.  Arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
export PYTHONDONTWRITEBYTECODE=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$PYTHON" -m pytest -p no:cacheprovider -q -rfE tests/python "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# pytest's last line: "3 failed, 10 passed, 1 error in 2.5s" (any order).
read -r passed failed < <(tail -n 1 "$log" | awk '{
	for (i = 2; i <= NF; i++) {
		w = $i; sub(/,$/, "", w)
		if (w == "passed") p += $(i-1)
		if (w == "failed" || w == "error" || w == "errors") f += $(i-1) } }
	END { print p + 0, f + 0 }')
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "python: $passed passed, $failed failed"
exit "$status"
