"""Does skipping a ReLU's zeros beat dense BLAS? The sparse-input Linear against np.matmul.

    python benchmarks/bench_sparse.py [--sizes 64x128x128,256x4096x4096] [--repeat 5] [--json F]

For each size N x K x M (batch x in_features x out_features) and each sparsity (fraction of exact
zeros in x, placed uniformly at random, the rest positive like a ReLU's output), float32:
  dense ms    forward x @ W^T + b and weight gradient dy^T @ x, numpy matmul (BLAS), 1 thread
  sparse ms   the same two products with kernels/sparse.py (CSR of x built inside the timing,
              W^T and the gradient's transpose copied inside it: ops/sparse_linear.py's code)
  ratio       dense / sparse (> 1: the sparse kernel wins), forward, weight grad and both
The crossover is the smallest sparsity at which both-together ratio > 1. Both sides run on one
thread (threadpoolctl) and alternate, the best of --repeat is kept; the BLAS library, its core
type and the load average are printed, because the answer depends on them.

The machine sets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE; to let OpenBLAS pick its own kernel,
run this command only as `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/...`.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from tinygrad_act.ops.sparse_linear import csr_linear, csr_weight_grad

SPARSITIES = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
# (N, K, M): the lesson's hidden layers (batch 64, width 128 -> 128; the full test set, 1000 rows)
# and a large layer (4096 x 4096 weight, batch 256).
SIZES = ((64, 128, 128), (1000, 128, 128), (256, 4096, 4096))


def relu_like(n: int, k: int, sparsity: float, rng: np.random.Generator) -> np.ndarray:
    """(n, k) float32 with exactly round(sparsity * n * k) zeros at random places, the rest > 0."""
    x = rng.random((n, k), dtype=np.float32) + np.float32(0.01)
    zeros = rng.permutation(n * k)[: int(round(sparsity * n * k))]
    x.reshape(-1)[zeros] = 0
    return x


def dense_step(x, w, b, g):
    y = np.matmul(x, w.T)
    y += b
    gw = np.matmul(g.T, x)
    return y, gw


def sparse_forward(x, w, b):
    return csr_linear(x, w, b)


def sparse_weight_grad(csr, g, k, block):
    return csr_weight_grad(csr, g, k, block)


def best(fn, repeat: int) -> float:
    t = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return min(t)


def measure(n: int, k: int, m: int, sparsity: float, repeat: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    x = relu_like(n, k, sparsity, rng)
    w = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal(m, dtype=np.float32)
    g = rng.standard_normal((n, m), dtype=np.float32)
    y_ref, gw_ref = dense_step(x, w, b, g)
    y, csr, block = sparse_forward(x, w, b)
    gw = sparse_weight_grad(csr, g, k, block)
    # a wrong kernel must not be timed: agree with BLAS to float32 rounding
    scale = np.sqrt(k) * max(1.0, float(np.abs(x).max()))
    assert np.abs(y - y_ref).max() <= 1e-4 * scale * 4, "forward disagrees with np.matmul"
    assert np.abs(gw - gw_ref).max() <= 1e-4 * np.sqrt(n) * 4, "weight grad disagrees"
    d_fwd = d_bwd = s_fwd = s_bwd = np.inf
    for _ in range(repeat):  # alternate the contenders so machine load hits both alike
        d_fwd = min(d_fwd, best(lambda: np.matmul(x, w.T) + b, 1))
        s_fwd = min(s_fwd, best(lambda: sparse_forward(x, w, b), 1))
        d_bwd = min(d_bwd, best(lambda: np.matmul(g.T, x), 1))
        s_bwd = min(s_bwd, best(lambda: sparse_weight_grad(csr, g, k, block), 1))
    return dict(
        size=f"{n}x{k}x{m}",
        sparsity=sparsity,
        dense_ms=1e3 * (d_fwd + d_bwd),
        sparse_ms=1e3 * (s_fwd + s_bwd),
        ratio_forward=d_fwd / s_fwd,
        ratio_weight_grad=d_bwd / s_bwd,
        ratio=(d_fwd + d_bwd) / (s_fwd + s_bwd),
    )


def crossover(rows: list[dict]) -> float | None:
    """The smallest measured sparsity from which on (at it and every higher one) the sparse kernel
    wins (ratio > 1); None when it does not win even at the highest."""
    found = None
    for r in sorted(rows, key=lambda r: -r["sparsity"]):
        if r["ratio"] <= 1:
            break
        found = r["sparsity"]
    return found


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default=",".join("x".join(map(str, s)) for s in SIZES))
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--json", default=None, help="also write the rows to this file")
    a = p.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x")) for s in a.sizes.split(",")]
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    for i in blas:
        print(f"BLAS: {i.get('internal_api')} {i.get('version')} core {i.get('architecture')}")
    env = {v: os.environ.get(v, "(unset)") for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"env: {env}; load average {os.getloadavg()[0]:.2f}; 1 thread each side")
    measure(8, 16, 16, 0.5, 1)  # compile the kernels outside the timings
    rows, crossovers = [], {}
    with threadpool_limits(limits=1):
        for n, k, m in sizes:
            print(f"\n{n} x {k} x {m} (batch x in x out), float32")
            head = ("sparsity", "dense ms", "sparse ms", "fwd", "dW", "both")
            print("{:>8} {:>9} {:>9} {:>6} {:>6} {:>6}".format(*head))
            size_rows = []
            for s in SPARSITIES:
                r = measure(n, k, m, s, a.repeat)
                size_rows.append(r)
                print(
                    f"{s:8.0%} {r['dense_ms']:9.3f} {r['sparse_ms']:9.3f} "
                    f"{r['ratio_forward']:6.2f} {r['ratio_weight_grad']:6.2f} {r['ratio']:6.2f}"
                )
            c = crossovers[f"{n}x{k}x{m}"] = crossover(size_rows)
            print("sparse kernel wins from", f"{c:.0%} sparsity" if c is not None else "never")
            rows += size_rows
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(blas=blas, env=env, rows=rows, crossovers=crossovers), f, indent=1)
    return rows


if __name__ == "__main__":
    main()
