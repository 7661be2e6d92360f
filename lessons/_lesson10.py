"""Lesson 10's networks and training run (lessons/10_cnn_batchnorm.py reads as the experiment)."""

from __future__ import annotations

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from lessons._common import load_dataset
from tinygrad_act import diagnostics, nn, optim

LEAKY_SLOPE = 0.01
ACTS = {"relu": nn.ReLU, "leaky": lambda: nn.LeakyReLU(LEAKY_SLOPE)}
CHANNELS, RES_CHANNELS, BLOCKS, BATCH = 25, 32, 3, 100


class ResidualBlock(nn.Module):
    """(N, C, L) -> (N, C, L): act(x + bn2(conv2(act(bn1(conv1(x)))))) (docs/residual_block.md);
    the activations are layers so that diagnostics.watch sees them; without BatchNorm the
    convolutions keep their bias and nn.Identity stands where BatchNorm would be."""

    def __init__(self, channels: int, bn: bool, act) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(channels, channels, 3, padding=1, bias=not bn)
        self.bn1 = nn.BatchNorm1d(channels) if bn else nn.Identity()
        self.act1 = act()
        self.conv2 = nn.Conv1d(channels, channels, 3, padding=1, bias=not bn)
        self.bn2 = nn.BatchNorm1d(channels) if bn else nn.Identity()
        self.act2 = act()

    def forward(self, x: ta.Tensor) -> ta.Tensor:
        return self.act2(x + self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x))))))


def cnn(bn: bool, act) -> nn.Sequential:
    """The MNIST-1D paper's CNN: three stride-2 convolutions (+ BatchNorm1d), act, Linear."""
    layers: list[nn.Module] = []
    c_in = 1
    for k in (5, 3, 3):  # (N, 1, 40) -> (N, 25, 20) -> (N, 25, 10) -> (N, 25, 5)
        layers.append(nn.Conv1d(c_in, CHANNELS, k, stride=2, padding=1, bias=not bn))
        layers += [nn.BatchNorm1d(CHANNELS)] if bn else []
        layers.append(act())
        c_in = CHANNELS
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(CHANNELS * 5, 10))


def resnet(bn: bool, act) -> nn.Sequential:
    """A stride-2 stem, BLOCKS residual blocks (7 convolutions deep), average pool, Linear."""
    stem = [nn.Conv1d(1, RES_CHANNELS, 5, stride=2, padding=2, bias=not bn)]
    stem += [nn.BatchNorm1d(RES_CHANNELS)] if bn else []
    blocks = [ResidualBlock(RES_CHANNELS, bn, act) for _ in range(BLOCKS)]
    return nn.Sequential(*stem, act(), *blocks, nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                         nn.Linear(RES_CHANNELS, 10))  # fmt: skip


ARCHS = {"cnn": (cnn, False), "cnn+bn": (cnn, True), "res": (resnet, False),
         "res+bn": (resnet, True)}  # fmt: skip


def build(arch: str, act: str) -> nn.Sequential:
    make, bn = ARCHS[arch]
    return make(bn, ACTS[act])


def load(seed: int, n_train: int | None):
    """MNIST-1D as (N, 1, 40) float32 signals: one input channel."""
    Xtr, ytr, Xte, yte, _ = load_dataset("mnist1d", seed, n_train)
    return Xtr[:, None, :].astype(np.float32), ytr, Xte[:, None, :].astype(np.float32), yte


def train_one(ds, arch: str, act: str, lr: float, steps: int, seed: int) -> tuple[dict, object]:
    """Adam for `steps` batches of BATCH (the arms of one seed share init seed and batch order);
    then test accuracy and, on the training signals in eval mode, the share of channels never
    positive (dead) and of activation outputs exactly zero. A NaN loss stops the run (diverged)."""
    Xtr, ytr, Xte, yte = ds
    ta.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = build(arch, act)
    opt = optim.Adam(model.parameters(), lr=lr)
    order, diverged = np.empty(0, dtype=np.int64), None
    for step in range(steps):
        if order.size < BATCH:
            order = rng.permutation(len(Xtr))
        idx, order = order[:BATCH], order[BATCH:]
        loss = F.cross_entropy(model(ta.tensor(Xtr[idx])), ta.tensor(ytr[idx]))
        if not np.isfinite(loss.item()):
            diverged = step
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with ta.no_grad(), np.errstate(invalid="ignore", over="ignore"):
        acc = float((model(ta.tensor(Xte)).numpy().argmax(1) == yte).mean())
    with diagnostics.watch(model) as mon, np.errstate(invalid="ignore", over="ignore"):
        st = list(mon.measure(Xtr).values())
    units = sum(s.n_units for s in st)
    return dict(
        acc=acc,
        dead=sum(s.dead_fraction * s.n_units for s in st) / units,
        zeros=float(np.mean([s.sparsity for s in st])),
        diverged=diverged,
    ), model
