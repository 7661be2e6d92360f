"""Lesson 9's figure panels (lessons/09_sparsity_price.py reads as the experiment).

Each panel draws one price from the lesson's tables, with 95% intervals as error bars.
"""

from __future__ import annotations

import numpy as np


def _err(ivs) -> tuple[np.ndarray, np.ndarray]:
    m = np.array([iv.mean for iv in ivs])
    lo = np.array([iv.lo for iv in ivs])
    hi = np.array([iv.hi for iv in ivs])
    return m, np.nan_to_num(np.vstack([m - lo, hi - m]))


def _curve(ax, xs, ys, **kw) -> None:
    (x, xe), (y, ye) = _err(xs), _err(ys)
    ax.errorbar(x, y, xerr=xe, yerr=ye, capsize=3, **kw)


COLORS = {"relu": "#1f77b4", "leaky": "#ff7f0e"}
MARKERS = {"mnist1d": "o", "digits": "s"}


def plot_sweep_and_pruning(ax, t: dict, curve_strength: float) -> None:
    """Exact zeros vs accuracy along the L1 sweep (ax[0]); accuracy vs parameters kept when
    pruning by activity (ax[1])."""
    for name, d in t["datasets"].items():
        for act in COLORS:
            style = dict(marker=MARKERS[name], color=COLORS[act], label=f"{name} {act}")
            _curve(ax[0], d[act]["zeros"], d[act]["acc"], **style)
            for iv, acc, s in zip(d[act]["zeros"], d[act]["acc"], t["strengths"]):
                ax[0].annotate(f"L1 {s:g}", (iv.mean, acc.mean), fontsize=7, xytext=(4, 4),
                               textcoords="offset points", color=COLORS[act])  # fmt: skip
            _curve(ax[1], d[act]["curve_params"], d[act]["curve_acc"], **style)
    ax[0].set(xlabel="exact-zero fraction of hidden outputs (test)", ylabel="test accuracy",
              title="sparsity on demand: L1 penalty sweep", xlim=(-0.05, 1.05))  # fmt: skip
    ax[1].set(xlabel="share of parameters kept", ylabel="test accuracy", xlim=(0, 1.05),
              title=f"pruning units by activity (L1 {curve_strength:g})")  # fmt: skip


def plot_code(ax, t: dict) -> None:
    """The last hidden code's size as bitmask + nonzeros and as CSR, per dense byte."""
    names, kinds = list(t["datasets"]), ("bitmask", "csr")
    for k, (act, kind) in enumerate((a, f) for a in COLORS for f in kinds):
        m, e = _err([t["datasets"][n][act]["code"][kind] for n in names])
        label = f"{act}: {'bitmask + nonzeros' if kind == 'bitmask' else 'CSR'}"
        ax.bar(np.arange(len(names)) + (k - 1.5) * 0.2, m, 0.2, yerr=e, capsize=3, label=label,
               color=COLORS[act], alpha=1.0 if kind == "bitmask" else 0.5)  # fmt: skip
    ax.axhline(1.0, color="k", lw=1, ls="--", label="dense")
    ax.set_xticks(np.arange(len(names)), names)
    ax.set(ylabel="bytes per dense byte", ylim=(0, None), title="last hidden code, stored")


def plot_bench(ax, t: dict, curve_strength: float) -> None:
    """The sparse kernel's speed against BLAS vs sparsity, with the lesson's measured zeros."""
    sizes: dict = {}
    for r in t["bench"]["rows"]:
        sizes.setdefault(r["size"], []).append((r["sparsity"], r["ratio"]))
    for size, pts in sizes.items():
        ax.plot(*zip(*pts), marker="o", label=f"N x in x out = {size}")
    ax.axhline(1.0, color="k", lw=1, ls="--", label="as fast as BLAS")
    z = t["datasets"]["mnist1d"]["relu"]["zeros"]
    strengths = t["strengths"]
    for i, c in ((0, "#999999"), (strengths.index(curve_strength), "#555555")):
        ax.axvline(z[i].mean, color=c, ls=":", label=f"MNIST-1D ReLU zeros, L1 {strengths[i]:g}")
    ax.set(xlabel="sparsity of the input (exact zeros)", ylabel="BLAS time / sparse time",
           yscale="log", title="skipping zeros: sparse kernel vs BLAS (fwd + dW)")  # fmt: skip
