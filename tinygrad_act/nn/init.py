"""nn.init: fill Parameters in place, with PyTorch's names, defaults and formulas.

Every function writes into `tensor.data` (never through the graph, so it is safe on leaves that
require grad, like torch's `with torch.no_grad()`), draws from `tinygrad_act.random`'s seeded
generator (or `generator=` if given), and returns the tensor.

Fans, as torch's `_calculate_fan_in_and_fan_out`: for a weight of shape (out, in, *kernel),
fan_in = in * prod(kernel), fan_out = out * prod(kernel). A Linear weight (out, in) has
fan_in = in, fan_out = out.

The variance-preserving inits pick std = gain / sqrt(fan) so that a layer keeps the second moment
of its input (He: gain sqrt(2) for ReLU, because ReLU zeroes half of a symmetric input).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from ..random import default_generator
from ..tensor import Tensor

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "lecun_normal_",
    "normal_",
    "ones_",
    "randomized_asymmetric_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

_GAIN_ONE = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain that keeps activations' second moment through a nonlinearity (torch's table).

    linear / conv* / sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu(slope, default 0.01):
    sqrt(2 / (1 + slope^2)); selu: 3/4.
    """
    if nonlinearity in _GAIN_ONE:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, numbers.Real):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        # the value torch picked empirically (not variance preserving), kept for compatibility
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; use one of linear, conv1d, "
        "conv2d, conv3d, conv_transpose1d/2d/3d, sigmoid, tanh, relu, leaky_relu, selu"
    )


def _check(op: str, tensor: Any) -> np.ndarray:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{op}: expects a Tensor (e.g. layer.weight), got {type(tensor).__name__}")
    if tensor.data.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating-point tensor, got {tensor.data.dtype}")
    return tensor.data


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            f"Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(shape {shape}); use normal_/uniform_ with an explicit scale for biases"
        )
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _rng(generator: np.random.Generator | None) -> np.random.Generator:
    return default_generator() if generator is None else generator


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Fill with draws from U(a, b)."""
    data = _check("uniform_", tensor)
    data[...] = _rng(generator).uniform(a, b, size=data.shape)
    return tensor


def normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Fill with draws from N(mean, std^2)."""
    data = _check("normal_", tensor)
    data[...] = _rng(generator).normal(mean, std, size=data.shape)
    return tensor


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with `val` (e.g. a small positive bias, 0.01, to start ReLU units alive)."""
    _check("constant_", tensor)[...] = val
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def _skip_empty(op: str, tensor: Tensor) -> bool:
    if 0 in tensor.shape:
        warnings.warn(f"{op}: initializing a zero-element tensor is a no-op", stacklevel=3)
        return True
    return False


def _xavier_std(op: str, tensor: Tensor, gain: float) -> float:
    """gain * sqrt(2 / (fan_in + fan_out)): the compromise between forward and backward scale."""
    _check(op, tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Glorot & Bengio 2010: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    a = math.sqrt(3.0) * _xavier_std("xavier_uniform_", tensor, gain)  # U(-a, a): std a/sqrt(3)
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Glorot & Bengio 2010: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    return normal_(tensor, 0.0, _xavier_std("xavier_normal_", tensor, gain), generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> Tensor:
    """He et al. 2015: U(-bound, bound), bound = sqrt(3) * gain / sqrt(fan).

    gain = calculate_gain(nonlinearity, a); `a` is the leaky_relu slope (a=0 gives sqrt(2), the
    ReLU gain). nn.Linear's default is a=sqrt(5), which makes bound = 1/sqrt(fan_in).
    """
    _check("kaiming_uniform_", tensor)
    if _skip_empty("kaiming_uniform_", tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> Tensor:
    """He et al. 2015: N(0, std^2), std = gain / sqrt(fan), gain = calculate_gain(nonlinearity, a).

    mode="fan_in" keeps forward activations' scale; "fan_out" keeps backward gradients' scale.
    """
    _check("kaiming_normal_", tensor)
    if _skip_empty("kaiming_normal_", tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def lecun_normal_(tensor: Tensor, generator: np.random.Generator | None = None) -> Tensor:
    """LeCun et al. 1998: N(0, 1/fan_in) (untruncated; what SELU's self-normalization assumes).

    Same as kaiming_normal_(tensor, nonlinearity='linear'). torch has no lecun_normal_.
    """
    _check("lecun_normal_", tensor)
    if _skip_empty("lecun_normal_", tensor):
        return tensor
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, 1.0 / math.sqrt(fan_in), generator)


def randomized_asymmetric_(
    weight: Tensor,
    bias: Tensor | None = None,
    sigma: float = 0.6007,
    beta_a: float = 2.0,
    beta_b: float = 1.0,
    generator: np.random.Generator | None = None,
) -> tuple[Tensor, Tensor | None]:
    """Randomized asymmetric initialization (RAI) of Lu, Shin, Su & Karniadakis 2020.

    "Dying ReLU and Initialization: Theory and Numerical Examples" (Commun. Comput. Phys. 28).
    For a layer with weight W (N_out, N_in) and bias b (N_out,), each neuron j's row
    V_j = [W_j, b_j] in R^(N_in + 1) is drawn as

        k_j ~ Uniform{0, ..., N_in}                      (one position per neuron)
        V_j[k_j] ~ P = Beta(beta_a, beta_b)              (positive, asymmetric: Beta(2, 1))
        V_j[s]   ~ N(0, sigma^2 / N_in)  for s != k_j    (sigma = 0.6007 in the paper)

    The one positive entry (which lands on the bias with probability 1/(N_in+1)) makes it
    unlikely that a neuron is negative on every input, so a deep ReLU net does not start dead
    (symmetric inits die with probability -> 1 as depth grows); sigma is the paper's choice that
    keeps the second moment of the activations bounded for P = Beta(2, 1). Without a bias, k_j
    ranges over the N_in weights only. Returns (weight, bias).
    """
    w = _check("randomized_asymmetric_", weight)
    if w.ndim != 2:
        raise ValueError(
            f"randomized_asymmetric_: needs a Linear weight of shape (out, in), got {w.shape}"
        )
    n_out, n_in = w.shape
    width = n_in
    if bias is not None:
        b = _check("randomized_asymmetric_", bias)
        if b.shape != (n_out,):
            raise ValueError(
                f"randomized_asymmetric_: bias has shape {b.shape}, expected ({n_out},) for "
                f"weight {w.shape}"
            )
        width = n_in + 1
    rng = _rng(generator)
    v = rng.standard_normal((n_out, width)) * (sigma / math.sqrt(n_in))
    k = rng.integers(0, width, size=n_out)
    v[np.arange(n_out), k] = rng.beta(beta_a, beta_b, size=n_out)
    w[...] = v[:, :n_in]
    if bias is not None:
        bias.data[...] = v[:, n_in]
    return weight, bias


rai_ = randomized_asymmetric_
