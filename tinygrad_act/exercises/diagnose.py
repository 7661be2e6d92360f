"""Likely causes: turn "these elements differ" into a sentence about what is probably wrong.

`likely_cause(mismatch, clues)` tries the rules below in order and returns the first that fits
all the differing elements: a known wrong answer (`clues.candidates`: e.g. the weight gradient
summed over the positions but not the batch), nan in -> nan out, inf * 0, the kink, all zeros (a
forgotten gradient), the chain rule, sign, constant factor, one branch wrong, huge |x| only.
Each message says what the numbers show and what to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .compare import differs, fmt


@dataclass
class Mismatch:
    """Where a student's array differs from the reference (all arrays flat float64)."""

    label: str  # "forward value", "gradient", "gradient of beta", ...
    actual: np.ndarray
    expected: np.ndarray
    bad: np.ndarray
    dtype: np.dtype
    x: np.ndarray | None = None  # the input at each element (elementwise ops)
    g: np.ndarray | None = None  # the upstream gradient at each element
    is_grad: bool = False
    parameter: str | None = None  # "beta" / "weight": the gradient of a learnable parameter
    shape: tuple = ()  # the array's shape, to name an element by its index

    def index(self, i: int) -> str:
        if len(self.shape) > 1:
            return str(tuple(int(j) for j in np.unravel_index(i, self.shape)))
        return str(i)

    def where(self, i: int) -> str:
        parts = [f"element {self.index(i)}"]
        if self.x is not None:
            parts.append(f"x = {fmt(self.x[i], self.dtype)}")
        if self.g is not None and self.is_grad:
            parts.append(f"upstream gradient = {fmt(self.g[i], self.dtype)}")
        return parts[0] + (f" ({', '.join(parts[1:])})" if len(parts) > 1 else "")

    def summary(self, show: int = 3) -> str:
        """The first differing element in full, then a few more in one line each."""
        idx = np.flatnonzero(self.bad)
        i = int(idx[0])
        lines = [
            f"the {self.label} is wrong at {self.where(i)}:",
            f"    expected {fmt(self.expected[i], self.dtype)}",
            f"    got      {fmt(self.actual[i], self.dtype)}",
        ]
        if idx.size > 1:
            more = ", ".join(
                (
                    f"x = {fmt(self.x[j], self.dtype)}"
                    if self.x is not None
                    else f"element {self.index(j)}"
                )
                + f": expected {fmt(self.expected[j], self.dtype)}, got "
                + fmt(self.actual[j], self.dtype)
                for j in idx[1 : 1 + show]
            )
            lines.append(f"    {idx.size} of {self.bad.size} elements differ; also {more}")
        return "\n".join(lines)


@dataclass
class Clues:
    """What the checker knows about the op, for the rules to use."""

    kinks: tuple = ()
    sides: dict = field(default_factory=dict)  # kink -> (derivative from the left, from the right)
    kink_rule: str = ""  # the convention at the kink, in words
    params: dict = field(default_factory=dict)  # parameter values, to name a factor
    candidates: dict = field(default_factory=dict)  # likely cause -> the array that mistake gives
    fastmath: bool = False


def likely_cause(m: Mismatch, clues: Clues | None = None) -> str:
    """One or two sentences: the most specific rule that explains every differing element."""
    clues = clues or Clues()
    for rule in _RULES:
        text = rule(m, clues)
        if text:
            return "likely cause: " + text
    return (
        "likely cause: the formula differs from the reference on ordinary inputs; compare your "
        f"{'gradient' if m.is_grad else 'forward'} with the docstring's formula term by term "
        "(print a few values: NUMBA_DISABLE_JIT=1 runs your kernel as plain Python)."
    )


def _bad(m: Mismatch):
    idx = np.flatnonzero(m.bad)
    return idx, m.actual[idx], m.expected[idx], (None if m.x is None else m.x[idx])


def _candidate(m: Mismatch, c: Clues) -> str | None:
    for text, arr in c.candidates.items():
        arr = np.asarray(arr, dtype=np.float64).reshape(-1)
        if (
            arr.shape == m.actual.shape
            and not differs(m.actual, arr, m.dtype, 1.0 + np.abs(arr)).any()
        ):
            return text
    return None


