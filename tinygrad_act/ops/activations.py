"""The activation table: one graph node per ReLU-family op, each holding its row.

    class ELU(Activation):
        spec = ActivationSpec(name="elu", formula=..., forward=S.elu_forward, ...)

Read a class to learn an op: its kernels (kernels/activations*.py), its parameters with PyTorch's
defaults, what backward needs (a 1-byte mask where the sign is enough), the derivative PyTorch
picks at each kink (checked against torch by tools/make_golden_activations.py) and its limits at
+-inf. `Activation` (ops/activation_spec.py) runs every row the same way; PReLU (a weight input
with its own gradient) and RReLU (random slopes) write forward and backward out. F.<name> and
nn.<Class> are built from the rows (functional/activations.py, nn/activations.py), and so is the
API page (tools/gen_activation_docs.py). A new op: one kernel pair plus one
`register_activation(ActivationSpec(...))`.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..kernels import activations as K
from ..kernels import activations_smooth as S
from ..kernels import launch
from ..random import default_generator
from .activation_spec import (
    INF,
    REQUIRED,
    STANDARD_SAVES,
    Activation,
    ActivationSpec,
    as_kernel_grad,
    as_kernel_input,
)

__all__ = ["TABLE", "Activation", "ActivationSpec", "as_kernel_grad", "as_kernel_input"]
__all__ += ["function_for", "register_activation", "unregister_activation"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class ReLU(Activation):
    spec = ActivationSpec(
        name="relu",
        cls="ReLU",
        formula="x if x > 0 else 0",
        forward=K.relu_forward,
        backward=K.mask_backward,
        saves="mask",
        kink="relu'(0) = 0: mask x > 0, never maximum(x, 0)",
        kinks=(0.0,),
    )


class LeakyReLU(Activation):
    spec = ActivationSpec(
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
    )


class PReLU(Function):
    """prelu(x, weight) = x if x > 0 else weight[c] * x, c the index along dim 1 (weight (C,)),
    or one shared slope (weight (1,)). Saves x and weight; returns gradients for both:
    dx = g if x > 0 else weight[c] * g (the slope at 0); dweight[c] = sum of x * g where x <= 0.
    """

    spec = ActivationSpec(
        name="prelu",
        cls="PReLU",
        formula="x if x > 0 else weight[c] * x, c the index along dim 1",
        forward=K.prelu_forward,
        backward=K.prelu_backward,
        saves="input x and weight",
        inputs=("input", "weight"),
        kink="weight at x = 0",
        kinks=(0.0,),
        at_inf=lambda: ((-INF, 0.25), (INF, 1.0)),  # for weight 0.25
        inplace=False,
    )
    kinks = (0.0,)

    @staticmethod
    def forward(ctx, x, weight):
        x, w = np.asarray(x), np.asarray(weight)
        flat = as_kernel_input("prelu", x)
        if w.dtype != x.dtype:
            raise TypeError(
                f"prelu: weight is {w.dtype} but input is {x.dtype}; convert one to match "
                "(e.g. weight.double() for a float64 input)"
            )
        if w.ndim > 1:
            raise ValueError(f"prelu: weight must be a scalar or 1-D, got shape {w.shape}")
        channels = x.shape[1] if x.ndim >= 2 else 1
        if w.size not in (1, channels):
            raise ValueError(
                f"prelu: weight of shape {w.shape} does not match the input of shape {x.shape}, "
                f"which has {channels} channel(s) along dim 1; pass a weight of shape (1,) or "
                f"({channels},), e.g. nn.PReLU(num_parameters={channels})"
            )
        wk = np.ascontiguousarray(w).reshape(-1)
        # (N, C, S) so the kernel finds each element's channel without dividing indices; one
        # shared slope uses (N, 1, rest). The leading axis is what launch() splits over threads.
        n = x.shape[0] if x.ndim else 1
        c = wk.size if x.ndim >= 2 else 1
        x3 = flat.reshape(n, c, flat.size // (n * c) if n * c else 0)
        out = np.empty_like(x3)
        launch(K.prelu_forward, (x3, out), (wk,))
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x3, wk)
            ctx.shape, ctx.wshape = x.shape, w.shape
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x3, wk = ctx.saved_tensors
        g = as_kernel_grad(grad, x3.dtype).reshape(x3.shape)
        grad_in = np.empty_like(x3)
        rows = np.empty((x3.shape[0], x3.shape[1]), dtype=np.float64)
        launch(K.prelu_backward, (g, x3, grad_in, rows), (wk,))
        gw = rows.sum(axis=0).astype(wk.dtype).reshape(ctx.wshape)
        return grad_in.reshape(ctx.shape), gw


class RReLU(Function):
    """Randomized leaky ReLU. training=True: each element's slope a ~ U(lower, upper), drawn from
    the library's seeded generator (ta.manual_seed) and saved; y = x if x > 0 else a * x, and
    x = 0 takes the slope. training=False: leaky_relu with slope (lower + upper) / 2 (saves a mask).
    """

    spec = ActivationSpec(
        name="rrelu",
        cls="RReLU",
        formula="x if x > 0 else a * x; a ~ U(lower, upper) in training, (lower + upper) / 2 "
        "in eval",
        forward=K.rrelu_train_forward,
        backward=K.rrelu_train_backward,
        saves="slopes (training) or mask (eval)",
        params=(("lower", 1.0 / 8.0), ("upper", 1.0 / 3.0), ("training", False)),
        kink="the slope at x = 0",
        kinks=(0.0,),
        at_inf=lambda lower, upper, training: ((-INF, (lower + upper) / 2), (INF, 1.0)),
    )
    kinks = (0.0,)

    @staticmethod
    def forward(ctx, x, inplace=False, **params):
        spec = RReLU.spec
        lower, upper, training = spec.args(params) if params else spec.default_args  # floats
        if lower > upper:
            raise ValueError(f"rrelu: lower ({lower}) must be <= upper ({upper}); swap the bounds")
        x = np.asarray(x)
        flat = as_kernel_input("rrelu", x)
        # inplace: the kernels read x[i] before writing out[i], so out may be x's own array
        direct = inplace and x.flags.c_contiguous and x.flags.writeable
        out = flat if direct else np.empty_like(flat)
        ctx.shape, ctx.training = x.shape, bool(training)
        ctx.dtype = flat.dtype
        if ctx.training:
            noise = default_generator().random(flat.size, dtype=flat.dtype)  # U[0, 1)
            noise *= flat.dtype.type(upper - lower)
            noise += flat.dtype.type(lower)
            launch(K.rrelu_train_forward, (flat, noise, out))
            ctx.save_for_backward(noise)
        else:
            mask = np.empty(flat.shape, dtype=np.bool_)
            ctx.slope = (lower + upper) / 2.0
            launch(K.leaky_relu_forward, (flat, out, mask), (ctx.slope,))
            ctx.save_for_backward(mask)
        if not inplace:
            return out.reshape(x.shape)
        if not direct:
            x[...] = out.reshape(x.shape)  # raises for a read-only array, before mark_dirty
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        (saved,) = ctx.saved_tensors
        g = as_kernel_grad(grad, ctx.dtype)
        grad_in = np.empty_like(g)
        if ctx.training:
            launch(K.rrelu_train_backward, (g, saved, grad_in))
        else:
            launch(K.leaky_relu_backward, (g, saved, grad_in), (ctx.slope,))
        return grad_in.reshape(ctx.shape)


class ELU(Activation):
    spec = ActivationSpec(
        name="elu",
        cls="ELU",
        formula="x if x > 0 else alpha * (exp(x) - 1)",
        forward=S.elu_forward,
        backward=S.elu_backward,
        params=(("alpha", 1.0),),
        kernel_args=lambda alpha: (float(alpha), 1.0, 1.0),
        kink="alpha at x = 0 (the negative branch)",
        kinks=(0.0,),
        at_inf=lambda alpha: ((-alpha, 0.0), (INF, 1.0)),
    )
    cost = 3.0  # an exp per element: threads pay off at a third of relu's size


class CELU(Activation):
    spec = ActivationSpec(
        name="celu",
        cls="CELU",
        formula="x if x > 0 else alpha * (exp(x / alpha) - 1)",  # elu with input scale 1/alpha
        forward=S.elu_forward,
        backward=S.elu_backward,
        params=(("alpha", 1.0),),
        kernel_args=lambda alpha: (float(alpha), 1.0, 1.0 / alpha),
        kink="1 at x = 0 (continuously differentiable)",
        at_inf=lambda alpha: ((-alpha, 0.0), (INF, 1.0)),
    )
    cost = 3.0


class SELU(Activation):
    spec = ActivationSpec(
        name="selu",
        cls="SELU",
        formula="scale * (x if x > 0 else alpha * (exp(x) - 1)), alpha = 1.6733, scale = 1.0507",
        forward=S.elu_forward,
        backward=S.elu_backward,
        kernel_args=lambda: (SELU_ALPHA, SELU_SCALE, 1.0),
        kink="scale * alpha at x = 0",
        kinks=(0.0,),
        at_inf=lambda: ((-SELU_ALPHA * SELU_SCALE, 0.0), (INF, SELU_SCALE)),
    )
    cost = 3.0


def _gelu_args(approximate: str) -> tuple:
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return (approximate == "tanh",)


class GELU(Activation):
    spec = ActivationSpec(
        name="gelu",
        cls="GELU",
        formula="x * Phi(x) = x/2 * (1 + erf(x / sqrt(2))); approximate='tanh': "
        "x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))",
        forward=S.gelu_forward,
        backward=S.gelu_backward,
        params=(("approximate", "none"),),
        kernel_args=_gelu_args,
        at_inf=lambda approximate: ((-0.0, 0.0), (INF, 1.0)),
        inplace=False,
    )
    cost = 4.0


class SiLU(Activation):
    spec = ActivationSpec(
        name="silu",
        cls="SiLU",
        formula="x * sigmoid(x)",
        forward=S.silu_forward,
        backward=S.silu_backward,
        at_inf=lambda: ((-0.0, 0.0), (INF, 1.0)),
    )
    cost = 3.0


class Mish(Activation):
    spec = ActivationSpec(
        name="mish",
        cls="Mish",
        formula="x * tanh(softplus(x))",
        forward=S.mish_forward,
        backward=S.mish_backward,
        at_inf=lambda: ((-0.0, 0.0), (INF, 1.0)),
    )
    cost = 3.0


def _softplus_args(beta: float, threshold: float) -> tuple:
    if beta == 0:
        raise ValueError("softplus: beta must be nonzero (it divides log(1 + exp(beta x)))")
    return (float(beta), float(threshold))


class Softplus(Activation):
    spec = ActivationSpec(
        name="softplus",
        cls="Softplus",
        formula="log(1 + exp(beta * x)) / beta, or x where beta * x > threshold",
        forward=S.softplus_forward,
        backward=S.softplus_backward,
        params=(("beta", 1.0), ("threshold", 20.0)),
        kernel_args=_softplus_args,
        kink="linear (gradient 1) where beta * x > threshold, sigmoid(beta * x) at and below",
        kinks=lambda beta, threshold: (threshold / beta,),
        inplace=False,
    )
    cost = 3.0


class ReLU6(Activation):
    spec = ActivationSpec(
        name="relu6",
        cls="ReLU6",
        formula="min(max(x, 0), 6)",  # hardtanh(x, 0, 6), as in PyTorch
        forward=K.hardtanh_forward,
        backward=K.mask_backward,
        saves="mask",
        kernel_args=lambda: (0.0, 6.0),
        kink="0 at x = 0 and at x = 6",
        kinks=(0.0, 6.0),
        at_inf=lambda: ((0.0, 0.0), (6.0, 0.0)),
    )


def _hardtanh_args(min_val: float, max_val: float) -> tuple:
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must be <= max_val ({max_val})")
    return (float(min_val), float(max_val))


class Hardtanh(Activation):
    spec = ActivationSpec(
        name="hardtanh",
        cls="Hardtanh",
        formula="min(max(x, min_val), max_val)",
        forward=K.hardtanh_forward,
        backward=K.mask_backward,
        saves="mask",
        params=(("min_val", -1.0), ("max_val", 1.0)),
        kernel_args=_hardtanh_args,
        kink="0 at both boundaries",
        kinks=lambda min_val, max_val: (min_val, max_val),
        at_inf=lambda min_val, max_val: ((min_val, 0.0), (max_val, 0.0)),
    )


class Hardswish(Activation):
    spec = ActivationSpec(
        name="hardswish",
        cls="Hardswish",
        formula="x * min(max(x + 3, 0), 6) / 6",
        forward=K.hardswish_forward,
        backward=K.hardswish_backward,
        kink="0 at x = -3, 1 at x = +3",
        kinks=(-3.0, 3.0),
        at_inf=lambda: ((-0.0, 0.0), (INF, 1.0)),
    )


class Hardsigmoid(Activation):
    spec = ActivationSpec(
        name="hardsigmoid",
        cls="Hardsigmoid",
        formula="min(max(x + 3, 0), 6) / 6",
        forward=K.hardsigmoid_forward,
        backward=K.hardsigmoid_backward,
        saves="mask",
        kink="0 at x = -3 and at x = +3",
        kinks=(-3.0, 3.0),
        at_inf=lambda: ((0.0, 0.0), (1.0, 0.0)),
    )


class Softsign(Activation):
    spec = ActivationSpec(
        name="softsign",
        cls="Softsign",
        formula="x / (1 + |x|)",
        forward=K.softsign_forward,
        backward=K.softsign_backward,
        at_inf=lambda: ((-1.0, 0.0), (1.0, 0.0)),
        inplace=False,
    )


class Sigmoid(Activation):
    spec = ActivationSpec(
        name="sigmoid",
        cls="Sigmoid",
        formula="1 / (1 + exp(-x))",
        forward=S.sigmoid_forward,
        backward=S.sigmoid_backward,
        saves="output",  # sigmoid' = y (1 - y)
        at_inf=lambda: ((0.0, 0.0), (1.0, 0.0)),
        inplace=False,
    )
    cost = 2.0


class Tanh(Activation):
    spec = ActivationSpec(
        name="tanh",
        cls="Tanh",
        formula="tanh(x)",
        forward=S.tanh_forward,
        backward=S.tanh_backward,
        saves="output",  # tanh' = 1 - y^2
        at_inf=lambda: ((-1.0, 0.0), (1.0, 0.0)),
        inplace=False,
    )
    cost = 2.0


class Threshold(Activation):
    spec = ActivationSpec(
        name="threshold",
        cls="Threshold",
        formula="x if x > threshold else value",
        forward=K.threshold_forward,
        backward=K.mask_backward,
        saves="mask",
        params=(("threshold", REQUIRED), ("value", REQUIRED)),
        kink="0 at x = threshold (x takes the value side)",
        kinks=lambda threshold, value: (threshold,),
        at_inf=lambda threshold, value: ((value, 0.0), (INF, 1.0)),
    )


# ---- the registry: name -> row, and name -> graph node ------------------------------------------
TABLE: dict[str, ActivationSpec] = {}
FUNCTIONS: dict[str, type[Function]] = {}


def register_activation(spec: ActivationSpec, function: type[Function] | None = None):
    """Add an op to the table and return its Function class (built from `spec` unless given).

    The op becomes `F.<spec.name>` and `nn.<spec.cls>`. `spec.forward`/`spec.backward` follow
    the kernel convention in ops/activation_spec.py; pass `function` only for ops that do not
    (like PReLU). Registering a name twice raises ValueError.
    """
    if not isinstance(spec, ActivationSpec):
        raise TypeError(f"register_activation: expected an ActivationSpec, got {type(spec)}")
    if spec.name in TABLE:
        raise ValueError(f"register_activation: {spec.name!r} is already registered")
    bad = [n for n in (spec.name, spec.cls, *(p for p, _ in spec.params)) if not n.isidentifier()]
    if bad:  # they become F.<name>, nn.<cls> and keyword arguments
        raise ValueError(f"register_activation: {bad} must be Python identifiers")
    if function is None:
        if spec.saves not in STANDARD_SAVES:
            raise ValueError(
                f"register_activation: {spec.name}: saves must be one of {STANDARD_SAVES} "
                f"(got {spec.saves!r}), or pass function= a hand-written Function"
            )
        function = type(spec.cls, (Activation,), {"spec": spec, "__module__": __name__})
    TABLE[spec.name] = spec
    FUNCTIONS[spec.name] = function
    return function


def unregister_activation(name: str) -> None:
    """Remove an op added with register_activation (built-ins stay): lets an edited exercise be
    registered again in the same Python session, and lets tests clean up after themselves."""
    if any(spec.name == name for spec in BUILTIN):
        raise ValueError(f"unregister_activation: {name!r} is built in and cannot be removed")
    TABLE.pop(name, None)
    FUNCTIONS.pop(name, None)


def function_for(name: str) -> type[Function]:
    """The Function class (graph node) of a registered activation."""
    try:
        return FUNCTIONS[name]
    except KeyError:
        raise KeyError(f"no activation named {name!r}; registered: {sorted(FUNCTIONS)}") from None


_NODES = (ReLU, LeakyReLU, PReLU, RReLU, ELU, CELU, SELU, GELU, SiLU, Mish, Softplus, ReLU6)
_NODES += (Hardtanh, Hardswish, Hardsigmoid, Softsign, Sigmoid, Tanh, Threshold)
BUILTIN: tuple[ActivationSpec, ...] = tuple(node.spec for node in _NODES)
for _node in _NODES:
    register_activation(_node.spec, _node)
