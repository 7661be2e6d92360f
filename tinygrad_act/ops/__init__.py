"""Every differentiable op as a `Function` subclass (forward + hand-written backward).

Files follow the kind of op: arithmetic, reduce, shape, linalg, softmax; activations and losses
live in their own modules. `tinygrad_act.tensor.Tensor` methods delegate here.
"""

import sys as _sys

from .. import tensor as _tensor
from ..engine import backward as _backward
from . import activations as _activations
from ._promote import compare
from ._util import as_tensor_like, raw, shape_arg, unbroadcast
from .arithmetic import (
    Abs,
    Add,
    Cast,
    Clamp,
    Div,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Sqrt,
    Sub,
    Where,
    clamp,
    maximum,
    minimum,
    where,
)
from .indexing import GetItem, getitem
from .inplace import AddInPlace, Copy, Fill, MulInPlace, add_, copy_, fill_, mul_, zero_
from .linalg import MatMul
from .reduce import (
    Amax,
    Amin,
    LogSumExp,
    Mean,
    Sum,
    TakeAlong,
    argmax,
    argmin,
    max,
    min,
)
from .shape import (
    Cat,
    Expand,
    Permute,
    Reshape,
    Stack,
    cat,
    flatten,
    squeeze,
    stack,
    transpose,
    unsqueeze,
)
from .softmax import LogSoftmax, Softmax

__all__ = [name for name in dir() if not name.startswith("_")]

# Tensor's methods (a + b, x.sum(), x.relu(), loss.backward()) delegate to these ops and to the
# engine, which build Tensors: this layer plugs them in once loaded, so tensor.py never imports
# upward (no import cycle)
_tensor.bind_layers(_sys.modules[__name__], _activations, _backward)
