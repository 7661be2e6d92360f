"""Lesson 8: the shoot-out -- nine activations, each at its own best learning rate, many seeds.

The earlier lessons took the claims apart one by one. This one puts the candidates side by side
on the same task and lets the numbers answer the question of the series: why isn't leaky ReLU
always preferable to ReLU?

Setup: MNIST-1D (40 numbers per sequence, 10 classes), an MLP with two hidden layers of 100 units,
Adam (batches of 100), once per seed and activation: ReLU, leaky ReLU (0.01), PReLU (one learned
slope per layer, init 0.25), ELU, SELU, GELU, SiLU, tanh and sigmoid. Each gets its textbook init:
He normal for the ReLU family and its smooth cousins, LeCun normal for SELU, Xavier normal for tanh
(gain 5/3) and sigmoid; biases 0. With one seed every activation starts from the same random draws
(up to that scale) and sees the same batches, so the per-seed differences against ReLU are paired.

A fair fight: one learning rate for all would favour whoever it happens to suit. So each activation
picks its own, per seed: the last VAL rows of the training set are carved off as a validation split,
a model is trained on the rest at every rate of LRS, and the rate with the best validation accuracy
wins. Only that model ever sees the test set, once. The grid is wide enough that no choice sits at
its edge (the lesson checks it: a choice at the edge would mean the grid cut the search short). It
was widened until none did: with rates from 3e-3 to 3e-2, tanh chose 3e-3 and sigmoid 3e-2, the
two edges; the four rates from 1e-3 to 1e-1 (a factor of ~4.6 apart) leave both inside.

Nine activations make eight comparisons with ReLU; at 5% each, one of them would come out
"significant" by chance about a third of the time. Holm's step-down correction keeps the chance of
any false claim in the family at 5%: a difference is stated only when it survives it.

Measured per run, with `tinygrad_act.diagnostics` on the training rows after training: test
accuracy; sparsity (hidden outputs exactly 0); dead units (f'(pre) = 0 on every training input,
i.e. units that pass no gradient at all); time per epoch (reported, never claimed: it depends on
the machine's load).

Quick mode (the tests, tools/blas_claims.py): four of the nine (ReLU, leaky ReLU, ELU, sigmoid),
1000 training rows, 5 epochs, 5 seeds -- the same machinery in seconds.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
from lessons._common import lesson_main, make_run, mlp, pyplot, save_figure  # noqa: E402
from lessons._stats import difference_sentence, fmt, holm, mean_ci, paired_diff  # noqa: E402
from tinygrad_act import data, diagnostics, nn, optim, train  # noqa: E402

WIDTH, DEPTH, BATCH, LEAKY_SLOPE = 100, 2, 100, 0.01
LRS = (1e-3, 4.6e-3, 2.2e-2, 1e-1)  # Adam, log-spaced; wide enough that no choice is an edge
EPOCHS, QUICK_EPOCHS = 10, 5
N_SEEDS, QUICK_N_SEEDS = 10, 5
VAL = 1000  # validation rows carved from the end of the 4000 training rows
QUICK_TRAIN = 1000  # quick mode: training rows before the validation split
QUICK_NAMES = ("ReLU", "LeakyReLU", "ELU", "Sigmoid")  # quick mode: four of the nine
ALIKE = 0.03  # "leaky ~ ReLU": the paired interval lies inside +-ALIKE (claimed from 10 seeds)
NO_ZEROS = ("LeakyReLU", "PReLU", "ELU", "SELU", "SiLU", "Tanh", "Sigmoid")  # GELU underflows

ACTIVATIONS = {  # name -> (module factory, init of the Linear weights)
    "ReLU": (nn.ReLU, "he"),
    "LeakyReLU": (lambda: nn.LeakyReLU(LEAKY_SLOPE), "he"),
    "PReLU": (nn.PReLU, "he"),
    "ELU": (nn.ELU, "he"),
    "SELU": (nn.SELU, "lecun"),
    "GELU": (nn.GELU, "he"),
    "SiLU": (nn.SiLU, "he"),
    "Tanh": (nn.Tanh, "xavier-tanh"),
    "Sigmoid": (nn.Sigmoid, "xavier"),
}


def init_linear(layer: nn.Linear, scheme: str) -> None:
    if scheme == "he":
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    elif scheme == "lecun":
        nn.init.lecun_normal_(layer.weight)
    elif scheme == "xavier-tanh":
        nn.init.xavier_normal_(layer.weight, gain=nn.init.calculate_gain("tanh"))
    else:
        nn.init.xavier_normal_(layer.weight)
    nn.init.zeros_(layer.bias)


def make_model(name: str, seed: int, width: int = WIDTH, depth: int = DEPTH) -> nn.Sequential:
    factory, scheme = ACTIVATIONS[name]
    ta.manual_seed(seed)
    return mlp(40, 10, width, depth, factory, init=lambda layer: init_linear(layer, scheme))


def splits(quick: bool):
    """(train, validation, test) as (X, y) pairs: validation = the last VAL training rows."""
    Xtr, ytr, Xte, yte = data.load_mnist1d()
    n = (QUICK_TRAIN if quick else len(Xtr) - VAL) + VAL
    Xtr, ytr = Xtr[:n], ytr[:n]
    return (Xtr[:-VAL], ytr[:-VAL]), (Xtr[-VAL:], ytr[-VAL:]), (Xte, yte)


def hidden_stats(model: nn.Module, X: np.ndarray) -> tuple[float, float]:
    """(sparsity, dead fraction) over all hidden units, from one diagnostics pass over X."""
    with diagnostics.watch(model, track_grads=False) as mon:
        layers = mon.measure(X)
    units = sum(st.n_units for st in layers.values())
    zeros = sum(st.sparsity * st.n_units for st in layers.values()) / units
    dead = sum(int(st.blocks_gradient.sum()) for st in layers.values()) / units
    return float(zeros), float(dead)


def accuracy(model, X, y) -> float:
    return train.evaluate(model, data.DataLoader(X, y, batch_size=1000))[1]


def fit(model, lr: float, X, y, epochs: int, seed: int) -> float | None:
    """Train with Adam at lr; the median seconds per epoch, or None if the loss diverged (a
    too-high rate: recorded as such, never chosen, never averaged)."""
    opt = optim.Adam(model.parameters(), lr=lr)
    loader = data.DataLoader(X, y, BATCH, shuffle=True, seed=seed)
    try:
        history = train.fit(model, loader, opt, epochs=epochs, progress=False, compile=True)
        return float(np.median(history["time"]))
    except RuntimeError as e:  # train.fit stops on a NaN/inf loss with "the loss became ..."
        if "the loss became" not in str(e):
            raise
        return None


def measure(seed: int, quick: bool = False, names=None) -> dict:
    """Per activation: validation accuracy at every rate (None: diverged), the chosen rate, and
    (for the chosen model only) test accuracy, sparsity, dead fraction and time per epoch."""
    (Xt, yt), (Xv, yv), (Xs, ys) = splits(quick)
    names = names or (QUICK_NAMES if quick else tuple(ACTIVATIONS))
    out = {}
    for name in names:
        val, best = [], None
        for lr in LRS:
            model = make_model(name, seed)
            t = fit(model, lr, Xt, yt, QUICK_EPOCHS if quick else EPOCHS, seed)
            val.append(None if t is None else accuracy(model, Xv, yv))
            if t is not None and (best is None or val[-1] > best[0]):  # ties: the smaller rate
                best = (val[-1], lr, model, t)
        _, lr, model, t = best
        sparsity, dead = hidden_stats(model, Xt)
        test = accuracy(model, Xs, ys)  # the test set, once
        out[name] = dict(val=val, lr=lr, acc=test, sparsity=sparsity, dead=dead, epoch_s=t)
    return out


def _val_ci(values: list):
    """Mean validation accuracy (95% CI) over the runs that did not diverge; None if all did."""
    ok = [v for v in values if v is not None]
    return mean_ci(ok) if ok else None


def aggregate(runs: list[dict]) -> dict:
    names = list(runs[0])
    col = {k: {n: [r[n][k] for r in runs] for n in names} for k in ("acc", "sparsity", "dead")}
    diffs = {n: paired_diff(col["acc"][n], col["acc"]["ReLU"]) for n in names if n != "ReLU"}
    sig = holm({n: d.p for n, d in diffs.items()})
    time_ratio = {n: mean_ci([r[n]["epoch_s"] / r["ReLU"]["epoch_s"] for r in runs]) for n in names}
    val = {n: [_val_ci([r[n]["val"][i] for r in runs]) for i in range(len(LRS))] for n in names}
    diverged = {n: [sum(r[n]["val"][i] is None for r in runs) for i in range(len(LRS))]
                for n in names}  # fmt: skip
    chosen = {n: [LRS.index(r[n]["lr"]) for r in runs] for n in names}
    return dict(
        names=names,
        lrs=list(LRS),
        n_seeds=len(runs),
        acc={n: mean_ci(v) for n, v in col["acc"].items()},
        acc_runs=col["acc"],
        diff=diffs,
        holm=sig,
        sparsity={n: mean_ci(v) for n, v in col["sparsity"].items()},
        dead={n: mean_ci(v) for n, v in col["dead"].items()},
        dead_runs=col["dead"],
        time_ratio=time_ratio,
        val=val,
        diverged=diverged,
        chosen=chosen,
    )


def _rate_counts(t: dict, n: str) -> str:
    idx = t["chosen"][n]
    return ", ".join(f"{t['lrs'][i]:g} x{idx.count(i)}" for i in sorted(set(idx)))


def _edge_free(t: dict) -> bool:
    last = len(t["lrs"]) - 1
    return all(0 < i < last for idx in t["chosen"].values() for i in idx)


def _arms_differ(t: dict) -> bool:
    """Leaky ReLU has no exact zeros and ReLU many: two copies of one model cannot pass."""
    return bool(t["sparsity"]["LeakyReLU"].hi < 0.01 < t["sparsity"]["ReLU"].lo)


def _leaky_alike(t: dict) -> bool:
    d = t["diff"]["LeakyReLU"]
    return bool(_arms_differ(t) and -ALIKE < d.lo and d.hi < ALIKE)


def claims(t: dict) -> dict[str, bool]:
    mean = {n: t["acc"][n].mean for n in t["names"]}
    leaky = t["diff"]["LeakyReLU"]
    out = {
        "no activation's chosen rate sits at the edge of the grid": _edge_free(t),
        "no difference detected between leaky ReLU and ReLU at their own best rates": bool(
            _arms_differ(t) and not (leaky.excludes_zero and t["holm"]["LeakyReLU"])
        ),
        "ReLU's hidden outputs are >= 30% exact zeros; every other activation's < 1% (GELU's "
        "underflows aside)": bool(
            t["sparsity"]["ReLU"].lo >= 0.3
            and all(t["sparsity"][n].hi < 0.01 for n in NO_ZEROS if n in t["names"])
        ),
        "ReLU units die in most runs, leaky ReLU units in none": bool(
            np.mean(np.array(t["dead_runs"]["ReLU"]) > 0) >= 0.5
            and max(t["dead_runs"]["LeakyReLU"]) == 0.0
        ),
        "sigmoid is last, below ReLU after Holm's correction": bool(
            min(mean, key=mean.get) == "Sigmoid"
            and t["holm"]["Sigmoid"]
            and t["diff"]["Sigmoid"].hi < 0
        ),
    }
    if t["n_seeds"] >= N_SEEDS:  # quick mode's few seeds cannot bound the difference this tightly
        out[f"leaky ReLU ~ ReLU: paired 95% CI inside +-{ALIKE}"] = _leaky_alike(t)
    return out


def summarize(t: dict) -> list[str]:
    mean = {n: t["acc"][n].mean for n in t["names"]}
    ranking = sorted(t["names"], key=lambda n: -mean[n])
    leaky = t["diff"]["LeakyReLU"]
    sig = [n for n in t["names"] if n != "ReLU" and t["holm"][n] and t["diff"][n].excludes_zero]
    says = difference_sentence("leaky ReLU", "ReLU", leaky, "test accuracy", t["holm"]["LeakyReLU"])
    leaky_same = not (leaky.excludes_zero and t["holm"]["LeakyReLU"])
    out = [
        f"Each activation trained at its own best rate, chosen per seed on a validation split "
        f"from {len(t['lrs'])} candidates ({', '.join(f'{x:g}' for x in t['lrs'])}); "
        + ("no choice sat at the grid's edge." if _edge_free(t) else "SOME CHOICE SAT AT AN EDGE.")
        + " Chosen rates: "
        + "; ".join(f"{n} {_rate_counts(t, n)}" for n in t["names"])
        + ".",
        f"Leaky ReLU vs ReLU over {t['n_seeds']} paired seeds: {says[0].upper() + says[1:]}."
        + (f" So leaky ~ ReLU (within +-{ALIKE}) still holds." if _leaky_alike(t) else ""),
        "Ranking by mean test accuracy: " + ", ".join(f"{n} {fmt(mean[n])}" for n in ranking) + ".",
        f"{len(t['names']) - 1} comparisons with ReLU, controlled with Holm's correction "
        "(family-wise 5%): "
        + (
            "significant: " + ", ".join(f"{n} {t['diff'][n]}" for n in sig)
            if sig
            else "none is significant"
        )
        + "; every other activation: no difference detected.",
        f"ReLU's units do die: {t['dead']['ReLU']} of them ended dead (leaky ReLU: none)"
        + ("; yet no accuracy difference to leaky ReLU was detected" if leaky_same else "")
        + f". ReLU keeps a sparse code: {fmt(t['sparsity']['ReLU'].mean)} of its hidden outputs "
        f"are exact zeros (leaky ReLU: {fmt(t['sparsity']['LeakyReLU'].mean)}).",
    ]
    return out


def _val_cell(v, diverged: int) -> str:
    if v is None:
        return "diverged"
    return fmt(v.mean) + (f" ({diverged} diverged)" if diverged else "")


def render(t: dict) -> list[tuple[str, list[str], list[list]]]:
    order = sorted(t["names"], key=lambda n: -t["acc"][n].mean)
    rows = [
        [
            n,
            _rate_counts(t, n),
            str(t["acc"][n]),
            "-" if n == "ReLU" else str(t["diff"][n]),
            "-" if n == "ReLU" else ("yes" if t["holm"][n] else "no"),
            fmt(t["sparsity"][n].mean),
            fmt(t["dead"][n].mean),
            fmt(t["time_ratio"][n].mean),
        ]
        for n in order
    ]
    head = ["activation", "chosen lr (seeds)", "test acc", "vs ReLU (paired)", "Holm"]
    head += ["exact zeros", "dead units", "time vs ReLU"]
    val_rows = [
        [n] + [_val_cell(v, k) for v, k in zip(t["val"][n], t["diverged"][n])] for n in t["names"]
    ]
    return [
        (f"Test accuracy at each activation's chosen rate ({t['n_seeds']} seeds)", head, rows),
        (
            "Validation accuracy by learning rate (mean over seeds)",
            ["activation"] + [f"lr {x:g}" for x in t["lrs"]],
            val_rows,
        ),  # fmt: skip
    ]


def figures(t: dict, out: str) -> list[str]:
    return [save_figure(figure(t), out, "08_shootout.png")]


def figure(t: dict):
    """Paired differences vs ReLU, validation accuracy by rate, sparsity and dead units."""
    fig, axes = pyplot().subplots(1, 3, figsize=(16, 4.8))
    others = [n for n in t["names"] if n != "ReLU"]
    diff_dots(axes[0], others, [t["diff"][n] for n in others], [t["holm"][n] for n in others])
    axes[0].set(xlabel="test accuracy minus ReLU's (same seed)")
    axes[0].set_title("Paired difference vs ReLU, 95% CI\n(filled: significant after Holm)")
    for i, n in enumerate(t["names"]):
        ok = [(lr, v) for lr, v in zip(t["lrs"], t["val"][n]) if v is not None]
        iv = [v for _, v in ok]
        axes[1].errorbar([lr for lr, _ in ok], [v.mean for v in iv], yerr=half_widths(iv),
                         marker="o", ms=3, capsize=2, color=f"C{i}", label=n)  # fmt: skip
        gone = [lr for lr, k in zip(t["lrs"], t["diverged"][n]) if k]
        axes[1].plot(gone, [0.0] * len(gone), "x", color=f"C{i}", ms=8)  # where runs diverged
    axes[1].set(xscale="log", xlabel="Adam learning rate", ylabel="validation accuracy")
    axes[1].set_title("Validation accuracy by rate (95% CI; x at 0: a run diverged)")
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))  # outside the data
    log_dots(axes[2], t["names"], {"exact zeros": t["sparsity"], "dead units": t["dead"]})
    axes[2].set_title("Hidden layers after training (symlog: 0 and 0.001 both readable)")
    fig.tight_layout()
    return fig


def half_widths(ivs) -> np.ndarray:
    """(2, n) distances from each mean down to lo and up to hi, for errorbar's yerr/xerr."""
    return np.array([[v.mean - v.lo for v in ivs], [v.hi - v.mean for v in ivs]])


