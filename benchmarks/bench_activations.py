"""Speed of every activation, forward + backward, against baselines timed in the same run.

    python benchmarks/bench_activations.py [--n 16777216] [--repeat 9] [--no-compile]

Columns (float32, table order; targets from issue 3):
  kernels ms   forward + backward kernels with preallocated outputs, at n elements
  % copy+add   a plain `out = x + 1` kernel plus a plain `out = a + b` kernel (the same arrays
               read and written as an activation's forward and backward) timed alongside, as a
               percentage of the op's time: >= 75% means within 1.33x of memory speed
  engine ms    y = F.op(x); y.backward(g) through the autograd engine (allocations, the leaf's
               gradient copy and all) at n elements
  torch ms     the same with torch autograd (skipped when torch is not installed), threads = ours
  ratio        engine / torch: target <= 0.5
  4K us        engine forward + backward at 4096 elements (median): target <= 10 us
Then the cold-cache compile time of every activation kernel, float32 and float64 (a subprocess
with an empty NUMBA_CACHE_DIR; target <= 15 s), and the warm load of the same kernels from that
cache in a new process (target <= 1 s).
The machine is shared: the load average is printed, and each op and its baseline alternate.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act.kernels._parallel import get_num_threads, launch, njit
from tinygrad_act.ops.activations import TABLE

try:  # optional column
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover - depends on the machine
    torch = None


@njit
def copy_add(x, out):
    """Baseline forward: read one array, write one."""
    one = x.dtype.type(1)
    for i in range(x.shape[0]):
        out[i] = x[i] + one


@njit
def add(a, b, out):
    """Baseline backward: read two arrays, write one."""
    for i in range(a.shape[0]):
        out[i] = a[i] + b[i]


def rows() -> list[tuple[str, str, dict]]:
    """(label, op name, params): every table row at its first golden case, plus variants."""
    required = {"threshold": {"threshold": 0.5, "value": -2.0}}  # no defaults in PyTorch
    out = [(n, n, required.get(n, {})) for n in TABLE]
    i = [r[0] for r in out].index("gelu")
    out.insert(i + 1, ("gelu tanh", "gelu", {"approximate": "tanh"}))
    i = [r[0] for r in out].index("rrelu")
    out.insert(i + 1, ("rrelu train", "rrelu", {"training": True}))
    return out


def kernel_pair(name: str, params: dict, x: np.ndarray, g: np.ndarray):
    """Closures running the op's forward and backward kernels on preallocated arrays."""
    from tinygrad_act.kernels import activations as K

    out, grad_in = np.empty_like(x), np.empty_like(x)
    if name == "prelu":
        x3, g3 = x.reshape(64, 64, -1), g.reshape(64, 64, -1)
        o3, gi3 = out.reshape(x3.shape), grad_in.reshape(x3.shape)
        w = np.full(64, 0.25, dtype=x.dtype)
        rws = np.empty((64, 64))
        return (
            lambda: launch(K.prelu_forward, (x3, o3), (w,)),
            lambda: launch(K.prelu_backward, (g3, x3, gi3, rws), (w,)),
        )
    if name == "rrelu":
        if params.get("training"):  # slopes drawn once: the kernels, not the generator
            noise = np.random.default_rng(0).uniform(1 / 8, 1 / 3, x.size).astype(x.dtype)
            return (
                lambda: launch(K.rrelu_train_forward, (x, noise, out)),
                lambda: launch(K.rrelu_train_backward, (g, noise, grad_in)),
            )
        mask = np.empty(x.shape, dtype=np.bool_)
        s = (1 / 8 + 1 / 3) / 2
        return (
            lambda: launch(K.leaky_relu_forward, (x, out, mask), (s,)),
            lambda: launch(K.leaky_relu_backward, (g, mask, grad_in), (s,)),
        )
    spec = TABLE[name]
    args = spec.args(params)
    bargs = args if spec.backward_args else ()
    if spec.saves == "mask":
        mask = np.empty(x.shape, dtype=np.bool_)
        return (
            lambda: launch(spec.forward, (x, out, mask), args),
            lambda: launch(spec.backward, (g, mask, grad_in), bargs),
        )
    saved = x if spec.saves == "input" else out
    return (
        lambda: launch(spec.forward, (x, out), args),
        lambda: launch(spec.backward, (g, saved, grad_in), bargs),
    )


def best(fn, repeat: int) -> float:
    fn()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def engine_step(name: str, params: dict, x: np.ndarray, g: np.ndarray):
    t = ta.Tensor._wrap(x)
    t.requires_grad = True
    fn = getattr(F, name)
    w = ta.tensor(np.full(x.shape[1] if x.ndim > 1 else 1, 0.25, dtype=x.dtype))

    def run():
        t.grad = None
        y = F.prelu(t, w) if name == "prelu" else fn(t, **params)
        y.backward(g)

    return run


def torch_step(name: str, params: dict, x: np.ndarray, g: np.ndarray):
    tx, tg = torch.from_numpy(x), torch.from_numpy(g)
    tw = torch.full((x.shape[1] if x.ndim > 1 else 1,), 0.25)
    fn = getattr(torch, name) if name in ("sigmoid", "tanh") else getattr(TF, name)

    def run():
        t = tx.detach().requires_grad_(True)
        y = TF.prelu(t, tw) if name == "prelu" else fn(t, **params)
        y.backward(tg)

    return run


