"""The functional activations (F.relu, F.leaky_relu, ...) with PyTorch's signatures and defaults.

Each is a thin entry onto a Function in ops/activations.py; `functional_for(name)` builds the same
kind of entry for an op added with `register_activation`. Shapes: any input shape; the output
has the input's shape and dtype (float32 or float64).

inplace=True writes the result into the input tensor and returns it, as in PyTorch, when autograd
is not recording through that input. When it is, a leaf raises (as in PyTorch) and a non-leaf gets
an out-of-place result: this engine has no version counters, so overwriting an array that another
op saved for backward would silently corrupt gradients.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..autograd import is_grad_enabled
from ..tensor import Tensor
from .activation_spec import TABLE
from .activations import _FUNCTIONS, PReLU, function_for

_RELU = function_for("relu")


def apply_activation(name: str, input, inplace: bool, *args, **params) -> Tensor:
    """Run activation `name` on `input`, in place if asked and safe (see the module docstring)."""
    fn = _FUNCTIONS.get(name) or function_for(name)
    if not inplace:
        return fn.apply(input, *args, **params)
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: inplace=True needs a Tensor, got {type(input).__name__}")
    if input.requires_grad and is_grad_enabled():
        if input.is_leaf:
            raise RuntimeError(
                f"{name}: a leaf tensor that requires grad cannot be modified in place; "
                "use inplace=False (or work under ta.no_grad())"
            )
        return fn.apply(input, *args, **params)
    out = fn.apply(input, *args, **params)
    np.copyto(input.data, out.data)
    return input


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """x if x > 0 else 0. relu'(0) = 0. Saves a bool mask (1 byte per element)."""
    if not inplace:  # the common case, without a detour: small inputs cost microseconds
        return _RELU.apply(input)
    return apply_activation("relu", input, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x; the slope at 0 is negative_slope. Saves a bool mask."""
    return apply_activation("leaky_relu", input, inplace, negative_slope=negative_slope)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x if x > 0 else weight[c] * x, c along dim 1; weight (1,) or (C,). Gradients for both."""
    return PReLU.apply(input, weight)


def rrelu(
    input: Tensor,  # PyTorch's name, shadowing the builtin as F.rrelu does
    lower: float = 1.0 / 8.0,
    upper: float = 1.0 / 3.0,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Leaky ReLU with slope ~ U(lower, upper) per element in training, (lower+upper)/2 in eval."""
    return apply_activation("rrelu", input, inplace, lower=lower, upper=upper, training=training)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha * (exp(x) - 1); alpha at x = 0."""
    return apply_activation("elu", input, inplace, alpha=alpha)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha * (exp(x / alpha) - 1); derivative 1 at 0."""
    return apply_activation("celu", input, inplace, alpha=alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """1.0507 * (x if x > 0 else 1.6733 * (exp(x) - 1)); 1.0507 * 1.6733 at x = 0."""
    return apply_activation("selu", input, inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (exact, via erf) or its tanh approximation (approximate='tanh')."""
    return function_for("gelu").apply(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (a.k.a. swish)."""
    return apply_activation("silu", input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return apply_activation("mish", input, inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta * x > threshold."""
    return function_for("softplus").apply(input, beta=beta, threshold=threshold)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6); gradient 0 at x = 0 and x = 6."""
    return apply_activation("relu6", input, inplace)


def hardtanh(
    input: Tensor,
    min_val: float = -1.0,
    max_val: float = 1.0,
    inplace: bool = False,
) -> Tensor:
    """min(max(x, min_val), max_val); gradient 0 at both boundaries."""
    return apply_activation("hardtanh", input, inplace, min_val=min_val, max_val=max_val)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * min(max(x + 3, 0), 6) / 6; gradient 0 at x = -3, 1 at x = 3."""
    return apply_activation("hardswish", input, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x + 3, 0), 6) / 6; gradient 1/6 strictly inside (-3, 3), else 0."""
    return apply_activation("hardsigmoid", input, inplace)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return function_for("softsign").apply(input)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)); saves its output, since sigmoid' = y (1 - y)."""
    return function_for("sigmoid").apply(input)


def tanh(input: Tensor) -> Tensor:
    """tanh(x); saves its output, since tanh' = 1 - y^2."""
    return function_for("tanh").apply(input)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x if x > threshold else value; gradient 0 at x == threshold."""
    return apply_activation("threshold", input, inplace, threshold=threshold, value=value)


def functional_for(name: str) -> Callable[..., Tensor]:
    """F.<name> for any registered activation: fn(input, *params, inplace=False, **params)."""
    if name in globals() and name in TABLE:
        return globals()[name]
    if name not in TABLE:
        raise AttributeError(f"tinygrad_act.functional has no attribute {name!r}")
    spec = TABLE[name]
    if len(spec.inputs) > 1:  # more tensor inputs (a learnable weight): positional, as F.prelu
        return _functional_with_tensors(name)
    names = [n for n, _ in spec.params]

    def fn(input: Tensor, *args, inplace: bool = False, **params) -> Tensor:
        if len(args) > len(names):
            raise TypeError(f"{name}: takes at most {len(names)} parameters {names}")
        params.update(zip(names, args))
        return apply_activation(name, input, inplace, **params)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{spec.formula}. At the kink: {spec.kink}."
    return fn


def _functional_with_tensors(name: str) -> Callable[..., Tensor]:
    """F.<name>(input, weight, ..., **params) for a registered op with several tensor inputs."""
    spec = TABLE[name]

    def fn(input: Tensor, *tensors: Tensor, **params) -> Tensor:
        if len(tensors) != len(spec.inputs) - 1:
            n = 1 + len(tensors)
            raise TypeError(f"{name}: takes the tensors {list(spec.inputs)}, got {n}")
        return function_for(name).apply(input, *tensors, **params)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{spec.formula}. At the kink: {spec.kink}."
    return fn
