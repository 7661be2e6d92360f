"""Version counters: how backward notices an in-place write to an array a node saved.

Every Tensor has a version cell `t._vc`, one list shared by all Tensors that view the same memory
(`detach()`, reshape/permute/slicing outputs): `_vc[0]` is the version (PyTorch's `t._version`),
followed by the stamps of its most recent in-place writes. It is made on first need
(`Tensor._cell()`); None means version 0, never written. `WRITES[0]` counts in-place writes in
the process and stamps each one; a node that saved arrays remembers the count when it was made
(`ctx._epoch`).

Checking costs one comparison per node in the common case: if no in-place write happened
anywhere since the node was made, nothing it saved can have changed. Otherwise `check_saved`
matches the node's saved arrays to its input Tensors (by identity, or a view of the same memory)
and to its output, and a Tensor written after the node was made raises PyTorch's error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .tensor import Tensor

if TYPE_CHECKING:
    from .autograd import Context

__all__ = ["WRITES", "bump", "check_saved", "increment_version"]

WRITES = [0]  # in-place writes so far (a list: a mutable cell that every module reads)
_HISTORY = 16  # stamps kept per cell: enough to name the expected version in the error


def bump(cell: list) -> None:
    """Record one in-place write into the memory that `cell` belongs to."""
    WRITES[0] += 1
    cell[0] += 1
    cell.append(WRITES[0])
    if len(cell) > _HISTORY + 1:  # bound the memory of a tensor written every step
        del cell[1]


def increment_version(t: Tensor) -> None:
    """Record an in-place write into `t.data` made outside the in-place methods.

    PyTorch's `torch.autograd.graph.increment_version`: a backward that saved `t` then raises
    instead of using the overwritten values.
    """
    bump(t._cell())


def check_saved(node: Context) -> None:
    """Raise if a Tensor whose array `node` saved was written in place after `node` was made."""
    epoch = node._epoch
    out_cell, out_id = getattr(node, "_out", None), getattr(node, "_oid", None)
    for s in node._saved:
        if type(s) is not np.ndarray:
            continue
        # a saved array is alive, so its id is unique: equal to the output's id means it is out
        cell = out_cell if id(s) == out_id else _owner(node, s)
        if cell is not None and len(cell) > 1 and cell[-1] > epoch:  # written after the node
            _raise(node, s, cell, epoch)


def _owner(node: Context, s: np.ndarray) -> list | None:
    """The version cell of the input whose memory `s` is (None: the node's own array)."""
    mem = s if s.base is None else s.base
    for p in node.parents:
        if isinstance(p, Tensor):
            d = p.data
            if d is s or d is mem or d.base is mem:
                return p._vc
    return None


def _raise(node: Context, s: np.ndarray, cell: list, epoch: int) -> None:
    # the version when the node was made: the current one minus the writes stamped after it
    expected = cell[0] - sum(1 for stamp in cell[1:] if stamp > epoch)
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{s.dtype} tensor of shape {s.shape}], saved by {node.fn.__name__}, is at "
        f"version {cell[0]}; expected version {expected} instead. Hint: the in-place write "
        "(zero_, add_, relu(inplace=True), ...) came after this op used the tensor; write into a "
        "copy, or do it before the op"
    )
