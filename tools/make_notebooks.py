"""Make the lesson notebooks: lessons/notebooks/NN_name.ipynb from NN_name.py (jupytext percent).

    python tools/make_notebooks.py            # refresh the question cells, write every .ipynb
    python tools/make_notebooks.py --check    # exit 1 if anything is out of date (a test runs it)

The percent-format .py files are the source a reviewer diffs; the .ipynb files are generated from
them, without outputs. Each notebook's first cell (the question) is the lesson's docstring as
Markdown, rendered here from lessons/NN_name.py, so the notebook cannot drift from the lesson. A
lesson without a notebook gets one from TEMPLATE (then add its "Try it" cells by hand).
"""

from __future__ import annotations

import argparse
import ast
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
NOTEBOOKS = LESSONS / "notebooks"
WIDTH = 98  # "# " + 98 characters: the .py stays within ruff's line length (100)
QUESTION_END = "*(This cell is the lesson's docstring, rendered by `tools/make_notebooks.py`.)*"

HEADER = """\
# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---
"""

TEMPLATE = """
# %% [markdown]
# ## Parameters
# `QUICK = True` runs the lesson's quick mode (seconds; the seeds the tests use). Set it to
# `False` for the full experiment behind lessons/README.md (10 seeds: minutes). `SEED` is the
# base seed S: the runs use seeds S*1000, S*1000+1, ...; `SEED = 1` is a fresh replication.
# `N_SEEDS = None` keeps the lesson's number of seeds; `JOBS = 2` runs them in two processes
# (bit-identical results).

# %% tags=["parameters"]
QUICK = True
SEED = 0
N_SEEDS = None
JOBS = 1

# %%
import pathlib  # noqa: E402
import sys  # noqa: E402

here = pathlib.Path.cwd().resolve()
ROOT = next((p for p in (here, *here.parents) if (p / "lessons" / "__main__.py").is_file()), None)
if ROOT is None:
    raise RuntimeError("open this notebook inside the tinygrad_act repository (lessons/notebooks/)")
sys.path.insert(0, str(ROOT))  # this checkout's tinygrad_act and lessons, not an installed copy

from lessons._results import roundtrip  # noqa: E402
from lessons._seeds import run_seeds  # noqa: E402
from lessons.notebooks import _nb as nb  # noqa: E402  (display helpers: tables, figures)

lesson = nb.load_lesson("{stem}")

# %% [markdown]
# ## The runs
# `lesson.measure(seed, quick=QUICK)` is one run of the experiment and returns plain numbers.
# `run_seeds` calls it once per seed (in `JOBS` processes). Here is what one run recorded:

# %%
seeds = nb.seeds_for(lesson, QUICK, SEED, N_SEEDS)
runs = run_seeds(lesson.measure, seeds, jobs=JOBS, quick=QUICK)
print(f"{{len(runs)}} runs (seeds {{seeds[0]}}..{{seeds[-1]}}); the first one:")
nb.describe_run(runs[0])

# %% [markdown]
# ## The tables
# `lesson.aggregate(runs)` turns the runs into tables -- means with 95% intervals over the
# seeds, paired differences -- and `lesson.render(tables)` lays them out (`roundtrip` gives the
# tables exactly as results.json stores them, as `python -m lessons` does).

# %%
tables = roundtrip(lesson.aggregate(runs))
nb.show_tables(lesson.render(tables))

# %% [markdown]
# ## The figures
# `lesson.figures(tables, out)` draws them (95% intervals as error bars) and returns the PNGs.

# %%
nb.show_figures(lesson.figures(tables, nb.output_dir("{stem}")))

# %% [markdown]
# ## The conclusion
# `lesson.summarize(tables)` says what the numbers show -- a difference only when its 95%
# interval excludes zero -- and `lesson.claims(tables)` checks every claim the lesson makes.
# In full mode these are the sentences in lessons/README.md.

# %%
nb.show_summary(lesson.summarize(tables))
nb.show_claims(lesson.claims(tables))

# %% [markdown]
# ## Try it
# Change a parameter at the top and rerun the notebook.
"""

sys.path.insert(0, str(ROOT))


def lesson_files() -> list[pathlib.Path]:
    return sorted(LESSONS.glob("[0-9][0-9]_*.py"))


