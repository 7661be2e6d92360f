"""Conv1d forward+backward and one MNIST-1D CNN training step: tinygrad_act vs PyTorch eager.

    /work/venv/bin/python benchmarks/bench_conv.py
    # the torch column needs torch importable; the project venv has none, so borrow the separate
    # torch venv's packages for this command only (after the venv's own, so its numpy wins):
    PYTHONPATH=$PYTHONPATH:/work/torchvenv/lib/python3.11/site-packages \
        /work/venv/bin/python benchmarks/bench_conv.py

The lesson's sizes are those of the MNIST-1D paper's CNN (Greydanus & Kobak; the `mnist1d`
package's ConvBase), batch 100, input (100, 1, 40):
    conv1 Conv1d(1, 25, 5, stride=2, padding=1)   (100, 1, 40)  -> (100, 25, 19)
    conv2 Conv1d(25, 25, 3, stride=2, padding=1)  (100, 25, 19) -> (100, 25, 10)
    conv3 Conv1d(25, 25, 3, stride=2, padding=1)  (100, 25, 10) -> (100, 25, 5)
    then ReLU after each, Flatten, Linear(125, 10); the training step is forward, cross_entropy,
    zero_grad, backward, Adam step.                                 targets: conv <= 1.5x torch,
                                                                             step <= 1.0x torch
`--accuracy` instead trains that CNN on MNIST-1D (the paper's recipe: Adam lr 1e-2, batch 100) for
at most `--seconds` of wall time (default 60) and prints the test accuracy at each checkpoint
(published: 94%; target >= 90% within 60 s on 2 cores); `uptime`'s load is printed with it.
`--bn` adds BatchNorm1d after each convolution (not part of the target; printed for reference).
Candidates run interleaved and each reports its best round (see bench_train.best_time). Both
libraries get the same threads, `--threads` (default 1, as the lessons run: a 2-thread OpenBLAS
matmul of this size waits on busy cores, see tinygrad_act/_blas.py): ta.set_blas_threads,
ta's kernel threads and torch.set_num_threads. No assertions: this prints numbers.
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_train import best_time

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn, optim
from tinygrad_act.kernels import get_num_threads, set_num_threads

try:
    import torch
except ImportError:  # pragma: no cover - optional column
    torch = None

BATCH, LENGTH, CHANNELS, CLASSES = 100, 40, 25, 10
LAYERS = {  # name: (C_in, C_out, K, L_in)
    "conv1": (1, CHANNELS, 5, LENGTH),
    "conv2": (CHANNELS, CHANNELS, 3, 19),
    "conv3": (CHANNELS, CHANNELS, 3, 10),
}


def ours_conv(c_in, c_out, k, length, rng):
    x = ta.tensor(rng.standard_normal((BATCH, c_in, length)).astype(np.float32), requires_grad=True)
    m = nn.Conv1d(c_in, c_out, k, stride=2, padding=1)

    def step():
        x.grad = None
        m.zero_grad()
        m(x).sum().backward()

    return step


def torch_conv(c_in, c_out, k, length, rng):
    x = torch.tensor(rng.standard_normal((BATCH, c_in, length)).astype(np.float32))
    x.requires_grad_(True)
    m = torch.nn.Conv1d(c_in, c_out, k, stride=2, padding=1)

    def step():
        x.grad = None
        m.zero_grad()
        m(x).sum().backward()

    return step


def cnn(lib, bn: bool):
    """The paper's CNN in `lib` (tinygrad_act.nn or torch.nn): same code for both."""
    layers = []
    c_in = 1
    for k in (5, 3, 3):
        layers.append(lib.Conv1d(c_in, CHANNELS, k, stride=2, padding=1))
        if bn:
            layers.append(lib.BatchNorm1d(CHANNELS))
        layers.append(lib.ReLU())
        c_in = CHANNELS
    return lib.Sequential(*layers, lib.Flatten(), lib.Linear(CHANNELS * 5, CLASSES))


def batch(rng):
    X = rng.standard_normal((BATCH, 1, LENGTH)).astype(np.float32)
    y = rng.integers(0, CLASSES, BATCH)
    return X, y


