"""Type promotion against PyTorch: tests/golden/promotion.json (tools/make_golden_promotion.py).

Every dtype pair of bool, uint8, int8..int64, float32, float64 as 1-d and 0-d tensors, and Python
and numpy scalars, through + - * / ** == < maximum where exp log sqrt neg abs: the result dtype and
values must be PyTorch's, and where PyTorch refuses, so must we. Gradients keep the input dtype.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tinygrad_act as ta

GOLDEN = json.loads((Path(__file__).parent / "golden" / "promotion.json").read_text())["cases"]
REFUSED = (TypeError, ValueError, RuntimeError, OverflowError)


def make(spec: dict):
    kind = spec["kind"]
    if kind == "py":
        return spec["value"]
    if kind == "np":
        return np.dtype(spec["dtype"]).type(spec["value"])
    dt = np.dtype(spec["dtype"])
    if "values" in spec:
        return ta.tensor(spec["values"], dtype=dt)
    if kind == "t":
        return ta.tensor([True, False, True] if dt == np.bool_ else [1, 2, 3], dtype=dt)
    return ta.tensor(True if dt == np.bool_ else 2, dtype=dt)


def run(op: str, a, b=None):
    fns = {
        "result_type": lambda: ta.result_type(a, b),
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "div": lambda: a / b,
        "pow": lambda: a**b,
        "eq": lambda: a == b,
        "lt": lambda: a < b,
        "maximum": lambda: ta.maximum(a, b),
        "where": lambda: ta.where(ta.tensor([True, False, True]), a, b),
        "exp": lambda: a.exp(),
        "log": lambda: a.log(),
        "sqrt": lambda: a.sqrt(),
        "neg": lambda: -a,
        "abs": lambda: a.abs(),
    }
    return fns[op]()


def _id(case: dict) -> str:
    def name(s):
        return f"{s['kind']}:{s.get('dtype', '')}:{s.get('value', s.get('values'))}"

    return case["op"] + "(" + ", ".join(name(case[k]) for k in ("a", "b") if k in case) + ")"


# PyTorch wraps a Python int that the tensor's dtype cannot hold (uint8 + 300 = 45); we refuse it
WE_REFUSE = {"add(t:uint8:None, py::300)", "add(t:uint8:None, py::-3)"}
OPS = sorted({c["op"] for c in GOLDEN})


def _mismatch(case: dict) -> str | None:
    """None if tinygrad_act does what PyTorch did in `case`, else what differs."""
    a = make(case["a"])
    b = make(case["b"]) if "b" in case else None
    if "error" in case or _id(case) in WE_REFUSE:
        try:
            run(case["op"], a, b)
        except REFUSED as e:
            return None if case["op"] in str(e) else f"error does not name the op: {e}"
        return f"PyTorch raised {case.get('error', '')}, we did not"
    try:
        out = run(case["op"], a, b)
    except REFUSED as e:
        return f"raised {type(e).__name__}: {e}"
    want_dt = np.dtype(case["dtype"])
    got_dt = out if case["op"] == "result_type" else out.dtype
    if got_dt != want_dt:
        return f"dtype {got_dt}, PyTorch {want_dt}"
    if case["op"] == "result_type":
        return None
    want = np.array(case["values"], dtype=want_dt)
    # exp and division may differ from PyTorch's vectorized loops by an ulp
    rtol = 4 * np.finfo(want_dt).eps if want_dt.kind == "f" else 0
    if not np.allclose(out.numpy(), want, rtol=rtol, atol=0, equal_nan=True):
        return f"values {out.numpy().tolist()}, PyTorch {case['values']}"
    return None


@pytest.mark.parametrize("op", OPS)
# log(False) is -inf and False / False is NaN, as in PyTorch: expected, not warnings to show
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_matches_torch(op):
    cases = [c for c in GOLDEN if c["op"] == op]
    assert len(cases) >= 10
    bad = [f"{_id(c)}: {m}" for c in cases if (m := _mismatch(c)) is not None]
    assert not bad, f"{len(bad)} of {len(cases)} cases differ from PyTorch:\n" + "\n".join(bad[:20])


def test_the_issue_examples():
    x = ta.ones(2, 3)
    assert (x / np.sqrt(8.0)).dtype == ta.float32
    assert (x * ta.tensor([1, 2, 3])).dtype == ta.float32
    assert (ta.tensor(1) + 0.5).dtype == ta.float32
    assert (ta.tensor([1, 2]) / ta.tensor([2, 2])).dtype == ta.float32
    assert ta.tensor([1, 2]).exp().dtype == ta.float32
    assert (2.0 * x - np.float64(1.0)).dtype == ta.float32
    # the next Linear used to raise on the float64 that numpy's rules made
    lin = ta.nn.Linear(3, 2)
    assert lin(x / np.sqrt(8.0)).dtype == ta.float32


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: a * b,
        lambda a, b: b * a,
        lambda a, b: a + b,
        lambda a, b: b - a,
        lambda a, b: a / b,
        lambda a, b: b / a,
        lambda a, b: ta.maximum(a, b),
        lambda a, b: ta.minimum(b, a),
        lambda a, b: ta.where(b > 0.5, a, b),
    ],
)
def test_gradients_keep_the_input_dtype(fn):
    # a 0-d float64 tensor does not widen a float32 tensor: the result is float32, but the
    # gradient of the float64 input is float64, of the same value as PyTorch's
    a = ta.tensor(1.5, dtype=ta.float64, requires_grad=True)
    b = ta.tensor([0.25, 0.5, 2.0], requires_grad=True)
    out = fn(a, b)
    assert out.dtype == ta.float32
    out.sum().backward()
    assert a.grad.dtype == ta.float64 and a.grad.shape == ()
    assert b.grad.dtype == ta.float32 and b.grad.shape == (3,)
    a64, b64 = (t.detach().double().requires_grad_() for t in (a, b))
    fn(a64, b64).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), a64.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), b64.grad.numpy(), rtol=1e-6)


def test_mixed_float_tensors_widen_and_each_gradient_keeps_its_dtype():
    a = ta.ones(2, requires_grad=True)
    b = ta.ones(2, dtype=ta.float64, requires_grad=True)
    out = a * b
    assert out.dtype == ta.float64
    out.sum().backward()
    assert a.grad.dtype == ta.float32 and b.grad.dtype == ta.float64


def test_an_int_that_does_not_fit_is_refused_not_wrapped():
    with pytest.raises(OverflowError, match=r"add: the number 300 does not fit in uint8"):
        ta.tensor([1, 2], dtype=ta.uint8) + 300


def test_promote_types_and_result_type_are_torch_s():
    assert ta.promote_types(ta.int64, ta.float32) == ta.float32  # numpy says float64
    assert ta.promote_types(ta.uint8, ta.int8) == ta.int16
    assert ta.result_type(ta.tensor([1, 2], dtype=ta.int32), ta.tensor(1.0, dtype=ta.float64)) == (
        ta.float64
    )
    assert ta.result_type(2, 2.5) == ta.float32


def test_clamp_bounds_take_part_in_promotion():
    # torch: int64.clamp(min=0.5) -> float32, .clamp(0, 2) -> int64, float32.clamp(np.float64) f32
    x = ta.tensor([0, 2, 3])
    assert x.clamp(min=0.5).dtype == ta.float32
    assert x.clamp(min=0.5).tolist() == [0.5, 2.0, 3.0]
    assert x.clamp(0, 2).dtype == ta.int64 and x.clamp(0, 2).tolist() == [0, 2, 2]
    y = ta.tensor([0.25, 3.0], requires_grad=True)
    out = y.clamp(np.float64(0.5), np.float64(2.0))
    assert out.dtype == ta.float32
    out.sum().backward()
    assert y.grad.dtype == ta.float32 and y.grad.tolist() == [0.0, 0.0]
