"""Conv1d and the 1-D pooling layers (PyTorch names, defaults, reprs and state_dict keys).

    Conv1d:            (N, C_in, L) -> (N, C_out, L_out)      weight (C_out, C_in/groups, K), bias
    MaxPool1d:         (N, C, L) -> (N, C, L_out)            stride defaults to kernel_size
    AvgPool1d:         (N, C, L) -> (N, C, L_out)
    AdaptiveAvgPool1d: (N, C, L) -> (N, C, output_size)
Unbatched (C, L) inputs work too, as in PyTorch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes as _dt
from ..functional import conv as Fc
from ..tensor import Tensor
from . import init
from .module import Module, Parameter, check_param_dtype


class Conv1d(Module):
    """1-D cross-correlation layer.

    PyTorch's default init: kaiming_uniform_(weight, a=sqrt(5)), i.e. U(-1/sqrt(fan_in),
    1/sqrt(fan_in)) with fan_in = in_channels/groups * kernel_size, and bias from the same range.
    Only padding_mode='zeros' exists here.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int | str = 0,
        dilation: int = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        op = "Conv1d"
        if device not in (None, "cpu"):
            raise ValueError(f"{op}: only device='cpu' exists here, got {device!r}")
        if padding_mode != "zeros":
            raise NotImplementedError(f"{op}: padding_mode={padding_mode!r}; only 'zeros' exists")
        self.in_channels = Fc.single(op, "in_channels", in_channels, 1)
        self.out_channels = Fc.single(op, "out_channels", out_channels, 1)
        self.kernel_size = (Fc.single(op, "kernel_size", kernel_size, 1),)
        self.stride = (Fc.single(op, "stride", stride, 1),)
        self.padding = (
            padding if isinstance(padding, str) else (Fc.single(op, "padding", padding, 0),)
        )
        self.dilation = (Fc.single(op, "dilation", dilation, 1),)
        self.groups = Fc.single(op, "groups", groups, 1)
        self.padding_mode = padding_mode
        if isinstance(padding, str):  # refuse a bad string now, not at the first forward
            Fc.string_padding(op, padding, self.stride[0], self.dilation[0], self.kernel_size[0])
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"{op}: in_channels={self.in_channels} and out_channels={self.out_channels} must "
                f"both be divisible by groups={self.groups}"
            )
        dt = check_param_dtype(op, _dt.default_float if dtype is None else _dt.to_dtype(dtype))
        shape = (self.out_channels, self.in_channels // self.groups, self.kernel_size[0])
        self.weight = Parameter(np.empty(shape, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * self.weight.shape[2]
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        pad = self.padding if isinstance(self.padding, str) else self.padding[0]
        return Fc.conv1d(
            input, self.weight, self.bias, self.stride[0], pad, self.dilation[0], self.groups
        )

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,):  # a string prints bare, as in PyTorch: padding=same
            s += f", padding={self.padding}"
        if self.dilation != (1,):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class MaxPool1d(Module):
    """Max over sliding windows along L (padding counts as -inf)."""

    def __init__(
        self,
        kernel_size: int,
        stride: int | None = None,
        padding: int = 0,
        dilation: int = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return Fc.max_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
            self.return_indices,
        )  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool1d(Module):
    """Mean over sliding windows along L (zero padding)."""

    def __init__(
        self,
        kernel_size: int,
        stride: int | None = None,
        padding: int = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = (kernel_size,)
        self.stride = (stride if stride is not None else kernel_size,)
        self.padding = (padding,)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return Fc.avg_pool1d(
            input, self.kernel_size[0], self.stride[0], self.padding[0], self.ceil_mode,
            self.count_include_pad,
        )  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """Mean over `output_size` windows that cover the whole length."""

    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return Fc.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
