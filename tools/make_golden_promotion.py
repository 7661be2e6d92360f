"""Write tests/golden/promotion.json: PyTorch's result dtypes (and values) for mixed-dtype ops.

    /work/torchvenv/bin/python tools/make_golden_promotion.py   (needs torch; the tests do not)

An operand is a dict: {"kind": "t"|"z"|"py"|"np", ...}
  t   a 1-d tensor [1, 2, 3] of "dtype" ([True, False, True] for bool), or of "values" if given
  z   a 0-d tensor 2 (True for bool) of "dtype", or of "values"
  py  a Python scalar "value" (JSON keeps bool / int / float apart)
  np  a numpy scalar np.<"dtype">("value")
Each case records torch.result_type of the operands ("result_type") and, for each op, the result's
"dtype" and "values" (nested lists; NaN and inf as JSON's NaN/Infinity), or "error" (exception type)
when PyTorch refuses. Ops: + - * / and ** (exponent a scalar), == <, maximum (tensors only),
where(cond, a, b) with cond [True, False, True], and exp log sqrt neg abs of one tensor.
np.bool_ is left out: torch 2.13 reads it as a float (a bool tensor + np.bool_(True) is float32),
a quirk tinygrad_act does not copy (np.bool_ acts as Python's bool).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "promotion.json"

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64"]
PY_SCALARS = [True, 2, 2.5]
NP_SCALARS = [("uint8", 2), ("int32", 2), ("int64", 2), ("float32", 2.5),
              ("float64", 2.5)]  # fmt: skip
BINARY = ["add", "sub", "mul", "div", "eq", "lt", "maximum", "where"]
UNARY = ["exp", "log", "sqrt", "neg", "abs"]


def make(spec: dict):
    """The torch operand a spec describes."""
    kind = spec["kind"]
    if kind == "py":
        return spec["value"]
    if kind == "np":
        return np.dtype(spec["dtype"]).type(spec["value"])
    dt = getattr(torch, spec["dtype"])
    if "values" in spec:
        return torch.tensor(spec["values"], dtype=dt)
    if kind == "t":
        return torch.tensor([True, False, True] if dt == torch.bool else [1, 2, 3], dtype=dt)
    return torch.tensor(True if dt == torch.bool else 2, dtype=dt)


def run(op: str, a, b=None):
    cond = torch.tensor([True, False, True])
    fns = {
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "div": lambda: a / b,
        "pow": lambda: a**b,
        "eq": lambda: a == b,
        "lt": lambda: a < b,
        "maximum": lambda: torch.maximum(a, b),
        "where": lambda: torch.where(cond, a, b),
        "exp": lambda: a.exp(),
        "log": lambda: a.log(),
        "sqrt": lambda: a.sqrt(),
        "neg": lambda: -a,
        "abs": lambda: a.abs(),
    }
    try:
        out = fns[op]()
    except (RuntimeError, TypeError, ValueError) as e:
        return {"error": type(e).__name__}
    return {"dtype": str(out.dtype).removeprefix("torch."), "values": out.tolist()}


def record(op: str, a: dict, b: dict | None = None) -> dict:
    res = run(op, make(a), None if b is None else make(b))
    return {"op": op, "a": a, **({} if b is None else {"b": b}), **res}


def operands() -> tuple[list, list]:
    tensors = [{"kind": k, "dtype": d} for k in ("t", "z") for d in DTYPES]
    scalars = [{"kind": "py", "value": v} for v in PY_SCALARS]
    scalars += [{"kind": "np", "dtype": d, "value": v} for d, v in NP_SCALARS]
    return tensors, scalars


def main() -> None:
    assert torch.get_default_dtype() == torch.float32
    tensors, scalars = operands()
    cases = []
    for a in tensors:
        for b in tensors + scalars:
            rt = torch.result_type(make(a), make(b))
            cases.append({"op": "result_type", "a": a, "b": b, "dtype": str(rt)[6:]})
            for op in BINARY:
                if op != "maximum" or b in tensors:  # torch.maximum takes tensors only
                    cases.append(record(op, a, b))
            if b in scalars:
                cases.append(record("pow", a, b))
                for op in ("add", "sub", "mul", "div", "eq", "lt", "where"):  # scalar first
                    cases.append(record(op, b, a))
        for op in UNARY:
            cases.append(record(op, a))
    # values where the compute dtype shows: a float64 scalar compared in float32, a big int64
    # that float32 rounds, a wrapped int beyond the tensor's range
    f32 = {"kind": "t", "dtype": "float32", "values": [0.1, 1.0]}
    i64 = {"kind": "t", "dtype": "int64", "values": [16777217, 3]}
    cases.append(record("eq", f32, {"kind": "np", "dtype": "float64", "value": 0.1}))
    cases.append(record("eq", f32, {"kind": "py", "value": 0.1}))
    cases.append(record("mul", f32, {"kind": "np", "dtype": "float64", "value": 8.0**0.5}))
    cases.append(record("add", i64, {"kind": "py", "value": 0.5}))
    cases.append(record("eq", i64, {"kind": "py", "value": 16777216.0}))
    cases.append(record("div", i64, {"kind": "t", "dtype": "int64", "values": [2, 2]}))
    cases.append(record("pow", {"kind": "t", "dtype": "int64"}, {"kind": "py", "value": -1}))
    cases.append(record("pow", {"kind": "t", "dtype": "int64"}, {"kind": "py", "value": 0.5}))
    cases.append(record("add", {"kind": "t", "dtype": "uint8"}, {"kind": "py", "value": 300}))
    cases.append(record("add", {"kind": "t", "dtype": "uint8"}, {"kind": "py", "value": -3}))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    meta = {"torch": torch.__version__, "default_dtype": "float32", "doc": __doc__.split("\n")[0]}
    OUT.write_text(json.dumps({"meta": meta, "cases": cases}, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
