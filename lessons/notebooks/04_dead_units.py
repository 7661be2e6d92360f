# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 4: dead units -- how ReLU units die, why they stay dead, and what leaky ReLU changes.
#
# A ReLU unit is dead on a dataset when its pre-activation is <= 0 on every input: it outputs 0
# everywhere and ReLU'(pre) = 0 everywhere, so no gradient reaches the weights feeding it. This is
# the cost of ReLU's zero gradient that leaky ReLU (slope 0.01 for x < 0) was designed to remove.
#
# Setup (MLPs with two hidden layers, He-normal weights; "dead" = never positive on the whole
# training set, measured after every epoch with diagnostics.watch(model).end_epoch(X_train); every
# experiment runs once per seed, and ReLU and leaky ReLU of one seed share data, init and batches)
#
# A. A too-high learning rate. Spirals (2-D), plain SGD (no momentum) at LEARNING_RATES: a fine one,
#    a high one and a too-high one. One large step can push a unit's bias far below zero, and a
#    first-layer unit whose line w.x + b = 0 leaves the data cloud never comes back. The same runs
#    with leaky ReLU. A run whose loss becomes NaN stops there ("diverged").
#
# B. A negative bias initialization: every hidden bias starts at NEGATIVE_BIAS (-3). The second
#    layer sees inputs near 0 plus a bias of -3, so nearly all of its units are dead from the first
#    step and the network predicts one class (chance = the majority class's share of the test set).
#    ReLU and leaky ReLU, each with SGD and with Adam, on spirals and MNIST-1D. Leaky ReLU passes
#    slope * gradient through the dead layer -- 100x smaller, which plain SGD barely notices, but
#    Adam divides each parameter's step by the running RMS of its gradient, so a consistently small
#    gradient still makes full-size steps.
#
# C. Dead stays dead: in every ReLU run with plain SGD, each first-layer unit is snapshotted at the
#    first epoch it is found dead and compared with the final weights. Its gradient is exactly 0 on
#    every batch, so w <- w - lr * 0 leaves it bit-identical, and since the first layer's inputs
#    never change, it can never revive. (With momentum, Adam or weight decay a freshly dead unit
#    still drifts for a while: the check is for plain SGD.)
#
# What to look for: the too-high rate kills first-layer units in (nearly) every seed, and they never
# come back; with bias -3 ReLU + SGD is stuck at chance, leaky ReLU + Adam trains.
#
# *(This cell is the lesson's docstring, rendered by `tools/make_notebooks.py`.)*

# %% [markdown]
# ## Parameters
# `QUICK = True` runs the lesson's quick mode (seconds; the seeds the tests use). Set it to
# `False` for the full experiment behind lessons/README.md (10 seeds: minutes). `SEED` is the
# base seed S: the runs use seeds S*1000, S*1000+1, ...; `SEED = 1` is a fresh replication.
# `N_SEEDS = None` keeps the lesson's number of seeds; `JOBS = 2` runs them in two processes
# (bit-identical results).

# %% tags=["parameters"]
QUICK = True
SEED = 0
N_SEEDS = None
JOBS = 1

# %%
import pathlib  # noqa: E402
import sys  # noqa: E402

here = pathlib.Path.cwd().resolve()
ROOT = next((p for p in (here, *here.parents) if (p / "lessons" / "__main__.py").is_file()), None)
if ROOT is None:
    raise RuntimeError("open this notebook inside the tinygrad_act repository (lessons/notebooks/)")
sys.path.insert(0, str(ROOT))  # this checkout's tinygrad_act and lessons, not an installed copy

from lessons._results import roundtrip  # noqa: E402
from lessons._seeds import run_seeds  # noqa: E402
from lessons.notebooks import _nb as nb  # noqa: E402  (display helpers: tables, figures)

lesson = nb.load_lesson("04_dead_units")

# %% [markdown]
# ## The runs
# `lesson.measure(seed, quick=QUICK)` is one run of the experiment and returns plain numbers.
# `run_seeds` calls it once per seed (in `JOBS` processes). Here is what one run recorded:

# %%
seeds = nb.seeds_for(lesson, QUICK, SEED, N_SEEDS)
runs = run_seeds(lesson.measure, seeds, jobs=JOBS, quick=QUICK)
print(f"{len(runs)} runs (seeds {seeds[0]}..{seeds[-1]}); the first one:")
nb.describe_run(runs[0])

# %% [markdown]
# ## The tables
# `lesson.aggregate(runs)` turns the runs into tables -- means with 95% intervals over the
# seeds, paired differences -- and `lesson.render(tables)` lays them out (`roundtrip` gives the
# tables exactly as results.json stores them, as `python -m lessons` does).

# %%
tables = roundtrip(lesson.aggregate(runs))
nb.show_tables(lesson.render(tables))

# %% [markdown]
# ## The figures
# `lesson.figures(tables, out)` draws them (95% intervals as error bars) and returns the PNGs.

# %%
nb.show_figures(lesson.figures(tables, nb.output_dir("04_dead_units")))

# %% [markdown]
# ## The conclusion
# `lesson.summarize(tables)` says what the numbers show -- a difference only when its 95%
# interval excludes zero -- and `lesson.claims(tables)` checks every claim the lesson makes.
# In full mode these are the sentences in lessons/README.md.

# %%
nb.show_summary(lesson.summarize(tables))
nb.show_claims(lesson.claims(tables))

# %% [markdown]
# ## Try it
# Change a parameter at the top and rerun the notebook. Or train single networks at learning
# rates between the lesson's with its own training function, and watch where ReLU units start
# dying (dead1: fraction of the first layer never positive on the training set):

# %%
from lessons._common import load_dataset  # noqa: E402

ds = load_dataset("spirals", seed=0)
for lr in (0.5, 1.5, 3.0):
    r = lesson.train_watched(ds, "relu", "sgd", lr, 0.0, lesson.DATASETS["spirals"], True, seed=0)
    stop = f"diverged in epoch {r['diverged_epoch']}" if r["diverged_epoch"] else "trained"
    print(f"lr {lr:g}: dead1 {r['dead1'][-1]:.2f}, dead2 {r['dead2'][-1]:.2f}, {stop}")
