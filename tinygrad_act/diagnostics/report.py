"""Text reports: a summary row per layer, a metrics table per layer, optionally a row per unit.

    print(format_report(mon.measure(X)))          # or mon.report(), or format_report(record)
    print(summary_table(mon.history[-1]))

Fractions print as percentages; "-" means "does not apply" (e.g. saturation for ReLU) or "not
recorded" (gradients outside training).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .record import LayerStats

__all__ = ["format_table", "summary_table", "format_report", "unit_table"]


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Aligned plain-text table (markdown-compatible)."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    return "\n".join([line, sep, *body])


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def _count(mask: np.ndarray | None) -> str:
    if mask is None:
        return "-"
    return f"{int(mask.sum())}/{mask.size}"


def _indices(idx: np.ndarray, limit: int = 12) -> str:
    idx = np.asarray(idx)
    if idx.size == 0:
        return "none"
    head = ", ".join(str(int(i)) for i in idx[:limit])
    return f"[{head}{', ...' if idx.size > limit else ''}]"


def _unpack(src: Any) -> tuple[dict, dict | None, dict | None, str]:
    """(layers, died, revived, title) from stats dict / EpochRecord / ActivationMonitor."""
    if hasattr(src, "history") and hasattr(src, "stats"):  # a monitor
        src = src.history[-1] if src.history else src.stats
    if hasattr(src, "layers") and hasattr(src, "epoch"):  # an EpochRecord
        title = f"epoch {src.epoch}"
        return src.layers, src.died or None, src.revived or None, title
    if isinstance(src, dict) and all(isinstance(v, LayerStats) for v in src.values()):
        return src, None, None, "activations"
    raise TypeError(
        f"report: expected monitor.measure(...) results, an EpochRecord or a monitor, got "
        f"{type(src).__name__}"
    )


def summary_table(src: Any) -> str:
    """One row per layer: sparsity, activity, dead, no-gradient, saturation, gradient flow."""
    layers, died, revived, _ = _unpack(src)
    headers = ["layer", "kind", "units", "inputs", "zeros", "near 0", "activity", "dead"]
    headers += ["no grad", "saturated", "grad norm", "zero grads"]
    if died is not None:
        headers += ["died", "revived"]
    rows = []
    for n, st in layers.items():
        if st.rows == 0:
            rows.append([n, st.kind, st.n_units, 0] + ["-"] * (len(headers) - 4))
            continue
        row = [n, st.kind, st.n_units, st.rows, _pct(st.sparsity), _pct(st.near_zero_fraction)]
        row += [_pct(float(st.activity.mean())), _count(st.never_positive)]
        row += [_count(st.no_gradient), _pct(st.saturated_fraction), _num(st.grad_norm)]
        row += [_pct(st.grad_zero_fraction)]
        if died is not None:
            row += [len(died.get(n, ())), len(revived.get(n, ()))]
        rows.append(row)
    return format_table(headers, rows)


def _layer_table(name: str, st: LayerStats, died: Any, revived: Any) -> str:
    never, nograd = st.never_positive, st.no_gradient
    act = st.activity
    rows = [
        ["outputs exactly 0 (sparsity)", _pct(st.sparsity)],
        [f"outputs |y| <= {st.sparsity_tol:g}", _pct(st.near_zero_fraction)],
        [
            "activity: mean / min / max over units",
            f"{_pct(act.mean())} / {_pct(act.min())} / {_pct(act.max())}",
        ],
        [
            "never positive (dead): pre <= 0 on all inputs",
            f"{_count(never)} {_indices(np.flatnonzero(never))}",
        ],
        [
            "receives no gradient",
            "-" if nograd is None else f"{_count(nograd)} {_indices(np.flatnonzero(nograd))}",
        ],
    ]
    if st.saturation is not None:
        lim = (
            f"|y| > {st.tanh_threshold:g}"
            if st.kind == "tanh"
            else (f"y within {st.sigmoid_margin:g} of 0 or 1")
        )
        rows.append([f"saturated ({lim})", _pct(st.saturated_fraction)])
    rows.append(["grad norm ||dL/dpre|| (mean per step)", _num(st.grad_norm)])
    rows.append(["gradients exactly 0", _pct(st.grad_zero_fraction)])
    if died is not None and name in died:
        rows.append(["died since last epoch", f"{len(died[name])} {_indices(died[name])}"])
        rows.append(["revived since last epoch", f"{len(revived[name])} {_indices(revived[name])}"])
    head = f"layer {name}: {st.kind}, {st.n_units} units, {st.rows} inputs"
    return head + "\n" + format_table(["metric", "value"], rows)


def unit_table(st: LayerStats, max_units: int | None = None) -> str:
    """One row per unit of a layer: activity, zeros, dead, no gradient, saturation."""
    n = st.n_units if max_units is None else min(max_units, st.n_units)
    nograd, sat = st.no_gradient, st.saturation
    rows = []
    for u in range(n):
        rows.append(
            [
                u,
                _pct(st.activity[u]),
                _pct(st.unit_sparsity[u]),
                "yes" if st.never_positive[u] else "",
                "-" if nograd is None else ("yes" if nograd[u] else ""),
                "-" if sat is None else _pct(sat[u]),
            ]
        )
    table = format_table(["unit", "activity", "zeros", "dead", "no grad", "saturated"], rows)
    return table + (f"\n({st.n_units - n} more units)" if n < st.n_units else "")


def format_report(src: Any, per_unit: bool = False, max_units: int | None = 20) -> str:
    """The summary table, then a metrics table per layer (and a unit table with per_unit)."""
    layers, died, revived, title = _unpack(src)
    parts = [f"== diagnostics: {title} ==", summary_table(src)]
    for n, st in layers.items():
        if st.rows == 0:
            parts.append(f"layer {n}: {st.kind}, no inputs seen")
            continue
        parts.append(_layer_table(n, st, died, revived))
        if per_unit:
            parts.append(unit_table(st, max_units))
    return "\n\n".join(parts)
