"""lessons/README.md and the committed results agree, and the results are what the code says.

The README's tables and numbers are generated from lessons/results/*/results.json by
tools/lessons_readme.py; these tests fail when someone edits a number by hand, reruns a lesson
without regenerating the README, or changes a lesson's claims without rerunning it."""

from __future__ import annotations

import importlib.util
import json
import pathlib

import pytest
from conftest import load_lesson

from lessons._results import read_results

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "lessons" / "results"


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _stems() -> list[str]:
    return sorted(p.stem for p in (ROOT / "lessons").glob("[0-9][0-9]_*.py"))


def test_readme_is_generated_from_the_results():
    readme = _tool("lessons_readme")
    text = readme.README.read_text()
    assert readme.generate(text) == text, "run `python tools/lessons_readme.py`"


def test_a_hand_edited_number_is_noticed():
    readme = _tool("lessons_readme")
    text = readme.README.read_text()
    start = text.index("<!--n ")
    end = text.index("<!--/n-->", start)
    edited = text[: end - 1] + "7" + text[end:]  # change the last digit of the first number
    assert edited != text and readme.generate(edited) == text


@pytest.mark.parametrize("stem", _stems())
def test_every_lesson_has_full_results_in_the_readme(stem):
    path = RESULTS / stem / "results.json"
    assert path.exists(), f"run `python -m lessons {int(stem[:2])} --jobs 2 --out lessons/results`"
    res = read_results(path)
    assert res["quick"] is False and len(res["seeds"]) >= 10
    assert all(res["claims"].values()), [k for k, v in res["claims"].items() if not v]
    mod = load_lesson(stem)
    # the committed numbers are what today's code concludes from them
    assert mod.claims(res["tables"]) == res["claims"]
    assert mod.summarize(res["tables"]) == res["summary"]
    text = (ROOT / "lessons" / "README.md").read_text()
    assert f"<!-- results {stem} -->" in text
    for fig in res["figures"]:
        assert (RESULTS / stem / fig).exists() and f"results/{stem}/{fig}" in text


def test_blas_claims_cover_every_claim_and_all_hold():
    result = json.loads((RESULTS / "blas_claims.json").read_text())
    assert result["coretypes"] == ["Haswell", "SkylakeX", "Zen", "Sandybridge", "unset"]
    for stem in _stems():
        per_core = result["lessons"][stem]
        names = set(read_results(RESULTS / stem / "results.json")["claims"])
        for ct, r in per_core.items():
            assert "error" not in r, (stem, ct, r.get("error"))
            assert set(r["claims"]) == names, (stem, ct)  # the table is not stale
            assert all(r["claims"].values()), (stem, ct, r["claims"])
