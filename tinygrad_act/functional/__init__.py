"""tinygrad_act.functional (imported as F): user-facing functions with PyTorch's names.

activations.py builds F.relu, F.elu, ... from the activation table; losses.py checks the
arguments of the losses. Each is a thin entry point onto a Function in `tinygrad_act.ops`.
"""

from __future__ import annotations

from ..ops import cat, stack, where  # noqa: F401 - re-exported for F.where etc.
from ..ops.dropout import dropout  # noqa: F401 - layers live with their Functions
from ..tensor import Tensor
from .activations import (  # noqa: F401 - built from the rows of ops/activations.py
    celu,
    elu,
    functional_for,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    mish,
    prelu,
    relu,
    relu6,
    rrelu,
    selu,
    sigmoid,
    silu,
    softplus,
    softsign,
    tanh,
    threshold,
)
from .conv import (  # noqa: F401 - conv1d, pooling, batch_norm (ops/conv, pool, norm)
    adaptive_avg_pool1d,
    avg_pool1d,
    batch_norm,
    conv1d,
    max_pool1d,
)
from .linear import linear, sparse_linear  # noqa: F401
from .losses import (  # noqa: F401
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
    nll_loss,
)


def softmax(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002 - PyTorch's name
    """exp(x) / sum(exp(x)) along `dim`."""
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """x - logsumexp(x) along `dim`, computed without overflow."""
    return input.log_softmax(dim)


def __getattr__(name: str):
    """F.<name> for an activation added with register_activation() (ops/activations.py)."""
    return functional_for(name)
