"""A captured training step (ta.compile) vs eager vs PyTorch vs jax.jit vs numpy (issue 15).

How to get the optional columns: torch and jax live in their own venv, never in /work/venv (the
project's dev venv; neither may become a project dependency). The one interpreter used here:

    python3 -m venv /work/torchvenv                    # already there, with torch:
    /work/torchvenv/bin/pip install torch==2.13.0      #   2.13.0+cpu, a wheel on this disk
    /work/torchvenv/bin/pip install jax                # jax + jaxlib 0.10.2 (CPU): the newest
                                                       #   the package index here serves
    /work/torchvenv/bin/pip install -e /work/wt/bench  # tinygrad_act, numba 0.68, numpy 2.4

    /work/torchvenv/bin/python benchmarks/bench_compile.py           # the table (~30-40 s)
    /work/torchvenv/bin/python benchmarks/bench_compile.py --check   # + captured == eager, 50 steps
    /work/torchvenv/bin/python benchmarks/bench_compile.py --big     # + MLP 784-256-256-10

The script puts its own checkout first on sys.path, so it measures the tinygrad_act beside it
whichever checkout the editable install points at. torch and jax columns are skipped when they are
not installed.

A step is forward, loss, zero_grad, backward and optimizer step on fixed float32 data: MLP (ReLU),
mean cross entropy, SGD(lr=0.01, momentum=0.9). Columns:
  eager     tinygrad_act's step as benchmarks/bench_train.py builds it
  compiled  ta.compile(step) on a second, separate model and optimizer (1st call eager, 2nd records,
            later calls replay)
  torch     PyTorch eager, the same step
  jax.jit   the whole step in one jitted function: forward, log_softmax loss, jax.value_and_grad,
            the momentum update; params and momentum buffers a pytree (donated), block_until_ready
  numpy     the step written by hand in numpy (bench_train.numpy_mlp)
All run interleaved in the same process and each reports its best round (bench_train.best_time).
Targets (issue 15): compiled/eager <= 0.40 for 2-64-64-2 and <= 0.65 for 40-100-100-10, and
compiled/jax.jit < 1.0. No assertions: this prints numbers, PASS/MISS as text, and exits 0.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

_HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE.parent))  # this checkout's tinygrad_act
sys.path.insert(0, str(_HERE))  # bench_train's helpers

from bench_train import best_time, mlp_data, numpy_mlp, ours_mlp, torch, torch_mlp  # noqa: E402

import tinygrad_act as ta  # noqa: E402

try:
    import jax
    import jax.numpy as jnp
except ImportError:  # pragma: no cover - optional column
    jax = None

HAVE_COMPILE = hasattr(ta, "compile")
compile_fn = getattr(ta, "compile", lambda f: f)

# (sizes, batch, calls per timed block, compiled/eager target or None)
CASES = [([2, 64, 64, 2], 64, 400, 0.40), ([40, 100, 100, 10], 100, 300, 0.65)]
BIG_CASE = ([784, 256, 256, 10], 128, 30, None)
COLUMNS = ("eager", "compiled", "torch", "jax.jit", "numpy")


def jax_mlp(sizes, X, y, lr=0.01, momentum=0.9):
    """The whole step as one jax.jit function; params and momentum buffers as a pytree."""
    rng = np.random.default_rng(0)  # numpy_mlp's init
    shapes = list(zip(sizes[1:], sizes))  # (out, in)
    params = {
        "W": [
            jnp.asarray((rng.uniform(-1, 1, (o, i)) / np.sqrt(i)).astype(np.float32))
            for o, i in shapes
        ],
        "b": [jnp.zeros(o, jnp.float32) for o in sizes[1:]],
    }
    bufs = jax.tree_util.tree_map(jnp.zeros_like, params)

    def loss_fn(params, xb, yb):
        h = xb
        n_layers = len(params["W"])
        for k, (W, b) in enumerate(zip(params["W"], params["b"])):
            h = h @ W.T + b
            if k < n_layers - 1:
                h = jax.nn.relu(h)
        logp = jax.nn.log_softmax(h, axis=1)
        return -jnp.mean(jnp.take_along_axis(logp, yb[:, None], axis=1))

    def train_step(params, bufs, xb, yb):
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        bufs = jax.tree_util.tree_map(lambda v, g: momentum * v + g, bufs, grads)
        params = jax.tree_util.tree_map(lambda p, v: p - lr * v, params, bufs)
        return params, bufs, loss

    train_step = jax.jit(train_step, donate_argnums=(0, 1))
    xb, yb = jnp.asarray(X), jnp.asarray(y.astype(np.int32))
    assert (
        all(a.dtype == jnp.float32 for a in jax.tree_util.tree_leaves(params))
        and xb.dtype == jnp.float32
    )
    state = [params, bufs]

    def step():
        params, bufs, loss = jax.block_until_ready(train_step(state[0], state[1], xb, yb))
        state[0], state[1] = params, bufs

    return step


def check_compiled(sizes, batch, steps: int = 50) -> bool:
    """Eager and compiled steps from one init: all parameters bit-identical after `steps`?"""
    X, y = mlp_data(sizes, batch)
    eager, (m_eager, *_) = ours_mlp(sizes, X, y)
    plain, (m_comp, *_) = ours_mlp(sizes, X, y)
    compiled = compile_fn(plain)
    for _ in range(steps):
        eager()
        compiled()
    pe, pc = list(m_eager.parameters()), list(m_comp.parameters())
    same = len(pe) == len(pc) and all(np.array_equal(a.data, b.data) for a, b in zip(pe, pc))
    worst = max(float(np.max(np.abs(a.data - b.data))) for a, b in zip(pe, pc))
    name = "-".join(map(str, sizes))
    verdict = "bit-identical" if same else f"DIFFERENT (max |diff| {worst:.3g})"
    print(f"check {name} batch {batch}: {steps} steps, {len(pe)} parameters: {verdict}")
    return same


def time_case(sizes, batch, n, rounds) -> tuple[dict[str, float], dict | None]:
    """Seconds per step of each column, and the compiled step's stats (eager/recorded/replayed)."""
    X, y = mlp_data(sizes, batch)
    fns = {
        "eager": ours_mlp(sizes, X, y)[0],
        "compiled": compile_fn(ours_mlp(sizes, X, y)[0]),  # its own model and optimizer
    }
    for _ in range(3):  # eager call, recording, first replay: before best_time's warm-up
        fns["compiled"]()
    if torch is not None:
        fns["torch"] = torch_mlp(sizes, X, y)
    if jax is not None:
        fns["jax.jit"] = jax_mlp(sizes, X, y)
    fns["numpy"] = numpy_mlp(sizes, X, y)
    t = best_time(fns, {k: n for k in fns}, rounds)
    return t, getattr(fns["compiled"], "stats", None)


