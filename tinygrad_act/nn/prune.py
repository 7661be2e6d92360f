"""Structured pruning of hidden units in an MLP: remove whole units, get a smaller model.

    from tinygrad_act.nn import prune
    act = prune.unit_activity(model, X_train)        # {"0": (64,), "2": (64,)}: share of inputs
                                                     # on which each hidden unit is positive
    small = prune.prune_dead_units(model, X_train)   # never-positive ReLU units removed
    smaller = prune.prune_inactive_units(model, X_train, amount=0.05)  # positive on < 5% too

A hidden unit is output j of a Linear that feeds an activation and then another Linear. Removing
it deletes row j of that Linear's weight and bias and column j of the next Linear's weight (unlike
torch.nn.utils.prune, which masks weights to zero and keeps the shapes, this shrinks them).

Why removing a dead ReLU unit is exact: its pre-activation is <= 0, so its output is exactly 0,
and every term it adds to the next layer's sums is 0 * w = 0 exactly. Adding an exact 0 never
changes a floating-point sum, so the pruned model computes the same sums without those terms:
bit for bit when the matmul adds the remaining terms in the same order (OpenBLAS's gemm does
for sums shorter than its K block), and otherwise within the reordering error of one sum,
2 gamma_K sum_k |h_k w_jk| with gamma_K = K u / (1 - K u) (u = 2^-24 in float32) -- rounding.
A never-positive leaky ReLU unit outputs slope * pre != 0, so removing it changes the outputs.
"""

from __future__ import annotations

import copy
import warnings
from collections import OrderedDict
from typing import Any

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor
from . import activations as _activations
from .layers import Dropout, Identity, Linear, Sequential
from .module import Module

__all__ = [
    "dead_units",
    "hidden_units",
    "prune_dead_units",
    "prune_inactive_units",
    "prune_units",
    "unit_activity",
]

_PASS_THROUGH = (Dropout, Identity)  # elementwise modules that keep a unit a unit
_PROBE_NONPOSITIVE = np.array([-1e30, -3.0, -1.0, -1e-3, -1e-30, -0.0, 0.0])
_PROBE_POSITIVE = np.array([1e-30, 1e-3, 1.0, 3.0, 1e30])


def hidden_units(model: Sequential) -> list[tuple[str, list[str], str]]:
    """[(linear name, [names of the modules after it], next linear name)] for each hidden layer.

    The modules between two Linears must be elementwise (activations, Dropout, Identity).
    """
    if not isinstance(model, Sequential):
        raise TypeError(
            f"prune: needs an nn.Sequential of Linear and activation layers, got "
            f"{type(model).__name__}"
        )
    names = list(model._modules)
    lin = [i for i, n in enumerate(names) if isinstance(model._modules[n], Linear)]
    out = []
    for a, b in zip(lin, lin[1:]):
        between = names[a + 1 : b]
        for n in between:
            m = model._modules[n]
            if not (isinstance(m, _PASS_THROUGH) or _is_activation(m)):
                raise ValueError(
                    f"prune: module {n} ({m!r}) between Linear {names[a]} and "
                    f"Linear {names[b]} is not elementwise; cannot remove units"
                )
        out.append((names[a], between, names[b]))
    return out


def _is_activation(m: Module) -> bool:
    # elementwise activation modules (nn.ReLU, nn.LeakyReLU, nn.PReLU, ...) live in nn/activations
    return type(m).__module__ == _activations.__name__


def _per_unit_weight(m: Module) -> bool:
    w = getattr(m, "weight", None)
    return isinstance(w, Tensor) and w.ndim == 1


def _as_input(model: Sequential, X: Any) -> Tensor:
    w = next(iter(model.parameters()))
    data = X.data if isinstance(X, Tensor) else np.asarray(X)
    return Tensor(np.asarray(data, dtype=w.data.dtype))


def unit_activity(model: Sequential, X: Any) -> dict[str, np.ndarray]:
    """{linear name: (units,) share of the rows of X on which the unit's pre-activation > 0}.

    X: (N, in_features) (or (*, in_features): every leading position counts as an input).
    Runs the model in eval mode under no_grad; the model's train/eval mode is restored.
    """
    layers = hidden_units(model)
    wanted = {a for a, _, _ in layers}
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    act: dict[str, np.ndarray] = {}
    try:
        with no_grad():
            h = _as_input(model, X)
            for name, m in model._modules.items():
                h = m(h)
                if name in wanted:
                    pre = h.data.reshape(-1, h.data.shape[-1])
                    act[name] = (pre > 0).mean(axis=0) if len(pre) else np.zeros(pre.shape[1])
    finally:
        for m, mode in modes:
            m.training = mode
    return act


def _zero_for_nonpositive(m: Module) -> bool:
    """Does this activation output exactly 0 wherever its input is <= 0 (ReLU, ReLU6, ...)?"""
    with no_grad():
        return not np.any(m(Tensor(_PROBE_NONPOSITIVE)).data)


def _nonnegative(mods: list[Module]) -> bool:
    with no_grad():
        for probe in (_PROBE_NONPOSITIVE, _PROBE_POSITIVE):
            y = Tensor(probe)
            for m in mods:
                y = m(y)
            if np.any(y.data < 0):
                return False
    return True


