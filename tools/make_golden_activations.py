"""Write tests/golden/activations.npz: PyTorch's values and gradients for every activation.

    /work/venv/bin/python tools/make_golden_activations.py   (needs torch; the tests do not)

For every row of tinygrad_act's activation table, every parameter setting in CASES, and
float32 and float64:
  rand   256 random inputs (normal * 2.5, plus uniform in [-12, 12]) with random upstream grads:
         y = f(x) and dL/dx for L = sum(f(x) * g).
  pts    NaN, +-inf, +-1e4, +-0, subnormals, the op's kinks and their float neighbours:
         y and dy/dx (upstream grad 1), computed twice because PyTorch's vectorized loop and its
         scalar tail can disagree (at NaN): `vec` (the point repeated 64 times) and `sca` (a
         one-element tensor).
  ref64  the same points through PyTorch in float64 (the reference for the points that
         tests/activation_golden.py lists in INEXACT_POINTS).
At +-inf, where PyTorch evaluates inf * 0 and returns NaN, the expected value is the limit the
table states (`at_inf`), after checking that PyTorch approaches it at +-1e30 (float32: +-1e30;
also +-3e38). Where PyTorch returns a number at +-inf, it must equal the table's limit, or this
script stops: the table's limits are hand-derived and this is their check.
prelu adds a per-channel case (input (4, 3, 5), weight (3,)) with the weight gradient.
Keys: "<op>|<case index>|<dtype>|<field>"; `cases` are stored as repr strings under "<op>|cases".
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as TF

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tinygrad_act.ops.activations import BUILTIN  # noqa: E402

OUT = ROOT / "tests" / "golden" / "activations.npz"
DTYPES = {"float32": (np.float32, torch.float32), "float64": (np.float64, torch.float64)}
SUBNORMALS = {"float32": [1e-40, -1e-40, 1.4e-45], "float64": [1e-310, -1e-310, 5e-324]}
SPECIALS = [math.nan, math.inf, -math.inf, 1e4, -1e4, 0.0, -0.0]
# the parameter settings covered per op ([{}], the defaults, when absent); the tests read them
# back from the golden file and check it against this dict
CASES = {
    "leaky_relu": [{}, {"negative_slope": 0.2}, {"negative_slope": -0.5}],
    "rrelu": [{}, {"lower": 0.1, "upper": 0.3}],
    "elu": [{}, {"alpha": 1.5}, {"alpha": 0.5}],
    "celu": [{}, {"alpha": 1.5}, {"alpha": 3.0}],
    "gelu": [{}, {"approximate": "tanh"}],
    "softplus": [{}, {"beta": 2.0, "threshold": 10.0}, {"beta": 0.5, "threshold": 5.0}],
    "hardtanh": [{}, {"min_val": -0.5, "max_val": 2.0}],
    "threshold": [{"threshold": 0.5, "value": -2.0}, {"threshold": -1.0, "value": 3.0}],
}


def torch_fn(name: str, params: dict):
    if name == "prelu":
        return lambda x: TF.prelu(x, torch.tensor([0.25], dtype=x.dtype))
    if name == "rrelu":
        p = {k: v for k, v in params.items() if k != "training"}
        return lambda x: TF.rrelu(x, training=False, **p)
    if name in ("sigmoid", "tanh"):
        return getattr(torch, name)
    return lambda x: getattr(TF, name)(x, **params)


def value_and_grad(f, x: np.ndarray, g: np.ndarray, tdt) -> tuple[np.ndarray, np.ndarray]:
    t = torch.tensor(x, dtype=tdt, requires_grad=True)
    y = f(t)
    y.backward(torch.tensor(g, dtype=tdt))
    return y.detach().numpy().copy(), t.grad.numpy().copy()


def points(spec, params: dict, dname: str, ndt) -> np.ndarray:
    pts = SPECIALS + SUBNORMALS[dname]
    for k in spec.kink_points(params):
        k = ndt(k)
        pts += [k, np.nextafter(k, ndt(np.inf)), np.nextafter(k, ndt(-np.inf))]
    return np.array(pts, dtype=ndt)


def fix_infinities(spec, params, pts, y, g, name, dname) -> np.ndarray:
    """Replace PyTorch's NaN at +-inf by the table's limits after checking them; returns a mask
    of the entries that came from the table."""
    (yl, gl), (yr, gr) = spec.limits(params)
    used = np.zeros(pts.shape, dtype=bool)
    for i, v in enumerate(pts):
        if not np.isinf(v):
            continue
        want_y, want_g = (yr, gr) if v > 0 else (yl, gl)
        for arr, want, what in ((y, want_y, "value"), (g, want_g, "gradient")):
            if np.isnan(arr[i]):
                arr[i] = want
                used[i] = True
            elif arr[i] != want:
                sys.exit(
                    f"{name} {params} {dname}: torch {what} at {v} is {arr[i]}, table says {want}"
                )
    return used


def check_limits_far_out(spec, params, f, ndt, tdt, name) -> None:
    """The table's finite limits must be what PyTorch approaches at +-1e30 (or at +-1e4 where
    PyTorch's own formula gives NaN at 1e30, e.g. the tanh-gelu gradient: 0 * inf)."""
    (yl, gl), (yr, gr) = spec.limits(params)
    for far in (1e30, 1e4):
        xs = np.array([-far, far], dtype=ndt)
        y, g = value_and_grad(f, xs, np.ones(2, dtype=ndt), tdt)
        checks = ((y[0], yl, "-"), (y[1], yr, "+"), (g[0], gl, "-"), (g[1], gr, "+"))
        if far == 1e30 and any(np.isnan(got) for got, _, _ in checks):
            continue
        for got, want, where in checks:
            if math.isfinite(want) and not math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-30):
                sys.exit(f"{name} {params}: at {where}{far:g} torch gives {got}, limit is {want}")
        return


