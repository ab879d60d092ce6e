#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make install and make uninstall with DESTDIR, as a packager runs them:
# exactly the commands, man pages (damotrace(7) too), bash completions,
# dtr.h, libdtr.a, libdtr.so with its soname and links, dtr.pc and the
# Python module go in,
# and uninstall takes exactly those out again.  The shared library exports
# only dtr.h's functions; pkg-config --libs dtr links a program either way
# (shared, and static with -static); the completions complete options and
# choices; the ABI check catches a changed public type.
source "$(dirname "$0")/lib.sh"

# The commands already built in $DT_BIN (-o all: nothing is rebuilt).
objdir=$(dirname "$DT_BIN")
[ -f "$objdir/lib/libdt-format.a" ] || objdir=$DT_SRC/build
make_in() { make -s -C "$DT_SRC" -o all O="$objdir" BIN="$DT_BIN" "$@"; }

commands="damo-access damo-convert damo-heatmap damo-info damo-record damo-stacks damo-synth damo-timeline damo-wss"
mkdir -p root/usr/bin
echo keep >root/usr/bin/other-tool
expect_ok make_in install DESTDIR="$TEST_TMP/root" PREFIX=/usr
{
	for c in $commands; do
		echo "./usr/bin/$c"
		echo "./usr/share/bash-completion/completions/$c"
		echo "./usr/share/man/man1/$c.1"
	done
	# the Python module (make install-python), in Debian's dist-packages
	for f in "$DT_SRC"/cmd/python/damotrace/*.py; do
		echo "./usr/lib/python3/dist-packages/damotrace/${f##*/}"
	done
	suffix=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
	echo "./usr/lib/python3/dist-packages/damotrace/_damotrace$suffix"
	printf '%s\n' ./usr/bin/other-tool ./usr/include/dtr.h ./usr/lib/libdtr.a ./usr/lib/libdtr.so \
		./usr/lib/libdtr.so.1 ./usr/lib/libdtr.so.1.0.0 ./usr/lib/pkgconfig/dtr.pc \
		./usr/share/man/man7/damotrace.7
} | sort >want.txt
(cd root && find . -not -type d | sort) >got.txt
expect_same_file want.txt got.txt
[ "$(readlink root/usr/lib/libdtr.so)" = libdtr.so.1 ] || fail "libdtr.so -> $(readlink root/usr/lib/libdtr.so)"
[ "$(readlink root/usr/lib/libdtr.so.1)" = libdtr.so.1.0.0 ] || fail "libdtr.so.1 link"
grep -q '^prefix=/usr$' root/usr/lib/pkgconfig/dtr.pc || fail "dtr.pc prefix"
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l root/usr/share/man/man7/damotrace.7 >rendered 2>warnings ||
		fail "man cannot render damotrace.7: $(head -n 3 warnings)"
	[ ! -s warnings ] || fail "damotrace.7: $(head -n 3 warnings)"
	for c in $commands; do
		grep -q "$c(1)" rendered || fail "damotrace(7) does not name $c(1)"
	done
fi

# The shared library: its soname, and dtr.h's functions as its only exports
lib=root/usr/lib/libdtr.so.1.0.0
readelf -d "$lib" | grep -q 'SONAME.*\[libdtr.so.1\]' || fail "no soname libdtr.so.1"
grep -oE '^[a-z][^(]*[ *]dtr_[a-z0-9_]+\(' "$DT_SRC/format/dtr.h" | grep -oE 'dtr_[a-z0-9_]+' | sort >api.txt
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort >exports-v.txt
sed 's/@.*//' exports-v.txt | sort >exports.txt
expect_same_file api.txt exports.txt
grep -qv '@@DTR_1.0$' exports-v.txt && fail "an export without the DTR_1.0 version: $(grep -v '@@DTR_1.0$' exports-v.txt | head -1)"
[ "$(wc -l <exports.txt)" -ge 20 ] || fail "only $(wc -l <exports.txt) exports"

