"""Lesson 2: vanishing gradients -- why ReLU replaced sigmoid in deep networks.

ReLU's zero gradient for x < 0 is the price; this lesson shows what it buys. A sigmoid's
derivative is at most 1/4, and backpropagation multiplies one such factor per layer, so the
gradient that reaches the first layers of a deep sigmoid network is tiny. ReLU's derivative is
exactly 1 wherever the unit is on, so (with a matching initialization) the gradient keeps its size.

Setup
1. Gradient ratio at initialization. MLPs of width WIDTH with D = 5, 10, 20 hidden layers
   (Linear -> activation, then a Linear output layer) on MNIST-1D (40 inputs, 10 classes).
   L = mean cross-entropy over a batch of training examples. For each network

       ratio = ||dL/dW_1||_F / ||dL/dW_D||_F

   where W_1 is the weight of the first hidden layer (input -> hidden 1) and W_D the weight of the
   last hidden layer (hidden D-1 -> hidden D); ||.||_F is the Frobenius norm
   (diagnostics.layer_grad_norms). ratio ~ 1: every layer learns at the same pace; ratio << 1:
   the gradient vanished on its way down. Seed k initializes network k of every cell and picks
   the batch; the table gives the geometric mean over the seeds with its 95% interval (a t
   interval of log10 ratio).
   Initialization -- the classic experiment (Glorot & Bengio 2010; He et al. 2015), biases 0:
     sigmoid, tanh: Xavier/Glorot uniform, U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (gain 1);
     ReLU:          He/Kaiming normal, N(0, 2 / fan_in).
   A second table repeats it with PyTorch's default nn.Linear init (U(+-1/sqrt(fan_in)) for
   weights and biases) for all three: ReLU's gradients then vanish too. ReLU is not immune; it
   needs the He init, whose factor 2 makes up for the half of the units that are off.
2. Training. The same 10-hidden-layer networks are trained with SGD (momentum) on MNIST-1D (a
   2000-row subset) and on the 2-D spirals, and the test accuracy is recorded after every epoch;
   all arms of one seed share data, seed and batches, so their differences are paired. Sigmoid
   stays at chance (its first layers get ~1e-6 of the gradient of its last ones); ReLU and tanh
   learn. A last row trains the sigmoid network with Adam, which divides each parameter's gradient
   by its own running RMS and so could undo part of the vanishing (given enough epochs).

What to look for: the sigmoid column shrinks by about 4x per layer (sigmoid' <= 1/4); ReLU with He
init stays within an order of magnitude of 1 at every depth; the training curves.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
import tinygrad_act.functional as F  # noqa: E402
from lessons._common import (  # noqa: E402
    half_widths,
    lesson_main,
    load_dataset,
    make_run,
    mlp,
    pyplot,
    save_figure,
)
from lessons._stats import (  # noqa: E402
    capital,
    curve_ci,
    difference_sentence,
    fmt,
    mean_ci,
    paired_diff,
)
from tinygrad_act import data, diagnostics, nn, optim, train  # noqa: E402

WIDTH = 64
DEPTHS = (5, 10, 20)
N_SEEDS, QUICK_N_SEEDS = 10, 3  # one network per (activation, init, depth) cell per seed
RATIO_BATCH = 512  # examples in the loss whose gradient is measured
ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
CLASSIC_INIT = {"sigmoid": "xavier", "tanh": "xavier", "relu": "he"}
TRAIN_DEPTH = 10
BATCH_SIZE = 64
MOMENTUM = 0.9
ADAM_LR = 1e-3
# per dataset: SGD learning rate, epochs (full, quick), training rows (full, quick)
DATASETS = {
    "mnist1d": dict(lr=0.05, epochs=10, quick_epochs=4, train=2000, quick_train=1000),
    "spirals": dict(lr=0.02, epochs=25, quick_epochs=12, train=None, quick_train=None),
}
# (label, activation, optimizer) of each training run
RUNS = (
    ("sigmoid + SGD", "sigmoid", "sgd"),
    ("tanh + SGD", "tanh", "sgd"),
    ("relu + SGD", "relu", "sgd"),
    ("sigmoid + Adam", "sigmoid", "adam"),
)
COLORS = {"sigmoid": "#d62728", "tanh": "#2ca02c", "relu": "#1f77b4"}
CHANCE_MARGIN = 0.05


def init_fn(kind: str):
    """The weight init `kind` for every Linear: 'xavier', 'he' (biases 0) or 'pytorch' (default)."""
    if kind == "pytorch":
        return None

    def init(lin: nn.Linear) -> None:
        if kind == "xavier":
            nn.init.xavier_uniform_(lin.weight)
        elif kind == "he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        else:
            raise ValueError(f"init_fn: unknown init {kind!r}; use 'xavier', 'he' or 'pytorch'")
        nn.init.zeros_(lin.bias)

    return init


def log_ratio(X, y, act: str, init: str, depth: int, seed: int) -> tuple[float, list[float]]:
    """log10 ||dL/dW_1|| / ||dL/dW_D|| of one fresh network, and log10 ||dL/dW_l|| / ||dL/dW_D||
    for every hidden layer l."""
    ta.manual_seed(seed)
    model = mlp(X.shape[1], int(y.numpy().max()) + 1, WIDTH, depth, ACTIVATIONS[act], init_fn(init))
    F.cross_entropy(model(X), y).backward()
    g = np.log10(np.array(list(diagnostics.layer_grad_norms(model).values()))[:depth])
    return float(g[0] - g[-1]), (g - g[-1]).tolist()


def train_run(ds, act: str, opt_name: str, lr: float, epochs: int, seed: int) -> list[float]:
    """Test accuracy after each epoch of a TRAIN_DEPTH-layer network (classic init)."""
    Xtr, ytr, Xte, yte, k = ds
    ta.manual_seed(seed)
    model = mlp(Xtr.shape[1], k, WIDTH, TRAIN_DEPTH, ACTIVATIONS[act], init_fn(CLASSIC_INIT[act]))
    if opt_name == "sgd":
        opt = optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM)
    else:
        opt = optim.Adam(model.parameters(), lr=ADAM_LR)
    loader = data.DataLoader(Xtr, ytr, batch_size=BATCH_SIZE, shuffle=True, seed=seed)
    test = data.DataLoader(Xte, yte, batch_size=len(Xte))
    history = train.fit(model, loader, opt, epochs=epochs, val_loader=test, progress=False,
                        compile=True)  # fmt: skip
    return history["val_accuracy"]


def measure(seed: int, quick: bool = False) -> dict:
    """One seed: the ratio for every (activation, init, depth), and the training curves."""
    Xtr, ytr, _, _ = data.load_mnist1d()
    idx = np.random.default_rng(seed).choice(len(Xtr), size=RATIO_BATCH, replace=False)
    X, y = ta.tensor(data.standardize(Xtr)[idx]), ta.tensor(ytr[idx])
    ratio, per_layer = {}, {}
    for act in ACTIVATIONS:
        for init in (CLASSIC_INIT[act], "pytorch"):
            for d in DEPTHS:
                r, layers = log_ratio(X, y, act, init, d, seed)
                ratio[f"{act}/{init}/{d}"] = r
                if d == TRAIN_DEPTH and init != "pytorch":
                    per_layer[act] = layers
    acc, chance = {}, {}
    for name, cfg in DATASETS.items():
        ds = load_dataset(name, seed, cfg["quick_train" if quick else "train"])
        chance[name] = float(np.bincount(ds[3]).max() / len(ds[3]))  # majority class share
        epochs = cfg["quick_epochs" if quick else "epochs"]
        for label, act, opt_name in RUNS:
            acc[f"{name}/{label}"] = train_run(ds, act, opt_name, cfg["lr"], epochs, seed)
    return dict(seed=seed, log_ratio=ratio, per_layer=per_layer, acc=acc, chance=chance)


PAIRS = (("relu + SGD", "sigmoid + SGD"), ("tanh + SGD", "sigmoid + SGD"),
         ("sigmoid + Adam", "sigmoid + SGD"))  # fmt: skip


def aggregate(runs: list[dict]) -> dict:
    t = dict(n=len(runs), seeds=[r["seed"] for r in runs])
    t["log_ratio"] = {k: mean_ci([r["log_ratio"][k] for r in runs]) for k in runs[0]["log_ratio"]}
    t["per_layer"] = {a: curve_ci([r["per_layer"][a] for r in runs]) for a in ACTIVATIONS}
    t["chance"] = {n: mean_ci([r["chance"][n] for r in runs]) for n in DATASETS}
    t["acc"] = {k: mean_ci([r["acc"][k][-1] for r in runs]) for k in runs[0]["acc"]}
    t["curves"] = {k: curve_ci([r["acc"][k] for r in runs]) for k in runs[0]["acc"]}
    t["diff"] = {
        f"{n}/{a} - {b}": paired_diff([r["acc"][f"{n}/{a}"][-1] for r in runs],
                                      [r["acc"][f"{n}/{b}"][-1] for r in runs])
        for n in DATASETS for a, b in PAIRS
    }  # fmt: skip
    return t


def _lr(t: dict, act: str, init: str, d: int):
    return t["log_ratio"][f"{act}/{init}/{d}"]


def claims(t: dict) -> dict[str, bool]:
    sig = [_lr(t, "sigmoid", "xavier", d).mean for d in DEPTHS]
    out = {
        f"sigmoid (Xavier) ratio < 1e-4 at depth {TRAIN_DEPTH}": (
            _lr(t, "sigmoid", "xavier", TRAIN_DEPTH).hi < -4
        ),
        "sigmoid loses > 2 orders of magnitude per depth step": all(
            a - b > 2 for a, b in zip(sig, sig[1:])
        ),
        "ReLU (He) ratio > 0.1 at every depth": all(
            _lr(t, "relu", "he", d).lo > -1 for d in DEPTHS
        ),
        f"ReLU with PyTorch's default init < 1e-3 at depth {max(DEPTHS)}": (
            _lr(t, "relu", "pytorch", max(DEPTHS)).hi < -3
        ),
    }
    for n in DATASETS:
        ch = t["chance"][n].mean
        out[f"{n}: sigmoid + SGD stays at chance"] = (
            t["acc"][f"{n}/sigmoid + SGD"].hi <= ch + CHANCE_MARGIN
        )
        for a, b in PAIRS[:2]:  # sigmoid + Adam vs SGD: reported, not claimed (needs long runs)
            out[f"{n}: {a} beats {b}"] = t["diff"][f"{n}/{a} - {b}"].lo > 0
    return out


def _geo(iv) -> str:
    """A log10 interval as the ratio itself: "2.0e-03 (1.5e-03..2.6e-03)"."""
    return f"{10**iv.mean:.2g} ({10**iv.lo:.2g}..{10**iv.hi:.2g})"


def summarize(t: dict) -> list[str]:
    d = TRAIN_DEPTH
    sig, tanh, relu = (_lr(t, a, CLASSIC_INIT[a], d) for a in ("sigmoid", "tanh", "relu"))
    per_layer = 10 ** (-sig.mean / (d - 1))
    s = [
        f"At initialization, with {d} hidden layers, the first hidden layer's weight gradient is "
        f"{_geo(sig)} times the last one's for sigmoid (Xavier init; geometric mean and 95% CI "
        f"over {t['n']} seeds): it shrinks about {per_layer:.1f}x per layer (sigmoid' <= 1/4). "
        f"tanh (Xavier): {_geo(tanh)}; ReLU (He): {_geo(relu)}.",
        f"With PyTorch's default init ReLU's ratio falls to "
        f"{_geo(_lr(t, 'relu', 'pytorch', max(DEPTHS)))} at depth {max(DEPTHS)}: ReLU keeps "
        "gradients alive only together with an init that keeps the signal's scale.",
    ]
    for n in DATASETS:
        acc = {k.split("/", 1)[1]: v for k, v in t["acc"].items() if k.startswith(n + "/")}
        s.append(
            f"{n} (chance {fmt(t['chance'][n].mean)}), final test accuracy: "
            + ", ".join(f"{k} {v}" for k, v in acc.items()) + ". "
            + "; ".join(capital(difference_sentence(a, b, t["diff"][f"{n}/{a} - {b}"],
                                                    "test accuracy")) for a, b in PAIRS) + "."
        )  # fmt: skip
    s.append(
        "This is what ReLU's zero gradient is traded for: where it is on, its derivative is 1, so "
        "depth does not starve the first layers."
    )
    return s


def render(t: dict) -> list[tuple[str, list[str], list[list]]]:
    rows = [[a, init, *(_geo(_lr(t, a, init, d)) for d in DEPTHS)]
            for init_kind in ("classic", "pytorch") for a in ACTIVATIONS
            for init in [CLASSIC_INIT[a] if init_kind == "classic" else "pytorch"]]  # fmt: skip
    train_rows = [[k.split("/")[0], k.split("/")[1], v, t["chance"][k.split("/")[0]]]
                  for k, v in t["acc"].items()]  # fmt: skip
    diff_rows = [[k.split("/")[0], k.split("/")[1], v] for k, v in t["diff"].items()]
    return [
        (f"||dL/dW_1|| / ||dL/dW_D|| at init: geometric mean (95% CI), {t['n']} seeds",
         ["activation", "init", *(f"D={d}" for d in DEPTHS)], rows),
        (f"Training {TRAIN_DEPTH} hidden layers of {WIDTH}: final test accuracy, mean (95% CI)",
         ["dataset", "run", "test accuracy", "chance"], train_rows),
        ("Paired differences in final test accuracy (same seed), mean (95% CI)",
         ["dataset", "difference", "mean (95% CI)"], diff_rows),
    ]  # fmt: skip


def figures(t: dict, out: str) -> list[str]:
    return [save_figure(ratio_figure(t), out, "02_gradient_ratio.png"),
            save_figure(training_figure(t), out, "02_training.png")]  # fmt: skip


def _log_bars(ivs) -> tuple[np.ndarray, np.ndarray]:
    """Intervals of log10 values -> (10**mean, errorbar yerr in linear units). The last layer's
    own ratio is exactly 1 in every seed (no interval): its bar has length 0."""
    m = np.array([v.mean for v in ivs])
    lo, hi = m - np.nan_to_num(half_widths(ivs)[0]), m + np.nan_to_num(half_widths(ivs)[1])
    return 10**m, np.array([10**m - 10**lo, 10**hi - 10**m])


def ratio_figure(t: dict):
    """Ratio vs depth (95% CI bars) for both inits; per-layer norms at TRAIN_DEPTH (95% band)."""
    fig, (a0, a1) = pyplot().subplots(1, 2, figsize=(12, 4))
    for act in ACTIVATIONS:
        for init, style in ((CLASSIC_INIT[act], "o-"), ("pytorch", "x--")):
            y, err = _log_bars([_lr(t, act, init, d) for d in DEPTHS])
            a0.errorbar(DEPTHS, y, yerr=err, fmt=style, color=COLORS[act], capsize=3,
                        label=f"{act} ({init} init)")  # fmt: skip
        y, err = _log_bars(t["per_layer"][act])
        x = np.arange(1, len(y) + 1)
        a1.errorbar(x, y, yerr=err, fmt="o-", color=COLORS[act], capsize=2, label=act)
    a0.set(yscale="log", xlabel="hidden layers D", ylabel="||dL/dW_1|| / ||dL/dW_D||",
           title="gradient ratio first / last hidden layer at init (95% CI)")  # fmt: skip
    a0.set_xticks(DEPTHS)
    a1.set(yscale="log", xlabel="hidden layer l", ylabel="||dL/dW_l|| / ||dL/dW_D||",
           title=f"per-layer gradient norm, D = {TRAIN_DEPTH} (classic init, 95% CI)")  # fmt: skip
    for a in (a0, a1):
        a.axhline(1.0, color="k", lw=0.6)
        a.grid(alpha=0.3, which="both")
        a.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return fig


def training_figure(t: dict):
    """Test accuracy per epoch, mean with a 95% band over seeds; chance as a dotted line."""
    fig, axes = pyplot().subplots(1, len(DATASETS), figsize=(13, 3.8), squeeze=False)
    for ax, name in zip(axes[0], DATASETS):
        for label, act, opt_name in RUNS:
            iv = t["curves"][f"{name}/{label}"]
            x = np.arange(1, len(iv) + 1)
            ls = "-" if opt_name == "sgd" else "--"
            ax.plot(x, [v.mean for v in iv], ls, color=COLORS[act], label=label)
            ax.fill_between(
                x, [v.lo for v in iv], [v.hi for v in iv], color=COLORS[act], alpha=0.15
            )
        ax.axhline(t["chance"][name].mean, color="k", ls=":", label="chance (majority class)")
        ax.set(title=f"{name}: {TRAIN_DEPTH} hidden layers of {WIDTH}", xlabel="epoch",
               ylabel="test accuracy", ylim=(0, 1.02))  # fmt: skip
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.tight_layout()
    return fig


run = make_run(__name__)

if __name__ == "__main__":
    lesson_main(__name__)
