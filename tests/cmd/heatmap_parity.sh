#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# damo-heatmap gives damo's guide byte for byte, and damo's raw grid:
# time and address columns byte for byte, NaN in the same cells, heats
# within a relative 1e-9 (damo sums floats in another order).
source "$(dirname "$0")/lib.sh"
F=$DAMO_FIXTURES

expect_ok damo-heatmap -i "$F/damon.data" --guide
expect_same_file "$F/expects/report-heats_guide" out
expect_ok damo-heatmap -i "$F/vm/damon-vm.data" --guide
expect_same_file "$F/vm/report-heats_guide" out

cat > cmpheats.awk <<'AWK'
# awk -f cmpheats.awk EXPECTED ACTUAL
NR == FNR { t[FNR] = $1; a[FNR] = $2; h[FNR] = $3; n = FNR; next }
{
	m = FNR
	if (FNR > n) { print "extra line " FNR ": " $0; bad++; exit 1 }
	if (NF != 3 || $1 != t[FNR] || $2 != a[FNR]) {
		print "line " FNR ": '" $0 "', expected columns " t[FNR] " " a[FNR]; bad++
	} else if ((h[FNR] == "NaN") != ($3 == "NaN")) {
		print "line " FNR ": heat " $3 ", expected " h[FNR]; bad++
	} else if (h[FNR] != "NaN") {
		if ($3 !~ /^-?[0-9]+\.[0-9]+(e[-+][0-9]+)?$|^-?[0-9](\.[0-9]+)?e[-+][0-9]+$/) {
			print "line " FNR ": '" $3 "' is not how Python prints a float"; bad++
		}
		e = h[FNR] + 0; g = $3 + 0; d = e - g; if (d < 0) d = -d
		s = e < 0 ? -e : e
		if (d > 1e-9 * s) { print "line " FNR ": heat " $3 ", expected " h[FNR]; bad++ }
	}
	if (bad > 5) exit 1
}
END { if (!bad && m != n) { print "line count " m ", expected " n; bad++ } exit bad ? 1 : 0 }
AWK

for rec in expects:damon.data vm:vm/damon-vm.data; do
	dir=${rec%%:*} file=${rec#*:}
	zstd -q -dc "$F/$dir/report-heats.zst" > expected
	expect_ok damo-heatmap -i "$F/$file" --output raw
	awk -f cmpheats.awk expected out || fail "$file: heats differ from damo's"
	# the checker can fail: a changed heat, a moved NaN
	awk 'NR == 1000 { $3 = $3 == "NaN" ? "0.0" : $3 * 1.001 } 1' OFS='\t' out > changed
	! awk -f cmpheats.awk expected changed >/dev/null || fail "the checker missed a change"
done

# OUT as a positional argument and --heatmap mean the same
expect_ok damo-heatmap -i "$F/vm/damon-vm.data" raw
zstd -q -dc "$F/vm/report-heats.zst" > expected
awk -f cmpheats.awk expected out || fail "positional raw differs"
expect_ok damo-heatmap -i "$F/vm/damon-vm.data" --heatmap raw
awk -f cmpheats.awk expected out || fail "--heatmap raw differs"

# the same record as .dtr gives the same guide and cells
expect_ok damo-convert "$F/vm/damon-vm.data" -o vm.dtr
expect_ok damo-heatmap -i vm.dtr --guide
expect_same_file "$F/vm/report-heats_guide" out
expect_ok damo-heatmap -i vm.dtr raw
awk -f cmpheats.awk expected out || fail ".dtr raw differs"
