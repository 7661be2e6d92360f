"""The ops that tests/test_properties.py drives, each with a float64 numpy reference.

An Op is called as `ta_fn(x, *extra, **p)` / `np_fn(x, *extra, **p)`: x the (possibly
non-contiguous) input, extra the op's other differentiable inputs (made by `extra` from x's
values), p the drawn dim/keepdim plus the op's constants (made by `consts`: targets, labels,
masks). Only public API (ta.*, F.*, Tensor methods) is used, so this survives refactors.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F


@dataclass(frozen=True)
class Op:
    name: str
    ta_fn: Callable
    np_fn: Callable
    domain: str = "real"  # real [-3, 3], wide [-8, 8], positive [0.25, 4.25]
    kinks: tuple = ()
    ndims: tuple = (0, 3)  # smallest and largest input rank
    dim: str = ""  # "", "optional" (None or an int), "required"; "_tuple": or a tuple of dims
    extra: Callable | None = None  # (rng, x) -> list of float64 arrays (more leaves)
    consts: Callable | None = None  # (rng, x) -> dict of numpy constants


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _lsm(x, dim):
    m = x.max(axis=dim, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=dim, keepdims=True))


_erf = np.vectorize(math.erf, otypes=[float])
SELU_L, SELU_A = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
RRELU_SLOPE = (1 / 8 + 1 / 3) / 2  # eval mode: the mean of lower and upper


def _bshape(shape):
    """A shape that broadcasts against `shape` with a new leading dim and a size-1 dim."""
    return (1,) + tuple(shape[2:]) if len(shape) >= 2 else ()


def _leaf(shape, domain="real"):
    def make(rng, x):
        v = rng.uniform(-3, 3, shape(x.shape))
        return [np.exp(v / 2) if domain == "positive" else v]

    return make


def _apart(rng, x):  # a second operand never within 0.05 of x: no ties for maximum/minimum
    return [x + rng.choice([-1.0, 1.0], x.shape) * rng.uniform(0.05, 1.0, x.shape)]


def _like(t, a):  # a numpy constant as a tensor of t's dtype
    return ta.tensor(np.asarray(a).astype(t.dtype))


def _reduce(name):
    def run(x, dim=None, keepdim=False):
        if dim is None:
            return getattr(x, name)()
        out = getattr(x, name)(dim=dim, keepdim=keepdim)
        return out.values if hasattr(out, "values") else out

    return run


def _np_reduce(fn):
    return lambda x, dim=None, keepdim=False: fn(x, axis=dim, keepdims=keepdim and dim is not None)


def _lse(x, dim, keepdim):
    m = x.max(axis=dim, keepdims=True)
    out = m + np.log(np.exp(x - m).sum(axis=dim, keepdims=True))
    return out if keepdim else np.squeeze(out, axis=dim)


def _index_rows(shape):
    return np.array([0, shape[0] - 1, 0])  # a repeated row: its gradient is summed twice


def _targets(rng, x):
    return {"target": rng.uniform(-2, 2, x.shape)}


def _probs(rng, x):
    return {"target": rng.uniform(0.05, 0.95, x.shape)}


def _labels(rng, x):
    return {"labels": rng.integers(0, x.shape[1], x.shape[0])}


def _weighted_labels(rng, x):
    n, c = x.shape  # class 0 ignored (when there is another); the first sample is kept
    labels = np.r_[c - 1, rng.integers(0, c, n - 1)]
    return {"labels": labels, "w": rng.uniform(0.5, 2, c), "ignore": 0 if c > 1 else -100}


def _ce(x, labels, smoothing=0.0, reduction="mean", weight=None, ignore=None):
    lsm = _lsm(x, 1)
    loss = -(1 - smoothing) * lsm[np.arange(len(labels)), labels] - smoothing * lsm.mean(1)
    if weight is not None:  # PyTorch: mean = sum(w[y] loss) / sum(w[y]) over kept samples
        w = weight[labels] * (labels != ignore)
        return (w * loss).sum() / w.sum()
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


def _bce(x, target, reduction, weight=1.0, pos_weight=1.0):
    # PyTorch: -w [pw t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]
    log_sig = -(np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x))))
    loss = -weight * (pos_weight * target * log_sig + (1 - target) * (log_sig - x))
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


def _mse(x, target, reduction):
    loss = (x - target) ** 2
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


OPS = [
    # ---- arithmetic (broadcasting against a second leaf) ----
    Op("add", lambda x, y: x + y, lambda x, y: x + y, extra=_leaf(_bshape)),
    Op("sub", lambda x, y: y - x, lambda x, y: y - x, extra=_leaf(_bshape)),
    Op("mul", lambda x, y: x * y, lambda x, y: x * y, extra=_leaf(_bshape)),
    Op("div", lambda x, y: x / y, lambda x, y: x / y, extra=_leaf(_bshape, "positive")),
    Op("rdiv_scalar", lambda x: 1.5 / x, lambda x: 1.5 / x, domain="positive"),
    Op("rsub_scalar", lambda x: 2.5 - x * 0.5, lambda x: 2.5 - x * 0.5),
    Op("neg", lambda x: -x, lambda x: -x),
    Op("pow3", lambda x: x**3, lambda x: x**3),
    Op("pow_frac", lambda x: x**-0.5 + x**2.5, lambda x: x**-0.5 + x**2.5, domain="positive"),
    Op("exp", lambda x: x.exp(), np.exp),
    Op("log", lambda x: x.log(), np.log, domain="positive"),
    Op("sqrt", lambda x: x.sqrt(), np.sqrt, domain="positive"),
    Op("abs", lambda x: x.abs(), np.abs, kinks=(0.0,)),
    Op("clamp", lambda x: x.clamp(-1.0, 1.5), lambda x: np.clip(x, -1.0, 1.5), kinks=(-1, 1.5)),
    Op("maximum", ta.maximum, np.maximum, extra=_apart),
    Op("minimum", ta.minimum, np.minimum, extra=_apart),
    Op("maximum_broadcast", ta.maximum, np.maximum, extra=_leaf(_bshape)),
    Op("clamp_min", lambda x: x.clamp(min=-0.5), lambda x: np.maximum(x, -0.5), kinks=(-0.5,)),
    Op("where", lambda x, y, cond: F.where(ta.tensor(cond), x, y),
       lambda x, y, cond: np.where(cond, x, y),
       extra=_leaf(lambda s: s),
       consts=lambda rng, x: {"cond": np.asarray(rng.random(x.shape) < 0.5)}),
    # ---- reductions ----
    Op("sum", _reduce("sum"), _np_reduce(np.sum), ndims=(1, 3),
       dim="optional_tuple"),
    Op("mean", _reduce("mean"), _np_reduce(np.mean), ndims=(1, 3),
       dim="optional_tuple"),
    Op("max", _reduce("max"), _np_reduce(np.max), ndims=(1, 3), dim="optional"),
    Op("min", _reduce("min"), _np_reduce(np.min), ndims=(1, 3), dim="optional"),
    Op("amax", _reduce("amax"), _np_reduce(np.max), ndims=(1, 3),
       dim="optional_tuple"),
    Op("amin", _reduce("amin"), _np_reduce(np.min), ndims=(1, 3),
       dim="optional_tuple"),
    Op("logsumexp", lambda x, dim, keepdim: x.logsumexp(dim, keepdim=keepdim), _lse,
       ndims=(1, 3), dim="required_tuple"),
    Op("softmax", lambda x, dim, keepdim: F.softmax(x, dim),
       lambda x, dim, keepdim: np.exp(_lsm(x, dim)), ndims=(1, 3), dim="required"),
    Op("log_softmax", lambda x, dim, keepdim: F.log_softmax(x, dim),
       lambda x, dim, keepdim: _lsm(x, dim), ndims=(1, 3), dim="required"),
    # ---- shape ops ----
    Op("reshape", lambda x: x.reshape(-1), lambda x: x.reshape(-1)),
    Op("reshape2", lambda x: x.reshape(x.shape[0], -1), lambda x: x.reshape(x.shape[0], -1),
       ndims=(1, 3)),
    Op("transpose", lambda x: x.transpose(0, -1), lambda x: np.swapaxes(x, 0, -1), ndims=(1, 3)),
    Op("permute", lambda x: x.permute(*reversed(range(x.ndim))), lambda x: x.transpose()),
    Op("flatten", lambda x: x.flatten(), lambda x: x.reshape(-1)),
    Op("unsqueeze", lambda x: x.unsqueeze(0), lambda x: x[None]),
    Op("squeeze", lambda x: x.squeeze(), np.squeeze),
    Op("squeeze_dim", lambda x: x.unsqueeze(1).squeeze(1), lambda x: x, ndims=(1, 3)),
    Op("unsqueeze_last", lambda x: x.unsqueeze(-1), lambda x: x[..., None]),
    Op("T", lambda x: x.T, lambda x: x.T, ndims=(2, 2)),
    Op("expand_minus1", lambda x: x[:, None].expand(-1, 3, *x.shape[1:]),
       lambda x: np.broadcast_to(x[:, None], (x.shape[0], 3, *x.shape[1:])), ndims=(1, 2)),
    Op("expand", lambda x: x.unsqueeze(0).expand(2, *x.shape),
       lambda x: np.broadcast_to(x, (2, *x.shape))),
    Op("slice", lambda x: x[1:], lambda x: x[1:], ndims=(1, 3)),
    Op("index_int", lambda x: x[..., 0], lambda x: x[..., 0], ndims=(1, 3)),
    Op("index_array", lambda x: x[_index_rows(x.shape)], lambda x: x[_index_rows(x.shape)],
       ndims=(1, 3)),
    Op("index_later_dim", lambda x: x[:, _index_rows(x.shape[1:])],
       lambda x: x[:, _index_rows(x.shape[1:])], ndims=(2, 3)),
    *[Op(name, lambda x, mask: x[ta.tensor(mask)], lambda x, mask: x[mask], ndims=nd,
         consts=lambda rng, x: {"mask": np.asarray(rng.random(x.shape) < 0.6)})
      for name, nd in (("index_mask", (1, 3)), ("index_mask_0d", (0, 0)))],
    Op("cat", lambda x: F.cat([x, x * 2.0], 0), lambda x: np.concatenate([x, x * 2.0], 0),
       ndims=(1, 3)),
    Op("stack", lambda x: F.stack([x, x * x], -1), lambda x: np.stack([x, x * x], -1)),
    # ---- linear algebra ----
    Op("matmul", lambda x, w: x @ w, lambda x, w: x @ w, ndims=(1, 3),
       extra=_leaf(lambda s: (s[-1], 3))),
    Op("rmatmul", lambda x, w: w @ x, lambda x, w: w @ x, ndims=(2, 3),
       extra=_leaf(lambda s: (2, s[-2]))),
    Op("gram", lambda x: x @ x.transpose(-1, -2), lambda x: x @ np.swapaxes(x, -1, -2),
       ndims=(2, 3)),
    Op("linear", lambda x, w, b: F.linear(x, w, b), lambda x, w, b: x @ w.T + b, ndims=(1, 3),
       extra=lambda rng, x: [rng.uniform(-1, 1, (3, x.shape[-1])), rng.uniform(-1, 1, 3)]),
    # the zero-skipping Linear (lesson 9): the same product on a ReLU's output, zeros included
    Op("sparse_linear", lambda x, w, b: F.sparse_linear(F.relu(x), w, b),
       lambda x, w, b: np.maximum(x, 0) @ w.T + b, ndims=(1, 3),
       extra=lambda rng, x: [rng.uniform(-1, 1, (3, x.shape[-1])), rng.uniform(-1, 1, 3)]),
    # ---- losses ----
    *[Op(f"mse_loss_{r}", lambda x, target, r=r: F.mse_loss(x, _like(x, target), reduction=r),
         lambda x, target, r=r: _mse(x, target, r), ndims=(1, 3), consts=_targets)
      for r in ("mean", "sum", "none")],
    *[Op(f"bce_logits_{r}", lambda x, target, r=r: F.binary_cross_entropy_with_logits(
            x, _like(x, target), reduction=r),
         lambda x, target, r=r: _bce(x, target, r), ndims=(1, 3), consts=_probs)
      for r in ("mean", "sum", "none")],
    *[Op(f"cross_entropy_{r}_{s}", lambda x, labels, r=r, s=s: F.cross_entropy(
            x, ta.tensor(labels), reduction=r, label_smoothing=s),
         lambda x, labels, r=r, s=s: _ce(x, labels, s, r), ndims=(2, 2), consts=_labels)
      for r, s in (("mean", 0.0), ("sum", 0.0), ("none", 0.0), ("mean", 0.1))],
    Op("mse_loss_target_leaf", lambda x, t: F.mse_loss(x, t), lambda x, t: _mse(x, t, "mean"),
       ndims=(1, 3), extra=_leaf(lambda s: s)),
    Op("bce_logits_weighted", lambda x, target, w, pw: F.binary_cross_entropy_with_logits(
           x, _like(x, target), weight=_like(x, w), pos_weight=_like(x, pw)),
       lambda x, target, w, pw: _bce(x, target, "mean", w, pw), ndims=(1, 3),
       consts=lambda rng, x: {**_probs(rng, x), "w": rng.uniform(0.5, 2, x.shape[-1:]),
                              "pw": rng.uniform(0.5, 3, x.shape[-1:])}),
    Op("cross_entropy_weight_ignore", lambda x, labels, w, ignore: F.cross_entropy(
           x, ta.tensor(labels), weight=_like(x, w), ignore_index=ignore),
       lambda x, labels, w, ignore: _ce(x, labels, weight=w, ignore=ignore), ndims=(2, 2),
       consts=_weighted_labels),
    *[Op(f"nll_loss_{r}", lambda x, labels, r=r: F.nll_loss(F.log_softmax(x, 1),
            ta.tensor(labels), reduction=r),
         lambda x, labels, r=r: _ce(x, labels, reduction=r), ndims=(2, 2), consts=_labels)
      for r in ("mean", "sum", "none")],
]  # fmt: skip

# Every activation in F with its formula. test_properties checks that F has no activation
# missing from here (a new one must bring its reference formula).
ACTIVATIONS = [
    Op("relu", F.relu, lambda x: np.maximum(x, 0), kinks=(0,)),
    Op("relu6", F.relu6, lambda x: np.clip(x, 0, 6), domain="wide", kinks=(0, 6)),
    Op("leaky_relu", F.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), kinks=(0,)),
    Op("leaky_relu_0.2", lambda x: F.leaky_relu(x, negative_slope=0.2),
       lambda x: np.where(x > 0, x, 0.2 * x), kinks=(0,)),
    Op("elu", F.elu, lambda x: np.where(x > 0, x, np.expm1(x)), kinks=(0,)),
    Op("elu_1.5", lambda x: F.elu(x, alpha=1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(x)),
       kinks=(0,)),
    Op("celu", lambda x: F.celu(x, alpha=1.2),
       lambda x: np.where(x > 0, x, 1.2 * np.expm1(x / 1.2)), kinks=(0,)),
    Op("selu", F.selu, lambda x: SELU_L * np.where(x > 0, x, SELU_A * np.expm1(x)), kinks=(0,)),
    Op("gelu", F.gelu, lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    Op("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
       lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))),
    Op("hardsigmoid", F.hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1), domain="wide",
       kinks=(-3, 3)),
    Op("hardswish", F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6, domain="wide",
       kinks=(-3, 3)),
    Op("hardtanh", F.hardtanh, lambda x: np.clip(x, -1, 1), kinks=(-1, 1)),
    Op("hardtanh_-2_0.5", lambda x: F.hardtanh(x, -2.0, 0.5), lambda x: np.clip(x, -2, 0.5),
       kinks=(-2, 0.5)),
    Op("mish", F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    Op("prelu", F.prelu, lambda x, w: np.where(x > 0, x, w[0] * x), kinks=(0,),
       extra=lambda rng, x: [rng.uniform(0.05, 0.5, (1,))]),
    Op("prelu_channels", F.prelu,
       lambda x, w: np.where(x > 0, x, w.reshape(-1, *[1] * (x.ndim - 2)) * x), kinks=(0,),
       ndims=(2, 3), extra=lambda rng, x: [rng.uniform(0.05, 0.5, (x.shape[1],))]),
    Op("rrelu_eval", lambda x: F.rrelu(x, training=False),
       lambda x: np.where(x > 0, x, RRELU_SLOPE * x), kinks=(0,)),
    Op("sigmoid", F.sigmoid, _sig),
    Op("silu", F.silu, lambda x: x * _sig(x)),
    Op("softplus", F.softplus, lambda x: np.log1p(np.exp(x))),
    Op("softplus_beta2", lambda x: F.softplus(x, beta=2.0), lambda x: np.log1p(np.exp(2 * x)) / 2),
    Op("softplus_threshold", lambda x: F.softplus(x, beta=1.0, threshold=2.0),
       lambda x: np.where(x > 2, x, np.log1p(np.exp(x))), kinks=(2,)),
    Op("softsign", F.softsign, lambda x: x / (1 + np.abs(x))),
    Op("tanh", F.tanh, np.tanh),
    Op("threshold", lambda x: F.threshold(x, 0.5, -1.0), lambda x: np.where(x > 0.5, x, -1.0),
       kinks=(0.5,)),
    Op("dropout_eval", lambda x: F.dropout(x, p=0.3, training=False), lambda x: x),
]  # fmt: skip

# F's public names that are not activations (tested above as ops, or not differentiable ops)
NOT_ACTIVATIONS = {"Tensor", "annotations", "binary_cross_entropy_with_logits", "cat",
                   "cross_entropy", "linear", "sparse_linear", "log_softmax", "mse_loss",
                   "nll_loss", "softmax", "stack", "where", "conv1d", "max_pool1d", "avg_pool1d",
                   "adaptive_avg_pool1d", "batch_norm"}  # fmt: skip
