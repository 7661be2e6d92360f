"""Reductions: sum, mean, amax/amin, max/min (with dim: values and indices), argmax, logsumexp.

How ties share the gradient (PyTorch's rules):
- `amax`/`amin`, and `max()`/`min()` without a dim: the gradient is split evenly among all tied
  elements (two maxima each get half).
- `max(dim)`/`min(dim)` return (values, indices); the whole gradient goes to the element at the
  returned index (the first occurrence).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._util import normalize_dim, normalize_dims

MaxMin = namedtuple("MaxMin", ["values", "indices"])


def _kept_shape(shape: tuple, dims: tuple | None) -> tuple:
    """`shape` with the reduced dims set to 1 (what keepdim=True gives)."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _setup(ctx, op: str, x: np.ndarray, dim) -> tuple | None:
    dims = normalize_dims(op, dim, x.ndim, x.shape)
    ctx.in_shape = x.shape
    ctx.dims = dims
    ctx.kept = _kept_shape(x.shape, dims)
    return dims


def _reduced_shape(shape: tuple, dims: tuple | None) -> tuple:
    """`shape` with the reduced dims removed (what keepdim=False gives)."""
    return () if dims is None else tuple(s for i, s in enumerate(shape) if i not in dims)


_SPREAD_VIEW_ABOVE = 1 << 16  # elements


def _spread(ctx, grad: np.ndarray) -> np.ndarray:
    """Broadcast a reduced gradient back over the input's shape.

    Small results are filled into a fresh array (np.broadcast_to costs ~3 us of Python per call,
    more than filling 64K floats); large ones stay a read-only broadcast view (no copy).
    """
    if math.prod(ctx.in_shape) <= _SPREAD_VIEW_ABOVE:
        out = np.empty(ctx.in_shape, dtype=grad.dtype)
        out[...] = grad.reshape(ctx.kept)
        return out
    return np.broadcast_to(grad.reshape(ctx.kept), ctx.in_shape)


class Sum(Function):
    """Sum over `dim` (all dims when None); every input element gets the output's gradient."""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        dims = _setup(ctx, "sum", x, dim)
        # the ufunc's reduce directly: np.sum adds ~1 us of Python dispatch per call
        return np.add.reduce(x, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _spread(ctx, grad)


class Mean(Function):
    """Mean over `dim`; every input element gets gradient / count."""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        if x.dtype.kind != "f":
            raise TypeError(
                f"mean: needs a floating-point tensor, got {x.dtype}; call .float() first"
            )
        dims = _setup(ctx, "mean", x, dim)
        ctx.count = x.size if dims is None else math.prod(x.shape[d] for d in dims)
        # sum / count with the ufunc's reduce (same pairwise float32 sum as np.mean, ~3 us less)
        return np.add.reduce(x, axis=dims, keepdims=keepdim) / ctx.count

    @staticmethod
    def backward(ctx, grad):
        return _spread(ctx, grad / ctx.count)


class _EvenExtreme(Function):
    """amax/amin: the gradient is shared evenly among ties (and NaNs, which win the reduction)."""

    reduce = staticmethod(np.max)
    name = "amax"

    @classmethod
    def forward(cls, ctx, x, dim=None, keepdim=False):
        if x.size == 0:
            raise ValueError(f"{cls.name}: cannot reduce an empty tensor of shape {x.shape}")
        dims = _setup(ctx, cls.name, x, dim)
        out = cls.reduce(x, axis=dims, keepdims=True)
        ctx.save_for_backward(x, out)
        return out if keepdim else out.reshape(_reduced_shape(x.shape, dims))

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        mask = (x == out) | (np.isnan(x) & np.isnan(out))
        count = mask.sum(axis=ctx.dims, keepdims=True)
        return np.where(mask, grad.reshape(ctx.kept) / count, 0).astype(grad.dtype, copy=False)


class Amax(_EvenExtreme):
    reduce = staticmethod(np.max)
    name = "amax"


class Amin(_EvenExtreme):
    reduce = staticmethod(np.min)
    name = "amin"


class TakeAlong(Function):
    """Pick x[..., idx, ...] along `dim` (idx keeps dim with size 1); the gradient scatters back.

    This is what max(dim)/min(dim) return as values: only the selected element gets a gradient.
    """

    @staticmethod
    def forward(ctx, x, idx, dim, keepdim=False):
        ctx.in_shape, ctx.idx, ctx.dim = x.shape, idx, dim
        values = np.take_along_axis(x, idx, axis=dim)
        return values if keepdim else np.squeeze(values, dim)

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.in_shape, dtype=grad.dtype)
        np.put_along_axis(out, ctx.idx, grad.reshape(ctx.idx.shape), axis=ctx.dim)
        return out


