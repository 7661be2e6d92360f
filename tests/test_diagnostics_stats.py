"""diagnostics.stats: pure functions checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_act.diagnostics import stats as S

# 4 inputs x 3 units; unit 0 positive on 1 input, unit 1 on 2 (0.0 is not positive), unit 2 on 0
PRE = np.array(
    [
        [2.0, 0.0, -1.0],
        [-1.0, 3.0, -0.5],
        [-2.0, 1.0, 0.0],
        [-0.5, -4.0, -0.0],
    ]
)


def test_activity_and_dead_mask_by_hand():
    np.testing.assert_array_equal(S.activity(PRE), [0.25, 0.5, 0.0])
    np.testing.assert_array_equal(S.dead_mask(PRE), [False, False, True])


def test_dead_mask_one_positive_input_is_enough_to_be_alive():
    pre = np.full((1000, 2), -1.0)
    pre[537, 1] = 1e-30
    np.testing.assert_array_equal(S.dead_mask(pre), [True, False])


def test_units_are_the_last_axis_or_the_channels_of_a_conv_activation():
    pre = PRE.reshape(2, 2, 3).transpose(0, 2, 1)  # (N, C, L): a channel is a unit (dim 1)
    np.testing.assert_array_equal(S.activity(pre), [0.25, 0.5, 0.0])
    np.testing.assert_array_equal(S.dead_mask(pre), [False, False, True])
    assert S.as_units(pre).shape == (4, 3)  # rows are (input, position) pairs
    assert S.as_units(np.arange(3.0)).shape == (1, 3)  # one input of 3 units
    with pytest.raises(ValueError, match="0-d"):
        S.as_units(np.float64(1.0))
    with pytest.raises(ValueError, match="no inputs"):
        S.dead_mask(np.zeros((0, 3)))


def test_sparsity_counts_exact_zeros_only():
    y = np.maximum(PRE, 0.0)  # relu of PRE: zeros where PRE <= 0 (incl. -0.0 and 0.0)
    # zeros: unit 0 -> 3, unit 1 -> 2, unit 2 -> 4; total 9 of 12
    assert S.sparsity(y) == 9 / 12
    np.testing.assert_array_equal(S.unit_sparsity(y), [0.75, 0.5, 1.0])
    assert S.sparsity(np.array([[1e-30, -1e-30]])) == 0.0


def test_near_zero_fraction_with_tolerance():
    y = np.array([[0.0, 0.005, -0.01, 0.02]])
    assert S.near_zero_fraction(y, tol=0.01) == 3 / 4  # |y| <= tol, boundary included
    assert S.near_zero_fraction(y, tol=0.0) == 1 / 4  # tol 0 = exact zeros
    with pytest.raises(ValueError, match="tol"):
        S.near_zero_fraction(y, tol=-1.0)


def test_saturation_thresholds_are_strict_and_named():
    t = np.array([[0.97, 0.9700001, -0.99, 0.5]])
    np.testing.assert_array_equal(S.saturation_mask(t, "tanh"), [[False, True, True, False]])
    np.testing.assert_array_equal(
        S.saturation_mask(t, "tanh", tanh_threshold=0.5), [[True, True, True, False]]
    )
    s = np.array([[0.03, 0.0299, 0.9701, 0.5], [0.97, 0.01, 0.99, 0.2]])
    # column 0 sits on both boundaries (0.03 and 0.97): strict inequalities leave it unsaturated
    np.testing.assert_array_equal(S.saturation(s, "sigmoid"), [0.0, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(S.saturation(s, "sigmoid", sigmoid_margin=0.25), [1, 1, 1, 0.5])
    with pytest.raises(ValueError, match="kind"):
        S.saturation(s, "relu")
    with pytest.raises(ValueError, match="tanh_threshold"):
        S.saturation(t, "tanh", tanh_threshold=1.5)


def test_died_revived():
    prev = np.array([True, False, False, True])
    now = np.array([True, True, False, False])
    died, revived = S.died_revived(prev, now)
    np.testing.assert_array_equal(died, [1])
    np.testing.assert_array_equal(revived, [3])
    with pytest.raises(ValueError, match="shapes"):
        S.died_revived(prev, now[:3])


def test_is_constant():
    out = np.tile([[0.5, -1.25]], (7, 1))
    assert S.is_constant(out)
    out2 = out.copy()
    out2[3, 1] = np.nextafter(-1.25, 0)  # one ulp apart: not constant at atol=0
    assert not S.is_constant(out2)
    assert S.is_constant(out2, atol=1e-6)
    assert S.output_spread(np.array([[0.0, 1.0], [2.0, 1.5]])) == 2.0
    out3 = out.copy()
    out3[0, 0] = np.nan
    assert not S.is_constant(out3)
    with pytest.raises(ValueError, match="N >= 1"):
        S.output_spread(np.zeros((0, 2)))


def test_zero_fraction_and_grad_norm():
    g = np.array([[0.0, 3.0], [4.0, 0.0]], dtype=np.float32)
    assert S.zero_fraction(g) == 0.5
    assert S.grad_norm(g) == 5.0
    rng = np.random.default_rng(0)
    h = rng.standard_normal((7, 5))
    assert np.isclose(S.grad_norm(h), np.linalg.norm(h))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_counts_equal_the_numpy_fallback(dtype):
    """The monitor's one-pass kernels (diagnostics/_counts.py) against the numpy versions, on
    data with the awkward values: exact zeros, -0.0, NaN, inf and values on every threshold."""
    from tinygrad_act.diagnostics import _counts as C

    rng = np.random.default_rng(0)
    y = rng.standard_normal((257, 13)).astype(dtype)
    y.flat[::7] = 0.0
    y.flat[1::11] = -0.0
    y.flat[2::13] = np.nan
    y.flat[3::17] = np.inf
    y.flat[4::19] = 0.97
    y.flat[5::23] = 0.03
    y.flat[6::29] = 0.01
    pre = -y[::-1].copy()
    for sat_kind, a, b in [(C.SAT_NONE, 0, 0), (C.SAT_ABS, 0.97, 0), (C.SAT_OUTSIDE, 0.03, 0.97)]:
        fast = [np.zeros(13, np.int64) for _ in range(4)]
        slow = [np.zeros(13, np.int64) for _ in range(4)]
        C.count_forward(pre, y, True, 0.01, sat_kind, a, b, *fast)
        C._count_forward_numpy(pre, y, True, 0.01, sat_kind, a, b, *slow)
        for f, s in zip(fast, slow):
            np.testing.assert_array_equal(f, s)
    assert fast[0].sum() == np.count_nonzero(pre > 0)  # and both agree with plain numpy
    g = np.where(np.isfinite(y), y, 0).astype(dtype)
    nz_fast, nz_slow = np.zeros(13, np.int64), np.zeros(13, np.int64)
    s_fast, s_slow = C.count_grad(g, nz_fast), C._count_grad_numpy(g, nz_slow)
    np.testing.assert_array_equal(nz_fast, nz_slow)
    assert s_fast == pytest.approx(s_slow, rel=1e-12)
    assert s_fast == pytest.approx(np.sum(g.astype(np.float64) ** 2), rel=1e-12)
    n, ss = C.nonzero_sumsq(g)
    assert n == np.count_nonzero(g) and ss == pytest.approx(s_slow, rel=1e-12)
