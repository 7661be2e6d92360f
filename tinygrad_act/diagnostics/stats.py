"""Pure statistics over activation arrays: sparsity, activity, dead units, saturation, constancy.

Every function takes numpy arrays (or Tensors, read through `.data`) and returns numbers or arrays;
nothing here touches a model. Shape convention: the LAST axis indexes units (the features a Linear
layer produces); every other axis is folded into rows ("inputs"):

    pre, y: (*, U)  ->  viewed as (R, U) with R = prod(*)

except for convolutional activations (N, C, L) (and (N, C, H, W)), where a CHANNEL is one unit,
as PyTorch's dim 1: a channel is dead when it is never positive at any position for any input,
and rows are (input, position) pairs: (N, C, L) -> (N*L, C).

`pre` is a pre-activation (what goes INTO the activation function), `y` its output.

    activity_u      = #{r : pre[r, u] > 0} / R             per unit, in [0, 1]
    dead_u          = pre[r, u] <= 0 for every r            ("never positive")
    sparsity        = #{(r, u) : y[r, u] == 0} / (R U)      exact zeros
    near_zero(tol)  = #{(r, u) : |y[r, u]| <= tol} / (R U)  for smooth activations (gelu, silu, ...)
    saturated       = |y| > tanh_threshold (tanh);  y < margin or y > 1 - margin (sigmoid)

Counting is vectorized (`np.add.reduce` of a boolean mask over the rows): the monitor calls these in
its forward hooks on every training step, so no Python loop over elements is allowed here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "as_units",
    "count_true",
    "activity",
    "dead_mask",
    "sparsity",
    "unit_sparsity",
    "near_zero_fraction",
    "saturation_mask",
    "saturation",
    "died_revived",
    "is_constant",
    "output_spread",
    "zero_fraction",
    "grad_norm",
]

TANH_THRESHOLD = 0.97
SIGMOID_MARGIN = 0.03


def as_units(a: Any, name: str = "array") -> np.ndarray:
    """View `a` (*, U) as (R, U): rows = inputs, columns = units. A 1-D array is one row; an
    (N, C, *spatial) array (ndim >= 3, a convolution's output) has its channels as units."""
    a = getattr(a, "data", a)
    a = np.asarray(a)
    if a.ndim == 0:
        raise ValueError(
            f"{name}: got a 0-d value; pass activations of shape (N, units) (the last axis indexes "
            "units, the others are inputs)"
        )
    if a.ndim == 1:
        return a.reshape(1, -1)
    if a.ndim >= 3:  # channels (dim 1) last, then every (input, position) is a row
        return np.moveaxis(a, 1, -1).reshape(-1, a.shape[1])
    return a.reshape(-1, a.shape[-1])


def count_true(mask: np.ndarray) -> np.ndarray:
    """Per-unit count of True in a (R, U) bool mask -> (U,) int64 (vectorized column sum)."""
    # add.reduce with an explicit integer dtype is ~2x faster than mask.sum(0) on bools
    return np.add.reduce(mask, axis=0, dtype=np.int64)


def activity(pre: Any) -> np.ndarray:
    """Per unit, the fraction of inputs with a positive pre-activation.  (*, U) -> (U,)."""
    p = as_units(pre, "activity")
    return count_true(p > 0) / p.shape[0]


def dead_mask(pre: Any) -> np.ndarray:
    """Per unit, True when pre <= 0 on every input ("never positive").  (*, U) -> (U,) bool.

    For ReLU such a unit outputs 0 and passes no gradient on every input, so the weights feeding
    it never change; for leaky ReLU / PReLU it still passes slope * grad and keeps learning.
    """
    p = as_units(pre, "dead_mask")
    if p.shape[0] == 0:
        raise ValueError("dead_mask: no inputs (0 rows); a unit's death needs at least one input")
    return ~np.any(p > 0, axis=0)


def sparsity(y: Any) -> float:
    """Fraction of outputs exactly 0 over all inputs and units (ReLU's hard zeros)."""
    a = as_units(y, "sparsity")
    return float(np.count_nonzero(a == 0)) / a.size if a.size else 0.0


def unit_sparsity(y: Any) -> np.ndarray:
    """Per unit, the fraction of inputs on which the output is exactly 0.  (*, U) -> (U,)."""
    a = as_units(y, "unit_sparsity")
    return count_true(a == 0) / a.shape[0]


def near_zero_fraction(y: Any, tol: float = 1e-2) -> float:
    """Fraction of outputs with |y| <= tol (smooth activations like GELU rarely hit 0 exactly)."""
    if tol < 0:
        raise ValueError(f"near_zero_fraction: tol must be >= 0, got {tol}")
    a = as_units(y, "near_zero_fraction")
    return float(np.count_nonzero(np.abs(a) <= tol)) / a.size if a.size else 0.0


def saturation_mask(
    y: Any,
    kind: str,
    tanh_threshold: float = TANH_THRESHOLD,
    sigmoid_margin: float = SIGMOID_MARGIN,
) -> np.ndarray:
    """Elementwise: is the output in the flat tail of its activation?  (R, U) bool.

    kind 'tanh':    |y| > tanh_threshold            (tanh'(x) = 1 - y^2 < 1 - threshold^2)
    kind 'sigmoid': y < margin or y > 1 - margin    (sigmoid'(x) = y (1 - y) < margin)
    """
    a = as_units(y, "saturation")
    k = kind.lower()
    if k == "tanh":
        if not 0 < tanh_threshold < 1:
            raise ValueError(f"saturation: tanh_threshold must be in (0, 1), got {tanh_threshold}")
        return np.abs(a) > tanh_threshold
    if k == "sigmoid":
        if not 0 < sigmoid_margin < 0.5:
            raise ValueError(
                f"saturation: sigmoid_margin must be in (0, 0.5), got {sigmoid_margin}"
            )
        return (a < sigmoid_margin) | (a > 1.0 - sigmoid_margin)
    raise ValueError(f"saturation: kind must be 'tanh' or 'sigmoid', got {kind!r}")


def saturation(
    y: Any,
    kind: str,
    tanh_threshold: float = TANH_THRESHOLD,
    sigmoid_margin: float = SIGMOID_MARGIN,
) -> np.ndarray:
    """Per unit, the fraction of inputs whose output is saturated (see saturation_mask)."""
    m = saturation_mask(y, kind, tanh_threshold, sigmoid_margin)
    return count_true(m) / m.shape[0]


def died_revived(prev_dead: Any, dead: Any) -> tuple[np.ndarray, np.ndarray]:
    """Indices of units that died (alive -> dead) and revived (dead -> alive) between two masks."""
    a = np.asarray(prev_dead, dtype=bool)
    b = np.asarray(dead, dtype=bool)
    if a.shape != b.shape:
        raise ValueError(
            f"died_revived: dead masks have shapes {a.shape} and {b.shape}; compare the same layer"
        )
    return np.flatnonzero(~a & b), np.flatnonzero(a & ~b)


def output_spread(out: Any) -> float:
    """max over output coordinates of (max - min over inputs).  out: (N, *) -> float >= 0."""
    a = np.asarray(getattr(out, "data", out))
    if a.ndim == 0 or a.shape[0] == 0:
        raise ValueError(f"output_spread: need outputs of shape (N, *) with N >= 1, got {a.shape}")
    a = a.reshape(a.shape[0], -1)
    if not np.all(np.isfinite(a)):
        return float("nan")
    return float(np.max(a.max(axis=0) - a.min(axis=0))) if a.size else 0.0


def is_constant(out: Any, atol: float = 0.0) -> bool:
    """True when the network's output is the same for every input: output_spread(out) <= atol.

    atol=0 asks for bit-identical outputs, which is what a network whose last hidden layer is dead
    produces (every input is mapped to the output bias). NaN outputs are never constant.
    """
    s = output_spread(out)
    return bool(s <= atol)


def zero_fraction(g: Any) -> float:
    """Fraction of entries exactly 0 (e.g. of a gradient array)."""
    a = np.asarray(getattr(g, "data", g))
    return float(a.size - np.count_nonzero(a)) / a.size if a.size else 0.0


def grad_norm(g: Any) -> float:
    """Euclidean (Frobenius) norm sqrt(sum g^2), accumulated in float64."""
    a = np.asarray(getattr(g, "data", g), dtype=np.float64).ravel()
    return float(np.sqrt(np.dot(a, a)))
