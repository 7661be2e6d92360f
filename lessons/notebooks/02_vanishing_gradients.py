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
# # Lesson 2: vanishing gradients -- why ReLU replaced sigmoid in deep networks.
#
# ReLU's zero gradient for x < 0 is the price; this lesson shows what it buys. A sigmoid's
# derivative is at most 1/4, and backpropagation multiplies one such factor per layer, so the
# gradient that reaches the first layers of a deep sigmoid network is tiny. ReLU's derivative is
# exactly 1 wherever the unit is on, so (with a matching initialization) the gradient keeps its
# size.
#
# Setup
# 1. Gradient ratio at initialization. MLPs of width WIDTH with D = 5, 10, 20 hidden layers
#    (Linear -> activation, then a Linear output layer) on MNIST-1D (40 inputs, 10 classes).
#    L = mean cross-entropy over a batch of training examples. For each network
#
#        ratio = ||dL/dW_1||_F / ||dL/dW_D||_F
#
#    where W_1 is the weight of the first hidden layer (input -> hidden 1) and W_D the weight of the
#    last hidden layer (hidden D-1 -> hidden D); ||.||_F is the Frobenius norm
#    (diagnostics.layer_grad_norms). ratio ~ 1: every layer learns at the same pace; ratio << 1:
#    the gradient vanished on its way down. Seed k initializes network k of every cell and picks
#    the batch; the table gives the geometric mean over the seeds with its 95% interval (a t
#    interval of log10 ratio).
#    Initialization -- the classic experiment (Glorot & Bengio 2010; He et al. 2015), biases 0:
#      sigmoid, tanh: Xavier/Glorot uniform, U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (gain 1);
#      ReLU:          He/Kaiming normal, N(0, 2 / fan_in).
#    A second table repeats it with PyTorch's default nn.Linear init (U(+-1/sqrt(fan_in)) for
#    weights and biases) for all three: ReLU's gradients then vanish too. ReLU is not immune; it
#    needs the He init, whose factor 2 makes up for the half of the units that are off.
# 2. Training. The same 10-hidden-layer networks are trained with SGD (momentum) on MNIST-1D (a
#    2000-row subset) and on the 2-D spirals, and the test accuracy is recorded after every epoch;
#    all arms of one seed share data, seed and batches, so their differences are paired. Sigmoid
#    stays at chance (its first layers get ~1e-6 of the gradient of its last ones); ReLU and tanh
#    learn. A last row trains the sigmoid network with Adam, which divides each parameter's gradient
#    by its own running RMS and so could undo part of the vanishing (given enough epochs).
#
# What to look for: the sigmoid column shrinks by about 4x per layer (sigmoid' <= 1/4); ReLU with He
# init stays within an order of magnitude of 1 at every depth; the training curves.
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

lesson = nb.load_lesson("02_vanishing_gradients")

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
nb.show_figures(lesson.figures(tables, nb.output_dir("02_vanishing_gradients")))

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
# Change a parameter at the top and rerun the notebook. Or measure the gradient ratio
# ||dL/dW_1|| / ||dL/dW_D|| of one fresh network at depths the lesson does not use, with its own
# `log_ratio` (log10 of the ratio: -3 means the first layer gets a gradient 1000x smaller):

# %%
import tinygrad_act as ta  # noqa: E402
from tinygrad_act import data  # noqa: E402

Xtr, ytr, _, _ = data.load_mnist1d()
X, y = ta.tensor(data.standardize(Xtr)[: lesson.RATIO_BATCH]), ta.tensor(ytr[: lesson.RATIO_BATCH])
for act, init in (("sigmoid", "xavier"), ("tanh", "xavier"), ("relu", "he")):
    logs = [lesson.log_ratio(X, y, act, init, depth, seed=0)[0] for depth in (3, 15, 40)]
    print(f"{act:8} ({init}): log10 ratio at depth 3, 15, 40:", [round(v, 1) for v in logs])
