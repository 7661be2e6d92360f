"""Lesson 4: dead units -- how ReLU units die, why they stay dead, and what leaky ReLU changes.

A ReLU unit is dead on a dataset when its pre-activation is <= 0 on every input: it outputs 0
everywhere and ReLU'(pre) = 0 everywhere, so no gradient reaches the weights feeding it. This is
the cost of ReLU's zero gradient that leaky ReLU (slope 0.01 for x < 0) was designed to remove.

Setup (MLPs with two hidden layers, He-normal weights; "dead" = never positive on the whole
training set, measured after every epoch with diagnostics.watch(model).end_epoch(X_train); every
experiment runs once per seed, and ReLU and leaky ReLU of one seed share data, init and batches)
A. A too-high learning rate. Spirals (2-D), plain SGD (no momentum) at LEARNING_RATES: a fine one,
   a high one and a too-high one. One large step can push a unit's bias far below zero, and a
   first-layer unit whose line w.x + b = 0 leaves the data cloud never comes back. The same runs
   with leaky ReLU. A run whose loss becomes NaN stops there ("diverged").
B. A negative bias initialization: every hidden bias starts at NEGATIVE_BIAS (-3). The second
   layer sees inputs near 0 plus a bias of -3, so nearly all of its units are dead from the first
   step and the network predicts one class (chance = the majority class's share of the test set).
   ReLU and leaky ReLU, each with SGD and with Adam, on spirals and MNIST-1D. Leaky ReLU passes
   slope * gradient through the dead layer -- 100x smaller, which plain SGD barely notices, but
   Adam divides each parameter's step by the running RMS of its gradient, so a consistently small
   gradient still makes full-size steps.
C. Dead stays dead: in every ReLU run with plain SGD, each first-layer unit is snapshotted at the
   first epoch it is found dead and compared with the final weights. Its gradient is exactly 0 on
   every batch, so w <- w - lr * 0 leaves it bit-identical, and since the first layer's inputs
   never change, it can never revive. (With momentum, Adam or weight decay a freshly dead unit
   still drifts for a while: the check is for plain SGD.)

What to look for: the too-high rate kills first-layer units in (nearly) every seed, and they never
come back; with bias -3 ReLU + SGD is stuck at chance, leaky ReLU + Adam trains.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from lessons._common import lesson_main, make_run, save_figure  # noqa: E402
from lessons._lesson04 import (  # noqa: E402
    DATASETS,
    LEARNING_RATES,
    NEGATIVE_BIAS,
    curves_figure,
    run_a,
    run_b,
    train_watched,
)
from lessons._stats import (  # noqa: E402
    curve_ci,
    difference_sentence,
    fmt,
    mean_ci,
    paired_diff,
)

N_SEEDS, QUICK_N_SEEDS = 10, 3
KILLED = (0.2, 0.5)  # "kills units": >= 20% of layer 1 and >= 50% of layer 2 dead at the end
KILLED_SEEDS = 0.9  # ... in at least 90% of the seeds (9 of 10; all of quick mode's 3)
CHANCE_MARGIN = 0.05
TOO_HIGH = max(LEARNING_RATES)


def measure(seed: int, quick: bool = False) -> dict:
    """One seed: the learning-rate runs (A), the bias -3 runs (B) and the dead-unit check (C)."""
    a = run_a(seed, quick)
    b, chance = run_b(seed, quick)
    relu_sgd = [r for k, r in {**a, **b}.items() if "relu" in k and "adam" not in k]
    c = dict(
        checked=sum(r["snapshots"] for r in relu_sgd),
        unchanged=sum(r["unchanged"] for r in relu_sgd),
        live_moved=max(r["alive_moved"] for r in relu_sgd),
    )
    strip = ("snapshots", "unchanged", "alive_moved")
    a = {k: {f: v for f, v in r.items() if f not in strip} for k, r in a.items()}
    b = {k: {f: v for f, v in r.items() if f not in strip} for k, r in b.items()}
    return dict(seed=seed, chance=chance, A=a, B=b, C=c)


def _paired_final(runs, part, a, b, field="acc"):
    """Final `field` of arm a minus arm b, over the seeds where neither diverged."""
    both = [r[part] for r in runs if r[part][a]["diverged_epoch"] is r[part][b]["diverged_epoch"]
            is None]  # fmt: skip
    return paired_diff([x[a][field][-1] for x in both], [x[b][field][-1] for x in both])


def aggregate(runs: list[dict]) -> dict:
    t = dict(n=len(runs), seeds=[r["seed"] for r in runs], A={}, B={})
    t["chance"] = {n: mean_ci([r["chance"][n] for r in runs]) for n in DATASETS}
    for part in ("A", "B"):
        for key in runs[0][part]:
            rs = [r[part][key] for r in runs]
            done = [x for x in rs if x["diverged_epoch"] is None]
            row = dict(diverged=len(rs) - len(done), n=len(rs))
            for f in ("dead1", "dead2", "nograd2", "acc"):
                row[f] = mean_ci([x[f][-1] for x in done]) if done else None
                row[f + "_curve"] = curve_ci([x[f] for x in rs])
            row["dead2_init"] = mean_ci([x["dead2"][0] for x in rs])
            row["killed"] = sum(x["dead1"][-1] >= KILLED[0] and x["dead2"][-1] >= KILLED[1]
                                for x in done)  # fmt: skip
            row["stopped"] = [[x["diverged_epoch"], x["acc"][-1], x["dead2"][-1]] for x in rs
                              if x["diverged_epoch"] is not None]  # fmt: skip
            row["nograd2_max"] = max((x["nograd2"][-1] for x in done), default=None)
            outs = [x["min_out"] for x in done]
            row["min_out"] = min(outs) if outs else None
            t[part][key] = row
    lo = f"relu lr={min(LEARNING_RATES):g}"
    hi = f"relu lr={TOO_HIGH:g}"
    t["acc_drop"] = _paired_final(runs, "A", hi, lo)
    t["dead1_rise"] = _paired_final(runs, "A", hi, lo, "dead1")
    for n in DATASETS:
        t[f"leaky_adam_gain_{n}"] = paired_diff(
            [r["B"][f"{n}/leaky/adam"]["acc"][-1] for r in runs],
            [r["B"][f"{n}/relu/sgd"]["acc"][-1] for r in runs],
        )
    t["C"] = {k: sum(r["C"][k] for r in runs) for k in ("checked", "unchanged")}
    t["C"]["live_moved"] = max(r["C"]["live_moved"] for r in runs)
    return t


def claims(t: dict) -> dict[str, bool]:
    a_hi, a_lo = t["A"][f"relu lr={TOO_HIGH:g}"], t["A"][f"relu lr={min(LEARNING_RATES):g}"]
    out = {
        f"lr {TOO_HIGH:g} kills units in >= 90% of seeds": a_hi["killed"] >= KILLED_SEEDS * t["n"],
        f"lr {min(LEARNING_RATES):g} kills no first-layer unit on average": a_lo["dead1"].hi < 0.05,
        f"lr {TOO_HIGH:g} kills more first-layer units than lr {min(LEARNING_RATES):g}": (
            t["dead1_rise"].lo > 0
        ),
        "dead first-layer units stay bit-identical": 0 < t["C"]["checked"] == t["C"]["unchanged"],
        "live first-layer units move": t["C"]["live_moved"] > 0.1,
    }
    for n in DATASETS:
        b, ch = t["B"], t["chance"][n].mean
        out[f"bias {NEGATIVE_BIAS:g}, {n}: >= 90% of layer 2 dead at init"] = (
            b[f"{n}/relu/sgd"]["dead2_init"].lo >= 0.9
        )
        out[f"bias {NEGATIVE_BIAS:g}, {n}: ReLU + SGD at chance"] = (
            b[f"{n}/relu/sgd"]["acc"].hi <= ch + CHANCE_MARGIN
        )
        out[f"bias {NEGATIVE_BIAS:g}, {n}: leaky + Adam beats ReLU + SGD"] = (
            t[f"leaky_adam_gain_{n}"].lo > 0
        )
        out[f"bias {NEGATIVE_BIAS:g}, {n}: leaky units pass gradient"] = all(
            b[f"{n}/leaky/{o}"]["nograd2_max"] == 0 for o in ("sgd", "adam")
        )
    return out


def summarize(t: dict) -> list[str]:
    hi, lo = t["A"][f"relu lr={TOO_HIGH:g}"], t["A"][f"relu lr={min(LEARNING_RATES):g}"]
    lk = t["A"][f"leaky lr={TOO_HIGH:g}"]
    n, C = t["n"], t["C"]
    s = [
        f"A. Plain SGD on spirals at lr = {TOO_HIGH:g} left {hi['dead1']} of the first-layer and "
        f"{hi['dead2']} of the second-layer ReLU units dead; >= {KILLED[0]:.0%} and >= "
        f"{KILLED[1]:.0%} respectively in {hi['killed']} of {n} seeds. At lr = "
        f"{min(LEARNING_RATES):g}: {lo['dead1']} and {lo['dead2']}.",
        "Test accuracy of the ReLU runs, paired by seed: "
        + difference_sentence(
            f"lr {TOO_HIGH:g}", f"lr {min(LEARNING_RATES):g}", t["acc_drop"], "accuracy"
        )  # fmt: skip
        + f". Leaky ReLU at lr = {TOO_HIGH:g} diverged (loss NaN) in "
        f"{lk['diverged']} of {n} seeds.",
    ]
    for name in DATASETS:
        b, ch = t["B"], t["chance"][name].mean
        s.append(
            f"B. {name}, every hidden bias {NEGATIVE_BIAS:g}: {b[f'{name}/relu/sgd']['dead2_init']}"
            f" of the second ReLU layer is dead at init; test accuracy (chance {fmt(ch)}) ReLU + "
            f"SGD {b[f'{name}/relu/sgd']['acc']}, ReLU + Adam {b[f'{name}/relu/adam']['acc']}, "
            f"leaky + SGD {b[f'{name}/leaky/sgd']['acc']}, leaky + Adam "
            f"{b[f'{name}/leaky/adam']['acc']}; "
            + difference_sentence(
                "leaky + Adam", "ReLU + SGD", t[f"leaky_adam_gain_{name}"], "accuracy"
            )
            + "."  # fmt: skip
        )
    s.append(
        f"C. Of {C['checked']} first-layer ReLU units found dead under plain SGD (all seeds), "
        f"{C['unchanged']} kept bit-identical weights and bias to the end, while live units of "
        f"the same layer moved by up to {fmt(C['live_moved'])}: a dead first-layer unit is dead "
        "for good."
    )
    return s


def render(t: dict) -> list[tuple[str, list[str], list[list]]]:
    head = ["run", "dead L1 end", "dead L2 init", "dead L2 end", "no grad L2 end", "test acc",
            "diverged"]  # fmt: skip
    rows = []
    for part in ("A", "B"):
        for key, r in t[part].items():
            cells = [r[f] if r[f] is not None else "-" for f in ("dead1",)]
            cells += [r["dead2_init"]]
            cells += [r[f] if r[f] is not None else "-" for f in ("dead2", "nograd2", "acc")]
            rows.append([f"{part}: {key}", *cells, f"{r['diverged']} of {r['n']}"])
    chance = ", ".join(f"{n} {t['chance'][n]}" for n in DATASETS)
    title = f"Dead units: mean (95% CI) over {t['n']} seeds; chance: {chance}"
    C = t["C"]
    check = [[C["checked"], C["unchanged"], fmt(C["live_moved"])]]
    return [
        (title, head, rows),
        ("C. First-layer ReLU units found dead under plain SGD",
         ["dead units", "bit-identical at the end", "max |dW| of live units"], check),
    ]  # fmt: skip


def figures(t: dict, out: str) -> list[str]:
    paths = [save_figure(curves_figure(t), out, "04_dead_units.png")]
    from lessons._common import load_dataset
    from tinygrad_act.diagnostics import plots

    seed = t["seeds"][0]
    ds = load_dataset("spirals", seed)
    r = train_watched(ds, "relu", "sgd", TOO_HIGH, 0.0, DATASETS["spirals"], False, seed)
    paths.append(plots.unit_lines(r["model"], ds[0], f"{out}/04_unit_lines.png", y=ds[1]))
    return paths


run = make_run(__name__)

if __name__ == "__main__":
    lesson_main(__name__)
