"""kernels/_fastmath.py: the vectorizable float32 exp, expm1, log1p_exp, tanh, erf and sigmoid
against float64 references (numpy, math.erf), in ulps, and their special values."""

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
def _erf(x, out):
    for i in range(x.shape[0]):
        out[i] = fm.erf(x[i])


@njit
def _sigmoid(x, out):
    for i in range(x.shape[0]):
        out[i] = fm.sigmoid(x[i])


def _sigmoid64(x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


# kernel, float64 reference, input range, max ulps allowed
FUNCS = {
    "exp": (_exp, np.exp, (-104.0, 89.0), 1.0),
    "expm1": (_expm1, np.expm1, (-40.0, 89.0), 2.0),
    "log1p_exp": (_log1p_exp, lambda x: np.logaddexp(0.0, x), (-100.0, 100.0), 2.5),
    "tanh": (_tanh, np.tanh, (-12.0, 12.0), 3.0),
    "erf": (_erf, np.vectorize(math.erf), (-6.0, 6.0), 1.5),
    "sigmoid": (_sigmoid, _sigmoid64, (-100.0, 100.0), 2.5),
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
    want = ref(x.astype(np.float64))
    with np.errstate(over="ignore"):
        want32 = want.astype(np.float32)
    normal = np.isfinite(want32) & (np.abs(want32) >= np.finfo(np.float32).tiny)
    ulp = np.spacing(np.abs(want32[normal])).astype(np.float64)
    err = np.abs(out[normal] - want[normal]) / ulp
    worst = int(np.argmax(err))
    assert err[worst] <= max_ulp, f"{name}({x[normal][worst]!r}): {err[worst]:.2f} ulp"
    assert out.dtype == np.float32


SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -1e-40, 1e4, -1e4], np.float32)


@pytest.mark.parametrize("name", ["exp", "expm1", "log1p_exp", "tanh", "erf", "sigmoid"])
def test_special_values_match_numpy(name):
    kernel, ref, _, _ = FUNCS[name]
    out = np.empty_like(SPECIAL)
    kernel(SPECIAL, out)
    with np.errstate(all="ignore"):
        want = ref(SPECIAL.astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(out, want)  # equal NaNs, infinities, zeros and saturation
    assert (np.signbit(out) == np.signbit(want))[~np.isnan(want)].all()


@pytest.mark.parametrize("name", list(FUNCS))
def test_float64_uses_full_precision(name):
    kernel, ref, (lo, hi), _ = FUNCS[name]
    x = np.linspace(lo, hi, 1001)
    out = np.empty_like(x)
    kernel(x, out)
    np.testing.assert_allclose(out, ref(x), rtol=4e-16, atol=1e-300)
