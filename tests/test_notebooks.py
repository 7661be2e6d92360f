"""The lesson notebooks: generated from their percent sources, and every one runs top to bottom.

Each notebook runs in quick mode in a fresh IPython kernel started from THIS interpreter (an
ipykernel kernelspec built from sys.executable, never a `python` found on PATH), like a learner's
"Restart & Run All". Together they take about a minute.
"""

from __future__ import annotations

import importlib.util
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "lessons" / "notebooks"

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need the dev extra")
jupytext = pytest.importorskip("jupytext", reason="the notebook tests need the dev extra")


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        "make_notebooks", ROOT / "tools" / "make_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_notebooks = _load_tool()
LESSONS = [p.stem for p in make_notebooks.lesson_files()]


def test_every_lesson_has_a_notebook_and_every_notebook_a_lesson():
    sources = [p.stem for p in make_notebooks.notebook_files()]
    ipynbs = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert sources == LESSONS, "run `python tools/make_notebooks.py`"
    assert ipynbs == LESSONS, "run `python tools/make_notebooks.py`"


def test_notebooks_are_up_to_date_with_their_sources_and_lessons():
    changes, problems = make_notebooks.plan()
    assert not problems
    stale = sorted(str(p.relative_to(ROOT)) for p in changes)
    assert not stale, f"out of date: {stale}; run `python tools/make_notebooks.py`"


def test_committed_notebooks_have_no_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        ran = [i for i, c in enumerate(nb.cells) if c.get("outputs") or c.get("execution_count")]
        assert not ran, f"{path.name}: cells {ran} carry outputs; regenerate it"


def test_a_changed_docstring_or_cell_makes_the_notebook_stale(tmp_path, monkeypatch):
    # the check must be able to fail: copy one lesson and its notebook, then change each side
    lessons, notebooks = tmp_path / "lessons", tmp_path / "lessons" / "notebooks"
    notebooks.mkdir(parents=True)
    stem = LESSONS[0]
    (lessons / f"{stem}.py").write_text((ROOT / "lessons" / f"{stem}.py").read_text())
    for ext in (".py", ".ipynb"):
        (notebooks / f"{stem}{ext}").write_text((NOTEBOOKS / f"{stem}{ext}").read_text())
    monkeypatch.setattr(make_notebooks, "ROOT", tmp_path)
    monkeypatch.setattr(make_notebooks, "LESSONS", lessons)
    monkeypatch.setattr(make_notebooks, "NOTEBOOKS", notebooks)
    assert make_notebooks.plan() == ({}, [])

    src = lessons / f"{stem}.py"
    src.write_text(src.read_text().replace('"""Lesson', '"""Lesson (edited)', 1))
    assert set(make_notebooks.plan()[0]) == {notebooks / f"{stem}.py", notebooks / f"{stem}.ipynb"}
    assert make_notebooks.main([]) == 0 and make_notebooks.plan() == ({}, [])
    assert "# # Lesson (edited)" in (notebooks / f"{stem}.py").read_text()

    py = notebooks / f"{stem}.py"
    py.write_text(py.read_text().replace("QUICK = True", "QUICK = False"))
    assert set(make_notebooks.plan()[0]) == {notebooks / f"{stem}.ipynb"}
    assert make_notebooks.main(["--check"]) == 1


def test_question_markdown_keeps_steps_apart_and_lines_short():
    md = make_notebooks.question_markdown(ROOT / "lessons" / "04_dead_units.py")
    lines = md.splitlines()
    assert lines[0].startswith("# Lesson 4")
    for step in ("A. ", "B. ", "C. "):
        i = next(i for i, line in enumerate(lines) if line.startswith(step))
        assert lines[i - 1] == "", f"step {step!r} must start its own paragraph"
    assert max(len(line) for line in lines[1:]) <= make_notebooks.WIDTH


