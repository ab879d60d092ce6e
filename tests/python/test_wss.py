# SPDX-License-Identifier: GPL-2.0-only
"""wss() gives damo-wss's numbers: per snapshot with exclude_samples=0 (the
`damo-convert --what wss` table), damo-wss --csv's series by default, and
damo's collapse over targets."""
import json

import numpy as np
import pandas as pd

import damotrace
from conftest import run


def wss_csv(record, path):
    run("damo-convert", record, "--what", "wss", "-o", path)
    return pd.read_csv(path, dtype={"time_ns": "uint64", "kdamond": "uint32",
                                    "context": "uint32", "target": "uint32",
                                    "wss_bytes": "UInt64"})


def check_per_snapshot(record, path):
    want = wss_csv(record, path)
    got = damotrace.open(record).wss(exclude_samples=0)
    assert got["wss"].dtype == np.uint64 and got["end"].dtype == np.uint64
    got = got.rename(columns={"end": "time_ns", "wss": "wss_bytes"})
    cols = ["time_ns", "kdamond", "context", "target", "wss_bytes"]
    key = ["kdamond", "context", "target", "time_ns"]
    got = got[cols].astype(want.dtypes.to_dict()).sort_values(key, kind="stable")
    want = want.sort_values(key, kind="stable")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))


def test_per_snapshot_synth(synth, work):
    check_per_snapshot(synth, work / "synth-wss.csv")


def test_per_snapshot_damo_json(damo_fixtures, work):
    check_per_snapshot(damo_fixtures / "damon.data", work / "damo-wss.csv")


def test_damo_wss_csv(synth):
    """damo-wss --csv --per_target: target_id, start_s and end_s (seconds
    from the record's time zero, the one of every output: origin.h; the
    snapshots --exclude_samples drops do not move it), wss_bytes."""
    lines = run("damo-wss", "-i", synth, "--csv", "--per_target").stdout.splitlines()
    df = damotrace.open(synth).wss()
    t0 = json.loads(run("damo-timeline", "-i", synth, "--json").stdout)["time_zero_ns"]
    mine = ["target_id,start_s,end_s,wss_bytes"] + [
        f"{tid},{(s - t0) / 1e9:.9f},{(e - t0) / 1e9:.9f},{w}"
        for tid, s, e, w in zip(df["target_id"], df["start"].astype(int),
                                df["end"].astype(int), df["wss"])]
    assert mine == lines
    assert len(df) == 2 * (600 - 20)
    assert set(df["pid"]) == set(df["target_id"].astype(int))


def test_collapsed(synth, damo_fixtures):
    """damo-wss --all_wss --sortby time --raw_number: "index value" lines
    of the targets' sum."""
    for record in (synth, damo_fixtures / "damon.data"):
        out = run("damo-wss", "-i", record, "--all_wss", "--sortby", "time",
                  "--raw_number").stdout.splitlines()
        want = [int(line.split()[1]) for line in out if not line.startswith("#")]
        got = damotrace.open(record).wss(collapse=True)
        assert list(got.columns) == ["start", "end", "wss"]
        assert got["wss"].tolist() == want


def test_work_time(damo_fixtures):
    """--work_time 1 s merges snapshots into groups of at least 1 s."""
    out = run("damo-wss", "-i", damo_fixtures / "damon.data", "--all_wss", "--sortby",
              "time", "--raw_number", "--work_time", "1s").stdout.splitlines()
    want = [int(line.split()[1]) for line in out if not line.startswith("#")]
    got = damotrace.open(damo_fixtures / "damon.data").wss(work_time_us=10**6, collapse=True)
    assert got["wss"].tolist() == want
    assert ((got["end"] - got["start"]) >= 10**9).all()
