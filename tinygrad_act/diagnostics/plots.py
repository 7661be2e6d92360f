"""PNG plots of what the monitor measured (matplotlib, Agg backend: files only, no display).

    plots.preactivation_histograms(mon.measure(X), "out/hist.png")
    plots.dead_fraction(mon, "out/dead.png")                    # per layer, over epochs
    plots.activity_heatmap(mon, "out/activity.png")             # unit x epoch, dead in red
    plots.unit_lines(model, X2d, "out/lines.png", y=labels)     # 2-D inputs: w.x + b = 0
    plots.save_all(mon, "out/", X=X2d, y=labels)                # whichever of these apply

matplotlib is optional: importing this module works without it; each function raises
ImportError naming the extra to install (`pip install tinygrad_act[lessons]`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..nn.module import Module
from ..tensor import Tensor

DEAD_COLOR = "#d62728"  # red: dead units stand out against the blue/grey of live ones


def available() -> bool:
    """True when matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            "diagnostics.plots needs matplotlib: pip install matplotlib (or tinygrad_act[lessons])"
        ) from None
    matplotlib.use("Agg")  # never open a window: lessons run headless and in tests
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: str | os.PathLike) -> str:
    path = os.fspath(path)
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    _pyplot().close(fig)
    return path


def _layers_of(src: Any) -> dict:
    if hasattr(src, "history") and hasattr(src, "stats"):  # a monitor: latest epoch or live
        src = src.history[-1] if src.history else src.stats
    if hasattr(src, "layers") and hasattr(src, "epoch"):
        src = src.layers
    if not isinstance(src, dict) or not src:
        raise TypeError(
            f"plots: expected monitor.measure(...) results, an EpochRecord or a monitor, got "
            f"{type(src).__name__}"
        )
    return src


def preactivation_histograms(src: Any, path: str | os.PathLike, bins: int = 60) -> str:
    """One histogram per layer of the pre-activations kept by measure(), with x = 0 marked."""
    layers = _layers_of(src)
    samples = {n: st.preactivations() for n, st in layers.items()}
    if all(s.size == 0 for s in samples.values()):
        raise ValueError(
            "preactivation_histograms: no pre-activations were kept; they are kept by "
            "monitor.measure(X) / end_epoch(X) (keep_preactivations > 0), not by live training"
        )
    plt = _pyplot()
    k = len(layers)
    fig, axes = plt.subplots(1, k, figsize=(4.2 * k, 3.4), squeeze=False)
    for ax, (n, st) in zip(axes[0], layers.items()):
        v = samples[n].ravel()
        if v.size:
            ax.hist(v, bins=bins, color="#1f77b4", alpha=0.85)
        ax.axvline(0.0, color="k", lw=1)
        neg = float(np.mean(v <= 0)) if v.size else float("nan")
        # "never positive" and "no gradient" differ for leaky ReLU/PReLU: show both
        nograd = st.no_gradient
        ng = "" if nograd is None else f", no gradient {100 * float(np.mean(nograd)):.0f}%"
        ax.set_title(
            f"layer {n} ({st.kind}): {100 * neg:.0f}% of pre <= 0\n"
            f"units never positive {100 * st.dead_fraction:.0f}%{ng}",
            fontsize=9,
        )
        ax.set_xlabel("pre-activation")
    axes[0][0].set_ylabel("count")
    return _save(fig, path)


def dead_fraction(monitor: Any, path: str | os.PathLike) -> str:
    """Fraction of never-positive units per layer over the recorded epochs."""
    fr = monitor.dead_fractions()
    if not monitor.history:
        raise ValueError("dead_fraction: no epochs recorded; call monitor.end_epoch() each epoch")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for n, f in fr.items():
        ax.plot(np.arange(len(f)), 100 * f, marker="o", ms=3, label=f"layer {n}")
    ax.set_ylim(-3, 103)
    ax.set_xlabel("epoch")
    ax.set_ylabel("dead units (%)")
    ax.set_title("dead units: pre <= 0 on every input")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def activity_heatmap(monitor: Any, path: str | os.PathLike, layers: Any = None) -> str:
    """Unit x epoch image of per-unit activity (fraction of inputs with pre > 0); dead cells
    (activity exactly 0) are painted red."""
    names = list(monitor.layers) if layers is None else list(layers)
    mats = [monitor.activity_matrix(n) for n in names]
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names) + 1, 4.2), squeeze=False)
    cmap = plt.get_cmap("viridis").with_extremes(bad=DEAD_COLOR)
    im = None
    for ax, n, m in zip(axes[0], names, mats):
        im = ax.imshow(
            np.ma.masked_where(m == 0, m),
            aspect="auto",
            cmap=cmap,
            vmin=0,
            vmax=1,
            interpolation="nearest",
        )
        dead = int(np.sum(m[:, -1] == 0))
        ax.set_title(f"layer {n}: {dead}/{m.shape[0]} never positive at end", fontsize=9)
        ax.set_xlabel("epoch")
    axes[0][0].set_ylabel("unit")
    label = "activity = fraction of inputs with pre > 0; red: 0"
    fig.colorbar(im, ax=axes[0].tolist(), label=label)
    return _save(fig, path)


