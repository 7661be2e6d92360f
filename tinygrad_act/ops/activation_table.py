"""The activation table: one `ActivationSpec` per ReLU-family op (fields: ops/activation_spec.py).

Read a row to learn an op: its kernels (kernels/activations*.py), its parameters with PyTorch's
defaults, what backward needs (a 1-byte mask where the sign is enough), the derivative PyTorch
picks at each kink (checked against torch by tools/make_golden_activations.py), and its limits at
+-inf. ops/activations.py turns every row into a Function class, F.<name> and nn.<Class>; the docs
and tests/test_activations.py iterate over this table. A new op: one kernel pair plus one
`register_activation(ActivationSpec(...))`.
"""

from __future__ import annotations

from ..kernels import activations as K
from ..kernels import activations_smooth as S
from .activation_spec import INF, REQUIRED, ActivationSpec

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _gelu_args(approximate: str) -> tuple:
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return (approximate == "tanh",)


def _hardtanh_args(min_val: float, max_val: float) -> tuple:
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must be <= max_val ({max_val})")
    return (float(min_val), float(max_val))


def _softplus_args(beta: float, threshold: float) -> tuple:
    if beta == 0:
        raise ValueError("softplus: beta must be nonzero (it divides log(1 + exp(beta x)))")
    return (float(beta), float(threshold))


