"""Checker for the "parametric" exercises: an activation with a learnable tensor, so backward
returns TWO gradients (swish: one shared beta; prelu: one slope per channel, dim 1).

The student writes the kernels; the file also holds the Function that calls them
(`ex.function`), the nn module (`ex.module`) and SPEC. Steps: forward; the input's gradient; the
parameter's gradient (a reduction over every element that shares it: a partial sum is named);
gradcheck on both; edge inputs one element at a time (so the parameter's gradient is per point
too and the diagnosis can name the x); float32; the module in a model.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..nn import Module, Parameter
from ..ops.activation_spec import ActivationSpec
from ..tensor import Tensor
from . import references as R
from .catalog import Exercise
from .check_common import (
    expect_close,
    expect_dtype_shape,
    kernel_notes,
    raw_backward,
    raw_forward,
    run_gradcheck,
    uses_fastmath,
)
from .compare import edge_points, elementwise_scale, random_points
from .diagnose import Clues
from .report import CheckFailed, Report


class _Swish:
    param = "beta"

    def random_cases(self, ex: Exercise, rng):
        for case in ex.cases:
            x = random_points(rng, (2, 3, 4))
            yield f"beta={case['beta']}", x, np.array([case["beta"]]), rng.standard_normal(x.shape)

    def reference(self, x, w, g):
        y, gx, terms = R.swish(x, float(w[0]), g)
        return y, gx, np.array([terms.sum()]), np.abs(terms).sum() + 1.0

    def candidates(self, x, w, g):
        _, dx, terms = R.swish(x, float(w[0]), g)
        with np.errstate(all="ignore"):
            one_x = np.where(x == 0, 0.0, terms / x).sum()
        return {
            "dy/dbeta is x^2 s (1 - s): your terms miss one factor x.": [one_x],
            "the terms for beta use dy/dx's formula; dy/dbeta is x^2 s (1 - s).": [dx.sum()],
        }

    def points(self, ex: Exercise):
        return [np.array([c["beta"]]) for c in ex.cases]

    def module_input(self):
        return np.linspace(-3, 3, 24, dtype=np.float32).reshape(4, 6)


class _PReLU:
    param = "weight"
    shapes = (((4, 3, 5), 3), ((5, 3), 3), ((2, 3, 2, 2), 3), ((4, 3, 5), 1))

    def random_cases(self, ex: Exercise, rng):
        for shape, c in self.shapes:
            x = random_points(rng, shape, (0.0,))
            w = rng.uniform(-0.5, 0.5, c)
            yield f"x {shape}, weight ({c},)", x, w, rng.standard_normal(shape)

    @staticmethod
    def _terms(x, w, g):  # the (N, C, S) view the Function gives the kernels; x * g where x <= 0
        n = x.shape[0] if x.ndim else 1
        x3, g3 = x.reshape(n, w.size, -1), g.reshape(n, w.size, -1)
        return x3, np.where(x3 > 0, 0.0, x3 * g3), np.where(x3 > 0, x3 * g3, 0.0)

    def reference(self, x, w, g):
        y, gx, gw = R.prelu(x, w, g)
        _, t, _ = self._terms(x, w, g)
        return y, gx, gw, np.abs(t).sum(axis=(0, 2)) + 1.0

    def candidates(self, x, w, g):
        x3, t, pos = self._terms(x, w, g)
        n, s = x3.shape[0], x3.shape[2]
        out = {
            "the weight's gradient is not reduced over the batch dim: only the last sample "
            "n = N-1 is in your sum (sum over n too)": t[-1].sum(-1),
            "the weight's gradient is not reduced over the batch dim: only the first sample "
            "is in your sum (sum over n too)": t[0].sum(-1),
            "the weight's gradient is summed over the batch but not reduced over the spatial "
            "positions s (sum over s too)": t[:, :, -1].sum(0),
            "the weight's gradient is not reduced over the batch and spatial dims: it holds one "
            "element's term; `grad_weight[c] = ...` overwrites, use +=": self._last(x3, t),
            "wrong branch: the weight's gradient collects x * g where x > 0; the slope acts "
            "where x <= 0": pos.sum(axis=(0, 2)),
            "the weight's gradient collects x * g everywhere; only x <= 0 uses the slope": (
                t + pos
            ).sum(axis=(0, 2)),
            "the weight's gradient is averaged; it must be summed": t.mean(axis=(0, 2)),
        }
        if n == 1 or s == 1:  # partial sums coincide with the full sum: not a diagnosis
            out = {k: v for k, v in out.items() if "not reduced" not in k}
        return out

    @staticmethod
    def _last(x3, t):
        """Per channel, the term of the last element (in n, s loop order) with x <= 0: what
        `grad_weight[c] = x * g` leaves behind."""
        c = x3.shape[1]
        neg = (x3 <= 0).transpose(1, 0, 2).reshape(c, -1)
        tc = t.transpose(1, 0, 2).reshape(c, -1)
        last = neg.shape[1] - 1 - np.argmax(neg[:, ::-1], axis=1)
        return np.where(neg.any(axis=1), tc[np.arange(c), last], 0.0)

    def points(self, ex: Exercise):
        return [np.array([0.25]), np.array([-0.1])]

    def module_input(self):
        return np.linspace(-3, 3, 60, dtype=np.float32).reshape(4, 3, 5)


PROBLEMS = {"swish": _Swish(), "prelu": _PReLU()}


def check(ex: Exercise, ns, report: Report) -> None:
    p = PROBLEMS[ex.name]
    found: dict = {}
    report.step(
        f"the file defines SPEC, {ex.function} and {ex.module}", lambda: _names(ex, ns, found)
    )
    fn, mod, spec = found["fn"], found["module"], found["spec"]
    report.notes += kernel_notes(spec.forward, spec.backward)
    clues = Clues(kinks=ex.kinks, kink_rule=ex.kink_rule, fastmath=uses_fastmath(spec.forward))
    rng = np.random.default_rng(ex.number)
    cases = list(p.random_cases(ex, rng))
    run = _Runner(ex, p, fn, clues)
    report.step("forward, float64, random inputs", lambda: run.forward(cases))
    report.step("backward, float64: the gradient of the input", lambda: run.grad_x(cases))
    report.step(f"backward, float64: the gradient of {p.param}", lambda: run.grad_w(cases))
    report.step(f"gradcheck, float64 (input and {p.param})", lambda: run.gradcheck(cases))
    for dt in (np.float64, np.float32):
        label = f"edge inputs, {np.dtype(dt).name}, one element at a time: values and gradients"
        report.step(label, lambda dt=dt: run.edges(dt))
    report.step("float32: dtype and shape kept; values and gradients", lambda: run.float32(cases))
    report.step(f"{ex.module} in a model: {p.param} is a Parameter that gets a gradient",
                lambda: _module(ex, p, mod))  # fmt: skip


def _names(ex: Exercise, ns, found: dict) -> None:
    spec, fn, mod = (getattr(ns, n, None) for n in ("SPEC", ex.function, ex.module))
    if not isinstance(spec, ActivationSpec):
        raise CheckFailed("the file must define SPEC = ActivationSpec(...) (the stub has it)")
    if not (isinstance(fn, type) and issubclass(fn, Function)):
        raise CheckFailed(
            f"the file must define the Function class {ex.function} (the stub has it)"
        )
    if not (isinstance(mod, type) and issubclass(mod, Module)):
        raise CheckFailed(f"the file must define the nn.Module class {ex.module} (the stub has it)")
    found.update(spec=spec, fn=fn, module=mod)


class _Runner:
    def __init__(self, ex: Exercise, p, fn: type, clues: Clues) -> None:
        self.ex, self.p, self.fn, self.clues = ex, p, fn, clues

    def _run(self, x, w, g):
        ctx, y = raw_forward(self.fn, [x, w])
        gx, gw = raw_backward(self.fn, ctx, g, 2)
        return y, gx, gw

    def forward(self, cases) -> None:
        for label, x, w, g in cases:
            _, y = raw_forward(self.fn, [x, w])
            ref = self.p.reference(x, w, g)
            expect_dtype_shape("the forward's output", y, x.dtype, x.shape)
            expect_close(f"forward value ({label})", y, ref[0], x.dtype, elementwise_scale(x),
                         self.clues, x=x)  # fmt: skip

    def grad_x(self, cases) -> None:
        for label, x, w, g in cases:
            _, gx, _ = self._run(x, w, g)
            self._gx(gx, self.p.reference(x, w, g)[1], x, g, label)

    def _gx(self, gx, ref, x, g, label) -> None:
        if gx is None:
            raise CheckFailed("backward returned None for the input's gradient")
        expect_dtype_shape("the input's gradient", gx, x.dtype, x.shape)
        expect_close(f"gradient of the input ({label})", gx, ref, x.dtype,
                     elementwise_scale(x, g), self.clues, x=x, g=g, is_grad=True,
                     skip=np.isnan(x))  # fmt: skip

    def grad_w(self, cases) -> None:
        for label, x, w, g in cases:
            _, _, gw = self._run(x, w, g)
            _, _, ref, scale = self.p.reference(x, w, g)
            clues = Clues(candidates=self.p.candidates(x, w, g), params={self.p.param: w[0]})
            self._gw(gw, ref, scale, w, label, clues)

    def _gw(self, gw, ref, scale, w, label, clues, x=None, g=None) -> None:
        name = self.p.param
        if gw is None:
            raise CheckFailed(
                f"backward returned None for {name}: likely cause: forgot the parameter's "
                f"gradient. Return (grad_input, grad_{name})."
            )
        expect_dtype_shape(f"the gradient of {name}", gw, w.dtype, w.shape)
        expect_close(f"gradient of {name} ({label})", gw, ref, w.dtype, scale, clues, x=x, g=g,
                     is_grad=True, parameter=name)  # fmt: skip

    def gradcheck(self, cases) -> None:
        for _, x, w, _ in cases[:2]:
            xs = x.reshape(-1)[:12].copy() if self.ex.name == "swish" else x
            ts = (Tensor(xs, requires_grad=True), Tensor(w, requires_grad=True))
            run_gradcheck(lambda a, b: self.fn.apply(a, b), ts)

    def edges(self, dtype) -> None:
        kinks = self.ex.kinks or (0.0,)
        for w in self.p.points(self.ex):
            w = w.astype(dtype)
            pts = edge_points(dtype, kinks)
            one = np.ones(1, dtype)
            rows = [self._run(v.reshape(1, 1), w, one.reshape(1, 1)) for v in pts]
            refs = [self.p.reference(v.reshape(1, 1), w, one.reshape(1, 1)) for v in pts]
            y, gx, gw = (np.array([r[i].reshape(-1)[0] for r in rows]) for i in range(3))
            ry, rgx, rgw = (np.array([r[i].reshape(-1)[0] for r in refs]) for i in range(3))
            label = f"{self.p.param}={w[0]:g}"
            clues = Clues(self.clues.kinks, self._sides(w), self.clues.kink_rule,
                          {self.p.param: w[0]}, {}, self.clues.fastmath)  # fmt: skip
            expect_close(f"forward value ({label})", y, ry, dtype, elementwise_scale(pts), clues,
                         x=pts)  # fmt: skip
            fin = ~np.isnan(pts)
            self._gx(gx[fin], rgx[fin], pts[fin], np.ones(fin.sum()), label)
            self._gw(gw[fin], rgw[fin], elementwise_scale(pts[fin]), np.ones(fin.sum(), dtype),
                     label, clues, x=pts[fin], g=np.ones(fin.sum()))  # fmt: skip

    def _sides(self, w) -> dict:
        sides = {}
        for k in self.ex.kinks:
            x = np.array([[k - 1e-6], [k + 1e-6]])
            d = self.p.reference(x, w.astype(np.float64), np.ones_like(x))[1].reshape(-1)
            sides[float(k)] = (float(d[0]), float(d[1]))
        return sides

    def float32(self, cases) -> None:
        for label, x64, w64, g64 in cases:
            x, w, g = (a.astype(np.float32) for a in (x64, w64, g64))
            y, gx, gw = self._run(x, w, g)
            expect_dtype_shape("the output of a float32 input", y, np.float32, x.shape)
            ry, rgx, rgw, scale = self.p.reference(x, w, g)
            expect_close(f"float32 forward value ({label})", y, ry, np.float32,
                         elementwise_scale(x), self.clues, x=x)  # fmt: skip
            self._gx(gx, rgx, x, g, label)
            self._gw(gw, rgw, scale, w, label, Clues(params={self.p.param: w[0]}))


def _module(ex: Exercise, p, module: type) -> None:
    m = module()
    params = [q for q in m.parameters() if isinstance(q, Parameter)]
    if not params:
        raise CheckFailed(f"{ex.module}() has no Parameter: make {p.param} an nn.Parameter")
    x = Tensor(p.module_input())
    y = m(x)
    if not isinstance(y, Tensor) or y.shape != x.shape:
        raise CheckFailed(f"{ex.module}()(x) must return a Tensor of x's shape {x.shape}")
    y.sum().backward()
    for q in params:
        if q.grad is None or not np.isfinite(q.grad.data).all() or not q.grad.data.any():
            raise CheckFailed(
                f"after backward, a parameter of {ex.module} has no useful gradient "
                f"({None if q.grad is None else q.grad.data}): forgot the parameter's gradient?"
            )
