"""Elementwise arithmetic and math: + - * / ** neg exp log sqrt abs clamp maximum minimum where.

These run as single numpy ufunc calls: numpy broadcasts any pair of shapes and its loops are
already compiled and vectorized, so a Numba kernel would add nothing but a second code path for
broadcasting (measured in benchmarks/bench_overhead.py). Every backward sums its gradient back to
the input's shape with `unbroadcast`. Operands first go to PyTorch's result dtype (`_promote`), and
each gradient goes back to its input's dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function
from ..dtypes import result_type
from ..tensor import Tensor
from ._promote import cast_operand, float_input, float_result, grads, promote, refuse_bool
from ._util import binary_error, raw, shape_of, unbroadcast


def _binary(op: str, ufunc, a: Any, b: Any) -> np.ndarray:
    try:
        return ufunc(a, b)
    except ValueError as e:
        raise binary_error(op, a, b, e) from None


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(ctx, "add", a, b)
        ctx.shapes = (shape_of(a), shape_of(b))
        return _binary("add", np.add, a, b)

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        return grads(
            ctx, unbroadcast(grad, sa) if na else None, unbroadcast(grad, sb) if nb else None
        )


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        # PyTorch refuses a bool on either side, even int_tensor - True
        refuse_bool("sub", a, "convert with .long() first, or use a != b for xor")
        refuse_bool("sub", b, "convert with .long() first, or use a != b for xor")
        a, b = promote(ctx, "sub", a, b)
        ctx.shapes = (shape_of(a), shape_of(b))
        return _binary("sub", np.subtract, a, b)

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        return grads(
            ctx, unbroadcast(grad, sa) if na else None, unbroadcast(-grad, sb) if nb else None
        )


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(ctx, "mul", a, b)
        ctx.save_for_backward(a, b)
        return _binary("mul", np.multiply, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return grads(
            ctx,
            unbroadcast(grad * b, shape_of(a)) if na else None,
            unbroadcast(grad * a, shape_of(b)) if nb else None,
        )


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        a, b = float_result(ctx, "div", a, b)  # int / int is float32 in PyTorch
        ctx.save_for_backward(a, b)
        return _binary("div", np.true_divide, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = unbroadcast(grad / b, shape_of(a)) if na else None
        gb = unbroadcast(-grad * a / (b * b), shape_of(b)) if nb else None
        return grads(ctx, ga, gb)


class Neg(Function):
    @staticmethod
    def forward(ctx, x):
        refuse_bool("neg", x, "for logical not write x == False; to negate, convert with .long()")
        return np.negative(x)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """x ** exponent for a Python-number exponent; d/dx = exponent * x ** (exponent - 1)."""

    @staticmethod
    def forward(ctx, x, exponent):
        if isinstance(exponent, (Tensor, np.ndarray)):
            raise TypeError(
                "pow: the exponent must be a Python number; for a tensor exponent b write "
                "(b * a.log()).exp()"
            )
        x, exponent = promote(ctx, "pow", x, exponent)  # int ** 0.5 is float32
        exponent = exponent.item() if isinstance(exponent, np.generic) else exponent
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        out = x**exponent
        return out if out.dtype == x.dtype else out.astype(x.dtype)  # numpy: bool ** bool is int8

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        e = ctx.exponent
        if e == 0:  # PyTorch: the derivative of x**0 is 0 everywhere, even at x = 0
            return np.zeros_like(grad)
        return grad * (e * x ** (e - 1))


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.exp(float_input(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        x = float_input(x)
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(float_input(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Abs(Function):
    """|x|; the gradient at x = 0 is 0 (sign(0) = 0), as in PyTorch."""

    kinks = (0.0,)

    @staticmethod
    def forward(ctx, x):
        refuse_bool("abs", x, "a bool is its own absolute value")
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (sign,) = ctx.saved_tensors
        return grad * sign


class Cast(Function):
    """Change float dtype; the gradient is cast back to the input's dtype."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.in_dtype), None


