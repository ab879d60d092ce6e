# SPDX-License-Identifier: GPL-2.0-only
"""regions_df() holds what `damo-convert --to csv` writes, value for value,
for every kind of input, with the documented dtypes; iteration over
snapshots and regions() agree with it."""
import numpy as np
import pandas as pd
import pytest

import damotrace
from conftest import regions_csv, run

UINT64 = ("time", "start", "end")
UINT32 = ("kdamond", "context", "target", "nr_accesses", "age")


def check_against_csv(record, work, name):
    csv = work / f"{name}.csv"
    run("damo-convert", record, "--to", "csv", "-o", csv)
    want = regions_csv(csv)
    got = damotrace.open(record).regions_df()
    assert list(got.columns) == list(damotrace.REGION_COLUMNS)
    for c in UINT64:
        assert got[c].dtype == np.uint64, c
    for c in UINT32:
        assert got[c].dtype in (np.uint32, pd.UInt32Dtype()), c
    got = got.rename(columns={"time": "time_ns"}).astype(want.dtypes.to_dict())
    pd.testing.assert_frame_equal(got, want)
    return got


def test_synth_equals_csv(synth, work):
    df = check_against_csv(synth, work, "synth")
    assert len(df) == 2 * 600 * 400
    assert df["age"].dtype == pd.UInt32Dtype() and not df["age"].isna().any()


@pytest.mark.parametrize("name", ["damon.data", "damon.data.binary_v2", "perf.data.script",
                                  "vm/damon-vm.data", "vm/damon-vm.perf-script"])
def test_damo_records_equal_csv(damo_fixtures, work, name):
    df = check_against_csv(damo_fixtures / name, work, name.replace("/", "-"))
    assert len(df) > 0


def test_missing_age_is_na(damo_fixtures):
    """perf script text of an older kernel has no age: <NA>, as the CSV's
    empty field, over a plain uint32 array of zeros."""
    rec = damotrace.open(damo_fixtures / "perf.data.script")
    cols = rec.regions()
    assert cols["age_absent"].all() and not cols["age"].any()
    assert "nr_accesses_absent" not in cols
    df = damotrace.open(damo_fixtures / "perf.data.script").regions_df()
    assert df["age"].dtype == pd.UInt32Dtype() and df["age"].isna().all()
    assert df["nr_accesses"].dtype == np.uint32


def test_formats(synth, damo_fixtures):
    assert damotrace.open(synth).format == "dtr"
    assert damotrace.open(damo_fixtures / "damon.data").format == "damo-json-compressed"
    assert damotrace.open(damo_fixtures / "perf.data.script").format == "perf-script"


def test_snapshots_match_regions(synth):
    rec = damotrace.open(synth)
    cols = rec.regions()
    snaps = list(rec)
    assert len(snaps) == 1200
    assert sum(len(s.regions) for s in snaps) == len(cols["start"])
    joined = np.concatenate([s.regions for s in snaps])
    for name in ("start", "end", "nr_accesses", "age"):
        assert np.array_equal(joined[name], cols[name]), name
    times = np.concatenate([np.full(len(s.regions), s.end, np.uint64) for s in snaps])
    assert np.array_equal(times, cols["time"])
    first = snaps[0]
    assert first.start < first.end and first.access_unit == "samples"
    assert first.age_unit == "aggregations" and first.target == 0


def test_time_range(synth):
    everything = damotrace.open(synth).regions_df()
    t0 = int(everything["time"].min())
    part = damotrace.open(synth, time_from=t0 + 10**10, time_to=t0 + 2 * 10**10).regions_df()
    assert 0 < len(part) < len(everything)
    assert part["time"].min() >= t0 + 10**10


STDIN = """
import sys, damotrace
rec = damotrace.open("-")
df = rec.regions_df()
print(len(df), rec.format, rec.meta.get("source"))
try:
    rec.regions_df()
except ValueError as e:
    print(e)
"""


def test_stdin(damo_fixtures):
    """"-" reads standard input, once."""
    import subprocess
    import sys
    with open(damo_fixtures / "damon.data", "rb") as f:
        out = subprocess.run([sys.executable, "-c", STDIN], stdin=f, capture_output=True,
                             text=True, check=True).stdout.splitlines()
    assert out[0] == "9773 damo-json-compressed damo-json-compressed"
    assert out[1].startswith("standard input can be read only once")
