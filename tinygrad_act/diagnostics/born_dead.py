"""Born dead: does a network compute a constant function over a set of inputs?

A ReLU network is "born dead" (Lu et al. 2020, "Dying ReLU and initialization") when some hidden
layer outputs 0 for every input: everything after it sees a constant, so the output is the same
for all inputs and no gradient reaches the layers before. Two checks, over the inputs given:

    constant    : output_spread = max_j (max_n out[n, j] - min_n out[n, j]) <= atol
    dead_layers : watched activation layers whose every unit has pre <= 0 on every input

A fully dead layer implies a constant output; a constant output can also have other causes. The
common one is a vanishing signal: PyTorch's default Linear init (Var w = 1/(3 fan_in)) shrinks the
signal about 6x per ReLU layer, so a 50-layer net maps every input to bit-identical outputs (in
float32 and float64) with no dead layer at all. Use `has_dead_layer` for Lu et al.'s notion (a
layer that outputs 0 everywhere), `constant` for "the function is flat", and He init
(nn.init.kaiming_normal_) when you want the two to coincide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd import no_grad
from ..nn.module import Module
from ._data import iter_batches, model_dtype
from .monitor import ActivationMonitor
from .stats import output_spread


@dataclass
class BornDead:
    """Result of born_dead(): `constant` is the verdict; the rest says why."""

    constant: bool
    spread: float  # max over outputs of (max - min over inputs)
    dead_layers: list  # names of activation layers with every unit never positive
    dead_fractions: dict  # name -> fraction of never-positive units

    @property
    def has_dead_layer(self) -> bool:
        """Some watched layer has every unit never positive (so the output is constant)."""
        return bool(self.dead_layers)

    @property
    def last_hidden_dead(self) -> bool:
        """Is the last watched activation layer entirely dead?"""
        if not self.dead_fractions:
            return False
        return list(self.dead_fractions.values())[-1] == 1.0

    def __bool__(self) -> bool:
        return self.constant


def born_dead(
    model: Module, inputs: Any, atol: float = 0.0, layers: Any = None, batch_size: int = 4096
) -> BornDead:
    """Is `model` constant over `inputs` (N, features)? One no_grad pass in eval mode.

    atol=0 asks for bit-identical outputs (what a dead layer produces); raise it to catch
    near-constant networks. Models without activation layers are judged by the output alone.
    """
    if atol < 0:
        raise ValueError(f"born_dead: atol must be >= 0, got {atol}")
    try:
        mon = ActivationMonitor(model, layers, track_grads=False, keep_preactivations=0)
    except ValueError:
        if layers is not None:
            raise
        mon = None  # no activation layers: only the output can tell
    if mon is None:
        with no_grad():
            outs = [
                np.asarray(model(xb).data)
                for xb in iter_batches(inputs, batch_size, model_dtype(model), "born_dead")
            ]
        stats = {}
    else:
        try:
            stats, outs = mon._measure(inputs, batch_size, eval_mode=True, keep_outputs=True)
        finally:
            mon.remove()
    spread = output_spread(np.concatenate(outs, axis=0))
    fractions = {n: st.dead_fraction for n, st in stats.items()}
    dead_layers = [n for n, f in fractions.items() if f == 1.0]
    return BornDead(
        # a dead layer makes the function constant even when the output differs in the last bit:
        # BLAS may round identical rows differently (a nonzero bias after the dead layer)
        constant=bool(spread <= atol) or bool(dead_layers),
        spread=spread,
        dead_layers=dead_layers,
        dead_fractions=fractions,
    )