def report(name: str, t: dict[str, float], target: float | None) -> None:
    us = {k: v * 1e6 for k, v in t.items()}
    print(f"{name:<30}" + "".join(f"{us[c]:>11.1f}" if c in us else f"{'-':>11}" for c in COLUMNS))
    lines = []
    for ref, goal in (("eager", target), ("jax.jit", 1.0), ("torch", None), ("numpy", None)):
        if ref not in t:
            missing = ref.split(".")[0]  # jax.jit -> jax
            lines.append(f"    compiled / {ref:<8}     -   ({missing} not installed)")
            continue
        r = t["compiled"] / t[ref]
        line = f"    compiled / {ref:<8} {r:6.2f}"
        if goal is not None:
            ok = r <= goal if ref == "eager" else r < goal
            cmp = "<=" if ref == "eager" else "< "
            line += f"   target {cmp} {goal:.2f}   {'PASS' if ok else 'MISS'}"
        lines.append(line)
    print("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--check", action="store_true", help="captured == eager after 50 steps, first")
    ap.add_argument("--big", action="store_true", help="also MLP 784-256-256-10 batch 128")
    args = ap.parse_args()
    cases = CASES + ([BIG_CASE] if args.big else [])
    if not HAVE_COMPILE:
        print("(ta.compile missing: compiled column = eager)")
    if args.check:
        for sizes, batch, _, _ in cases:
            check_compiled(sizes, batch)
    print(f"{'us per step':<30}" + "".join(f"{c:>11}" for c in COLUMNS))
    for sizes, batch, n, target in cases:
        t, stats = time_case(sizes, batch, n, args.rounds)
        report(f"MLP {'-'.join(map(str, sizes))} batch {batch}", t, target)
        if stats is not None:  # a replaying step shows 1 eager call, 1 recording, the rest replays
            print("    compiled calls: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
    versions = [f"numpy {np.__version__}", f"tinygrad_act threads {ta.get_num_threads()}"]
    if torch is not None:
        versions.append(f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    if jax is not None:
        versions.append(f"jax {jax.__version__} on {jax.devices()[0].platform}")
    print("(" + "; ".join(versions) + f"; tinygrad_act from {pathlib.Path(ta.__file__).parent})")


if __name__ == "__main__":
    main()
