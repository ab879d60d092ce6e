#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every input read once (issue 16, item 5 and 20's standard-input part):
# what cannot be read twice (standard input, a pipe, a FIFO, a process
# substitution) gives every command the same result as the file itself;
# nothing hangs in a second open, nothing loses what sniffing looked at.
source "$(dirname "$0")/lib.sh"

P=$DT_SRC/tests/data/perf/threads.txt
expect_ok damo-synth --stacks --targets 2 --snapshots 30 --regions 20 -o two.dtr
expect_ok damo-synth -o m.dtr --stacks --snapshots 300 --regions 60

# same NAME CMD-ON-FILES CMD-ON-STREAMS: the same standard output, but for
# the input's name in a warning
same() {
	local name=$1
	expect_ok within 60 bash -c "$2"
	sed -E 's#(those of )[^ ]+#\1INPUT#' out >"$name.file"
	expect_ok within 60 bash -c "$3"
	sed -E 's#(those of )[^ ]+#\1INPUT#' out >"$name.stream"
	expect_same_file "$name.file" "$name.stream"
}

# damo-timeline: --perf-script and -i through process substitution, a FIFO
# and standard input
same tl-perf "damo-timeline -i two.dtr --perf-script '$P' --json" \
	"damo-timeline -i two.dtr --perf-script <(cat '$P') --json"
expect_grep '"from_perf_script":[1-9]' out
same tl-rec "damo-timeline -i m.dtr --json" "damo-timeline -i <(cat m.dtr) --json"
mkfifo rec.fifo perf.fifo
same tl-fifo "damo-timeline -i m.dtr --json" "cat m.dtr >rec.fifo & damo-timeline -i rec.fifo --json"
same tl-pfifo "damo-timeline -i two.dtr --perf-script '$P' --json" \
	"cat '$P' >perf.fifo & damo-timeline -i two.dtr --perf-script perf.fifo --json"
same tl-stdin "damo-timeline -i m.dtr --json" "damo-timeline -i - --json <m.dtr"

# damo-heatmap: standard input, a pipe and a FIFO, in several passes
same hm-stdin "damo-heatmap -i m.dtr raw" "cat m.dtr | damo-heatmap -i - raw"
same hm-fifo "damo-heatmap -i m.dtr raw" "cat m.dtr >rec.fifo & damo-heatmap -i rec.fifo raw"

# damo-stacks: sniffing the operand consumes nothing; a record on standard
# input is found to be one
same st-perf "damo-stacks '$P' -i two.dtr -f folded" "damo-stacks <(cat '$P') -i two.dtr -f folded"
same st-rec "damo-stacks m.dtr -f folded" "damo-stacks -f folded - <m.dtr"
same st-pipe "damo-stacks m.dtr -f folded" "cat m.dtr | damo-stacks -f folded -"
same st-fifo "damo-stacks -i m.dtr -f folded" "cat m.dtr >rec.fifo & damo-stacks -i rec.fifo -f folded"
# messages name the stream as the user did, not the spool
expect_status 1 bash -c "damo-stacks -i <(head -c 50 m.dtr)"
expect_grep '^damo-stacks: /dev/fd/[0-9]+: ' err
expect_no_grep '/proc/' err
echo "inputs_once: ok"
