"""Checker for exercise 8: the backward of a broadcasting add, out = a + b.

The reference gradient is computed without summing over axes (references.broadcast_grad: number
the input's elements, broadcast the numbers, add up the upstream gradient each number reached),
so it does not share a mistake with an `unbroadcast` that sums over the wrong dims.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from . import references as R
from .catalog import Exercise
from .check_common import expect_close, expect_dtype_shape, raw_backward, raw_forward, run_gradcheck
from .diagnose import Clues
from .report import CheckFailed, Report

# (a's shape, b's shape): same shapes, a new leading dim, size-1 dims on one side or both,
# a 0-d tensor, and both kinds of broadcasting at once
CASES = (
    ((2, 3), (2, 3)),
    ((3, 4), (4,)),
    ((2, 1, 4), (3, 1)),
    ((4, 1), (1, 5)),
    ((1,), (5,)),
    ((), (2, 3)),
    ((5,), ()),
)


def check(ex: Exercise, ns, report: Report) -> None:
    fn = getattr(ns, ex.function, None)

    def found() -> None:
        if not (isinstance(fn, type) and issubclass(fn, Function)):
            raise CheckFailed(f"the file must define the Function class {ex.function}")

    report.step(f"the file defines {ex.function}", found)
    rng = np.random.default_rng(ex.number)
    data = [(rng.standard_normal(sa), rng.standard_normal(sb)) for sa, sb in CASES]
    report.step("forward (given): a + b with numpy broadcasting", lambda: _forward(fn, data))
    report.step(
        "backward returns (grad_a, grad_b), each with its input's shape",
        lambda: _backward(fn, data, rng, values=False),
    )
    report.step("backward values, float64", lambda: _backward(fn, data, rng, values=True))
    report.step("a Python number as b: MyAdd.apply(t, 2.0)", lambda: _scalar(fn))
    a, b = (Tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 1, 4), (3, 1)))
    report.step("gradcheck, float64, (2, 1, 4) + (3, 1)", lambda: run_gradcheck(fn.apply, (a, b)))
    f32 = [(x.astype(np.float32), y.astype(np.float32)) for x, y in data]
    report.step("float32: the gradients keep the dtype", lambda: _float32(fn, f32))


def _forward(fn, data) -> None:
    for a, b in data:
        _, out = raw_forward(fn, [a, b])
        expect_close(f"forward value for {a.shape} + {b.shape}", out, a + b, a.dtype, 1.0)


def _backward(fn, data, rng, values: bool) -> None:
    for a, b in data:
        out_shape = np.broadcast_shapes(a.shape, b.shape)
        g = rng.standard_normal(out_shape).astype(a.dtype)
        ctx, _ = raw_forward(fn, [a, b])
        grads = raw_backward(fn, ctx, g, 2)
        for i, (name, x, got) in enumerate(zip("ab", (a, b), grads)):
            if got is None:
                raise CheckFailed(f"backward returned None for {name}; both inputs need one")
            if got.shape != x.shape:
                raise CheckFailed(_shape_cause(name, got.shape, x.shape, out_shape))
            if not values:
                continue
            ref = R.broadcast_grad(x.shape, g)
            copies = int(np.prod(out_shape)) // max(x.size, 1)
            cands = {} if copies == 1 else {
                "averaged over the broadcast dims instead of summed: each copy of an element "
                "adds its full gradient (sum, not mean)": ref / copies,
            }  # fmt: skip
            scale = R.broadcast_grad(x.shape, np.abs(g)) + 1.0
            what = f"gradient of {name} for {a.shape} + {b.shape} (input {i})"
            expect_close(what, got, ref, x.dtype, scale, Clues(candidates=cands), is_grad=True)


def _shape_cause(name: str, got: tuple, want: tuple, out: tuple) -> str:
    lead = len(out) - len(want)
    stretched = [lead + j for j, n in enumerate(want) if n == 1 and out[lead + j] != 1]
    dims = list(range(lead)) + stretched
    head = f"the gradient of {name} has shape {got}, but {name} has shape {want}"
    how = (
        f"Broadcasting copied {name} along dims {dims} of the output {out} "
        f"({'new leading dims ' + str(list(range(lead))) if lead else 'no new leading dims'}"
        f"{', size-1 dims ' + str(stretched) if stretched else ''}); the chain rule adds the "
        "gradient of every copy: sum over those dims (keepdims=True for the size-1 ones)."
    )
    if got == out:
        return f"{head}.\nlikely cause: gradient not reduced over broadcast dims. {how}"
    if int(np.prod(got)) == int(np.prod(want)):
        return (
            f"{head}.\nlikely cause: right numbers, lost dims: the size-1 dims were summed "
            f"away; use keepdims=True for them (or reshape to {want})."
        )
    return f"{head}.\nlikely cause: gradient not reduced over broadcast dims correctly. {how}"


def _scalar(fn) -> None:
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    out = fn.apply(t, 2.0)
    expect_close("forward value for t + 2.0", out.data, t.data + 2.0, t.dtype, 1.0)
    out.sum().backward()
    expect_close("gradient of t in t + 2.0", t.grad.data, np.ones((2, 3)), t.dtype, 1.0,
                 is_grad=True)  # fmt: skip


def _float32(fn, data) -> None:
    for a, b in data:
        ctx, out = raw_forward(fn, [a, b])
        expect_dtype_shape("the output", out, np.float32, np.broadcast_shapes(a.shape, b.shape))
        for name, x, got in zip("ab", (a, b), raw_backward(fn, ctx, np.ones_like(out), 2)):
            expect_dtype_shape(f"the gradient of {name}", got, np.float32, x.shape)
