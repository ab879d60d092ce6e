# SPDX-License-Identifier: GPL-2.0-only
"""Bad input raises damotrace.Error (an OSError and a ValueError) whose
message is the C library's, as the commands print it: file and place."""
import errno

import pytest

import damotrace
from conftest import run


def c_message(path):
    """The message damo-convert prints for path, without its prefix."""
    res = run("damo-convert", path, "--to", "csv", "-o", "/dev/null", check=False)
    assert res.returncode == 1
    return res.stderr.strip().removeprefix("damo-convert: ")


def test_truncated_dtr(synth, work):
    bad = work / "truncated.dtr"
    bad.write_bytes(synth.read_bytes()[:40])      # head -c 40
    rec = damotrace.open(bad)
    with pytest.raises(damotrace.Error) as info:
        rec.regions_df()
    e = info.value
    assert isinstance(e, OSError) and isinstance(e, ValueError)
    assert str(e) == c_message(bad)
    assert str(bad) in str(e) and "offset 16" in str(e)
    assert e.errno > 0


def test_truncated_every_pass(synth, work):
    bad = work / "truncated2.dtr"
    bad.write_bytes(synth.read_bytes()[:40])
    for call in (lambda r: r.meta, lambda r: list(r), lambda r: r.wss(),
                 lambda r: list(r.chunks(10)), lambda r: r.stacks()):
        with pytest.raises(damotrace.Error, match="truncated chunk"):
            call(damotrace.open(bad))


def test_salvage(synth, work):
    bad = work / "cut.dtr"
    data = synth.read_bytes()
    bad.write_bytes(data[:len(data) // 2])
    with pytest.raises(damotrace.Error):
        damotrace.open(bad).regions_df()
    part = damotrace.open(bad, salvage=True)
    df = part.regions_df()
    assert 0 < len(df) < 480_000
    assert part.status["damaged"]


def test_missing_file(work):
    with pytest.raises(damotrace.Error) as info:
        damotrace.open(work / "nope.dtr")
    assert str(info.value) == f"{work / 'nope.dtr'}: No such file or directory"
    assert info.value.errno == errno.ENOENT


def test_not_a_record(work):
    junk = work / "junk.txt"
    junk.write_text("hello\n")
    with pytest.raises(damotrace.Error) as info:
        rec = damotrace.open(junk)
        rec.regions_df()
    assert str(info.value) == c_message(junk)


def test_damaged_json(damo_fixtures, work):
    """A damo json record cut in the middle: the message names the place."""
    import zlib
    text = zlib.decompress(damo_fixtures.joinpath("damon.data").read_bytes())
    bad = work / "cut.json"
    bad.write_bytes(text[:len(text) // 3])
    with pytest.raises(damotrace.Error) as info:
        damotrace.open(bad).regions_df()
    assert str(info.value) == c_message(bad)


def test_undecodable_file_name(work):
    """A file name that is not UTF-8 comes back as os.fsdecode gives it."""
    import os
    path = os.fsencode(work) + b"/\xffnope.dtr"
    with pytest.raises(damotrace.Error) as info:
        damotrace.open(path)
    assert str(info.value) == os.fsdecode(path) + ": No such file or directory"
