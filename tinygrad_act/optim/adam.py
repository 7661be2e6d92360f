"""Adam and AdamW, exactly as torch.optim.Adam / torch.optim.AdamW (bias-corrected moments)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..kernels import optim as K
from ..kernels._parallel import launch
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with torch's update, defaults and float32 arithmetic.

    t += 1;  g = grad + weight_decay * p            (AdamW instead: p *= 1 - lr * weight_decay)
    m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2     (m, v start at 0)
    p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    Note eps is added AFTER dividing sqrt(v) by its bias correction, as torch does.
    """

    _decoupled = False
    _state_key = "exp_avg"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, b in enumerate(betas):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {b}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, groups: list) -> None:
        for group, updates in groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            amsgrad = bool(group["amsgrad"])
            for p, data, grad, state in updates:
                if state is None:
                    state = self.state[p] = {
                        "step": 0.0,
                        "exp_avg": np.zeros_like(p.data),
                        "exp_avg_sq": np.zeros_like(p.data),
                    }
                    if amsgrad:
                        state["max_exp_avg_sq"] = np.zeros_like(p.data)
                state["step"] += 1.0
                t = state["step"]
                # torch computes the bias corrections in Python floats (float64)
                step_size = lr / (1.0 - beta1**t)
                bc2_sqrt = (1.0 - beta2**t) ** 0.5
                m = state["exp_avg"].ravel()
                v = state["exp_avg_sq"].ravel()
                vmax = state["max_exp_avg_sq"].ravel() if amsgrad else v
                launch(
                    K.adam_step,
                    (data, grad, m, v, vmax),
                    scalars=(
                        lr,
                        beta1,
                        beta2,
                        float(group["eps"]),
                        float(group["weight_decay"]),
                        self._decoupled,
                        amsgrad,
                        -1.0 if group["maximize"] else 1.0,
                        step_size,
                        bc2_sqrt,
                    ),
                )


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): p *= 1 - lr * weight_decay
    before the Adam step, instead of adding weight_decay * p to the gradient. Default 1e-2."""

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
