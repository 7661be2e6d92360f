"""Lesson 10 (CNNs, BatchNorm and residual blocks on MNIST-1D) in quick mode: its claims hold, its
arms are what they say, and its figure draws the numbers of the tables."""

import numpy as np
import pytest
from conftest import draw_figure, load_lesson

import tinygrad_act as ta
from tinygrad_act import nn

STEM = "10_cnn_batchnorm"


@pytest.fixture(scope="module")
def run(lesson_results):
    return lesson_results(STEM)


def test_every_claim_holds(run):
    assert run.claims and all(run.claims.values()), [k for k, v in run.claims.items() if not v]
    assert len(run.seeds) >= 3


def _kinds(model, kind):
    return [m for m in model.modules() if isinstance(m, kind)]


@pytest.mark.parametrize("arch", ["cnn", "cnn+bn", "res", "res+bn"])
@pytest.mark.parametrize("act", ["relu", "leaky"])
def test_arms_are_what_they_say(arch, act):
    helper = load_lesson("_lesson10")
    model = helper.build(arch, act)
    bns, convs = _kinds(model, nn.BatchNorm1d), _kinds(model, nn.Conv1d)
    blocks = _kinds(model, helper.ResidualBlock)
    assert (len(bns) == len(convs)) if arch.endswith("+bn") else not bns
    assert all((c.bias is None) == arch.endswith("+bn") for c in convs)  # BN's bias replaces it
    assert len(blocks) == (helper.BLOCKS if arch.startswith("res") else 0)
    acts = _kinds(model, nn.LeakyReLU if act == "leaky" else nn.ReLU)
    assert acts and not _kinds(model, nn.ReLU if act == "leaky" else nn.LeakyReLU)
    ta.manual_seed(0)
    x = ta.randn(8, 1, 40)
    assert model(x).shape == (8, 10)
    outs = []
    hooks = [m.register_forward_hook(lambda m, i, o: outs.append(o.numpy())) for m in acts]
    model(x)
    for h in hooks:
        h.remove()
    assert any((o < 0).any() for o in outs) == (act == "leaky")  # leaky arms go negative
    if blocks:  # the skip connection: with the residual branch's last conv zeroed, x passes
        b = blocks[0]
        nn.init.zeros_(b.conv2.weight)
        if b.conv2.bias is not None:
            nn.init.zeros_(b.conv2.bias)
        if isinstance(b.bn2, nn.BatchNorm1d):
            nn.init.zeros_(b.bn2.weight)
        h = ta.randn(4, helper.RES_CHANNELS, 20)
        np.testing.assert_allclose(b(h).numpy(), b.act2(h).numpy(), rtol=1e-6)


def test_tables_and_numbers(run):
    t = run.tables
    assert len(t["arms"]) == 4
    for v in t["arms"].values():
        assert 0 <= v["dead_min"] <= v["dead"].mean <= v["dead_max"] <= 1
        assert 0 <= v["acc"].mean <= 1 and 0 <= v["zeros"].mean <= 1
    for d in t["bn"].values():
        assert 0 <= d["wins"]["dead"] <= t["n"]


def test_figure_draws_the_table_numbers(run, tmp_path):
    fig = draw_figure(STEM, run.tables, tmp_path)
    relu = [k for k in run.tables["arms"] if k.endswith("relu")]
    for ax, f in zip(fig.axes[:2], ("dead", "acc")):
        xs = [run.tables["arms"][k][f].mean for k in relu]
        drawn = [list(line.get_xdata()) for line in ax.get_lines()]
        assert xs in drawn  # the table's means, not 1 - dead or another field
