#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fuzz driver (`make fuzz`): builds the library archives with clang and the
# sanitizers into build-fuzz/, links every tests/fuzz/fuzz_NAME.c (each
# defines LLVMFuzzerTestOneInput) with libFuzzer, and runs each for
# FUZZ_SECONDS (default 20) on a copy of its seeds tests/fuzz/corpus/NAME/
# (the repository's corpus is never written).  Crash artifacts stay in
# build-fuzz/artifacts/NAME/.  Ends with "fuzz: N passed, N failed" and
# exits non-zero when a target failed to build or found a crash.
set -uo pipefail
cd "$(dirname "$0")/../.."

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_SEED=${FUZZ_SEED:-0} # libFuzzer's -seed: 0 draws one
OUT=build-fuzz
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CC_FUZZ=${CC_FUZZ:-clang}

command -v "$CC_FUZZ" >/dev/null || { echo "fuzz: $CC_FUZZ not found (make deps)"; echo "fuzz: 0 passed, 1 failed"; exit 1; }

targets=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | sort)
if [ -z "$targets" ]; then
	echo "fuzz: 0 passed, 0 failed"
	exit 0
fi

# Archives only (no commands): one per library folder; a folder that does
# not build only fails the targets that need it.
archives=""
for d in $(make -s --no-print-directory print-LIB_ORDER); do
	archives="$archives $OUT/lib/libdt-${d//\//-}.a"
done
mkdir -p $OUT
make -s -k O=$OUT BIN=$OUT/bin CC="$CC_FUZZ" \
	EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $SAN" $archives >$OUT/build.log 2>&1 ||
	echo "fuzz: some library archives did not build (see $OUT/build.log)"

INC=$(make -s --no-print-directory print-INC_ALL)
LIBS="$(pkg-config --libs cairo 2>/dev/null || echo -lcairo) -lpng16 -ltraceevent -lzstd -lz -lm -lpthread"
present=""
for a in $archives; do [ -f "$a" ] && present="$present $a"; done

passed=0 failed=0
for src in $targets; do
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	bin=$OUT/$name
	log=$OUT/$name.log
	if ! "$CC_FUZZ" -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer $SAN $INC -o "$bin" "$src" $present \
		-Wl,--as-needed $LIBS >"$log" 2>&1; then
		echo "$name: does not build"
		tail -n 20 "$log"
		failed=$((failed + 1))
		continue
	fi
	corpus=$OUT/corpus/$short
	rm -rf "$corpus"
	mkdir -p "$corpus" "$OUT/artifacts/$short"
	[ -d "tests/fuzz/corpus/$short" ] && cp -r "tests/fuzz/corpus/$short/." "$corpus/"
	if "$bin" -max_total_time="$FUZZ_SECONDS" -seed="$FUZZ_SEED" -timeout=20 -rss_limit_mb=2048 \
		-artifact_prefix="$OUT/artifacts/$short/" -print_final_stats=1 \
		"$corpus" >"$log" 2>&1; then
		runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$')
		echo "$name: ok, ${runs:-?} runs in ${FUZZ_SECONDS} s"
		passed=$((passed + 1))
	else
		echo "$name: FAILED (artifacts in $OUT/artifacts/$short/)"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 10
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