def main() -> None:
    rng = np.random.default_rng(20240613)
    data: dict[str, np.ndarray] = {}
    base = np.concatenate([rng.standard_normal(192) * 2.5, rng.uniform(-12, 12, 64)])
    upstream = rng.standard_normal(256)
    for dname, (ndt, _) in DTYPES.items():
        data[f"rand|x|{dname}"] = base.astype(ndt)
        data[f"rand|g|{dname}"] = upstream.astype(ndt)
    for spec in BUILTIN:
        name = spec.name
        cases = CASES.get(name, [{}])
        data[f"{name}|cases"] = np.array([repr(c) for c in cases])
        for ci, case in enumerate(cases):
            params = spec.bind(case)
            f = torch_fn(name, params)
            for dname, (ndt, tdt) in DTYPES.items():
                key = f"{name}|{ci}|{dname}"
                x, g = data[f"rand|x|{dname}"], data[f"rand|g|{dname}"]
                data[key + "|y"], data[key + "|gx"] = value_and_grad(f, x, g, tdt)
                pts = points(spec, params, dname, ndt)
                ones = np.ones_like(pts)
                yv, gv = value_and_grad(f, np.repeat(pts, 64), np.repeat(ones, 64), tdt)
                yv, gv = yv[::64].copy(), gv[::64].copy()
                pairs = [value_and_grad(f, pts[i : i + 1], ones[:1], tdt) for i in range(pts.size)]
                ys = np.concatenate([p[0] for p in pairs])
                gs = np.concatenate([p[1] for p in pairs])
                check_limits_far_out(spec, params, f, ndt, tdt, name)
                used = fix_infinities(spec, params, pts, yv, gv, name, dname)
                used |= fix_infinities(spec, params, pts, ys, gs, name, dname)
                data[key + "|pts"] = pts
                data[key + "|y_vec"], data[key + "|g_vec"] = yv, gv
                data[key + "|y_sca"], data[key + "|g_sca"] = ys, gs
                data[key + "|from_table"] = used
                # PyTorch in float64 at the same points: the reference where the table marks
                # PyTorch's own float32 (or float64) numbers as off by more than rounding
                y64, g64 = value_and_grad(
                    f, pts.astype(np.float64), ones.astype(np.float64), torch.float64
                )
                fix_infinities(spec, params, pts, y64, g64, name, "float64")
                data[key + "|y_ref64"], data[key + "|g_ref64"] = y64, g64
    # prelu with one slope per channel: input (4, 3, 5), weight (3,)
    for dname, (ndt, _) in DTYPES.items():
        x = rng.standard_normal((4, 3, 5)).astype(ndt)
        w = np.array([0.1, -0.2, 0.3], dtype=ndt)
        g = rng.standard_normal((4, 3, 5)).astype(ndt)
        tx = torch.tensor(x, requires_grad=True)
        tw = torch.tensor(w, requires_grad=True)
        y = TF.prelu(tx, tw)
        y.backward(torch.tensor(g))
        key = f"prelu_channels|{dname}"
        data[key + "|x"], data[key + "|w"], data[key + "|g"] = x, w, g
        data[key + "|y"], data[key + "|gx"] = y.detach().numpy(), tx.grad.numpy()
        data[key + "|gw"] = tw.grad.numpy()
    data["torch_version"] = np.array(torch.__version__)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **data)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(data)} arrays, {OUT.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
