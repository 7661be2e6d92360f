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
# # Lesson 1: an autograd tour -- the chain rule by hand, gradcheck, and what ReLU'(0) is.
#
# The question of these lessons is about ONE number: ReLU's derivative, which is 0 for x < 0 (so a
# unit that is negative on every input never learns again) and 1 for x > 0. Before measuring what
# that zero does to training, we check that the engine computes derivatives the way we think.
#
# Setup
# 1. A graph small enough to differentiate on paper: one input x, two hidden ReLU units, one output
#    and a squared-error loss,
#
#        z1 = w1 x + b1,  z2 = w2 x + b2,  h_i = relu(z_i),  out = v1 h1 + v2 h2 + c,
#        L = (out - t)^2 / 2.
#
#    The weights are chosen so that z1 > 0 (unit 1 is "on") and z2 < 0 (unit 2 is "off"). The chain
#    rule gives dL/dout = out - t, dL/dh_i = (out - t) v_i, dL/dz_i = dL/dh_i relu'(z_i),
#    dL/dw_i = dL/dz_i x, dL/db_i = dL/dz_i, dL/dx = sum_i dL/dz_i w_i. The table prints each one
#    computed with plain Python floats next to what `backward()` put in `.grad` (intermediate nodes
#    keep theirs through `retain_grad()`). Unit 2 is off, so every gradient that flows through it is
#    exactly 0 -- and the same graph with leaky_relu gives it a small non-zero gradient.
# 2. `ta.gradcheck` compares the backward pass with central differences (f(x+e) - f(x-e)) / 2e. Away
#    from 0 it passes for ReLU; with an input exactly at 0 the difference straddles the kink and
#    returns the average of the two slopes, 0.5, while ReLU's backward says 0: gradcheck warns
#    (GradcheckKinkWarning) and fails. Neither number is "wrong": any value in [0, 1] is a valid
#    subgradient at 0. A library has to pick one.
# 3. The convention. `F.relu` uses the mask `x > 0`, so ReLU'(0) = 0 (PyTorch, JAX and TensorFlow do
#    the same). Writing the same function another way picks another subgradient: `maximum(x, 0)`
#    gives 0.5 at a tie in PyTorch and here (each side gets half: tinygrad's source warns about
#    exactly this), `x.clamp(min=0)` gives 1 (the boundary counts as inside). The forward values
#    are identical; only the gradient at exactly 0 differs. Exact zeros do happen: a
#    zero-initialized bias fed by a layer that is all zero on an input, or low-precision arithmetic
#    (Bertoin et al. 2021, "Numerical influence of ReLU'(0) on backpropagation").
# 4. A plot of ReLU and leaky ReLU and their derivatives, as computed by autograd on a grid that
#    contains 0 (a visible slope is used for the leaky one).
#
# Nothing here trains: the graph and the derivatives at 0 are the same for every seed; the seed
# draws gradcheck's random inputs (seed k: one input array away from 0, one with an element at 0).
#
# What to look for: every hand value equals autograd's; gradcheck passes away from the kink and
# warns at it, for every seed; the derivative at 0 depends on how ReLU is written.
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

lesson = nb.load_lesson("01_autograd_tour")

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
nb.show_figures(lesson.figures(tables, nb.output_dir("01_autograd_tour")))

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
# Change a parameter at the top and rerun the notebook. Or draw the derivative figure for another
# leaky slope with the lesson's own `derivatives_figure` (PyTorch's default is 0.01, too flat to
# see next to ReLU: that is why the lesson plots 0.1):

# %%
nb.show_figure(lesson.derivatives_figure(0.3))
