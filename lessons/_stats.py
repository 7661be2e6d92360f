"""Statistics the lessons share: means with 95% intervals, paired differences, Holm's correction.

Every lesson trains over several seeds. A number it reports is a mean with a Student-t confidence
interval over the seeds; an A-vs-B claim is the mean of the per-seed differences a - b (both arms
of one seed share data, init and batches, so the difference removes most of the seed's noise) with
its interval and the two-sided paired t-test p-value. A difference is stated only when its interval
excludes zero; otherwise the lesson says "no difference detected".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def fmt(x: float) -> str:
    """A number as the lessons print it: 3 decimals in [0.001, 1e4), else 3 significant digits."""
    if x != x:
        return "nan"
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.3f}"
    return f"{x:.2e}"


@dataclass(frozen=True)
class Interval:
    """mean with a confidence interval [lo, hi] over n values (p: paired t-test p-value, if any)."""

    mean: float
    lo: float
    hi: float
    n: int
    p: float | None = None
    level: float = 0.95

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0 (never for n = 1: no interval)."""
        return bool(self.lo > 0 or self.hi < 0)  # NaN compares False: n = 1 excludes nothing

    def ci(self) -> str:
        """ "95% CI lo..hi" (or a note that one run has no interval)."""
        if self.n < 2:
            return "one run: no interval"
        return f"{round(100 * self.level):d}% CI {fmt(self.lo)}..{fmt(self.hi)}"

    def __str__(self) -> str:
        return f"{fmt(self.mean)} ({self.ci()})"

    def cell(self) -> str:
        """The short form for table cells: "0.512 (0.490..0.534)" (the header says 95% CI)."""
        if self.n < 2:
            return fmt(self.mean)
        return f"{fmt(self.mean)} ({fmt(self.lo)}..{fmt(self.hi)})"


def _t_quantile(level: float, df: int) -> float:
    from scipy.stats import t  # scipy comes with scikit-learn (the `lessons` extra)

    return float(t.ppf(0.5 + level / 2, df))


def _values(values: Sequence[float], what: str) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64).ravel()
    if a.size == 0:
        raise ValueError(f"{what}: no values; pass at least one run's number")
    if not np.all(np.isfinite(a)):
        raise ValueError(
            f"{what}: non-finite values {a[~np.isfinite(a)].tolist()}; a diverged run has no "
            "number to average: count it separately (e.g. a 'diverged' fraction) and leave it out"
        )
    return a


def mean_ci(values: Sequence[float], level: float = 0.95) -> Interval:
    """Mean of `values` with its Student-t interval: mean +- t_{(1+level)/2, n-1} * s / sqrt(n).

    n = 1 gives lo = hi = nan (one run says nothing about the spread; str() says so).
    """
    a = _values(values, "mean_ci")
    n, m = a.size, float(a.mean())
    if n == 1:
        return Interval(m, math.nan, math.nan, 1, None, level)
    half = _t_quantile(level, n - 1) * float(a.std(ddof=1)) / math.sqrt(n)
    return Interval(m, m - half, m + half, n, None, level)


def paired_diff(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Interval:
    """a - b paired by position (by seed): mean difference, its t interval and the two-sided
    paired t-test p-value in `.p` (1.0 when every difference is 0, 0.0 when all are equal and
    non-zero)."""
    x, y = _values(a, "paired_diff"), _values(b, "paired_diff")
    if x.shape != y.shape:
        raise ValueError(
            f"paired_diff: {x.size} values against {y.size}; pair one value of each arm per seed"
        )
    d = x - y
    iv = mean_ci(d, level)
    if d.size < 2:
        return iv
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        p = 1.0 if iv.mean == 0.0 else 0.0
    else:
        from scipy.stats import t

        stat = iv.mean / (sd / math.sqrt(d.size))
        p = float(2 * t.sf(abs(stat), d.size - 1))
    return Interval(iv.mean, iv.lo, iv.hi, iv.n, p, level)


def holm(pvalues: dict[str, float], alpha: float = 0.05) -> dict[str, bool]:
    """Holm's step-down correction: True where the hypothesis is rejected (significant).

    Sort the m p-values ascending; reject while p_(i) <= alpha / (m - i) (i = 0, 1, ...), and stop
    at the first that is not: the family-wise error rate stays <= alpha for any dependence.
    """
    order = sorted(pvalues, key=lambda k: pvalues[k])
    m, out, rejecting = len(order), {}, True
    for i, k in enumerate(order):
        rejecting = rejecting and pvalues[k] <= alpha / (m - i)
        out[k] = rejecting
    return {k: out[k] for k in pvalues}


def capital(s: str) -> str:
    """s with its first letter upper-cased (str.capitalize would lower-case "ReLU")."""
    return s[:1].upper() + s[1:]


def difference_sentence(
    a: str, b: str, d: Interval, what: str, significant: bool | None = None
) -> str:
    """A sentence for the paired difference d = a - b in `what`, stated only when it holds.

    "ReLU's accuracy is higher than leaky ReLU's by 0.012 (95% CI 0.004..0.020)" when the interval
    excludes zero (and `significant`, e.g. Holm's verdict, is not False); otherwise "no difference
    detected in accuracy between ReLU and leaky ReLU (95% CI -0.004..0.009)".
    """
    if d.excludes_zero and significant is not False:
        if d.mean > 0:
            return f"{a}'s {what} is higher than {b}'s by {fmt(d.mean)} ({d.ci()})"
        # "lower by 0.36" reads with the interval of that amount (0.32..0.40), not of the signed
        # difference (-0.40..-0.32)
        by = Interval(-d.mean, -d.hi, -d.lo, d.n, d.p, d.level)
        return f"{a}'s {what} is lower than {b}'s by {fmt(by.mean)} ({by.ci()})"
    note = " after Holm's correction" if d.excludes_zero and significant is False else ""
    return f"no difference detected in {what} between {a} and {b}{note} ({d.ci()})"


def curve_ci(curves: Sequence[Sequence[float]], level: float = 0.95) -> list[Interval]:
    """Per-position mean_ci over runs of different lengths (a diverged run stops early: each
    position averages the runs that reached it, so a line never mixes in a missing value)."""
    longest = max((len(c) for c in curves), default=0)
    return [mean_ci([c[i] for c in curves if len(c) > i], level) for i in range(longest)]
