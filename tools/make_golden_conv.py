"""Write tests/golden/conv.npz: PyTorch's values and gradients for conv1d, pooling and BatchNorm1d.

    /work/torchvenv/bin/python tools/make_golden_conv.py   (needs torch 2.x CPU; the tests do not)

Random configurations (seeded) in float32 and float64. For each: the inputs, the upstream gradient
g, PyTorch's output y and the gradients of L = sum(y * g) with respect to every input.
  conv|i       F.conv1d: stride, padding, dilation, groups, bias, kernel sizes
  maxpool|i    F.max_pool1d (case 0 has tied values: the first maximum takes the gradient)
  avgpool|i    F.avg_pool1d, count_include_pad True and False
  adaptive|i   F.adaptive_avg_pool1d (output sizes that do and do not divide L)
  bn|i         nn.BatchNorm1d run for three steps (train, train, eval) from a random weight and
               bias: each step's y and gradients, and the running buffers after it
Keys: "<op>|<i>|<dtype>|<field>"; each case's configuration is a repr string under "<op>|<i>|cfg".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as TF

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "conv.npz"
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def conv_configs(rng):
    cfgs = [dict(n=2, c_in=1, c_out=25, length=40, k=5, stride=2, padding=1, dilation=1, groups=1,
                 bias=True)]  # fmt: skip
    for _ in range(11):
        groups = int(rng.choice([1, 1, 2, 3]))
        k = int(rng.integers(1, 6))
        dilation = int(rng.integers(1, 4))
        cfgs.append(
            dict(
                n=int(rng.integers(1, 5)),
                c_in=groups * int(rng.integers(1, 4)),
                c_out=groups * int(rng.integers(1, 4)),
                length=int(rng.integers(dilation * (k - 1) + 1, 30)),
                k=k,
                stride=int(rng.integers(1, 4)),
                padding=int(rng.integers(0, 4)),
                dilation=dilation,
                groups=groups,
                bias=bool(rng.integers(0, 2)),
            )
        )
    return cfgs


def pool_configs(rng, with_dilation):
    cfgs = []
    for _ in range(8):
        k = int(rng.integers(1, 6))
        d = int(rng.integers(1, 3)) if with_dilation else 1
        cfgs.append(
            dict(
                n=int(rng.integers(1, 4)),
                c=int(rng.integers(1, 4)),
                length=int(rng.integers(d * (k - 1) + 1, 25)),
                k=k,
                stride=int(rng.integers(1, 4)),
                padding=int(rng.integers(0, k // 2 + 1)),
                dilation=d,
                count_include_pad=bool(rng.integers(0, 2)),
            )
        )
    return cfgs


def grads(y, g, *inputs):
    (y * g).sum().backward()
    return [None if t is None else t.grad.numpy().copy() for t in inputs]


def leaf(a, dt):
    return torch.tensor(a, dtype=dt, requires_grad=True)


def main() -> None:
    rng = np.random.default_rng(20261130)
    out: dict[str, np.ndarray] = {}

    def put(key, **arrays):
        for name, a in arrays.items():
            if a is not None:
                out[f"{key}|{name}"] = np.asarray(a)

    for i, cfg in enumerate(conv_configs(rng)):
        out[f"conv|{i}|cfg"] = np.array(repr(cfg))
        x = rng.standard_normal((cfg["n"], cfg["c_in"], cfg["length"]))
        w = rng.standard_normal((cfg["c_out"], cfg["c_in"] // cfg["groups"], cfg["k"]))
        b = rng.standard_normal(cfg["c_out"]) if cfg["bias"] else None
        for name, dt in DTYPES.items():
            tx, tw = leaf(x, dt), leaf(w, dt)
            tb = leaf(b, dt) if b is not None else None
            y = TF.conv1d(tx, tw, tb, cfg["stride"], cfg["padding"], cfg["dilation"], cfg["groups"])
            g = rng.standard_normal(y.shape)
            dx, dw, db = grads(y, torch.tensor(g, dtype=dt), tx, tw, tb)
            put(f"conv|{i}|{name}", x=x, w=w, b=b, g=g, y=y.detach().numpy(), dx=dx, dw=dw, db=db)

    for op, with_d in (("maxpool", True), ("avgpool", False)):
        for i, cfg in enumerate(pool_configs(rng, with_d)):
            out[f"{op}|{i}|cfg"] = np.array(repr(cfg))
            x = rng.standard_normal((cfg["n"], cfg["c"], cfg["length"]))
            if op == "maxpool" and i == 0:
                x = np.round(x)  # ties: which position receives the gradient is a convention
            for name, dt in DTYPES.items():
                tx = leaf(x, dt)
                if op == "maxpool":
                    y = TF.max_pool1d(tx, cfg["k"], cfg["stride"], cfg["padding"], cfg["dilation"])
                else:
                    y = TF.avg_pool1d(tx, cfg["k"], cfg["stride"], cfg["padding"],
                                      count_include_pad=cfg["count_include_pad"])  # fmt: skip
                g = rng.standard_normal(y.shape)
                (dx,) = grads(y, torch.tensor(g, dtype=dt), tx)
                put(f"{op}|{i}|{name}", x=x, g=g, y=y.detach().numpy(), dx=dx)

    for i, (length, o) in enumerate([(40, 5), (7, 3), (10, 4), (5, 5), (3, 7), (13, 1)]):
        out[f"adaptive|{i}|cfg"] = np.array(repr(dict(n=2, c=3, length=length, output_size=o)))
        x = rng.standard_normal((2, 3, length))
        for name, dt in DTYPES.items():
            tx = leaf(x, dt)
            y = TF.adaptive_avg_pool1d(tx, o)
            g = rng.standard_normal(y.shape)
            (dx,) = grads(y, torch.tensor(g, dtype=dt), tx)
            put(f"adaptive|{i}|{name}", x=x, g=g, y=y.detach().numpy(), dx=dx)

    bn_cfgs = [
        dict(shape=(8, 4), momentum=0.1, eps=1e-5, affine=True),
        dict(shape=(5, 3, 7), momentum=0.1, eps=1e-5, affine=True),
        dict(shape=(4, 6, 5), momentum=None, eps=1e-3, affine=True),
        dict(shape=(6, 2, 9), momentum=0.3, eps=1e-5, affine=False),
        dict(shape=(2, 3), momentum=None, eps=1e-5, affine=False),
    ]
    for i, cfg in enumerate(bn_cfgs):
        out[f"bn|{i}|cfg"] = np.array(repr(cfg))
        c = cfg["shape"][1]
        w, b = rng.standard_normal(c) + 1, rng.standard_normal(c)
        xs = [rng.standard_normal(cfg["shape"]) * 3 + rng.standard_normal(1) for _ in range(3)]
        for name, dt in DTYPES.items():
            m = torch.nn.BatchNorm1d(c, cfg["eps"], cfg["momentum"], cfg["affine"], dtype=dt)
            if cfg["affine"]:
                with torch.no_grad():
                    m.weight.copy_(torch.tensor(w))
                    m.bias.copy_(torch.tensor(b))
            put(f"bn|{i}|{name}", w=w if cfg["affine"] else None, b=b if cfg["affine"] else None)
            for step, x in enumerate(xs):
                m.train(step < 2)
                m.zero_grad()
                tx = leaf(x, dt)
                y = m(tx)
                g = rng.standard_normal(y.shape)
                dx, dw, db = grads(y, torch.tensor(g, dtype=dt), tx, m.weight, m.bias)
                put(f"bn|{i}|{name}|{step}", x=x, g=g, y=y.detach().numpy(), dx=dx, dw=dw, db=db,
                    running_mean=m.running_mean.numpy().copy(),
                    running_var=m.running_var.numpy().copy(),
                    num_batches_tracked=m.num_batches_tracked.numpy().copy())  # fmt: skip

    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT} ({len(out)} arrays), torch {torch.__version__}")


if __name__ == "__main__":
    main()
