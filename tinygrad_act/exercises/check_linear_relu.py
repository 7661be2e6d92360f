"""Checker for exercise 7: a fused Linear + ReLU Function that saves a bool mask.

Reference: the library's F.relu(F.linear(x, weight, bias)), through its autograd. Besides the
values and the three gradients, it inspects what forward kept for backward (a bool mask of the
output's shape, and no float array of that shape), and feeds inputs whose pre-activation is
exactly 0, where relu'(0) = 0.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..nn import Module
from ..tensor import Tensor
from . import references as R
from .catalog import Exercise
from .check_common import expect_close, expect_dtype_shape, raw_backward, raw_forward, run_gradcheck
from .diagnose import Clues
from .report import CheckFailed, Report, explain_exception

IN, OUT = 4, 5
NAMES = ("x", "weight", "bias")


def _inputs(rng, lead: tuple, dtype=np.float64):
    x = rng.standard_normal((*lead, IN))
    w = rng.standard_normal((OUT, IN)) / 2
    b = rng.standard_normal(OUT) / 2
    g = rng.standard_normal((*lead, OUT))
    return [a.astype(dtype) for a in (x, w, b, g)]


def _kink_inputs(rng):
    """Row 1 of x is all zeros and bias has zeros, so z is exactly 0 at (1, 0), (1, 2), (1, 4)."""
    x, w, b, g = _inputs(rng, (3,))
    x[1] = 0.0
    b[[0, 2, 4]] = 0.0
    return [x, w, b, g]


def check(ex: Exercise, ns, report: Report) -> None:
    fn = getattr(ns, ex.function, None)
    mod = getattr(ns, ex.module, None)

    def names() -> None:
        if not (isinstance(fn, type) and issubclass(fn, Function)):
            raise CheckFailed(f"the file must define the Function class {ex.function}")
        if not (isinstance(mod, type) and issubclass(mod, Module)):
            raise CheckFailed(f"the file must define the nn.Module class {ex.module}")

    report.step(f"the file defines {ex.function} and {ex.module}", names)
    rng = np.random.default_rng(ex.number)
    cases = {"x (6, 4)": _inputs(rng, (6,)), "x (2, 3, 4)": _inputs(rng, (2, 3))}
    report.step("forward, float64: relu(x @ weight.T + bias)", lambda: _forward(fn, cases))
    report.step(
        "forward saves a bool mask (1 byte per output element), not the float pre-activation",
        lambda: _saved(fn, cases["x (6, 4)"]),
    )
    report.step("backward, float64: gradients of x, weight and bias", lambda: _grads(fn, cases))
    report.step(
        "the kink: where z = x @ weight.T + bias is exactly 0, relu'(0) = 0",
        lambda: _grads(fn, {"x (3, 4) with z == 0 in places": _kink_inputs(rng)}, kink=True),
    )
    xs = [Tensor(a, requires_grad=True) for a in _inputs(rng, (3,))[:3]]
    report.step("gradcheck, float64", lambda: run_gradcheck(fn.apply, tuple(xs)))
    f32 = {k: [a.astype(np.float32) for a in v] for k, v in cases.items()}
    report.step("float32: dtypes and shapes kept", lambda: _float32(fn, f32))
    report.step(
        f"{ex.module}(4, 5) in a model: weight and bias get gradients", lambda: _module(mod)
    )


def _forward(fn, cases) -> None:
    for label, (x, w, b, g) in cases.items():
        _, y = raw_forward(fn, [x, w, b])
        ref = R.linear_relu(x, w, b, g)[0]
        expect_dtype_shape("the output", y, x.dtype, ref.shape)
        scale = np.abs(x) @ np.abs(w).T + np.abs(b) + 1.0
        expect_close(f"forward value ({label})", y, ref, x.dtype, scale)


def _saved(fn, inputs) -> None:
    x, w, b, _ = inputs
    ctx, y = raw_forward(fn, [x, w, b])
    kept = list(ctx.saved_tensors) + list(vars(ctx).values())
    arrays = [a for a in kept if isinstance(a, np.ndarray)]
    floats = [a for a in arrays if a.dtype.kind == "f" and a.shape == y.shape]
    if floats:
        raise CheckFailed(
            f"forward keeps a {floats[0].dtype} array of the output's shape {y.shape} (the "
            f"pre-activation z, or y): {floats[0].itemsize} bytes per element. Backward only "
            "needs to know where z > 0: save mask = z > 0 (bool, 1 byte) instead."
        )
    if not any(a.dtype == np.bool_ and a.shape == y.shape for a in arrays):
        raise CheckFailed(
            "forward saves no bool mask of the output's shape: backward needs to know where "
            "z > 0. Save mask = z > 0 with ctx.save_for_backward(x, weight, mask)."
        )


def _grads(fn, cases, kink: bool = False) -> None:
    for label, (x, w, b, g) in cases.items():
        try:
            ctx, _ = raw_forward(fn, [x, w, b])
            got = raw_backward(fn, ctx, g, 3)
        except CheckFailed:
            raise
        except Exception as e:
            text = explain_exception(e, "", "linear_relu")
            if x.ndim > 2:
                text += (
                    f"\nx has leading dims {x.shape[:-1]}: fold them, gz.reshape(-1, {OUT}) and "
                    f"x.reshape(-1, {IN}), before the matmul for dW and the sum for db."
                )
            raise CheckFailed(text) from None
        _, *ref = R.linear_relu(x, w, b, g)
        z = x @ w.T + b
        mask = z > 0
        gz, gz_ge = g * mask, g * (z >= 0)
        g2, x2 = gz.reshape(-1, OUT), x.reshape(-1, IN)
        lead = tuple(range(x.ndim - 1))
        no_mask = [g @ w, g.reshape(-1, OUT).T @ x2, g.sum(axis=lead)]
        ge_mask = [gz_ge @ w, gz_ge.reshape(-1, OUT).T @ x2, gz_ge.sum(axis=lead)]
        scales = [np.abs(gz) @ np.abs(w), np.abs(g2).T @ np.abs(x2), np.abs(g2).sum(0)]
        for i, name in enumerate(NAMES):
            _shape(name, got[i], ref[i].shape, x.shape)
            cands = {
                "the backward ignores the ReLU: multiply the upstream gradient by the mask "
                "first (gz = grad * mask)": no_mask[i],
            }
            if kink:
                cands["wrong branch at the kink: where z == 0 exactly the gradient must be 0 "
                      "(relu'(0) = 0): the mask is z > 0, not z >= 0"] = ge_mask[i]  # fmt: skip
            if name == "bias":
                cands["the bias gradient is averaged over the batch; it must be summed"] = g2.mean(
                    axis=0
                )
            expect_close(f"gradient of {name} ({label})", got[i], ref[i], x.dtype,
                         scales[i] + 1.0, Clues(candidates=cands), is_grad=True)  # fmt: skip


def _shape(name: str, got, want: tuple, x_shape: tuple) -> None:
    if got is None:
        raise CheckFailed(f"backward returned None for {name}; return (dx, dW, db)")
    if got.shape == want:
        return
    if name == "weight" and got.shape == want[::-1]:
        raise CheckFailed(
            f"the gradient of weight has shape {got.shape}, transposed: it must have weight's "
            f"shape {want} (out, in). Use gz^T @ x, not x^T @ gz."
        )
    if name == "bias" and got.shape[-1:] == want and got.ndim > 1:
        raise CheckFailed(
            f"the gradient of bias has shape {got.shape}: likely cause: not reduced over the "
            f"batch dims. bias was added to every row, so sum gz over every leading dim "
            f"to get bias's shape {want}."
        )
    raise CheckFailed(
        f"the gradient of {name} has shape {got.shape}; it must have {name}'s shape {want} "
        f"(x is {x_shape}: fold its leading dims for dW and db)"
    )


def _float32(fn, cases) -> None:
    for x, w, b, g in cases.values():
        ctx, y = raw_forward(fn, [x, w, b])
        expect_dtype_shape("the output of float32 inputs", y, np.float32, (*x.shape[:-1], OUT))
        for name, gr, a in zip(NAMES, raw_backward(fn, ctx, g, 3), (x, w, b)):
            _shape(name, gr, a.shape, x.shape)
            expect_dtype_shape(f"the gradient of {name}", gr, np.float32, a.shape)


def _module(module: type) -> None:
    m = module(IN, OUT)
    x = Tensor(np.linspace(-2, 2, 3 * IN, dtype=np.float32).reshape(3, IN))
    y = m(x)
    if not isinstance(y, Tensor) or y.shape != (3, OUT):
        raise CheckFailed("module(4, 5)(x of shape (3, 4)) must return a (3, 5) Tensor")
    y.sum().backward()
    for name, p in m.named_parameters():
        if p.grad is None:
            raise CheckFailed(f"after backward, the module's {name} has no gradient")
