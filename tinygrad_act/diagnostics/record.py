"""LayerStats: per-unit counts for one activation layer, accumulated batch by batch.

The monitor keeps one LayerStats per watched layer and adds every batch into it (`add_batch` in
the forward hook, `add_grad` in the backward hook on the pre-activation). Counts are integers per
unit, so adding batches is exact and order-free; fractions are derived on demand:

    rows R = number of inputs seen,  U = units (last axis)
    activity[u]   = positive[u] / R                  fraction of inputs with pre > 0
    never_positive = positive == 0                   "dead": pre <= 0 on every input
    sparsity      = sum(zero) / (R U)                fraction of outputs exactly 0
    no_gradient   = grad_nonzero == 0 (measured dL/dpre, training) or passing == 0 (f'(pre) = 0)
    grad_norm     = mean over backward passes of ||dL/dpre||_2
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._counts import SAT_ABS, SAT_NONE, SAT_OUTSIDE, count_forward, count_grad
from .stats import SIGMOID_MARGIN, TANH_THRESHOLD


@dataclass
class LayerStats:
    """Counts for one activation layer. Arrays are per unit, shape (U,), int64 counts."""

    name: str
    kind: str
    n_units: int = 0
    rows: int = 0
    positive: np.ndarray | None = None  # inputs with pre > 0
    zero: np.ndarray | None = None  # inputs with y == 0
    near_zero: np.ndarray | None = None  # inputs with |y| <= sparsity_tol (smooth kinds)
    saturated: np.ndarray | None = None  # inputs in the flat tail (sigmoid, tanh)
    passing: np.ndarray | None = None  # inputs with f'(pre) != 0 (None: not known)
    grad_nonzero: np.ndarray | None = None  # rows of dL/dpre != 0 (training only)
    grad_rows: int = 0
    grad_norm_sum: float = 0.0
    grad_steps: int = 0
    pre_sample: list = field(default_factory=list)  # pre-activation rows kept for histograms
    sparsity_tol: float = 1e-2
    tanh_threshold: float = TANH_THRESHOLD
    sigmoid_margin: float = SIGMOID_MARGIN

    # ---- accumulation (hot path: vectorized only) ---------------------------------------------
    def _start(self, n_units: int, smooth: bool, saturating: bool) -> None:
        self.n_units = n_units
        z = np.zeros(n_units, dtype=np.int64)
        self.positive, self.zero = z.copy(), z.copy()
        self.near_zero = z.copy() if smooth else None
        self.saturated = z.copy() if saturating else None
        # (kind, a, b) for count_forward: tanh |y| > a; sigmoid y < a or y > b
        self._sat = (SAT_NONE, 0.0, 0.0)
        if saturating:
            m = self.sigmoid_margin
            tanh = (SAT_ABS, self.tanh_threshold, 0.0)
            self._sat = tanh if self.kind == "tanh" else (SAT_OUTSIDE, m, 1.0 - m)

    def add_batch(
        self, pre: np.ndarray, y: np.ndarray, smooth: bool, saturating: bool
    ) -> np.ndarray:
        """Add a batch: pre, y (R, U) arrays (already viewed as rows x units).

        Returns the batch's per-unit positive counts (U,), which ReLU reuses as "passing"."""
        if self.positive is None:
            self._start(pre.shape[1], smooth, saturating)
        elif pre.shape[1] != self.n_units:
            raise ValueError(
                f"diagnostics: layer {self.name!r} ({self.kind}) had {self.n_units} units, this "
                f"batch has shape {pre.shape}; the unit count must stay fixed (last axis)"
            )
        self.rows += pre.shape[0]
        before = self.positive.copy()
        count_forward(
            pre, y, self.near_zero is not None, self.sparsity_tol, *self._sat,
            self.positive, self.zero, self.near_zero, self.saturated,
        )  # fmt: skip
        return self.positive - before

    def add_passing(self, counts: np.ndarray) -> None:
        if self.passing is None:
            self.passing = np.zeros(self.n_units, dtype=np.int64)
        self.passing += counts

    def add_grad(self, g: np.ndarray) -> None:
        """Add one backward pass's dL/dpre, g (R, U)."""
        if self.grad_nonzero is None:
            self.grad_nonzero = np.zeros(g.shape[1], dtype=np.int64)
        self.grad_norm_sum += float(np.sqrt(count_grad(g, self.grad_nonzero)))
        self.grad_rows += g.shape[0]
        self.grad_steps += 1

    def with_grads_from(self, other: LayerStats) -> LayerStats:
        """These activation counts with `other`'s gradient counts (a dataset pass + training)."""
        self.grad_nonzero, self.grad_rows = other.grad_nonzero, other.grad_rows
        self.grad_norm_sum, self.grad_steps = other.grad_norm_sum, other.grad_steps
        return self

    # ---- derived per-unit quantities ----------------------------------------------------------
    def _need_rows(self) -> int:
        if self.rows == 0:
            raise ValueError(
                f"diagnostics: layer {self.name!r} has seen no inputs yet; run the model on data "
                "(or monitor.measure(X)) before asking for statistics"
            )
        return self.rows

    @property
    def activity(self) -> np.ndarray:
        """(U,) fraction of inputs with a positive pre-activation."""
        return self.positive / self._need_rows()

    @property
    def never_positive(self) -> np.ndarray:
        """(U,) bool: pre <= 0 on every input seen."""
        self._need_rows()
        return self.positive == 0

    dead = never_positive

    @property
    def dead_fraction(self) -> float:
        return float(np.mean(self.never_positive)) if self.n_units else 0.0

    @property
    def unit_sparsity(self) -> np.ndarray:
        """(U,) fraction of inputs with output exactly 0."""
        return self.zero / self._need_rows()

    @property
    def sparsity(self) -> float:
        """Fraction of all outputs exactly 0."""
        return float(self.zero.sum()) / (self._need_rows() * self.n_units)

    @property
    def near_zero_fraction(self) -> float | None:
        """Fraction of outputs with |y| <= sparsity_tol (smooth kinds; None if piecewise linear)."""
        if self.near_zero is None:
            return None
        return float(self.near_zero.sum()) / (self._need_rows() * self.n_units)

    @property
    def saturation(self) -> np.ndarray | None:
        """(U,) fraction of inputs saturated (sigmoid, tanh), else None."""
        return None if self.saturated is None else self.saturated / self._need_rows()

    @property
    def saturated_fraction(self) -> float | None:
        s = self.saturation
        return None if s is None else float(s.mean())

    @property
    def blocks_gradient(self) -> np.ndarray | None:
        """(U,) bool: f'(pre) == 0 on every input seen (None when not computed)."""
        return None if self.passing is None else self.passing == 0

    @property
    def no_gradient(self) -> np.ndarray | None:
        """(U,) bool: the unit receives no gradient. Measured dL/dpre when training was watched,
        else from the local derivative (blocks_gradient); None when neither is known."""
        if self.grad_nonzero is not None:
            return self.grad_nonzero == 0
        return self.blocks_gradient

    @property
    def grad_norm(self) -> float | None:
        """Mean over backward passes of ||dL/dpre||_2 (None without recorded gradients)."""
        return self.grad_norm_sum / self.grad_steps if self.grad_steps else None

    @property
    def grad_zero_fraction(self) -> float | None:
        """Fraction of dL/dpre entries exactly 0 over the recorded backward passes."""
        if self.grad_nonzero is None or self.grad_rows == 0:
            return None
        return 1.0 - float(self.grad_nonzero.sum()) / (self.grad_rows * self.n_units)

    def preactivations(self) -> np.ndarray:
        """The kept pre-activation rows, (R_kept, U) (empty when none were kept)."""
        if not self.pre_sample:
            return np.zeros((0, self.n_units))
        return np.concatenate(self.pre_sample, axis=0)
