"""Lesson 10: beyond MLPs -- do dead ReLUs survive convolutions, BatchNorm and residual blocks?

Lessons 1-9 train MLPs. People meet the ReLU-vs-leaky choice in convolutional and residual
networks with BatchNorm, and BatchNorm is often named as the reason dying ReLUs are rare. This
lesson grows the networks and asks again.

Setup: MNIST-1D as (N, 1, 40) signals; four architectures (lessons/_lesson10.py):
  cnn      the MNIST-1D paper's CNN: three stride-2 Conv1d (25 channels), activation, Linear
  cnn+bn   the same with BatchNorm1d after each convolution (convolutions without bias)
  res      a stride-2 stem and 3 residual blocks of two Conv1d (32 channels; 7 convolutions deep),
           global average pooling, Linear
  res+bn   the same with BatchNorm1d after each convolution
each with ReLU and with LeakyReLU(LEAKY_SLOPE); Adam, STEPS batches of 100, at a good learning rate
(LR_GOOD) and a too-high one (LR_HIGH). The arms of one seed share data, init seed and batches, so
differences are paired by seed. After training, in eval mode, on the training signals: "dead" = the
share of channels (of every activation layer) never positive at any position for any input;
"exact zeros" = the share of activation outputs that are exactly 0; then test accuracy.

What to look for: without BatchNorm, ReLU channels die even at the good rate and in large numbers
at the too-high one; with BatchNorm almost none do, and accuracy follows. ReLU keeps its exact
zeros under BatchNorm; leaky ReLU has none anywhere.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from lessons._common import half_widths, lesson_main, make_run, pyplot, save_figure  # noqa: E402
from lessons._lesson10 import ACTS, ARCHS, LEAKY_SLOPE, load, train_one  # noqa: E402
from lessons._stats import difference_sentence, mean_ci, paired_diff  # noqa: E402

N_SEEDS, QUICK_N_SEEDS = 10, 3
LR_GOOD, LR_HIGH = 1e-2, 5e-2
STEPS, QUICK_STEPS, QUICK_TRAIN = 250, 150, 1000
SLOPE_BOUND = 0.06  # leaky - ReLU, res+bn, lr 0.01: 95% CIs -0.026..0.049 over core types
LEAKY_ZEROS_MAX = 1e-4  # pre exactly 0 (or slope * pre underflowing) is rare, never a share
SAY = {"relu": "ReLU", "leaky": "leaky ReLU", "cnn": "CNN", "cnn+bn": "CNN + BatchNorm",
       "res": "residual CNN", "res+bn": "residual CNN + BatchNorm"}  # fmt: skip
FIELDS = ("dead", "zeros", "acc")


def arms(quick: bool) -> list[tuple[float, str, str]]:
    """(lr, arch, act) of every run of one seed; quick mode: the too-high rate, ReLU only."""
    if quick:
        return [(LR_HIGH, arch, "relu") for arch in ARCHS]
    return [(lr, arch, act) for lr in (LR_GOOD, LR_HIGH) for arch in ARCHS for act in ACTS]


def key(lr: float, arch: str, act: str) -> str:
    return f"lr={lr:g} {arch} {act}"


def measure(seed: int, quick: bool = False) -> dict:
    """One seed: every arm trained from the same init seed and batch order."""
    ds = load(seed, QUICK_TRAIN if quick else None)
    steps = QUICK_STEPS if quick else STEPS
    return {key(*a): train_one(ds, a[1], a[2], a[0], steps, seed)[0] for a in arms(quick)}


def aggregate(runs: list[dict]) -> dict:
    """Means (95% CI) per arm; paired differences: plain - BN, leaky - ReLU."""
    t: dict = dict(n=len(runs), arms={}, bn={}, leaky={})
    for k in runs[0]:
        rs = [r[k] for r in runs]
        t["arms"][k] = {f: mean_ci([x[f] for x in rs]) for f in FIELDS}
        dead = [x["dead"] for x in rs]
        t["arms"][k].update(dead_min=min(dead), dead_max=max(dead),
                            diverged=sum(x["diverged"] is not None for x in rs))  # fmt: skip
    for k in runs[0]:
        lr, arch, act = k.split()
        plain = f"{lr} {arch.removesuffix('+bn')} {act}"
        if arch.endswith("+bn") and plain in runs[0]:  # plain minus BN: dead and accuracy
            t["bn"][f"{plain} - bn"] = {
                f: paired_diff([r[plain][f] for r in runs], [r[k][f] for r in runs]) for f in FIELDS
            }
            t["bn"][f"{plain} - bn"]["wins"] = dict(  # seeds where BatchNorm does better
                dead=sum(r[plain]["dead"] > r[k]["dead"] for r in runs),
                acc=sum(r[plain]["acc"] < r[k]["acc"] for r in runs),
            )
        if act == "leaky":
            relu = f"{lr} {arch} relu"
            t["leaky"][f"{lr} {arch}"] = {
                f: paired_diff([r[k][f] for r in runs], [r[relu][f] for r in runs]) for f in FIELDS
            }
    return t


def claims(t: dict) -> dict[str, bool]:
    """Every claim the summary and README state. Quick mode (3 seeds, the too-high rate, ReLU)
    checks the per-seed ones; the interval claims need full mode's arms and 10 seeds."""
    a, c, hi, good = t["arms"], {}, f"lr {LR_HIGH:g}", f"lr {LR_GOOD:g}"
    full = key(LR_GOOD, "cnn", "leaky") in a
    for arch in ("cnn", "res"):
        d = t["bn"][f"{key(LR_HIGH, arch, 'relu')} - bn"]
        c[f"{hi}, {arch}, ReLU: BatchNorm leaves fewer dead channels in every seed"] = (
            d["wins"]["dead"] == t["n"]
        )
        if not full:
            continue
        c[f"{hi}, {arch}, ReLU: BatchNorm leaves fewer dead channels (95% CI)"] = d["dead"].lo > 0
        # (the residual CNN's gain at LR_GOOD, ~0.05..0.08, lost its interval under one BLAS kernel)
        for lr in (LR_GOOD, LR_HIGH) if arch == "cnn" else (LR_HIGH,):
            d = t["bn"][f"{key(lr, arch, 'relu')} - bn"]
            c[f"lr {lr:g}, {arch}, ReLU: BatchNorm raises accuracy (95% CI)"] = d["acc"].hi < 0
        c[f"{good}, {arch}, ReLU: channels die in every seed"] = (
            a[key(LR_GOOD, arch, "relu")]["dead_min"] > 0
        )
        c[f"{good}, {arch}+bn, ReLU: no channel dies in any seed"] = (
            a[key(LR_GOOD, arch + "+bn", "relu")]["dead_max"] == 0
        )
        lk = t["leaky"][f"lr={LR_GOOD:g} {arch}"]
        c[f"{good}, {arch}: leaky ReLU leaves fewer channels never positive"] = lk["dead"].hi < 0
    if full:  # the deep residual network's question: with BatchNorm the slope moves little
        d = t["leaky"][f"lr={LR_GOOD:g} res+bn"]["acc"]
        c[f"{good}, res+bn: leaky - ReLU accuracy within +-{SLOPE_BOUND:g} (95% CI)"] = (
            -SLOPE_BOUND < d.lo and d.hi < SLOPE_BOUND
        )
        d = t["leaky"][f"lr={LR_HIGH:g} res+bn"]["acc"]
        c[f"{hi}, res+bn: no accuracy difference between leaky ReLU and ReLU"] = not d.excludes_zero
    relu = [v for k, v in a.items() if k.endswith("relu")]
    c["ReLU networks keep > 30% exact zeros, with BatchNorm too"] = all(
        v["zeros"].lo > 0.3 for v in relu
    )
    if full:
        c[f"{good}, cnn: leaky ReLU's accuracy is higher than ReLU's"] = (
            t["leaky"][f"lr={LR_GOOD:g} cnn"]["acc"].lo > 0
        )
        c[f"{hi}, res: leaky ReLU's accuracy is not higher than ReLU's"] = (
            t["leaky"][f"lr={LR_HIGH:g} res"]["acc"].lo <= 0
        )
        leaky = [v for k, v in a.items() if k.endswith("leaky")]
        c[f"leaky ReLU's exact zeros < {LEAKY_ZEROS_MAX:g} everywhere"] = all(
            v["zeros"].mean < LEAKY_ZEROS_MAX for v in leaky
        )
    return c


