"""Write tests/golden/optim.npz: PyTorch's parameters after 5 optimizer steps.

    /work/venv/bin/python tools/make_golden_optim.py   (needs torch; the tests do not)

Two fixed problems, float32, for every optimizer variant in VARIANTS:
  model  a Linear(4, 3) with stored initial weight/bias, trained 5 full-batch steps on stored
         data (16 samples) with MSE loss: the whole loop, so the tests' gradients come from the
         engine (they differ from torch's in the last bits; compare with a tolerance).
  grads  one parameter vector (37 values) updated with 5 stored gradients (p.grad set by hand):
         the update rule alone, so SGD must match bit for bit and Adam to within an ulp or two
         (torch takes sqrt through MKL, which is not always correctly rounded).
Keys: "model|W0", "model|b0", "model|X", "model|Y", "model|<variant>|W", "model|<variant>|b",
"grads|p0", "grads|g" (5, 37), "grads|<variant>|p", and "variants" (repr of VARIANTS).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "optim.npz"

# name -> (optimizer class name, kwargs); the tests build the same list from "variants"
VARIANTS = {
    "sgd": ("SGD", {"lr": 0.1}),
    "sgd_momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}),
    "sgd_dampening": ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
    "sgd_nesterov": ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    "sgd_weight_decay": ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
    "sgd_nesterov_wd": (
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01},
    ),
    "sgd_maximize": ("SGD", {"lr": 0.1, "momentum": 0.5, "maximize": True}),
    "adam": ("Adam", {"lr": 0.01}),
    "adam_betas": ("Adam", {"lr": 0.02, "betas": (0.3, 0.6), "eps": 1e-6}),
    "adam_weight_decay": ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    "adam_amsgrad": ("Adam", {"lr": 0.01, "amsgrad": True}),
    "adam_maximize": ("Adam", {"lr": 0.01, "maximize": True}),
    "adamw": ("AdamW", {"lr": 0.01}),
    "adamw_weight_decay": ("AdamW", {"lr": 0.01, "weight_decay": 0.3}),
}
STEPS = 5


def main() -> None:
    rng = np.random.default_rng(7)
    out: dict = {"variants": np.array(repr(VARIANTS))}
    W0 = rng.uniform(-0.5, 0.5, (3, 4)).astype(np.float32)
    b0 = rng.uniform(-0.5, 0.5, 3).astype(np.float32)
    X = rng.standard_normal((16, 4)).astype(np.float32)
    Y = rng.standard_normal((16, 3)).astype(np.float32)
    out.update({"model|W0": W0, "model|b0": b0, "model|X": X, "model|Y": Y})
    p0 = rng.standard_normal(37).astype(np.float32)
    G = (rng.standard_normal((STEPS, 37)) * rng.choice([1e-3, 1.0, 10.0], 37)).astype(np.float32)
    out.update({"grads|p0": p0, "grads|g": G})
    for name, (cls, kw) in VARIANTS.items():
        lin = torch.nn.Linear(4, 3)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W0))
            lin.bias.copy_(torch.tensor(b0))
        opt = getattr(torch.optim, cls)(lin.parameters(), **kw)
        for _ in range(STEPS):
            loss = torch.nn.functional.mse_loss(lin(torch.tensor(X)), torch.tensor(Y))
            opt.zero_grad()
            loss.backward()
            opt.step()
        out[f"model|{name}|W"] = lin.weight.detach().numpy().copy()
        out[f"model|{name}|b"] = lin.bias.detach().numpy().copy()
        p = torch.nn.Parameter(torch.tensor(p0))
        opt = getattr(torch.optim, cls)([p], **kw)
        for g in G:
            p.grad = torch.tensor(g)
            opt.step()
        out[f"grads|{name}|p"] = p.detach().numpy().copy()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT} ({len(out)} arrays, torch {torch.__version__})")


if __name__ == "__main__":
    main()
