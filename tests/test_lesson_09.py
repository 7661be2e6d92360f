"""Lesson 9 (the price of ReLU's zeros) in quick mode: its claims hold, its arms are what they say,
and its figure draws the numbers of the tables."""

import numpy as np
import pytest
from conftest import draw_figure, load_lesson

from tinygrad_act import nn

STEM = "09_sparsity_price"


@pytest.fixture(scope="module")
def run(lesson_results):
    return lesson_results(STEM)


def test_every_claim_holds(run):
    assert run.claims and all(run.claims.values()), [k for k, v in run.claims.items() if not v]
    assert len(run.seeds) >= 2


def test_arms_are_what_they_say():
    mod = load_lesson(STEM)
    relu, leaky = mod.ACTS["relu"](), mod.ACTS["leaky"]()
    assert type(relu) is nn.ReLU and type(leaky) is nn.LeakyReLU
    assert leaky.negative_slope == mod.LEAKY_SLOPE > 0
    assert mod.STRENGTHS[0] == 0.0 and mod.CURVE_STRENGTH in mod.STRENGTHS
    ds = mod.load("digits", 0, True)
    net = mod.train_net(ds, "relu", 0.0, 1, 0)
    twin = mod.leaky_twin(net)
    assert all(type(a) is nn.LeakyReLU for a in list(twin)[1::2][: mod.DEPTH])
    # the twin shares the weights: only the activation differs
    np.testing.assert_array_equal(twin[0].weight.data, net[0].weight.data)
    logits, codes = mod.forward(twin, ds[2])
    assert (codes[0] < 0).any()  # a leaky arm has negative outputs, a ReLU arm none
    assert not (mod.forward(net, ds[2])[1][0] < 0).any()


def test_tables_and_numbers(run):
    t = run.tables
    for d in t["datasets"].values():
        assert d["leaky"]["max_zeros"] < 1e-4
        z = d["relu"]["zeros"]
        assert z[0].mean > 0.3  # ReLU codes are sparse without any penalty
        # a penalty that worked: more zeros at the curve strength than without
        assert z[t["strengths"].index(3.0)].mean > z[0].mean
        assert d["max_change"] <= 1e-5
        # pruning nothing keeps everything; the curve never keeps more than all parameters
        assert d["relu"]["curve_params"][0].mean == 1.0
        assert all(iv.mean <= 1.0 for iv in d["relu"]["curve_params"])
    assert t["saved_bytes"]["relu"] == 1 and t["saved_bytes"]["gelu"] == 4


def test_figure_draws_the_table_numbers(run, tmp_path):
    ax = draw_figure(STEM, run.tables, tmp_path).axes[0]
    d = run.tables["datasets"]["mnist1d"]["relu"]
    xs = [iv.mean for iv in d["zeros"]]
    ys = [iv.mean for iv in d["acc"]]
    drawn = [(list(line.get_xdata()), list(line.get_ydata())) for line in ax.get_lines()]
    assert (xs, ys) in drawn  # ReLU's zeros vs accuracy, not 1 - zeros or swapped axes
