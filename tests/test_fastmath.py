"""kernels/_fastmath.py: the vectorizable float32 exp, expm1, log1p_exp, tanh, erf and sigmoid
against float64 references (numpy, math.erfc), in ulps, and their special values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_act.kernels import _fastmath as fm
from tinygrad_act.kernels._parallel import njit as _njit

# numpy or Numba warnings (also while compiling, on a cold cache) fail these tests
pytestmark = pytest.mark.filterwarnings("error")

# not cached: Numba's cache would not notice an edit to _fastmath.py and test the old code
njit = _njit(cache=False)


@njit
def _exp(x, out):
    for i in range(x.shape[0]):
        out[i] = fm.exp(x[i])


@njit
def _expm1(x, out):
    for i in range(x.shape[0]):
        out[i] = fm.expm1(x[i])


@njit
def _log1p_exp(x, out):
    for i in range(x.shape[0]):
        out[i] = fm.log1p_exp(x[i])


@njit
def _tanh(x, out):
    for i in range(x.shape[0]):
        out[i] = fm.tanh(x[i])


@njit
def _ndtr(x, out):
    for i in range(x.shape[0]):
        out[i] = fm.ndtr_gauss(x[i])[0]


@njit
def _gauss(x, out):
    for i in range(x.shape[0]):
        out[i] = fm.ndtr_gauss(x[i])[1]


_erfc = np.vectorize(math.erfc)


def _ndtr64(x):
    return 0.5 * _erfc(-x / math.sqrt(2.0))


@njit
def _sigmoid(x, out):
    for i in range(x.shape[0]):
        out[i] = fm.sigmoid(x[i])


def _sigmoid64(x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _f64(fn):
    return lambda x: fn(x.astype(np.float64))


def _gauss64(x):
    """exp of the float32 argument x*x*(-1/2), as the kernel (and PyTorch) rounds it."""
    return np.exp((x * x * np.float32(-0.5)).astype(np.float64))


# kernel, reference on the float32 inputs, input range, max ulps allowed
FUNCS = {
    "exp": (_exp, _f64(np.exp), (-104.0, 89.0), 1.0),
    "expm1": (_expm1, _f64(np.expm1), (-40.0, 89.0), 2.0),
    "log1p_exp": (_log1p_exp, _f64(lambda x: np.logaddexp(0.0, x)), (-100.0, 100.0), 2.5),
    "tanh": (_tanh, _f64(np.tanh), (-12.0, 12.0), 3.0),
    "gauss": (_gauss, _gauss64, (-13.0, 13.0), 1.0),
    "sigmoid": (_sigmoid, _f64(_sigmoid64), (-100.0, 100.0), 2.5),
}


def _inputs(lo: float, hi: float) -> np.ndarray:
    rng = np.random.default_rng(0)
    tiny = np.geomspace(1e-37, 1.0, 2000)
    parts = [rng.uniform(lo, hi, 30000), np.linspace(lo, hi, 5001), tiny]
    if lo < 0:
        parts.append(-tiny)
    return np.concatenate(parts).astype(np.float32)


@pytest.mark.parametrize("name", list(FUNCS))
def test_float32_accuracy_in_ulps(name):
    kernel, ref, (lo, hi), max_ulp = FUNCS[name]
    x = _inputs(lo, hi)
    out = np.empty_like(x)
    kernel(x, out)
    want = ref(x)
    with np.errstate(over="ignore"):
        want32 = want.astype(np.float32)
    normal = np.isfinite(want32) & (np.abs(want32) >= np.finfo(np.float32).tiny)
    ulp = np.spacing(np.abs(want32[normal])).astype(np.float64)
    err = np.abs(out[normal] - want[normal]) / ulp
    worst = int(np.argmax(err))
    assert err[worst] <= max_ulp, f"{name}({x[normal][worst]!r}): {err[worst]:.2f} ulp"
    assert out.dtype == np.float32


SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -1e-40, 1e4, -1e4], np.float32)


@pytest.mark.parametrize("name", list(FUNCS) + ["ndtr"])
def test_special_values_match_numpy(name):
    kernel, ref = (_ndtr, _f64(_ndtr64)) if name == "ndtr" else FUNCS[name][:2]
    out = np.empty_like(SPECIAL)
    kernel(SPECIAL, out)
    with np.errstate(all="ignore"):
        want = ref(SPECIAL).astype(np.float32)
    np.testing.assert_array_equal(out, want)  # equal NaNs, infinities, zeros and saturation
    assert (np.signbit(out) == np.signbit(want))[~np.isnan(want)].all()


def test_normal_cdf_float32():
    """Phi(x) = erfc(-x / sqrt 2) / 2: relative accuracy also deep in the left tail (where
    1 + erf(x / sqrt 2) would cancel), absolute next to 1."""
    x = np.concatenate([np.linspace(-13.0, 6.0, 40001), -np.geomspace(1e-30, 1, 500)])
    x = x.astype(np.float32)
    out = np.empty_like(x)
    _ndtr(x, out)
    want = _ndtr64(x.astype(np.float64))
    rel = np.abs(out / want - 1)
    assert rel[np.abs(x) <= 5.7].max() <= 2e-6
    assert rel[x < -5.7].max() <= 4e-5  # float32's rounding of x*x/2 inside exp, ~x^2/2 eps
    assert np.abs(out - want)[x > 0].max() <= 2.5e-7  # 4 ulp of 1; PyTorch: 1.5e-7 (A&S erf)
    assert _ndtr(np.zeros(1, np.float32), out[:1]) is None and out[0] == 0.5  # exact at 0


@pytest.mark.parametrize("name", list(FUNCS) + ["ndtr"])
def test_float64_uses_full_precision(name):
    kernel, ref, (lo, hi) = (_ndtr, _ndtr64, (-13.0, 6.0)) if name == "ndtr" else FUNCS[name][:3]
    x = np.linspace(lo, hi, 1001)
    out = np.empty_like(x)
    kernel(x, out)
    want = np.exp(-0.5 * x * x) if name == "gauss" else ref(x)
    np.testing.assert_allclose(out, want, rtol=1e-13 if name == "ndtr" else 4e-16, atol=1e-300)