def _extreme(x: Tensor, dim, keepdim: bool, even: type, argfn, op: str):
    from .arithmetic import maximum, minimum

    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        return (maximum if even is Amax else minimum)(x, dim)
    if dim is None:
        return even.apply(x, dim=None, keepdim=False)
    d = normalize_dim(op, dim, x.ndim, x.shape)
    if x.ndim == 0:
        return MaxMin(x * 1, Tensor._wrap(np.zeros((), dtype=np.int64)))
    if x.shape[d] == 0:
        raise ValueError(f"{op}: cannot reduce over dim {dim} of size 0 (shape {x.shape})")
    idx = Tensor._computed(_arg_index, argfn, x, d).data
    values = TakeAlong.apply(x, idx=idx, dim=d, keepdim=keepdim)
    return MaxMin(values, Tensor._wrap(idx if keepdim else np.squeeze(idx, d)))


def max(x: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    """Largest element; with `dim`, a (values, indices) pair like PyTorch."""
    return _extreme(x, dim, keepdim, Amax, np.argmax, "max")


def min(x: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    """Smallest element; with `dim`, a (values, indices) pair like PyTorch."""
    return _extreme(x, dim, keepdim, Amin, np.argmin, "min")


def _arg_index(argfn, data: np.ndarray, d: int) -> np.ndarray:
    """Where the max (or min) along dim d is, keeping d (for take_along_axis)."""
    return np.expand_dims(argfn(data, axis=d), d)


def _arg(x: Tensor, dim, keepdim: bool, fn, op: str) -> Tensor:
    if dim is None:
        return Tensor._computed(_flat_index, fn, x)
    d = normalize_dim(op, dim, x.ndim, x.shape)
    if not x.ndim:
        return Tensor._wrap(np.asarray(0, dtype=np.int64))
    return Tensor._computed(_index_along, fn, x, d, keepdim)


def _flat_index(fn, data: np.ndarray) -> np.ndarray:
    return np.asarray(fn(data), dtype=np.int64)


def _index_along(fn, data: np.ndarray, d: int, keepdim: bool) -> np.ndarray:
    return np.asarray(fn(data, axis=d, keepdims=keepdim), dtype=np.int64)


def argmax(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (first one at ties); no gradient."""
    return _arg(x, dim, keepdim, np.argmax, "argmax")


def argmin(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (first one at ties); no gradient."""
    return _arg(x, dim, keepdim, np.argmin, "argmin")


class LogSumExp(Function):
    """log(sum(exp(x))) over `dim`, shifted by the max so exp never overflows.

    Gradient: softmax(x) = exp((x - m) - log_s) with m the max and log_s = log(sum(exp(x - m))),
    never exp(x - out): at x = [1e16, 1e16, 0] out = m + log 2 rounds to m, and exp(x - out) would
    give [1, 1, 0] instead of [0.5, 0.5, 0]. All -inf gives -inf (exp(-inf) sums to 0).
    """

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        dims = _setup(ctx, "logsumexp", x, dim)
        m = np.max(x, axis=dims, keepdims=True) if x.size else np.zeros(ctx.kept, x.dtype)
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)  # keep -inf/-inf from NaN
        with np.errstate(divide="ignore"):  # log(0) = -inf is the right answer for all -inf
            log_s = np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True))
        ctx.save_for_backward(x, m, log_s)
        out = log_s + m
        return out if keepdim else out.reshape(_reduced_shape(x.shape, dims))

    @staticmethod
    def backward(ctx, grad):
        x, m, log_s = ctx.saved_tensors
        return grad.reshape(ctx.kept) * np.exp((x - m) - log_s)
