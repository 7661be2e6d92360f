"""Where does splitting a kernel over threads start to pay? (sets _parallel.PARALLEL_THRESHOLD)

    python benchmarks/bench_threshold.py [--threads 2]

For sizes from 4K to 4M float32 elements, times a cheap kernel pair (relu forward + backward:
memory-bound) and an expensive one (gelu forward + backward: compute-bound) run serially and
through `launch` split over the threads, and prints the speedup of the split. The crossover is the
smallest size from which the split wins for both kernels; a cheap kernel needs more elements to
repay what handing work to a thread costs, so relu sets PARALLEL_THRESHOLD (in units of work:
elements x the activation table's `cost`, 1 for relu) and gelu's crossover, at about a quarter of
relu's, checks its cost of 4.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tinygrad_act.kernels import _parallel
from tinygrad_act.kernels import activations as K
from tinygrad_act.kernels import activations_smooth as S


def pairs(n: int):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n).astype(np.float32)
    g = rng.standard_normal(n).astype(np.float32)
    out, gi, mask = np.empty_like(x), np.empty_like(x), np.empty(n, dtype=np.bool_)
    return {
        "relu": lambda: (
            _parallel.launch(K.relu_forward, (x, out, mask)),
            _parallel.launch(K.mask_backward, (g, mask, gi)),
        ),
        "gelu": lambda: (
            _parallel.launch(S.gelu_forward, (x, out), (False,)),
            _parallel.launch(S.gelu_backward, (g, x, gi), (False,)),
        ),
    }


def timed(fn, threshold: int, number: int) -> float:
    _parallel.PARALLEL_THRESHOLD = threshold
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def serial_and_split(fn, number: int, repeat: int = 9) -> tuple[float, float]:
    """Best of `repeat` for each, alternating serial and split runs so that a neighbour's burst
    of work on this shared machine disturbs both alike (the best runs are the undisturbed)."""
    fn()
    serial = split = float("inf")
    for _ in range(repeat):
        serial = min(serial, timed(fn, 1 << 62, number))
        split = min(split, timed(fn, 0, number))
    return serial, split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    _parallel.set_num_threads(a.threads)
    saved = _parallel.PARALLEL_THRESHOLD
    print(f"threads = {a.threads}; speedup = serial time / split time (> 1: split wins)")
    print(
        f"{'elements':>10s} {'relu serial us':>15s} {'relu split':>11s} {'gelu serial us':>15s} "
        f"{'gelu split':>11s}"
    )
    crossover = None
    for p in range(12, 23):
        n = 1 << p
        number = max(3, (1 << 22) // n)
        row, wins = [], True
        for fn in pairs(n).values():
            serial, split = serial_and_split(fn, number)
            row += [serial * 1e6, serial / split]
            wins &= split < serial
        if wins and crossover is None:
            crossover = n
        elif not wins:
            crossover = None  # must win from here on up
        print(f"{n:10d} {row[0]:15.1f} {row[1]:10.2f}x {row[2]:15.1f} {row[3]:10.2f}x")
    _parallel.PARALLEL_THRESHOLD = saved
    print(f"split wins for both from {crossover} elements on" if crossover else "no crossover")


if __name__ == "__main__":
    main()
