"""Reductions: values and gradients against numpy formulas, dims/keepdim, tie sharing, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_act as ta
from tinygrad_act import gradcheck

SETTINGS = settings(max_examples=25, deadline=None)


@st.composite
def array_and_dims(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    x = draw(hnp.arrays(np.float64, shape, elements=st.floats(-3, 3, allow_subnormal=False)))
    dims = draw(st.lists(st.integers(0, len(shape) - 1), unique=True, max_size=len(shape)))
    return x, (tuple(dims) or None), draw(st.booleans())


@SETTINGS
@given(array_and_dims())
def test_sum_mean_match_numpy_and_gradcheck(case):
    x, dims, keep = case
    t = ta.tensor(x, dtype=ta.float64, requires_grad=True)
    np.testing.assert_allclose(t.sum(dims, keep).numpy(), x.sum(axis=dims, keepdims=keep))
    np.testing.assert_allclose(t.mean(dims, keep).numpy(), x.mean(axis=dims, keepdims=keep))
    assert gradcheck(lambda v: v.sum(dims, keep) * 2.0, (t,))
    assert gradcheck(lambda v: v.mean(dims, keep), (t,))
    assert gradcheck(lambda v: v.logsumexp(dims if dims else 0, keep), (t,))


@SETTINGS
@given(array_and_dims())
def test_logsumexp_matches_numpy(case):
    x, dims, keep = case
    d = dims if dims else 0
    expected = np.log(np.sum(np.exp(x), axis=d, keepdims=keep))
    got = ta.tensor(x, dtype=ta.float64).logsumexp(d, keep).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_logsumexp_is_stable_and_handles_all_neg_inf():
    x = ta.tensor([[1000.0, 1000.0], [-np.inf, -np.inf]], dtype=ta.float64)
    out = x.logsumexp(1).numpy()
    assert out[0] == pytest.approx(1000.0 + np.log(2.0))
    assert out[1] == -np.inf


def test_amax_shares_gradient_among_ties():
    x = ta.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]], requires_grad=True)
    x.amax(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0.5, 0.5], [1, 0, 0]])
    x.grad = None
    x.max().backward()  # full reduction: ties share, like PyTorch's max()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0.5, 0.5], [0, 0, 0]])


def test_max_with_dim_returns_values_and_indices_gradient_to_index():
    x = ta.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values.numpy(), [3.0, 2.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
    assert indices.dtype == ta.int64
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [1, 0, 0]])
    v, i = x.min(dim=0, keepdim=True)
    assert v.shape == (1, 3) and i.shape == (1, 3)
    np.testing.assert_array_equal(v.numpy(), [[1.0, 0.0, 1.0]])


def test_max_min_gradcheck_without_ties():
    x = ta.tensor(np.random.default_rng(0).permutation(12).reshape(3, 4) * 0.5, dtype=ta.float64)
    x.requires_grad_()
    assert gradcheck(lambda v: v.max(1).values, (x,))
    assert gradcheck(lambda v: v.amin(0), (x,))
    assert gradcheck(lambda v: v.max() + v.min(), (x,))


def test_argmax_argmin():
    x = ta.tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 1.0]])
    assert x.argmax().item() == 3
    np.testing.assert_array_equal(x.argmax(dim=1).numpy(), [1, 0])
    np.testing.assert_array_equal(x.argmin(dim=0).numpy(), [0, 1, 1])


def test_bad_dim_names_op_and_shape():
    with pytest.raises(IndexError, match=r"sum: dim 2 is out of range.*\(3, 4\)"):
        ta.ones(3, 4).sum(2)
    with pytest.raises(IndexError, match="max: dim -3"):
        ta.ones(3, 4).max(-3)


def test_mean_of_integers_is_a_type_error():
    with pytest.raises(TypeError, match="mean.*int64"):
        ta.tensor([1, 2]).mean()