def dead_units(model: Sequential, X: Any = None) -> dict[str, np.ndarray]:
    """{linear name: (units,) bool}: True for a unit whose pre-activation is <= 0 ...

    with X: on every row of X (dead on that data: removing it is exact on X).
    without X: on every possible input, by a certificate: its weight row is <= 0 and its bias
    <= 0 while its inputs are >= 0 (they come from a ReLU-like layer), or its weight row is 0 and
    its bias <= 0. Removing such units is exact on any input.
    """
    if X is not None:
        return {k: a == 0 for k, a in unit_activity(model, X).items()}
    out, prev_nonneg = {}, False
    for name, between, _ in hidden_units(model):
        lin = model._modules[name]
        w = lin.weight.data
        b = lin.bias.data if lin.bias is not None else np.zeros(w.shape[0], w.dtype)
        sure = np.all(w == 0, axis=1) | (prev_nonneg & np.all(w <= 0, axis=1))
        out[name] = sure & (b <= 0)
        prev_nonneg = _nonnegative([model._modules[n] for n in between])
    return out


def prune_units(model: Sequential, remove: dict[str, np.ndarray]) -> Sequential:
    """A new Sequential without the units marked True in `remove` ({linear name: (units,) bool}).

    The original model is not changed. Per-unit activation parameters (PReLU with one slope per
    unit) are sliced too. A layer may lose all its units (its output is then the next bias).
    """
    layers = hidden_units(model)
    unknown = sorted(set(remove) - {name for name, _, _ in layers})
    if unknown:
        raise ValueError(
            f"prune_units: {unknown} name no hidden Linear of this model; the hidden layers are "
            f"{[name for name, _, _ in layers]} (the output Linear has no units to remove)"
        )
    new: dict[str, Module] = {n: copy.deepcopy(m) for n, m in model._modules.items()}
    for name, between, nxt in layers:
        drop = np.asarray(remove.get(name, np.zeros(0, bool)), dtype=bool)
        lin = model._modules[name]
        if drop.size == 0 or not drop.any():
            continue
        if drop.shape != (lin.out_features,):
            raise ValueError(
                f"prune_units: mask for Linear {name} has shape {drop.shape}, "
                f"expected ({lin.out_features},)"
            )
        keep = ~drop
        cur = new[name]  # may have lost input columns already (the previous layer's units)
        new[name] = _linear_like(cur, cur.weight.data[keep], _bias(cur, keep))
        nxt_lin = new[nxt]
        new[nxt] = _linear_like(nxt_lin, nxt_lin.weight.data[:, keep], _bias(nxt_lin, None))
        for n in between:
            if _per_unit_weight(new[n]) and new[n].weight.shape[0] == lin.out_features:
                new[n].weight.data = np.ascontiguousarray(new[n].weight.data[keep])
                if hasattr(new[n], "num_parameters"):
                    new[n].num_parameters = int(keep.sum())
    return Sequential(OrderedDict(new))


def _bias(lin: Linear, keep: np.ndarray | None) -> np.ndarray | None:
    if lin.bias is None:
        return None
    return lin.bias.data if keep is None else lin.bias.data[keep]


def _linear_like(lin: Linear, w: np.ndarray, b: np.ndarray | None) -> Linear:
    with warnings.catch_warnings():  # a layer that lost every unit: init warns about 0 elements
        warnings.simplefilter("ignore", UserWarning)
        out = Linear(w.shape[1], w.shape[0], bias=b is not None, dtype=w.dtype)
    out.weight.data[...] = w
    if b is not None:
        out.bias.data[...] = b
    out.training = lin.training
    return out


def prune_dead_units(model: Sequential, X: Any = None, strict: bool = True) -> Sequential:
    """The model without its dead hidden units (see `dead_units`): same outputs, fewer parameters.

    strict=True refuses activations whose output is not exactly 0 for inputs <= 0 (leaky ReLU,
    ELU, ...): removing their never-positive units changes the outputs. strict=False removes them
    anyway (to measure that change).
    """
    dead = dead_units(model, X)
    if strict:
        for name, between, _ in hidden_units(model):
            acts = [
                model._modules[n]
                for n in between
                if not isinstance(model._modules[n], _PASS_THROUGH)
            ]
            exact = bool(acts) and all(_zero_for_nonpositive(m) for m in acts)
            if dead[name].any() and not exact:
                what = ", ".join(map(repr, acts)) or "no activation"
                raise ValueError(
                    f"prune_dead_units: {what} after Linear {name} is not 0 "
                    "for inputs <= 0, so removing its never-positive units changes the model's "
                    "outputs; pass strict=False to remove them anyway"
                )
    return prune_units(model, dead)


def prune_inactive_units(model: Sequential, X: Any, amount: float) -> Sequential:
    """The model without hidden units that are positive on fewer than `amount` (a fraction in
    [0, 1]) of the rows of X. amount=0 removes nothing; dead units go at any amount > 0. Unlike
    dead units, rarely-active units do contribute: the outputs change (measure by how much)."""
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"prune_inactive_units: amount must be a fraction in [0, 1], got {amount}")
    return prune_units(model, {k: a < amount for k, a in unit_activity(model, X).items()})
