"""tinygrad_act.ops.conv / F.conv1d / nn.Conv1d: values and gradients vs PyTorch, gradcheck."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from _conv_golden import DTYPES, TOL, cases, config, field

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("i", cases("conv"))
def test_conv1d_matches_pytorch(i, dtype):
    cfg, key = config("conv", i), f"conv|{i}|{dtype}"
    x = ta.tensor(field(key, "x", dtype), requires_grad=True)
    w = ta.tensor(field(key, "w", dtype), requires_grad=True)
    b = field(key, "b", dtype)
    b = ta.tensor(b, requires_grad=True) if b is not None else None
    y = F.conv1d(x, w, b, cfg["stride"], cfg["padding"], cfg["dilation"], cfg["groups"])
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y.numpy(), field(key, "y"), **TOL[dtype])
    (y * ta.tensor(field(key, "g", dtype))).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), field(key, "dx"), **TOL[dtype])
    np.testing.assert_allclose(w.grad.numpy(), field(key, "dw"), **TOL[dtype])
    if b is not None:
        np.testing.assert_allclose(b.grad.numpy(), field(key, "db"), **TOL[dtype])


@pytest.mark.parametrize(
    "stride,padding,dilation,groups,bias",
    [
        (1, 0, 1, 1, True),
        (2, 1, 1, 1, False),
        (3, 2, 2, 1, True),
        (1, 1, 1, 2, True),
        (2, 0, 3, 3, False),
    ],  # fmt: skip
)
def test_conv1d_gradcheck(stride, padding, dilation, groups, bias):
    ta.manual_seed(0)
    x = ta.randn(2, 3 * groups, 11, dtype=ta.float64, requires_grad=True)
    w = ta.randn(2 * groups, 3, 3, dtype=ta.float64, requires_grad=True)
    args = (x, w) + ((ta.randn(2 * groups, dtype=ta.float64, requires_grad=True),) if bias else ())
    assert ta.gradcheck(
        lambda x, w, *b: F.conv1d(x, w, b[0] if b else None, stride, padding, dilation, groups),
        args,
    )


def test_conv1d_only_the_gradients_asked_for():
    x = ta.randn(2, 3, 8, requires_grad=True)
    w = ta.randn(4, 3, 3)
    F.conv1d(x, w).sum().backward()
    assert x.grad is not None and w.grad is None
    x2 = ta.randn(2, 3, 8)
    w2 = ta.randn(4, 3, 3, requires_grad=True)
    F.conv1d(x2, w2).sum().backward()
    assert w2.grad.shape == (4, 3, 3)


def test_unbatched_input_and_string_padding_like_pytorch():
    ta.manual_seed(1)
    w = ta.randn(4, 2, 3)
    x = ta.randn(2, 9)
    y = F.conv1d(x, w, padding="same")
    assert y.shape == (4, 9)
    np.testing.assert_allclose(y.numpy(), F.conv1d(x.unsqueeze(0), w, padding=1).numpy()[0])
    assert F.conv1d(x, w, padding="valid").shape == (4, 7)
    # an even kernel: PyTorch pads 1 zero on the left and 2 on the right (checked with torch)
    w4 = ta.randn(4, 2, 4, requires_grad=True)
    xb = ta.randn(3, 2, 9, requires_grad=True)
    y = F.conv1d(xb, w4, padding="same")
    padded = np.pad(xb.numpy(), ((0, 0), (0, 0), (1, 2)))
    np.testing.assert_allclose(y.numpy(), F.conv1d(ta.tensor(padded), w4).numpy(), rtol=1e-6)
    assert ta.gradcheck(
        lambda x, w: F.conv1d(x, w, padding="same", dilation=3),
        (ta.randn(2, 2, 9, dtype=ta.float64, requires_grad=True),
         ta.randn(3, 2, 2, dtype=ta.float64, requires_grad=True)),
    )  # fmt: skip


def test_nn_conv1d_defaults_init_state_dict_and_repr():
    ta.manual_seed(0)
    m = nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2)
    assert list(m.state_dict()) == ["weight", "bias"]
    assert m.weight.shape == (6, 2, 3) and m.bias.shape == (6,)
    bound = 1 / np.sqrt(2 * 3)  # kaiming_uniform_(a=sqrt(5)) gives U(+-1/sqrt(fan_in))
    assert np.abs(m.weight.numpy()).max() <= bound and np.abs(m.bias.numpy()).max() <= bound
    assert np.abs(m.weight.numpy()).max() > 0.8 * bound  # the full range is used, not a tiny one
    assert repr(m) == "Conv1d(4, 6, kernel_size=(3,), stride=(2,), padding=(1,), groups=2)"
    assert (
        repr(nn.Conv1d(1, 2, 5, bias=False))
        == "Conv1d(1, 2, kernel_size=(5,), stride=(1,), bias=False)"
    )
    assert m(ta.randn(5, 4, 10)).shape == (5, 6, 5)
    same = nn.Conv1d(2, 4, 4, padding="same")
    assert repr(same) == "Conv1d(2, 4, kernel_size=(4,), stride=(1,), padding=same)"
    assert same(ta.randn(3, 2, 11)).shape == (3, 4, 11)
    with pytest.raises(ValueError, match=r"padding='same' is not supported for strided"):
        nn.Conv1d(2, 4, 3, stride=2, padding="same")
    m64 = nn.Conv1d(1, 2, 3, dtype=ta.float64)
    assert m64(ta.randn(1, 1, 5, dtype=ta.float64)).dtype == ta.float64


@pytest.mark.parametrize(
    "x_shape,w_shape,kwargs,match",
    [
        ((2, 3, 10), (4, 2, 3), {}, r"conv1d: input \(2, 3, 10\) has 3 channels but weight"),
        ((2, 4, 10), (5, 2, 3), {"groups": 2}, r"conv1d: weight \(5, 2, 3\) has 5 output chan"),
        ((2, 3, 2), (4, 3, 3), {}, r"conv1d: input \(2, 3, 2\) padded by 0 is shorter"),
        ((2, 3, 10), (4, 3), {}, r"conv1d: weight must be a Tensor of shape \(C_out"),
        ((10,), (4, 3, 3), {}, r"conv1d: expects input of shape \(N, C, L\)"),
        ((2, 3, 10), (4, 3, 3), {"stride": 0}, r"conv1d: stride must be >= 1"),
        ((2, 3, 10), (4, 3, 3), {"padding": -1}, r"conv1d: padding must be >= 0"),
        ((2, 3, 10), (4, 3, 3), {"padding": "full"}, r"conv1d: padding must be an int, 'valid'"),
        ((2, 3, 10), (4, 3, 3), {"padding": "same", "stride": 2}, r"padding='same' is not sup"),
    ],
)
def test_conv1d_bad_arguments_name_the_op_shapes_and_fix(x_shape, w_shape, kwargs, match):
    with pytest.raises((ValueError, NotImplementedError), match=match):
        F.conv1d(ta.randn(*x_shape), ta.randn(*w_shape), **kwargs)


def test_conv1d_refuses_mixed_dtypes_and_bad_bias():
    with pytest.raises(TypeError, match=r"conv1d: input is float64 but weight is float32"):
        F.conv1d(ta.randn(1, 2, 5, dtype=ta.float64), ta.randn(3, 2, 2))
    with pytest.raises(ValueError, match=r"conv1d: bias has shape \(2,\), expected \(3,\)"):
        F.conv1d(ta.randn(1, 2, 5), ta.randn(3, 2, 2), ta.randn(2))


def test_kernels_run_without_the_jit():
    """NUMBA_DISABLE_JIT=1: every conv, pool and norm kernel runs as plain Python (slowly)."""
    code = (
        "import tinygrad_act as ta, tinygrad_act.functional as F\n"
        "x = ta.randn(2, 2, 6, dtype=ta.float64, requires_grad=True)\n"
        "w = ta.randn(4, 1, 3, dtype=ta.float64, requires_grad=True)\n"
        "g = ta.randn(4, dtype=ta.float64, requires_grad=True)\n"
        "f = lambda x, w, g: F.adaptive_avg_pool1d(F.avg_pool1d(F.max_pool1d(F.batch_norm(\n"
        "    F.conv1d(x, w, padding=1, groups=2), None, None, g, None, True), 2, 1), 2, 1), 2)\n"
        "assert ta.gradcheck(f, (x, w, g))\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


def test_the_residual_block_in_the_docs_runs_and_trains():
    """docs/residual_block.md's code block: it runs, gives (8, 10), backward reaches the stem."""
    import pathlib
    import re

    text = (pathlib.Path(__file__).parents[1] / "docs" / "residual_block.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", text, re.S)
    ns: dict = {}
    exec(compile(code, "docs/residual_block.md", "exec"), ns)
    assert ns["logits"].shape == (8, 10)
    model = ns["model"]
    assert "2.bn1.num_batches_tracked" in model.state_dict()
    ns["logits"].sum().backward()
    assert np.abs(model[0].weight.grad.numpy()).sum() > 0


