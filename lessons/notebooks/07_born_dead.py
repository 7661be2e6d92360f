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
# # Lesson 7: born dead -- how likely is a deep, narrow ReLU network to be a constant at init?
#
# Lessons 4 and 5 watched units die during training. Some networks never get the chance: they are
# "born dead". Lu, Shin, Su & Karniadakis (2020, "Dying ReLU and Initialization: Theory and
# Numerical Examples", Commun. Comput. Phys. 28) call a ReLU network born dead when some hidden
# layer outputs 0 on every input. Everything after that layer sees a constant, so the network is a
# constant function, and no gradient reaches the layers before it: plain gradient descent cannot
# repair it, and the output layer can only learn the mean of the targets.
#
# The bound. Take hidden layers of N units each (the width N) and L hidden ReLU layers (the depth
# L), weights drawn from a distribution symmetric about 0 (He normal, N(0, 2 / fan_in), here) and
# zero biases -- Lu et al.'s "symmetric initialization". Fix one input x. Given the layer below, the
# N pre-activations of a layer are independent and symmetric, so all N are <= 0 with probability
# 2^-N, whatever happened below; the layer is then dead at x (and with zero biases every layer
# above it is 0 at x too). So
#
#     P(some layer dead at x) = 1 - (1 - 2^-N)^L.
#
# Being dead on EVERY input of a domain is harder than being dead at one point, hence
#
#     P(born dead) <= 1 - (1 - 2^-N)^L,    N = width, L = number of hidden ReLU layers.
#
# (Lu et al. count layers as affine maps, the output one included: their L-layer network has L - 1
# hidden layers, so their exponent L - 1 is our L.) As L grows the bound tends to 1: any deep
# enough narrow ReLU network with a symmetric init is born dead. A wider layer (larger N) makes the
# all-negative event exponentially rarer.
#
# The experiment. For every width N in (2, 3, 5, 10) and depth L from 2 to 50 each seed draws
# NETWORKS = 150 networks (2 inputs, one output; 1,500 per cell over 10 seeds) and evaluates each
# on the same 100 inputs drawn uniformly from [-sqrt(3), sqrt(3)]^2 (variance 1 per coordinate). A
# network is born dead when some hidden layer has every unit never positive on those inputs
# (`diagnostics.stats.dead_mask`). One nn.Sequential per network would take minutes, so the sampler
# stacks a cell's networks: one `nn.init.kaiming_normal_` call on an (n * N, fan_in) tensor draws n
# layers at once (each row independently, with a scale that depends only on fan_in) and one batched
# matmul evaluates them; a few cells are re-measured on real nn models with `diagnostics.born_dead`
# and must agree within sampling error.
#
# Then the remedies, on the same cells: a small positive bias (0.01 and 0.1, He weights), which
# nudges every pre-activation towards "on"; and Lu et al.'s randomized asymmetric initialization
# (`nn.init.randomized_asymmetric_`, RAI), which gives each neuron one positive Beta(2, 1) weight
# (or bias) and small symmetric normal weights elsewhere. The bound does not apply to these
# asymmetric inits; we just measure.
#
# Born dead vs constant. A dead layer makes the output exactly constant. The converse fails: the
# second table also counts networks whose output is constant to float32 precision on all inputs
# (spread <= 1e-6 x |output|, via `diagnostics.stats.is_constant`). Deep, narrow networks can
# squeeze the variation of their input below float32 resolution with no layer dead at all (Lu, Su &
# Karniadakis 2018 call it "collapse"); the gap between the two columns measures it.
#
# Every probability is a mean over seeds with its 95% interval. "Never above the bound" pools the
# seeds' networks and asks whether the exact (Clopper-Pearson) interval at the Bonferroni level
# 1 - 0.05 / (number of cells) lies above the bound, so that 44 cells do not raise false alarms.
#
# What to look for: the probability rises with depth and falls with width, never exceeds the bound,
# the bound is nearly tight for N = 2 and loose for wide layers, a positive bias or RAI lowers it --
# and how much of the remaining flatness is collapse rather than a dead layer.
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

lesson = nb.load_lesson("07_born_dead")

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
nb.show_figures(lesson.figures(tables, nb.output_dir("07_born_dead")))

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
# Change a parameter at the top and rerun the notebook. Or sample networks of a width the lesson
# does not use (N = 4) with its own `sample_networks`, and compare with the bound
# 1 - (1 - 2^-N)^L:

# %%
import numpy as np  # noqa: E402

a = lesson.INPUT_HALF_WIDTH
X = np.random.default_rng(0).uniform(-a, a, (lesson.N_INPUTS, lesson.INPUT_DIM)).astype(np.float32)
symmetric = lesson.init_schemes(())[0]
for depth in (5, 10, 20):
    dead, constant = lesson.sample_networks(4, depth, symmetric, 500, X)
    print(f"N=4, L={depth:2}: born dead {dead.mean():.3f} (bound {lesson.bound(4, depth):.3f}), "
          f"constant output {constant.mean():.3f}")  # fmt: skip
