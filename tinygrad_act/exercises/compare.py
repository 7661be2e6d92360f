"""Comparing a student's numbers with the reference: tolerances, edge inputs, and how to print
a number so that -0.0, nan and inf stay visible.

Tolerance for one element: |actual - expected| <= RTOL * |expected| + ATOL_EPS * eps * scale.
`scale` bounds the rounding a correct answer can carry: (1 + min(|x|, 64)) * |upstream grad| for
elementwise ops (formulas that cancel, like gelu's 1 + tanh(u) for x << 0, lose absolute
accuracy in proportion to x), the same sum over |terms| for reductions. Loose enough for any
correct formula, tight enough for a wrong sign, factor or branch (each is off by O(1)).
"""

from __future__ import annotations

import numpy as np

RTOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}
ATOL_EPS = 16.0  # absolute slack, in units of the dtype's eps times `scale`
BIG = 64.0  # beyond this |x| the ops here are linear or flat: no more cancellation to allow for


def elementwise_scale(x: np.ndarray, g: np.ndarray | float = 1.0) -> np.ndarray:
    """The rounding scale of an elementwise op's value (g = 1) or gradient (g = upstream)."""
    ax = np.fmin(np.abs(np.asarray(x, dtype=np.float64)), BIG)  # fmin: nan -> BIG
    return (1.0 + ax) * np.abs(np.asarray(g, dtype=np.float64))


def differs(
    actual: np.ndarray,
    expected: np.ndarray,
    dtype: np.dtype,
    scale: np.ndarray | float = 1.0,
    skip: np.ndarray | None = None,
) -> np.ndarray:
    """Bool array: True where `actual` is not within tolerance of `expected`.

    nan matches nan, inf matches the same inf; a nan or inf where a finite number is expected
    always differs. `skip` masks elements that are not compared (e.g. gradients at nan inputs).
    """
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    dt = np.dtype(dtype)
    with np.errstate(all="ignore"):
        tol = RTOL[dt] * np.abs(e) + ATOL_EPS * np.finfo(dt).eps * np.asarray(scale)
        ok = np.abs(a - e) <= np.where(np.isfinite(e), tol, 0.0)
    ok |= np.isnan(a) & np.isnan(e)
    ok |= np.isinf(e) & (a == e)
    if skip is not None:
        ok |= skip
    return ~ok


def fmt(v: float, dtype: np.dtype | None = None) -> str:
    """A number as a student should read it: -0.0, nan, inf, and enough digits to see a
    difference (float32 values print their float32 digits, not float64 noise)."""
    v = float(v)
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "-0.0" if np.signbit(v) else "0"
    digits = 8 if dtype is not None and np.dtype(dtype) == np.float32 else 10
    return f"{v:.{digits}g}"


def edge_points(dtype: np.dtype, kinks: tuple = ()) -> np.ndarray:
    """The inputs where hand-written kernels go wrong: signed zeros, subnormals, the kinks and
    their neighbours one ulp away, large and huge |x| (where x^2 or exp overflow), +-inf, nan."""
    dt = np.dtype(dtype)
    fi = np.finfo(dt)
    huge = 1e300 if dt == np.float64 else 1e30
    pts = [0.0, -0.0, float(fi.smallest_subnormal), -float(fi.smallest_subnormal)]
    pts += [float(fi.tiny), -float(fi.tiny), 1e-8, -1e-8, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0]
    pts += [10.0, -10.0, 1e4, -1e4, huge, -huge, np.inf, -np.inf, np.nan]
    for k in kinks:
        kk = dt.type(k)
        pts += [float(kk), float(np.nextafter(kk, dt.type(-np.inf)))]
        pts += [float(np.nextafter(kk, dt.type(np.inf)))]
    # unique, in order; repr() keeps 0.0 and -0.0 apart (both are tested)
    unique: dict[str, float] = {}
    for p in pts:
        unique.setdefault(repr(float(dt.type(p))), p)
    return np.array(list(unique.values()), dtype=dt)


def random_points(rng: np.random.Generator, shape: tuple, kinks: tuple = (), spread=3.0):
    """Standard normal * spread, float64, nudged at least 1e-3 away from every kink (so that
    finite differences never straddle one)."""
    x = rng.standard_normal(shape) * spread
    for k in kinks:
        near = np.abs(x - k) < 1e-3
        x[near] += 0.01 * np.where(x[near] >= k, 1.0, -1.0)
    return x
