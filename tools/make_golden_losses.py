"""Write tests/golden/losses.npz: PyTorch's loss values and gradients.

    /work/venv/bin/python tools/make_golden_losses.py   (needs torch; the tests do not)

Every case is computed in float64 (the reference) from inputs stored as float32-representable
numbers, so the tests can run both dtypes against one answer. For reduction='none' the gradient
is that of sum(loss * cotangent) with a stored random cotangent; otherwise of the scalar loss.
Keys: "<case>|<field>" with fields op, params (repr of a dict), input, target, weight,
pos_weight, cotangent, loss, grad_input, grad_target (present only where they apply).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as TF

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "losses.npz"
rng = np.random.default_rng(20240604)


def f32(a: np.ndarray) -> np.ndarray:
    """Round to float32 and back, so float32 tests see exactly the reference inputs."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def run(name: str, op: str, params: dict, x, target, weight=None, pos_weight=None, out=None):
    tx = torch.tensor(x, requires_grad=True)
    target_grad = op in ("mse_loss", "binary_cross_entropy_with_logits")
    tt = torch.tensor(target, requires_grad=target_grad)
    kw = dict(params)
    if weight is not None:
        kw["weight"] = torch.tensor(weight)
    if pos_weight is not None:
        kw["pos_weight"] = torch.tensor(pos_weight)
    loss = getattr(TF, op)(tx, tt, **kw)
    rec = {"op": np.array(op), "params": np.array(repr(params)), "input": x, "target": target}
    if params.get("reduction") == "none":
        cot = f32(rng.standard_normal(loss.shape))
        (loss * torch.tensor(cot)).sum().backward()
        rec["cotangent"] = cot
    else:
        loss.backward()
    rec["loss"] = loss.detach().numpy()
    rec["grad_input"] = tx.grad.numpy()
    if target_grad:
        rec["grad_target"] = tt.grad.numpy()
    if weight is not None:
        rec["weight"] = weight
    if pos_weight is not None:
        rec["pos_weight"] = pos_weight
    for k, v in rec.items():
        out[f"{name}|{k}"] = np.asarray(v)


def main() -> None:
    out: dict = {}
    n, c = 7, 5
    logits = f32(rng.standard_normal((n, c)) * 2)
    labels = rng.integers(0, c, n)
    w = f32(rng.uniform(0.2, 2.0, c))
    huge = f32(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [1e4, 1e4, -1e4], [0.0, 0.0, 0.0]]))
    huge_t = np.array([1, 0, 2, 1])
    for red in ("mean", "sum", "none"):
        run(f"ce_{red}", "cross_entropy", {"reduction": red}, logits, labels, out=out)
        run(f"ce_w_{red}", "cross_entropy", {"reduction": red}, logits, labels, w, out=out)
        for ls in (0.1, 0.35):
            p = {"reduction": red, "label_smoothing": ls}
            run(f"ce_ls{ls}_{red}", "cross_entropy", p, logits, labels, out=out)
            run(f"ce_ls{ls}_w_{red}", "cross_entropy", p, logits, labels, w, out=out)
        run(f"ce_huge_{red}", "cross_entropy", {"reduction": red}, huge, huge_t, out=out)
        p = {"reduction": red, "label_smoothing": 0.2}
        run(f"ce_huge_ls_{red}", "cross_entropy", p, huge, huge_t, out=out)
        ign = labels.copy()
        ign[[1, 4]] = -100
        run(f"ce_ignore_{red}", "cross_entropy", {"reduction": red}, logits, ign, w, out=out)
        logp = torch.log_softmax(torch.tensor(logits), 1).numpy()
        run(f"nll_{red}", "nll_loss", {"reduction": red}, f32(logp), labels, out=out)
        run(f"nll_w_{red}", "nll_loss", {"reduction": red}, f32(logp), labels, w, out=out)
        a, b = f32(rng.standard_normal((4, 3))), f32(rng.standard_normal((4, 3)))
        run(f"mse_{red}", "mse_loss", {"reduction": red}, a, b, out=out)
        z = f32(rng.standard_normal((6, 3)) * 3)
        y = f32(rng.uniform(0, 1, (6, 3)))
        bce = "binary_cross_entropy_with_logits"
        run(f"bce_{red}", bce, {"reduction": red}, z, y, out=out)
        run(f"bce_w_{red}", bce, {"reduction": red}, z, y, weight=f32(rng.uniform(0, 2, (6, 3))),
            out=out)  # fmt: skip
        pw = f32(np.array([0.5, 2.0, 3.0]))
        run(f"bce_pw_{red}", bce, {"reduction": red}, z, y, pos_weight=pw, out=out)
        zh = f32(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 30.0]]))
        yh = f32(np.array([[0.0, 1.0, 0.5], [0.0, 1.0, 1.0]]))
        run(f"bce_huge_{red}", bce, {"reduction": red}, zh, yh, pos_weight=pw, out=out)
    run("ce_single", "cross_entropy", {"reduction": "mean"}, logits[0], np.array(labels[0]),
        out=out)  # fmt: skip
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT} ({len(out)} arrays, torch {torch.__version__})")


if __name__ == "__main__":
    main()