def notebook_files() -> list[pathlib.Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def question_markdown(lesson: pathlib.Path) -> str:
    """The lesson's docstring as Markdown: its first line the title, the rest as written.

    The docstrings are plain text that reads as Markdown, with two exceptions made explicit here:
    a lettered step ("A. ...") that follows a line of text directly gets a blank line before it,
    to start its own paragraph, and a two-column list ("  term    what it is", continued further
    indented) becomes a bulleted list with the term in bold.
    """
    doc = ast.get_docstring(ast.parse(lesson.read_text()), clean=True)
    if not doc:
        raise SystemExit(f"make_notebooks: {lesson} has no docstring; a lesson states its question")
    title, *body = doc.splitlines()
    out, in_term = [f"# {title.strip()}"], False
    for line in map(str.rstrip, body):
        term = re.match(r" {1,3}([\w-]+) {2,}(\S.*)", line)
        if term:
            line, in_term = f"- **{term[1]}** {term[2]}", True
        elif in_term and line.startswith("    "):
            line = "  " + line.lstrip()  # the term's continuation: inside its list item
        else:
            in_term = False
        if re.match(r"[A-Z]\. ", line) and out[-1].strip():
            out.append("")
        out.append(line)
    return "\n".join([*_reflow(out), "", QUESTION_END])


def _starts_block(text: str) -> bool:
    """Would Markdown read a line starting with `text` as a list item, step or heading?"""
    return bool(re.match(r"\d+\.\s|[A-Z]\.\s|[-*+#>]\s", text))


def _reflow(lines: list[str], width: int = WIDTH) -> list[str]:
    """Carry the words of a line longer than `width` over into the rest of its paragraph.

    Markdown joins the lines of a paragraph, so this changes how the source looks, not what the
    notebook shows. The words carried join the next line (at its indentation) unless that line
    starts a new block (blank, a list item, a step); then they get a line of their own.
    """
    out, carry, indent = [], "", ""
    for line in [*lines, ""]:
        if carry and line.strip() and not _starts_block(line.lstrip()):
            own = line[: len(line) - len(line.lstrip())]
            line = f"{own}{carry} {line.lstrip()}"
        elif carry:
            out.append(indent + carry)
        carry = ""
        while len(line) > width:
            indent = line[: len(line) - len(line.lstrip())]
            cut = line.rfind(" ", len(indent) + 1, width + 1)
            while cut > 0 and _starts_block(line[cut + 1 :]):
                cut = line.rfind(" ", len(indent) + 1, cut)
            if cut <= 0:
                break
            line, carry = line[:cut], line[cut + 1 :]
            if line.startswith("- "):
                indent = "  "  # a list item's words continue inside the item
        out.append(line)
    return out[:-1]


def question_cell(markdown: str) -> str:
    body = "\n".join(f"# {line}" if line else "#" for line in markdown.splitlines())
    return f"# %% [markdown]\n{body}\n"


def percent_source(lesson: pathlib.Path, current: str | None) -> str:
    """The notebook's .py with its question cell rendered from `lesson` (a new one if None)."""
    question = question_cell(question_markdown(lesson))
    if current is None:
        return HEADER + "\n" + question + TEMPLATE.format(stem=lesson.stem)
    m = re.search(r"^# %% \[markdown\]\n.*?(?=^# %%)", current, re.S | re.M)
    if not current.startswith(HEADER) or m is None:
        raise SystemExit(
            f"make_notebooks: {lesson.stem}.py must start with the jupytext header and a question "
            "cell; delete it to start again from the template"
        )
    return current[: m.start()] + question + "\n" + current[m.end() :]


def cells(nb) -> list[tuple[str, str]]:
    """What a notebook says, without outputs or metadata: (cell type, source) per cell."""
    return [(c.cell_type, c.source) for c in nb.cells]


def plan() -> tuple[dict[pathlib.Path, str], list[str]]:
    """{path: new text} for every file that is out of date, and the problems found."""
    import jupytext
    import nbformat

    changes, problems = {}, []
    lessons = {p.stem: p for p in lesson_files()}
    for nb_py in notebook_files():
        if nb_py.stem not in lessons:
            problems.append(f"{nb_py.relative_to(ROOT)} has no lesson lessons/{nb_py.stem}.py")
    for stem, lesson in lessons.items():
        py = NOTEBOOKS / f"{stem}.py"
        current = py.read_text() if py.exists() else None
        text = percent_source(lesson, current)
        if text != current:
            changes[py] = text
        nb = jupytext.reads(text, fmt="py:percent")
        for i, cell in enumerate(nb.cells):
            cell.id = f"cell-{i:02d}"  # stable ids: regenerating changes only what changed
        ipynb = py.with_suffix(".ipynb")
        old = nbformat.read(ipynb, as_version=4) if ipynb.exists() else None
        if old is None or cells(old) != cells(nb) or _has_outputs(old):
            changes[ipynb] = jupytext.writes(nb, fmt="ipynb")
    return changes, problems


def _has_outputs(nb) -> bool:
    return any(c.get("outputs") or c.get("execution_count") for c in nb.cells)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="exit 1 if a notebook is out of date")
    args = p.parse_args(argv)
    changes, problems = plan()
    for problem in problems:
        print(f"make_notebooks: {problem}", file=sys.stderr)
    names = [str(path.relative_to(ROOT)) for path in changes]
    if args.check:
        if names:
            print("out of date (run `python tools/make_notebooks.py`): " + ", ".join(names))
        return 1 if names or problems else 0
    NOTEBOOKS.mkdir(exist_ok=True)
    for path, text in changes.items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
