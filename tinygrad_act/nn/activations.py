"""Activation modules with PyTorch's names, constructor arguments, attributes and reprs.

    nn.LeakyReLU(0.2)            # LeakyReLU(negative_slope=0.2)
    nn.PReLU(num_parameters=64)  # a learnable slope per channel (dim 1), weight is a Parameter
    nn.RReLU()                   # random slopes in train(), (lower + upper) / 2 in eval()

Each module class is built from its table row (ops/activations.py) by `module_for`: it stores the
row's parameters as attributes (`m.negative_slope`) and calls F.<name> in forward. PReLU, whose
weight is a Parameter, is written out; `register_module` adds such a hand-written module for an
op added with `register_activation`.
"""

from __future__ import annotations

import numpy as np

from ..functional.activations import functional_for, prelu
from ..ops.activation_spec import REQUIRED
from ..ops.activations import TABLE
from ..tensor import Tensor
from .module import Module, Parameter


class ActivationModule(Module):
    """An activation module: the op's parameters in PyTorch's order, then `inplace`."""

    _op = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()
        spec = TABLE[self._op]
        self._fn = functional_for(self._op)
        # an op with a `training` parameter (rrelu) follows the module's train()/eval() mode
        self._follows_mode = any(n == "training" for n, _ in spec.params)
        self._names = [n for n, _ in spec.params if n != "training"]
        names = self._names + (["inplace"] if spec.inplace else [])
        defaults = dict(spec.params, inplace=False)
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}() takes at most {len(names)} arguments {names}")
        given = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in names or k in given:
                raise TypeError(f"{type(self).__name__}() got an unexpected or repeated {k!r}")
            given[k] = v
        for n in names:
            value = given.get(n, defaults[n])
            if value is REQUIRED:
                raise TypeError(f"{type(self).__name__}() missing required argument {n!r}")
            setattr(self, n, value)

    def forward(self, input: Tensor) -> Tensor:
        params = {n: getattr(self, n) for n in self._names}
        if self._follows_mode:
            params["training"] = self.training
        if getattr(self, "inplace", False):
            params["inplace"] = True
        return self._fn(input, **params)

    def extra_repr(self) -> str:
        parts = [f"{n}={getattr(self, n)!r}" for n in self._names]
        if getattr(self, "inplace", False):
            parts.append("inplace=True")
        return ", ".join(parts)


class PReLU(Module):
    """x if x > 0 else weight[c] * x, with a learnable slope per channel (dim 1).

    num_parameters: 1 (one slope shared by all channels) or the number of channels C.
    init: the initial slope. weight: Parameter of shape (num_parameters,), float32.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        self.num_parameters = int(num_parameters)
        self.init = init
        self.weight = Parameter(np.full(self.num_parameters, init, dtype=np.float32))

    def forward(self, input: Tensor) -> Tensor:
        return prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


_MODULES: dict[str, type[Module]] = {"prelu": PReLU}


def _build(name: str) -> type[Module]:
    """The module class of row `name`, its docstring from the row."""
    spec = TABLE[name]
    args = [n if d is REQUIRED else f"{n}={d!r}" for n, d in spec.params if n != "training"]
    args += ["inplace=False"] if spec.inplace else []
    doc = f"{spec.formula}. Args: {', '.join(args) or 'none'}. At the kink: {spec.kink}."
    attrs = {"_op": name, "__doc__": doc, "__module__": __name__, "__qualname__": spec.cls}
    return type(spec.cls, (ActivationModule,), attrs)


def module_for(cls_name: str) -> type[Module]:
    """nn.<cls_name> for a registered activation (built once per row)."""
    for spec in TABLE.values():
        if spec.cls == cls_name:
            cached = _MODULES.get(spec.name)
            if cached is None:
                cached = _MODULES[spec.name] = _build(spec.name)
            return cached
    raise AttributeError(f"module 'tinygrad_act.nn' has no attribute {cls_name!r}")


def register_module(name: str, module: type[Module]) -> None:
    """Make a hand-written module nn.<Class> for the registered op `name` (for ops with a
    learnable parameter, which the generic module cannot hold; nn.PReLU is the built-in case)."""
    if name not in TABLE:
        raise KeyError(f"register_module: no activation named {name!r}; register_activation first")
    _MODULES[name] = module


ReLU = module_for("ReLU")
LeakyReLU = module_for("LeakyReLU")
RReLU = module_for("RReLU")
ELU = module_for("ELU")
CELU = module_for("CELU")
SELU = module_for("SELU")
GELU = module_for("GELU")
SiLU = module_for("SiLU")
Mish = module_for("Mish")
Softplus = module_for("Softplus")
ReLU6 = module_for("ReLU6")
Hardtanh = module_for("Hardtanh")
Hardswish = module_for("Hardswish")
Hardsigmoid = module_for("Hardsigmoid")
Softsign = module_for("Softsign")
Sigmoid = module_for("Sigmoid")
Tanh = module_for("Tanh")
Threshold = module_for("Threshold")
