# SPDX-License-Identifier: GPL-2.0-only
"""Everything a record holds besides regions comes through: metadata,
targets, intervals and clocks as damo-info --json shows them, memory maps
as the record (and a copy made by damo-convert) holds them, callstacks as
damo-stacks folds them."""
import collections
import json

import numpy as np
import pandas as pd

import damotrace
import pytest

from conftest import SRC, run


def info(path):
    return json.loads(run("damo-info", "--json", path).stdout)


def test_meta_targets_intervals_clocks(synth):
    want = info(synth)
    rec = damotrace.open(synth)
    assert rec.meta == want["meta"]
    targets = [dict(kdamond=c["kdamond"], context=c["context"], ops=c["ops"],
                    min_nr_regions=c["min_nr_regions"], max_nr_regions=c["max_nr_regions"],
                    target=t["index"], id=int(t["id"]), pid=t["pid"], cmdline=t["cmdline"])
               for c in want["contexts"] for t in c["targets"]]
    assert rec.targets.to_dict("records") == targets
    assert rec.targets["id"].dtype == np.uint64
    intervals = [dict(kdamond=v["kdamond"], context=v["context"], time=v["time_ns"],
                      sample_us=v["sample_us"], aggr_us=v["aggr_us"], update_us=v["update_us"])
                 for v in want["intervals"]]
    assert rec.intervals.to_dict("records") == intervals
    clocks = [dict(label=c["label"], clock=c["clock"], monotonic=c.get("monotonic_ns"),
                   perf=c.get("perf_ns"), realtime=c.get("realtime_ns"))
              for c in want["clocks"]]
    assert rec.clocks.to_dict("records") == clocks
    st = rec.status
    assert st["nr_snapshots"] == want["snapshots"] and st["nr_regions"] == want["regions"]
    assert st["clean_close"] and not st["damaged"] and st["format"] == "dtr"
    assert st["file_bytes"] == want["file_bytes"]
    assert st["end"] == {"nr_snapshots": want["snapshots"], "nr_regions": want["regions"],
                         "nr_stacks": want["stacks"]}


def test_meta_of_damo_records(damo_fixtures):
    for name in ("damon.data", "perf.data.script", "vm/damon-vm.data"):
        want = info(damo_fixtures / name)
        rec = damotrace.open(damo_fixtures / name)
        assert rec.meta == want.get("meta", {}), name
        assert len(rec.targets) == sum(len(c["targets"]) for c in want["contexts"]), name
        assert len(rec.intervals) == len(want.get("intervals", [])), name
        assert rec.status["nr_regions"] == want["regions"], name


def test_side_after_regions_needs_no_pass(synth):
    """The regions' pass gathers the rest: no second read of the input."""
    rec = damotrace.open(synth)
    rec.regions()
    rec.path = "/nonexistent"  # a second pass would fail
    assert rec.meta["generator"] == "damo-synth"
    assert len(rec.maps()) > 0 and len(rec.stacks().samples) > 0


def test_maps(synth, work):
    want = info(synth)
    maps = damotrace.open(synth).maps()
    assert list(maps.columns) == ["time", "pid", "start", "end", "offset", "perms", "path"]
    assert maps["start"].dtype == np.uint64 and maps["pid"].dtype == np.int32
    assert maps.groupby(["time", "pid"]).ngroups == want["maps"]
    assert set(maps["pid"]) == {t["pid"] for c in want["contexts"] for t in c["targets"]}
    assert (maps["start"] < maps["end"]).all() and maps["perms"].str.len().eq(4).all()
    assert (maps["path"] == "").any() and maps["path"].str.startswith("/").any()
    # Every region lies inside a map entry of its target's process.
    rec = damotrace.open(synth)
    regions = rec.regions_df()
    pids = dict(zip(rec.targets["target"], rec.targets["pid"]))
    for target, group in regions.groupby("target"):
        m = maps[maps["pid"] == pids[target]].sort_values("start")
        i = np.searchsorted(m["start"].to_numpy(), group["start"].to_numpy(), "right") - 1
        assert (i >= 0).all()
        assert (group["end"].to_numpy() <= m["end"].to_numpy()[i]).all()
    # A record copied by damo-convert holds the same maps.
    copy = work / "copy.dtr"
    run("damo-convert", synth, "-o", copy)
    pd.testing.assert_frame_equal(damotrace.open(copy).maps(), maps)


def test_stacks_fold_as_damo_stacks(synth):
    st = damotrace.open(synth).stacks()
    want = info(synth)
    assert len(st.samples) == want["stacks"] and len(st.frames) == want["frames"]
    assert len(st.threads) == want["threads"]
    assert st.frames["id"].tolist() == list(range(len(st.frames)))
    assert st.samples["time"].dtype == np.uint64 and st.frame_ids.dtype == np.uint32
    assert int(st.samples["nr_frames"].sum()) == len(st.frame_ids)
    comm = dict(zip(st.threads["tid"], st.threads["comm"]))
    symbols = st.frames["symbol"].to_numpy()
    folded = collections.Counter()
    for i, (tid, first, nr, weight) in enumerate(zip(st.samples["tid"], st.samples["first"],
                                                     st.samples["nr_frames"],
                                                     st.samples["weight"])):
        path = [symbols[f] for f in st.frame_ids[first:first + nr]][::-1]
        assert path[::-1] == st.symbols_of(i)
        # Folded counts are summed periods, 1 for a sample without one.
        folded[";".join([comm[tid]] + path)] += int(weight) or 1
    out = run("damo-stacks", "-f", "folded", "--no-phases", "-i", synth).stdout
    want_lines = sorted(out.splitlines())
    assert sorted(f"{k} {v}" for k, v in folded.items()) == want_lines


def test_record_without_stacks(damo_fixtures):
    st = damotrace.open(damo_fixtures / "damon.data").stacks()
    assert len(st.samples) == 0 and len(st.frame_ids) == 0 and len(st.frames) == 0
    assert list(st.samples.columns) == ["time", "pid", "tid", "cpu", "weight", "nr_frames",
                                        "first"]


def footprint_csv(path, work):
    csv = work / (path.name + ".footprint.csv")
    run("damo-convert", path, "--what", "footprint", "--to", "csv", "-o", csv)
    return pd.read_csv(csv, dtype="UInt64").astype({"kdamond": "uint32", "context": "uint32",
                                                    "target": "uint32", "time_ns": "uint64",
                                                    "pid": "UInt32"})


@pytest.mark.parametrize("source", ["synth", "tests/data/footprint-1.1.dtr"])
def test_footprints_equal_damo_convert(work, source):
    """Footprints as damo-convert --what footprint writes them; a group of
    values the recorder did not read, and the pid of a target without a
    process (paddr), are <NA> as the CSV's empty fields are."""
    if source == "synth":
        path = work / "footprint.dtr"
        run("damo-synth", "--footprint", "--targets", 2, "--snapshots", 50, "-o", path)
    else:
        path = SRC / source
    want = footprint_csv(path, work)
    got = damotrace.open(path).footprints
    assert len(got) == len(want) > 0
    pd.testing.assert_frame_equal(got, want, check_dtype=True)
    if source == "synth":  # damo-synth's RSS series moves
        assert got["resident"].max() > got["resident"].min()
    else:  # the fixture holds a paddr target with only the system's values
        assert got["pid"].isna().any() and got["resident"].isna().any()
        assert got["mem_total"].notna().all()


def test_no_footprints_in_damo_records(damo_fixtures):
    got = damotrace.open(damo_fixtures / "damon.data").footprints
    assert len(got) == 0 and "resident" in got.columns