def diff_dots(ax, labels, ivs, significant) -> None:
    """A dot per difference with its 95% CI, a line at 0; hollow dots are not significant."""
    y = np.arange(len(labels))[::-1]
    for yi, iv, sig in zip(y, ivs, significant):
        face = "C3" if sig else "white"
        ax.errorbar([iv.mean], [yi], xerr=half_widths([iv]), fmt="o", color="C3", mfc=face,
                    capsize=3)  # fmt: skip
    ax.axvline(0, color="gray", lw=1)
    ax.set_yticks(y, labels)


def log_dots(ax, names, series: dict) -> None:
    """Dots with 95% CIs on a symlog axis (linear below 1e-3), each labelled with its value."""
    y = np.arange(len(names))[::-1]
    for k, (label, ivs) in enumerate(series.items()):
        yk = y + (0.2 if k == 0 else -0.2)
        iv = [ivs[n] for n in names]
        ax.errorbar([v.mean for v in iv], yk, xerr=half_widths(iv), fmt="o", ms=4, capsize=2,
                    color=f"C{k}", label=label)  # fmt: skip
        for v, yi in zip(iv, yk):
            ax.annotate(fmt(v.mean), (max(v.hi, 0), yi), xytext=(4, -3), fontsize=7,
                        textcoords="offset points", color=f"C{k}")  # fmt: skip
    ax.set_xscale("symlog", linthresh=1e-3)
    ax.set_xlim(-1e-4, 2.0)
    ax.set_yticks(y, names)
    ax.set_xlabel("fraction (symlog)")
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.08), ncol=2)


run = make_run(__name__)

if __name__ == "__main__":
    lesson_main(__name__)
