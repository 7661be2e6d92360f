"""The README's Python examples run as written (a tour that doesn't run teaches nothing)."""

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples():
    assert len(_blocks()) >= 5


def test_readme_examples_run_in_order(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in _blocks():
        # the PyTorch hand-off needs torch, which the test suite must not: run the rest of it
        code = "\n".join(line for line in block.splitlines() if "torch" not in line)
        code = code.replace("epochs=50", "epochs=2").replace("epochs=20", "epochs=2")
        exec(compile(code, str(README), "exec"), namespace)
    assert (tmp_path / "model.npz").exists()
    assert list((tmp_path / "out").glob("*.png"))