def _lrs(t: dict) -> list[float]:
    return [lr for lr in (LR_GOOD, LR_HIGH) if any(k.startswith(f"lr={lr:g} ") for k in t["arms"])]


def summarize(t: dict) -> list[str]:
    """Sentences built from the numbers; a difference only where its interval excludes zero."""
    a, out = t["arms"], []
    for lr in _lrs(t):
        parts = [f"{SAY[arch]} {a[key(lr, arch, 'relu')]['dead']} dead, accuracy "
                 f"{a[key(lr, arch, 'relu')]['acc']}" for arch in ARCHS]  # fmt: skip
        out.append(f"lr {lr:g}, ReLU, share of channels dead: " + "; ".join(parts) + ".")
        for arch in ("cnn", "res"):
            for act in ACTS:
                d = t["bn"].get(f"{key(lr, arch, act)} - bn")
                if d is None:
                    continue
                plain, bn = f"{SAY[arch]} ({SAY[act]})", f"{SAY[arch + '+bn']} ({SAY[act]})"
                dead = difference_sentence(plain, bn, d["dead"], "dead channels")
                acc = difference_sentence(plain, bn, d["acc"], "accuracy")
                out.append(f"lr {lr:g}: {dead}; {acc}.")
        for arch, d in (
            (k.split()[1], v) for k, v in t["leaky"].items() if k.startswith(f"lr={lr:g} ")
        ):
            leaky = f"leaky ReLU (slope {LEAKY_SLOPE:g})"
            acc = difference_sentence(leaky, "ReLU", d["acc"], "accuracy")
            out.append(f"lr {lr:g}, {SAY[arch]}: {acc}.")
    z = [v["zeros"] for k, v in a.items() if k.endswith("relu")]
    zl = [v["zeros"].mean for k, v in a.items() if k.endswith("leaky")]
    out.append(
        f"Exact zeros: ReLU's outputs are {min(v.mean for v in z):.0%}.."
        f"{max(v.mean for v in z):.0%}"
        " exactly 0 in every architecture, BatchNorm or not"
        + (f"; leaky ReLU's: {max(zl):.0%}." if zl else ".")
    )
    return out


