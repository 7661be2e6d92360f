"""exp, expm1, log1p, tanh, erf and sigmoid that vectorize inside Numba loops.

Why this file exists: Numba lowers `math.exp` & co. to scalar libm calls, which LLVM cannot
vectorize (no SVML here), so a float32 activation runs near 1 GB/s instead of memory speed. The
float32 versions below are written with only +, *, /, compares and bit casts, so a loop that calls
them compiles to AVX-512 code:

    exp    Cody-Waite range reduction x = n*ln2 + r, a degree-7 polynomial for exp(r), and 2**n
           built from exponent bits (in two halves, so results down to the subnormals are right)
    expm1  the same reduction with a polynomial for expm1(r): no cancellation near 0
    log1p  log(u) * y / (u - 1) with u = 1 + y (Goldberg's trick), log from exponent bits
    tanh   t / (t + 2) near 0 and 1 - 2 / (t + 2) further out, t = expm1(2|x|), sign restored
    erf    Norbert Juffa's faithfully rounded erff (odd polynomial below 0.93, 1 - exp(poly)
           above)

Measured against float64 references: <= 3 ulp everywhere (see tests/test_fastmath.py).
float64 keeps full accuracy: there the same names call libm through `math` (scalar, slower).

Dispatch on the argument's type happens at compile time through `numba.extending.overload`:
the Python functions below are what runs under NUMBA_DISABLE_JIT=1 (numpy on scalars, with
floating-point warnings silenced because inf/0 results are intended).
Special values: NaN in gives NaN out; exp(+inf) = inf, exp(-inf) = 0; no operation traps.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload, register_jitable

__all__ = ["exp", "expm1", "log1p", "tanh", "erf", "sigmoid"]

_f = np.float32
_i = np.int32


# ---- pure-Python versions (NUMBA_DISABLE_JIT=1) -------------------------------------------------
def exp(x):
    """e**x."""
    with np.errstate(all="ignore"):
        return np.exp(x)


def expm1(x):
    """e**x - 1, accurate near 0."""
    with np.errstate(all="ignore"):
        return np.expm1(x)


def log1p(x):
    """log(1 + x), accurate near 0 (used for x >= 0)."""
    with np.errstate(all="ignore"):
        return np.log1p(x)


def tanh(x):
    return np.tanh(x)


def erf(x):
    """The error function (2/sqrt(pi)) * integral_0^x exp(-t*t) dt."""
    return type(x)(math.erf(x))


def sigmoid(x):
    """1 / (1 + e**-x), from e**-|x| so nothing overflows."""
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(x))
        one = type(x)(1)
        return one / (one + e) if x >= 0 else e / (one + e)


# ---- bit casts (vectorize; no Python equivalent needed) -----------------------------------------
@intrinsic
def _bits_to_f32(typingctx, bits):
    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.FloatType())

    return types.float32(types.int32), codegen


@intrinsic
def _f32_to_bits(typingctx, x):
    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(32))

    return types.int32(types.float32), codegen


# ---- float32 kernels ----------------------------------------------------------------------------
_ONE, _HALF, _TWO, _ZERO = _f(1.0), _f(0.5), _f(2.0), _f(0.0)
_INF = _f(np.inf)
_LOG2E = _f(1.4426950408889634)
_LN2_HI, _LN2_LO = _f(0.693359375), _f(-2.12194440e-4)  # ln2 = HI + LO, HI has few bits: n*HI exact
_ROUND = _f(12582912.0)  # 1.5 * 2**23: adding it rounds a float32 to an integer
_EXP_HI = _f(88.72283935546875)  # above: exp overflows to inf
_EXP_LO = _f(-103.97208)  # below: exp underflows to 0
_EXP_C = tuple(
    _f(c) for c in (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2)
) + (_f(1.6666665459e-1), _f(5.0000001201e-1))


@register_jitable
def _pow2_f32(n):
    """2**n as float32 from exponent bits, valid for -126 <= n <= 127."""
    return _bits_to_f32((n + _i(127)) << _i(23))


@register_jitable
def _reduce_f32(x):
    """x = n*ln2 + r with |r| <= ln2/2; returns (n as float, n as int32, r)."""
    nf = (x * _LOG2E + _ROUND) - _ROUND
    r = (x - nf * _LN2_HI) - nf * _LN2_LO
    return nf, _i(nf), r


@register_jitable
def _exp_f32(x):
    xc = _EXP_LO if x < _EXP_LO else x
    xc = _EXP_HI if xc > _EXP_HI else xc
    nf, n, r = _reduce_f32(xc)
    c0, c1, c2, c3, c4, c5 = _EXP_C
    p = (((((c0 * r + c1) * r + c2) * r + c3) * r + c4) * r + c5) * (r * r) + r + _ONE
    half = n >> _i(1)  # 2**n = 2**half * 2**(n-half): each factor stays a normal number
    y = p * _pow2_f32(half) * _pow2_f32(n - half)
    y = _INF if x > _EXP_HI else y
    y = _ZERO if x < _EXP_LO else y
    return x if x != x else y


# Taylor coefficients of (expm1(r) - r - r*r/2) / r**3 up to r**7: error < 2e-8 relative on |r|<0.35
_EXPM1_C = tuple(_f(1.0 / math.factorial(k)) for k in (7, 6, 5, 4, 3))


@register_jitable
def _expm1_f32(x):
    xc = _f(-30.0) if x < _f(-30.0) else x  # expm1(-30) = -1 in float32 already
    xc = _EXP_HI if xc > _EXP_HI else xc
    nf, n, r = _reduce_f32(xc)
    c7, c6, c5, c4, c3 = _EXPM1_C
    q = ((((c7 * r + c6) * r + c5) * r + c4) * r + c3) * (r * r * r) + _HALF * (r * r) + r
    small = n < _i(64)
    half = n >> _i(1)
    s = _pow2_f32(n if small else _i(0))  # exact power of two while n < 64
    y_small = s * q + (s - _ONE)  # = 2**n * expm1(r) + (2**n - 1): no cancellation
    y_big = ((q + _ONE) * _pow2_f32(half)) * _pow2_f32(n - half)  # the -1 is below rounding
    y = y_small if small else y_big
    y = q if n == _i(0) else y
    y = x if x == _ZERO else y  # keeps the sign of -0.0
    y = _INF if x > _EXP_HI else y
    return x if x != x else y


_SQRT2 = _f(1.41421356)
_LOG_C = tuple(
    _f(c)
    for c in (
        7.0376836292e-2,
        -1.1514610310e-1,
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    )
)


@register_jitable
def _log_f32(u):
    """log(u) for finite u >= 1 (Cephes logf polynomial on [sqrt(1/2), sqrt(2))."""
    bits = _f32_to_bits(u)
    e = (bits >> _i(23)) - _i(127)
    m = _bits_to_f32((bits & _i(0x7FFFFF)) | _i(0x3F800000))  # mantissa in [1, 2)
    big = m > _SQRT2
    m = m * _HALF if big else m
    e = e + _i(1) if big else e
    ef = _f(e)
    f = m - _ONE
    z = f * f
    c0, c1, c2, c3, c4, c5, c6, c7, c8 = _LOG_C
    p = (((((((c0 * f + c1) * f + c2) * f + c3) * f + c4) * f + c5) * f + c6) * f + c7) * f + c8
    y = f * z * p + ef * _LN2_LO - _HALF * z
    return f + y + ef * _LN2_HI


def _log1p_f32(x):
    u = x + _ONE
    d = u - _ONE
    d = _ONE if d == _ZERO else d  # u == 1: log1p(x) = x below
    y = _log_f32(u if u < _INF else _ONE) * (x / d)  # log(u) * x / (u - 1) corrects u's rounding
    y = x if u == _ONE else y
    y = _INF if x == _INF else y
    return x if x != x else y


def _tanh_f32(x):
    a = abs(x)
    a = _f(9.5) if a > _f(9.5) else a  # tanh(9.5) rounds to 1 in float32
    t = _expm1_f32(_TWO * a)
    r = _ONE / (t + _TWO)
    # near 0: t / (t + 2) keeps relative accuracy; near 1: 1 - 2 / (t + 2) rounds correctly
    y = math.copysign(t * r if a < _f(0.625) else _ONE - _TWO * r, x)
    return x if x != x else y


_ERF_SPLIT = _f(0.927734375)
_ERF_NEAR = tuple(
    _f(c) for c in (-5.96761703e-4, 4.99119423e-3, -2.67681349e-2, 1.12819925e-1, -3.76125336e-1)
) + (_f(1.28379166e-1),)
_ERF_FAR = tuple(
    _f(c)
    for c in (
        -1.72853470e-5,
        3.83197126e-4,
        -3.88396438e-3,
        2.42546219e-2,
        -1.06777877e-1,
        -6.34846687e-1,
        -1.28717512e-1,
    )
)


def _erf_f32(x):
    t = abs(x)
    t = _f(10.0) if t > _f(10.0) else t  # erf(10) = 1; keeps exp's argument finite
    s = x * x
    a0, a1, a2, a3, a4, a5 = _ERF_NEAR
    near = (((((a0 * s + a1) * s + a2) * s + a3) * s + a4) * s + a5) * x + x
    b0, b1, b2, b3, b4, b5, b6 = _ERF_FAR
    tt = t * t
    r = (b0 * t + b1) * tt + (b2 * t + b3)
    r = ((r * t + b4) * t + b5) * t + b6
    far = math.copysign(_ONE - _exp_f32(r * t - t), x)
    y = near if t <= _ERF_SPLIT else far
    return x if x != x else y


def _sigmoid_f32(x):
    e = _exp_f32(-abs(x))  # in (0, 1]: never overflows
    d = _ONE + e
    return _ONE / d if x >= _ZERO else e / d


# ---- float64: libm through math (accurate; scalar calls) ----------------------------------------
def _exp_f64(x):
    return math.exp(x)


def _expm1_f64(x):
    return math.expm1(x)


def _log1p_f64(x):
    return math.log1p(x)


def _tanh_f64(x):
    return math.tanh(x)


def _erf_f64(x):
    return math.erf(x)


def _sigmoid_f64(x):
    e = math.exp(-abs(x))
    return 1.0 / (1.0 + e) if x >= 0.0 else e / (1.0 + e)


def _register(py_fn, f32_impl, f64_impl, inline: str = "never") -> None:
    @overload(py_fn, inline=inline)
    def _typed(x):
        if x == types.float32:
            return f32_impl
        if isinstance(x, types.Float):
            return f64_impl
        return None


_register(exp, _exp_f32, _exp_f64)
_register(expm1, _expm1_f32, _expm1_f64)
_register(log1p, _log1p_f32, _log1p_f64)
_register(tanh, _tanh_f32, _tanh_f64)
_register(erf, _erf_f32, _erf_f64, inline="always")  # too big for LLVM to inline
_register(sigmoid, _sigmoid_f32, _sigmoid_f64)
