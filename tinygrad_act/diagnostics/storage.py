"""What it costs to keep activations: bytes saved for backward, and a code in sparse formats.

    from tinygrad_act.diagnostics import storage
    storage.saved_bytes_per_element()          # {"relu": 1.0, "elu": 4.0, "sigmoid": 4.0, ...}
    storage.layer_saved_bytes(batch=128, width=128)   # bytes one hidden layer keeps for backward
    storage.code_bytes(h)                      # h (N, units): dense / bitmask + nonzeros / CSR

Bytes saved for backward are measured, not copied from the docs: each activation of the table runs
forward on a float tensor that requires grad, and the arrays its graph node keeps
(`grad_fn.saved_tensors`) are counted. What this reads from the activation table is only its
listing (`TABLE`: name -> row with `.cls`, the PyTorch class name, and `.cases[0]`, a valid
parameter setting) and `nn.<Class>(**params)`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor

__all__ = ["code_bytes", "layer_saved_bytes", "saved_bytes_per_element"]


def _saved_arrays(obj: Any) -> list[np.ndarray]:
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, Tensor):
        return [obj.data]
    if isinstance(obj, (tuple, list)):
        return [a for o in obj for a in _saved_arrays(o)]
    return []


def saved_bytes_per_element(
    dtype: Any = np.float32, n: int = 4096, training: bool = True
) -> dict[str, float]:
    """{activation name: bytes its backward keeps per input element}, for every table row.

    Counts the arrays of n elements the op's graph node saves (per-channel parameters such as
    PReLU's weight are not per element and are left out). training=True measures train mode
    (RReLU saves its sampled slopes there; in eval mode it saves a mask like leaky ReLU).
    """
    from .. import nn
    from ..ops.activation_spec import TABLE

    x = np.linspace(-3.0, 3.0, n).astype(dtype)
    out = {}
    for name, spec in TABLE.items():
        # parameters: the defaults, or the row's first test case when some are required
        module = getattr(nn, spec.cls)(**(getattr(spec, "cases", None) or ({},))[0])
        module.train(training)
        module.to(x.dtype)  # PReLU's weight must match the input's dtype
        with enable_grad():
            t = Tensor(x.copy(), requires_grad=True)
            y = module(t)
        saved = _saved_arrays(y.grad_fn.saved_tensors) if y.grad_fn is not None else []
        out[name] = sum(a.nbytes for a in saved if a.size == n) / n
    return out


def layer_saved_bytes(batch: int, width: int, dtype: Any = np.float32) -> dict[str, int]:
    """{activation: bytes one (batch, width) hidden layer keeps for its activation's backward}."""
    return {k: int(round(v * batch * width)) for k, v in saved_bytes_per_element(dtype).items()}


def code_bytes(h: Any, index_bytes: int = 4) -> dict[str, int]:
    """Bytes to store the code h (N, units) densely, as a bitmask + nonzeros, and as CSR.

    dense           N * units * itemsize
    bitmask         ceil(N * units / 8) bytes of "nonzero?" bits + the nonzeros' values
    csr             the nonzeros' values and column indices (index_bytes each) + N + 1 row offsets
    A ReLU code with a fraction s of exact zeros costs 1/8 + (1 - s) * itemsize bytes per element
    as a bitmask; a leaky ReLU code has no zeros, so both sparse formats cost more than dense.
    """
    a = h.data if isinstance(h, Tensor) else np.asarray(h)
    if a.ndim != 2:
        raise ValueError(f"code_bytes: needs a (N, units) code, got shape {a.shape}")
    nnz = int(np.count_nonzero(a))
    item = a.dtype.itemsize
    return {
        "dense": a.size * item,
        "bitmask": -(-a.size // 8) + nnz * item,
        "csr": nnz * (item + index_bytes) + (a.shape[0] + 1) * index_bytes,
    }
