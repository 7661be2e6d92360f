"""Lesson 6: PReLU and RReLU -- let the network pick the negative slope, or randomize it.

Leaky ReLU fixes the negative slope by hand (0.01). Two variants refuse to:

- PReLU (He et al. 2015, "Delving Deep into Rectifiers") learns it. f(x) = x for x > 0 and a x
  for x <= 0, where a is a Parameter trained by backprop like any weight: dL/da = sum over the
  inputs with x <= 0 of dL/df * x. "Channel-shared" PReLU has one a per layer
  (nn.PReLU(num_parameters=1)); "channel-wise" one per unit (nn.PReLU(num_parameters=width)).
  Both start at a = 0.25 (PyTorch's default, the paper's choice).
- RReLU (Xu et al. 2015, "Empirical Evaluation of Rectified Activations") draws a fresh slope
  a ~ U(1/8, 1/3) for every element in training and uses the mean (1/8 + 1/3) / 2 at test time: a
  leaky ReLU with noise, as a regularizer.

Setup: the same MLP on MNIST-1D (three hidden layers of 100 units), trained with Adam (lr 3e-3, no
weight decay: it would pull the slopes to 0) from the same initial weights and the same batches,
once per activation and seed: ReLU, leaky ReLU (0.01), channel-shared PReLU, channel-wise PReLU,
RReLU. After each epoch we record every PReLU layer's mean slope. Accuracy differences against
ReLU are paired by seed, and Holm's correction covers the four comparisons.

What to look for: (1) the learned slopes leave 0.25 -- and where they go per layer; (2) the price:
one parameter per layer (shared) or per unit (channel-wise), nothing next to the weights; (3)
whether any of that buys test accuracy on this task.
"""

from __future__ import annotations

import pathlib
import sys
from collections.abc import Callable

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
from lessons._common import lesson_main, make_run, mlp, pyplot, save_figure  # noqa: E402
from lessons._stats import difference_sentence, fmt, holm, mean_ci, paired_diff  # noqa: E402
from tinygrad_act import data, nn, optim, train  # noqa: E402

WIDTH, DEPTH, LR, BATCH = 100, 3, 3e-3, 100
LEAKY_SLOPE = 0.01
PRELU_INIT = 0.25  # PyTorch's (and He et al.'s) initial slope
EPOCHS, QUICK_EPOCHS = 25, 6
N_SEEDS, QUICK_N_SEEDS = 10, 4
QUICK_TRAIN = 2000
MOVED = 0.03  # a slope "moved": its layer mean (shared) / its units on average (channel-wise)
NO_GAIN = 0.04  # "buys no accuracy": the paired 95% CI's upper end below this (from 10 seeds)
MODELS = ("ReLU", "LeakyReLU", "PReLU (shared)", "PReLU (channel-wise)", "RReLU")
PRELUS = ("PReLU (shared)", "PReLU (channel-wise)")


def activation(name: str, width: int = WIDTH) -> nn.Module:
    """The activation module of arm `name` (built without drawing random numbers)."""
    return {
        "ReLU": nn.ReLU,
        "LeakyReLU": lambda: nn.LeakyReLU(LEAKY_SLOPE),
        "PReLU (shared)": lambda: nn.PReLU(num_parameters=1, init=PRELU_INIT),
        "PReLU (channel-wise)": lambda: nn.PReLU(num_parameters=width, init=PRELU_INIT),
        "RReLU": nn.RReLU,
    }[name]()


def make_model(name: str, seed: int) -> nn.Sequential:
    ta.manual_seed(seed)  # the same Linear weights for every arm of a seed
    return mlp(40, 10, WIDTH, DEPTH, lambda: activation(name))


def prelus(model: nn.Module) -> list[np.ndarray]:
    return [m.weight.data for m in model.modules() if isinstance(m, nn.PReLU)]


def layer_slopes(model: nn.Module) -> list[float]:
    """Each PReLU layer's mean slope, in order."""
    return [float(a.mean()) for a in prelus(model)]


def slope_recorder(model: nn.Module, slopes: list) -> Callable[[int, dict], None]:
    """A callback for fit(on_epoch_end=...): appends layer_slopes(model) after each epoch."""
    return lambda epoch, history: slopes.append(layer_slopes(model))


def train_slopes(module: nn.Module, seed: int, n: int = 1000) -> list[float]:
    """(min, max, std) of the slopes `module` applies in training mode to n inputs of -1: for an
    RReLU arm they must vary inside [lower, upper]; a ReLU or leaky ReLU would give one value."""
    ta.manual_seed(seed)
    a = -module.train()(ta.tensor(-np.ones(n, np.float32))).numpy()
    return [float(a.min()), float(a.max()), float(a.std())]


