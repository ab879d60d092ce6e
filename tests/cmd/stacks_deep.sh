#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Callstacks deeper than the 4096 frames kept per sample (issue 16, item 8):
# the root side is dropped, and damo-stacks and damo-timeline say how many
# samples lost how many root frames instead of dropping them silently.
source "$(dirname "$0")/lib.sh"

# Five samples: 5000 frames (904 too many), 4100 (4 too many), three of 3.
awk 'BEGIN {
	for (s = 0; s < 5; s++) {
		n = s == 0 ? 5000 : s == 1 ? 4100 : 3
		printf "app  77/77  [000] 1000.%06d: 1000000 cpu-clock:\n", s * 1000 + 1
		for (i = 0; i < n; i++)
			printf "\t%x f%d+0x1 (/bin/app)\n", 4096 + i, i
		printf "\n"
	}
}' >deep.perf

expect_ok damo-stacks deep.perf -o deep.json
expect_grep '^damo-stacks: warning: deep\.perf: 2 callstack samples deeper than 4096 frames lost 908 root frames' err
# the leaf side is kept: f0, the leaf, is there
expect_grep '"f0"' deep.json

expect_ok damo-synth --stacks --snapshots 30 --regions 20 -o rec.dtr
expect_ok damo-timeline -i rec.dtr --perf-script deep.perf --time-offset 0
expect_grep '^damo-timeline: warning: deep\.perf: 2 callstack samples deeper than 4096 frames lost 908 root frames' err

# Shallow stacks: no such warning.
awk '/^app/ { n++ } n >= 3' deep.perf >shallow.perf
expect_ok damo-stacks shallow.perf -o shallow.json
expect_no_grep 'root frames' err
echo "stacks_deep: ok"