class Clamp(Function):
    """min(max(x, lo), hi). The gradient passes where lo <= x <= hi, boundaries included."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        # PyTorch's result dtype covers the bounds: int_tensor.clamp(min=0.5) is float32
        ctx.in_dtype = x.dtype
        rt = result_type(x, *(v for v in (lo, hi) if v is not None))
        x, lo, hi = (None if v is None else cast_operand("clamp", v, rt) for v in (x, lo, hi))
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        keep = np.ones(x.shape, dtype=bool)
        if ctx.lo is not None:
            keep &= x >= ctx.lo
        if ctx.hi is not None:
            keep &= x <= ctx.hi
        return np.where(keep, grad, 0).astype(ctx.in_dtype, copy=False), None, None

    @staticmethod
    def kink_points(ctx):
        return tuple(v for v in (ctx.lo, ctx.hi) if v is not None)


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Clamp every element into [min, max]; either bound may be None."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if min is not None and max is not None and min > max:
        raise ValueError(f"clamp: min ({min}) is larger than max ({max})")
    return Clamp.apply(x, raw(min), raw(max))


class Maximum(Function):
    """Elementwise max. At ties each input gets half the gradient (PyTorch's choice)."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(ctx, "maximum", a, b)
        ctx.save_for_backward(a, b)
        return _binary("maximum", np.maximum, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grads(ctx, *_tie_split(ctx, grad, a, b, np.less, np.greater))


class Minimum(Function):
    """Elementwise min. At ties each input gets half the gradient (PyTorch's choice)."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(ctx, "minimum", a, b)
        ctx.save_for_backward(a, b)
        return _binary("minimum", np.minimum, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grads(ctx, *_tie_split(ctx, grad, a, b, np.greater, np.less))


def _tie_split(ctx, grad, a, b, a_loses, b_loses):
    half = grad * 0.5
    zero = np.zeros((), dtype=grad.dtype)
    tie = a == b
    na, nb = ctx.needs_input_grad
    ga = unbroadcast(np.where(tie, half, np.where(a_loses(a, b), zero, grad)), shape_of(a))
    gb = unbroadcast(np.where(tie, half, np.where(b_loses(a, b), zero, grad)), shape_of(b))
    return (ga if na else None, gb if nb else None)


def maximum(a: Any, b: Any) -> Tensor:
    return Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Tensor:
    return Minimum.apply(a, b)


class Where(Function):
    """cond ? a : b elementwise (broadcast); the gradient goes to whichever side was chosen."""

    @staticmethod
    def forward(ctx, cond, a, b):
        a, b = promote(ctx, "where", a, b)
        ctx.save_for_backward(cond)
        ctx.shapes = (shape_of(a), shape_of(b))
        try:
            return np.where(cond, a, b)
        except ValueError:
            raise ValueError(
                f"where: condition {np.shape(cond)}, input {np.shape(a)} and other "
                f"{np.shape(b)} cannot be broadcast together; make their trailing dims equal or 1"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        sa, sb = ctx.shapes
        _, na, nb = ctx.needs_input_grad
        zero = np.zeros((), dtype=grad.dtype)
        ga = unbroadcast(np.where(cond, grad, zero), sa) if na else None
        gb = unbroadcast(np.where(cond, zero, grad), sb) if nb else None
        return (None, *grads(ctx, ga, gb))


def where(condition: Any, input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elements of `input` where `condition` is true, else of `other` (PyTorch's torch.where)."""
    cond = raw(condition)
    if not (isinstance(cond, np.ndarray) and cond.dtype == np.bool_):
        raise TypeError(
            f"where: condition must be a bool tensor, got {getattr(cond, 'dtype', type(cond))}; "
            "build it with a comparison such as x > 0"
        )
    return Where.apply(Tensor._wrap(cond), input, other)
