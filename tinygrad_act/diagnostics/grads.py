"""Gradient flow per layer: parameter-gradient norms and exact-zero fractions.

Two ways, pick by when you look:
- after one backward():  grad_norms(model)  reads every parameter's .grad;
  layer_grad_norms(model) gives the weight-gradient norm per Linear-like layer, input to output
  (lesson 2: the ratio first / last hidden layer shows vanishing gradients).
- during training:  GradientRecorder(model)  hooks every parameter (Tensor.register_hook on the
  leaf), so each backward() records  ||dL/dW||_2  and  #{dL/dW == 0} / size  per parameter,
  without any change to the training loop.

The per-unit gradient of the pre-activations (dL/dpre, which units receive none) is recorded by
ActivationMonitor(track_grads=True).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from ..nn.module import Module
from ._counts import nonzero_sumsq
from .stats import grad_norm, zero_fraction


def grad_norms(model: Module) -> OrderedDict[str, tuple[float, float]]:
    """name -> (||p.grad||_2, fraction of p.grad exactly 0) for every parameter with a gradient.

    Raises when no parameter has a gradient yet (call loss.backward() first).
    """
    out = OrderedDict(
        (n, (grad_norm(p.grad.data), zero_fraction(p.grad.data)))
        for n, p in model.named_parameters()
        if p.grad is not None
    )
    if not out:
        raise RuntimeError(
            f"grad_norms: no parameter of {type(model).__name__} has a gradient; call "
            "loss.backward() before reading gradient norms"
        )
    return out


def layer_grad_norms(model: Module) -> OrderedDict[str, float]:
    """module name -> ||weight.grad||_2 for every submodule with a 2-D `weight`, in forward order
    of registration (for an MLP: first hidden layer ... output layer)."""
    out: OrderedDict[str, float] = OrderedDict()
    for name, m in model.named_modules():
        w = m._parameters.get("weight")
        if w is not None and w.data.ndim == 2 and w.grad is not None:
            out[name or type(m).__name__] = grad_norm(w.grad.data)
    if not out:
        raise RuntimeError(
            f"layer_grad_norms: no 2-D weight of {type(model).__name__} has a gradient; call "
            "loss.backward() first (layers without a 2-D weight, like activations, are skipped)"
        )
    return out


class GradientRecorder:
    """Record, on every backward(), the gradient norm and zero fraction of each parameter.

    rec = GradientRecorder(model)            # or GradientRecorder(model, names=["0.weight"])
    ... loss.backward() ...                  # each backward adds one entry per parameter
    rec.norms["0.weight"]                    # list of ||dL/dW||_2, one per backward pass
    rec.end_epoch()                          # epoch means -> rec.epochs, lists cleared
    rec.remove()

    A parameter used twice in one graph receives its gradient in two parts; each part is one entry.
    """

    def __init__(self, model: Module, names: Any = None) -> None:
        params = OrderedDict(model.named_parameters())
        if names is not None:
            missing = [n for n in names if n not in params]
            if missing:
                raise ValueError(
                    f"GradientRecorder: {type(model).__name__} has no parameters {missing}; "
                    f"it has {list(params)}"
                )
            params = OrderedDict((n, params[n]) for n in names)
        if not params:
            raise ValueError(f"GradientRecorder: {type(model).__name__} has no parameters")
        self.norms: dict[str, list[float]] = {n: [] for n in params}
        self.zero_fractions: dict[str, list[float]] = {n: [] for n in params}
        self.epochs: list[OrderedDict[str, tuple[float, float]]] = []
        self._handles = [p.register_hook(self._make_hook(n)) for n, p in params.items()]

    def _make_hook(self, name: str):
        norms, zeros = self.norms[name], self.zero_fractions[name]

        def hook(g) -> None:
            a = g.data
            nonzero, sumsq = nonzero_sumsq(a)  # one pass (Numba) instead of two numpy passes
            norms.append(float(np.sqrt(sumsq)))
            zeros.append(1.0 - nonzero / a.size if a.size else 0.0)

        return hook

    def summary(self) -> OrderedDict[str, tuple[float, float]]:
        """name -> (mean norm, mean zero fraction) over the backward passes since end_epoch()."""
        out = OrderedDict()
        for n in self.norms:
            if self.norms[n]:
                out[n] = (float(np.mean(self.norms[n])), float(np.mean(self.zero_fractions[n])))
        return out

    def end_epoch(self) -> OrderedDict[str, tuple[float, float]]:
        """Append summary() to self.epochs and clear the per-pass lists; returns the summary."""
        s = self.summary()
        self.epochs.append(s)
        for n in self.norms:
            self.norms[n].clear()
            self.zero_fractions[n].clear()
        return s

    def remove(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self) -> GradientRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
