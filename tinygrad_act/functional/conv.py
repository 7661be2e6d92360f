"""F.conv1d, F.max_pool1d, F.avg_pool1d, F.adaptive_avg_pool1d, F.batch_norm: argument checks.

PyTorch's names, signatures and defaults. Each checks its arguments (errors name the op, the
shapes and the fix) and calls one Function in ops/conv.py, ops/pool.py or ops/norm.py.
An unbatched (C, L) input is accepted where PyTorch accepts it and given back unbatched.
"""

from __future__ import annotations

import operator
from typing import Any

from ..ops.conv import Conv1d, conv1d_out_length
from ..ops.norm import BatchNorm
from ..ops.pool import (
    AdaptiveAvgPool1d,
    AvgPool1d,
    MaxPool1d,
    adaptive_windows,
    avg_windows,
    pool1d_out_length,
)
from ..tensor import Tensor


def single(op: str, name: str, value: Any, low: int) -> int:
    """An int >= low, from an int or a 1-tuple (PyTorch's _single); refuses 2.5 and (1, 2)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{op}: {name} must be an int or a 1-tuple for 1-D ops, got {value!r}")
        value = value[0]
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int, got {value!r}") from None
    if v < low:
        raise ValueError(f"{op}: {name} must be >= {low}, got {v}")
    return v


def _batched(op: str, input: Any, what: str = "(N, C, L)") -> tuple[Tensor, bool]:  # noqa: A002
    """The input as (N, C, L), and whether it came unbatched as (C, L)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating-point input, got {input.dtype}; call .float()")
    if input.ndim == 2:
        return input.unsqueeze(0), True
    if input.ndim != 3:
        raise ValueError(
            f"{op}: expects input of shape {what} or unbatched (C, L), got {input.shape}; "
            "a batch of plain vectors (N, L) needs a channel dim: x.unsqueeze(1)"
        )
    return input, False


def _unbatch(out: Tensor, unbatched: bool) -> Tensor:
    return out.squeeze(0) if unbatched else out


