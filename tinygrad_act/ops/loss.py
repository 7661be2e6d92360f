"""Loss functions as single graph nodes: cross_entropy, nll_loss, mse_loss, BCE with logits.

Each forward computes per-sample losses (Numba kernels in `kernels/loss.py`, float64 sums), then
reduces: 'none' keeps them, 'sum' adds them, 'mean' divides by the total weight of the counted
samples (for cross_entropy/nll: sum of w[target_i], which is N without class weights - exactly
PyTorch's convention, also for the label-smoothing term).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function
from ..kernels import loss as K
from ..kernels._parallel import launch
from ..tensor import Tensor

_REDUCTIONS = ("none", "mean", "sum")


def _reduce(losses: np.ndarray, denom: float, reduction: str, dtype) -> np.ndarray:
    """Reduce per-sample float64 losses; 'mean' divides by `denom` (the summed row weights)."""
    if reduction == "none":
        return losses.astype(dtype)
    total = losses.sum()
    return np.asarray(total / denom if reduction == "mean" else total, dtype=dtype)


def _row_scale(grad: np.ndarray, n: int, reduction: str, denom: float) -> np.ndarray:
    """Upstream gradient of each sample's loss, as a float64 (n,) array."""
    if reduction == "none":
        return np.ascontiguousarray(grad, dtype=np.float64).reshape(n)
    return np.full(n, float(grad) / denom if reduction == "mean" else float(grad))


def _bad_target(op: str, target: np.ndarray, n_cls: int, ignore_index: int) -> None:
    bad = target[((target < 0) | (target >= n_cls)) & (target != ignore_index)]
    if bad.size:
        raise ValueError(
            f"{op}: target {int(bad[0])} is out of bounds: class indices must be in [0, {n_cls}) "
            f"for input with {n_cls} classes (ignore_index={ignore_index} is skipped)"
        )


class CrossEntropy(Function):
    """Fused log_softmax + nll over classes (dim 1): input (N, C), integer target (N,)."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        n = x.shape[0]
        x = np.ascontiguousarray(x)
        losses = np.empty(n)
        row_w = np.empty(n)
        lse = np.empty(n)
        launch(
            K.cross_entropy_forward,
            (x, target, losses, row_w, lse),
            scalars=(weight, ignore_index, label_smoothing),
            work=x.size,
        )
        denom = row_w.sum()
        if np.isnan(denom):  # the kernel marks out-of-range targets with NaN
            _bad_target("cross_entropy", target, x.shape[1], ignore_index)
        out = _reduce(losses, denom, reduction, x.dtype)
        ctx.save_for_backward(x, target, weight, lse)
        ctx.args = (ignore_index, reduction, label_smoothing, denom)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, target, weight, lse = ctx.saved_tensors
        ignore_index, reduction, smoothing, denom = ctx.args
        scale = _row_scale(grad, x.shape[0], reduction, denom)
        grad_in = np.empty_like(x)
        launch(
            K.cross_entropy_backward,
            (x, target, lse, scale, grad_in),
            scalars=(weight, ignore_index, smoothing),
            work=x.size,
        )
        return grad_in, None, None


class NLLLoss(Function):
    """loss_i = -w[y_i] * input[i, y_i] for log-probabilities input (N, C)."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index=-100, reduction="mean"):
        n = x.shape[0]
        x = np.ascontiguousarray(x)
        losses = np.empty(n)
        row_w = np.empty(n)
        launch(K.nll_forward, (x, target, losses, row_w), scalars=(weight, ignore_index))
        denom = row_w.sum()
        if np.isnan(denom):
            _bad_target("nll_loss", target, x.shape[1], ignore_index)
        out = _reduce(losses, denom, reduction, x.dtype)
        ctx.save_for_backward(target, weight)
        ctx.args = (x.shape, x.dtype, ignore_index, reduction, denom)
        return out

    @staticmethod
    def backward(ctx, grad):
        target, weight = ctx.saved_tensors
        shape, dtype, ignore_index, reduction, denom = ctx.args
        scale = _row_scale(grad, shape[0], reduction, denom)
        grad_in = np.empty(shape, dtype=dtype)
        launch(K.nll_backward, (target, scale, grad_in), scalars=(weight, ignore_index))
        return grad_in, None, None


class MSELoss(Function):
    """(input - target)^2, reduced. Gradients: 2 (x - y) g for input, -2 (x - y) g for target."""

    @staticmethod
    def forward(ctx, x, y, reduction="mean"):
        diff = np.subtract(x, y)
        ctx.save_for_backward(diff)
        ctx.reduction = reduction
        sq = np.square(diff)
        if reduction == "none":
            return sq
        total = sq.sum(dtype=np.float64)
        if reduction == "mean":
            total = total / diff.size if diff.size else np.nan  # mean of nothing: NaN, as torch
        return np.asarray(total, dtype=diff.dtype)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved_tensors
        k = 2.0 / diff.size if ctx.reduction == "mean" else 2.0
        g = diff * (grad * diff.dtype.type(k))
        nx, ny = ctx.needs_input_grad
        return (g if nx else None), (-g if ny else None)


class BCEWithLogits(Function):
    """Binary cross entropy on logits, stable form (no sigmoid then log):

    loss = (1 - y) x + (1 + (pw - 1) y) * softplus(-x), times `weight` if given; pw = pos_weight.
    """

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction="mean"):
        xf = np.ascontiguousarray(x).reshape(-1)
        yf = np.ascontiguousarray(y, dtype=x.dtype).reshape(-1)
        pw = _flat_param(pos_weight, x)
        loss = np.empty_like(xf)
        K.bce_with_logits_forward(xf, yf, pw, loss)
        if weight is not None:
            loss *= np.broadcast_to(weight, x.shape).reshape(-1)
        ctx.save_for_backward(xf, yf, pw, weight)
        ctx.args = (x.shape, reduction)
        if reduction == "none":
            return loss.reshape(x.shape)
        total = loss.sum(dtype=np.float64)
        if reduction == "mean":
            total = total / loss.size if loss.size else np.nan
        return np.asarray(total, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        xf, yf, pw, weight = ctx.saved_tensors
        shape, reduction = ctx.args
        if reduction == "none":
            g = np.ascontiguousarray(grad).reshape(-1)
        else:
            k = 1.0 / xf.size if reduction == "mean" else 1.0
            g = np.full(1, float(grad) * k, dtype=xf.dtype)
        if weight is not None:
            g = np.broadcast_to(g, xf.shape) * np.broadcast_to(weight, shape).reshape(-1)
        gx = np.empty_like(xf)
        gy = np.empty_like(xf)
        K.bce_with_logits_backward(xf, yf, pw, np.ascontiguousarray(g, dtype=xf.dtype), gx, gy)
        return gx.reshape(shape), gy.reshape(shape), None, None


def _flat_param(pos_weight: np.ndarray | None, x: np.ndarray) -> np.ndarray:
    if pos_weight is None:
        return np.ones(1, dtype=x.dtype)
    return np.ascontiguousarray(np.broadcast_to(pos_weight, x.shape), dtype=x.dtype).reshape(-1)


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


# ---- functional entry points (re-exported by tinygrad_act.functional) --------------------------


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