# pkg-config --libs dtr, either way: installed under a real prefix
expect_ok make_in install PREFIX="$TEST_TMP/p"
cat >prog.c <<'EOF'
#include <stdio.h>
#include "dtr.h"
int main(int argc, char **argv)
{
	struct dtr_writer *w;
	struct dtr_reader *r;
	struct dtr_item it = { .type = DTR_ITEM_FOOTPRINT };
	char err[256];
	int n = 0;

	(void)argc;
	it.u.footprint.resident = 4096;
	if (dtr_writer_open(&w, argv[1], NULL, err, sizeof(err)) ||
	    dtr_writer_put(w, &it, err, sizeof(err)) || dtr_writer_close(w, err, sizeof(err)) ||
	    dtr_reader_open(&r, argv[1], NULL, err, sizeof(err))) {
		puts(err);
		return 1;
	}
	while (dtr_reader_next(r, &it, err, sizeof(err)) == 1)
		n += it.type == DTR_ITEM_FOOTPRINT && it.u.footprint.resident == 4096;
	dtr_reader_close(r);
	printf("%d footprint\n", n);
	return n != 1;
}
EOF
export PKG_CONFIG_PATH="$TEST_TMP/p/lib/pkgconfig"
# Under make sanitize the library itself is built with ASan and UBSan: a
# program using it links the same runtimes, and cannot link statically
# (ASan has no static runtime), so the static check is make check's alone.
san=""
nm -D "$TEST_TMP/p/lib/libdtr.so.1" | grep -q '__asan_' && san="-fsanitize=address,undefined"
# shellcheck disable=SC2046,SC2086
cc $san -o shared-prog prog.c $(pkg-config --cflags --libs dtr) || fail "cannot link with pkg-config --libs dtr"
readelf -d shared-prog | grep -q 'NEEDED.*\[libdtr.so.1\]' || fail "shared-prog does not use libdtr.so.1"
LD_LIBRARY_PATH="$TEST_TMP/p/lib" ./shared-prog a.dtr >run.txt || fail "shared-prog: $(cat run.txt)"
if [ -z "$san" ]; then
	# shellcheck disable=SC2046
	cc -static -o static-prog prog.c $(pkg-config --cflags --libs dtr) || fail "cannot link -static with pkg-config --libs dtr"
	readelf -d static-prog 2>/dev/null | grep -q 'NEEDED.*libdtr' && fail "static-prog needs libdtr.so"
	./static-prog b.dtr >run.txt || fail "static-prog: $(cat run.txt)"
else
	echo "install_uninstall: sanitizer build: the -static link is checked by make check only"
fi
expect_ok make_in uninstall PREFIX="$TEST_TMP/p"
[ -z "$(find "$TEST_TMP/p" -not -type d)" ] || fail "uninstall left $(find "$TEST_TMP/p" -not -type d | head -1)"

# Bash completion: options, choices, files
complete_words() { # COMMAND WORD... : what completing the last word offers
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		fn=$(complete -p "$1" | sed "s/.*-F \([^ ]*\) .*/\1/"); "$fn"; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "root/usr/share/bash-completion/completions/$1" "$@"
}
[ "$(complete_words damo-wss --sor)" = --sortby ] || fail "damo-wss --sor: $(complete_words damo-wss --sor)"
[ "$(complete_words damo-wss --sortby '' | tr '\n' ' ')" = "size time " ] || fail "damo-wss --sortby choices"
[ "$(complete_words damo-convert --what f)" = footprint ] || fail "damo-convert --what f"
[ "$(complete_words damo-synth --hostn)" = --hostname ] || fail "damo-synth --hostn"
[ "$(complete_words damo-access --snapshot_i)" = --snapshot_idx ] || fail "damo-access --snapshot_i"
touch rec1.dtr
[ "$(complete_words damo-info rec1)" = rec1.dtr ] || fail "damo-info: no file completion"
[ -z "$(complete_words damo-record --aggr 1)" ] || fail "damo-record --aggr completes a file"
for c in $commands; do
	"$DT_BIN/$c" --list-options | tr ' ' '\n' | grep -- '^-' | sort >opts.txt
	complete_words "$c" - | sort >offered.txt
	expect_same_file opts.txt offered.txt
done

# uninstall: exactly what install put, nothing else
expect_ok make_in uninstall DESTDIR="$TEST_TMP/root" PREFIX=/usr
(cd root && find . -not -type d) >left.txt
[ "$(cat left.txt)" = ./usr/bin/other-tool ] || fail "after uninstall: $(tr '\n' ' ' <left.txt)"

# The ABI check catches a public type that changed: the library built again
# with a field added to struct dtr_reader_opts
if command -v abidiff >/dev/null; then
	mkdir abi && cp "$DT_SRC"/format/*.c "$DT_SRC"/format/*.h abi/
	sed -i 's/^\tint salvage; /\tint salvage, added_field; /' abi/dtr.h
	grep -q added_field abi/dtr.h || fail "cannot change dtr.h for the ABI test"
	for f in abi/*.c; do
		cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -fPIC -Iabi -c "$f" -o "${f%.c}.o" ||
			fail "cannot build $f"
	done
	cc -shared -Wl,-soname,libdtr.so.1 -Wl,--version-script="$DT_SRC/format/libdtr.map" \
		-o abi/libdtr.so abi/*.o -lzstd || fail "cannot link the changed library"
	abidw --no-corpus-path --no-comp-dir-path --header-file abi/dtr.h --drop-private-types \
		--out-file abi/new.abi abi/libdtr.so || fail "abidw failed"
	expect_status 4 abidiff --no-added-syms "$DT_SRC/format/libdtr.abi" abi/new.abi
	expect_grep "added_field" out
else
	fail "abidiff is missing (abigail-tools; make deps)"
fi
