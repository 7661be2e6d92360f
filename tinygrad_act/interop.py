"""Tensors other libraries made: `from_dlpack` (PyTorch's name), sharing their memory.

The other direction lives on Tensor itself (`__dlpack__`, `__dlpack_device__`,
`__array_interface__`, `__array__`); docs/interop.md says what is shared and what is not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as _dt
from .tensor import Tensor

__all__ = ["from_dlpack"]


def from_dlpack(ext: Any) -> Tensor:
    """A Tensor sharing the memory of `ext`, any object with `__dlpack__` (a torch CPU tensor,
    a numpy array, a JAX CPU array, ...): writes through one are seen by the other.

    Like `torch.from_dlpack`: no copy, and no autograd history (the result is a leaf that does
    not require grad; call `.requires_grad_()` to start a graph here). Only CPU memory can be
    shared; its dtype must be one tinygrad_act supports.
    """
    if not hasattr(ext, "__dlpack__"):
        raise TypeError(
            f"from_dlpack: expected an object with __dlpack__ (a torch/JAX/numpy array), got "
            f"{type(ext).__name__}; for lists and plain numbers use ta.tensor(...)"
        )
    try:
        arr = np.from_dlpack(ext)
    except BufferError as e:
        raise BufferError(
            f"from_dlpack: {e} (tinygrad_act shares CPU memory only; move the tensor to the CPU "
            "first, e.g. t.cpu(); a torch tensor that requires grad needs t.detach())"
        ) from e
    try:
        _dt.to_dtype(arr.dtype)
    except TypeError as e:
        raise TypeError(
            f"from_dlpack: {e}; convert it on the other side first (e.g. t.float())"
        ) from None
    return Tensor._wrap(arr)
