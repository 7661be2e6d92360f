"""What every lesson shares: models, data, tables and plots (the runner is lessons/_runner.py).

A lesson module defines, at module level (each small, each a step of the experiment):
  measure(seed, quick=False) -> dict      one run, plain JSON-able numbers and lists
  aggregate(runs) -> tables               means, 95% intervals, paired differences (lessons/_stats)
  summarize(tables) -> list[str]          sentences built from the numbers
  claims(tables) -> dict[str, bool]       every claim the summary and README state, by name
  figures(tables, out) -> list[str]       PNG paths
  render(tables) -> [(title, headers, rows)]   the tables to print and to put in the README
and optionally N_SEEDS / QUICK_N_SEEDS (default 10 / 3). `run_lesson(module, quick, seed, seeds,
jobs, scheduler, out, plots)` runs it (`run = make_run(__name__)` wraps that for the module), and
`lesson_main(__name__)` is its script entry.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# the lessons' API: run one (run_lesson), its `run` and script entry, the default output folder
from lessons._runner import DEFAULT_OUT, lesson_main, make_run, run_lesson  # noqa: F401


def format_cell(v: Any) -> str:
    if hasattr(v, "cell"):  # an Interval: "mean (lo..hi)"
        return v.cell()
    if isinstance(v, float):
        if v != v:  # NaN
            return "nan"
        if v == 0:
            return "0"
        if abs(v) >= 1e4 or abs(v) < 1e-3:
            return f"{v:.2e}"
        return f"{v:.3f}"
    return str(v)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table with aligned columns (markdown-compatible)."""
    cells = [[format_cell(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    return "\n".join([line, sep, *body])


def pyplot():
    """matplotlib.pyplot with a file-only backend, or None when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def half_widths(intervals) -> np.ndarray:
    """(2, n) distances from each mean down to lo and up to hi: errorbar's yerr / xerr."""
    return np.array([[v.mean - v.lo for v in intervals], [v.hi - v.mean for v in intervals]])


def save_figure(fig, out: str, name: str) -> str:
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, name)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return path


def mlp(
    n_in: int,
    n_out: int,
    width: int,
    depth: int,
    activation: Callable[[], Any],
    init: Callable[[Any], None] | None = None,
):
    """n_in -> depth x [Linear(width), activation()] -> Linear(n_out), as an nn.Sequential.

    Children are named like PyTorch's: Linear i at "2i", its activation at "2i+1", the output
    layer at str(2 * depth). `init(linear)` is called on every Linear (None keeps PyTorch's default
    init); it may look at `linear.out_features` to treat the output layer differently.
    """
    from tinygrad_act import nn

    layers, fan_in = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), activation()]
        fan_in = width
    layers.append(nn.Linear(fan_in, n_out))
    if init is not None:
        for m in layers:
            if isinstance(m, nn.Linear):
                init(m)
    return nn.Sequential(*layers)


SPIRAL_POINTS, SPIRAL_NOISE, SPIRAL_TEST_FRACTION = 1200, 0.2, 0.25


def load_dataset(name: str, seed: int = 0, n_train: int | None = None):
    """(X_train, y_train, X_test, y_test, n_classes) for "spirals" or "mnist1d", standardized
    with the training set's statistics.

    spirals: SPIRAL_POINTS points (noise SPIRAL_NOISE, generated with `seed`), the first
    SPIRAL_TEST_FRACTION of them held out for testing. mnist1d: the published split (4000/1000).
    n_train keeps only the first n_train training rows (quick modes).
    """
    from tinygrad_act import data

    if name == "mnist1d":
        Xtr, ytr, Xte, yte = data.load_mnist1d()
    elif name == "spirals":
        X, y = data.make_spirals(SPIRAL_POINTS, noise=SPIRAL_NOISE, seed=seed)
        n_test = int(len(X) * SPIRAL_TEST_FRACTION)
        Xtr, ytr, Xte, yte = X[n_test:], y[n_test:], X[:n_test], y[:n_test]
    else:
        raise ValueError(f"load_dataset: unknown dataset {name!r}; use 'spirals' or 'mnist1d'")
    Xtr, ytr = Xtr[:n_train], ytr[:n_train]
    Xtr, Xte = data.standardize(Xtr, Xte)
    return Xtr, ytr, Xte, yte, int(max(ytr.max(), yte.max()) + 1)
