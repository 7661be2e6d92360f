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
# # Lesson 8: the shoot-out -- nine activations, each at its own best learning rate, many seeds.
#
# The earlier lessons took the claims apart one by one. This one puts the candidates side by side
# on the same task and lets the numbers answer the question of the series: why isn't leaky ReLU
# always preferable to ReLU?
#
# Setup: MNIST-1D (40 numbers per sequence, 10 classes), an MLP with two hidden layers of 100 units,
# Adam (batches of 100), once per seed and activation: ReLU, leaky ReLU (0.01), PReLU (one learned
# slope per layer, init 0.25), ELU, SELU, GELU, SiLU, tanh and sigmoid. Each gets its textbook init:
# He normal for the ReLU family and its smooth cousins, LeCun normal for SELU, Xavier normal for
# tanh (gain 5/3) and sigmoid; biases 0. With one seed every activation starts from the same random
# draws (up to that scale) and sees the same batches, so the per-seed differences against ReLU are
# paired.
#
# A fair fight: one learning rate for all would favour whoever it happens to suit. So each
# activation picks its own, per seed: the last VAL rows of the training set are carved off as a
# validation split, a model is trained on the rest at every rate of LRS, and the rate with the best
# validation accuracy wins. Only that model ever sees the test set, once. The grid is wide enough
# that no choice sits at its edge (the lesson checks it: a choice at the edge would mean the grid
# cut the search short). It was widened until none did: with rates from 3e-3 to 3e-2, tanh chose
# 3e-3 and sigmoid 3e-2, the two edges; the four rates from 1e-3 to 1e-1 (a factor of ~4.6 apart)
# leave both inside.
#
# Nine activations make eight comparisons with ReLU; at 5% each, one of them would come out
# "significant" by chance about a third of the time. Holm's step-down correction keeps the chance of
# any false claim in the family at 5%: a difference is stated only when it survives it.
#
# Measured per run, with `tinygrad_act.diagnostics` on the training rows after training: test
# accuracy; sparsity (hidden outputs exactly 0); dead units (f'(pre) = 0 on every training input,
# i.e. units that pass no gradient at all); time per epoch (reported, never claimed: it depends on
# the machine's load).
#
# Quick mode (the tests, tools/blas_claims.py): four of the nine (ReLU, leaky ReLU, ELU, sigmoid),
# 1000 training rows, 5 epochs, 5 seeds -- the same machinery in seconds.
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

lesson = nb.load_lesson("08_shootout")

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
nb.show_figures(lesson.figures(tables, nb.output_dir("08_shootout")))

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
# Change a parameter at the top and rerun the notebook (`QUICK = False` runs all nine
# activations). Or run the lesson's own `measure` for activations quick mode leaves out -- every
# learning rate of the grid for each, so this takes a while:
#
# ```python
# run = lesson.measure(seed=0, quick=True, names=("ReLU", "GELU", "SELU"))
# {name: (r["lr"], round(r["acc"], 3)) for name, r in run.items()}
# ```
