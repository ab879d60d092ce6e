# SPDX-License-Identifier: GPL-2.0-only
"""The examples of docs/PYTHON.md run as they are, in order, in one
namespace, in a folder holding damon.dtr made by damo-synth --stacks
--targets 2."""
import contextlib
import io
import os
import re
import shutil

from conftest import SRC


def test_python_md_examples(synth, tmp_path):
    text = (SRC / "docs" / "PYTHON.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
    assert len(blocks) >= 6
    shutil.copy(synth, tmp_path / "damon.dtr")
    here = os.getcwd()
    os.chdir(tmp_path)
    out = io.StringIO()
    try:
        namespace = {}
        with contextlib.redirect_stdout(out):
            for i, code in enumerate(blocks):
                exec(compile(code, f"docs/PYTHON.md block {i + 1}", "exec"), namespace)
    finally:
        os.chdir(here)
    printed = out.getvalue()
    assert "damo-synth" in printed and "busy at" in printed
    assert "cut.dtr: truncated chunk" in printed and "at offset 16" in printed
    assert sorted(os.listdir(tmp_path)) == ["damon.dtr"]
