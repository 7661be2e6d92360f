"""What the lesson notebooks share: load a lesson, run its seeds, show tables, figures, claims.

The notebooks (lessons/notebooks/NN_name.py, jupytext percent format; the .ipynb files are made
from them by `python tools/make_notebooks.py`) call the lesson's OWN functions -- measure,
aggregate, summarize, claims, render, figures -- and use this module only to display what those
return: tables and sentences as Markdown, figures as inline PNGs. Nothing here computes a number.
"""

from __future__ import annotations

import io
import os
import pathlib
import tempfile
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT_ENV = "LESSONS_NOTEBOOK_OUT"  # where figures go (the tests point it at a temporary folder)


def load_lesson(stem: str):
    """Import lessons/<stem>.py as the runner does (`python -m lessons` / the tests)."""
    from lessons.__main__ import load

    return load(ROOT / "lessons" / f"{stem}.py")


def seeds_for(lesson, quick: bool, seed: int = 0, n: int | None = None) -> list[int]:
    """The seeds `python -m lessons N [--quick] --seed S --seeds n` runs (lessons/_runner.py)."""
    from lessons._runner import N_SEEDS, QUICK_N_SEEDS
    from lessons._seeds import seed_list

    if n is None:
        n = getattr(lesson, "QUICK_N_SEEDS" if quick else "N_SEEDS", None)
        n = n or (QUICK_N_SEEDS if quick else N_SEEDS)
    return seed_list(seed, n)


def output_dir(stem: str) -> str:
    """A folder for the lesson's figures: $LESSONS_NOTEBOOK_OUT/<stem>, else lesson_output/."""
    base = os.environ.get(OUT_ENV) or str(ROOT / "lesson_output" / "notebooks")
    folder = os.path.join(base, stem)
    os.makedirs(folder, exist_ok=True)
    return folder


def _short(value: Any, width: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 5] + " ...]"


def describe_run(run: dict, width: int = 90) -> None:
    """Print one run (what `measure` returned), one line per key, long values cut short."""
    for key, value in run.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            names = ", ".join(map(repr, value))
            names = names if len(names) <= width else names[: width - 4] + " ..."
            print(f"{key}: one dict per arm ({len(value)}): {names}")
        else:
            print(f"{key}: {_short(value, width)}")


def _markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def markdown_table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table, cells formatted as the lessons print them ("|" escaped: "max |dW|")."""
    from lessons._common import format_cell

    def line(cells) -> str:
        return "| " + " | ".join(format_cell(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(headers), "|" + "---|" * len(headers), *map(line, rows)])


def show_tables(rendered: list[tuple[str, list[str], list[list]]]) -> None:
    """Display what the lesson's `render(tables)` returns, as Markdown tables."""
    for title, headers, rows in rendered:
        _markdown(f"**{title}**\n\n{markdown_table(headers, rows)}")


def show_summary(summary: list[str]) -> None:
    """Display the lesson's `summarize(tables)` sentences as a bulleted list."""
    _markdown("\n".join(f"- {s}" for s in summary))


def show_claims(claims: dict[str, bool]) -> None:
    """Display the lesson's `claims(tables)`: which stated claims the numbers support."""
    held = sum(claims.values())
    lines = [f"**{held} of {len(claims)} claims hold**", ""]
    lines += [f"- [{'ok' if ok else 'FAILS'}] {name}" for name, ok in claims.items()]
    _markdown("\n".join(lines))


def show_figures(paths: list[str]) -> None:
    """Display the PNGs the lesson's `figures(tables, out)` wrote, inline."""
    from IPython.display import Image, display

    for path in paths:
        display(Image(filename=path))


def show_figure(fig) -> None:
    """Display a matplotlib figure inline (whatever the backend) and close it.

    The lessons draw with the file-only Agg backend (lessons/_common.pyplot), so a figure is
    shown as its PNG rather than through the notebook's matplotlib integration.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    display(Image(data=buf.getvalue()))


def scratch_dir() -> str:
    """A fresh temporary folder (for 'try it' cells that write files)."""
    return tempfile.mkdtemp(prefix="lesson_nb_")
