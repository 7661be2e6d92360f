"""nn.Module and nn.Parameter (tinygrad_act/nn/module.py): registration, traversal, modes, state,
hooks and reprs, checked against PyTorch's conventions."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.body = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.1), nn.Linear(4, 2))
        self.scale = nn.Parameter(np.ones(1, dtype=np.float32))
        self.note = "not a parameter"

    def forward(self, x):
        return self.body(self.fc1(x)) * self.scale


def test_named_parameters_use_pytorch_keys():
    names = [n for n, _ in Block().named_parameters()]
    assert names == [
        "scale",
        "fc1.weight",
        "fc1.bias",
        "body.0.weight",
        "body.0.bias",
        "body.2.weight",
        "body.2.bias",
    ]
    seq = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1, bias=False))
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight"]
    assert [type(m).__name__ for m in Block().children()] == ["Linear", "Sequential"]
    assert [n for n, _ in Block().named_modules()][:4] == ["", "fc1", "body", "body.0"]


def test_shared_parameters_count_once_and_plain_attributes_do_not_register():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2
    b = Block()
    assert b.note == "not a parameter" and "note" not in dict(b.named_parameters())
    assert b.num_parameters() == 1 + (3 * 4 + 4) + (4 * 4 + 4) + (4 * 2 + 2)


def test_reassigning_a_none_bias_registers_the_parameter():
    lin = nn.Linear(2, 3, bias=False)
    assert lin.bias is None
    lin.bias = nn.Parameter(np.zeros(3, dtype=np.float32))
    assert lin.bias is not None and "bias" in dict(lin.named_parameters())
    del lin.bias
    assert "bias" not in dict(lin.named_parameters())


def test_assigning_before_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Bad()


def test_train_eval_propagate():
    b = Block()
    assert all(m.training for m in b.modules())
    assert b.eval() is b
    assert not any(m.training for m in b.modules())
    b.train()
    assert b.body[1].training


def test_zero_grad_and_to_dtype():
    b = Block()
    x = ta.randn(5, 3)
    b(x).sum().backward()
    assert b.fc1.weight.grad is not None
    b.zero_grad()
    assert all(p.grad is None for p in b.parameters())
    b.double()
    assert all(p.dtype == np.float64 for p in b.parameters())
    assert b(ta.randn(2, 3, dtype=ta.float64)).dtype == np.float64


def test_load_state_dict_lists_missing_unexpected_and_misshaped_keys():
    seq = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    sd = seq.state_dict()
    sd.pop("1.bias")
    sd["2.weight"] = np.zeros((1, 1))
    sd["0.weight"] = np.zeros((4, 2))
    with pytest.raises(RuntimeError) as err:
        seq.load_state_dict(sd)
    msg = str(err.value)
    assert "missing keys: ['1.bias']" in msg
    assert "unexpected keys: ['2.weight']" in msg
    assert "0.weight: checkpoint (4, 2) vs model (3, 2)" in msg
    sd["0.weight"] = np.ones((3, 2))
    missing, unexpected = seq.load_state_dict(sd, strict=False)
    assert (missing, unexpected) == (["1.bias"], ["2.weight"])
    np.testing.assert_array_equal(seq[0].weight.numpy(), np.ones((3, 2)))


def test_save_load_npz_round_trip(tmp_path):
    ta.manual_seed(1)
    a = Block()
    path = tmp_path / "model.npz"
    a.save(str(path))
    with np.load(path) as f:
        assert "body.2.weight" in f.files  # plain numpy can read it, with torch's names
    ta.manual_seed(2)
    b = Block()
    assert not np.array_equal(a.fc1.weight.numpy(), b.fc1.weight.numpy())
    assert b.load(str(path)) is b
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb
        np.testing.assert_array_equal(pa.numpy(), pb.numpy())
    x = ta.randn(4, 3)
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())


def test_state_dict_is_a_copy():
    lin = nn.Linear(2, 2)
    sd = lin.state_dict()
    sd["weight"][...] = 123.0
    assert not (lin.weight.numpy() == 123.0).any()


def test_hooks_fire_modify_and_remove():
    lin = nn.Linear(2, 2)
    seen = []
    h1 = lin.register_forward_hook(lambda m, inp, out: seen.append((m, inp[0].shape, out.shape)))
    h2 = lin.register_forward_pre_hook(lambda m, inp: (inp[0] * 0,))
    out = lin(ta.ones(3, 2))
    assert seen == [(lin, (3, 2), (3, 2))]
    np.testing.assert_allclose(out.numpy(), np.broadcast_to(lin.bias.numpy(), (3, 2)))
    h1.remove(), h2.remove()
    out = lin(ta.ones(3, 2))
    assert len(seen) == 1
    assert not np.allclose(out.numpy(), np.broadcast_to(lin.bias.numpy(), (3, 2)))
    h3 = lin.register_forward_hook(lambda m, inp, out: out * 2)
    np.testing.assert_allclose(lin(ta.ones(1, 2)).numpy(), 2 * out.numpy()[:1], rtol=1e-6)
    h3.remove()


def test_reprs_match_pytorch():
    # expected strings printed by torch 2.13 for the same modules
    seq = nn.Sequential(nn.Linear(2, 3), nn.Flatten(), nn.Dropout(), nn.Identity())
    assert repr(seq) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Flatten(start_dim=1, end_dim=-1)\n"
        "  (2): Dropout(p=0.5, inplace=False)\n"
        "  (3): Identity()\n"
        ")"
    )
    nested = nn.Sequential(nn.Sequential(nn.Linear(2, 64, bias=False)))
    assert repr(nested) == (
        "Sequential(\n"
        "  (0): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=64, bias=False)\n"
        "  )\n"
        ")"
    )
    p = nn.Parameter(np.zeros(2, dtype=np.float32))
    assert repr(p).startswith("Parameter containing:\ntensor(")


def test_module_with_extra_repr_and_children_uses_torchs_layout():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(1, 1)

        def extra_repr(self):
            return "k=1"

    assert repr(Net()) == (
        "Net(\n  k=1\n  (fc): Linear(in_features=1, out_features=1, bias=True)\n)"
    )


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(ta.ones(1))


class TiedAutoencoder(nn.Module):
    """Decoder weight tied to the encoder's, plus one module used twice (a common pattern)."""

    def __init__(self) -> None:
        super().__init__()
        self.enc = nn.Linear(4, 4)
        self.dec = nn.Linear(4, 4, bias=False)
        self.dec.weight = self.enc.weight
        shared = nn.Linear(4, 4)
        self.body = nn.Sequential(shared, nn.ReLU(), shared)

    def forward(self, x):
        return self.dec(self.body(self.enc(x)))


