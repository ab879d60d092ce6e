#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make layers' checker catches what it is for: a forbidden include, another
# folder's private header, a call into a folder that may not be used, an
# import cycle, a .c without its SPDX and job lines, and a bare realloc
# where grow.h may be used; and passes a clean tree.
source "$(dirname "$0")/lib.sh"

check=$DT_SRC/tests/layers/check.py
tree=$TEST_TMP/tree
mkdir -p "$tree/low" "$tree/high" "$tree/cmd" "$tree/obj/low" "$tree/obj/high"
printf 'low:\nhigh: low\n' >"$tree/table"

unit() { # unit FOLDER NAME BODY: a .c file with its header lines
	printf '// SPDX-License-Identifier: GPL-2.0-only\n/* %s. */\n%s\n' "$2" "$3" >"$tree/$1/$2.c"
}
header() { # header FOLDER NAME BODY
	printf '/* SPDX-License-Identifier: GPL-2.0-only */\n/* %s */\n%s\n' "$2" "$3" >"$tree/$1/$2"
}
build() {
	for f in "$tree"/low/*.c "$tree"/high/*.c; do
		d=$(basename "$(dirname "$f")")
		cc -std=c11 -c -I"$tree/low" -I"$tree/high" -o "$tree/obj/$d/$(basename "$f" .c).o" "$f" ||
			fail "cannot build $f"
	done
}
layers() { (cd "$tree" && python3 "$check" obj table); }
# has TEXT PATTERN: a line of TEXT contains PATTERN (fixed string).
has() { grep -Fq -- "$2" <<<"$1" || { echo "$1" >&2; fail "no line has '$2'"; }; }

header low low.h 'int low_f(void);'
header low low_internal.h 'int low_priv(void);'
unit low low '#include "low.h"
#include "low_internal.h"
int low_priv(void) { return 1; }
int low_f(void) { return low_priv(); }'
header high high.h 'int high_f(void);'
unit high high '#include "high.h"
#include "low.h"
int high_f(void) { return low_f(); }'
build
out=$(layers) || fail "a clean tree fails: $out"
has "$out" 'layers: 5 passed, 0 failed'

# A lower folder including a higher one's header.
unit low bad_include '#include "high.h"
int bad(void);'
build
out=$(layers) && fail "a forbidden include passes"
has "$out" 'low/bad_include.c:3: includes high/high.h: low/ may not use high'
rm "$tree/low/bad_include.c" "$tree/obj/low/bad_include.o"

# Another folder's private header.
unit high peek '#include "low_internal.h"
int peek(void) { return low_priv(); }'
build
out=$(layers) && fail "a private header of another folder passes"
has "$out" 'high/peek.c:3: includes low/low_internal.h, a private header of low'
rm "$tree/high/peek.c" "$tree/obj/high/peek.o"

# A call upwards, declared by hand so that no include shows it.
unit low up 'int high_f(void);
int up(void) { return high_f(); }'
build
out=$(layers) && fail "a call into a folder that may not be used passes"
has "$out" 'low/up.c: calls high_f in high/high.c: low/ may not use high'
rm "$tree/low/up.c" "$tree/obj/low/up.o"

# Two files of one folder calling each other.
unit low ping 'int pong(int);
int ping(int n) { return n ? pong(n - 1) : 0; }'
unit low pong 'int ping(int);
int pong(int n) { return n ? ping(n - 1) : 1; }'
build
out=$(layers) && fail "an import cycle passes"
has "$out" 'import cycle: low/ping.c <-> low/pong.c'
rm "$tree/low/ping.c" "$tree/low/pong.c" "$tree/obj/low/ping.o" "$tree/obj/low/pong.o"

# A .c without its job line.
printf '// SPDX-License-Identifier: GPL-2.0-only\nint quiet(void) { return 0; }\n' >"$tree/low/quiet.c"
build
out=$(layers) && fail "a .c without its job line passes"
has "$out" "low/quiet.c:2: no comment saying the file's job"
rm "$tree/low/quiet.c" "$tree/obj/low/quiet.o"

# The Python module's folder is a front-end: it may include any library
# header but no private one, and its files need their SPDX and job lines.
mkdir -p "$tree/cmd/python"
unit cmd/python module '#include "high.h"
#include "low.h"
int module(void) { return high_f() + low_f(); }'
out=$(layers) || fail "a front-end using the libraries fails: $out"
unit cmd/python sneaky '#include "low_internal.h"
int sneaky(void) { return low_priv(); }'
printf '// SPDX-License-Identifier: GPL-2.0-only\nint mute(void) { return 0; }\n' >"$tree/cmd/python/mute.c"
out=$(layers) && fail "cmd/python/ with a private header and no job line passes"
has "$out" 'cmd/python/sneaky.c:3: includes low/low_internal.h, a private header of low'
has "$out" "cmd/python/mute.c:2: no comment saying the file's job"
rm "$tree/cmd/python/sneaky.c" "$tree/cmd/python/mute.c"

# A hand-grown array where the growth helper may be used: realloc only in
# convert/util/grow.c and in folders that may not use convert/util.
mkdir -p "$tree/convert/util"
header convert/util grow.h 'int dt_grow(void *p, unsigned long *alloc, unsigned long need, unsigned long elem);'
printf 'convert/util:\nlow:\nhigh: low convert/util\n' >"$tree/table"
unit low own_grow '#include <stdlib.h>
void *own_grow(void *p) { return realloc(p, 64); }'
unit high by_hand '#include <stdlib.h>
/* realloc(p, 8) in a comment is no call */
void *by_hand(void *p)
{
	return realloc(p, 64);
}'
build
out=$(layers) && fail "a bare realloc in a folder that may use grow.h passes"
has "$out" 'high/by_hand.c:7: calls realloc() by hand: grow arrays with DT_GROW'
grep -Fq 'low/own_grow.c' <<<"$out" && fail "realloc in a folder without grow.h is flagged: $out"
grep -Fq 'by_hand.c:4' <<<"$out" && fail "a realloc in a comment is flagged: $out"
rm "$tree/high/by_hand.c" "$tree/obj/high/by_hand.o"
out=$(layers) || fail "the tree without the bare realloc fails: $out"
has "$out" 'layers: 5 passed, 0 failed'