def measure(seed: int, quick: bool = False) -> dict:
    """Per arm: test accuracy, parameter count, median epoch time, PReLU slopes after each epoch."""
    Xtr, ytr, Xte, yte = data.load_mnist1d()
    if quick:
        Xtr, ytr = Xtr[:QUICK_TRAIN], ytr[:QUICK_TRAIN]
    out = {}
    for name in MODELS:
        model = make_model(name, seed)
        opt = optim.Adam(model.parameters(), lr=LR)
        loader = data.DataLoader(Xtr, ytr, BATCH, shuffle=True, seed=seed)
        slopes = [layer_slopes(model)]  # then after each epoch (fit's on_epoch_end)
        times = train.fit(model, loader, opt, epochs=QUICK_EPOCHS if quick else EPOCHS,
                          progress=False, on_epoch_end=slope_recorder(model, slopes),
                          compile=True)["time"]  # fmt: skip
        acc = train.evaluate(model, data.DataLoader(Xte, yte, batch_size=1000))[1]
        params = int(sum(p.data.size for p in model.parameters()))
        move = max([float(np.abs(a - PRELU_INIT).mean()) for a in prelus(model)], default=0.0)
        out[name] = dict(acc=acc, params=params, epoch_s=float(np.median(times)), slopes=slopes,
                         unit_move=move)  # fmt: skip
        if name == "RReLU":  # the arm's own activation module, after training
            out["rrelu_train_slopes"] = train_slopes(model[1], seed)
    return out


def _last_minus_first(slopes: np.ndarray):
    """Paired (over seeds) final slope of the last hidden layer minus the first's; None when
    the arm has no PReLU layer (then it is not the arm it claims to be)."""
    if slopes.ndim < 3 or slopes.shape[2] == 0:
        return None
    return paired_diff(slopes[:, -1, -1], slopes[:, -1, 0])


def aggregate(runs: list[dict]) -> dict:
    acc = {n: [r[n]["acc"] for r in runs] for n in MODELS}
    diff = {n: paired_diff(acc[n], acc["ReLU"]) for n in MODELS if n != "ReLU"}
    slopes = {n: np.array([r[n]["slopes"] for r in runs]) for n in PRELUS}  # (seeds, epochs+1, L)
    return dict(
        n_seeds=len(runs),
        acc={n: mean_ci(v) for n, v in acc.items()},
        diff=diff,
        holm=holm({n: d.p for n, d in diff.items()}),
        extra_params={n: runs[0][n]["params"] - runs[0]["ReLU"]["params"] for n in MODELS},
        time_ratio={
            n: mean_ci([r[n]["epoch_s"] / r["ReLU"]["epoch_s"] for r in runs]) for n in MODELS
        },  # fmt: skip
        slope_curve={  # per arm, per layer: the mean slope after each epoch, with its interval
            n: [[mean_ci(s[:, e, k]) for e in range(s.shape[1])] for k in range(s.shape[2])]
            for n, s in slopes.items()
        },
        min_move={  # the smallest over seeds of the largest layer's mean |slope - init|
            n: min(r[n]["unit_move"] for r in runs) for n in PRELUS
        },
        depth_trend=_last_minus_first(slopes[PRELUS[0]]),
        rrelu_slopes=[r["rrelu_train_slopes"] for r in runs],
    )


def _rrelu_is_random(t: dict) -> bool:
    """RReLU's training slopes vary inside [1/8, 1/3] and differ between seeds."""
    s = np.array(t["rrelu_slopes"])
    inside = s[:, 0].min() >= 1 / 8 - 1e-6 and s[:, 1].max() <= 1 / 3 + 1e-6
    return bool(inside and s[:, 2].min() > 0.03 and len({tuple(x) for x in s.tolist()}) == len(s))


def _arms_differ(t: dict) -> bool:
    """Each variant is what it says: RReLU random, PReLU's slopes learned (not frozen)."""
    return _rrelu_is_random(t) and min(t["min_move"].values()) > 0


def claims(t: dict) -> dict[str, bool]:
    extra, diff = t["extra_params"], t["diff"]
    out = {
        "PReLU adds one parameter per layer (shared) or per unit (channel-wise); leaky ReLU "
        "and RReLU add none": extra["PReLU (shared)"] == DEPTH
        and extra["PReLU (channel-wise)"] == DEPTH * WIDTH
        and extra["LeakyReLU"] == extra["RReLU"] == 0,
        f"in every seed PReLU's slopes leave their init by >= {MOVED}": all(
            t["min_move"][n] >= MOVED for n in PRELUS
        ),
        "shared PReLU learns a larger slope in the last hidden layer than in the first": bool(
            t["depth_trend"] is not None and t["depth_trend"].lo > 0
        ),
        "RReLU's training slopes are random, inside [1/8, 1/3]": _rrelu_is_random(t),
        "no variant is more accurate than ReLU (Holm over 4 comparisons)": _arms_differ(t)
        and not any(t["holm"][n] and d.lo > 0 for n, d in diff.items()),
    }
    if t["n_seeds"] >= N_SEEDS:  # quick mode's few seeds cannot bound the difference this tightly
        out[f"no variant beats ReLU by {NO_GAIN} or more (paired 95% CI)"] = _arms_differ(
            t
        ) and all(d.hi < NO_GAIN for d in diff.values())
    return out


