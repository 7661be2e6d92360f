"""The loss functions users call (F.cross_entropy, ...): argument checks, then one graph node.

The Functions themselves (forward + backward) live in `ops/loss.py`; this file turns PyTorch-style
arguments into arrays and rejects bad input with a message that names the fix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.loss import _REDUCTIONS, BCEWithLogits, CrossEntropy, MSELoss, NLLLoss
from ..tensor import Tensor

# ---- argument checking shared by the functional entry points ----------------------------------


def check_reduction(op: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{op}: {reduction!r} is not a valid value for reduction; use 'mean', 'sum' or 'none'"
        )


def class_target(op: str, input: Any, target: Any) -> tuple[Tensor, np.ndarray, bool]:  # noqa: A002
    """Validate (N, C) input + (N,) integer target (or (C,) + scalar); returns 2-D input view."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor of shape (N, C), got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(
            f"{op}: input must be floating point (logits), got {input.dtype}; call .float()"
        )
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: target must hold integer class indices, got dtype {t.dtype}; pass "
            "target.long() (class probabilities as targets are not supported)"
        )
    if input.ndim == 2:
        if t.shape != (input.shape[0],):
            raise ValueError(
                f"{op}: expected target of shape ({input.shape[0]},) for input of shape "
                f"{input.shape}, got target of shape {t.shape}"
            )
        single = False
    elif input.ndim == 1:
        if t.ndim != 0:
            raise ValueError(
                f"{op}: a 1-D input of shape {input.shape} (one sample) needs a 0-d target, got "
                f"target of shape {t.shape}"
            )
        input, t, single = input.reshape(1, input.shape[0]), t.reshape(1), True
    else:
        raise ValueError(
            f"{op}: expected input of shape (N, C) or (C,), got {input.shape}; flatten extra "
            "dims first (e.g. x.permute(0, 2, 1).reshape(-1, C))"
        )
    return input, np.ascontiguousarray(t, dtype=np.int64), single


def class_weight(op: str, weight: Any, n_cls: int) -> np.ndarray:
    if weight is None:
        return np.ones(n_cls)
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=np.float64)
    if w.shape != (n_cls,):
        raise ValueError(
            f"{op}: weight must have shape ({n_cls},), one entry per class, got {w.shape}"
        )
    return np.ascontiguousarray(w)


def cross_entropy(
    input: Tensor,  # noqa: A002 - PyTorch's name
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy between logits (N, C) and integer class targets (N,), fused and stable.

    loss_i = (1 - eps) * w[y_i] * (-log p_i[y_i]) + (eps / C) * sum_c w[c] * (-log p_i[c]),
    p_i = softmax(input_i), eps = label_smoothing; 'mean' divides by sum_i w[y_i] (N without
    weight). A (C,) input with a 0-d target is one sample. Gradient: (p - target distribution)
    times the weights, computed in one kernel from the saved logsumexp.
    """
    check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}"
        )
    x, t, single = class_target("cross_entropy", input, target)
    w = class_weight("cross_entropy", weight, x.shape[1])
    out = CrossEntropy.apply(
        x,
        t,
        w,
        ignore_index=int(ignore_index),
        reduction=reduction,
        label_smoothing=float(label_smoothing),
    )
    return out.reshape(()) if single and reduction == "none" else out


def nll_loss(
    input: Tensor,  # noqa: A002
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood: loss_i = -w[y_i] * input[i, y_i], input = log-probabilities."""
    check_reduction("nll_loss", reduction)
    x, t, single = class_target("nll_loss", input, target)
    w = class_weight("nll_loss", weight, x.shape[1])
    out = NLLLoss.apply(x, t, w, ignore_index=int(ignore_index), reduction=reduction)
    return out.reshape(()) if single and reduction == "none" else out


def _same_shape(op: str, input: Any, target: Any) -> tuple[Tensor, Any]:  # noqa: A002
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got {input.dtype}; call .float()")
    if not isinstance(target, Tensor):
        target = Tensor._wrap(np.asarray(target, dtype=input.dtype))
    if target.shape != input.shape:
        raise ValueError(
            f"{op}: target size {target.shape} must be the same as input size {input.shape} "
            "(no silent broadcasting: reshape the target, e.g. y.reshape(-1, 1))"
        )
    if target.dtype.kind != "f":
        raise TypeError(
            f"{op}: target must be floating point, got {target.dtype}; pass target.float()"
        )
    return input, target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error (x - y)^2, reduced; input and target must have the same shape."""
    check_reduction("mse_loss", reduction)
    x, y = _same_shape("mse_loss", input, target)
    return MSELoss.apply(x, y, reduction=reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """BCE on logits, stable: (1 - y) x + (1 + (pos_weight - 1) y) * log(1 + exp(-x)).

    log(1 + exp(-x)) is evaluated as log1p(exp(-|x|)) + max(-x, 0), so |x| = 1e4 is fine.
    weight multiplies each element's loss (broadcast to input); pos_weight (broadcast along the
    last dim) weights the positive term. 'mean' averages over all elements.
    """
    op = "binary_cross_entropy_with_logits"
    check_reduction(op, reduction)
    x, y = _same_shape(op, input, target)
    w = _broadcastable(op, "weight", weight, x)
    pw = _broadcastable(op, "pos_weight", pos_weight, x)
    return BCEWithLogits.apply(x, y, w, pw, reduction=reduction)


def _broadcastable(op: str, name: str, v: Any, x: Tensor) -> np.ndarray | None:
    if v is None:
        return None
    arr = np.asarray(v.data if isinstance(v, Tensor) else v, dtype=x.dtype)
    try:
        ok = np.broadcast_shapes(arr.shape, x.shape) == x.shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"{op}: {name} of shape {arr.shape} cannot be broadcast to input shape {x.shape}"
        )
    return arr
