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
# # Lesson 10: beyond MLPs -- do dead ReLUs survive convolutions, BatchNorm and residual blocks?
#
# Lessons 1-9 train MLPs. People meet the ReLU-vs-leaky choice in convolutional and residual
# networks with BatchNorm, and BatchNorm is often named as the reason dying ReLUs are rare. This
# lesson grows the networks and asks again.
#
# Setup: MNIST-1D as (N, 1, 40) signals; four architectures (lessons/_lesson10.py):
# - **cnn** the MNIST-1D paper's CNN: three stride-2 Conv1d (25 channels), activation, Linear
#   cnn+bn   the same with BatchNorm1d after each convolution (convolutions without bias)
# - **res** a stride-2 stem and 3 residual blocks of two Conv1d (32 channels; 7 convolutions deep),
#   global average pooling, Linear
#   res+bn   the same with BatchNorm1d after each convolution
# each with ReLU and with LeakyReLU(LEAKY_SLOPE); Adam, STEPS batches of 100, at a good learning
# rate (LR_GOOD) and a too-high one (LR_HIGH). The arms of one seed share data, init seed and
# batches, so differences are paired by seed. After training, in eval mode, on the training signals:
# "dead" = the share of channels (of every activation layer) never positive at any position for any
# input; "exact zeros" = the share of activation outputs that are exactly 0; then test accuracy.
#
# What to look for: without BatchNorm, ReLU channels die even at the good rate and in large numbers
# at the too-high one; with BatchNorm almost none do, and accuracy follows. ReLU keeps its exact
# zeros under BatchNorm; leaky ReLU has none anywhere.
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

lesson = nb.load_lesson("10_cnn_batchnorm")

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
nb.show_figures(lesson.figures(tables, nb.output_dir("10_cnn_batchnorm")))

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
# Change a parameter at the top and rerun the notebook.
