"""tools/line_budget.py: what it counts, and that it fails above the budget (.ci/run calls it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "line_budget.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True)


def test_counts_code_and_docstrings_not_comments_or_blank_lines(tmp_path):
    sys.path.insert(0, str(TOOL.parent))
    try:
        from line_budget import count_lines
    finally:
        sys.path.remove(str(TOOL.parent))
    src = tmp_path / "m.py"
    src.write_text(
        '"""Doc\n\nstring."""\n\n# a comment\nx = "# not a comment"  # trailing\n\n'
        "def f():\n    # inside\n    return x\n"
    )
    assert count_lines(src) == 3 + 1 + 2  # docstring lines, x = ..., def and return


def test_passes_under_the_budget_and_fails_over_it():
    ok = _run("--budget", "1000000")
    assert ok.returncode == 0 and "tinygrad_act/ops/activations.py" in ok.stdout
    over = _run("--budget", "10")
    assert over.returncode == 1 and "over the budget of 10" in over.stderr


def test_today_the_core_fits_its_budget_and_ci_enforces_it():
    assert _run().returncode == 0, _run().stderr
    assert "tools/line_budget.py" in (ROOT / ".ci" / "run").read_text()
