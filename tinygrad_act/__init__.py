"""tinygrad_act: a small autograd engine for experiments on neural-network activations.

import tinygrad_act as ta
import tinygrad_act.functional as F
x = ta.tensor([[1.0, -2.0]], requires_grad=True)
F.leaky_relu(x, negative_slope=0.01).sum().backward()
x.grad
"""

from __future__ import annotations

from . import data, diagnostics, functional, nn, optim, train
from ._blas import set_blas_threads
from .autograd import Context, Function, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .capture import CompiledStep, compile  # noqa: A004 - torch.compile's name
from .creation import (
    arange,
    empty,
    full,
    ones,
    ones_like,
    rand,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool_,
    double,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    uint8,
)
from .interop import from_dlpack
from .kernels import get_num_threads, set_num_threads
from .ops import cat, maximum, minimum, stack, unbroadcast, where
from .random import manual_seed
from .tensor import Tensor
from .testing import GradcheckError, gradcheck

F = functional

__version__ = "0.1.0"

__all__ = [
    "Context",
    "F",
    "Function",
    "GradcheckError",
    "Tensor",
    "arange",
    "bool_",
    "cat",
    "compile",
    "CompiledStep",
    "data",
    "diagnostics",
    "double",
    "empty",
    "enable_grad",
    "float16",
    "float32",
    "float64",
    "from_dlpack",
    "full",
    "functional",
    "get_num_threads",
    "gradcheck",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "long",
    "manual_seed",
    "maximum",
    "minimum",
    "nn",
    "no_grad",
    "optim",
    "promote_types",
    "ones",
    "ones_like",
    "rand",
    "randn",
    "randn_like",
    "result_type",
    "set_blas_threads",
    "set_grad_enabled",
    "set_num_threads",
    "stack",
    "tensor",
    "train",
    "uint8",
    "unbroadcast",
    "where",
    "zeros",
    "zeros_like",
]
