"""An L1 penalty on hidden activations: sparsity on demand (Glorot, Bordes & Bengio 2011).

    pen = nn.ActivationL1(model, weight=1e-3)    # forward hooks on every activation module
    loss = F.cross_entropy(model(xb), yb) + pen()  # pen() = weight * sum over layers of mean |h|
    pen.remove()                                   # (or use it as a context manager)

The penalty pushes hidden outputs toward 0. A ReLU unit gets there exactly (its output is 0 for
every pre-activation <= 0), so the penalty buys exact zeros; a leaky ReLU unit's output is 0 only
at pre = 0 exactly, so the same penalty buys small negative numbers, not zeros. The gradient of |h|
at h = 0 is 0 (sign(0) = 0, PyTorch's convention), so units already at 0 are not pushed further.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..tensor import Tensor
from . import activations as _activations
from .module import Module

__all__ = ["ActivationL1", "activation_l1"]


def activation_l1(outputs: Tensor | Sequence[Tensor], reduction: str = "mean") -> Tensor:
    """Sum over the given activation outputs of their L1 size: mean |h| each ("mean"), or
    sum |h| each ("sum"). outputs: one (N, *) Tensor or a sequence of them -> a scalar Tensor.

    "mean" averages over batch and units, so a strength carries over between batch sizes and
    layer widths; "sum" is the textbook lambda * sum |h|.
    """
    if isinstance(outputs, Tensor):
        outputs = [outputs]
    outputs = list(outputs)
    if reduction not in ("mean", "sum"):
        raise ValueError(f"activation_l1: reduction must be 'mean' or 'sum', got {reduction!r}")
    if not outputs:
        raise ValueError(
            "activation_l1: no activation outputs to penalize; run a forward pass first, or pass "
            "the model's activation modules explicitly"
        )
    total = None
    for i, h in enumerate(outputs):
        if not isinstance(h, Tensor):
            raise TypeError(f"activation_l1: output {i} must be a Tensor, got {type(h).__name__}")
        term = h.abs().mean() if reduction == "mean" else h.abs().sum()
        total = term if total is None else total + term
    return total


def _is_activation(m: Module) -> bool:
    # classes defined in nn/activations.py (nn.ReLU, nn.LeakyReLU, nn.PReLU, ...)
    return type(m).__module__ == _activations.__name__


class ActivationL1:
    """Collects the outputs of a model's activation modules on each forward; `pen()` is
    weight * activation_l1(outputs of the latest forward).

    model: any Module; modules: which ones to watch (default: every activation module in the
    model, e.g. every nn.ReLU). The hooks keep only the latest forward's outputs, so a validation
    pass between steps does not add to the next step's penalty.
    """

    def __init__(
        self,
        model: Module,
        weight: float,
        modules: Iterable[Module] | None = None,
        reduction: str = "mean",
    ) -> None:
        if not weight >= 0:
            raise ValueError(f"ActivationL1: weight must be >= 0, got {weight}")
        mods = (
            list(modules)
            if modules is not None
            else [m for m in model.modules() if _is_activation(m)]
        )
        if not mods:
            raise ValueError(
                f"ActivationL1: {type(model).__name__} has no activation module (nn.ReLU, ...); "
                "pass modules=[...] to choose the layers to penalize"
            )
        self.weight = float(weight)
        self.reduction = reduction
        self.outputs: dict[int, Tensor] = {}
        self._handles = [m.register_forward_hook(self._hook(i)) for i, m in enumerate(mods)]

    def _hook(self, i: int):
        def hook(module: Module, inputs: tuple, output: Tensor) -> None:
            self.outputs[i] = output

        return hook

    def __call__(self) -> Tensor:
        return activation_l1([self.outputs[i] for i in sorted(self.outputs)], self.reduction) * (
            self.weight
        )

    def remove(self) -> None:
        """Detach the hooks (the model runs as before)."""
        for h in self._handles:
            h.remove()
        self._handles = []
        self.outputs.clear()

    def __enter__(self) -> ActivationL1:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