def _first_linear(model: Any) -> Any:
    for _, m in model.named_modules():
        w = m._parameters.get("weight") if isinstance(m, Module) else None
        if w is not None and w.data.ndim == 2:
            return m
    raise ValueError(f"unit_lines: {type(model).__name__} has no layer with a 2-D weight")


def unit_lines(
    model: Any,
    X: Any,
    path: str | os.PathLike,
    y: Any = None,
    dead: Any = None,
) -> str:
    """2-D data with each first-layer unit's line w.x + b = 0; dead units in thick red dashes.

    model: a model (its first layer with a 2-D weight is used) or that layer itself.
    dead: (U,) bool; default: the units whose pre-activation is <= 0 on every point of X.
    """
    layer = _first_linear(model) if not hasattr(model, "weight") else model
    W = np.asarray(layer.weight.data, dtype=np.float64)
    b = np.zeros(W.shape[0]) if layer.bias is None else np.asarray(layer.bias.data, np.float64)
    X = np.asarray(X.data if isinstance(X, Tensor) else X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or W.shape[1] != 2:
        raise ValueError(
            f"unit_lines: needs 2-D inputs X of shape (N, 2) and a first layer with weight "
            f"(units, 2); got X {X.shape} and weight {W.shape}"
        )
    if dead is None:
        dead = ~np.any(X @ W.T + b > 0, axis=0)
    dead = np.asarray(dead, dtype=bool)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    if y is None:
        ax.scatter(X[:, 0], X[:, 1], s=8, color="#1f77b4", alpha=0.7, zorder=2)
    else:
        c = np.asarray(getattr(y, "data", y))
        ax.scatter(X[:, 0], X[:, 1], c=c, s=8, cmap="tab10", alpha=0.7, zorder=2)
    lo, hi = X.min(0), X.max(0)
    pad = 0.1 * (hi - lo + 1e-12)
    lo, hi = lo - pad, hi + pad
    t = np.linspace(-1, 1, 2) * 10 * float(np.max(hi - lo))
    centre = (lo + hi) / 2
    outside = 0
    for u in range(W.shape[0]):
        w, nrm = W[u], np.linalg.norm(W[u])
        if nrm == 0:
            continue
        # the point of the line closest to the data's centre, and the line's direction
        p0c = centre - (np.dot(w, centre) + b[u]) * w / nrm**2
        d = np.array([-w[1], w[0]]) / nrm
        seg = p0c[None, :] + t[:, None] * d[None, :]
        if np.any(p0c < lo) or np.any(p0c > hi):
            outside += int(dead[u])
        if dead[u]:
            ax.plot(seg[:, 0], seg[:, 1], color=DEAD_COLOR, lw=2.2, ls="--", zorder=3)
        else:
            ax.plot(seg[:, 0], seg[:, 1], color="0.35", lw=0.8, alpha=0.8, zorder=1)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.plot([], [], color="0.35", lw=0.8, label="live unit: w.x + b = 0")
    ax.plot([], [], color=DEAD_COLOR, lw=2.2, ls="--", label="dead unit (pre <= 0 on all data)")
    ax.legend(fontsize=8, loc="upper right")
    note = f" ({outside} outside the view)" if outside else ""
    ax.set_title(f"first layer: {int(dead.sum())}/{dead.size} units dead{note}", fontsize=10)
    return _save(fig, path)


def save_all(monitor: Any, out_dir: str | os.PathLike, X: Any = None, y: Any = None) -> list:
    """Every plot that applies to `monitor`'s data, as PNGs in out_dir; returns the paths."""
    out = os.fspath(out_dir)
    paths = []
    layers = _layers_of(monitor)
    if any(st.preactivations().size for st in layers.values()):
        paths.append(preactivation_histograms(monitor, os.path.join(out, "preactivations.png")))
    if monitor.history:
        paths.append(dead_fraction(monitor, os.path.join(out, "dead_fraction.png")))
        paths.append(activity_heatmap(monitor, os.path.join(out, "activity_heatmap.png")))
    if X is not None and np.shape(getattr(X, "data", X))[-1] == 2:
        paths.append(unit_lines(monitor.model, X, os.path.join(out, "unit_lines.png"), y=y))
    return paths
