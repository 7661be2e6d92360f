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
# # Lesson 6: PReLU and RReLU -- let the network pick the negative slope, or randomize it.
#
# Leaky ReLU fixes the negative slope by hand (0.01). Two variants refuse to:
#
# - PReLU (He et al. 2015, "Delving Deep into Rectifiers") learns it. f(x) = x for x > 0 and a x
#   for x <= 0, where a is a Parameter trained by backprop like any weight: dL/da = sum over the
#   inputs with x <= 0 of dL/df * x. "Channel-shared" PReLU has one a per layer
#   (nn.PReLU(num_parameters=1)); "channel-wise" one per unit (nn.PReLU(num_parameters=width)).
#   Both start at a = 0.25 (PyTorch's default, the paper's choice).
# - RReLU (Xu et al. 2015, "Empirical Evaluation of Rectified Activations") draws a fresh slope
#   a ~ U(1/8, 1/3) for every element in training and uses the mean (1/8 + 1/3) / 2 at test time: a
#   leaky ReLU with noise, as a regularizer.
#
# Setup: the same MLP on MNIST-1D (three hidden layers of 100 units), trained with Adam (lr 3e-3, no
# weight decay: it would pull the slopes to 0) from the same initial weights and the same batches,
# once per activation and seed: ReLU, leaky ReLU (0.01), channel-shared PReLU, channel-wise PReLU,
# RReLU. After each epoch we record every PReLU layer's mean slope. Accuracy differences against
# ReLU are paired by seed, and Holm's correction covers the four comparisons.
#
# What to look for: (1) the learned slopes leave 0.25 -- and where they go per layer; (2) the price:
# one parameter per layer (shared) or per unit (channel-wise), nothing next to the weights; (3)
# whether any of that buys test accuracy on this task.
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

lesson = nb.load_lesson("06_prelu_rrelu")

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
nb.show_figures(lesson.figures(tables, nb.output_dir("06_prelu_rrelu")))

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
# Change a parameter at the top and rerun the notebook. Or look at what RReLU does in training
# mode: each call draws a random negative slope per element (between 1/8 and 1/3, PyTorch's
# defaults), while in eval mode it uses their mean. The lesson's own `train_slopes` measures it:

# %%
from tinygrad_act import nn  # noqa: E402

lo, hi, std = lesson.train_slopes(nn.RReLU(), seed=0)
print(f"RReLU in training mode: slopes from {lo:.3f} to {hi:.3f} (std {std:.3f})")
lo, hi, std = lesson.train_slopes(nn.LeakyReLU(lesson.LEAKY_SLOPE), seed=0)
print(f"LeakyReLU: slopes from {lo:.3f} to {hi:.3f} (std {std:.3f})")
