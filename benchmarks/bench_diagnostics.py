"""Overhead of watching a network train: the MNIST-1D MLP (40-100-100-10, batch 128, Adam) timed
with and without diagnostics hooks, in the same run.

    python benchmarks/bench_diagnostics.py [--act relu gelu tanh] [--steps 50] [--rounds 40]

Target (issue 5): ActivationMonitor adds at most 20% to a training step. Variants timed:
  monitor            ActivationMonitor(track_grads=True): forward counts + dL/dpre per unit
  monitor, no grads  ActivationMonitor(track_grads=False): forward counts only
  monitor + params   the monitor plus GradientRecorder on every parameter
Also printed: one end_epoch(X_train) pass (a no_grad sweep over the 4000 training inputs) as a
fraction of an epoch of training steps, for lessons that re-measure every epoch.

Timing: `rounds` short rounds; in each, every variant runs the same `steps` batches in turn. The
ratio printed is the median over rounds of (variant / baseline of the same round), robust to other
processes sharing the machine; "best/best" compares the fastest rounds.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import data, diagnostics, nn, optim

ACTS = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "gelu": "GELU", "tanh": "Tanh", "elu": "ELU"}


def make_model(act: str) -> nn.Module:
    ta.manual_seed(0)
    A = getattr(nn, ACTS[act])
    return nn.Sequential(nn.Linear(40, 100), A(), nn.Linear(100, 100), A(), nn.Linear(100, 10))


def batches(X: np.ndarray, y: np.ndarray, batch_size: int, steps: int) -> list:
    rng = np.random.default_rng(0)
    out = []
    while len(out) < steps:
        order = rng.permutation(len(X))
        for s in range(0, len(X) - batch_size + 1, batch_size):
            idx = order[s : s + batch_size]
            out.append((ta.tensor(X[idx]), ta.tensor(y[idx])))
    return out[:steps]


def run_steps(model: nn.Module, opt, bs: list) -> float:
    t0 = time.perf_counter()
    for xb, yb in bs:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (time.perf_counter() - t0) / len(bs)


def bench(act: str, X: np.ndarray, y: np.ndarray, steps: int, rounds: int) -> None:
    bs = batches(X, y, 128, steps)
    variants = {}
    for name in ("baseline", "monitor", "monitor, no grads", "monitor + params"):
        model = make_model(act)
        opt = optim.Adam(model.parameters(), lr=1e-3)
        attach = []
        if name != "baseline":
            attach.append(diagnostics.watch(model, track_grads=(name != "monitor, no grads")))
        if name == "monitor + params":
            attach.append(diagnostics.GradientRecorder(model))
        variants[name] = (model, opt, attach)
    for model, opt, _ in variants.values():  # warm up (kernels compiled, caches warm)
        run_steps(model, opt, bs[:20])
    # many short rounds, variants in turn within each round: the machine is shared, so compare
    # each variant with the baseline timed moments before, and take the median over rounds
    times: dict[str, list[float]] = {k: [] for k in variants}
    rng = np.random.default_rng(1)
    names = list(variants)
    for _ in range(rounds):
        for i in rng.permutation(len(names)):  # a fresh order each round: no position bias
            name = names[i]
            model, opt, attach = variants[name]
            times[name].append(run_steps(model, opt, bs))
            for a in attach:  # keep memory flat: what a per-epoch loop would do
                if isinstance(a, diagnostics.GradientRecorder):
                    a.end_epoch()
                else:
                    a.reset()
    base_t = np.array(times["baseline"])
    base = float(base_t.min())
    print(f"\n{act}: training step (40-100-100-10, batch 128, Adam), {rounds} rounds x {steps}")
    print(f"  {'variant':<20} {'best us/step':>12} {'median ratio':>13} {'best/best':>10}")
    for name, t in times.items():
        t = np.array(t)
        ratio = float(np.median(t / base_t))
        print(f"  {name:<20} {t.min() * 1e6:>12.1f} {ratio:>13.3f} {t.min() / base:>10.3f}")
    model, _, attach = variants["monitor"]
    mon = attach[0]
    t0 = time.perf_counter()
    n_measure = 5
    for _ in range(n_measure):
        mon.measure(X, batch_size=1024)
    t_measure = (time.perf_counter() - t0) / n_measure
    epoch = base * (len(X) // 128)
    print(
        f"  end_epoch(X_train) pass: {t_measure * 1e3:.1f} ms = {t_measure / epoch:.3f} x one "
        f"epoch of training ({len(X) // 128} steps)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--act", nargs="+", default=["relu", "gelu", "tanh"], choices=sorted(ACTS))
    ap.add_argument("--steps", type=int, default=50, help="training steps per round")
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--blas-threads", type=int, default=1, help="1, as the lessons and tests use")
    args = ap.parse_args()
    ta.set_blas_threads(args.blas_threads)
    X, y, _, _ = data.load_mnist1d()
    X = X.astype(np.float32)
    print(f"kernel threads: {ta.get_num_threads()}, BLAS threads: {args.blas_threads}")
    for act in args.act:
        bench(act, X, y, args.steps, args.rounds)


if __name__ == "__main__":
    main()
