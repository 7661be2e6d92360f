"""Tensor creation, dtypes, conversion and the small API a PyTorch user expects."""

import numpy as np
import pytest

import tinygrad_act as ta


def test_dtype_rules_follow_torch_tensor():
    assert ta.tensor([1.0, 2.0]).dtype == ta.float32
    assert ta.tensor([1, 2]).dtype == ta.int64
    assert ta.tensor([True]).dtype == ta.bool_
    assert ta.tensor(np.zeros(2)).dtype == ta.float64  # numpy arrays keep their dtype
    assert ta.tensor([1, 2], dtype=ta.float64).dtype == ta.float64


def test_tensor_copies_its_data():
    a = np.zeros(3)
    t = ta.tensor(a)
    a[0] = 5
    assert t.numpy()[0] == 0


def test_lossy_cast_to_int_is_refused():
    with pytest.raises(ValueError, match="whole numbers"):
        ta.tensor([1.5, 2.0], dtype=ta.int64)
    assert ta.tensor([1.0, 2.0], dtype=ta.int64).tolist() == [1, 2]
    # an explicit .long() truncates like PyTorch: tests/test_casts.py


def test_non_numeric_data_is_refused():
    with pytest.raises(TypeError, match="tensor"):
        ta.tensor(["a", "b"])


def test_creation_functions():
    assert ta.zeros(2, 3).shape == (2, 3) and ta.zeros((2, 3)).dtype == ta.float32
    assert ta.ones(4).numpy().sum() == 4
    assert ta.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert ta.arange(5).dtype == ta.int64 and ta.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert ta.arange(0.0, 1.0, 0.5).dtype == ta.float32
    assert ta.randn(3, 2, dtype=ta.float64).dtype == ta.float64
    r = ta.rand(1000).numpy()
    assert 0 <= r.min() and r.max() < 1
    assert ta.zeros(2, requires_grad=True).requires_grad


def test_manual_seed_makes_randn_reproducible():
    ta.manual_seed(123)
    a = ta.randn(5).numpy()
    ta.manual_seed(123)
    b = ta.randn(5).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, ta.randn(5).numpy())


def test_properties_and_conversions():
    x = ta.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.shape == (2, 2) and x.ndim == 2 and x.numel() == 4 and len(x) == 2
    assert x.T.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert x.sum().item() == 10.0
    assert float(x[0, 1]) == 2.0
    with pytest.raises(ValueError, match="one-element"):
        x.item()
    assert x.double().dtype == ta.float64
    assert [row.tolist() for row in x] == [[1.0, 2.0], [3.0, 4.0]]


def test_float_conversion_is_differentiable():
    x = ta.tensor([1.0, 2.0], dtype=ta.float64, requires_grad=True)
    (x.float() * 3).sum().backward()
    assert x.grad.dtype == ta.float64
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_repr_like_pytorch():
    assert repr(ta.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert "dtype=float64" in repr(ta.tensor([1.0], dtype=ta.float64))


def test_bool_of_multi_element_tensor_raises():
    with pytest.raises(RuntimeError, match="truth value"):
        bool(ta.ones(2))
