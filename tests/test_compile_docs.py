"""docs/compile.md: its Python blocks run, top to bottom, as one script, and print what the page
says they print (every output block but the first, whose loss value depends on the BLAS kernel);
the README links to it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "compile.md"


def test_the_page_prints_what_it_says(tmp_path):
    text = DOC.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    outputs = re.findall(r"```text\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 6 and len(outputs) >= 6
    script = tmp_path / "compile_page.py"  # a file, so that Numba can cache the kernels
    script.write_text("\n".join(blocks))
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert out.returncode == 0, out.stdout + out.stderr
    printed = out.stdout.splitlines()
    for block in outputs[1:]:
        for line in block.strip("\n").splitlines():
            assert line.rstrip() in (p.rstrip() for p in printed), (line, out.stdout)
    assert "losses differ from step 3" in out.stdout  # the planted wrong capture is caught


def test_readme_links_the_page():
    assert "docs/compile.md" in (ROOT / "README.md").read_text()
