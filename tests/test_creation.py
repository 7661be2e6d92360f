"""Creation refuses what PyTorch refuses: values that overflow their dtype, unsupported dtypes
(float16), sizes that are not ints, endless or empty-by-mistake ranges, out-of-range seeds."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import dtypes


@pytest.mark.parametrize(
    "data, dtype, value",
    [
        ([3e9], ta.int32, "3000000000.0"),  # used to wrap to -2147483648
        ([300.0], ta.uint8, "300.0"),  # used to wrap to 44
        ([300], ta.uint8, "300"),
        ([-1], ta.uint8, "-1"),  # PyTorch gives 255 here; a lossy cast all the same
        ([128], ta.int8, "128"),
        (np.array([300]), ta.uint8, "300"),  # numpy data too (PyTorch wraps it silently)
        (np.array([1e10]), ta.int32, "10000000000.0"),
        ([2.0**63], ta.int64, "9.223372036854776e\\+18"),  # one past int64: not int64's max
    ],
)
def test_integer_overflow_on_creation_is_refused(data, dtype, value):
    with pytest.raises(OverflowError, match=f"tensor: value {value} cannot be converted to "):
        ta.tensor(data, dtype=dtype)


def test_values_at_the_edges_of_the_range_are_kept():
    assert ta.tensor([255.0, 0.0], dtype=ta.uint8).tolist() == [255, 0]
    assert ta.tensor([-(2.0**63)], dtype=ta.int64).tolist() == [-(2**63)]
    assert ta.tensor([-128, 127], dtype=ta.int8).tolist() == [-128, 127]
    assert ta.tensor([2**63 - 1]).tolist() == [2**63 - 1]


@pytest.mark.parametrize("data", [[float("nan")], [float("inf")], [-float("inf")]])
def test_nan_and_inf_to_int_are_refused(data):
    with pytest.raises(OverflowError, match="NaN or inf cannot be converted to int64"):
        ta.tensor(data, dtype=ta.int64)


@pytest.mark.parametrize("data", [[2**63], [2**64], [1, -(2**63) - 1], [[1], [2**70]]])
def test_python_ints_beyond_int64_are_refused(data):
    # numpy makes uint64 (2**63) or object arrays of these; 2**63 used to wrap to -2**63
    with pytest.raises(OverflowError, match="does not fit in int64"):
        ta.tensor(data)


def test_full_refuses_a_fill_value_that_does_not_fit():
    with pytest.raises(OverflowError, match="300 cannot be converted to uint8"):
        ta.full((2,), 300, dtype=ta.uint8)
    assert ta.full((2,), 7, dtype=ta.uint8).tolist() == [7, 7]
    assert ta.full((2,), True).dtype == ta.bool_


@pytest.mark.parametrize(
    "make",
    [
        lambda: ta.tensor([1.0], dtype=ta.float16),
        lambda: ta.tensor(np.ones(2, dtype=np.float16)),
        lambda: ta.Tensor(np.ones(2, dtype=np.float16)),
        lambda: ta.tensor(np.ones(2, dtype=np.uint16)),
        lambda: ta.zeros(2, dtype=ta.float16),
        lambda: ta.ones(2, dtype="float16"),
        lambda: ta.empty(2, dtype=ta.float16),
        lambda: ta.randn(2, dtype=ta.float16),
        lambda: ta.rand(2, dtype=ta.float16),
        lambda: ta.full((2,), 1.0, dtype=ta.float16),
        lambda: ta.arange(3, dtype=ta.float16),
        lambda: ta.zeros_like(ta.zeros(2), dtype=ta.float16),
        lambda: ta.ones_like(ta.zeros(2), dtype=np.complex64),
        lambda: ta.zeros(2).to(ta.float16),
    ],
)
def test_unsupported_dtypes_are_refused_where_tensors_are_made(make):
    with pytest.raises(TypeError, match=r"is not supported.*use one of bool, uint8, .*float64"):
        make()


def test_check_supported_is_the_one_public_check():
    assert dtypes.check_supported("float32", "Module.to") == ta.float32
    assert dtypes.check_supported(np.int8, "Module.to") == ta.int8
    with pytest.raises(TypeError, match=r"^Module.to: dtype float16 is not supported .*float32"):
        dtypes.check_supported(ta.float16, "Module.to")
    with pytest.raises(TypeError, match=r"^Linear: unknown dtype 'floaty'"):
        dtypes.check_supported("floaty", "Linear")
    # a float16 array is fine as data when a supported dtype is asked for
    assert ta.tensor(np.ones(2, dtype=np.float16), dtype=ta.float32).dtype == ta.float32


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: ta.zeros(2.5), "zeros"),  # used to truncate to zeros(2)
        (lambda: ta.zeros((2, 2.5)), "zeros"),
        (lambda: ta.zeros([3.0]), "zeros"),
        (lambda: ta.ones(2.5), "ones"),
        (lambda: ta.empty(2.5), "empty"),
        (lambda: ta.randn(2, 2.5), "randn"),
        (lambda: ta.rand(2.5), "rand"),
        (lambda: ta.full((2.5,), 1.0), "full"),
        (lambda: ta.zeros(True), "zeros"),
        (lambda: ta.zeros(np.float64(2)), "zeros"),
        (lambda: ta.zeros("2"), "zeros"),
    ],
)
def test_sizes_must_be_ints(make, name):
    with pytest.raises(TypeError, match=f"{name}: size must be ints"):
        make()


def test_int_like_sizes_are_accepted():
    assert ta.zeros(np.int64(2), 3).shape == (2, 3)
    assert ta.ones(ta.tensor(4)).shape == (4,)
    assert ta.empty((2, 3)).shape == (2, 3) and ta.empty(2).dtype == ta.float32
    with pytest.raises(ValueError, match="negative dimension"):
        ta.zeros(-1)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((0, 5, 0), {}, "step must be nonzero"),  # numpy: ZeroDivisionError
        ((5, 0), {}, "inconsistent with the sign of step"),  # numpy: silently empty
        ((0, 5, -1), {}, "inconsistent with the sign of step"),
        ((float("nan"),), {}, "not finite"),
        ((0, float("inf")), {}, "not finite"),
        ((0, 1, 0.25), {"dtype": ta.int64}, "not whole numbers"),  # used to give [0, 0, 0, 0]
    ],
)
def test_arange_refuses_what_pytorch_refuses(args, kwargs, match):
    with pytest.raises(ValueError, match=f"arange: .*{match}"):
        ta.arange(*args, **kwargs)


def test_arange_values_and_dtypes():
    assert ta.arange(2.5).tolist() == [0.0, 1.0, 2.0] and ta.arange(2.5).dtype == ta.float32
    assert ta.arange(0.0, 3.0, dtype=ta.int64).tolist() == [0, 1, 2]
    assert ta.arange(np.int64(3)).dtype == ta.int64
    assert ta.arange(5, 0, -2).tolist() == [5, 3, 1]
    assert ta.arange(0, 0).shape == (0,)
    with pytest.raises(TypeError, match="arange: end must be a number"):
        ta.arange("3")


def test_negative_seed_is_accepted_as_in_pytorch():
    # torch.manual_seed(-1).initial_seed() == 2**64 - 1: a negative seed wraps modulo 2**64
    ta.manual_seed(-1)
    a = ta.randn(4).numpy()
    ta.manual_seed(2**64 - 1)
    np.testing.assert_array_equal(a, ta.randn(4).numpy())
    ta.manual_seed(-(2**63))
    b = ta.randn(4).numpy()
    ta.manual_seed(-(2**63))
    np.testing.assert_array_equal(b, ta.randn(4).numpy())
    ta.manual_seed(np.int64(3))
    c = ta.randn(2).numpy()
    ta.manual_seed(3)
    np.testing.assert_array_equal(c, ta.randn(2).numpy())


@pytest.mark.parametrize("seed", [2**64, -(2**63) - 1])
def test_seed_out_of_pytorch_range_is_refused(seed):
    with pytest.raises(
        ValueError, match=r"manual_seed: seed .* is out of range.*\[-2\*\*63, 2\*\*64\)"
    ):
        ta.manual_seed(seed)
    with pytest.raises(TypeError, match="manual_seed: seed must be an int"):
        ta.manual_seed("abc")


def test_big_endian_numpy_data_is_accepted_in_native_order():
    t = ta.tensor(np.array([1.5, 2.0], dtype=">f4"))
    assert t.dtype == ta.float32 and t.dtype.isnative and t.tolist() == [1.5, 2.0]
