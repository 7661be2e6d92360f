"""Indexing (`x[...]`) in PyTorch's dimension order, forward and backward.

numpy and PyTorch agree on everything but one case: an int mixed with index arrays. numpy counts
an int as an advanced index, so in `x[1, :, idx]` the int and `idx` are "separated by a slice" and
the indexed dim moves to the front; PyTorch applies the int first (a basic index: it removes the
dim) and only then the arrays, which stay in place. Shape (2, 6, 12) gives (3, 6) in numpy and
(6, 3) in PyTorch for idx of length 3.

So indexing runs in two steps, as PyTorch's does:
  1. basic: ints, slices, None and `...` (a numpy view), with a full slice where an array goes;
  2. advanced: the index arrays on that view, each at its dim; numpy's rule now sees only
     slices and arrays, which is PyTorch's rule (adjacent arrays keep their place, separated
     ones go first).
Backward scatter-adds through the same two steps: the view of step 1 into a zero gradient, then
`np.add.at` with the arrays of step 2 (an element picked twice gets both gradients).
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..autograd import Function
from ..recording import note
from ..tensor import Tensor

_FULL = slice(None)


class GetItem(Function):
    @staticmethod
    def forward(ctx, x, basic, advanced):
        ctx.in_shape, ctx.basic, ctx.advanced = x.shape, basic, advanced
        try:
            view = x[basic]
            return view if advanced is None else view[advanced]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor shape {x.shape})") from None

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.in_shape, dtype=grad.dtype)
        if ctx.advanced is None:
            out[ctx.basic] = grad
        else:  # basic holds a full slice where each array goes, so out[basic] is a view of out
            np.add.at(out[ctx.basic], ctx.advanced, grad)  # repeated indices each add
        return out


def getitem(x: Tensor, index: Any) -> Tensor:
    """`x[index]` with PyTorch's semantics: ints, slices, None, `...`, int arrays, bool masks."""
    basic, advanced = _plan(x.shape, index)
    return GetItem.apply(x, basic=basic, advanced=advanced)


def _item(it: Any) -> Any:
    """One index item as int, slice, None, Ellipsis, bool, or an integer/bool ndarray."""
    if isinstance(it, Tensor):
        it = it.data
        if it.dtype == np.bool_ or it.ndim == 0:  # the positions are read here, not in the op
            note("it indexed with a bool mask or a 0-d tensor (positions depend on the values)")
    elif isinstance(it, (list, tuple)):
        it = np.asarray(it)
        if it.size == 0:
            it = it.astype(np.intp)  # x[[]] selects nothing, as in PyTorch
    if isinstance(it, (bool, np.bool_)):
        return bool(it)
    if isinstance(it, np.ndarray):
        if it.dtype.kind not in "iub":
            raise IndexError(
                f"getitem: index arrays must hold integers or bools, got {it.dtype}; "
                "convert labels with .long()"
            )
        if it.ndim == 0:  # a 0-d int is a plain int (a basic index), as in PyTorch
            return bool(it) if it.dtype == np.bool_ else int(it)
        return it
    if it is None or it is Ellipsis or isinstance(it, slice):
        return it
    try:
        return operator.index(it)  # ints and numpy ints; floats are refused, not truncated
    except TypeError:
        raise IndexError(
            f"getitem: only integers, slices, None, ..., and integer or bool tensors are valid "
            f"indices, got {type(it).__name__} {it!r}"
        ) from None


def _plan(shape: tuple, index: Any) -> tuple[tuple, tuple | None]:
    """The basic index (step 1) and the advanced index on its result (step 2, None if none)."""
    items = [_item(it) for it in (index if isinstance(index, tuple) else (index,))]
    used = sum(
        it.ndim if isinstance(it, np.ndarray) and it.dtype == np.bool_ else 1
        for it in items
        if not (it is None or it is Ellipsis or isinstance(it, bool))
    )
    if used > len(shape):
        raise IndexError(
            f"getitem: too many indices for a tensor of shape {shape}: {used} dims indexed, "
            f"it has {len(shape)}"
        )
    if sum(it is Ellipsis for it in items) > 1:
        raise IndexError("getitem: an index can only have a single ellipsis ('...')")
    basic: list = []
    arrays: dict[int, np.ndarray] = {}
    dim = out_dim = 0  # the next dim of x to index, and where it lands in the basic view
    for i, it in enumerate(items):
        if it is Ellipsis:
            fill = len(shape) - used
            basic.extend([_FULL] * fill)
            dim += fill
            out_dim += fill
        elif it is None:
            basic.append(None)
            out_dim += 1
        elif isinstance(it, bool):  # a new dim of size 1, selected (True) or emptied (False)
            basic.append(None)
            arrays[out_dim] = np.zeros(1 if it else 0, dtype=np.intp)
            out_dim += 1
        elif isinstance(it, np.ndarray) and it.dtype == np.bool_:
            k = it.ndim
            if it.shape != tuple(shape[dim : dim + k]):
                raise IndexError(
                    f"getitem: the boolean mask of shape {it.shape} at index {i} does not match "
                    f"the indexed tensor of shape {shape} at dim {dim} (sizes "
                    f"{tuple(shape[dim : dim + k])}); a mask needs the shape of the dims it selects"
                )
            for j, positions in enumerate(it.nonzero()):  # a mask is its nonzero() arrays
                arrays[out_dim + j] = positions
            basic.extend([_FULL] * k)
            dim += k
            out_dim += k
        elif isinstance(it, np.ndarray):
            arrays[out_dim] = it
            basic.append(_FULL)
            dim += 1
            out_dim += 1
        else:  # an int (removes the dim) or a slice (keeps it)
            basic.append(it)
            dim += 1
            out_dim += isinstance(it, slice)
    if not arrays:
        return tuple(basic), None
    n_out = out_dim + len(shape) - dim
    return tuple(basic), tuple(arrays.get(d, _FULL) for d in range(n_out))
