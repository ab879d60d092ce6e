# SPDX-License-Identifier: GPL-2.0-only
"""docs/EXPORTS.md's fleet dataset read by pandas: the page's pandas
example runs as it is, its read_table() gives every record's rows with
host and record columns equal to what the Python module reads from the
records themselves, and the three fleet answers computed in pandas from
the dataset agree with the same answers computed from the module (and,
when node is there, with DuckDB running the page's queries)."""
import math
import os
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

import damotrace
from conftest import SRC, run

HOSTS = {  # host: (command line, damo-synth options), as docs/EXPORTS.md makes them
    "web-01": ("nginx: worker process", "--targets 2 --snapshots 300 --regions 120 --seed 11"),
    "web-02": ("nginx: worker process", "--targets 2 --snapshots 200 --regions 80 --seed 12"),
    "db-01": ("postgres -D /var/lib/postgresql", "--snapshots 400 --regions 200 --seed 21"),
    "cache-01": ("redis-server *:6379", "--snapshots 120 --regions 60 --seed 31"),
}
KEYS = ["host", "record", "kdamond", "context", "target"]
DOC = (SRC / "docs" / "EXPORTS.md").read_text()


def doc_block(lang, after):
    """The first ```lang block after the line `after` in docs/EXPORTS.md."""
    text = DOC[DOC.index(after):]
    return re.search(r"^```" + lang + r"\n(.*?)^```", text, re.S | re.M).group(1)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """The fleet's records and the dataset made from them, in one folder;
    the pandas example of the page run there (its namespace)."""
    d = tmp_path_factory.mktemp("fleet")
    for host, (cmdline, opts) in HOSTS.items():
        run("damo-synth", "-o", d / f"{host}.dtr", "--hostname", host, "--cmdline", cmdline,
            "--footprint", *opts.split())
    out = run("damo-convert", "--dataset", d / "fleet", *(d / f"{h}.dtr" for h in HOSTS))
    where = {line.split()[1]: line.split()[0] for line in out.stdout.splitlines()}
    here = os.getcwd()
    os.chdir(d)
    try:
        ns = {}
        exec(compile(doc_block("python", "### The same dataset in pandas"),
                     "docs/EXPORTS.md pandas example", "exec"), ns)
    finally:
        os.chdir(here)
    ns["dir"], ns["where"] = d, where
    return ns


def module_records(fleet):
    """host -> (record id, damotrace.Record) of every record of the fleet."""
    out = {}
    for path, part in fleet["where"].items():
        host, record = (kv.split("=", 1)[1] for kv in part.split("/"))
        rec = damotrace.open(path)
        assert rec.meta["hostname"] == host
        out[host] = (record, rec)
    return out


def test_regions_of_the_dataset_are_the_records(fleet):
    regions = fleet["read_table"](str(fleet["dir"] / "fleet"), "regions",
                                  dtype={"start": "uint64", "end": "uint64"})
    assert sorted(regions.host.unique()) == sorted(HOSTS)
    for host, (record, rec) in module_records(fleet).items():
        mine = regions[(regions.host == host) & (regions.record == record)]
        df = rec.regions_df()
        assert len(mine) == len(df) > 0
        for col in ("kdamond", "context", "target", "start", "end", "nr_accesses", "age"):
            assert np.array_equal(mine[col].to_numpy(np.uint64), df[col].to_numpy(np.uint64)), col
        assert np.array_equal(mine.time_ns.to_numpy(np.uint64), df.time.to_numpy(np.uint64))


