"""Shared helpers for the activation tests: the golden file, running an op, and the checkers.

tests/golden/activations.npz is written by tools/make_golden_activations.py from PyTorch (these
tests never import torch). The checkers raise AssertionError naming the op, the input and both
numbers; tests/test_activation_table.py shows they fail on wrong answers.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act.ops.activations import TABLE

GOLDEN_PATH = Path(__file__).parent / "golden" / "activations.npz"
RTOL = {"float32": 1e-5, "float64": 1e-6}
DTYPES = ("float32", "float64")
PRELU_WEIGHT = 0.25  # the golden file's prelu rows use this single slope
# Absolute floors where PyTorch's own result carries absolute rounding error, in eps(dtype)
# units: values within ATOL_EPS[0] * eps * (1 + |x|), gradients within ATOL_EPS[1] * eps * |g| *
# (1 + |x|), g the upstream gradient, on top of rtol.
#   gelu: PyTorch computes 1 + erf(x/sqrt 2), 1 + tanh(z) and 1 - tanh^2(z), which cancel for
#         x << 0 (its float32 erf is Abramowitz-Stegun 7.1.26, 1.5e-7); ours does not cancel.
#   tanh: the gradient 1 - y^2 from the saved output cancels as |y| -> 1: one ulp in y (ours or
#         PyTorch's) moves it by eps.
ATOL_EPS = {"gelu": (2.0, 2.0), "tanh": (0.0, 2.0)}
# Where PyTorch's number at a special point is off by more than rounding, tests compare with
# PyTorch's float64 result within rtol instead of bit for bit:
#   hardsigmoid: PyTorch's float64 gradient uses the float32 constant 1/6 (0.16666667163).
#   softsign: PyTorch's gradient is autograd through x / (1 + |x|), two terms that cancel for
#             large |x| (1e-4 off at 1e4 in float32); ours is 1 / (1 + |x|)^2.
INEXACT_POINTS = {"hardsigmoid": ("grad",), "softsign": ("grad",)}

_golden = None
_docs = None


def markdown() -> str:
    """docs/activations.md as tools/gen_activation_docs.py generates it now."""
    global _docs
    if _docs is None:
        path = Path(__file__).parents[1] / "tools" / "gen_activation_docs.py"
        spec = importlib.util.spec_from_file_location("gen_activation_docs", path)
        _docs = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_docs)
    return _docs.markdown()


def golden() -> dict:
    global _golden
    if _golden is None:
        with np.load(GOLDEN_PATH) as f:
            _golden = {k: f[k] for k in f.files}
    return _golden


def cases(name: str) -> list[dict]:
    """The parameter settings the golden file covers for `name` (chosen by
    tools/make_golden_activations.py), e.g. [{}, {"alpha": 1.5}, {"alpha": 0.5}] for elu."""
    return [eval(c) for c in golden()[f"{name}|cases"]]  # noqa: S307 - our own repr()s


def golden_cases() -> list:
    """(name, case index, params, dtype) for every table row, golden case and dtype."""
    out = []
    for name in TABLE:
        if f"{name}|cases" not in golden():
            continue  # registered after the golden file was made (e.g. in a test)
        for ci, case in enumerate(cases(name)):
            for dt in DTYPES:
                out.append((name, ci, case, dt))
    return out


def case_id(c) -> str:
    return f"{c[0]}-{c[1]}-{c[3]}"


def run_op(name: str, params: dict, x: np.ndarray, g: np.ndarray) -> tuple:
    """y = op(x) and dL/dx for L = sum(y * g), through F and the engine."""
    t = ta.tensor(x, dtype=x.dtype, requires_grad=True)
    if name == "prelu":
        y = F.prelu(t, ta.tensor([PRELU_WEIGHT], dtype=x.dtype))
    else:
        y = getattr(F, name)(t, **params)
    y.backward(gradient=g)
    return y.numpy(), t.grad.numpy()


def check_close(what: str, ours, ref, rtol: float, atol=0.0, x=None) -> None:
    """|ours - ref| <= rtol * |ref| + atol elementwise, NaN only where ref is NaN."""
    ours, ref = np.asarray(ours, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    both_nan = np.isnan(ours) & np.isnan(ref)
    with np.errstate(invalid="ignore"):
        same_inf = np.isinf(ref) & (ours == ref)
        err = np.abs(ours - ref) - (rtol * np.abs(ref) + atol)
    bad = ~(both_nan | same_inf | (err <= 0))
    if bad.any():
        i = int(np.argmax(bad))
        at = f" at x={x.flat[i]!r}" if x is not None else f" at index {i}"
        tol = np.broadcast_to(atol, ref.shape).flat[i]
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.size} differ{at}: ours {ours.flat[i]!r}, "
            f"reference {ref.flat[i]!r} (rtol {rtol}, atol {tol})"
        )


def check_exact(what: str, ours, refs: tuple, x) -> None:
    """ours equals one of the references bit for bit (NaN equals NaN); PyTorch's vectorized loop
    and its scalar tail are both references because they disagree at NaN inputs."""
    ok = np.zeros(np.shape(ours), dtype=bool)
    for r in refs:
        ok |= (ours == r) | (np.isnan(ours) & np.isnan(r))
    if not ok.all():
        i = int(np.argmax(~ok))
        got = ", ".join(repr(r[i]) for r in refs)
        raise AssertionError(f"{what}: at x={x[i]!r} ours {ours[i]!r}, PyTorch {got}")


def check_zero_signs(what: str, ours, ref, x) -> None:
    """Where both are zero, the sign of zero matches too (relu(-0.0) is -0.0 in PyTorch)."""
    bad = (ours == 0) & (ref == 0) & (np.signbit(ours) != np.signbit(ref))
    if bad.any():
        i = int(np.argmax(bad))
        raise AssertionError(f"{what}: at x={x[i]!r} ours {ours[i]!r}, PyTorch {ref[i]!r}")


def check_random(name: str, ci: int, dt: str, y, gx, n: int | None = None, rtol_factor=1.0):
    """Values and gradients on the golden random inputs (the first n), within rtol plus the
    absolute floor (ATOL_EPS) for ops where PyTorch's own error is absolute."""
    atol_eps, G = ATOL_EPS.get(name, (0.0, 0.0)), golden()
    x, g = G[f"rand|x|{dt}"][:n], G[f"rand|g|{dt}"][:n]
    key = f"{name}|{ci}|{dt}"
    eps = np.finfo(x.dtype).eps
    rtol = RTOL[dt] * rtol_factor
    check_close(f"{key} value", y, G[key + "|y"][:n], rtol, atol_eps[0] * eps * (1 + abs(x)), x)
    atol_g = atol_eps[1] * eps * abs(g) * (1 + abs(x))
    check_close(f"{key} grad", gx, G[key + "|gx"][:n], rtol, atol_g, x)
