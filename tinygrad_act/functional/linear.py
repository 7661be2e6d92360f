"""F.linear and F.sparse_linear: argument checks (one helper for both), then the graph node.

The nodes are in ops/linear.py (`Linear`: y = x @ W^T + b as one node) and ops/sparse_linear.py
(`SparseLinear`: the same product, skipping the input's exact zeros, for a ReLU's output).
"""

from __future__ import annotations

from ..ops.linear import Linear
from ..ops.sparse_linear import SparseLinear
from ..tensor import Tensor


def _check_linear_args(op: str, input, weight, bias) -> None:  # noqa: A002 - PyTorch's name
    """Tensors of shapes input (*, in), weight (out, in), bias (out,) or None, one float dtype."""
    for name, t in (("input", input), ("weight", weight), ("bias", bias)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if input.ndim == 0 or weight.ndim != 2:
        raise ValueError(
            f"{op}: needs input of shape (*, in_features) and weight (out_features, in_features), "
            f"got input {input.shape} and weight {weight.shape}"
        )
    if input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"{op}: input has {input.shape[-1]} features (shape {input.shape}) but weight "
            f"{weight.shape} expects {weight.shape[1]}"
        )
    if input.dtype != weight.dtype:
        raise TypeError(
            f"{op}: input is {input.dtype} but weight is {weight.dtype}; convert one "
            f"(x.float(), or build the layer with dtype={input.dtype})"
        )
    if bias is not None and (bias.shape != (weight.shape[0],) or bias.dtype != weight.dtype):
        raise ValueError(
            f"{op}: bias has shape {bias.shape} and dtype {bias.dtype}, expected "
            f"({weight.shape[0]},) {weight.dtype} to match weight {weight.shape}"
        )


def linear(input, weight, bias=None):  # noqa: A002 - PyTorch's name
    """F.linear: input @ weight^T + bias. input (*, in), weight (out, in), bias (out,) or None."""
    _check_linear_args("linear", input, weight, bias)
    return Linear.apply(input, weight, bias)


def sparse_linear(input, weight, bias=None):  # noqa: A002 - PyTorch's name
    """F.linear for a sparse input: input (*, in), weight (out, in), bias (out,) or None.

    Use it where the input is a ReLU's output (many exact zeros); same values as F.linear to
    rounding, same gradients, less work and a smaller saved code when the input is sparse enough.
    """
    _check_linear_args("sparse_linear", input, weight, bias)
    if input.dtype.char not in "fd":
        raise TypeError(
            f"sparse_linear: input and weight are {input.dtype}; the kernels take float32 or "
            "float64 (x.float())"
        )
    return SparseLinear.apply(input, weight, bias)
