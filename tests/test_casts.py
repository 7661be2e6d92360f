"""Explicit casts (.int() .long() .float() .double() .to(dtype)) truncate toward zero as PyTorch
does; creation with a dtype (an implicit conversion of the data) still refuses lossy values."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta


@pytest.mark.parametrize(
    "cast, dtype",
    [
        (lambda t: t.int(), ta.int32),
        (lambda t: t.long(), ta.int64),
        (lambda t: t.to(ta.int64), ta.int64),
        (lambda t: t.to("int16"), ta.int16),
        (lambda t: t.to(ta.tensor([1], dtype=ta.int8)), ta.int8),
    ],
)
def test_float_to_int_truncates_toward_zero(cast, dtype):
    # torch.tensor([1.7, -1.7, 0.5, -0.5, 2.0, -2.9]).int() -> [1, -1, 0, 0, 2, -2]
    for src in (ta.float32, ta.float64):
        out = cast(ta.tensor([1.7, -1.7, 0.5, -0.5, 2.0, -2.9], dtype=src))
        assert out.dtype == dtype
        assert out.tolist() == [1, -1, 0, 0, 2, -2]


def test_float_to_uint8_and_bool():
    assert ta.tensor([1.7, 0.5, 255.9, -0.5]).to(ta.uint8).tolist() == [1, 0, 255, 0]
    assert ta.tensor([0.5, 0.0, -2.0, float("nan")]).to(ta.bool_).tolist() == [
        True,
        False,
        True,
        True,  # PyTorch: NaN is nonzero, so True
    ]
    assert ta.tensor([2, -3, 0]).to(ta.bool_).tolist() == [True, True, False]
    assert ta.tensor([True, False]).float().tolist() == [1.0, 0.0]


def test_int_to_int_wraps_like_pytorch():
    # torch.tensor([300, -1]).to(torch.uint8) -> [44, 255]; torch.tensor([2**40]).int() -> [0]
    assert ta.tensor([300, -1]).to(ta.uint8).tolist() == [44, 255]
    assert ta.tensor([2**40]).int().tolist() == [0]


@pytest.mark.parametrize(
    "values, cast, name",
    [
        ([float("nan")], lambda t: t.long(), "long"),
        ([float("inf")], lambda t: t.int(), "int"),
        ([3e9], lambda t: t.int(), "int"),  # PyTorch: -2147483648, whatever the CPU gives
        ([-1.7], lambda t: t.to(ta.uint8), "to"),  # PyTorch: 255
        ([2.0**63], lambda t: t.long(), "long"),
    ],
)
def test_float_values_with_no_int_value_are_refused(values, cast, name):
    with pytest.raises(OverflowError, match=f"{name}: .*NaN, inf or outside"):
        cast(ta.tensor(values, dtype=ta.float64))


def test_edges_of_the_int_range_are_kept():
    assert ta.tensor([2147483647.9, -2147483648.5], dtype=ta.float64).int().tolist() == [
        2147483647,
        -2147483648,
    ]
    assert ta.tensor([-(2.0**63)], dtype=ta.float64).long().tolist() == [-(2**63)]


def test_implicit_conversion_on_creation_still_refuses_fractions():
    with pytest.raises(ValueError, match=r"whole numbers.*\.long\(\)"):
        ta.tensor([1.5, 2.0], dtype=ta.int64)


def test_casts_and_autograd():
    x = ta.tensor([1.5, -2.5], requires_grad=True)
    assert x.float() is x and x.to(ta.float32) is x and x.to("cpu") is x
    i = x.long()
    assert i.tolist() == [1, -2] and not i.requires_grad
    (x.double() * 2).sum().backward()
    assert x.grad.dtype == ta.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
    with pytest.raises(TypeError, match="to: unknown dtype 'gpu'"):
        x.to("gpu")
