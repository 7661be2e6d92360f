"""Helpers every checker uses: call a Function's forward and backward directly (so that a crash
or a wrong gradient is pinned on the right one, before the engine casts or reshapes anything),
compare with the reference and raise a teaching message, run gradcheck, inspect kernels.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from numba.core import config as numba_config

from ..autograd import Context
from ..tensor import Tensor
from ..testing import GradcheckError, gradcheck
from .compare import differs
from .diagnose import Clues, Mismatch, likely_cause
from .report import CheckFailed


def raw_forward(fn, inputs: list, params: dict | None = None, needs: tuple | None = None):
    """(ctx, output) of fn.forward on copies of `inputs` (the student's code cannot change
    ours), with every input asking for its gradient unless `needs` says otherwise."""
    needs = tuple(isinstance(a, np.ndarray) for a in inputs) if needs is None else needs
    ctx = Context(fn, None, needs)
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in inputs]
    with np.errstate(all="ignore"):
        out = fn.forward(ctx, *args, **(params or {}))
    for i, (a, b) in enumerate(zip(inputs, args)):
        if isinstance(a, np.ndarray) and not np.array_equal(a, b, equal_nan=True):
            raise CheckFailed(
                f"forward changed its input {i} in place (it is saved for backward and may be "
                "used elsewhere): read x, write only into the output array."
            )
    if not isinstance(out, np.ndarray):
        if isinstance(out, Tensor):
            raise CheckFailed(
                "forward returned a Tensor; it must return a numpy array (forward and backward "
                "work on arrays: the engine wraps the result)"
            )
        out = np.asarray(out)
    return ctx, out


def raw_backward(fn, ctx, g: np.ndarray, n_inputs: int) -> tuple:
    """fn.backward's gradients as a tuple of n_inputs entries (arrays or None)."""
    with np.errstate(all="ignore"):
        grads = fn.backward(ctx, g.copy())
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != n_inputs:
        raise CheckFailed(
            f"backward returned {len(grads)} gradient(s) for {n_inputs} input(s); return one per "
            "positional input of forward, in order (None for an input without a gradient)"
        )
    return tuple(None if v is None else np.asarray(v) for v in grads)


def expect_close(
    what: str,
    actual: np.ndarray,
    expected: np.ndarray,
    dtype: np.dtype,
    scale,
    clues: Clues | None = None,
    *,
    x: np.ndarray | None = None,
    g: np.ndarray | None = None,
    is_grad: bool = False,
    parameter: str | None = None,
    skip: np.ndarray | None = None,
    extra: Callable[[], str] | str = "",
) -> None:
    """Raise CheckFailed (where, expected, got, likely cause) unless actual matches expected."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        raise CheckFailed(
            f"{what} has shape {actual.shape}, expected {expected.shape}"
            + (f" (the shape of {parameter})" if parameter else "")
        )
    bad = differs(actual, expected, dtype, np.broadcast_to(scale, expected.shape), skip)
    if not bad.any():
        return
    flat = np.broadcast_to
    m = Mismatch(
        what,
        actual.astype(np.float64).ravel(),
        expected.astype(np.float64).ravel(),
        bad.ravel(),
        np.dtype(dtype),
        x=None if x is None else flat(x, actual.shape).astype(np.float64).ravel(),
        g=None if g is None else flat(g, actual.shape).astype(np.float64).ravel(),
        is_grad=is_grad,
        parameter=parameter,
        shape=actual.shape,
    )
    text = m.summary() + "\n" + likely_cause(m, clues)
    more = extra() if callable(extra) else extra
    raise CheckFailed(text + (f"\n{more}" if more else ""))


def expect_dtype_shape(what: str, arr, dtype: np.dtype, shape: tuple) -> None:
    arr = np.asarray(arr)
    if arr.shape != tuple(shape):
        raise CheckFailed(f"{what} has shape {arr.shape}; it must keep the shape {tuple(shape)}")
    if arr.dtype != dtype:
        raise CheckFailed(
            f"{what} is {arr.dtype} for {np.dtype(dtype)} inputs; it must keep the dtype. "
            "Allocate outputs like the input (np.empty_like(x)), make constants with "
            "x.dtype.type(c), and watch numpy promoting float32 with a float64 array."
        )


def run_gradcheck(apply: Callable, inputs: tuple, what: str = "") -> None:
    """ta.gradcheck on float64 inputs; its failure becomes a CheckFailed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                gradcheck(apply, inputs)
    except GradcheckError as e:
        raise CheckFailed(
            f"gradcheck{what}: central differences of YOUR forward disagree with YOUR backward:"
            f"\n{e}\nSo forward and backward do not describe the same function: the backward "
            "is the derivative of something else (or the forward is not the function the "
            "backward differentiates)."
        ) from None


def kernel_notes(*kernels) -> list[str]:
    """Advice that is not a failure: kernels not compiled, or compiled with fastmath."""
    notes = []
    if numba_config.DISABLE_JIT:  # NUMBA_DISABLE_JIT=1: every kernel runs as Python on purpose
        return notes
    for k in kernels:
        name = getattr(k, "__name__", repr(k))
        if not hasattr(k, "py_func"):
            notes.append(f"{name} is not decorated with @njit: it runs as plain Python (slow).")
        elif uses_fastmath(k):
            notes.append(
                f"{name} uses fastmath: it may assume no nan/inf and flush subnormals, which "
                "breaks the edge inputs."
            )
    return notes


def uses_fastmath(*kernels) -> bool:
    """fastmath=True, or flags that assume no nan/inf ("contract" alone is harmless)."""
    for k in kernels:
        fm = getattr(k, "targetoptions", {}).get("fastmath")
        if fm is True or (
            isinstance(fm, (set, frozenset, dict)) and {"fast", "nnan", "ninf"} & set(fm)
        ):
            return True
    return False
