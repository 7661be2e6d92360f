"""SGD with momentum, dampening, Nesterov and L2 weight decay, exactly as torch.optim.SGD."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..kernels import optim as K
from ..kernels._parallel import bind, launch
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent (torch.optim.SGD's update and defaults).

    g_t = grad + weight_decay * p
    b_1 = g_1;  b_t = momentum * b_{t-1} + (1 - dampening) * g_t        (if momentum != 0)
    g_t = g_t + momentum * b_t if nesterov else b_t
    p = p - lr * g_t
    The first momentum buffer is the gradient itself (no dampening), as in PyTorch.
    """

    _state_key = "momentum_buffer"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, groups: list) -> None:
        for group, updates in groups:
            args = _scalars(group)
            momentum = args[1]
            for p, data, grad, state in updates:
                first = False
                if momentum != 0.0:
                    if state is None:
                        state = self.state[p] = {}
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = np.zeros_like(p.data)
                        first = True
                    buf = buf.ravel()
                else:
                    buf = data  # unused by the kernel when momentum == 0
                launch(K.sgd_step, (data, grad, buf), scalars=(*args, first))

    def capture_update(self, groups: list) -> Any:
        """The kernel calls of `_update` on the same arrays, without its lookups; the
        hyperparameters are still read from each group at every call."""
        plan = []
        for group, updates in groups:
            has_buf = all(s and "momentum_buffer" in s for _, _, _, s in updates)
            kernels = [
                bind(K.sgd_step, (d, g, s["momentum_buffer"].ravel() if has_buf else d))
                for _, d, g, s in updates
            ]
            plan.append((group, updates, has_buf, kernels))

        def update() -> None:
            for group, updates, has_buf, kernels in plan:
                args = _scalars(group)
                if args[1] != 0.0 and not has_buf:  # momentum turned on since: eager path
                    self._update([(group, updates)])
                    continue
                for kernel in kernels:
                    kernel(*args, False)  # not a first step: the buffers exist

        return update


def _scalars(group: dict) -> tuple:
    """sgd_step's hyperparameters, read from the group at each step (a scheduler changes lr)."""
    return (
        float(group["lr"]),
        float(group["momentum"]),
        float(group["dampening"]),
        float(group["weight_decay"]),
        bool(group["nesterov"]),
        -1.0 if group["maximize"] else 1.0,
    )
