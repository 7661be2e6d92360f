"""Reference answers the checker compares with: the library's built-in op where one exists
(softsign, elu, gelu, relu, prelu, linear + relu), else an independent numpy formula (swish with
a learnable beta, the gradients of a broadcasting add). Never the reference solutions.

Every function takes the input(s) and an upstream gradient `g` and returns the value and the
gradients, in the input's dtype for built-ins and in float64 for the numpy formulas.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..tensor import Tensor


def _builtin(fname: str, x: np.ndarray, g: np.ndarray, **params) -> tuple:
    t = Tensor(x, requires_grad=True)  # a copy, in x's dtype
    y = getattr(F, fname)(t, **params)
    y.backward(g)
    return y.data, t.grad.data


def softsign(x: np.ndarray, g: np.ndarray) -> tuple:
    return _builtin("softsign", x, g)


def elu(x: np.ndarray, g: np.ndarray, alpha: float = 1.0) -> tuple:
    return _builtin("elu", x, g, alpha=alpha)


def gelu_tanh(x: np.ndarray, g: np.ndarray) -> tuple:
    return _builtin("gelu", x, g, approximate="tanh")


def relu_subgradient(x: np.ndarray, g: np.ndarray, subgradient: float = 0.0) -> tuple:
    """F.relu, whose derivative at 0 is 0, with the chosen subgradient put at x == 0."""
    y, dx = _builtin("relu", x, g)
    return y, np.where(x == 0, g * x.dtype.type(subgradient), dx)


def swish(x: np.ndarray, beta: float, g: np.ndarray) -> tuple:
    """y = x sigmoid(beta x); returns (y, dL/dx, per-element terms g * dy/dbeta), float64.

    dy/dx = s + beta x s (1 - s), dy/dbeta = x^2 s (1 - s); at x = +-inf the limits (for
    beta > 0): y -> inf or 0, dy/dx -> 1 or 0, dy/dbeta -> 0.
    """
    x64, g64 = np.asarray(x, dtype=np.float64), np.asarray(g, dtype=np.float64)
    with np.errstate(all="ignore"):
        z = float(beta) * x64
        e = np.exp(-np.abs(z))
        s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        ds = s * (1.0 - s)
        inf = np.isinf(x64)
        y = np.where(inf & (s == 0), 0.0, x64 * s)
        dx = np.where(inf, s, s + z * ds)
        dbeta = np.where(inf, 0.0, x64 * (x64 * ds))
        return y, g64 * dx, g64 * dbeta


def prelu(x: np.ndarray, weight: np.ndarray, g: np.ndarray) -> tuple:
    """F.prelu: (y, dL/dx, dL/dweight)."""
    t, w = Tensor(x, requires_grad=True), Tensor(weight, requires_grad=True)
    y = F.prelu(t, w)
    y.backward(g)
    return y.data, t.grad.data, w.grad.data


def linear_relu(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, g: np.ndarray) -> tuple:
    """F.relu(F.linear(x, weight, bias)) through the library's autograd: (y, dx, dW, db)."""
    ts = [Tensor(a, requires_grad=True) for a in (x, weight, bias)]
    y = F.relu(F.linear(*ts))
    y.backward(g)
    return (y.data, *(t.grad.data for t in ts))


def broadcast_grad(shape: tuple, g: np.ndarray) -> np.ndarray:
    """dL/d(input) of `input + other` for an input of `shape`, computed without any sum over
    axes: number the input's elements, broadcast the numbers to the output's shape, and add up
    the upstream gradient of every output element that each number reached (float64)."""
    n = int(np.prod(shape, dtype=np.int64))
    owner = np.broadcast_to(np.arange(n).reshape(shape), g.shape)
    flat = np.bincount(owner.ravel(), weights=np.asarray(g, np.float64).ravel(), minlength=n)
    return flat.reshape(shape)
