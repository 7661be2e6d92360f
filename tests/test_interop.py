"""Interop with numpy: the array protocols share memory, never the graph (docs/interop.md)."""

import gc

import numpy as np
import pytest

import tinygrad_act as ta


def test_np_asarray_shares_and_np_array_copies():
    t = ta.tensor([1.0, 2.0])
    np.asarray(t)[0] = 5.0
    assert t.tolist() == [5.0, 2.0]
    c = np.array(t)  # copy=True by default: must not alias (it used to)
    c[1] = 9.0
    assert t.tolist() == [5.0, 2.0]
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


def test_array_interface_describes_the_same_memory_and_keeps_it_alive():
    base = np.arange(12.0).reshape(3, 4)
    t = ta.tensor(base).T[1:]  # a strided view: shape (3, 3)
    iface = t.__array_interface__
    assert iface["shape"] == (3, 3) and iface["typestr"] == "<f8"
    v = np.asarray(t)
    assert np.shares_memory(v, t.data)
    np.testing.assert_array_equal(v, np.arange(12.0).reshape(3, 4).T[1:])
    expected = v.copy()
    t.data = None  # the tensor lets go of its array: the exported view must keep the memory
    del t
    gc.collect()
    _ = [np.full(12, -1.0) for _ in range(50)]  # reuse freed memory if there were any
    np.testing.assert_array_equal(v, expected)


def test_dlpack_round_trip_with_numpy_shares_memory():
    t = ta.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.__dlpack_device__() == (1, 0)  # kDLCPU, device 0
    a = np.from_dlpack(t)
    a[0, 0] = 10.0
    assert t[0, 0].item() == 10.0
    back = ta.from_dlpack(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert isinstance(back, ta.Tensor) and back.dtype == ta.float32 and back.shape == (2, 3)
    src = np.zeros(3, dtype=np.float64)
    u = ta.from_dlpack(src)
    u.data[1] = 7.0
    assert src[1] == 7.0 and u.is_leaf and not u.requires_grad


def test_exporting_a_tensor_that_requires_grad_asks_for_detach():
    w = ta.ones(3, requires_grad=True)
    with pytest.raises(BufferError, match=r"Can't export tensors that require gradient.*detach"):
        np.from_dlpack(w)
    a = np.from_dlpack(w.detach())  # the PyTorch way: same memory, no graph
    assert np.shares_memory(a, w.data)


def test_from_dlpack_refuses_what_it_cannot_hold():
    with pytest.raises(TypeError, match="from_dlpack: expected an object with __dlpack__"):
        ta.from_dlpack([1.0, 2.0])
    with pytest.raises(TypeError, match="from_dlpack: .*complex"):
        ta.from_dlpack(np.zeros(2, dtype=np.complex64))
