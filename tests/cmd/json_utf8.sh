#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# JSON output is valid UTF-8 whatever a record holds (issue 16, item 12):
# invalid bytes (\xff \xfe), an overlong NUL (\xc0\x80) and an encoded
# surrogate (\xed\xa0\x80) in metadata, command lines, frames and map paths
# come out of damo-info --json, damo-stacks and damo-timeline --json as
# strict UTF-8 that parses.
source "$(dirname "$0")/lib.sh"

cat >gen.js <<'JS'
const bad = "\u00ff\u00fe\u00c0\u0080|\u00ed\u00a0\u0080|caf\u00c3\u00a9";
const items = [
	{meta: [["command_line", "damo-record " + bad], [bad, bad]]},
	{context: {ops: 1, targets: [{pid: 77, cmdline: "app " + bad}]}},
	{maps: {time: 1, pid: 77, entries: [[4096, 1073745920, 0, "rw-p", "/opt/" + bad + ".so"]]}},
	{frame: {symbol: "main", dso: "/bin/" + bad, srcline: bad + ".c:1"}},
	{frame: {symbol: "hot_" + bad, dso: "app", srcline: ""}},
];
for (let i = 0; i < 60; i++) {
	const t = 1000000000 + i * 100000000;
	items.push({snapshot: {start: t, end: t + 100000000, target: 0,
		regions: [[4096, 536875008, 20, 1], [536875008, 1073745920, 0, 1]]}});
	items.push({stack: {time: t + 50000000, pid: 77, tid: 77, frames: [1, 0]}});
}
console.log(JSON.stringify(items));
JS
node gen.js >bad.json
node "$DT_SRC/tests/cmd/dtr_craft.js" bad.dtr bad.json

# strict UTF-8 (no surrogates, no overlongs), one JSON document; the text
# that was valid is kept: café (c3 a9) survives.
valid_json() {
	python3 - "$1" <<'PY' || fail "$1 is not valid UTF-8 JSON"
import json, sys
raw = open(sys.argv[1], 'rb').read()
text = raw.decode('utf-8', errors='strict')
json.loads(text)
for ch in text:
    assert not 0xd800 <= ord(ch) < 0xe000, 'surrogate'
PY
}

expect_ok damo-info --json bad.dtr
valid_json out
expect_grep 'caf(é|\\u00e9)' out
expect_ok damo-info --verify --json bad.dtr
valid_json out
expect_ok damo-timeline -i bad.dtr --json
valid_json out
expect_grep 'caf(é|\\u00e9)' out
for f in speedscope trace-event; do
	expect_ok damo-stacks -i bad.dtr -f "$f" -o "s.$f.json"
	valid_json "s.$f.json"
	expect_grep 'hot_' "s.$f.json"
done
expect_ok damo-stacks -i bad.dtr -f speedscope -o -
valid_json out
echo "json_utf8: ok"