def _nan_in(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    if x is None or m.is_grad or not np.isnan(x).all():
        return None
    fast = (
        " Your kernel is compiled with fastmath, which assumes nan never occurs: drop it."
        if c.fastmath
        else ""
    )
    return (
        f"NaN in must give NaN out, but x = nan gave {fmt(a[0])}. Every comparison with nan is "
        "False, so a branch like `x if x > 0 else 0` sends nan to the constant: let nan reach "
        "the arithmetic (e.g. `0 if x < 0 else x`, or compute the formula on both sides)." + fast
    )


def _nan_out(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    if not (np.isnan(a) & ~np.isnan(e)).all():
        return None
    if x is not None and (np.isinf(x) | (np.abs(x) >= 1e30)).all():
        return (
            f"inf * 0 (or inf / inf, inf - inf) at huge |x|: the math has a finite limit "
            f"({fmt(e[0])} at x = {fmt(x[0])}) but an intermediate overflowed to inf and met a "
            "0, giving nan. Guard that case (`if x == inf: ...`), or order the products so "
            "that nothing overflows (e.g. x * (x * s) instead of (x * x) * s)."
        )
    return (
        "your result is nan where the answer is finite: 0/0, inf - inf or inf * 0 in an "
        "intermediate, or an output element the kernel never wrote (np.empty holds garbage)."
    )


def _overflow(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    if not (np.isinf(a) & np.isfinite(e)).all():
        return None
    return (
        f"overflow: you return {fmt(a[0])} where the answer is {fmt(e[0])}. Something like "
        "exp(x) or x * x overflowed: rewrite the formula with exp(-|x|) (which is <= 1) or "
        "guard large |x|."
    )


def _kink(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    if x is None or not c.kinks or not np.isin(x, c.kinks).all():
        return None
    k = float(x[0])
    text = f"wrong branch at the kink: at x = {fmt(k)}"
    if m.is_grad:
        left, right = c.sides.get(k + 0.0, (None, None))  # + 0.0 turns -0.0 into 0.0
        g0 = m.g[idx[0]] if m.g is not None and m.g[idx[0]] != 0 else 1.0
        want, got = e[0] / g0, a[0] / g0
        rule = f" ({c.kink_rule})" if c.kink_rule else ""
        text += f" the derivative should be {fmt(want)}{rule}; you gave {fmt(got)}"
        if right is not None and np.isclose(got, right) and not np.isclose(got, left):
            text += f", the derivative of the x > {fmt(k)} side"
        elif left is not None and np.isclose(got, left) and not np.isclose(got, right):
            text += f", the derivative of the x < {fmt(k)} side"
        return text + (
            f". The comparison that picks the branch decides which side owns x = {fmt(k)} "
            "(and -0.0, which == 0): `x > 0` sends it to the else-branch, `x >= 0` to the "
            "if-branch."
        )
    return text + (
        f" your forward gives {fmt(a[0])}, the reference {fmt(e[0])}. The function is "
        "continuous there, so both branches should give the same value: check the branch "
        "that x = 0 takes."
    )


def _zeros(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    if not (a == 0).all():
        return None
    if m.parameter:
        return (
            f"forgot the parameter's gradient: the gradient of {m.parameter} is 0 where it "
            f"should be {fmt(e[0])}. The backward must also fill dL/d{m.parameter} "
            f"(the sum over every element of upstream gradient * dy/d{m.parameter})."
        )
    if m.is_grad:
        return (
            "the gradient is 0 where it should not be: does your backward write grad_in for "
            "every element, on this branch too?"
        )
    return "the output is 0 where it should not be: does your forward write every element?"


def _chain_rule(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    if not m.is_grad or m.g is None:
        return None
    g = m.g[idx]
    with np.errstate(all="ignore"):
        if (g == 1).any() or differs(a * g, e, m.dtype, 1.0 + np.abs(e)).any():
            return None
    return (
        "chain rule: your gradient is dy/dx itself, not multiplied by the upstream gradient. "
        "backward receives dL/dy (grad_out) and must return dL/dx = grad_out * dy/dx."
    )


def _factor(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    ok = np.isfinite(a) & np.isfinite(e) & (np.abs(e) > 1e-30)
    if not ok.all() or ok.sum() == 0:
        return None
    r = a / e
    if not np.allclose(r, r[0], rtol=1e-3, atol=1e-6):
        return None
    k = float(r[0])
    if np.isclose(k, -1, rtol=1e-3):
        return (
            f"sign flipped: your {m.label} is exactly -1 times the right one. Check the sign of "
            "each term (the derivative of exp(-x) is -exp(-x); 1 - s versus s - 1)."
        )
    names = {2.0: "2", 0.5: "1/2"}
    for n, v in c.params.items():
        if v not in (0, 1, -1):
            names.setdefault(float(v), n)
            names.setdefault(1.0 / float(v), f"1/{n}")
    name = next((s for v, s in names.items() if np.isclose(k, v, rtol=1e-3)), None)
    text = f"a constant factor off: your {m.label} is {k:.4g} times the right one"
    text += f" (= {name}: a missing or extra factor {name}?)" if name else ""
    return text + "."


def _offset(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    d = a - e
    if not np.isfinite(d).all() or not np.allclose(d, d[0], rtol=1e-6, atol=1e-9):
        return None
    return (
        f"a constant term off: your {m.label} is the right one {'+' if d[0] > 0 else '-'} "
        f"{fmt(abs(d[0]))} (a missing or extra constant, like the - 1 in exp(x) - 1?)."
    )


def _branch(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    if x is None or len(c.kinks) != 1:
        return None
    k = c.kinks[0]
    for side, sel in (("x < ", x < k), ("x > ", x > k)):
        if sel.all():
            inner = _factor(m, c) or _offset(m, c)
            extra = f" In that branch, {inner[0].lower() + inner[1:]}" if inner else ""
            return f"the {side}{fmt(k)} branch is wrong (the other branch is right).{extra}"
    return None


def _huge(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    if x is None or not (np.abs(x) >= 1e4).all():
        return None
    return (
        f"large |x| only: at x = {fmt(x[0])} you give {fmt(a[0])}, the limit is {fmt(e[0])}. "
        "Something overflows or cancels there (exp(x) -> inf, x^3 -> inf, 1 - 1 -> 0)."
    )


def _tiny(m: Mismatch, c: Clues) -> str | None:
    idx, a, e, x = _bad(m)
    if x is None or not ((np.abs(x) < 1e-300) & (x != 0)).all():
        return None
    fast = " fastmath flushes subnormals to zero: drop it." if c.fastmath else ""
    return (
        f"subnormal inputs only (x = {fmt(x[0])}): a tiny x is still positive or negative, "
        "not 0; do not compare against a small threshold instead of 0." + fast
    )


_RULES = (_candidate, _nan_in, _nan_out, _overflow, _kink, _zeros, _chain_rule, _factor,
          _offset, _branch, _huge, _tiny)  # fmt: skip
