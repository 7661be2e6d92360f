"""Shape ops and indexing: values against numpy, gradients (incl. scatter-add), errors."""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import gradcheck


def _x(*shape):
    ta.manual_seed(0)
    return ta.randn(*shape, dtype=ta.float64, requires_grad=True)


def test_reshape_view_flatten_transpose_permute():
    x = _x(2, 3, 4)
    assert x.reshape(6, 4).shape == (6, 4)
    assert x.view(-1).shape == (24,)
    assert x.flatten(1).shape == (2, 12)
    assert x.transpose(0, 2).shape == (4, 3, 2)
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.T.shape == (4, 3, 2)
    np.testing.assert_array_equal(x.permute(2, 0, 1).numpy(), x.numpy().transpose(2, 0, 1))
    for fn in (
        lambda v: v.reshape(4, 6) * 1.0,
        lambda v: v.flatten(0, 1),
        lambda v: v.transpose(0, 2) * v.transpose(0, 2),
        lambda v: v.permute(1, 2, 0).reshape(3, 8),
    ):
        assert gradcheck(fn, (x,))


def test_squeeze_unsqueeze_expand():
    x = _x(3, 1, 2)
    assert x.squeeze().shape == (3, 2)
    assert x.squeeze(1).shape == (3, 2)
    assert x.squeeze(0).shape == (3, 1, 2)  # PyTorch: a non-1 dim is left alone
    assert x.unsqueeze(0).shape == (1, 3, 1, 2)
    assert x.unsqueeze(-1).shape == (3, 1, 2, 1)
    e = x.expand(2, 3, 4, 2)
    assert e.shape == (2, 3, 4, 2)
    e.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((3, 1, 2), 8.0))
    assert gradcheck(lambda v: v.expand(3, 5, 2) * 1.5, (x,))


def test_getitem_basic_and_advanced_with_repeated_indices():
    x = _x(4, 3)
    np.testing.assert_array_equal(x[1].numpy(), x.numpy()[1])
    np.testing.assert_array_equal(x[1:3, ::2].numpy(), x.numpy()[1:3, ::2])
    assert x[None, 0].shape == (1, 3)
    assert x[..., 1].shape == (4,)
    idx = ta.tensor([0, 2, 0, 0])
    x[idx].sum().backward()
    expected = np.zeros((4, 3))
    expected[0] = 3
    expected[2] = 1
    np.testing.assert_array_equal(x.grad.numpy(), expected)  # repeated rows add up
    assert gradcheck(lambda v: v[[0, 0, 3], [1, 1, 2]] * 2.0, (x,))
    assert gradcheck(lambda v: v[1:, None, ::-1], (x,))
    mask = x.data > 0
    assert gradcheck(lambda v: v[ta.tensor(mask)], (x,))


def test_getitem_errors_name_the_shape():
    with pytest.raises(IndexError, match=r"getitem.*\(4, 3\)"):
        _x(4, 3)[5]
    with pytest.raises(IndexError, match="integers or bools"):
        _x(4, 3)[ta.tensor([0.0, 1.0])]


def test_cat_and_stack():
    a, b = _x(2, 3), ta.randn(1, 3, dtype=ta.float64, requires_grad=True)
    c = ta.cat([a, b], dim=0)
    assert c.shape == (3, 3)
    np.testing.assert_array_equal(c.numpy(), np.concatenate([a.numpy(), b.numpy()]))
    assert gradcheck(lambda u, v: ta.cat([u, v * 2.0], 0), (a, b))
    s = ta.stack([a, a * 2], dim=1)
    assert s.shape == (2, 2, 3)
    assert gradcheck(lambda u: ta.stack([u, u * 3.0], dim=-1), (a,))
    with pytest.raises(ValueError, match=r"cat.*\(2, 3\) and \(2, 4\)"):
        ta.cat([ta.ones(2, 3), ta.ones(2, 4)], dim=0)
    with pytest.raises(ValueError, match="stack"):
        ta.stack([ta.ones(2), ta.ones(3)])


def test_reshape_error_names_sizes():
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\).*6 elements.*\(4,\)"):
        ta.ones(2, 3).reshape(4)


def test_permute_error():
    with pytest.raises(ValueError, match="permutation"):
        ta.ones(2, 3).permute(0, 0)
