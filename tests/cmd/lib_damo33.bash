# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the tests that compare damotrace with damo 3.3's own outputs
# (tests/data/damo33/, README there): sourced after lib.sh.  The inputs are
# copied into the test folder under the names damo was run with.
D33=$DT_SRC/tests/data/damo33
cp "$DAMO_FIXTURES/damon.data" "$DAMO_FIXTURES/perf.data.script" \
	"$DAMO_FIXTURES/vm/damon-vm.data" "$D33"/in/*.data .

# damo33_expected NAME: damo's output of case NAME into ./expected
damo33_expected() {
	if [ -f "$D33/out/$1.zst" ]; then
		zstd -q -dc "$D33/out/$1.zst" > expected
	else
		cp "$D33/out/$1" expected
	fi
}

# damo33_same NAME CMD...: CMD prints damo's output of NAME byte for byte
damo33_same() {
	local name=$1
	shift
	damo33_expected "$name"
	expect_ok "$@"
	cmp -s expected out || { diff -u expected out | head -n 20 >&2; fail "$name: '$*' differs from damo's output"; }
}

# damo33_heats NAME CMD...: raw heatmap lines, times and addresses byte for
# byte, heats within a relative 1e-9 (damo adds them up in another order)
damo33_heats() {
	local name=$1
	shift
	damo33_expected "$name"
	expect_ok "$@"
	awk -F'\t' 'NR == FNR { t[FNR] = $1; a[FNR] = $2; h[FNR] = $3; n = FNR; next }
	{ m = FNR
	  if ($1 != t[FNR] || $2 != a[FNR]) { print "line " FNR ": " $0; bad++ }
	  else if ((h[FNR] == "NaN") != ($3 == "NaN")) { print "line " FNR ": " $3; bad++ }
	  else if (h[FNR] != "NaN") { e = h[FNR] + 0; d = e - $3; if (d < 0) d = -d
		  if (e < 0) e = -e; if (d > 1e-9 * e) { print "line " FNR ": " $3; bad++ } }
	  if (bad > 3) exit 1 }
	END { if (m != n) { print "lines " m ", expected " n; bad++ } exit bad ? 1 : 0 }' \
		expected out >&2 || fail "$name: '$*' differs from damo's cells"
}
