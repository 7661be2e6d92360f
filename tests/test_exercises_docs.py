"""docs/write_your_own_op.md: its Python blocks run, top to bottom, as one script (in a
subprocess: the walkthrough registers ops, which must not leak into this test session), and the
README links to it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "write_your_own_op.md"


def test_walkthrough_code_runs(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) >= 6  # kernels, table row, gradcheck, wrong gradient, model, exercises
    script = tmp_path / "walkthrough.py"  # a file, so that Numba can cache the kernels
    script.write_text("\n".join(blocks))
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "sign flipped" in out.stdout  # the wrong gradient was caught and explained
    assert "accuracy" in out.stdout


def test_readme_links_the_walkthrough():
    assert "docs/write_your_own_op.md" in (ROOT / "README.md").read_text()