# torch 2.13: list(TiedAutoencoder().state_dict()) for the same module built with torch.nn
TORCH_TIED_KEYS = [
    "enc.weight",
    "enc.bias",
    "dec.weight",
    "body.0.weight",
    "body.0.bias",
    "body.2.weight",
    "body.2.bias",
]


def test_state_dict_keeps_every_name_of_a_tied_parameter_like_pytorch():
    model = TiedAutoencoder()
    sd = model.state_dict()
    assert list(sd) == TORCH_TIED_KEYS
    np.testing.assert_array_equal(sd["dec.weight"], sd["enc.weight"])
    np.testing.assert_array_equal(sd["body.2.bias"], sd["body.0.bias"])
    # the optimizer still sees each shared parameter once (named_parameters deduplicates, as torch)
    assert [n for n, _ in model.named_parameters()] == [
        "enc.weight",
        "enc.bias",
        "body.0.weight",
        "body.0.bias",
    ]


def test_load_state_dict_accepts_pytorchs_tied_keys_and_round_trips(tmp_path):
    ta.manual_seed(0)
    a = TiedAutoencoder()
    ta.manual_seed(1)
    b = TiedAutoencoder()
    # a checkpoint with PyTorch's keys (what torch_model.state_dict() gives), strict by default
    torch_style = {k: v for k, v in a.state_dict().items()}
    assert list(torch_style) == TORCH_TIED_KEYS
    missing, unexpected = b.load_state_dict(torch_style)
    assert (missing, unexpected) == ([], [])
    assert b.dec.weight is b.enc.weight  # still tied after loading
    x = ta.randn(2, 4)
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    a.save(tmp_path / "tied")
    with np.load(tmp_path / "tied.npz") as f:
        assert f.files == TORCH_TIED_KEYS
    c = TiedAutoencoder().load(tmp_path / "tied")
    np.testing.assert_array_equal(c(x).numpy(), a(x).numpy())


def test_load_state_dict_without_the_second_tied_name_reports_it_missing():
    sd = TiedAutoencoder().state_dict()
    del sd["dec.weight"]
    with pytest.raises(RuntimeError, match=r"missing keys: \['dec.weight'\]"):
        TiedAutoencoder().load_state_dict(sd)
    assert TiedAutoencoder().load_state_dict(sd, strict=False) == (["dec.weight"], [])