def conv1d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation. input (N, C_in, L), weight (C_out, C_in/groups, K), bias (C_out,).

    Returns (N, C_out, L_out), L_out = (L + 2*padding - dilation*(K-1) - 1) // stride + 1.
    padding may also be 'valid' (0) or 'same' (stride 1; L_out = L, extra zero on the right).
    """
    op = "conv1d"
    x, unbatched = _batched(op, input)
    if not isinstance(weight, Tensor) or weight.ndim != 3:
        got = weight.shape if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(
            f"{op}: weight must be a Tensor of shape (C_out, C_in/groups, K), got {got}"
        )
    stride = single(op, "stride", stride, 1)
    dilation = single(op, "dilation", dilation, 1)
    groups = single(op, "groups", groups, 1)
    c_out, c_group, ksize = weight.shape
    padding_right = None
    if isinstance(padding, str):
        padding, padding_right = string_padding(op, padding, stride, dilation, ksize)
    padding = single(op, "padding", padding, 0)
    n, c_in, length = x.shape
    if c_in != c_group * groups:
        raise ValueError(
            f"{op}: input {tuple(x.shape)} has {c_in} channels but weight {weight.shape} with "
            f"groups={groups} expects {c_group * groups} (weight.shape[1] * groups); give the "
            "input the layer's in_channels"
        )
    if c_out % groups:
        raise ValueError(
            f"{op}: weight {weight.shape} has {c_out} output channels, not divisible by "
            f"groups={groups}; use a C_out that is a multiple of groups"
        )
    if x.dtype != weight.dtype or (bias is not None and bias.dtype != x.dtype):
        raise TypeError(
            f"{op}: input is {x.dtype} but weight is {weight.dtype}"
            + (f" and bias {bias.dtype}" if bias is not None else "")
            + f"; convert one (x.to({weight.dtype}) or the model .to({x.dtype}))"
        )
    if bias is not None and bias.shape != (c_out,):
        raise ValueError(
            f"{op}: bias has shape {bias.shape}, expected ({c_out},) for {weight.shape}"
        )
    if conv1d_out_length(length, ksize, stride, padding, dilation, padding_right) < 1:
        raise ValueError(
            f"{op}: input {tuple(x.shape)} padded by {padding} is shorter than the kernel "
            f"(size {ksize}, dilation {dilation}: spans {dilation * (ksize - 1) + 1}); "
            "use a longer input, more padding or a smaller kernel"
        )
    out = Conv1d.apply(
        x, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups,
        padding_right=padding_right,
    )  # fmt: skip
    return _unbatch(out, unbatched)


def string_padding(op: str, padding: str, stride: int, dilation: int, ksize: int):
    """(left, right) zeros for 'valid' or 'same'; an odd total puts the extra zero on the right,
    as PyTorch does."""
    if padding == "valid":
        return 0, 0
    if padding != "same":
        raise ValueError(f"{op}: padding must be an int, 'valid' or 'same', got {padding!r}")
    if stride != 1:
        raise ValueError(
            f"{op}: padding='same' is not supported for strided convolutions (stride={stride}), "
            "as in PyTorch; give the padding as an int"
        )
    total = dilation * (ksize - 1)
    return total // 2, total - total // 2


def _pool_args(op: str, kernel_size, stride, padding, dilation) -> tuple[int, int, int, int]:
    k = single(op, "kernel_size", kernel_size, 1)
    s = k if stride is None or stride == () or stride == [] else single(op, "stride", stride, 1)
    p = single(op, "padding", padding, 0)
    d = single(op, "dilation", dilation, 1)
    if p > k // 2:
        raise ValueError(
            f"{op}: padding should be at most half of kernel size, but got padding={p} and "
            f"kernel_size={k}; use padding <= {k // 2}"
        )
    return k, s, p, d


def _check_pool_length(op: str, x: Tensor, k: int, s: int, p: int, d: int) -> None:
    if pool1d_out_length(x.shape[2], k, s, p, d) < 1:
        raise ValueError(
            f"{op}: input {tuple(x.shape)} padded by {p} is shorter than the window "
            f"(kernel_size {k}, dilation {d}); use a longer input or a smaller kernel"
        )


def _no_ceil(op: str, ceil_mode: bool) -> None:
    if ceil_mode:
        raise NotImplementedError(f"{op}: ceil_mode=True is not implemented; use ceil_mode=False")


def max_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """Max over windows of `kernel_size` along L. (N, C, L) -> (N, C, L_out); stride defaults to
    kernel_size. return_indices is not supported (the indices stay inside the graph node)."""
    op = "max_pool1d"
    x, unbatched = _batched(op, input)
    k, s, p, d = _pool_args(op, kernel_size, stride, padding, dilation)
    _no_ceil(op, ceil_mode)
    if return_indices:
        raise NotImplementedError(f"{op}: return_indices=True is not implemented")
    _check_pool_length(op, x, k, s, p, d)
    out = MaxPool1d.apply(x, kernel_size=k, stride=s, padding=p, dilation=d)
    return _unbatch(out, unbatched)


def avg_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Mean over windows of `kernel_size` along L (zero padding, counted in the divisor when
    count_include_pad). (N, C, L) -> (N, C, L_out); stride defaults to kernel_size."""
    op = "avg_pool1d"
    x, unbatched = _batched(op, input)
    k, s, p, _ = _pool_args(op, kernel_size, stride, padding, 1)
    _no_ceil(op, ceil_mode)
    _check_pool_length(op, x, k, s, p, 1)
    windows = avg_windows(x.shape[2], k, s, p, bool(count_include_pad))
    out = AvgPool1d.apply(x, windows=windows)
    return _unbatch(out, unbatched)


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:  # noqa: A002
    """Mean over `output_size` windows covering L. (N, C, L) -> (N, C, output_size)."""
    op = "adaptive_avg_pool1d"
    x, unbatched = _batched(op, input)
    o = single(op, "output_size", output_size, 1)
    if x.shape[2] < 1:
        raise ValueError(f"{op}: input {tuple(x.shape)} has length 0; nothing to average")
    return _unbatch(AdaptiveAvgPool1d.apply(x, windows=adaptive_windows(x.shape[2], o)), unbatched)


def batch_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dim 1) of (N, C) or (N, C, L) by its batch statistics (training)
    or the running ones (eval), then scale by weight and shift by bias (each (C,) or None).
    In training the running buffers (if given) are updated in place with the unbiased variance."""
    op = "batch_norm"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (2, 3):
        raise ValueError(f"{op}: expects input of shape (N, C) or (N, C, L), got {input.shape}")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating-point input, got {input.dtype}; call .float()")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):  # fmt: skip
        if t is not None and t.shape != (c,):
            raise ValueError(
                f"{op}: {name} has shape {t.shape} but input {input.shape} has {c} channels "
                f"(dim 1); expected ({c},)"
            )
        if t is not None and name in ("weight", "bias") and t.dtype != input.dtype:
            raise TypeError(f"{op}: input is {input.dtype} but {name} is {t.dtype}; convert one")
    if (running_mean is None) != (running_var is None):
        raise ValueError(f"{op}: give both running_mean and running_var, or neither")
    if not training and running_mean is None:
        raise ValueError(f"{op}: eval mode (training=False) needs running_mean and running_var")
    m = input.shape[0] * (input.shape[2] if input.ndim == 3 else 1)
    if training and m <= 1:
        raise ValueError(
            f"{op}: Expected more than 1 value per channel when training, got input size "
            f"{input.shape}; use a batch of 2 or more, or call model.eval()"
        )
    rm = running_mean.data if running_mean is not None else None
    rv = running_var.data if running_var is not None else None
    return BatchNorm.apply(
        input, weight, bias, running_mean=rm, running_var=rv, training=bool(training),
        momentum=float(momentum), eps=float(eps),
    )  # fmt: skip