def render(t: dict) -> list[tuple[str, list[str], list[list]]]:
    rows = []
    for k, v in t["arms"].items():
        lr, arch, act = k.split()
        rows.append([lr.removeprefix("lr="), arch, act, v["dead"], v["zeros"], v["acc"],
                     f"{v['diverged']} of {t['n']}"])  # fmt: skip
    diffs = [[k.removesuffix(" - bn"), d["dead"], d["acc"]] for k, d in t["bn"].items()]
    leaky = [
        [k.removeprefix("lr="), d["dead"], d["zeros"], d["acc"]] for k, d in t["leaky"].items()
    ]
    tables = [
        (f"MNIST-1D, mean (95% CI) over {t['n']} seeds: dead channels and exact zeros (training "
         "signals, eval mode), test accuracy",
         ["lr", "network", "activation", "dead channels", "exact zeros", "test acc", "NaN loss"],
         rows),
        ("Without minus with BatchNorm, paired by seed (95% CI)",
         ["arm (without BatchNorm)", "dead channels", "test acc"], diffs),
    ]  # fmt: skip
    if leaky:
        head = ["lr, network", "dead channels", "exact zeros", "test acc"]
        tables.append(("Leaky ReLU minus ReLU, paired by seed (95% CI)", head, leaky))
    return tables


def figures(t: dict, out: str) -> list[str]:
    """Dead channels and test accuracy per arm (dots: means, bars: 95% intervals over seeds)."""
    fig, ax = pyplot().subplots(1, 2, figsize=(13, 0.35 * len(t["arms"]) + 1.5), sharey=True)
    keys = list(t["arms"])
    y = np.arange(len(keys))[::-1]
    for i, (f, title) in enumerate((("dead", "share of channels never positive (training set)"),
                                    ("acc", "test accuracy"))):  # fmt: skip
        for act, color in (("relu", "C0"), ("leaky", "C1")):
            sel = [j for j, k in enumerate(keys) if k.endswith(act)]
            if not sel:
                continue
            iv = [t["arms"][keys[j]][f] for j in sel]
            ax[i].errorbar([v.mean for v in iv], y[sel], xerr=np.nan_to_num(half_widths(iv)),
                           fmt="o", color=color, capsize=3, label=SAY[act])  # fmt: skip
        ax[i].set(title=title, xlim=(-0.02, 1.02))
        ax[i].grid(alpha=0.3)
        ax[i].legend(fontsize=8, loc="lower right")
    ax[0].set_yticks(y, [k.replace("=", " ").rsplit(" ", 1)[0] for k in keys], fontsize=8)
    fig.tight_layout()
    return [save_figure(fig, out, "10_cnn_batchnorm.png")]


run = make_run(__name__)

if __name__ == "__main__":
    lesson_main(__name__)
