"""Checker for the "activation" exercises (softsign, elu, relu_subgradient, gelu_tanh).

The student's file holds two kernels and SPEC, an ActivationSpec naming them. The checker turns
SPEC into a Function exactly as `register_activation` does (an `Activation` subclass: flatten,
allocate, run the kernel, save what SPEC says) and compares it with the reference op:

    1 SPEC            is an ActivationSpec with a standard `saves` and a new name
    2 forward         float64, random inputs (every parameter case)
    3 backward        float64, random inputs and random upstream gradients
    4 gradcheck       central differences of the student's forward vs their backward
    5, 6 edge inputs  values, then gradients: 0, -0, subnormals, the kinks and their neighbours,
                      +-1e4, huge, +-inf, nan (gradients at nan inputs are not compared: PyTorch's
                      conventions differ per op)
    7 float32         dtype and shape kept through the engine; values and gradients
"""

from __future__ import annotations

import numpy as np

from ..ops.activation_spec import STANDARD_SAVES, Activation, ActivationSpec
from ..ops.activations import BUILTIN
from ..tensor import Tensor
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
from .compare import differs, edge_points, elementwise_scale, random_points
from .diagnose import Clues
from .report import CheckFailed, Report

SHAPE = (2, 3, 4)  # random inputs: 3-D, so that "the shape is kept" means something


def as_function(spec: ActivationSpec) -> type:
    """The Function register_activation would build from `spec`, without registering it."""
    return type(spec.cls, (Activation,), {"spec": spec, "__doc__": spec.formula})


def check(ex: Exercise, ns, report: Report) -> None:
    state: dict = {}
    report.step("SPEC: an ActivationSpec with your two kernels", lambda: _spec(ex, ns, state))
    fn, clues = state["fn"], state["clues"]
    report.notes += kernel_notes(fn.spec.forward, fn.spec.backward)
    rng = np.random.default_rng(ex.number)
    x = random_points(rng, SHAPE, ex.kinks)
    g = rng.standard_normal(SHAPE)
    run = _Runner(ex, fn, clues)
    report.step("forward, float64, random inputs", lambda: run.forward(x, g))
    report.step("backward, float64, random inputs and upstream gradients", lambda: run.grad(x, g))
    xs = random_points(rng, (12,), ex.kinks)
    for case in ex.cases:
        label = "gradcheck, float64" + (f", {_fmt_case(case)}" if case else "")
        report.step(label, lambda c=case: run_gradcheck(lambda t: fn.apply(t, **c), (_t(xs),)))
    report.step(
        "edge inputs, float64, values: 0, -0, subnormals, kinks, +-1e4, +-1e300, +-inf, nan",
        lambda: run.edges(np.float64, grads=False),
    )
    report.step("edge inputs, float64, gradients", lambda: run.edges(np.float64, grads=True))
    report.step(
        "float32: dtype and shape kept; values and gradients on random and edge inputs",
        lambda: run.float32(x, g),
    )


def _t(a: np.ndarray) -> Tensor:
    return Tensor(a, dtype=np.float64, requires_grad=True)


def _fmt_case(case: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in case.items())


def _spec(ex: Exercise, ns, state: dict) -> None:
    spec = getattr(ns, "SPEC", None)
    if not isinstance(spec, ActivationSpec):
        raise CheckFailed(
            "the file must define SPEC = ActivationSpec(...) naming your kernels (the stub has "
            f"it at the bottom); found {type(spec).__name__}"
        )
    if spec.saves not in STANDARD_SAVES:
        raise CheckFailed(f"SPEC.saves must be one of {STANDARD_SAVES}, got {spec.saves!r}")
    if spec.name in {b.name for b in BUILTIN}:
        raise CheckFailed(
            f"SPEC.name {spec.name!r} is a built-in op; keep the stub's name ({ex.op!r}) so "
            "that yours can be registered next to it"
        )
    want = [n for c in ex.cases for n in c]
    names = [n for n, _ in spec.params]
    if any(n not in names for n in want):
        raise CheckFailed(f"SPEC.params must name {sorted(set(want))}, got {names}")
    fast = uses_fastmath(spec.forward, spec.backward)
    clues = Clues(kinks=ex.kinks, kink_rule=ex.kink_rule, fastmath=fast)
    state.update(fn=as_function(spec), clues=clues)


