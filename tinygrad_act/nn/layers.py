"""Layers: Linear, Sequential, Flatten, Dropout, Identity (PyTorch names, defaults and reprs)."""

from __future__ import annotations

import math
import operator
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import dtypes as _dt
from ..ops.dropout import dropout
from ..ops.linear import Linear as _LinearFn
from ..tensor import Tensor
from . import init
from .module import Module, Parameter, check_param_dtype


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to switch an activation off)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return input


class Linear(Module):
    """y = x @ W^T + b.  x: (*, in_features) -> y: (*, out_features).

    weight: (out_features, in_features), bias: (out_features,). PyTorch's default init:
    kaiming_uniform_(weight, a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), and bias
    U(-1/sqrt(in), 1/sqrt(in)), drawn from the seeded generator (ta.manual_seed).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if device not in (None, "cpu"):
            raise ValueError(f"Linear: only device='cpu' exists here, got {device!r}")
        in_features = _feature_count("in_features", in_features)
        out_features = _feature_count("out_features", out_features)
        if in_features < 0 or out_features < 0:
            raise ValueError(
                f"Linear: in_features and out_features must be >= 0, got {in_features} and "
                f"{out_features}"
            )
        dt = _dt.default_float if dtype is None else _dt.to_dtype(dtype)
        check_param_dtype("Linear", dt)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)) on weight, U(+-1/sqrt(fan_in)) on bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        w = self.weight
        if not isinstance(input, Tensor) or not input.data.ndim:
            self._bad_input(input)
        if input.data.shape[-1] != self.in_features:
            self._bad_input(input)
        if input.data.dtype != w.data.dtype:
            raise TypeError(
                f"{self!r}: input is {input.data.dtype} but the layer's parameters are "
                f"{w.data.dtype}; convert the input (x.to({w.data.dtype})) or the model "
                f"(model.to({input.data.dtype}))"
            )
        return _LinearFn.apply(input, w, self.bias)

    def _bad_input(self, input: Any) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"{self!r}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim == 0:
            raise ValueError(
                f"{self!r}: input is a 0-d tensor but the layer expects shape "
                f"(*, {self.in_features})"
            )
        raise ValueError(
            f"{self!r}: input has {input.shape[-1]} features (shape {input.shape}) but the layer "
            f"expects {self.in_features}"
        )

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


def _feature_count(name: str, n: Any) -> int:
    """An int size (numpy ints too); 2.5 is refused rather than truncated, as in PyTorch."""
    try:
        return operator.index(n)
    except TypeError:
        raise TypeError(
            f"Linear: {name} must be an int, got {n!r} ({type(n).__name__}); pass int(...) if "
            "the size comes from a computation"
        ) from None


class Flatten(Module):
    """Merge dims start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout: in train mode zero each element with prob p, scale the rest by 1/(1-p).

    In eval mode (model.eval()) it is the identity. The mask comes from the seeded generator.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace  # accepted for PyTorch compatibility; we never write in place

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Sequential(Module):
    """Calls its modules in order; children are named '0', '1', ... (or by an OrderedDict)."""

    def __init__(self, *args: Module) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, m in args[0].items():
                self.add_module(name, _as_module(m, name))
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), _as_module(m, str(i)))

    def forward(self, input: Any) -> Any:  # noqa: A002
        for m in self._modules.values():
            input = m(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        keys = list(self._modules)
        n = len(keys)
        i = int(idx)
        if not -n <= i < n:
            raise IndexError(f"Sequential: index {i} is out of range for {n} modules")
        return self._modules[keys[i % n]]

    def __setitem__(self, idx: int, module: Module) -> None:
        keys = list(self._modules)
        key = keys[int(idx)]
        self._modules[key] = _as_module(module, key)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)
        for k in keys[idx] if isinstance(idx, slice) else [keys[int(idx)]]:
            del self._modules[k]
        # PyTorch renumbers the remaining modules so indices stay 0..n-1
        items = list(self._modules.values())
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), _as_module(module, str(len(self))))
        return self


def _as_module(m: Any, name: str) -> Module:
    if not isinstance(m, Module):
        raise TypeError(
            f"Sequential: item {name} is a {type(m).__name__}, not a Module; pass layers like "
            "nn.Linear(2, 64) or nn.ReLU() (functions such as F.relu need a Module wrapper)"
        )
    return m
