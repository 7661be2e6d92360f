"""ActivationMonitor: forward/backward hooks that count, per unit, what each activation layer does.

    mon = diagnostics.watch(model)           # hooks on every activation layer (nn.ReLU, ...)
    for epoch in range(10):
        for xb, yb in loader: ...            # train as usual: counts accumulate (cheaply)
        rec = mon.end_epoch(X_train)         # re-measure on the whole set under no_grad
        print(mon.report())                  # a table per layer; rec.died / rec.revived
    stats = mon.measure(X_test)              # any dataset, any time: name -> LayerStats
    mon.remove()

Two ways to count:
- live (training): every forward run with gradients enabled adds its batch (forward hook) and,
  with track_grads=True, its gradient dL/dpre (a Tensor hook on the pre-activation). Forward
  passes under no_grad (evaluation) are skipped unless count_no_grad=True.
- measure(data): one pass over a dataset in batches, under no_grad, in eval mode, into fresh
  counts; this is the exact "dead on every input of the dataset" question.

The hooks do a handful of vectorized numpy reductions per batch (see stats.py); the overhead on an
MNIST-1D MLP training step is measured in benchmarks/bench_diagnostics.py.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import is_grad_enabled, no_grad
from ..nn.module import Module
from . import _kinds
from ._data import iter_batches, model_dtype
from .record import LayerStats
from .stats import SIGMOID_MARGIN, TANH_THRESHOLD, as_units, died_revived


class MonitorError(ValueError):
    """A watched layer cannot be measured (e.g. it is not elementwise)."""


@dataclass
class EpochRecord:
    """One end_epoch(): the stats per layer, and per layer the unit indices that died/revived."""

    epoch: int
    layers: OrderedDict
    died: dict = field(default_factory=dict)
    revived: dict = field(default_factory=dict)


class ActivationMonitor:
    """Watch the activation layers of `model` (or the `layers` given) and count per unit.

    layers: None (every activation-module instance in the model), a list of modules or of names
        from model.named_modules(), or a dict name -> module.
    track_grads: in training, also record dL/dpre per unit (norm, exact zeros, no-gradient units).
    count_no_grad: let forward passes under no_grad add to the live (training) counts.
    sparsity_tol: |y| <= sparsity_tol counts as "near zero" for smooth activations (GELU, ...).
    tanh_threshold, sigmoid_margin: saturation is |tanh| > threshold, sigmoid within margin of 0/1.
    keep_preactivations: rows of pre-activations measure() keeps per layer for histograms.
    """

    def __init__(
        self,
        model: Module,
        layers: Any = None,
        *,
        track_grads: bool = True,
        count_no_grad: bool = False,
        sparsity_tol: float = 1e-2,
        tanh_threshold: float = TANH_THRESHOLD,
        sigmoid_margin: float = SIGMOID_MARGIN,
        keep_preactivations: int = 2000,
    ) -> None:
        if not isinstance(model, Module):
            raise TypeError(
                f"ActivationMonitor: model must be an nn.Module, got {type(model).__name__}"
            )
        if sparsity_tol < 0:
            raise ValueError(f"ActivationMonitor: sparsity_tol must be >= 0, got {sparsity_tol}")
        self.model = model
        self.layers: OrderedDict[str, Module] = _kinds.resolve_layers(model, layers)
        self.kinds = {n: _kinds.kind_of(m) for n, m in self.layers.items()}
        self.track_grads, self.count_no_grad = bool(track_grads), bool(count_no_grad)
        self._opts = dict(
            sparsity_tol=sparsity_tol, tanh_threshold=tanh_threshold, sigmoid_margin=sigmoid_margin
        )
        self.keep_preactivations = int(keep_preactivations)
        self.history: list[EpochRecord] = []
        self._live = self._new_stats()
        self._target = self._live
        self._measuring = False
        self._pre_copy: dict[str, np.ndarray] = {}
        self._handles = []
        for n, m in self.layers.items():
            hook, pre_hook = self._make_hooks(n)
            self._handles.append(m.register_forward_pre_hook(pre_hook))
            self._handles.append(m.register_forward_hook(hook))

    # ---- hooks (hot path) ----------------------------------------------------------------------
    def _new_stats(self) -> OrderedDict[str, LayerStats]:
        return OrderedDict((n, LayerStats(n, self.kinds[n], **self._opts)) for n in self.layers)

    def _make_hooks(self, name: str):
        kind = self.kinds[name]
        smooth = kind not in _kinds.EXACT_ZERO_KINDS
        saturating = kind in _kinds.SATURATING_KINDS

        def hook(module: Module, inputs: tuple, output: Any) -> None:
            measuring = self._measuring
            if not (measuring or self.count_no_grad or is_grad_enabled()):
                return
            pre_t = inputs[0]
            # an in-place activation (inplace=True, under no_grad) overwrote its input: use the copy
            pre = self._pre_copy.pop(name) if name in self._pre_copy else pre_t.data
            y = output.data
            pre_full = pre  # original shape: PReLU's slopes follow dim 1, not the last axis
            if pre.shape != y.shape:
                raise MonitorError(
                    f"ActivationMonitor: layer {name!r} ({type(module).__name__}) maps input shape "
                    f"{pre.shape} to output shape {y.shape}; only elementwise activations can be "
                    "watched"
                )
            if pre.ndim != 2:  # (N, C, L): channels are the units (stats.as_units)
                if pre.ndim:
                    pre, y = as_units(pre), as_units(y)
                else:
                    pre, y = pre.reshape(1, 1), y.reshape(1, 1)
            st = self._target[name]
            batch_pos = st.add_batch(pre, y, smooth, saturating)
            ndim = pre_full.ndim
            passing = _kinds.passing_counts_fast(module, kind, batch_pos, pre.shape[0], ndim)
            if passing is None and measuring:
                passing = _kinds.passing_counts_generic(module, pre_full)
            if passing is not None:
                st.add_passing(passing)
            if measuring:
                kept = sum(len(a) for a in st.pre_sample)
                if kept < self.keep_preactivations:
                    st.pre_sample.append(pre[: self.keep_preactivations - kept].copy())
            elif self.track_grads and pre_t.requires_grad and is_grad_enabled():
                shape = pre.shape
                if ndim >= 3:  # channels become units: move them, not just reshape
                    pre_t.register_hook(lambda g: self._live[name].add_grad(as_units(g.data)))
                else:
                    pre_t.register_hook(lambda g: self._live[name].add_grad(g.data.reshape(shape)))

        def pre_hook(module: Module, inputs: tuple) -> None:
            if module.__dict__.get("inplace") and (
                self._measuring or self.count_no_grad or is_grad_enabled()
            ):
                self._pre_copy[name] = np.array(inputs[0].data, copy=True)

        return hook, pre_hook

    # ---- dataset passes ------------------------------------------------------------------------
    def measure(
        self, data: Any, batch_size: int = 1024, eval_mode: bool = True
    ) -> OrderedDict[str, LayerStats]:
        """Run `data` through the model under no_grad and return fresh stats per layer.

        data: inputs (N, features) as array/Tensor, a tuple (X, y), or an iterable of batches.
        eval_mode: switch the model to eval() for the pass (dropout off), restored afterwards.
        """
        stats, _ = self._measure(data, batch_size, eval_mode, keep_outputs=False)
        return stats

    def _measure(self, data: Any, batch_size: int, eval_mode: bool, keep_outputs: bool):
        fresh = self._new_stats()
        modes = [(m, m.training) for m in self.model.modules()]
        outputs = []
        self._target, self._measuring = fresh, True
        name = type(self.model).__name__
        try:
            if eval_mode:
                self.model.eval()
            with no_grad():
                for xb in iter_batches(data, batch_size, model_dtype(self.model), "measure"):
                    try:
                        out = self.model(xb)
                    except MonitorError:
                        raise
                    except (ValueError, TypeError) as e:
                        raise type(e)(
                            f"measure: the model {name} rejected a batch of shape {xb.shape}: {e}"
                        ) from e
                    if keep_outputs:
                        outputs.append(np.array(out.data, copy=True))
        finally:
            self._target, self._measuring = self._live, False
            for m, mode in modes:
                object.__setattr__(m, "training", mode)
        unused = [n for n, st in fresh.items() if st.rows == 0]
        if unused:
            raise RuntimeError(
                f"measure: layers {unused} of {name} never ran on the data; are they used in "
                f"{name}.forward? Pass the layers that forward calls (layers=[...])"
            )
        return fresh, outputs

    def end_epoch(self, data: Any = None, batch_size: int = 1024) -> EpochRecord:
        """Close an epoch: stats from a pass over `data` (or, with data=None, from the training
        batches seen since the last call), plus the live gradient counts; record which units died
        (alive last epoch, never positive now) and revived; reset the live counts."""
        live = self._live
        if data is not None:
            layers = self.measure(data, batch_size)
            for n, st in layers.items():
                st.with_grads_from(live[n])
        else:
            empty = [n for n, st in live.items() if st.rows == 0]
            if empty:
                raise RuntimeError(
                    f"end_epoch: layers {empty} saw no training batch since the last epoch; "
                    "train with gradients enabled, or pass data to measure"
                )
            layers = live
        died, revived = {}, {}
        prev = self.history[-1].layers if self.history else None
        for n, st in layers.items():
            if prev is not None:
                died[n], revived[n] = died_revived(prev[n].never_positive, st.never_positive)
            if self.history:  # keep pre-activation samples of the latest epoch only (memory)
                self.history[-1].layers[n].pre_sample = []
        rec = EpochRecord(len(self.history), layers, died, revived)
        self.history.append(rec)
        self._live = self._target = self._new_stats()
        return rec

    def epoch_callback(self, data: Any = None, batch_size: int = 1024):
        """A function for fit(..., on_epoch_end=...) that calls end_epoch(data) after each epoch.

        Call mon.end_epoch(data) once before fit() to record the state at initialization too.
        """

        def on_epoch_end(epoch: int, history: Any) -> None:
            self.end_epoch(data, batch_size)

        return on_epoch_end

    # ---- results ---------------------------------------------------------------------------------
    @property
    def stats(self) -> OrderedDict[str, LayerStats]:
        """The live counts since the last end_epoch() (or reset())."""
        return self._live

    def reset(self) -> None:
        self._live = self._target = self._new_stats()

    def dead_fractions(self) -> dict[str, np.ndarray]:
        """name -> (E,) dead fraction per recorded epoch."""
        return {n: np.array([r.layers[n].dead_fraction for r in self.history]) for n in self.layers}

    def activity_matrix(self, name: str) -> np.ndarray:
        """(U, E): per-unit activity of layer `name` at each recorded epoch."""
        if name not in self.layers:
            raise KeyError(f"activity_matrix: no watched layer {name!r}; have {list(self.layers)}")
        if not self.history:
            raise ValueError("activity_matrix: no epochs recorded yet; call end_epoch() first")
        return np.stack([r.layers[name].activity for r in self.history], axis=1)

    def report(self, per_unit: bool = False) -> str:
        """Text tables for the latest epoch (or the live counts before any epoch)."""
        from .report import format_report

        src = self.history[-1] if self.history else self._live
        return format_report(src, per_unit=per_unit)

    def remove(self) -> None:
        """Detach every hook (the model runs exactly as before)."""
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self) -> ActivationMonitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def __repr__(self) -> str:
        body = ", ".join(f"{n}: {self.kinds[n]}" for n in self.layers)
        return f"ActivationMonitor({type(self.model).__name__}; {body})"


def watch(model: Module, layers: Any = None, **kwargs: Any) -> ActivationMonitor:
    """ActivationMonitor(model, layers, **kwargs); also a context manager that removes its hooks."""
    return ActivationMonitor(model, layers, **kwargs)
