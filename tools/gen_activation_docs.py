"""Print docs/activations.md, the API page of every activation, generated from the table.

    python tools/gen_activation_docs.py > docs/activations.md

The rows (ops/activations.py) give the signature, what is saved, the kinks and the limits; the
gradient at NaN is measured by running each op; the prose notes below are the docs' own.
tests/test_activation_table.py fails when the checked-in page differs from this output.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
import tinygrad_act.functional as F  # noqa: E402
from tinygrad_act.ops.activation_spec import REQUIRED  # noqa: E402
from tinygrad_act.ops.activations import TABLE  # noqa: E402

# parameters shown where a row has required ones (its limits and kinks depend on them)
EXAMPLE_PARAMS = {"threshold": {"threshold": 0.5, "value": -2.0}}
BYTES = {"prelu": "4, plus the weight", "rrelu": "4 (training) or 1 (eval)"}
SAVES_TEXT = {"mask": "bool mask", "input": "input x", "output": "output y"}
NOTES = {
    "prelu": "Gradients for input and weight; weight has shape (1,) or (C,). Limits and the NaN "
    "gradient for weight 0.25.",
    "rrelu": "Training slopes come from tinygrad_act.random.default_generator() and are saved; "
    "eval is leaky_relu with slope (lower + upper) / 2. In training a NaN input takes slope 1.",
    "celu": "elu with input scale 1/alpha, as PyTorch computes it.",
    "gelu": "PyTorch gives NaN at -inf (and at +inf in float32) and NaN gradients at +-inf; we "
    "give the limits. PyTorch computes 1 + erf(x/sqrt 2), 1 + tanh(z) and 1 - tanh^2(z), which "
    "cancel for x << 0, so its error there is absolute, not relative (its float32 erf is "
    "Abramowitz-Stegun 7.1.26, 1.5e-7); ours avoids the cancellation (Phi from erfc, "
    "(1 + tanh z)/2 = sigmoid(2z)).",
    "silu": "PyTorch gives NaN at -inf and NaN gradients at +-inf; we give the limits.",
    "mish": "PyTorch gives NaN at -inf and NaN gradients at +-inf; we give the limits.",
    "relu6": "hardtanh(x, 0, 6), as in PyTorch.",
    "hardswish": "PyTorch gives NaN at -inf (-inf * 0); we give -0.",
    "hardsigmoid": "PyTorch's float64 gradient uses the float32 constant 1/6 (0.16666667163); we "
    "use the float64 1/6.",
    "softsign": "PyTorch gives NaN at +-inf (inf / inf); we give +-1. Its gradient is autograd "
    "through x / (1 + |x|), two terms that cancel for large |x| (1e-4 off at 1e4 in float32); "
    "ours is 1 / (1 + |x|)^2.",
    "tanh": "The gradient 1 - y^2 from the saved output cancels as |y| -> 1: one ulp in y (ours "
    "or PyTorch's) moves it by eps.",
}
NAN_RULE = """\
## NaN

One rule for every op: a NaN input gives a NaN output, and its gradient is PyTorch's. Every
comparison with NaN is false, so a NaN takes the branch that PyTorch's scalar CPU kernel reaches
when its tests fail, and each kernel here writes its tests the same way: a piecewise-linear op
passes the upstream gradient times that branch's slope (relu, relu6, hardtanh and threshold pass
it unchanged; leaky_relu, prelu and eval-mode rrelu scale it by the slope; elu, celu and selu take
the positive branch; hardsigmoid gives 0), and an op whose derivative depends on x (gelu, silu,
mish, softplus, softsign, sigmoid, tanh) gives NaN. Where PyTorch's vectorized loop disagrees with
its own scalar code (elu, celu, selu, relu6, hardtanh, hardswish; see issue 10) we follow the
scalar code, so the answer does not depend on the tensor's length. The column "y' at NaN" above
is measured on the engine (upstream gradient 1); tests/test_activations.py checks every op at
NaN against PyTorch."""


def _fmt(v: Any) -> str:
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def grad_at_nan(name: str, params: dict) -> str:
    """dy/dx at x = NaN with upstream gradient 1, in float64, through the engine (a weight
    input, as prelu's, is 0.25); "-" for an op that does not run (an unfinished exercise)."""
    x = ta.tensor([math.nan], dtype=ta.float64, requires_grad=True)
    weights = [ta.tensor([0.25], dtype=ta.float64)] * (len(TABLE[name].inputs) - 1)
    try:
        getattr(F, name)(x, *weights, **params).backward(gradient=np.ones(1))
    except Exception:  # noqa: BLE001 - the page still lists the op
        return "-"
    return _fmt(float(x.grad.numpy()[0]))


def markdown() -> str:
    """The API reference as a markdown page, generated from the table."""
    lines = [
        "# Activations",
        "",
        "Generated from the rows of `tinygrad_act/ops/activations.py` by "
        "`python tools/gen_activation_docs.py > docs/activations.md`; do not edit by hand.",
        "Every op is a `Function` there (`class ELU(Activation)`, its row as `ELU.spec`), and "
        "`F.<name>` and `nn.<Class>`",
        "are built from that row. Its kernels live in `tinygrad_act/kernels/activations*.py`. "
        "Values and gradients match",
        "PyTorch 2.x (tests/golden/activations.npz), exactly at the kinks.",
        "",
        "| F | nn | saves for backward | bytes/elem (f32) | kinks | derivative at the kink "
        "| (y, y') at -inf / +inf | y' at NaN |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in TABLE.values():
        args = list(s.inputs) + [n if d is REQUIRED else f"{n}={_fmt(d)}" for n, d in s.params]
        params = EXAMPLE_PARAMS.get(s.name, {})
        (yl, gl), (yr, gr) = s.limits(params)
        where = f" (at {params})" if params else ""
        nb = BYTES.get(s.name) or str(s.saved_bytes(4))
        kinks = ", ".join(_fmt(k) for k in s.kink_points(params)) or "-"
        lines.append(
            f"| `{s.name}({', '.join(args)})` | `{s.cls}` | {SAVES_TEXT.get(s.saves, s.saves)} "
            f"| {nb} | {kinks} | {s.kink} | ({_fmt(yl)}, {_fmt(gl)}) / ({_fmt(yr)}, {_fmt(gr)})"
            f"{where} | {grad_at_nan(s.name, params)} |"
        )
    lines += ["", "## Formulas and notes", ""]
    for s in TABLE.values():
        note = NOTES.get(s.name)
        lines.append(f"- **{s.name}**: `{s.formula}`." + (f" {note}" if note else ""))
    lines += ["", NAN_RULE, "", "## Adding an activation", ""]
    lines += [
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


if __name__ == "__main__":
    sys.stdout.write(markdown())
