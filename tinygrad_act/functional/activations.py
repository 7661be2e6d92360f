"""F.relu, F.elu, ...: each built from its table row (ops/activations.py), so a formula is written
once. `functional_for(name)` gives PyTorch's signature (the row's inputs, its parameters in order
with their defaults, then `inplace=False` where PyTorch has it) and a docstring taken from the
row; built-in rows and ops added with `register_activation` go through the same path.
Shapes: any input shape; the output has the input's shape and dtype (float32 or float64).

inplace=True writes the result into the input tensor's own array and returns that tensor, as in
PyTorch, also inside a graph: the node calls `ctx.mark_dirty`, so the tensor's version goes up and
a backward that needed its old values raises instead of computing a wrong gradient. A leaf that
requires grad raises, as in PyTorch.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from ..autograd import is_grad_enabled
from ..ops.activation_spec import REQUIRED
from ..ops.activations import TABLE, function_for
from ..tensor import Tensor

_P = inspect.Parameter


def functional_for(name: str) -> Callable[..., Tensor]:
    """F.<name> for a registered activation: fn(input, *params, inplace=False)."""
    if name not in TABLE:
        raise AttributeError(f"tinygrad_act.functional has no attribute {name!r}")
    spec, node = TABLE[name], function_for(name)
    apply = node.apply
    names = [n for n, _ in spec.params] + (["inplace"] if spec.inplace else [])
    n_tensors = len(spec.inputs)

    if n_tensors == 1:

        def fn(input: Tensor, *args, **params) -> Tensor:
            if args:
                params = _positional(name, names, args, params)
            if spec.inplace and params.pop("inplace", False):
                return _inplace(name, node, input, params)
            return apply(input, **params)

    else:  # more tensor inputs (a learnable weight): positional, as in F.prelu(input, weight)

        def fn(input: Tensor, *tensors: Tensor, **params) -> Tensor:
            if len(tensors) != n_tensors - 1:
                n = 1 + len(tensors)
                raise TypeError(f"{name}: takes the tensors {list(spec.inputs)}, got {n}")
            return apply(input, *tensors, **params)

    sig = [_P(t, _P.POSITIONAL_OR_KEYWORD, annotation="Tensor") for t in spec.inputs]
    for n, d in spec.params:
        default, kind = (_P.empty, "float") if d is REQUIRED else (d, type(d).__name__)
        sig.append(_P(n, _P.POSITIONAL_OR_KEYWORD, default=default, annotation=kind))
    if spec.inplace:
        sig.append(_P("inplace", _P.POSITIONAL_OR_KEYWORD, default=False, annotation="bool"))
    fn.__signature__ = inspect.Signature(sig, return_annotation="Tensor")
    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = __name__
    fn.__doc__ = f"{spec.formula}. At the kink: {spec.kink}. Saves for backward: {spec.saves}."
    return fn


def _positional(name: str, names: list, args: tuple, params: dict) -> dict:
    """Positional parameters after the input, by the row's order (PyTorch's)."""
    if len(args) > len(names):
        raise TypeError(f"{name}: takes at most {len(names)} arguments after the input {names}")
    for n, v in zip(names, args):
        if n in params:
            raise TypeError(f"{name}: got multiple values for argument {n!r}")
        params[n] = v
    return params


def _inplace(name: str, node, input, params: dict) -> Tensor:
    """Run `node` writing into `input`'s own array; returns `input` (see the module docstring).
    A leaf that requires grad is refused before anything is written, as in PyTorch."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: inplace=True needs a Tensor, got {type(input).__name__}")
    if input.requires_grad and input.is_leaf and is_grad_enabled():
        raise RuntimeError(
            f"{name}: a leaf tensor that requires grad cannot be modified in place; "
            "use inplace=False (or work under ta.no_grad())"
        )
    return node.apply(input, inplace=True, **params)


relu = functional_for("relu")
leaky_relu = functional_for("leaky_relu")
prelu = functional_for("prelu")
rrelu = functional_for("rrelu")
elu = functional_for("elu")
celu = functional_for("celu")
selu = functional_for("selu")
gelu = functional_for("gelu")
silu = functional_for("silu")
mish = functional_for("mish")
softplus = functional_for("softplus")
relu6 = functional_for("relu6")
hardtanh = functional_for("hardtanh")
hardswish = functional_for("hardswish")
hardsigmoid = functional_for("hardsigmoid")
softsign = functional_for("softsign")
sigmoid = functional_for("sigmoid")
tanh = functional_for("tanh")
threshold = functional_for("threshold")
