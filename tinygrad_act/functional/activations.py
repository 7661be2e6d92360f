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

from collections.abc import Callable

from ..autograd import is_grad_enabled
from ..ops.activation_spec import REQUIRED
from ..ops.activations import TABLE, function_for
from ..tensor import Tensor

# The entry point is a real Python function with PyTorch's signature, written out from the row
# (as dataclasses writes __init__): Python binds the arguments, so F.relu(x) costs one call, and
# help(F.elu) and inspect.signature show the parameters. For leaky_relu it reads:
#     def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
#         if inplace:
#             return _inplace("leaky_relu", node, input, {"negative_slope": negative_slope})
#         return apply(input, negative_slope=negative_slope)
_TEMPLATE = """
def {name}({signature}) -> Tensor:
{inplace}    return apply({call})
"""
_INPLACE = """    if inplace:
        return _inplace({name!r}, node, input, {{{as_dict}}})
"""


def functional_for(name: str) -> Callable[..., Tensor]:
    """F.<name> for a registered activation, built from its row (see _TEMPLATE)."""
    if name not in TABLE:
        raise AttributeError(f"tinygrad_act.functional has no attribute {name!r}")
    spec, node = TABLE[name], function_for(name)
    env = {"Tensor": Tensor, "node": node, "apply": node.apply, "_inplace": _inplace}
    signature = [f"{t}: Tensor" for t in spec.inputs]
    for i, (n, d) in enumerate(spec.params):
        env[f"_default{i}"] = d
        kind = "float" if d is REQUIRED else type(d).__name__
        signature.append(f"{n}: {kind}" if d is REQUIRED else f"{n}: {kind} = _default{i}")
    names = [n for n, _ in spec.params]
    as_dict = ", ".join(f"{n!r}: {n}" for n in names)
    src = _TEMPLATE.format(
        name=name,
        signature=", ".join(signature + ["inplace: bool = False"] * spec.inplace),
        inplace=_INPLACE.format(name=name, as_dict=as_dict) if spec.inplace else "",
        call=", ".join(list(spec.inputs) + [f"{n}={n}" for n in names]),
    )
    exec(compile(src, f"<F.{name}, built from its row>", "exec"), env)  # noqa: S102
    fn = env[name]
    fn.__module__ = __name__
    fn.__doc__ = f"{spec.formula}. At the kink: {spec.kink}. Saves for backward: {spec.saves}."
    return fn


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
