"""diagnostics.storage: bytes saved for backward (measured from the graph) and sparse code sizes."""

import numpy as np
import pytest

from tinygrad_act.diagnostics import storage
from tinygrad_act.ops.activation_spec import TABLE


def test_saved_bytes_match_what_each_row_says():
    got = storage.saved_bytes_per_element()
    assert set(got) == set(TABLE)
    for name, spec in TABLE.items():
        expected = spec.saved_bytes(4)
        if expected is not None:  # rows with a standard "saves": mask 1 byte, floats 4
            assert got[name] == expected, name
    assert got["relu"] == got["leaky_relu"] == 1.0
    assert got["prelu"] == 4.0  # the input x (the weight is per channel, not per element)
    assert got["rrelu"] == 4.0  # train mode: the sampled slopes
    assert storage.saved_bytes_per_element(training=False)["rrelu"] == 1.0
    assert storage.saved_bytes_per_element(np.float64)["elu"] == 8.0


def test_layer_saved_bytes():
    b = storage.layer_saved_bytes(batch=128, width=64)
    assert b["relu"] == 128 * 64 and b["sigmoid"] == 4 * 128 * 64


def test_code_bytes():
    h = np.zeros((3, 16), np.float32)
    h[0, 2], h[2, 5], h[2, 7] = 1.0, 2.0, 3.0
    b = storage.code_bytes(h)
    assert b["dense"] == 3 * 16 * 4
    assert b["bitmask"] == 6 + 3 * 4  # 48 bits + 3 floats
    assert b["csr"] == 3 * (4 + 4) + 4 * 4
    leaky = np.full((3, 16), -0.01, np.float32)
    assert storage.code_bytes(leaky)["bitmask"] > storage.code_bytes(leaky)["dense"]
    with pytest.raises(ValueError, match=r"code_bytes: needs a \(N, units\) code"):
        storage.code_bytes(np.zeros(5))
