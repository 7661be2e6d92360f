"""`ActivationSpec`: the shape of one row of the activation table (ops/activation_table.py).

A spec names an op's forward and backward kernels, its parameters with PyTorch's defaults, what
it saves for backward (and the bytes per element that costs), the derivative convention at its
kinks and its limits at +-inf. The Function classes, `F.<name>`, `nn.<Class>`, the API docs and the
parametrized tests are all generated from specs; `register_activation` (ops/activations.py) adds
one.

Kernel calling convention (1-D contiguous arrays, outputs preallocated, scalars last):
    saves="mask":            forward(x, out, mask, *args)  backward(grad_out, mask, grad_in, *args)
    saves="input"/"output":  forward(x, out, *args)        backward(grad_out, saved, grad_in, *args)
where `args = spec.args(params)`: `kernel_args(**params)`, or the parameter values in order
(backward gets no scalars when `backward_args=False`, e.g. the shared `mask_backward`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

INF = math.inf
REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "<required>"})()
STANDARD_SAVES = ("mask", "input", "output")


def _default_limits(**params: Any) -> tuple:
    return ((0.0, 0.0), (INF, 1.0))


@dataclass(frozen=True)
class ActivationSpec:
    """One op. `params` are (name, default) pairs in PyTorch's positional order; a default of
    REQUIRED makes the parameter mandatory (threshold's `threshold` and `value`)."""

    name: str  # functional name: F.<name>
    cls: str  # PyTorch class name: the Function and the nn.Module
    formula: str  # the math, for docs and docstrings
    forward: Callable  # Numba kernels, calling convention above
    backward: Callable
    saves: str = "input"  # "mask" | "input" | "output"; custom ops describe theirs in words
    params: tuple = ()
    kernel_args: Callable[..., tuple] | None = None  # params -> kernel scalars
    backward_args: bool = True  # False: the backward kernel takes no scalars (mask_backward)
    kink: str = "smooth"  # derivative convention at kinks / boundaries, in words
    kinks: Callable[..., tuple] | tuple = ()  # x where the derivative jumps (params -> tuple)
    at_inf: Callable[..., tuple] = _default_limits  # ((y, dy/dx) at -inf, (y, dy/dx) at +inf)
    inplace: bool = True  # PyTorch's signature has `inplace=`
    cases: tuple = ({},)  # parameter settings the golden file covers
    # Test tolerance floors where PyTorch's own result carries absolute rounding error (in
    # eps(dtype) units): values within atol_eps[0] * eps * (1 + |x|), gradients within
    # atol_eps[1] * eps * |g| * (1 + |x|), g the upstream gradient.
    atol_eps: tuple = (0.0, 0.0)
    # "value"/"grad": at special points PyTorch's number is known to be off by more than
    # rounding (see notes), so tests compare with PyTorch's float64 result within rtol instead.
    inexact_points: tuple = ()
    notes: str = ""
    custom: bool = False  # forward/backward are hand-written Function classes (prelu, rrelu)
    # compute per element relative to relu (memory-bound): n * cost is the `work` compared with
    # PARALLEL_THRESHOLD, so expensive ops split over threads at smaller n (bench_threshold.py)
    cost: float = 1.0
    inputs: tuple = ("input",)  # tensor arguments (prelu: input, weight)
    bytes_note: str = ""  # bytes saved per element, in words, for custom ops
    _args_cache: dict = field(default_factory=dict, compare=False, repr=False)

    def bind(self, params: dict) -> dict:
        """All parameters with defaults filled in; unknown or missing names raise TypeError."""
        names = [n for n, _ in self.params]
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise TypeError(f"{self.name}: unexpected parameter(s) {unknown}; it takes {names}")
        bound = {n: params.get(n, d) for n, d in self.params}
        missing = [n for n, v in bound.items() if v is REQUIRED]
        if missing:
            raise TypeError(f"{self.name}: missing required parameter(s) {missing}")
        return bound

    def args(self, params: dict) -> tuple:
        """The scalars passed to both kernels after the arrays (cached: ops call this on every
        forward, and at 4K elements microseconds matter)."""
        key = tuple(params.items())
        hit = self._args_cache.get(key) if 0.0 not in params.values() else None  # -0.0 == 0.0
        if hit is not None:
            return hit
        p = self.bind(params)
        out = self.kernel_args(**p) if self.kernel_args else tuple(float(v) for v in p.values())
        if len(self._args_cache) < 256:
            self._args_cache[key] = out
        return out

    def kink_points(self, params: dict) -> tuple:
        return self.kinks(**self.bind(params)) if callable(self.kinks) else tuple(self.kinks)

    def limits(self, params: dict) -> tuple:
        return self.at_inf(**self.bind(params))

    def saved_bytes(self, itemsize: int = 4) -> int | None:
        """Bytes saved for backward per element (None for custom descriptions)."""
        return {"mask": 1, "input": itemsize, "output": itemsize}.get(self.saves)


TABLE: dict[str, ActivationSpec] = {}


def _fmt(v: Any) -> str:
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


_SAVES_TEXT = {"mask": "bool mask", "input": "input x", "output": "output y"}


def markdown(table: dict[str, ActivationSpec] | None = None) -> str:
    """The API reference as a markdown page, generated from the table."""
    table = TABLE if table is None else table
    lines = [
        "# Activations",
        "",
        "Generated from `tinygrad_act/ops/activation_table.py` by "
        "`python tools/gen_activation_docs.py > docs/activations.md`; do not edit by hand.",
        "Every op is `F.<name>`, an `nn.<Class>` module and a `Function` in "
        "`tinygrad_act.ops.activations`;",
        "its kernels live in `tinygrad_act/kernels/activations*.py`. Values and gradients match "
        "PyTorch 2.x",
        "(tests/golden/activations.npz), exactly at the kinks.",
        "",
        "| F | nn | saves for backward | bytes/elem (f32) | kinks | derivative at the kink "
        "| (y, y') at -inf / +inf |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in table.values():
        args = list(s.inputs) + [n if d is REQUIRED else f"{n}={_fmt(d)}" for n, d in s.params]
        (yl, gl), (yr, gr) = s.limits(s.cases[0])
        where = f" (at {s.cases[0]})" if s.cases[0] else ""
        nb = s.bytes_note or str(s.saved_bytes(4))
        kinks = ", ".join(_fmt(k) for k in s.kink_points(s.cases[0])) or "-"
        lines.append(
            f"| `{s.name}({', '.join(args)})` | `{s.cls}` | {_SAVES_TEXT.get(s.saves, s.saves)} "
            f"| {nb} | {kinks} | {s.kink} | ({_fmt(yl)}, {_fmt(gl)}) / ({_fmt(yr)}, {_fmt(gr)})"
            f"{where} |"
        )
    lines += ["", "## Formulas and notes", ""]
    for s in table.values():
        lines.append(f"- **{s.name}**: `{s.formula}`." + (f" {s.notes}" if s.notes else ""))
    lines += [
        "",
        "## Adding an activation",
        "",
        "Write a forward and a backward kernel (top-level `@njit` functions over 1-D arrays, "
        "outputs passed in; see `kernels/activations.py`), then:",
        "",
        "```python",
        "from tinygrad_act.ops.activations import ActivationSpec, register_activation",
        'register_activation(ActivationSpec(name="my_act", cls="MyAct", formula="...", '
        'forward=my_forward, backward=my_backward, saves="input"))',
        "F.my_act(x); nn.MyAct()",
        "```",
    ]
    return "\n".join(lines) + "\n"
