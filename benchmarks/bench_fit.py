"""What fit's gradient check costs per training step (issue 10 item 11: at most 3%).

    /work/venv/bin/python benchmarks/bench_fit.py [--rounds 7]

`train.fit` checks every gradient for NaN/inf before the optimizer step (one vectorized kernel call
per 8 gradients). This times fit's step on bench_train.py's two MLPs (SGD with momentum,
cross_entropy) with the check and with it replaced by a no-op, interleaved round by round, and
reports the best round of each in CPU time of the main thread: the machine is shared, and wall
time there measures the neighbours. BLAS runs on one thread here (only this command's child
environment is changed) so that CPU time of the main thread is all of the step's work.
No assertions: this prints numbers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def measure(sizes: list[int], batch: int, batches: int, rounds: int) -> dict[str, float]:
    import numpy as np

    import tinygrad_act as ta
    from tinygrad_act import data, nn, optim, train

    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch * batches, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch * batches)
    ta.manual_seed(0)
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
    loader = data.DataLoader(X, y, batch_size=batch)
    check = train._check_grads
    variants = {"with check": check, "without": lambda *args: None}
    best = dict.fromkeys(variants, float("inf"))
    train.fit(model, loader, opt, epochs=1, progress=False)  # warm up: JIT, allocator
    try:
        for _ in range(rounds):
            for name, fn in variants.items():
                train._check_grads = fn
                t0 = time.thread_time()
                train.fit(model, loader, opt, epochs=2, progress=False)
                best[name] = min(best[name], (time.thread_time() - t0) / (2 * batches))
    finally:
        train._check_grads = check
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.child:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", TINYGRAD_ACT_NUM_THREADS="1")
        cmd = [sys.executable, __file__, "--child", "--rounds", str(args.rounds)]
        sys.exit(subprocess.call(cmd, env=env))
    print(f"{'us per fit step (CPU time)':<34} {'with check':>12} {'without':>12} {'cost':>8}")
    for sizes, batch, batches in (([2, 64, 64, 2], 64, 100), ([784, 256, 256, 10], 128, 20)):
        t = measure(sizes, batch, batches, args.rounds)
        on, off = t["with check"] * 1e6, t["without"] * 1e6
        name = f"MLP {'-'.join(map(str, sizes))} batch {batch}"
        print(f"{name:<34} {on:>12.1f} {off:>12.1f} {100 * (on / off - 1):>+7.2f}%")


if __name__ == "__main__":
    main()
