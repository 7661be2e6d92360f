"""Shared fixtures. Keep this file small: fixtures used by more than one test file only."""

from __future__ import annotations

import pathlib
import socket
import sys

import pytest

import tinygrad_act as ta

# The tests train small networks: one BLAS thread is fastest for them, and multi-threaded
# OpenBLAS busy-waits badly when the cores are shared (see tinygrad_act/_blas.py).
ta.set_blas_threads(1)


@pytest.fixture(scope="session")
def mnist1d_cache(tmp_path_factory):
    """A cache directory holding MNIST-1D, generated once per session (about 4 s cold).

    Sockets are disabled during the generation, so the session also checks that load_mnist1d
    never reaches for the network. Tests load from here with load_mnist1d(cache_dir=...) (ms).
    """
    pytest.importorskip("mnist1d")
    from tinygrad_act.data import load_mnist1d

    directory = tmp_path_factory.mktemp("tinygrad_act_cache")

    def no_network(*args, **kwargs):
        raise AssertionError("load_mnist1d tried to open a network connection")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", no_network)
        mp.setattr(socket, "create_connection", no_network)
        load_mnist1d(cache_dir=directory)
    return directory


ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_lesson(stem: str):
    """Import lessons/<stem>.py the way the runner does (its name starts with digits)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from lessons.__main__ import load

    return load(ROOT / "lessons" / f"{stem}.py")


def draw_figure(stem: str, tables: dict, out) -> object:
    """Run lesson `stem`'s figures(tables, out) and return the last matplotlib Figure it saved,
    so a test can read the data it draws (not just that a PNG exists)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    captured = {}
    orig = plt.Figure.savefig

    def keep(fig, *a, **k):
        captured["fig"] = fig
        return orig(fig, *a, **k)

    plt.Figure.savefig = keep
    try:
        paths = load_lesson(stem).figures(tables, str(out))
    finally:
        plt.Figure.savefig = orig
    assert paths and all(p.endswith(".png") for p in paths)
    return captured["fig"]


@pytest.fixture(scope="session")
def lesson_results(tmp_path_factory):
    """get(stem): the lesson's quick-mode run for base seed 0 (its QUICK_N_SEEDS seeds, one
    process), with figures, run once per session: a lessons._runner.LessonRun (runs, tables,
    summary, claims, rendered tables, results path, figures)."""
    out = tmp_path_factory.mktemp("lessons")
    cache = {}

    def get(stem: str):
        if stem not in cache:
            from lessons._runner import run_lesson

            cache[stem] = run_lesson(load_lesson(stem), quick=True, out=str(out), verbose=False)
        return cache[stem]

    return get
