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
# # Lesson 5: the fix through initialization -- start every unit alive, then compare.
#
# Lesson 4 killed ReLU units on purpose: a negative bias (or a too-high learning rate) pushes a
# unit's pre-activation below 0 on every input, its gradient is 0 from then on, and it never
# recovers; leaky ReLU's small negative slope is the textbook rescue. But the rescue is only needed
# if units die. The other fix acts earlier: initialize so that units START active.
#
# Two knobs, both in `nn.init`: the weight scale (Xavier/Glorot, Var w = 2 / (fan_in + fan_out), or
# He/Kaiming, Var w = 2 / fan_in, which makes up for ReLU zeroing half of a symmetric input) and the
# bias (0 by default; a small positive constant shifts every pre-activation up).
#
# Setup: MNIST-1D, an MLP with three hidden layers of 64 units, SGD with momentum 0.9 (lr 0.05,
# batches of 100); every combination of {He, Xavier} x bias {0, 0.1} x {ReLU, leaky ReLU (0.01)} --
# plus, for contrast, a bad start (Xavier, bias -1) that puts about half the units below zero from
# the first step. With one seed ReLU and leaky ReLU start from the same weights and see the same
# batches, so their accuracy difference is paired; each seed's difference is averaged over the
# active starts, and the interval is over seeds. `diagnostics` measures on the training rows the
# dead fraction (units never positive on any training input) at initialization and after training.
#
# What to look for: whether any unit is born dead with the standard inits, what a bad start does to
# each activation, and the claim: when units start active, ReLU and leaky ReLU end up alike -- the
# negative slope has nothing to rescue.
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

lesson = nb.load_lesson("05_init_fix")

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
nb.show_figures(lesson.figures(tables, nb.output_dir("05_init_fix")))

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
# Change a parameter at the top and rerun the notebook. Or look at initializations the lesson
# does not train: the fraction of hidden units dead before the first step, from the lesson's own
# `make_model` and `hidden_stats`:

# %%
from tinygrad_act import data  # noqa: E402

X = data.load_mnist1d()[0][:1000]
for init in lesson.INITS:
    for bias in (-1.0, -0.3, 0.0, 0.3):
        dead, _ = lesson.hidden_stats(lesson.make_model("ReLU", init, bias, seed=0), X)
        print(f"{init:6} weights, bias {bias:+g}: {dead:.0%} of the hidden units dead at init")
