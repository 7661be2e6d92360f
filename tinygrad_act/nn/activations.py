"""Activation modules with PyTorch's names, constructor arguments, attributes and reprs.

    nn.LeakyReLU(0.2)            # LeakyReLU(negative_slope=0.2)
    nn.PReLU(num_parameters=64)  # a learnable slope per channel (dim 1), weight is a Parameter
    nn.RReLU()                   # random slopes in train(), (lower + upper) / 2 in eval()

Each module stores its parameters as attributes (`m.negative_slope`) and calls F.<name> in
forward. The parameter list, defaults and docs come from the activation table, so an op added
with `register_activation` is available as nn.<Class> too (see `module_for`).
"""

from __future__ import annotations

import numpy as np

from ..ops.activation_functional import apply_activation, prelu
from ..ops.activation_spec import REQUIRED, TABLE
from ..tensor import Tensor
from .module import Module, Parameter


class _Activation(Module):
    """Generic activation module: the op's parameters in PyTorch's order, then `inplace`."""

    _op = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()
        spec = TABLE[self._op]
        names = [n for n, _ in spec.params if n != "training"] + (
            ["inplace"] if spec.inplace else []
        )
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
        self._names = [n for n in names if n != "inplace"]
        # an op with a `training` parameter (rrelu) follows the module's train()/eval() mode
        self._follows_mode = any(n == "training" for n, _ in spec.params)

    def forward(self, input: Tensor) -> Tensor:
        params = {n: getattr(self, n) for n in self._names}
        if self._follows_mode:
            params["training"] = self.training
        return apply_activation(self._op, input, getattr(self, "inplace", False), **params)

    def extra_repr(self) -> str:
        parts = [f"{n}={getattr(self, n)!r}" for n in self._names]
        if getattr(self, "inplace", False):
            parts.append("inplace=True")
        return ", ".join(parts)


class ReLU(_Activation):
    """max(x, 0) elementwise; relu'(0) = 0. Any shape in, same shape out."""

    _op = "relu"


class LeakyReLU(_Activation):
    """x if x > 0 else negative_slope * x. Args: negative_slope=0.01, inplace=False."""

    _op = "leaky_relu"


class RReLU(_Activation):
    """Randomized leaky ReLU: per-element slope ~ U(lower, upper) in training mode (seeded by
    ta.manual_seed), (lower + upper) / 2 in eval mode. Args: lower=1/8, upper=1/3, inplace."""

    _op = "rrelu"


class ELU(_Activation):
    """x if x > 0 else alpha * (exp(x) - 1). Args: alpha=1.0, inplace=False."""

    _op = "elu"


class CELU(_Activation):
    """x if x > 0 else alpha * (exp(x / alpha) - 1). Args: alpha=1.0, inplace=False."""

    _op = "celu"


class SELU(_Activation):
    """1.0507 * elu(x, 1.6733): self-normalizing. Args: inplace=False."""

    _op = "selu"


class GELU(_Activation):
    """x * Phi(x). Args: approximate='none' (erf) or 'tanh'."""

    _op = "gelu"


class SiLU(_Activation):
    """x * sigmoid(x). Args: inplace=False."""

    _op = "silu"


class Mish(_Activation):
    """x * tanh(softplus(x)). Args: inplace=False."""

    _op = "mish"


class Softplus(_Activation):
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold. Args: beta=1, threshold=20."""

    _op = "softplus"


class ReLU6(_Activation):
    """min(max(x, 0), 6); gradient 0 at both ends. Args: inplace=False."""

    _op = "relu6"


class Hardtanh(_Activation):
    """min(max(x, min_val), max_val). Args: min_val=-1.0, max_val=1.0, inplace=False."""

    _op = "hardtanh"


class Hardswish(_Activation):
    """x * min(max(x + 3, 0), 6) / 6. Args: inplace=False."""

    _op = "hardswish"


class Hardsigmoid(_Activation):
    """min(max(x + 3, 0), 6) / 6. Args: inplace=False."""

    _op = "hardsigmoid"


class Softsign(_Activation):
    """x / (1 + |x|)."""

    _op = "softsign"


class Sigmoid(_Activation):
    """1 / (1 + exp(-x))."""

    _op = "sigmoid"


class Tanh(_Activation):
    """tanh(x)."""

    _op = "tanh"


class Threshold(_Activation):
    """x if x > threshold else value. Args: threshold, value (required), inplace=False."""

    _op = "threshold"


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


_BUILTIN_MODULES = {c._op: c for c in _Activation.__subclasses__()}


def module_for(cls_name: str) -> type[Module]:
    """nn.<cls_name> for an op added with register_activation (built-ins are the classes above)."""
    for spec in TABLE.values():
        if spec.cls == cls_name:
            if spec.name in _BUILTIN_MODULES:
                return _BUILTIN_MODULES[spec.name]
            doc = f"{spec.formula}. At the kink: {spec.kink}."
            cls = type(cls_name, (_Activation,), {"_op": spec.name, "__doc__": doc})
            _BUILTIN_MODULES[spec.name] = cls
            return cls
    raise AttributeError(f"module 'tinygrad_act.nn' has no attribute {cls_name!r}")


def register_module(name: str, module: type[Module]) -> None:
    """Make a hand-written module nn.<Class> for the registered op `name` (for ops with a
    learnable parameter, which the generic module cannot hold; nn.PReLU is the built-in case)."""
    if name not in TABLE:
        raise KeyError(f"register_module: no activation named {name!r}; register_activation first")
    _BUILTIN_MODULES[name] = module
