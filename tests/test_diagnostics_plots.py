"""diagnostics.plots writes non-empty PNG files (skipped only when matplotlib is missing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import diagnostics, nn
from tinygrad_act.diagnostics import plots

pytest.importorskip("matplotlib")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def is_png(path) -> bool:
    with open(path, "rb") as f:
        head = f.read(8)
    return head == PNG_MAGIC and path.stat().st_size > 1000


@pytest.fixture
def watched():
    """A 2-16-16-3 ReLU net on 2-D points, 3 recorded epochs; first-layer units 0-3 dead."""
    ta.manual_seed(0)
    X = np.random.default_rng(0).uniform(-1, 1, (200, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    model = nn.Sequential(
        nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3)
    )
    model[0].bias.data[:4] = -5.0
    mon = diagnostics.watch(model)
    for epoch in range(3):
        model[2].bias.data[0] = -100.0 if epoch == 1 else 0.0  # a unit that dies and revives
        mon.end_epoch(X)
    return mon, X, y


def test_each_plot_writes_a_png(watched, tmp_path):
    mon, X, y = watched
    paths = [
        plots.preactivation_histograms(mon, tmp_path / "hist.png"),
        plots.dead_fraction(mon, tmp_path / "dead.png"),
        plots.activity_heatmap(mon, tmp_path / "heat.png"),
        plots.activity_heatmap(mon, tmp_path / "heat1.png", layers=["1"]),
        plots.unit_lines(mon.model, X, tmp_path / "sub" / "lines.png", y=y),
    ]
    for p in paths:
        assert is_png(Path(p))


def test_save_all_writes_every_plot_that_applies(watched, tmp_path):
    mon, X, y = watched
    paths = plots.save_all(mon, tmp_path, X=X, y=y)
    names = sorted(p.rsplit("/", 1)[-1] for p in paths)
    assert names == [
        "activity_heatmap.png",
        "dead_fraction.png",
        "preactivations.png",
        "unit_lines.png",
    ]
    assert all(is_png(tmp_path / n) for n in names)


def test_unit_lines_default_dead_mask_is_computed_from_the_data(watched, tmp_path):
    mon, X, _ = watched
    # the lines plot titles its dead count; check the mask it would use against numpy
    W, b = mon.model[0].weight.data, mon.model[0].bias.data
    dead = ~np.any(X @ W.T + b > 0, axis=0)
    assert dead[:4].all()
    np.testing.assert_array_equal(dead, mon.history[-1].layers["1"].never_positive)
    plots.unit_lines(mon.model[0], X, tmp_path / "l.png")  # the layer itself also works
    assert is_png(tmp_path / "l.png")


def test_plot_errors_say_what_is_missing(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    mon = diagnostics.watch(model)
    with pytest.raises(ValueError, match="end_epoch"):
        plots.dead_fraction(mon, tmp_path / "x.png")
    X3 = np.zeros((5, 3), dtype=np.float32)
    with pytest.raises(ValueError, match=r"\(N, 2\).*\(5, 3\)"):
        plots.unit_lines(model, X3, tmp_path / "x.png")
    model(ta.tensor(X3)).sum().backward()  # live counts keep no pre-activations
    with pytest.raises(ValueError, match="measure"):
        plots.preactivation_histograms(mon, tmp_path / "x.png")
