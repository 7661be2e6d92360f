"""The exercises' command line as a learner meets it: `hint` reveals one level per call, `list`
shows each copy as untouched / edited / failing / passed (remembered from the last check), the
stubs and first hints never give the answer away, and piping into `head` is quiet."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_act.exercises import EXERCISES, check, status
from tinygrad_act.exercises.__main__ import main
from tinygrad_act.exercises.loader import solution_path, stub_path

ROOT = Path(__file__).resolve().parents[1]
NAMES = [ex.name for ex in EXERCISES]


def test_hint_reveals_one_level_per_call(tmp_path, capsys):
    main(["start", "--dir", str(tmp_path)])
    capsys.readouterr()
    hints = EXERCISES[1].hints  # elu
    shown = []
    for level in range(1, len(hints) + 2):  # one call more than there are hints
        assert main(["hint", "elu", "--dir", str(tmp_path)]) == 0
        shown.append(capsys.readouterr().out)
        n = min(level, len(hints))
        assert f"hint {n} of {len(hints)}" in shown[-1]
        assert all(h in shown[-1] for h in hints[:n])
        assert not any(h in shown[-1] for h in hints[n:])  # nothing beyond this level
    assert "next hint" in shown[0] and "next hint" not in shown[-1]
    # an explicit level, and a fresh folder starts again at level 1
    assert main(["hint", "elu", "2", "--dir", str(tmp_path / "other")]) == 0
    out = capsys.readouterr().out
    assert hints[1] in out and hints[2] not in out
    assert main(["hint", "elu", "--dir", str(tmp_path / "other")]) == 0
    out = capsys.readouterr().out  # no folder to remember the level in: it names the next one
    assert hints[1] not in out and "hint elu 2" in out
    assert main(["hint", "elu", "9"]) == 2 and "hints 1 to 3" in capsys.readouterr().err


def _answer_lines(name: str) -> set[str]:
    """The simple statements of the reference solution in the functions the learner writes
    (those whose stub body raises NotImplementedError), whitespace-normalized."""

    def functions(tree):
        for node in tree.body:
            items = node.body if isinstance(node, ast.ClassDef) else [node]
            for f in items:
                if isinstance(f, ast.FunctionDef):
                    yield (getattr(node, "name", ""), f.name), f

    stub = ast.parse(stub_path(name).read_text())
    todo = {key for key, f in functions(stub) if "NotImplementedError" in ast.unparse(f)}
    src = solution_path(name).read_text()
    lines = set()
    for key, f in functions(ast.parse(src)):
        if key not in todo:
            continue
        for node in ast.walk(f):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.Return)):
                code = " ".join(ast.get_source_segment(src, node).split())
                if len(code) > 12:
                    lines.add(code)
    assert lines, name
    return lines


@pytest.mark.parametrize("ex", EXERCISES, ids=NAMES)
def test_first_hint_and_stub_do_not_give_the_answer(ex):
    first = " ".join(ex.hints[0].split())
    assert not re.search(r"`|\[i\]\s*=|\+=|np\.|\.sum\(|reshape|dtype\.type|@njit", first), first
    stub = " ".join(stub_path(ex.name).read_text().split())
    for code in _answer_lines(ex.name) - {"z = x @ weight.T"}:  # linear_relu's task states z
        assert code not in first, f"hint 1 of {ex.name} holds the solution's line {code!r}"
        assert code not in stub, f"the {ex.name} stub holds the solution's line {code!r}"
    for later in ex.hints[1:]:  # what the hints reveal later is not in the stub already
        assert " ".join(later.split()) not in stub


def test_relu_subgradient_stub_does_not_state_the_kink_rule():
    text = " ".join(stub_path("relu_subgradient").read_text().split())
    for giveaway in (
        "-0.0 ==",
        "== 0",
        "x == 0",
        "v == zero",
        "Three cases",
        "three cases",
        "subgradient if",
        "0 if x < 0",
        "if v < ",
        "two values",
        "cannot tell",
    ):
        assert giveaway not in text, giveaway  # fmt: skip


def test_list_shows_untouched_edited_failing_passed(tmp_path, capsys):
    main(["start", "--dir", str(tmp_path)])
    assert status("elu", tmp_path) == "untouched"
    (tmp_path / "elu.py").write_text(stub_path("elu").read_text() + "\n# working on it\n")
    assert status("elu", tmp_path) == "edited"  # changed, never checked
    assert not check("elu", directory=tmp_path).passed
    assert status("elu", tmp_path) == "failing"
    shutil.copyfile(solution_path("elu"), tmp_path / "elu.py")
    assert status("elu", tmp_path) == "edited"  # the failing result was for another text
    assert main(["check", "elu", "--dir", str(tmp_path)]) == 0
    assert status("elu", tmp_path) == "passed"
    capsys.readouterr()
    main(["list", "--dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert re.search(r"elu .*\[passed\]", out) and re.search(r"softsign .*\[untouched\]", out)
    (tmp_path / "gelu_tanh.py").unlink()
    assert status("gelu_tanh", tmp_path) == "not started"
    # checking the package's own stubs and solutions records nothing there
    check("softsign", file=stub_path("softsign"))
    check("softsign", file=solution_path("softsign"))
    assert not (stub_path("softsign").parent / ".progress.json").exists()
    assert not (solution_path("softsign").parent / ".progress.json").exists()


@pytest.mark.parametrize("args", [["list"], ["hint", "elu", "3"], ["--help"]])
def test_output_into_a_closed_pipe_prints_no_traceback(args, tmp_path):
    read, write = os.pipe()
    os.close(read)  # like `| head` that has already exited: every write fails with EPIPE
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "tinygrad_act.exercises",
                *args,
                *(["--dir", str(tmp_path)] if args[0] != "--help" else []),
            ],  # fmt: skip
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    finally:
        os.close(write)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert "Exception ignored" not in proc.stderr