def _reference_conv1d(x, w, b, stride, padding, dilation, groups):
    """The definition, written as directly as numpy allows (no im2col, no matmul tricks)."""
    n, c_in, length = x.shape
    c_out, c_group, k = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    l_out = (length + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    y = np.zeros((n, c_out, l_out))
    per_group = c_out // groups
    for o in range(c_out):
        g = o // per_group
        for j in range(l_out):
            taps = xp[:, g * c_group : (g + 1) * c_group, j * stride + dilation * np.arange(k)]
            y[:, o, j] = np.einsum("nck,ck->n", taps, w[o])
    return y if b is None else y + b[None, :, None]


@pytest.mark.parametrize("seed", range(25))
def test_conv1d_matches_the_definition_on_random_configurations(seed):
    rng = np.random.default_rng(seed)
    groups, k, dilation = (
        int(rng.choice([1, 2, 4])),
        int(rng.integers(1, 7)),
        int(rng.integers(1, 4)),
    )
    c_in, c_out = groups * int(rng.integers(1, 4)), groups * int(rng.integers(1, 4))
    length = int(rng.integers(max(1, dilation * (k - 1) + 1 - 2 * 3), 40))
    stride, padding = int(rng.integers(1, 5)), int(rng.integers(0, 4))
    if length + 2 * padding < dilation * (k - 1) + 1:
        padding = (dilation * (k - 1) + 1 - length + 1) // 2
    x = rng.standard_normal((int(rng.integers(0, 4)), c_in, length))
    w = rng.standard_normal((c_out, c_in // groups, k))
    b = rng.standard_normal(c_out) if seed % 2 else None
    got = F.conv1d(ta.tensor(x), ta.tensor(w), None if b is None else ta.tensor(b), stride,
                   padding, dilation, groups).numpy()  # fmt: skip
    want = _reference_conv1d(x, w, b, stride, padding, dilation, groups)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_conv1d_edges_kernel_one_stride_past_the_end_and_an_empty_batch():
    x = ta.randn(2, 3, 5, dtype=ta.float64, requires_grad=True)
    w = ta.randn(4, 3, 1, dtype=ta.float64, requires_grad=True)
    assert ta.gradcheck(lambda x, w: F.conv1d(x, w, stride=7), (x, w))  # one output, position 0
    assert F.conv1d(x, w, stride=7).shape == (2, 4, 1)
    e = ta.zeros(0, 3, 5, requires_grad=True)
    y = F.conv1d(e, ta.randn(4, 3, 2), ta.zeros(4))
    y.sum().backward()
    assert y.shape == (0, 4, 4) and e.grad.shape == (0, 3, 5)
