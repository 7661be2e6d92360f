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
# # Lesson 3: sparsity -- ReLU's exact zeros, which leaky ReLU gives up.
#
# The zero gradient for x < 0 comes with a zero OUTPUT for x < 0. A trained ReLU network maps each
# input to a sparse code: in every layer a large share of the units output exactly 0. Glorot, Bordes
# & Bengio (2011, "Deep sparse rectifier neural networks") counted this as one of ReLU's advantages:
# sparse codes are cheap to store and compute on, and each input switches on only a subset of the
# units (a different linear model per region of the input space). Leaky ReLU outputs slope * x < 0
# instead: its code has the same on/off pattern but not a single exact zero.
#
# Setup
# - Two datasets: the 2-D spirals (3 classes) and MNIST-1D (40 inputs, 10 classes).
# - An MLP with HIDDEN_LAYERS hidden layers (width per dataset in DATASETS), He-normal weights and
#   zero biases (so that at init about half of the pre-activations are positive), trained with Adam,
#   once with ReLU and once with LeakyReLU(LEAKY_SLOPE), same seed and same batches.
# - After training, diagnostics.watch(model).measure(X_test) counts per layer, over the test set:
#     exact zeros  = #{outputs == 0} / (inputs x units)            (LayerStats.sparsity)
#     negative side = 1 - mean activity = #{pre <= 0} / (inputs x units)
#     dead units   = units with pre <= 0 on every test input       (LayerStats.dead_fraction)
#   For ReLU "exact zeros" and "negative side" coincide; leaky ReLU has the same negative side but
#   outputs slope * pre there, not 0.
# - The hidden representation as input to a linear classifier ("linear probe"): the trained
#   network is frozen, the output of the last hidden layer is computed for the training and test
#   sets, and a fresh linear softmax classifier (nn.Linear + cross-entropy, full-batch Adam on
#   standardized features) is trained on it. Probes on the raw inputs and on the last ReLU layer's
#   on/off pattern alone (1 where the unit is on, else 0) give two reference points.
# - Every number is a mean over seeds with its 95% interval; ReLU and leaky ReLU of one seed share
#   data, init and batches, so their differences are paired. MNIST-1D trains on a 2000-row subset.
#
# What to look for: ReLU layers are about half zeros or more, leaky ones have none; both codes are
# about equally linearly separable (the sparsity is a property of the code, not an accuracy win);
# the on/off pattern alone carries most of what the linear classifier needs.
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

lesson = nb.load_lesson("03_sparsity")

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
nb.show_figures(lesson.figures(tables, nb.output_dir("03_sparsity")))

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
# Change a parameter at the top and rerun the notebook. Or train one network with the lesson's
# own `train_net` and count the exact zeros of each hidden layer with `hidden_codes` -- then set
# `act = "leaky"` and run the cell again:

# %%
from lessons._common import load_dataset  # noqa: E402

act = "relu"
ds = load_dataset("spirals", seed=0)
model, acc, _, _ = lesson.train_net(ds, lesson.DATASETS["spirals"], act, epochs=4, seed=0)
zeros = [float((code == 0).mean()) for code in lesson.hidden_codes(model, ds[2])]
print(f"{act}: test accuracy {acc:.3f}; exact zeros per hidden layer:", [f"{z:.2f}" for z in zeros])
