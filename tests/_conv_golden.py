"""Shared loader for tests/golden/conv.npz (written by tools/make_golden_conv.py with PyTorch)."""

from __future__ import annotations

import ast
import pathlib

import numpy as np

GOLDEN = np.load(pathlib.Path(__file__).parent / "golden" / "conv.npz")
DTYPES = ("float32", "float64")
# float32: PyTorch's kernels sum in a different order (and oneDNN blocks its convolutions), so
# values agree to a few ulps of the sums' magnitude, not bit for bit; float64 to ~1e-12.
TOL = {"float32": dict(rtol=2e-5, atol=2e-5), "float64": dict(rtol=1e-10, atol=1e-11)}


def cases(op: str) -> list[int]:
    return sorted({int(k.split("|")[1]) for k in GOLDEN.files if k.startswith(op + "|")})


def config(op: str, i: int) -> dict:
    return ast.literal_eval(str(GOLDEN[f"{op}|{i}|cfg"]))


def field(key: str, name: str, dtype: str | None = None) -> np.ndarray | None:
    k = f"{key}|{name}"
    if k not in GOLDEN.files:
        return None
    a = GOLDEN[k]
    return a.astype(dtype) if dtype is not None and a.dtype.kind == "f" else a
