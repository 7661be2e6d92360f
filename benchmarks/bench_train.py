"""One training step: tinygrad_act vs PyTorch eager vs hand-written numpy (vs micrograd).

    /work/venv/bin/python benchmarks/bench_train.py            # the table
    /work/venv/bin/python benchmarks/bench_train.py --profile  # + where our small step spends time

A step is forward, loss, zero_grad, backward and optimizer step, on fixed data:
  1. MLP 2-64-64-2 (ReLU), batch 64, cross_entropy, SGD(momentum=0.9)     target: <= 0.5x torch
  2. MLP 784-256-256-10 (ReLU), batch 128, same loss and optimizer         target: <= 1.0x torch
  3. micrograd's demo: MLP(2, [16, 16, 1]) on 100 moons points, hinge loss mean(relu(1 - y s))
     plus 1e-4 * sum(p^2), plain SGD                                         target: >= 5000x faster
Candidates run interleaved (round-robin) and each reports its best round, so the ratios come from
the same run on the same (shared, noisy) machine. torch and micrograd columns are skipped when
they are not installed. No assertions: this prints numbers.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn, optim

try:
    import torch
except ImportError:  # pragma: no cover - optional column
    torch = None


def best_time(
    fns: dict[str, Callable[[], None]], n: dict[str, int], rounds: int, pause: float = 0.3
) -> dict:
    """Seconds per call of each fn: min over `rounds` interleaved rounds of n[name] calls.

    Between blocks we sleep `pause` seconds: torch's OpenMP threads and numpy's OpenBLAS threads
    spin for a while after their last call, and without the pause each block would be timed
    while the previous library's idle threads still burn the (two) cores.
    """
    for name, fn in fns.items():  # warm up: JIT compile, allocator, BLAS threads
        for _ in range(max(1, n[name] // 10)):
            fn()
    best = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            if len(fns) > 1:
                time.sleep(pause)
            t0 = time.perf_counter()
            for _ in range(n[name]):
                fn()
            best[name] = min(best[name], (time.perf_counter() - t0) / n[name])
    return best


# ---- 1 & 2: classifier MLPs -----------------------------------------------------------------


def mlp_data(sizes: list[int], batch: int):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    return X, y


def ours_mlp(sizes, X, y, lr=0.01, momentum=0.9):
    ta.manual_seed(0)
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    xb, yb = ta.tensor(X), ta.tensor(y)

    def step():
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step, (model, opt, xb, yb)


def torch_mlp(sizes, X, y, lr=0.01, momentum=0.9):
    torch.manual_seed(0)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    xb, yb = torch.tensor(X), torch.tensor(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def numpy_mlp(sizes, X, y, lr=0.01, momentum=0.9):
    """The same step written by hand in numpy: the floor for per-op engine overhead."""
    rng = np.random.default_rng(0)
    shapes = list(zip(sizes[1:], sizes))  # (out, in), like nn.Linear's weight
    Ws = [(rng.uniform(-1, 1, (o, i)) / np.sqrt(i)).astype(np.float32) for o, i in shapes]
    bs = [np.zeros(o, np.float32) for o in sizes[1:]]
    params = Ws + bs
    assert all(p.dtype == np.float32 for p in params), "the baseline must run in float32 too"
    bufs = [np.zeros_like(p) for p in params]
    n = len(y)
    rows = np.arange(n)

    def step():
        acts, masks = [X], []
        h = X
        for k, (W, b) in enumerate(zip(Ws, bs)):
            h = h @ W.T + b
            if k < len(Ws) - 1:
                m = h > 0
                masks.append(m)
                h = h * m
                acts.append(h)
        z = h - h.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        # loss = -log p[y], mean (value unused by the update but computed, as in the others)
        _ = -np.log(p[rows, y]).mean()
        g = p
        g[rows, y] -= 1
        g /= n
        gWs, gbs = [None] * len(Ws), [None] * len(Ws)
        for k in range(len(Ws) - 1, -1, -1):
            gWs[k] = g.T @ acts[k]
            gbs[k] = g.sum(0)
            if k:
                g = (g @ Ws[k]) * masks[k - 1]
        for prm, grad, buf in zip(params, gWs + gbs, bufs):
            buf *= momentum
            buf += grad
            prm -= lr * buf

    return step


# ---- 3: micrograd's demo -----------------------------------------------------------------------


def moons():
    X, y = ta.data.make_moons(100, noise=0.1, seed=1)
    return X.astype(np.float32), (2 * y - 1).astype(np.float32)  # labels -1 / +1


def ours_demo(X, y, alpha=1e-4, decay_in_optimizer=False):
    """micrograd's step, line for line (29 graph nodes, 19 of them the L2 term); or, with
    decay_in_optimizer, the L2 term as SGD's weight_decay = 2 * alpha: the same update
    (d/dp alpha p^2 = 2 alpha p), the way PyTorch code writes it, in 10 nodes."""
    ta.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1)
    )
    wd = 2 * alpha if decay_in_optimizer else 0.0
    opt = optim.SGD(model.parameters(), lr=1.0, weight_decay=wd)
    xb, yb = ta.tensor(X), ta.tensor(y.reshape(-1, 1))
    params = list(model.parameters())

    def step():
        scores = model(xb)
        loss = F.relu(1 - yb * scores).mean()
        if not decay_in_optimizer:
            loss = loss + alpha * sum((p * p).sum() for p in params)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def micrograd_demo(X, y, alpha=1e-4):
    from micrograd.engine import Value
    from micrograd.nn import MLP

    model = MLP(2, [16, 16, 1])
    inputs = [list(map(Value, row)) for row in X.tolist()]

    def step():
        scores = list(map(model, inputs))
        losses = [(1 + -float(yi) * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= 1.0 * p.grad

    return step


# ---- report ------------------------------------------------------------------------------------


def _row(name: str, t: dict, ref: str | None, target: str) -> str:
    us = {k: v * 1e6 for k, v in t.items()}
    cols = [f"{name:<34}", f"{us['ours']:>10.1f}"]
    for other in ("torch", "numpy", "micrograd"):
        cols.append(f"{us[other]:>12.1f}" if other in us else f"{'-':>12}")
    if ref in t:
        r = t["ours"] / t[ref] if ref != "micrograd" else t[ref] / t["ours"]
        ratio = f"{r:.2f}x {'of torch' if ref == 'torch' else 'faster'}"
    else:
        ratio = f"({ref} not installed)"
    return " ".join(cols) + f"   {ratio:<18} {target}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--profile", action="store_true", help="cProfile our 2-64-64-2 step")
    args = ap.parse_args()
    try:
        import micrograd  # noqa: F401

        have_micrograd = True
    except ImportError:
        have_micrograd = False
    head = f"{'us per step':<34} {'ours':>10} {'torch':>12} {'numpy':>12} {'micrograd':>12}"
    print(head + "   ratio              target")
    for sizes, batch, n, target in (
        ([2, 64, 64, 2], 64, 400, "<= 0.5x torch"),
        ([784, 256, 256, 10], 128, 30, "<= 1.0x torch"),
    ):
        X, y = mlp_data(sizes, batch)
        fns = {"ours": ours_mlp(sizes, X, y)[0], "numpy": numpy_mlp(sizes, X, y)}
        if torch is not None:
            fns["torch"] = torch_mlp(sizes, X, y)
        t = best_time(fns, {k: n for k in fns}, args.rounds)
        name = f"MLP {'-'.join(map(str, sizes))} batch {batch}"
        print(_row(name, t, "torch", target))
    X, y = moons()
    fns = {"ours": ours_demo(X, y), "ours_wd": ours_demo(X, y, decay_in_optimizer=True)}
    counts = {"ours": 300, "ours_wd": 300}
    if have_micrograd:
        fns["micrograd"] = micrograd_demo(X, y)
        counts["micrograd"] = 1
    t = best_time(fns, counts, min(args.rounds, 3))
    t_wd = {k: v for k, v in t.items() if k != "ours"}
    t_wd["ours"] = t_wd.pop("ours_wd")
    del t["ours_wd"]
    print(_row("micrograd demo, L2 in the graph", t, "micrograd", ">= 5000x faster"))
    print(_row("micrograd demo, L2 as weight_decay", t_wd, "micrograd", ">= 5000x faster"))
    if torch is not None:
        print(f"(torch {torch.__version__}, {torch.get_num_threads()} threads; ", end="")
    print(f"numpy {np.__version__}, tinygrad_act threads {ta.get_num_threads()})")
    if args.profile:
        profile_small_step()


def profile_small_step(steps: int = 3000) -> None:
    """Where our 2-64-64-2 step spends its time (the per-op overhead budget)."""
    import cProfile
    import pstats

    X, y = mlp_data([2, 64, 64, 2], 64)
    step, (model, opt, xb, yb) = ours_mlp([2, 64, 64, 2], X, y)
    parts = {
        "forward + loss": lambda: F.cross_entropy(model(xb), yb),
        "forward + loss + backward": lambda: F.cross_entropy(model(xb), yb).backward(),
        "optimizer step": opt.step,
        "whole step": step,
    }
    t = best_time(parts, {k: 1000 for k in parts}, 5)
    for k, v in t.items():
        print(f"  {k:<28} {v * 1e6:8.1f} us")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        step()
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
