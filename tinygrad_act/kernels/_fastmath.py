"""exp, expm1, log(1 + exp), tanh, the normal CDF and sigmoid that vectorize in Numba loops.

Why this file exists: Numba lowers `math.exp` & co. to scalar libm calls, which LLVM cannot
vectorize (no SVML here), so a float32 activation runs near 1 GB/s instead of memory speed. The
float32 versions below are written with only +, *, /, compares and bit casts, so a loop that calls
them compiles to AVX-512 code:

    exp    Cody-Waite range reduction x = n*ln2 + r, a degree-7 polynomial for exp(r), and 2**n
           built from exponent bits (in two halves, so results down to the subnormals are right)
    expm1  the same reduction with a polynomial for expm1(r): no cancellation near 0
    log1p_exp  softplus: max(x, 0) + log1p(w), w = exp(-|x|) <= 1, with log1p(w) =
           2 atanh(w / (2 + w)) from a short odd polynomial (no log, no overflow)
    tanh   t / (t + 2) near 0 and 1 - 2 / (t + 2) further out, t = expm1(2|x|), sign restored
    ndtr_gauss  Phi(x), the normal CDF, for gelu: Phi(-|x|) = exp(-x^2/2) u Q(u) / 2 with
           u = 1 / (1 + |x| / (2 sqrt 2)) and a fitted Q, so exp(-x^2/2) (the density gelu's
           backward needs) comes from the same exp; no 1 + erf cancellation for x < 0

Measured against float64 references: <= 3 ulp everywhere (see tests/test_fastmath.py).
float64 keeps full accuracy: there the same names call libm through `math` (scalar, slower).

Dispatch on the argument's type happens at compile time through `numba.extending.overload`:
the Python functions below are what runs under NUMBA_DISABLE_JIT=1 (numpy on scalars, with
floating-point warnings silenced because inf/0 results are intended).
Special values: NaN in gives NaN out; exp(+inf) = inf, exp(-inf) = 0; no operation traps.

Editing this file? Numba's on-disk cache keys a kernel on its own file only, so kernels compiled
from kernels/activations*.py keep the old code until those files change: touch them (or delete
their __pycache__/*.nbi, *.nbc) after an edit here.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload, register_jitable

__all__ = ["exp", "expm1", "log1p_exp", "tanh", "ndtr_gauss", "sigmoid"]

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


def log1p_exp(x):
    """log(1 + e**x) (softplus), as max(x, 0) + log1p(e**-|x|): no overflow, exact tails."""
    return np.logaddexp(type(x)(0), x)


def tanh(x):
    return np.tanh(x)


def ndtr_gauss(x):
    """(Phi(x), exp(-x*x/2)): the normal CDF and the unnormalized density, sharing one exp."""
    with np.errstate(all="ignore"):
        return type(x)(0.5 * math.erfc(-x / math.sqrt(2.0))), np.exp(x * x * type(x)(-0.5))


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


# atanh(s) = s + s^3 * P(s^2) on 0 <= s <= 1/3 (fitted, 1.1e-10 relative)
_ATANH_P = tuple(_f(c) for c in (0.121445276, 0.10715448, 0.1430829, 0.19999444, 0.33333337))


def _log1p_exp_f32(x):
    w = _exp_f32(-abs(x))  # in [0, 1]: never overflows
    s = w / (_TWO + w)  # log1p(w) = 2 atanh(w / (2 + w)), and s <= 1/3 here
    q = s * s
    p0, p1, p2, p3, p4 = _ATANH_P
    p = (((p0 * q + p1) * q + p2) * q + p3) * q + p4
    s2 = _TWO * s
    m = x if x > _ZERO else _ZERO
    return m + (s2 + s2 * (q * p))


def _tanh_f32(x):
    a = abs(x)
    a = _f(9.5) if a > _f(9.5) else a  # tanh(9.5) rounds to 1 in float32
    t = _expm1_f32(_TWO * a)
    r = _ONE / (t + _TWO)
    # near 0: t / (t + 2) keeps relative accuracy; near 1: 1 - 2 / (t + 2) rounds correctly
    y = math.copysign(t * r if a < _f(0.625) else _ONE - _TWO * r, x)
    return x if x != x else y


# erfc(t) = exp(-t^2) * u * Q(u) with u = 1 / (1 + t/2), Q of degree 8 fitted on 0 <= t <= 9.6
# (where Phi(-t sqrt 2) reaches the float32 subnormals) with Q(1) = 1, by Lawson iterations:
# 3.7e-7 relative; with float32's rounding of x*x/2 inside exp, 1.1e-6 for |x| <= 5.7. No 1 + erf
# cancellation for x < 0, and exp(-x^2 / 2) is shared with the normal density.
_NDTR_Q = tuple(  # halved, so u * Q(u) / 2 costs no extra multiply (exact: a power of 2)
    _HALF * _f(c)
    for c in (
        -0.05831599,
        0.28117737,
        -0.48071882,
        0.27126142,
        -0.022335833,
        0.20102978,
        0.24348584,
        0.28232732,
        0.28208894,
    )
)
_HALF_RSQRT2 = _f(0.35355339)  # 1 / (2 sqrt 2): u = 1 / (1 + |x| / (2 sqrt 2))


def _ndtr_gauss_f32(x):
    gauss = _exp_f32(x * x * -_HALF)  # exp(-x^2 / 2), as PyTorch's gelu backward computes it
    u = _ONE / (_ONE + abs(x) * _HALF_RSQRT2)
    q0, q1, q2, q3, q4, q5, q6, q7, q8 = _NDTR_Q
    q = (((((((q0 * u + q1) * u + q2) * u + q3) * u + q4) * u + q5) * u + q6) * u + q7) * u + q8
    c = gauss * (u * q)  # Phi(-|x|), accurate relative to itself; NaN stays NaN (from exp)
    return (_ONE - c if x > _ZERO else c), gauss


def _sigmoid_f32(x):
    e = _exp_f32(-abs(x))  # in (0, 1]: never overflows
    d = _ONE + e
    return _ONE / d if x >= _ZERO else e / d


# ---- float64: libm through math (accurate; scalar calls) ----------------------------------------
def _exp_f64(x):
    return math.exp(x)


def _expm1_f64(x):
    return math.expm1(x)


def _log1p_exp_f64(x):
    m = x if x > 0.0 else 0.0
    return m + math.log1p(math.exp(-abs(x)))


def _tanh_f64(x):
    return math.tanh(x)


def _ndtr_gauss_f64(x):
    return 0.5 * math.erfc(-x * 0.7071067811865476), math.exp(x * x * -0.5)


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
_register(log1p_exp, _log1p_exp_f32, _log1p_exp_f64)
_register(tanh, _tanh_f32, _tanh_f64)
_register(ndtr_gauss, _ndtr_gauss_f32, _ndtr_gauss_f64, inline="always")  # returns a tuple
_register(sigmoid, _sigmoid_f32, _sigmoid_f64)