class _Runner:
    """Runs the student's Function and the reference on the same inputs and compares."""

    def __init__(self, ex: Exercise, fn: type, clues: Clues) -> None:
        self.ex, self.fn, self.clues = ex, fn, clues

    def _clues(self, case: dict) -> Clues:
        c = self.clues
        sides = {}
        for k in c.kinks:  # the derivative just left and right of each kink, to name a side
            _, d = self.ex.reference(np.array([k - 1e-6, k + 1e-6]), np.ones(2), **case)
            sides[float(k)] = (float(d[0]), float(d[1]))
        return Clues(c.kinks, sides, c.kink_rule, dict(case), {}, c.fastmath)

    def _student(self, x: np.ndarray, g: np.ndarray, case: dict, grads: bool = True):
        ctx, y = raw_forward(self.fn, [x], case)
        dx = raw_backward(self.fn, ctx, g, 1)[0] if grads else None
        return y, dx

    def _probe(self, x: np.ndarray, g: np.ndarray, case: dict, backward: bool) -> None:
        """Call a kernel directly with its output pre-filled with a marker: a kernel that
        `return`s its result, or skips elements, leaves markers behind."""
        spec, flat = self.fn.spec, x.reshape(-1).copy()
        args = spec.args(case)
        mark = 12345.0
        out = np.full_like(flat, mark)
        mask = np.zeros(flat.shape, dtype=np.bool_)
        if spec.saves == "mask":
            spec.forward(flat, out, mask, *args)
        else:
            spec.forward(flat, out, *args)
        if not backward:
            _unwritten("forward", "out", out == mark)
            return
        saved = {"mask": mask, "input": flat, "output": out}[spec.saves]
        grad_in = np.full_like(flat, mark)
        spec.backward(g.reshape(-1).copy(), saved, grad_in, *(args if spec.backward_args else ()))
        _unwritten("backward", "grad_in", grad_in == mark)

    def forward(self, x: np.ndarray, g: np.ndarray) -> None:
        self._probe(x, g, self.ex.cases[0], backward=False)
        for case in self.ex.cases:
            ctx, y = raw_forward(self.fn, [x], case)
            ref_y, ref_dx = self.ex.reference(x, g, **case)
            expect_dtype_shape("the forward's output", y, x.dtype, x.shape)

            def status(ctx=ctx, ref_dx=ref_dx):  # is the backward right, for "which is wrong"
                try:
                    dx = raw_backward(self.fn, ctx, g, 1)[0]
                    scale = elementwise_scale(x, g)
                    ok = dx is not None and not differs(dx, ref_dx, x.dtype, scale).any()
                except Exception:
                    return ""
                return (
                    "Your backward already matches the reference gradient: only the forward is "
                    "wrong."
                    if ok
                    else "(Your backward differs from the reference too.)"
                )

            expect_close(
                f"forward value{self._at(case)}",
                y,
                ref_y,
                x.dtype,
                elementwise_scale(x),
                self._clues(case),
                x=x,
                extra=status,
            )

    def grad(self, x: np.ndarray, g: np.ndarray) -> None:
        self._probe(x, g, self.ex.cases[0], backward=True)
        for case in self.ex.cases:
            _, dx = self._student(x, g, case)
            _, ref_dx = self.ex.reference(x, g, **case)
            self._expect_grad(dx, ref_dx, x, g, case, "Your forward values are right (the step "
                              "above passed): the backward kernel is what is wrong.")  # fmt: skip

    def _expect_grad(self, dx, ref_dx, x, g, case, extra="") -> None:
        if dx is None:
            raise CheckFailed("backward returned None for the input's gradient")
        expect_dtype_shape("the gradient", dx, x.dtype, x.shape)
        expect_close(
            f"gradient{self._at(case)}",
            dx,
            ref_dx,
            x.dtype,
            elementwise_scale(x, g),
            self._clues(case),
            x=x,
            g=g,
            is_grad=True,
            skip=np.isnan(x),
            extra=extra,
        )

    def edges(self, dtype, grads: bool) -> None:
        x = edge_points(dtype, self.ex.kinks)
        g = np.ones_like(x)
        for case in self.ex.cases:
            y, dx = self._student(x, g, case, grads=grads)
            ref_y, ref_dx = self.ex.reference(x, g, **case)
            if grads:
                self._expect_grad(dx, ref_dx, x, g, case)
            else:
                what = f"forward value{self._at(case)}"
                expect_close(what, y, ref_y, dtype, elementwise_scale(x), self._clues(case), x=x)

    def float32(self, x64: np.ndarray, g64: np.ndarray) -> None:
        x, g = x64.astype(np.float32), g64.astype(np.float32)
        for case in self.ex.cases:
            t = Tensor(x, requires_grad=True)  # through the engine, as F.<name> would run it
            y = self.fn.apply(t, **case)
            expect_dtype_shape("the output of a float32 input", y.data, np.float32, x.shape)
            y.backward(g)
            expect_dtype_shape("the gradient of a float32 input", t.grad.data, np.float32, x.shape)
            ref_y, ref_dx = self.ex.reference(x, g, **case)
            what = f"float32 forward value{self._at(case)}"
            expect_close(
                what, y.data, ref_y, np.float32, elementwise_scale(x), self._clues(case), x=x
            )
            self._expect_grad(t.grad.data, ref_dx, x, g, case)
        self.edges(np.float32, grads=False)
        self.edges(np.float32, grads=True)

    @staticmethod
    def _at(case: dict) -> str:
        return f" ({_fmt_case(case)})" if case else ""


def _unwritten(kernel: str, out: str, left: np.ndarray) -> None:
    if left.any():
        idx = np.flatnonzero(left)
        raise CheckFailed(
            f"your {kernel} kernel did not write {out}[i] for {idx.size} of {left.size} elements "
            f"(i = {', '.join(map(str, idx[:5]))}{', ...' if idx.size > 5 else ''}). The output "
            f"array is preallocated and used as it is: write {out}[i] for every i (a value the "
            "kernel returns is ignored)."
        )
