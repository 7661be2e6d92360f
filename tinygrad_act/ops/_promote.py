"""Bring the operands of a binary op to PyTorch's result dtype before numpy sees them.

numpy would promote by its own rules (int64 + 0.5 -> float64, float32 * np.float64 -> float64);
`promote` casts to `dtypes.result_type` first, so numpy computes in the dtype PyTorch would. It
records on `ctx.casts` the input dtypes that changed, and `grad_to_input` casts each gradient
back: a gradient always has its input's dtype (a float64 0-d tensor times a float32 tensor gives
a float32 result and a float64 gradient, as in PyTorch).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as _dt
from ._util import binary_error

_ndarray = np.ndarray


def promote(ctx: Any, op: str, a: Any, b: Any) -> tuple[Any, Any]:
    """(a, b) cast to their result dtype; Python numbers next to a float array stay as they are."""
    # the common cases first, with no dtype arithmetic: this runs on every binary op
    if type(a) is _ndarray:
        if type(b) is _ndarray:
            if a.dtype is b.dtype:
                ctx.casts = None
                return a, b
        elif type(b) in (float, int) and a.dtype.kind == "f":  # numpy keeps a's float dtype
            ctx.casts = None
            return a, b
    elif type(a) in (float, int) and type(b) is _ndarray and b.dtype.kind == "f":
        ctx.casts = None
        return a, b
    a, b, ctx.casts = _cast(op, a, b)
    return a, b


def compare(op: str, ufunc: np.ufunc, a: Any, b: Any) -> np.ndarray:
    """A comparison computed in the result dtype (float32 [0.1] == np.float64(0.1) is True)."""
    if not (type(a) is _ndarray and type(b) is _ndarray and a.dtype is b.dtype):
        a, b, _ = _cast(op, a, b)
    try:
        return ufunc(a, b)
    except ValueError as e:
        raise binary_error(op, a, b, e) from None


def _cast(op: str, a: Any, b: Any) -> tuple[Any, Any, tuple | None]:
    """(a, b) in their result dtype, and the original dtypes of the arrays that were cast."""
    a, b = _operand(op, a), _operand(op, b)
    rt = _dt.result_type(a, b)
    da, db = getattr(a, "dtype", None), getattr(b, "dtype", None)
    ca = da if isinstance(a, _ndarray) and da != rt else None
    cb = db if isinstance(b, _ndarray) and db != rt else None
    casts = None if ca is None and cb is None else (ca, cb)
    return cast_operand(op, a, rt), cast_operand(op, b, rt), casts


def float_result(ctx: Any, op: str, a: Any, b: Any) -> tuple[Any, Any]:
    """Like `promote`, then integers and bools go to the default float (true division)."""
    a, b = promote(ctx, op, a, b)
    dt = a.dtype if isinstance(a, _ndarray) else getattr(b, "dtype", None)
    if dt is None or dt.kind != "f":
        a, b = cast_operand(op, a, _dt.default_float), cast_operand(op, b, _dt.default_float)
    return a, b


def grads(ctx: Any, ga: np.ndarray | None, gb: np.ndarray | None) -> tuple:
    """Each gradient in its input's dtype (unchanged unless `promote` cast that input)."""
    casts = ctx.casts
    if casts is None:
        return ga, gb
    da, db = casts
    return (
        ga if ga is None or da is None else ga.astype(da),
        gb if gb is None or db is None else gb.astype(db),
    )


def refuse_bool(op: str, x: Any, fix: str) -> None:
    """PyTorch refuses - (sub), neg and abs on bools: raise before numpy's own message."""
    if type(x) is _ndarray:
        if x.dtype.kind != "b":
            return
    elif not isinstance(x, (bool, np.bool_)):
        return
    raise TypeError(f"{op}: not supported for bool tensors (PyTorch refuses it too); {fix}")


def float_input(x: np.ndarray) -> np.ndarray:
    """exp/log/sqrt of an integer or bool array compute in the default float (PyTorch: float32)."""
    return x if x.dtype.kind == "f" else x.astype(_dt.default_float)


def _operand(op: str, x: Any) -> Any:
    if isinstance(x, (_ndarray, np.generic, bool, int, float)):
        return x
    try:
        return _dt.as_array(x)  # a list: converted as ta.tensor would
    except (TypeError, ValueError):
        raise TypeError(
            f"{op}: cannot combine a tensor with {type(x).__name__} {x!r}; use a number or a tensor"
        ) from None


def cast_operand(op: str, x: Any, rt: np.dtype) -> Any:
    """An array or scalar operand in the dtype `rt`; an int that does not fit is refused."""
    if isinstance(x, _ndarray):
        return x if x.dtype == rt else x.astype(rt)
    if isinstance(x, np.generic):
        x = x.item()
    try:
        return rt.type(x)
    except OverflowError:
        info = np.iinfo(rt)
        raise OverflowError(
            f"{op}: the number {x} does not fit in {rt} ({info.min}..{info.max}), the tensor's "
            f"dtype (PyTorch would wrap it around silently); convert the tensor first, e.g. "
            ".long() or .float()"
        ) from None
