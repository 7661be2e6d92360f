"""Interop with PyTorch (skipped, with the reason, where torch is not installed)."""

import numpy as np
import pytest

import tinygrad_act as ta

torch = pytest.importorskip("torch", reason="torch is not installed (it is optional)")


def test_torch_from_dlpack_and_as_tensor_share_memory():
    t = ta.tensor([[1.0, 2.0], [3.0, 4.0]])
    pt = torch.from_dlpack(t)
    pt[0, 0] = 10.0
    assert t[0, 0].item() == 10.0
    pa = torch.as_tensor(t)  # used to fail: "len() of a 0-d tensor"
    pa[1, 1] = 20.0
    assert t[1, 1].item() == 20.0 and pa.dtype == torch.float32
    assert torch.as_tensor(ta.tensor(3.0)).item() == 3.0


def test_ta_from_dlpack_takes_a_torch_tensor_without_copy():
    pt = torch.arange(6, dtype=torch.float64).reshape(2, 3)
    t = ta.from_dlpack(pt)
    t.data[0, 0] = -1.0
    assert pt[0, 0].item() == -1.0 and t.dtype == ta.float64


def test_the_graph_does_not_travel_and_torch_asks_for_detach():
    w = ta.ones(2, requires_grad=True)
    with pytest.raises(BufferError, match="detach"):
        torch.from_dlpack(w)
    pw = torch.ones(2, requires_grad=True)
    with pytest.raises(BufferError, match="detach"):
        ta.from_dlpack(pw)
    t = ta.from_dlpack(pw.detach())
    np.testing.assert_array_equal(t.numpy(), [1.0, 1.0])
