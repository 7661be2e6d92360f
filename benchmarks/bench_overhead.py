"""Per-op engine overhead: forward+backward of a 16-element op through the engine, against the bare
numpy calls that compute the same forward and backward, timed in the same run.

    python benchmarks/bench_overhead.py

Target (issue 2): at most 5 us of engine overhead per op. Also times a 2-64-64-2 MLP training step
(batch 64) against the same step written by hand in numpy.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F


def best_of(fn, repeat: int = 7, number: int = 2000) -> float:
    """Seconds per call: the best of `repeat` runs of `number` calls (least disturbed by noise)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def op_cases(n: int = 16):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, n // 4)).astype(np.float32)
    b = rng.standard_normal((4, n // 4)).astype(np.float32)
    g = np.ones_like(a)
    ta_a = ta.tensor(a, requires_grad=True)
    ta_b = ta.tensor(b, requires_grad=True)
    bt = np.ascontiguousarray(b.T)
    ta_bt = ta.tensor(bt, requires_grad=True)

    def engine(f):
        shape = f().shape
        grad = None if shape == () else ta.ones(shape)

        def run():
            ta_a.grad = ta_b.grad = ta_bt.grad = None
            f().backward(grad)

        return run

    # each pair: (engine fwd+bwd, numpy fwd+bwd doing the same arithmetic)
    return {
        "add": (engine(lambda: ta_a + ta_b), lambda: (np.add(a, b), g, g)),
        "mul": (engine(lambda: ta_a * ta_b), lambda: (np.multiply(a, b), g * b, g * a)),
        "exp": (engine(lambda: ta_a.exp()), lambda: (lambda e: e * g)(np.exp(a))),
        "sum": (engine(lambda: ta_a.sum()), lambda: (a.sum(), np.broadcast_to(1.0, a.shape))),
        "matmul": (
            engine(lambda: ta_a @ ta_bt),
            lambda: (lambda o: (o @ bt.T, a.T @ o))(a @ bt),
        ),
        "reshape": (engine(lambda: ta_a.reshape(-1)), lambda: (a.reshape(-1), g.reshape(a.shape))),
        "log_softmax": (
            engine(lambda: F.log_softmax(ta_a, 1)),
            lambda: (lambda o: g - np.exp(o) * g.sum(1, keepdims=True))(
                a - np.log(np.exp(a - a.max(1, keepdims=True)).sum(1, keepdims=True))
            ),
        ),
    }


def per_op_overhead() -> list[tuple[str, float, float]]:
    rows = []
    for name, (eng, ref) in op_cases().items():
        rows.append((name, best_of(eng), best_of(ref)))
    return rows


def chain_overhead(length: int = 20) -> tuple[float, float]:
    """A chain of `length` small ops (mul, add, exp, ...) with one backward() at the end.

    The per-op overhead here is what a real graph pays per node: the fixed cost of starting
    backward() is shared by the whole chain.
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal(16).astype(np.float32) * 0.1
    x = ta.tensor(a, requires_grad=True)

    def engine():
        x.grad = None
        y = x
        for _ in range(length // 2):
            y = y * 0.9 + 0.01
        y.sum().backward()

    def ref():
        ys = [a]
        for _ in range(length // 2):
            ys.append(np.add(np.multiply(ys[-1], 0.9), 0.01))
        s = ys[-1].sum()
        g = np.ones_like(a)
        for _ in range(length // 2):
            g = np.multiply(g, 0.9)  # add's backward passes g; mul's multiplies by 0.9
        return s, g

    n_ops = length + 1  # + the final sum
    return best_of(engine, number=300) / n_ops, best_of(ref, number=300) / n_ops


def mlp_step_numpy(X, y, params, lr=0.1):
    W1, b1, W2, b2, W3, b3 = params
    h1 = X @ W1.T + b1
    a1 = h1 * (h1 > 0)
    h2 = a1 @ W2.T + b2
    a2 = h2 * (h2 > 0)
    z = a2 @ W3.T + b3
    z = z - z.max(1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(1, keepdims=True)
    n = X.shape[0]
    dz = p
    dz[np.arange(n), y] -= 1
    dz /= n
    gW3, gb3 = dz.T @ a2, dz.sum(0)
    da2 = dz @ W3
    dh2 = da2 * (h2 > 0)
    gW2, gb2 = dh2.T @ a1, dh2.sum(0)
    da1 = dh2 @ W2
    dh1 = da1 * (h1 > 0)
    gW1, gb1 = dh1.T @ X, dh1.sum(0)
    for p_, g_ in zip(params, (gW1, gb1, gW2, gb2, gW3, gb3)):
        p_ -= lr * g_


def mlp_step_engine_factory(X, y, params, lr=0.1):
    ps = [ta.tensor(p, requires_grad=True) for p in params]
    Xt, yt = ta.tensor(X), ta.tensor(y)

    def step():
        W1, b1, W2, b2, W3, b3 = ps
        h = F.relu(Xt @ W1.T + b1)
        h = F.relu(h @ W2.T + b2)
        loss = F.cross_entropy(h @ W3.T + b3, yt)
        for p in ps:
            p.grad = None
        loss.backward()
        with ta.no_grad():
            for p in ps:
                p.data -= lr * p.grad.data

    return step


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    print("Per-op overhead, 16 float32 elements, forward+backward (best of 7 x 2000 calls)")
    print(f"{'op':<12}{'engine us':>12}{'numpy us':>12}{'overhead us':>14}  target <= 5 us")
    for name, eng, ref in per_op_overhead():
        over = (eng - ref) * 1e6
        verdict = "ok" if over <= 5 else "MISSED"
        print(f"{name:<12}{eng * 1e6:>12.2f}{ref * 1e6:>12.2f}{over:>14.2f}  {verdict}")

    eng, ref = chain_overhead()
    over = (eng - ref) * 1e6
    print(
        f"\nper op in a 20-op chain + one backward(): engine {eng * 1e6:.2f} us, numpy "
        f"{ref * 1e6:.2f} us, overhead {over:.2f} us  {'ok' if over <= 5 else 'MISSED'}"
    )

    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 2)).astype(np.float32)
    y = rng.integers(0, 2, 64)
    sizes = [(64, 2), (64,), (64, 64), (64,), (2, 64), (2,)]
    params = [rng.standard_normal(s).astype(np.float32) * 0.1 for s in sizes]
    t_np = best_of(lambda: mlp_step_numpy(X, y, [p.copy() for p in params]), number=500)
    t_eng = best_of(mlp_step_engine_factory(X, y, params), number=500)
    print("\n2-64-64-2 ReLU MLP training step, batch 64 (forward, cross-entropy, backward, SGD)")
    print(f"numpy by hand: {t_np * 1e6:8.1f} us")
    print(f"tinygrad_act : {t_eng * 1e6:8.1f} us  ({t_eng / t_np:.2f}x the numpy step)")


if __name__ == "__main__":
    main()
