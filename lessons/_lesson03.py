"""Lesson 3's network, its training and the linear probe (lessons/03_sparsity.py reads as the
experiment)."""

from __future__ import annotations

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from lessons._common import mlp
from tinygrad_act import data, diagnostics, nn, optim, train

HIDDEN_LAYERS = 3
LEAKY_SLOPE = 0.01
BATCH_SIZE = 64
PROBE_LR = 1e-2  # the probe: full-batch Adam on standardized features
ACTIVATIONS = {"relu": nn.ReLU, "leaky": lambda: nn.LeakyReLU(LEAKY_SLOPE)}


def he_init(lin: nn.Linear) -> None:
    nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
    nn.init.zeros_(lin.bias)


def hidden_codes(model: nn.Sequential, X: np.ndarray) -> list[np.ndarray]:
    """The output of every hidden layer's activation on X, (N, width) each, under no_grad."""
    codes, h = [], ta.tensor(X)
    with ta.no_grad():
        for i, m in enumerate(model):
            h = m(h)
            if i % 2 == 1 and i < 2 * HIDDEN_LAYERS:  # activations sit at odd indices
                codes.append(h.numpy().copy())
    return codes


def linear_probe(Htr, ytr, Hte, yte, n_classes: int, steps: int, seed: int) -> float:
    """Test accuracy of a linear softmax classifier trained on frozen features (full batch)."""
    Htr, Hte = data.standardize(Htr.astype(np.float32), Hte.astype(np.float32))
    ta.manual_seed(seed)
    head = nn.Linear(Htr.shape[1], n_classes)
    opt = optim.Adam(head.parameters(), lr=PROBE_LR)
    X, y = ta.tensor(Htr), ta.tensor(ytr)
    for _ in range(steps):
        loss = F.cross_entropy(head(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with ta.no_grad():
        pred = head(ta.tensor(Hte)).numpy().argmax(axis=1)
    return float(np.mean(pred == yte))


def code_stats(model: nn.Sequential, X: np.ndarray):
    """diagnostics' per-layer stats of the hidden codes on X (its hooks removed afterwards)."""
    with diagnostics.watch(model, track_grads=False) as mon:
        return mon.measure(X)


def train_net(ds, cfg: dict, act: str, epochs: int, seed: int, progress: bool = False):
    """Train one network; return (model, test accuracy, stats at init, stats after training)."""
    Xtr, ytr, Xte, yte, k = ds
    ta.manual_seed(seed)
    model = mlp(Xtr.shape[1], k, cfg["width"], HIDDEN_LAYERS, ACTIVATIONS[act], he_init)
    opt = optim.Adam(model.parameters(), lr=cfg["lr"])
    loader = data.DataLoader(Xtr, ytr, batch_size=BATCH_SIZE, shuffle=True, seed=seed)
    at_init = code_stats(model, Xte)
    # no hooks while training: fit(compile=True) replays its steps (a forward hook would stop it)
    train.fit(model, loader, opt, epochs=epochs, progress=progress, compile=True)
    after = code_stats(model, Xte)
    _, acc = train.evaluate(model, data.DataLoader(Xte, yte, batch_size=len(Xte)))
    return model, acc, at_init, after