def summarize(t: dict) -> list[str]:
    out = []
    for n in PRELUS:
        final = [curve[-1] for curve in t["slope_curve"][n]]
        out.append(
            f"{n}: from {PRELU_INIT} the layers' mean slopes went to "
            + ", ".join(str(iv) for iv in final)
            + f" (every seed moved by >= {fmt(t['min_move'][n])})."
        )
        negative = [str(k + 1) for k, iv in enumerate(final) if iv.hi < 0]
        if negative:
            out[-1] += (
                f" In layer(s) {', '.join(negative)} the slope ended below 0 (whole interval): "
                "nothing keeps a >= 0, and with a < 0 the unit is no longer monotonic (a = -1 "
                "would be |x|), a function neither ReLU nor leaky ReLU can express."
            )
    out.append(
        "Shared PReLU's slope in the last hidden layer minus the first: "
        + f"{t['depth_trend']}"
        + " (He et al. found the opposite trend in a deep CNN: the task decides)."
    )
    out.append(
        f"The price in parameters: {t['extra_params']['PReLU (shared)']} extra for the shared "
        f"version, {t['extra_params']['PReLU (channel-wise)']} for the channel-wise one; RReLU "
        "and leaky ReLU add none. Time per epoch vs ReLU: "
        + ", ".join(f"{n} {fmt(t['time_ratio'][n].mean)}x" for n in MODELS[1:])
        + " (machine-dependent; not a claim)."
    )
    for n, d in t["diff"].items():
        s = difference_sentence(n, "ReLU", d, "test accuracy", t["holm"][n])
        out.append(f"{s[0].upper() + s[1:]} ({t['n_seeds']} seeds, Holm over 4 comparisons).")
    return out


def render(t: dict) -> list[tuple[str, list[str], list[list]]]:
    rows = [
        [
            n,
            t["extra_params"][n],
            fmt(t["time_ratio"][n].mean),
            str(t["acc"][n]),
            "-" if n == "ReLU" else str(t["diff"][n]),
            ", ".join(fmt(c[-1].mean) for c in t["slope_curve"].get(n, [])) or "-",
        ]  # fmt: skip
        for n in MODELS
    ]
    head = ["activation", "extra params", "time vs ReLU", "test acc", "vs ReLU (paired)"]
    return [(f"PReLU and RReLU ({t['n_seeds']} seeds, 95% CI)", head + ["final slopes"], rows)]


def figures(t: dict, out: str) -> list[str]:
    return [save_figure(figure(t), out, "06_prelu_rrelu.png")]


def figure(t: dict):
    """Left, middle: mean PReLU slope per layer by epoch (95% band). Right: paired differences."""
    fig, axes = pyplot().subplots(1, 3, figsize=(15, 4.2))
    for ax, n in zip(axes, PRELUS):
        for k, curve in enumerate(t["slope_curve"][n]):
            m = np.array([iv.mean for iv in curve])
            ax.plot(np.arange(len(m)), m, color=f"C{k}", label=f"hidden layer {k + 1}")
            ax.fill_between(np.arange(len(m)), [iv.lo for iv in curve], [iv.hi for iv in curve],
                            color=f"C{k}", alpha=0.2)  # fmt: skip
        ax.axhline(PRELU_INIT, color="gray", ls=":", lw=1)
        ax.set(xlabel="epoch", ylabel="layer's mean slope a", title=f"{n} (band: 95% CI)")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.15), ncol=3)
    names = list(t["diff"])
    y = np.arange(len(names))[::-1]
    for yi, n in zip(y, names):
        d = t["diff"][n]
        axes[2].errorbar([d.mean], [yi], xerr=[[d.mean - d.lo], [d.hi - d.mean]], fmt="o",
                         color="C3", mfc="C3" if t["holm"][n] else "white", capsize=3)  # fmt: skip
    axes[2].axvline(0, color="gray", lw=1)
    axes[2].set_yticks(y, names)
    axes[2].set(xlabel="test accuracy minus ReLU's (same seed)")
    axes[2].set_title("Paired difference vs ReLU, 95% CI\n(filled: significant after Holm)")
    fig.tight_layout()
    return fig


run = make_run(__name__)

if __name__ == "__main__":
    lesson_main(__name__)
