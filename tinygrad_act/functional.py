"""tinygrad_act.functional (imported as F): user-facing functions with PyTorch's names.

Each is a thin entry point onto a Function in `tinygrad_act.ops`.
"""

from __future__ import annotations

from .ops import cat, stack, where  # noqa: F401 - re-exported for F.where etc.
from .ops.activation_functional import (  # noqa: F401 - the activations (ops/activation_table.py)
    celu,
    elu,
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
from .ops.dropout import dropout  # noqa: F401 - layers and losses live with their Functions
from .ops.linear import linear  # noqa: F401
from .ops.loss_api import (  # noqa: F401
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
    nll_loss,
)
from .tensor import Tensor


def softmax(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002 - PyTorch's name
    """exp(x) / sum(exp(x)) along `dim`."""
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """x - logsumexp(x) along `dim`, computed without overflow."""
    return input.log_softmax(dim)


def __getattr__(name: str):
    """F.<name> for an activation added with register_activation() (ops/activations.py)."""
    from .ops.activation_functional import functional_for

    return functional_for(name)
