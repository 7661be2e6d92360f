"""Loss functions as single graph nodes: cross_entropy, nll_loss, mse_loss, BCE with logits.

Each forward computes per-sample losses (Numba kernels in `kernels/loss.py`, float64 sums), then
reduces: 'none' keeps them, 'sum' adds them, 'mean' divides by the total weight of the counted
samples (for cross_entropy/nll: sum of w[target_i], which is N without class weights - exactly
PyTorch's convention, also for the label-smoothing term).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..kernels import loss as K
from ..kernels._parallel import launch

_REDUCTIONS = ("none", "mean", "sum")


def _reduce(losses: np.ndarray, denom: float, reduction: str, dtype) -> np.ndarray:
    """Reduce per-sample float64 losses; 'mean' divides by `denom` (the summed row weights)."""
    if reduction == "none":
        return losses.astype(dtype)
    total = K.pairwise_sum(losses)  # = losses.sum(), bit for bit
    if reduction == "mean":
        total = total / denom if denom else np.nan  # every target ignored: NaN, as torch
    return np.asarray(total, dtype=dtype)


def _row_scale(grad: np.ndarray, n: int, reduction: str, denom: float) -> np.ndarray:
    """Upstream gradient of each sample's loss, as a float64 (n,) array."""
    if reduction == "none":
        return np.ascontiguousarray(grad, dtype=np.float64).reshape(n)
    if reduction == "mean":
        return np.full(n, float(grad) / denom if denom else np.nan)
    return np.full(n, float(grad))


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
        row_max = np.empty(n)  # logsumexp = row_max + log_sum, kept apart (kernels/loss.py)
        log_sum = np.empty(n)
        saved = (x, target, weight, row_max, log_sum)
        ctx.save_for_backward(*saved)
        ctx.rows = (losses, row_w)
        return _ce_forward(ctx, saved, ignore_index, reduction, label_smoothing)

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_tensors
        grad_in = np.empty_like(saved[0])
        _ce_backward(saved, ctx.args, grad, grad_in)
        return grad_in, None, None

    # ta.compile: the same kernels into the same arrays. The mean's denominator depends on the
    # targets (ignore_index), so the replayed forward recomputes it into ctx.args for backward.
    @staticmethod
    def capture_forward(
        ctx, out, x, target, weight, ignore_index=-100, reduction="mean", label_smoothing=0.0
    ):
        if ctx._saved[0] is not x:  # forward ran on a contiguous copy of x
            return None
        args = (ctx, ctx._saved, ignore_index, reduction, label_smoothing)
        return lambda: np.copyto(out, _ce_forward(*args))

    @staticmethod
    def capture_backward(ctx, grad, grads):
        saved = ctx.saved_tensors
        return lambda: _ce_backward(saved, ctx.args, grad, grads[0])


def _ce_forward(ctx, saved, ignore_index, reduction, label_smoothing) -> np.ndarray:
    x, target, weight, row_max, log_sum = saved
    losses, row_w = ctx.rows
    launch(
        K.cross_entropy_forward,
        (x, target, losses, row_w, row_max, log_sum),
        scalars=(weight, ignore_index, label_smoothing),
        work=x.size,
    )
    denom = K.pairwise_sum(row_w)
    if denom != denom:  # NaN: the kernel marks out-of-range targets with NaN
        _bad_target("cross_entropy", target, x.shape[1], ignore_index)
    ctx.args = (ignore_index, reduction, label_smoothing, denom)
    return _reduce(losses, denom, reduction, x.dtype)


def _ce_backward(saved, args, grad, grad_in) -> None:
    x, target, weight, row_max, log_sum = saved
    ignore_index, reduction, smoothing, denom = args
    scale = _row_scale(grad, x.shape[0], reduction, denom)
    launch(
        K.cross_entropy_backward,
        (x, target, row_max, log_sum, scale, grad_in),
        scalars=(weight, ignore_index, smoothing),
        work=x.size,
    )


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
        # the mean of no elements has an empty gradient (as torch), not a ZeroDivisionError
        k = 2.0 / diff.size if ctx.reduction == "mean" and diff.size else 2.0
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
            k = 1.0 / xf.size if reduction == "mean" and xf.size else 1.0
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