def ours_step(rng, bn):
    model = cnn(nn, bn)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    X, y = batch(rng)
    xb, yb = ta.tensor(X), ta.tensor(y)

    def step():
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def torch_step(rng, bn):
    model = cnn(torch.nn, bn)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    X, y = batch(rng)
    xb, yb = torch.tensor(X), torch.tensor(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def train_mnist1d(seconds: float, max_steps: int, bn: bool, seed: int = 0, every: int = 500):
    """Train the CNN on MNIST-1D until `seconds` or `max_steps`; print test accuracy as it goes."""
    import os
    import time

    from tinygrad_act.data import load_mnist1d

    X_train, y_train, X_test, y_test = load_mnist1d()
    X_train, X_test = X_train[:, None, :], X_test[:, None, :]  # (N, 1, 40): one input channel
    ta.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = cnn(nn, bn)
    opt = optim.Adam(model.parameters(), lr=1e-2)

    def accuracy() -> float:
        model.eval()
        with ta.no_grad():
            pred = model(ta.tensor(X_test)).numpy().argmax(1)
        model.train()
        return float((pred == y_test).mean())

    print(f"load average before: {os.getloadavg()}")
    t0, step, order = time.perf_counter(), 0, np.empty(0, dtype=np.int64)
    train_time, best = 0.0, 0.0
    while step < max_steps and train_time < seconds:
        if order.size < BATCH:
            order = rng.permutation(len(X_train))
        idx, order = order[:BATCH], order[BATCH:]
        loss = F.cross_entropy(model(ta.tensor(X_train[idx])), ta.tensor(y_train[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        train_time = time.perf_counter() - t0
        if step % every == 0 or step == max_steps or train_time >= seconds:
            acc = accuracy()
            best = max(best, acc)
            t0 = time.perf_counter() - train_time  # evaluation is not training time
            print(
                f"step {step:5d}  {train_time:6.1f} s  loss {loss.item():.3f}  test acc {acc:.3f}"
            )
    print(
        f"load average after: {os.getloadavg()}; final test accuracy {accuracy():.3f} "
        f"after {step} steps, {train_time:.1f} s of training (best checkpoint {best:.3f})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--bn", action="store_true", help="also time the CNN with BatchNorm1d")
    ap.add_argument("--threads", type=int, default=1, help="BLAS, kernel and torch threads")
    ap.add_argument("--accuracy", action="store_true", help="train on MNIST-1D instead")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=0, help="init and batch order (--accuracy)")
    args = ap.parse_args()
    ta.set_blas_threads(args.threads)
    set_num_threads(args.threads)
    if args.accuracy:
        train_mnist1d(args.seconds, args.steps, args.bn, args.seed)
        return
    rng = np.random.default_rng(0)
    ta.manual_seed(0)
    if torch is not None:
        torch.manual_seed(0)
        torch.set_num_threads(args.threads)
    print(f"threads: {get_num_threads()}  torch: {torch.__version__ if torch else 'not installed'}")
    print(f"{'case':34s} {'ours (us)':>10s} {'torch (us)':>11s} {'ratio':>7s}  target")
    cases = [(f"{n} fwd+bwd {c[:2]} K={c[2]} L={c[3]}", n, c) for n, c in LAYERS.items()]
    cases += [("CNN train step (Adam)", "step", False)]
    if args.bn:
        cases += [("CNN+BN train step (Adam)", "step", True)]
    for label, kind, cfg in cases:
        if kind == "step":
            fns = {"ours": ours_step(rng, cfg)}
            if torch is not None:
                fns["torch"] = torch_step(rng, cfg)
            n, target = 100, 1.0
        else:
            fns = {"ours": ours_conv(*cfg, rng)}
            if torch is not None:
                fns["torch"] = torch_conv(*cfg, rng)
            n, target = 200, 1.5
        best = best_time(fns, {k: n for k in fns}, args.rounds)
        ours = best["ours"] * 1e6
        if "torch" in best:
            t = best["torch"] * 1e6
            mark = "met" if ours / t <= target else "MISSED"
            print(f"{label:34s} {ours:10.1f} {t:11.1f} {ours / t:6.2f}x  <= {target}x {mark}")
        else:
            print(f"{label:34s} {ours:10.1f} {'-':>11s} {'-':>7s}")


if __name__ == "__main__":
    main()
