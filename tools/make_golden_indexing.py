"""Write tests/golden/indexing.json: PyTorch's result of x[index] and its gradient.

    /work/torchvenv/bin/python tools/make_golden_indexing.py   (needs torch; the tests do not)

x is arange(2*4*12*5*6) as float64 of shape (2, 4, 12, 5, 6), so each output value names the
element it came from and the order of the output dims shows. For each index expression (evaluated
with the names below bound to torch tensors; the test binds them to tinygrad_act tensors) the file
holds the output shape and values, and x.grad of sum(out * w) with w = 1, 2, 3, ... over the
output, so the scatter of the gradient is checked element by element ("grad": [flat index, value]
for its nonzero elements).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "indexing.json"
SHAPE = (2, 4, 12, 5, 6)

# the operands every expression may use (as nested lists, rebuilt in both engines)
NAMES = {
    "idx": [0, 1, 1],  # a repeated index: its gradient adds up
    "idx2d": [[0], [1]],
    "mask4": [True, False, True, True],  # three True: broadcasts with idx
    "mask2": [False, True],
    "mask12x5": (np.arange(60).reshape(12, 5) % 7 == 0).tolist(),
    "t1": 1,  # a 0-d int tensor: a basic index, like a Python int
}

EXPRESSIONS = [
    "x[1, :, 3:11:2, idx, 0:2]",  # the example: numpy gives (3, 4, 4, 2)
    "x[:, 1, :, idx]",
    "x[1, :, 1, idx]",
    "x[None, 1, :, idx]",
    "x[1, None, idx]",
    "x[:, 1, ..., idx, None]",
    "x[-1, :, idx, -2]",
    "x[t1, :, idx]",
    "x[True, :, idx]",
    "x[1, idx]",
    "x[1, idx, idx]",
    "x[idx, :, idx]",
    "x[:, idx, :, idx]",
    "x[:, idx, 1, idx]",
    "x[..., idx, 1]",
    "x[idx2d, :, idx]",
    "x[0, mask4, :, idx]",
    "x[1, :, mask12x5, 0]",
    "x[mask2, 1:3]",
    "x[:, :, 1::3, idx]",
    "x[1, 2, 3, 4]",
    "x[1, ..., 2]",
    "x[[]]",
]


def main() -> None:
    cases = []
    for expr in EXPRESSIONS:
        x = torch.arange(int(np.prod(SHAPE)), dtype=torch.float64).reshape(SHAPE)
        x.requires_grad_(True)
        env = {"x": x, **{k: torch.tensor(v) for k, v in NAMES.items()}}
        out = eval(expr, {}, env)
        w = torch.arange(1, out.numel() + 1, dtype=torch.float64).reshape(out.shape)
        (out * w).sum().backward()
        cases.append(
            {
                "expr": expr,
                "shape": list(out.shape),
                "values": out.detach().reshape(-1).tolist(),
                "grad": [[i, g] for i, g in enumerate(x.grad.reshape(-1).tolist()) if g],
            }
        )
    meta = {"torch": torch.__version__, "x_shape": list(SHAPE), "names": NAMES}
    OUT.write_text(json.dumps({"meta": meta, "cases": cases}, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
