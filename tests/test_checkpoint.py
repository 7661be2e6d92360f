"""Module.save / Module.load: one file-name rule, and a save that is atomic (issue 10, item 1).

The kill test runs a real ~200 MB save in a child process and SIGKILLs it while the file is being
written; whatever moment the kill lands, the checkpoint on disk must be a complete one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from tinygrad_act import nn


def _model(fill: float) -> nn.Linear:
    lin = nn.Linear(3, 2)
    lin.weight.data[...] = fill
    lin.bias.data[...] = fill
    return lin


def test_save_and_load_agree_on_the_file_name(tmp_path):
    # numpy's savez appends .npz to a name without it; load must look for the same file
    base = str(tmp_path / "m")
    _model(1.0).save(base)
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]
    got = _model(0.0).load(base)
    np.testing.assert_array_equal(got.weight.numpy(), np.ones((2, 3), np.float32))
    # the explicit name reads the same file; pathlib paths work too
    got = _model(0.0).load(tmp_path / "m.npz")
    np.testing.assert_array_equal(got.bias.numpy(), np.ones(2, np.float32))


def test_save_with_npz_suffix_does_not_double_it(tmp_path):
    _model(2.0).save(tmp_path / "ckpt.npz")
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]
    got = _model(0.0).load(str(tmp_path / "ckpt"))
    np.testing.assert_array_equal(got.bias.numpy(), [2.0, 2.0])


def test_load_of_a_missing_file_names_the_file_it_looked_for(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"m\.npz"):
        _model(0.0).load(str(tmp_path / "m"))


def test_save_replaces_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "m.npz"
    _model(1.0).save(path)
    _model(3.0).save(path)
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]
    np.testing.assert_array_equal(_model(0.0).load(path).bias.numpy(), [3.0, 3.0])


def test_checkpoint_file_gets_the_umasks_normal_mode(tmp_path):
    # a temporary file from mkstemp is 0600; the checkpoint must look like any file the user writes
    old = os.umask(0o022)
    try:
        _model(1.0).save(tmp_path / "m")
    finally:
        os.umask(old)
    assert (os.stat(tmp_path / "m.npz").st_mode & 0o777) == 0o644


def test_a_failed_save_keeps_the_previous_checkpoint(tmp_path):
    path = tmp_path / "m.npz"
    _model(1.0).save(path)
    bad = _model(5.0)
    bad.bias.data = _DiskFull()  # the weight is written, then writing the bias fails
    with pytest.raises(OSError, match="disk full"):
        bad.save(path)
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]
    np.testing.assert_array_equal(_model(0.0).load(path).bias.numpy(), [1.0, 1.0])


class _DiskFull:
    """Stands in for an array whose write fails halfway through a save (a full disk)."""

    shape, dtype = (2,), np.dtype(np.float32)

    def copy(self):
        return self

    def __array__(self, *args, **kwargs):
        raise OSError("disk full")


_CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    from tinygrad_act import nn

    class Big(nn.Module):
        def __init__(self, fill):
            super().__init__()
            # 4 x 12.5M float32 = 200 MB
            for i in range(4):
                setattr(self, f"w{i}", nn.Parameter(np.full(12_500_000, fill, np.float32)))

    path = sys.argv[1]
    Big(1.0).save(path)
    print("first", flush=True)
    sys.stdin.readline()  # the parent starts watching the directory, then lets us go
    Big(2.0).save(path)
    print("second", flush=True)
    """
)


def _kill_during_second_save(tmp_path) -> tuple[bool, set]:
    """Run the child; SIGKILL it as soon as the second save has started writing anything."""
    path = str(tmp_path / "ckpt")
    final = tmp_path / "ckpt.npz"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "first"
        first = os.stat(final)
        child.stdin.write("go\n")
        child.stdin.flush()
        deadline = time.monotonic() + 60
        killed_mid_write = False
        while time.monotonic() < deadline and child.poll() is None:
            st = os.stat(final) if final.exists() else None
            others = [p for p in tmp_path.iterdir() if p.name != "ckpt.npz"]
            if (
                st is None
                or st.st_ino != first.st_ino
                or st.st_size != first.st_size
                or any(p.stat().st_size > 0 for p in others)
            ):
                os.kill(child.pid, signal.SIGKILL)
                killed_mid_write = True
                break
            time.sleep(0.0005)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdin.close()
        child.stdout.close()
    return killed_mid_write, {p.name for p in tmp_path.iterdir()}


def test_sigkill_during_a_200mb_save_keeps_a_loadable_checkpoint(tmp_path):
    killed, names = _kill_during_second_save(tmp_path)
    assert killed, "the child finished its save before the test saw it start"
    assert "ckpt.npz" in names
    # the leftover temporary file can never be taken for the checkpoint: it is hidden and does not
    # end in .npz, so neither load("ckpt") nor a glob for *.npz finds it
    assert [n for n in names if n.endswith(".npz")] == ["ckpt.npz"]
    assert all(n.startswith(".") for n in names - {"ckpt.npz"})

    class Big(nn.Module):
        def __init__(self):
            super().__init__()
            for i in range(4):
                setattr(self, f"w{i}", nn.Parameter(np.zeros(12_500_000, np.float32)))

    model = Big().load(str(tmp_path / "ckpt.npz"))
    values = {float(v) for p in model.parameters() for v in (p.data[0], p.data[-1])}
    # a complete checkpoint: all of the first save, or (if the kill landed after the rename) all of
    # the second, never a mix or a truncated file
    assert values in ({1.0}, {2.0})
    assert all(np.all(p.data == p.data[0]) for p in model.parameters())


def test_any_parameter_name_can_be_saved(tmp_path):
    # np.savez(f, **arrays) takes 'file' and 'allow_pickle' as its own arguments
    class Odd(nn.Module):
        def __init__(self, fill):
            super().__init__()
            self.file = nn.Parameter(np.full(2, fill, np.float32))
            self.allow_pickle = nn.Parameter(np.full(3, fill, np.float32))

    Odd(4.0).save(tmp_path / "odd")
    with np.load(tmp_path / "odd.npz") as f:  # plain numpy reads it
        assert sorted(f.files) == ["allow_pickle", "file"]
    got = Odd(0.0).load(tmp_path / "odd")
    np.testing.assert_array_equal(got.file.numpy(), [4.0, 4.0])
    np.testing.assert_array_equal(got.allow_pickle.numpy(), [4.0, 4.0, 4.0])


def test_save_into_a_missing_directory_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        _model(1.0).save(tmp_path / "nope" / "m")
