# SPDX-License-Identifier: GPL-2.0-only
"""chunks(n) streams a record in DataFrames of n regions, holding only one
chunk: the same rows as regions_df(), and a peak RSS that does not grow
with the record (measured in a child process as VmHWM, which is its own:
ru_maxrss would carry pytest's over exec)."""
import json
import subprocess
import sys

import pandas as pd
import pytest

import damotrace
from conftest import run


@pytest.mark.parametrize("n", [1, 399, 400, 1000, 10**7])
def test_chunks_equal_whole(synth, n):
    if n == 1:
        rec = damotrace.open(synth, time_to=1001 * 10**9)  # a few snapshots
    else:
        rec = damotrace.open(synth)
    whole = rec.regions_df()
    parts = list(rec.chunks(n))
    assert all(len(p) == n for p in parts[:-1]) and 0 < len(parts[-1]) <= n
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)


def test_chunks_rejects_zero(synth):
    with pytest.raises(ValueError):
        next(damotrace.open(synth).chunks(0))


PEAK = """
import json, sys
import damotrace

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

base = hwm()
rec = damotrace.open(sys.argv[1])
rows = 0
if sys.argv[2] == "chunks":
    for df in rec.chunks(int(sys.argv[3])):
        rows += len(df)
else:
    rows = len(rec.regions_df())
peak = hwm()
print(json.dumps({"rows": rows, "growth_kib": peak - base}))
"""


def peak_growth(*args):
    out = subprocess.run([sys.executable, "-c", PEAK, *map(str, args)], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def test_chunks_bounded_memory(work):
    """3M regions (132 MB as columns) in chunks of 100 000 (4.4 MB)."""
    big = work / "big.dtr"
    run("damo-synth", "--snapshots", 3000, "--regions", 1000, "-o", big)
    chunked = peak_growth(big, "chunks", 100_000)
    whole = peak_growth(big, "whole")
    assert chunked["rows"] == whole["rows"] == 3_000_000
    assert whole["growth_kib"] > 120 * 1024, whole
    assert chunked["growth_kib"] < 32 * 1024, chunked