def test_cold_share_by_host(fleet):
    share = fleet["share"]           # the page's pandas answer, from the dataset
    assert sorted(share.index) == sorted(HOSTS)
    fp = fleet["fp"]
    for host, (record, rec) in module_records(fleet).items():
        wss = rec.wss(exclude_samples=0)   # every snapshot's WSS, target by target
        mine = fp[fp.host == host]
        cold = res = 0
        for target, group in mine.groupby("target"):
            w = wss[wss.target == target].wss.to_numpy(np.int64)
            r = group.sort_values("time_ns").resident.to_numpy(np.int64)
            assert len(w) == len(r)  # one footprint after each snapshot
            cold += np.clip(r - w, 0, None).sum()
            res += r.sum()
        assert math.isclose(share[host], cold / res, rel_tol=1e-12), host
        assert share[host] > 0.5


def damo_percentile(values, p):
    """damo's report wss: element int(p / 100 * n) of the sorted list."""
    s = np.sort(values)
    return int(s[min(len(s) * p // 100, len(s) - 1)])


def test_wss_percentiles_by_host(fleet):
    wss = fleet["read_table"](str(fleet["dir"] / "fleet"), "wss", dtype={"wss_bytes": "uint64"})
    for host, (record, rec) in module_records(fleet).items():
        mine = wss[wss.host == host].sort_values("time_ns")
        mine = mine[mine.groupby(KEYS).cumcount() >= 20]      # damo skips 20 snapshots
        summed = mine.groupby("time_ns").wss_bytes.sum().to_numpy()
        collapsed = rec.wss(collapse=True).wss.to_numpy()      # damo-wss's own series
        assert np.array_equal(np.sort(summed), np.sort(collapsed)), host
        for p in (50, 90, 99):
            assert damo_percentile(summed, p) == damo_percentile(collapsed, p)


def hottest_areas(regions, targets):
    """The page's hottest-1% answer, in pandas: cmdline -> (areas,
    hottest_1pct, heat share, hottest "host target T 0xAREA")."""
    r = regions.merge(targets[KEYS + ["cmdline"]], on=KEYS)
    r["area"] = r.start // 2097152 * 2097152
    r["heat"] = r.nr_accesses.astype("uint64") * (r.end - r.start)
    areas = r.groupby(["cmdline", "host", "record", "target", "area"], as_index=False).heat.sum()
    out = {}
    for cmd, a in areas.groupby("cmdline"):
        a = a.sort_values(["heat", "host", "record", "target", "area"],
                          ascending=[False, True, True, True, True])
        n = math.ceil(len(a) / 100)
        top = a.head(n).iloc[0]
        out[cmd] = (len(a), n, round(int(a.head(n).heat.sum()) / int(a.heat.sum()), 3),
                    f"{top.host} target {top.target} {int(top.area):#x}")
    return out


def test_hottest_areas_per_command(fleet):
    d = str(fleet["dir"] / "fleet")
    from_dataset = hottest_areas(
        fleet["read_table"](d, "regions", dtype={"start": "uint64", "end": "uint64"}),
        fleet["read_table"](d, "targets"))
    regions, targets = [], []
    for host, (record, rec) in module_records(fleet).items():
        df = rec.regions_df().assign(host=host, record=record)
        regions.append(df)
        targets.append(rec.targets.assign(host=host, record=record))
    from_module = hottest_areas(pd.concat(regions, ignore_index=True),
                                pd.concat(targets, ignore_index=True))
    assert from_dataset == from_module
    assert sorted(from_dataset) == sorted({c for c, _ in HOSTS.values()})
    node = shutil.which("node")
    query = SRC / "tests" / "npm" / "duckdb_query.js"
    if not node or not (SRC / "tests" / "npm" / "node_modules").is_dir():
        return
    sql = doc_block("sql", "<!-- sql: views -->") + doc_block("sql", "<!-- sql: hot -->")
    out = subprocess.run([node, str(query), sql], cwd=fleet["dir"], capture_output=True,
                         text=True, check=True).stdout
    from_duckdb = {}
    for line in out.splitlines():
        cmd, areas, n, share, top = line.split("\t")
        from_duckdb[cmd] = (int(areas), int(n), float(share), top)
    assert from_duckdb == from_dataset
