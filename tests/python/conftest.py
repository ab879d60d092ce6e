# SPDX-License-Identifier: GPL-2.0-only
"""Shared fixtures of the Python module's tests: where the commands and
damo's fixtures are (DT_BIN, DT_SHARED as make check sets them), records
made once per run with damo-synth, and the tables damo-convert writes."""
import os
import pathlib
import subprocess

import pandas as pd
import pytest

SRC = pathlib.Path(os.environ.get("DT_SRC", pathlib.Path(__file__).resolve().parents[2]))
BIN = pathlib.Path(os.environ.get("DT_BIN", SRC / "bin"))
SHARED = pathlib.Path(os.environ.get("DT_SHARED", SRC.parent / "shared"))


def run(cmd, *args, check=True):
    """Run one of the project's commands; its CompletedProcess (text)."""
    return subprocess.run([str(BIN / cmd), *map(str, args)], capture_output=True,
                          text=True, check=check)


def regions_csv(path):
    """`damo-convert PATH --to csv` read with the documented types
    (docs/EXPORTS.md); empty fields are <NA>."""
    return pd.read_csv(path, dtype={"time_ns": "uint64", "kdamond": "uint32",
                                    "context": "uint32", "target": "uint32",
                                    "start": "uint64", "end": "uint64",
                                    "nr_accesses": "UInt32", "age": "UInt32"})


@pytest.fixture(scope="session")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("damotrace")


@pytest.fixture(scope="session")
def synth(work):
    """damo-synth with callstacks and two targets (600 x 400 regions each)."""
    path = work / "synth.dtr"
    run("damo-synth", "--stacks", "--targets", 2, "-o", path)
    return path


@pytest.fixture(scope="session")
def damo_fixtures():
    d = SHARED / "interop" / "damo"
    if not (d / "damon.data").is_file():
        pytest.fail(f"damo's fixtures are missing: {d} (set DT_SHARED)")
    return d
