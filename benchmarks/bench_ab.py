"""Two checkouts of tinygrad_act, A/B: is the new one slower on the hot paths?

    git worktree add /tmp/base <old commit>
    python benchmarks/bench_ab.py --base /tmp/base --new .          # ratios new / base

Each round runs the same timing code once per checkout, in a fresh child process whose
PYTHONPATH puts that checkout first, alternating A B A B ... so both see the same machine load;
each reports its best time per case, and the table keeps each side's best over the rounds. The
cases are the ones the "no more than 3% slower" rule of the issues is about: a training step of
the lessons' small MLP and of a large one (forward, loss, zero_grad, backward, SGD-momentum step),
and an activation's forward + backward (relu, gelu) at 4K and 1M float32 elements. One BLAS
thread on both sides. No assertions: this prints numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = r"""
import json, time
import numpy as np
import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn, optim
ta.set_blas_threads(1)

def best(fn, n, repeats=7):
    fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        out.append((time.perf_counter() - t0) / n)
    return min(out)

def step_case(sizes, batch, n):
    ta.manual_seed(0)
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = ta.tensor(rng.standard_normal((batch, sizes[0])).astype(np.float32))
    y = ta.tensor(rng.integers(0, sizes[-1], batch))
    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return best(step, n)

def act_case(name, size, n):
    x = ta.tensor(np.random.default_rng(0).standard_normal(size).astype(np.float32),
                  requires_grad=True)
    g = ta.ones(size)
    fn = getattr(F, name)
    def run():
        x.grad = None
        fn(x).backward(g)
    return best(run, n)

print(json.dumps({
    "step 2-64-64-2 b64": step_case((2, 64, 64, 2), 64, 300),
    "step 784-256-256-10 b128": step_case((784, 256, 256, 10), 128, 30),
    "relu fwd+bwd 4K": act_case("relu", 4096, 2000),
    "gelu fwd+bwd 4K": act_case("gelu", 4096, 1000),
    "relu fwd+bwd 1M": act_case("relu", 1 << 20, 20),
    "gelu fwd+bwd 1M": act_case("gelu", 1 << 20, 10),
}))
"""


def run_side(path: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(path))
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="the old checkout (a git worktree)")
    p.add_argument("--new", default=".", help="the new checkout")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    best: dict[str, dict[str, float]] = {"base": {}, "new": {}}
    for r in range(args.rounds):
        for side in ("base", "new") if r % 2 == 0 else ("new", "base"):
            for case, t in run_side(getattr(args, side)).items():
                best[side][case] = min(t, best[side].get(case, float("inf")))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print("| case | base µs | new µs | new / base |\n|---|---|---|---|")
    for case, tb in best["base"].items():
        tn = best["new"][case]
        print(f"| {case} | {tb * 1e6:.1f} | {tn * 1e6:.1f} | {tn / tb:.3f} |")


if __name__ == "__main__":
    main()