_COMPILE_SCRIPT = r"""
import json, time, numpy as np
t0 = time.perf_counter()
import tinygrad_act as ta, tinygrad_act.functional as F
from tinygrad_act.ops.activations import TABLE
t1 = time.perf_counter()
required = {"threshold": {"threshold": 0.5, "value": -2.0}}
for name, spec in TABLE.items():
    for dt in (np.float32, np.float64):
        x = ta.tensor(np.linspace(-3, 3, 8).reshape(2, 4), dtype=dt, requires_grad=True)
        if name == "prelu":
            y = F.prelu(x, ta.tensor([0.25], dtype=dt))
        else:
            for p in ([{}, {"training": True}] if name == "rrelu" else [required.get(name, {})]):
                y = getattr(F, name)(x, **p)
                y.backward(np.ones((2, 4), dt))
            continue
        y.backward(np.ones((2, 4), dt))
print(json.dumps({"import": t1 - t0, "kernels": time.perf_counter() - t1}))
"""


def compile_times() -> tuple[dict, dict]:
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        runs = []
        for _ in range(2):  # cold, then warm from the cache the first run wrote
            t0 = time.perf_counter()
            res = subprocess.run(
                [sys.executable, "-c", _COMPILE_SCRIPT], env=env, capture_output=True, text=True
            )
            if res.returncode:
                raise RuntimeError(res.stderr)
            info = json.loads(res.stdout.strip().splitlines()[-1])
            info["process"] = time.perf_counter() - t0
            runs.append(info)
        return runs[0], runs[1]


def mark(ok: bool) -> str:
    return "" if ok else " MISS"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1 << 24)
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--no-compile", action="store_true", help="skip the compile-time runs")
    ap.add_argument("--only", nargs="*", help="op labels to run")
    a = ap.parse_args()
    if torch is not None:
        torch.set_num_threads(get_num_threads())
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(a.n) * 3).astype(np.float32)
    g = rng.standard_normal(a.n).astype(np.float32)
    x4, g4 = x[:4096].copy(), g[:4096].copy()
    base_fwd, base_bwd = np.empty_like(x), np.empty_like(x)
    print(
        f"n = {a.n:,} float32, threads = {get_num_threads()}, load average "
        f"{os.getloadavg()[0]:.2f}, torch {torch.__version__ if torch else 'not installed'}"
    )
    head = f"{'op':12s} {'kernels ms':>10s} {'% copy+add':>11s} {'engine ms':>10s} "
    head += f"{'torch ms':>9s} {'ratio':>6s} {'4K us':>7s}"
    print(head)
    print("-" * len(head))
    for label, name, params in rows():
        if a.only and label not in a.only:
            continue
        fwd, bwd = kernel_pair(name, params, x, g)
        t_op, t_base = float("inf"), float("inf")
        for _ in range(a.repeat):  # alternate, so both see the same machine
            t_op = min(t_op, best(lambda f=fwd, b=bwd: (f(), b()), 1))
            t_base = min(
                t_base,
                best(lambda: (launch(copy_add, (x, base_fwd)), launch(add, (g, x, base_bwd))), 1),
            )
        pct = 100 * t_base / t_op
        xin = x.reshape(64, 64, -1) if name == "prelu" else x
        gin = g.reshape(xin.shape)
        t_eng = best(engine_step(name, params, xin, gin), a.repeat)
        if torch is not None:
            t_torch = best(torch_step(name, params, xin, gin), a.repeat)
            ratio = t_eng / t_torch
            tcol = f"{t_torch * 1e3:9.1f} {ratio:6.2f}{mark(ratio <= 0.5)}"
        else:
            tcol = f"{'-':>9s} {'-':>6s}"
        x4in = x4.reshape(4, 32, 32) if name == "prelu" else x4
        step4 = engine_step(name, params, x4in, g4.reshape(x4in.shape))
        for _ in range(200):
            step4()
        ts = []
        for _ in range(2000):
            t0 = time.perf_counter()
            step4()
            ts.append(time.perf_counter() - t0)
        us = float(np.median(ts)) * 1e6
        print(
            f"{label:12s} {t_op * 1e3:10.1f} {pct:10.0f}%{mark(pct >= 75)} "
            f"{t_eng * 1e3:10.1f} {tcol} {us:7.1f}{mark(us <= 10)}"
        )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    if not a.no_compile:
        cold, warm = compile_times()
        print(
            f"cold compile of all activation kernels (float32 + float64): {cold['kernels']:.1f} s"
            f"{mark(cold['kernels'] <= 15)} (import {cold['import']:.2f} s)"
        )
        print(
            f"warm load from the cache in a new process: {warm['kernels']:.2f} s"
            f"{mark(warm['kernels'] <= 1)} (import {warm['import']:.2f} s, whole process "
            f"{warm['process']:.2f} s)"
        )


if __name__ == "__main__":
    main()
