"""Lesson 5: the fix through initialization -- start every unit alive, then compare.

Lesson 4 killed ReLU units on purpose: a negative bias (or a too-high learning rate) pushes a
unit's pre-activation below 0 on every input, its gradient is 0 from then on, and it never
recovers; leaky ReLU's small negative slope is the textbook rescue. But the rescue is only needed
if units die. The other fix acts earlier: initialize so that units START active.

Two knobs, both in `nn.init`: the weight scale (Xavier/Glorot, Var w = 2 / (fan_in + fan_out), or
He/Kaiming, Var w = 2 / fan_in, which makes up for ReLU zeroing half of a symmetric input) and the
bias (0 by default; a small positive constant shifts every pre-activation up).

Setup: MNIST-1D, an MLP with three hidden layers of 64 units, SGD with momentum 0.9 (lr 0.05,
batches of 100); every combination of {He, Xavier} x bias {0, 0.1} x {ReLU, leaky ReLU (0.01)} --
plus, for contrast, a bad start (Xavier, bias -1) that puts about half the units below zero from
the first step. With one seed ReLU and leaky ReLU start from the same weights and see the same
batches, so their accuracy difference is paired; each seed's difference is averaged over the
active starts, and the interval is over seeds. `diagnostics` measures on the training rows the
dead fraction (units never positive on any training input) at initialization and after training.

What to look for: whether any unit is born dead with the standard inits, what a bad start does to
each activation, and the claim: when units start active, ReLU and leaky ReLU end up alike -- the
negative slope has nothing to rescue.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import tinygrad_act as ta  # noqa: E402
from lessons._common import lesson_main, make_run, mlp, pyplot, save_figure  # noqa: E402
from lessons._stats import difference_sentence, fmt, mean_ci, paired_diff  # noqa: E402
from tinygrad_act import data, diagnostics, nn, optim, train  # noqa: E402

WIDTH, DEPTH, LR, MOMENTUM, BATCH = 64, 3, 0.05, 0.9, 100
INITS = ("He", "Xavier")
BIASES = (0.0, 0.1)
BAD_START = ("Xavier", -1.0)  # for contrast: about half the units start dead (He's larger
# weights keep most units alive at bias -1: only ~4% start dead)
ACTIVATIONS = ("ReLU", "LeakyReLU")
LEAKY_SLOPE = 0.01
EPOCHS, QUICK_EPOCHS = 15, 5
N_SEEDS, QUICK_N_SEEDS = 10, 4
QUICK_TRAIN = 1000  # quick mode: the first rows of the training set
ACTIVE = 0.01  # "units start active": at most this fraction dead at initialization
ALIKE = 0.02  # "alike": the paired 95% interval lies inside +-ALIKE
NEAR_CHANCE = 0.2  # MNIST-1D has 10 balanced classes: chance is 0.1


def configs() -> list[tuple[str, float]]:
    return [(i, b) for i in INITS for b in BIASES] + [BAD_START]


def label(init: str, bias: float) -> str:
    return f"{init}, bias {bias:g}"


def make_model(act: str, init: str, bias: float, seed: int) -> nn.Sequential:
    """The arm `act` of one configuration; same seed -> same weights for both activations."""
    if act not in ACTIVATIONS:
        raise ValueError(f"lesson 5: unknown activation {act!r}; use one of {ACTIVATIONS}")
    factory = nn.ReLU if act == "ReLU" else (lambda: nn.LeakyReLU(LEAKY_SLOPE))

    def init_linear(layer: nn.Linear) -> None:
        if init == "He":
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        else:
            nn.init.xavier_normal_(layer.weight)
        nn.init.constant_(layer.bias, bias)

    ta.manual_seed(seed)
    return mlp(40, 10, WIDTH, DEPTH, factory, init=init_linear)


def hidden_stats(model: nn.Sequential, X: np.ndarray) -> tuple[float, float]:
    """(dead fraction, fraction of hidden outputs < 0) over all hidden units on X."""
    with diagnostics.watch(model, track_grads=False) as mon:
        layers = mon.measure(X)
    units = sum(st.n_units for st in layers.values())
    dead = sum(int(st.never_positive.sum()) for st in layers.values()) / units
    negative, h = [], ta.tensor(X)
    with ta.no_grad():
        for m in model:
            h = m(h)
            if not isinstance(m, nn.Linear):
                negative.append(float((h.data < 0).mean()))
    return dead, float(np.mean(negative))


def measure(seed: int, quick: bool = False) -> dict:
    """Per configuration and arm: test accuracy, dead fraction at init and at the end, and the
    fraction of negative hidden outputs at the end (0 for ReLU, > 0 for a true leaky arm)."""
    Xtr, ytr, Xte, yte = data.load_mnist1d()
    if quick:
        Xtr, ytr = Xtr[:QUICK_TRAIN], ytr[:QUICK_TRAIN]
    out = {}
    for init, bias in configs():
        for act in ACTIVATIONS:
            model = make_model(act, init, bias, seed)
            dead0, _ = hidden_stats(model, Xtr)
            opt = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
            loader = data.DataLoader(Xtr, ytr, BATCH, shuffle=True, seed=seed)
            epochs = QUICK_EPOCHS if quick else EPOCHS
            train.fit(model, loader, opt, epochs=epochs, progress=False, compile=True)
            dead1, negative = hidden_stats(model, Xtr)
            acc = train.evaluate(model, data.DataLoader(Xte, yte, batch_size=1000))[1]
            out[f"{act} | {label(init, bias)}"] = dict(
                acc=acc, dead_init=dead0, dead_end=dead1, negative=negative
            )
    return out


def aggregate(runs: list[dict]) -> dict:
    keys = list(runs[0])
    col = {k: {key: [r[key][k] for r in runs] for key in keys} for k in runs[0][keys[0]]}
    labels = [label(i, b) for i, b in configs()]
    diff = {
        c: paired_diff(col["acc"][f"LeakyReLU | {c}"], col["acc"][f"ReLU | {c}"]) for c in labels
    }
    # "units start active" is decided from ReLU's dead fraction at init, over all seeds
    active = [c for c in labels if max(col["dead_init"][f"ReLU | {c}"]) <= ACTIVE]
    per_seed = [  # each seed's leaky - ReLU difference, averaged over the active starts
        np.mean([r[f"LeakyReLU | {c}"]["acc"] - r[f"ReLU | {c}"]["acc"] for c in active])
        for r in runs
    ] if active else [np.nan]  # fmt: skip
    bad = [label(*BAD_START)]
    return dict(
        labels=labels,
        active=active,
        bad=bad,
        n_seeds=len(runs),
        **{k: {key: mean_ci(v) for key, v in col[k].items()} for k in col},
        min_negative={key: min(v) for key, v in col["negative"].items()},
        diff=diff,
        diff_active=mean_ci(per_seed) if active else None,
        dead_end_diff={
            c: paired_diff(col["dead_end"][f"LeakyReLU | {c}"], col["dead_end"][f"ReLU | {c}"])
            for c in bad
        },  # fmt: skip
    )


def _arms_differ(t: dict) -> bool:
    """The leaky arm is leaky (negative outputs in every run), the ReLU arm is not."""
    leaky = [v for k, v in t["min_negative"].items() if k.startswith("LeakyReLU")]
    relu = [t["negative"][k].hi for k in t["negative"] if k.startswith("ReLU")]
    return bool(min(leaky) > 0 and max(relu) == 0)


def claims(t: dict) -> dict[str, bool]:
    d = t["diff_active"]
    good = [c for c in t["labels"] if c not in t["bad"]]
    return {
        f"He and Xavier with bias >= 0 start with at most {ACTIVE:.0%} dead ReLU units": bool(
            set(good) <= set(t["active"])
        ),
        f"the bad start ({label(*BAD_START)}) has >= 30% dead ReLU units at init": bool(
            all(t["dead_init"][f"ReLU | {c}"].lo >= 0.3 for c in t["bad"])
        ),
        f"when units start active, leaky ReLU ~ ReLU (paired 95% CI inside +-{ALIKE})": bool(
            d is not None and _arms_differ(t) and -ALIKE < d.lo and d.hi < ALIKE
        ),
        f"the bad start leaves both arms near chance (test accuracy < {NEAR_CHANCE})": bool(
            _arms_differ(t)
            and all(t["acc"][f"{a} | {c}"].hi < NEAR_CHANCE for a in ACTIVATIONS for c in t["bad"])
        ),
    }


def summarize(t: dict) -> list[str]:
    good = [c for c in t["labels"] if c not in t["bad"]]
    worst = max(good, key=lambda c: t["dead_init"][f"ReLU | {c}"].mean)
    out = [
        f"Born dead with the standard inits? The most at any start with bias >= 0 was "
        f"{fmt(t['dead_init'][f'ReLU | {worst}'].mean)} of ReLU units ({worst}); "
        + "; ".join(f"{c}: {t['dead_init'][f'ReLU | {c}']}" for c in t["bad"])
        + " dead at init with the bad start.",
    ]
    d = t["diff_active"]
    if d is None:
        return out + ["No start had every unit active, so the claim could not be tested."]
    says = difference_sentence("leaky ReLU", "ReLU", d, "test accuracy")
    verdict = f"alike: within +-{ALIKE}" if -ALIKE < d.lo and d.hi < ALIKE else "not shown alike"
    out.append(
        f"Over the {len(t['active'])} starts with units active, {t['n_seeds']} seeds: "
        f"{says[0].upper() + says[1:]} ({verdict})."
    )
    for c in t["bad"]:
        relu, leaky = t["acc"][f"ReLU | {c}"], t["acc"][f"LeakyReLU | {c}"]
        dead = t["dead_end"][f"LeakyReLU | {c}"]
        out.append(
            f"After the bad start ({c}) ReLU reached test accuracy {relu} and leaky ReLU {leaky} "
            f"(chance 0.1); {fmt(dead.mean)} of leaky ReLU's units were still never positive at "
            "the end: a 0.01 slope passes 1% of the gradient, too weak a rescue in this budget."
        )
    return out


def render(t: dict) -> list[tuple[str, list[str], list[list]]]:
    head = ["start", "dead@init ReLU", "dead@end ReLU", "dead@end leaky", "acc ReLU"]
    head += ["acc leaky", "leaky - ReLU (paired)"]
    rows = [
        [
            c,
            fmt(t["dead_init"][f"ReLU | {c}"].mean),
            fmt(t["dead_end"][f"ReLU | {c}"].mean),
            fmt(t["dead_end"][f"LeakyReLU | {c}"].mean),
            str(t["acc"][f"ReLU | {c}"]),
            str(t["acc"][f"LeakyReLU | {c}"]),
            str(t["diff"][c]),
        ]  # fmt: skip
        for c in t["labels"]
    ]
    return [(f"ReLU vs leaky ReLU by start ({t['n_seeds']} seeds, 95% CI)", head, rows)]


def figures(t: dict, out: str) -> list[str]:
    return [save_figure(figure(t), out, "05_init_fix.png")]


def figure(t: dict):
    """Left: leaky - ReLU accuracy per start (dots, 95% CI). Right: dead fraction at init/end."""
    fig, (ax1, ax2) = pyplot().subplots(1, 2, figsize=(12, 4.4))
    labels = t["labels"]
    y = np.arange(len(labels))[::-1]
    ivs = [t["diff"][c] for c in labels]
    ax1.errorbar([v.mean for v in ivs], y, xerr=_half(ivs), fmt="o", color="C3", capsize=3)
    ax1.axvline(0, color="gray", lw=1)
    ax1.set_yticks(y, labels)
    ax1.set(xlabel="test accuracy: leaky ReLU minus ReLU (same seed)")
    ax1.set_title("Paired difference per start (95% CI)")
    for k, (key, act, when) in enumerate(
        [
            ("dead_init", "ReLU", "init"),
            ("dead_end", "ReLU", "end"),
            ("dead_end", "LeakyReLU", "end"),
        ]  # fmt: skip
    ):
        ivs = [t[key][f"{act} | {c}"] for c in labels]
        ax2.errorbar([v.mean for v in ivs], y + 0.25 * (1 - k), xerr=_half(ivs), fmt="o", ms=4,
                     capsize=2, color=f"C{k}", label=f"{act}, {when}")  # fmt: skip
    ax2.set_yticks(y, labels)
    ax2.set(xlabel="fraction of hidden units dead (never positive)", xlim=(-0.02, 1.0))
    ax2.set_title("Dead units (95% CI)")
    ax2.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.1), ncol=3)
    fig.tight_layout()
    return fig


def _half(ivs) -> np.ndarray:
    return np.array([[v.mean - v.lo for v in ivs], [v.hi - v.mean for v in ivs]])


run = make_run(__name__)

if __name__ == "__main__":
    lesson_main(__name__)