BUILTIN: tuple[ActivationSpec, ...] = (
    ActivationSpec(
        name="relu",
        cls="ReLU",
        formula="x if x > 0 else 0",
        forward=K.relu_forward,
        backward=K.relu_backward,
        saves="mask",
        kink="relu'(0) = 0: mask x > 0, never maximum(x, 0)",
        kinks=(0.0,),
        notes="A NaN input keeps its gradient, as in PyTorch (it zeroes where result <= 0).",
    ),
    ActivationSpec(
        name="leaky_relu",
        cls="LeakyReLU",
        formula="x if x > 0 else negative_slope * x",
        forward=K.leaky_relu_forward,
        backward=K.leaky_relu_backward,
        saves="mask",
        params=(("negative_slope", 0.01),),
        kink="negative_slope at x = 0",
        kinks=(0.0,),
        at_inf=lambda negative_slope: ((-INF * negative_slope, negative_slope), (INF, 1.0)),
        cases=({}, {"negative_slope": 0.2}, {"negative_slope": -0.5}),
    ),
    ActivationSpec(
        name="prelu",
        cls="PReLU",
        formula="x if x > 0 else weight[c] * x, c the index along dim 1",
        forward=K.prelu_forward,
        backward=K.prelu_backward,
        saves="input x and weight",
        inputs=("input", "weight"),
        bytes_note="4, plus the weight",
        kink="weight at x = 0",
        kinks=(0.0,),
        at_inf=lambda: ((-INF, 0.25), (INF, 1.0)),
        inplace=False,
        custom=True,
        notes="Gradients for input and weight; weight has shape (1,) or (C,). Limits for "
        "weight 0.25.",
    ),
    ActivationSpec(
        name="rrelu",
        cls="RReLU",
        formula="x if x > 0 else a * x; a ~ U(lower, upper) in training, (lower + upper) / 2 "
        "in eval",
        forward=K.rrelu_train_forward,
        backward=K.rrelu_train_backward,
        saves="slopes (training) or mask (eval)",
        bytes_note="4 (training) or 1 (eval)",
        params=(("lower", 1.0 / 8.0), ("upper", 1.0 / 3.0), ("training", False)),
        kink="the slope at x = 0",
        kinks=(0.0,),
        at_inf=lambda lower, upper, training: ((-INF, (lower + upper) / 2), (INF, 1.0)),
        cases=({}, {"lower": 0.1, "upper": 0.3}),
        custom=True,
        notes="Training slopes come from tinygrad_act.random.default_generator() and are saved; "
        "eval is leaky_relu with slope (lower + upper) / 2.",
    ),
    ActivationSpec(
        name="elu",
        cls="ELU",
        cost=3.0,
        formula="x if x > 0 else alpha * (exp(x) - 1)",
        forward=S.elu_forward,
        backward=S.elu_backward,
        params=(("alpha", 1.0),),
        kernel_args=lambda alpha: (float(alpha), 1.0, 1.0),
        kink="alpha at x = 0 (the negative branch)",
        kinks=(0.0,),
        at_inf=lambda alpha: ((-alpha, 0.0), (INF, 1.0)),
        cases=({}, {"alpha": 1.5}, {"alpha": 0.5}),
    ),
    ActivationSpec(
        name="celu",
        cls="CELU",
        cost=3.0,
        formula="x if x > 0 else alpha * (exp(x / alpha) - 1)",
        forward=S.elu_forward,
        backward=S.elu_backward,
        params=(("alpha", 1.0),),
        kernel_args=lambda alpha: (float(alpha), 1.0, 1.0 / alpha),
        kink="1 at x = 0 (continuously differentiable)",
        at_inf=lambda alpha: ((-alpha, 0.0), (INF, 1.0)),
        cases=({}, {"alpha": 1.5}, {"alpha": 3.0}),
        notes="elu with input scale 1/alpha, as PyTorch computes it.",
    ),
    ActivationSpec(
        name="selu",
        cls="SELU",
        cost=3.0,
        formula="scale * (x if x > 0 else alpha * (exp(x) - 1)), alpha = 1.6733, scale = 1.0507",
        forward=S.elu_forward,
        backward=S.elu_backward,
        kernel_args=lambda: (SELU_ALPHA, SELU_SCALE, 1.0),
        kink="scale * alpha at x = 0",
        kinks=(0.0,),
        at_inf=lambda: ((-SELU_ALPHA * SELU_SCALE, 0.0), (INF, SELU_SCALE)),
    ),
    ActivationSpec(
        name="gelu",
        cls="GELU",
        cost=4.0,
        formula="x * Phi(x) = x/2 * (1 + erf(x / sqrt(2))); approximate='tanh': "
        "x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))",
        forward=S.gelu_forward,
        backward=S.gelu_backward,
        params=(("approximate", "none"),),
        kernel_args=_gelu_args,
        at_inf=lambda approximate: ((-0.0, 0.0), (INF, 1.0)),
        inplace=False,
        cases=({}, {"approximate": "tanh"}),
        atol_eps=(2.0, 2.0),
        notes="PyTorch gives NaN at -inf (and at +inf in float32) and NaN gradients at +-inf; we "
        "give the limits. PyTorch computes 1 + erf(x/sqrt 2), 1 + tanh(z) and 1 - tanh^2(z), "
        "which cancel for x << 0, so its error there is absolute, not relative (its float32 erf "
        "is Abramowitz-Stegun 7.1.26, 1.5e-7); ours avoids the cancellation (Phi from erfc, "
        "(1 + tanh z)/2 = sigmoid(2z)). Tests allow 2 eps (1 + |x|) on values and "
        "2 eps |g| (1 + |x|) on gradients on top of rtol.",
    ),
    ActivationSpec(
        name="silu",
        cls="SiLU",
        cost=3.0,
        formula="x * sigmoid(x)",
        forward=S.silu_forward,
        backward=S.silu_backward,
        at_inf=lambda: ((-0.0, 0.0), (INF, 1.0)),
        notes="PyTorch gives NaN at -inf and NaN gradients at +-inf; we give the limits.",
    ),
    ActivationSpec(
        name="mish",
        cls="Mish",
        cost=3.0,
        formula="x * tanh(softplus(x))",
        forward=S.mish_forward,
        backward=S.mish_backward,
        at_inf=lambda: ((-0.0, 0.0), (INF, 1.0)),
        notes="PyTorch gives NaN at -inf and NaN gradients at +-inf; we give the limits.",
    ),
    ActivationSpec(
        name="softplus",
        cls="Softplus",
        cost=3.0,
        formula="log(1 + exp(beta * x)) / beta, or x where beta * x > threshold",
        forward=S.softplus_forward,
        backward=S.softplus_backward,
        params=(("beta", 1.0), ("threshold", 20.0)),
        kernel_args=_softplus_args,
        kink="linear (gradient 1) where beta * x > threshold, sigmoid(beta * x) at and below",
        kinks=lambda beta, threshold: (threshold / beta,),
        inplace=False,
        cases=({}, {"beta": 2.0, "threshold": 10.0}, {"beta": 0.5, "threshold": 5.0}),
    ),
    ActivationSpec(
        name="relu6",
        cls="ReLU6",
        formula="min(max(x, 0), 6)",
        forward=K.hardtanh_forward,
        backward=K.mask_backward,
        backward_args=False,
        saves="mask",
        kernel_args=lambda: (0.0, 6.0),
        kink="0 at x = 0 and at x = 6",
        kinks=(0.0, 6.0),
        at_inf=lambda: ((0.0, 0.0), (6.0, 0.0)),
        notes="hardtanh(x, 0, 6), as in PyTorch.",
    ),
    ActivationSpec(
        name="hardtanh",
        cls="Hardtanh",
        formula="min(max(x, min_val), max_val)",
        forward=K.hardtanh_forward,
        backward=K.mask_backward,
        backward_args=False,
        saves="mask",
        params=(("min_val", -1.0), ("max_val", 1.0)),
        kernel_args=_hardtanh_args,
        kink="0 at both boundaries",
        kinks=lambda min_val, max_val: (min_val, max_val),
        at_inf=lambda min_val, max_val: ((min_val, 0.0), (max_val, 0.0)),
        cases=({}, {"min_val": -0.5, "max_val": 2.0}),
    ),
    ActivationSpec(
        name="hardswish",
        cls="Hardswish",
        formula="x * min(max(x + 3, 0), 6) / 6",
        forward=K.hardswish_forward,
        backward=K.hardswish_backward,
        kink="0 at x = -3, 1 at x = +3",
        kinks=(-3.0, 3.0),
        at_inf=lambda: ((-0.0, 0.0), (INF, 1.0)),
        notes="PyTorch gives NaN at -inf (-inf * 0); we give -0.",
    ),
    ActivationSpec(
        name="hardsigmoid",
        cls="Hardsigmoid",
        formula="min(max(x + 3, 0), 6) / 6",
        forward=K.hardsigmoid_forward,
        backward=K.hardsigmoid_backward,
        saves="mask",
        kink="0 at x = -3 and at x = +3",
        kinks=(-3.0, 3.0),
        at_inf=lambda: ((0.0, 0.0), (1.0, 0.0)),
        inexact_points=("grad",),
        notes="PyTorch's float64 gradient uses the float32 constant 1/6 (0.16666667163); we use "
        "the float64 1/6.",
    ),
    ActivationSpec(
        name="softsign",
        cls="Softsign",
        formula="x / (1 + |x|)",
        forward=K.softsign_forward,
        backward=K.softsign_backward,
        at_inf=lambda: ((-1.0, 0.0), (1.0, 0.0)),
        inplace=False,
        inexact_points=("grad",),
        notes="PyTorch gives NaN at +-inf (inf / inf); we give +-1. Its gradient is autograd "
        "through x / (1 + |x|), two terms that cancel for large |x| (1e-4 off at 1e4 in "
        "float32); ours is 1 / (1 + |x|)^2.",
    ),
    ActivationSpec(
        name="sigmoid",
        cls="Sigmoid",
        cost=2.0,
        formula="1 / (1 + exp(-x))",
        forward=S.sigmoid_forward,
        backward=S.sigmoid_backward,
        saves="output",
        at_inf=lambda: ((0.0, 0.0), (1.0, 0.0)),
        inplace=False,
    ),
    ActivationSpec(
        name="tanh",
        cls="Tanh",
        cost=2.0,
        formula="tanh(x)",
        forward=S.tanh_forward,
        backward=S.tanh_backward,
        saves="output",
        at_inf=lambda: ((-1.0, 0.0), (1.0, 0.0)),
        inplace=False,
        atol_eps=(0.0, 2.0),
        notes="The gradient 1 - y^2 from the saved output cancels as |y| -> 1: one ulp in y "
        "(ours or PyTorch's) moves it by eps, so tests allow 2 eps |g| (1 + |x|) on gradients.",
    ),
    ActivationSpec(
        name="threshold",
        cls="Threshold",
        formula="x if x > threshold else value",
        forward=K.threshold_forward,
        backward=K.mask_backward,
        backward_args=False,
        saves="mask",
        params=(("threshold", REQUIRED), ("value", REQUIRED)),
        kink="0 at x = threshold (x takes the value side)",
        kinks=lambda threshold, value: (threshold,),
        at_inf=lambda threshold, value: ((value, 0.0), (INF, 1.0)),
        cases=({"threshold": 0.5, "value": -2.0}, {"threshold": -1.0, "value": 3.0}),
    ),
)
