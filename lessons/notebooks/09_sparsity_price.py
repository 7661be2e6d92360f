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
# # Lesson 9: the price of insurance -- what ReLU's exact zeros buy, and what leaky ReLU gives up.
#
# Leaky ReLU keeps units alive but gives up ReLU's exact zeros. Lessons 3 and 8 counted the zeros;
# this lesson prices them with engine features a learner can reuse:
# - **pruning** nn.prune.prune_dead_units removes never-positive units (rows of a Linear, columns of
#   the next). For ReLU the outputs do not change (a dead unit adds exact zeros); the same
#   removal from a leaky network changes them. Then nn.prune.prune_inactive_units removes
#   units positive on fewer than p of the training inputs: accuracy vs parameters kept.
# - **sparsity** nn.ActivationL1 (weight * mean |h| over the hidden layers) at STRENGTHS: exact-zero
#   fraction vs test accuracy. Leaky ReLU has no exact zero to give at any strength.
# - **storage** diagnostics.storage: bytes each activation keeps for backward, and the last hidden
#   layer's code stored densely, as bitmask + nonzeros, or as CSR.
# - **compute** ops/sparse_linear.py skips the zeros in the next Linear; whether that beats BLAS is
#   benchmarks/bench_sparse.py's question (its numbers: results/09_*/bench_sparse.json).
#
# Setup: MNIST-1D (40 inputs, 10 classes) and scikit-learn's digits (64 inputs, 10 classes), MLPs
# with DEPTH hidden layers of WIDTH units, He-normal weights and zero biases, Adam; ReLU and
# LeakyReLU(LEAKY_SLOPE) with the same seed, data order and init. Dead units are removed from the
# networks trained at the L1 weight DEAD_STRENGTH, pruning by activity acts on those trained at
# CURVE_STRENGTH; "never positive" is measured on the training inputs.
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

lesson = nb.load_lesson("09_sparsity_price")

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
nb.show_figures(lesson.figures(tables, nb.output_dir("09_sparsity_price")))

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
# Change a parameter at the top and rerun the notebook. Or take one ReLU network trained with a
# strong activation penalty and remove its dead units with the lesson's own `dead_removal`: the
# ReLU network computes the same logits (up to float32 rounding), its leaky twin -- the same
# weights with leaky ReLU -- does not. Try `strength = 3.0` or `0.0`:

# %%
strength = 10.0
ds = lesson.load("mnist1d", seed=0, quick=True)
model = lesson.train_net(ds, "relu", strength, epochs=5, seed=0)
kept, change, twin_change = lesson.dead_removal(model, ds[0])
print(f"L1 strength {strength:g}: pruning the dead units keeps {kept:.1%} of the parameters")
print(f"largest change of the logits (relative): ReLU {change:.1e}, leaky twin {twin_change:.1e}")
