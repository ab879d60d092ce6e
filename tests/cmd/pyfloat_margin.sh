# SPDX-License-Identifier: GPL-2.0-only
# Python float repr: the fast shortest search (convert/util/pyfloat.c) never needs
# its printf/strtod fallback: no double's scaled interval bound is within
# 2^-66 of an integer without being one (exact count, every binade).
source "$(dirname "$0")/lib.sh"

python3 "$DT_SRC/tests/cmd/pyfloat_margin.py" >out 2>err ||
	fail "$(cat err out)"
expect_grep '^closest non-integer scaled bound: within 2\^-6[0-5] of an integer, not within 2\^-66$' out