def test_a_two_column_list_becomes_bullets(tmp_path):
    lesson = tmp_path / "99_x.py"
    lesson.write_text(
        '"""Lesson 99: title.\n\nIntro:\n  pruning   removes units,\n            then more.\n'
        '  storage   counts bytes.\n\nAfter.\n"""\n'
    )
    md = make_notebooks.question_markdown(lesson).splitlines()
    assert md[:7] == [
        "# Lesson 99: title.", "", "Intro:", "- **pruning** removes units,", "  then more.",
        "- **storage** counts bytes.", "",
    ]  # fmt: skip


def test_markdown_tables_escape_pipes_in_cells():
    from markdown_it import MarkdownIt

    from lessons.notebooks._nb import markdown_table

    text = markdown_table(["unit", "max |dW|"], [["a", 1.5], ["b|c", 0.25]])
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    cells = [t.content for t in tokens if t.type == "inline"]
    assert cells == ["unit", "max |dW|", "a", "1.500", "b|c", "0.250"]


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """The environment the kernels start with (they inherit os.environ at launch)."""
    pytest.importorskip("nbclient", reason="the notebook tests need the dev extra")
    pytest.importorskip("ipykernel", reason="the notebook tests need the dev extra")
    mp = pytest.MonkeyPatch()
    mp.setenv("LESSONS_NOTEBOOK_OUT", str(tmp_path_factory.mktemp("notebook_figures")))
    mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    mp.setenv("OPENBLAS_NUM_THREADS", "1")  # small networks: one BLAS thread is fastest
    yield
    mp.undo()


def execute(nb):
    """Run nb top to bottom in a fresh python3 kernel of this interpreter; raise on any error."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    # kernel_dirs=[]: no kernel.json from disk (whose "python" may be another interpreter), only
    # ipykernel's own python3 spec, which launches sys.executable
    ksm = KernelSpecManager(kernel_dirs=[])
    km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=ksm)
    client = NotebookClient(
        nb, km=km, timeout=300, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    return nb


def _texts(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        else:
            data = out.get("data", {})
            parts.append(data.get("text/markdown", data.get("text/plain", "")))
    return "\n".join(parts)


def _cell(nb, code: str):
    return next(c for c in nb.cells if c.cell_type == "code" and code in c.source)


@pytest.mark.parametrize("stem", LESSONS)
def test_notebook_runs_top_to_bottom_in_quick_mode(stem, kernel_env, lesson_results):
    nb = jupytext.read(NOTEBOOKS / f"{stem}.py")
    assert "QUICK = True" in _cell(nb, "QUICK =").source
    probe = "import sys as _s\nprint(_s.executable)\nprint(lesson.__file__)"
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    execute(nb)

    executable, lesson_file = _texts(nb.cells[-1]).split()
    assert executable == sys.executable, "the kernel must be this venv's python"
    assert pathlib.Path(lesson_file) == ROOT / "lessons" / f"{stem}.py"
    tables = _texts(_cell(nb, "show_tables("))
    assert tables.count("\n|--") >= 1, "render's tables are shown as Markdown tables"
    figures = _cell(nb, "show_figures(")["outputs"]
    assert figures and all("image/png" in out.get("data", {}) for out in figures)
    conclusion = _texts(_cell(nb, "show_claims("))
    claims = re.search(r"\*\*(\d+) of (\d+) claims hold\*\*", conclusion)
    assert claims and claims[1] == claims[2] != "0", "every claim holds in quick mode"
    # the notebook says what `python -m lessons N --quick` says (the session's run of the lesson),
    # up to timings, which the lessons mark as "machine-dependent"
    cli = lesson_results(stem)
    summary, checks = conclusion.split(claims[0])

    def same(lines):
        return [s for s in lines if "machine-dependent" not in s]

    assert same(summary.strip().split("\n")) == same(f"- {s}" for s in cli.summary)
    assert checks.strip().split("\n") == [f"- [ok] {name}" for name in cli.claims]
