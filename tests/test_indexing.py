"""Indexing in PyTorch's dimension order, forward and backward: tests/golden/indexing.json
(tools/make_golden_indexing.py), plus masks of the wrong shape and bad index types."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import gradcheck

GOLDEN = json.loads((Path(__file__).parent / "golden" / "indexing.json").read_text())
SHAPE = tuple(GOLDEN["meta"]["x_shape"])


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["expr"] for c in GOLDEN["cases"]])
def test_forward_and_backward_match_torch(case):
    x = ta.arange(int(np.prod(SHAPE)), dtype=ta.float64).reshape(SHAPE).requires_grad_()
    env = {"x": x, **{k: ta.tensor(v) for k, v in GOLDEN["meta"]["names"].items()}}
    out = eval(case["expr"], {}, env)
    assert out.shape == tuple(case["shape"])
    np.testing.assert_array_equal(out.numpy().reshape(-1), case["values"])
    w = np.arange(1, out.numel() + 1, dtype=np.float64).reshape(out.shape)
    (out * ta.tensor(w)).sum().backward()
    want = np.zeros(x.numel())
    for i, g in case["grad"]:
        want[i] = g
    np.testing.assert_array_equal(x.grad.numpy().reshape(-1), want)


def test_the_issue_example_differs_from_numpy():
    x = ta.zeros(2, 6, 12, 5, 7)
    idx = ta.tensor([0, 2, 1])
    assert x[1, :, 3:11:2, idx, 0:2].shape == (6, 4, 3, 2)  # numpy: (3, 6, 4, 2)
    assert x.numpy()[1, :, 3:11:2, idx.numpy(), 0:2].shape == (3, 6, 4, 2)


def test_gradcheck_through_mixed_indexing():
    ta.manual_seed(0)
    x = ta.randn(3, 4, 5, dtype=ta.float64, requires_grad=True)
    idx = ta.tensor([2, 0, 2])
    assert gradcheck(lambda v: v[1, :, idx] * 2.0, (x,))
    assert gradcheck(lambda v: v[idx, :, idx], (x,))
    assert gradcheck(lambda v: v[:, ta.tensor([True, False, True, True]), 1:4], (x,))
    assert gradcheck(lambda v: v[::-1, None, idx], (x,))  # numpy's negative step, kept


@pytest.mark.parametrize(
    "index, where",
    [
        (
            lambda: ta.tensor([True, False]),
            "shape \\(2,\\) at index 0 .* at dim 0 \\(sizes \\(10,\\)",
        ),
        (
            lambda: (slice(None), ta.ones(3, dtype=ta.bool_)),
            "shape \\(3,\\) at index 1 .* at dim 1",
        ),
        (lambda: ta.ones(10, 12, dtype=ta.bool_), "shape \\(10, 12\\) at index 0"),
        (lambda: (0, ta.ones(12, dtype=ta.bool_)), "at dim 1 \\(sizes \\(11,\\)"),
    ],
)
def test_a_mask_of_the_wrong_shape_raises(index, where):
    # used to be accepted silently: a short mask became nonzero() positions that were in range
    with pytest.raises(IndexError, match="getitem: the boolean mask of .*" + where):
        ta.ones(10, 11, 12)[index()]


def test_a_mask_of_the_right_shape_selects():
    x = ta.arange(24).reshape(2, 3, 4)
    m = ta.tensor([[True, False, True], [False, False, True]])
    np.testing.assert_array_equal(x[m].numpy(), x.numpy()[m.numpy()])
    assert x[ta.tensor([False, True])].shape == (1, 3, 4)


@pytest.mark.parametrize(
    "index, error",
    [
        (lambda: 5, "index 5 is out of bounds"),
        (lambda: (0, 0, 0, 0), "too many indices"),
        (lambda: 1.5, "only integers, slices"),
        (lambda: ta.tensor([0.0, 1.0]), "integers or bools"),
        (lambda: (Ellipsis, 0, Ellipsis), "single ellipsis"),
        (lambda: (slice(None), ta.tensor([0, 9])), "out of bounds"),
    ],
)
def test_bad_indices_raise_index_error(index, error):
    with pytest.raises(IndexError, match=f"getitem: .*{error}"):
        ta.zeros(4, 3, 2)[index()]
