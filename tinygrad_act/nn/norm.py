"""BatchNorm1d over (N, C) or (N, C, L) (PyTorch's defaults, reprs and state_dict keys).

state_dict: weight, bias (affine), running_mean, running_var, num_batches_tracked (int64)
(track_running_stats). In train mode the batch's statistics normalise and the running ones are
updated (momentum=None: their cumulative average, momentum 1/num_batches_tracked); in eval mode
the running ones normalise. Without track_running_stats the batch's statistics are used in both
modes, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as _dt
from .. import recording
from ..functional.conv import batch_norm
from ..tensor import Tensor
from .module import Module, Parameter, check_param_dtype


class BatchNorm1d(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias per channel C. (N, C) or (N, C, L)."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if device not in (None, "cpu"):
            raise ValueError(f"BatchNorm1d: only device='cpu' exists here, got {device!r}")
        from ..functional.conv import single

        self.num_features = single("BatchNorm1d", "num_features", num_features, 1)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dt = check_param_dtype(
            "BatchNorm1d", _dt.default_float if dtype is None else _dt.to_dtype(dtype)
        )
        c = self.num_features
        if affine:
            self.weight = Parameter(np.ones(c, dtype=dt))
            self.bias = Parameter(np.zeros(c, dtype=dt))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(c, dtype=dt)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(c, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.array(0, dtype=np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight.data[...] = 1
            self.bias.data[...] = 0

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if isinstance(input, Tensor) and input.ndim not in (2, 3):
            raise ValueError(
                f"BatchNorm1d: expected 2D or 3D input (got {input.ndim}D input of shape "
                f"{input.shape}); BatchNorm1d normalises (N, C) or (N, C, L)"
            )
        if isinstance(input, Tensor) and input.shape[1] != self.num_features:
            raise ValueError(
                f"{self!r}: input {input.shape} has {input.shape[1]} channels (dim 1), the layer "
                f"expects {self.num_features}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            recording.call(_count_batch, self.num_batches_tracked.data)  # ta.compile repeats it
            if self.momentum is None:  # cumulative moving average of every batch so far
                recording.note("BatchNorm1d(momentum=None) takes its factor from the count")
                factor = 1.0 / float(self.num_batches_tracked.data)
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


def _count_batch(count: np.ndarray) -> None:
    count += 1
