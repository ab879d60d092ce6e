#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Terminal reports escape what records hold (issue 16, item 11): damo-info's
# metadata and command lines, the damo-timeline report's function names and
# map paths reach the terminal as \xNN, never as raw ESC/OSC sequences,
# carriage returns or newlines that forge report lines.
source "$(dirname "$0")/lib.sh"

# A record whose text fields hold escape sequences: a title-setting OSC, a
# screen clear, a hyperlink, a C1 CSI, CR LF and LF starting a forged line.
cat >gen.js <<'JS'
const evil = "\u001b]0;PWNED\u0007x\u001b[2J\nforged";
const items = [
	{meta: [["command_line", "damo-record \u001b[31mred\u001b[0m\r\nforged: line"], ["host\u001bname", "\u009b2J"]]},
	{context: {ops: 1, targets: [{pid: 77, cmdline: "app \u001b]8;;http://x\u0007 --arg\nforged"}]}},
	{maps: {time: 1, pid: 77, entries: [[4096, 1073745920, 0, "rw-p", "/opt/" + evil + ".so"]]}},
	{frame: {symbol: "main", dso: "app", srcline: ""}},
	{frame: {symbol: "hot_" + evil, dso: "app", srcline: ""}},
];
for (let i = 0; i < 60; i++) {
	const t = 1000000000 + i * 100000000;
	items.push({snapshot: {start: t, end: t + 100000000, target: 0,
		regions: [[4096, 536875008, 20, 1], [536875008, 1073745920, 0, 1]]}});
	items.push({stack: {time: t + 50000000, pid: 77, tid: 77, frames: [1, 0]}});
}
console.log(JSON.stringify(items));
JS
node gen.js >evil.json
node "$DT_SRC/tests/cmd/dtr_craft.js" evil.dtr evil.json

no_raw_controls() {
	! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1" || fail "$1 holds raw control characters"
	expect_no_grep '^forged' "$1"
}

expect_ok damo-info evil.dtr
no_raw_controls out
expect_grep '^meta: command_line = damo-record \\x1b\[31mred\\x1b\[0m\\x0d\\x0aforged: line$' out
expect_grep '^meta: host\\x1bname = \\x9b2J$' out
expect_grep 'cmdline "app \\x1b\]8;;http://x\\x07 --arg\\x0aforged"$' out

# A file name from the command line is escaped too.
cp evil.dtr $'e\x1b[2Jvil.dtr'
expect_ok damo-info $'e\x1b[2Jvil.dtr'
no_raw_controls out
expect_grep '^record: e\\x1b\[2Jvil\.dtr$' out
expect_ok damo-info --verify $'e\x1b[2Jvil.dtr'
no_raw_controls out

expect_ok damo-timeline -i evil.dtr
no_raw_controls out
expect_grep '\(file \\x1b\]0;PWNED\\x07x\\x1b\[2J\\x0aforged\.so\)' out
expect_grep 'top: .*hot_\\x1b\]0;PWNED\\x07x\\x1b\[2J\\x0aforged [0-9]+%' out
# one phase, its name escaped too; no other line but the header's and
# segments' (idle)
[ "$(grep -c '^phase ' out)" -eq 1 ] || fail "the report of one phase has $(grep -c '^phase ' out) phases"
expect_grep '^phase 1 \[.*\) hot_\\x1b\]0;PWNED\\x07x\\x1b\[2J\\x0aforged: ' out
[ "$(grep -vc '^\(phase \|idle \|# \)' out)" -eq 0 ] || fail "unexpected lines: $(cat out)"
echo "report_escapes: ok"
