"""Do the lessons' claims hold on other CPUs' matmul kernels? Rerun every claim under each
OpenBLAS core type and print which held.

Matmul rounding depends on the BLAS kernel, and a run near an edge of stability amplifies it, so a
claim measured on one machine can fail on another. OpenBLAS lets one machine use another CPU's
kernel (OPENBLAS_CORETYPE); with both OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset it picks its
own. Each lesson runs in quick mode in a child process whose environment alone is changed (the
tests and CI leave the machine's variables as they are); the child reports its `claims` and the
kernel threadpoolctl saw.

    python tools/blas_claims.py                  # all lessons, all core types
    python tools/blas_claims.py --lessons 4 --seeds 10

Writes lessons/results/blas_claims.json (rendered into lessons/README.md by
tools/lessons_readme.py) unless --no-write.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORETYPES = ("Haswell", "SkylakeX", "Zen", "Sandybridge", "unset")
OUT = ROOT / "lessons" / "results" / "blas_claims.json"

CHILD = """
import json, sys, tempfile
sys.path.insert(0, {root!r})
from lessons.__main__ import load
from lessons._runner import run_lesson
from lessons._results import blas_info
import pathlib
mod = load(pathlib.Path({path!r}))
with tempfile.TemporaryDirectory() as out:
    r = run_lesson(mod, quick=True, seeds={seeds!r}, jobs={jobs}, out=out, plots=False,
                   verbose=False)
print("CLAIMS " + json.dumps(dict(claims=r.claims, seeds=r.seeds, blas=blas_info())))
"""


def child_env(coretype: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if coretype == "unset":
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    else:
        env["OPENBLAS_CORETYPE"] = coretype
    return env


def check(path: pathlib.Path, coretype: str, seeds: int | None, jobs: int) -> dict:
    """Run one lesson's claims under one core type in a child process."""
    code = CHILD.format(root=str(ROOT), path=str(path), seeds=seeds, jobs=jobs)
    p = subprocess.run(
        [sys.executable, "-c", code], env=child_env(coretype), capture_output=True, text=True
    )
    line = [x for x in p.stdout.splitlines() if x.startswith("CLAIMS ")]
    if p.returncode != 0 or not line:
        tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
        return dict(error=" | ".join(tail), claims={}, blas=[])
    return json.loads(line[-1][len("CLAIMS ") :])


def lesson_paths(keys: list[str] | None) -> list[pathlib.Path]:
    sys.path.insert(0, str(ROOT))
    from lessons.__main__ import find, lesson_files, load

    paths = [p for k in keys for p in find(k)] if keys else lesson_files()
    return [p for p in paths if hasattr(load(p), "claims")]  # lessons in the measure shape


def _seeds(per_core: dict) -> int:
    return max((len(r.get("seeds", [])) for r in per_core.values()), default=0)


def table(result: dict) -> list[list[str]]:
    rows = []
    for stem, per_core in result["lessons"].items():
        names = list(dict.fromkeys(c for r in per_core.values() for c in r["claims"]))
        for name in names:
            cells = []
            for ct in result["coretypes"]:
                r = per_core[ct]
                ok = "ok" if r["claims"].get(name) else "FAILS"
                cells.append("error" if "error" in r else ok)
            rows.append([f"{stem} ({_seeds(per_core)} seeds)", name, *cells])
        errors = [ct for ct, r in per_core.items() if "error" in r]
        if errors and not names:
            rows.append([stem, "(did not run)", *("error" for _ in result["coretypes"])])
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lessons", default=None, help="comma-separated lesson numbers (default all)")
    ap.add_argument(
        "--seeds",
        type=int,
        default=None,
        help="seeds per lesson (default: quick's; 10 also checks claims stated only over 10 seeds)",
    )
    ap.add_argument("--coretypes", default=",".join(CORETYPES))
    ap.add_argument("--parallel", type=int, default=2, help="child processes at a time")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    paths = lesson_paths(a.lessons.split(",") if a.lessons else None)
    coretypes = a.coretypes.split(",")
    jobs = [(p, ct) for p in paths for ct in coretypes]
    with concurrent.futures.ThreadPoolExecutor(a.parallel) as pool:
        done = pool.map(lambda j: check(j[0], j[1], a.seeds, 1), jobs)
        results = dict(zip(jobs, done))
    result = dict(
        coretypes=coretypes,
        seeds=a.seeds,
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        lessons={p.stem: {ct: results[(p, ct)] for ct in coretypes} for p in paths},
    )
    from lessons._common import format_table
    from lessons._results import cpu_model

    result["cpu"] = cpu_model()
    rows = table(result)
    print(format_table(["lesson", "claim", *coretypes], rows))
    for stem, per_core in result["lessons"].items():
        for ct, r in per_core.items():
            arch = {b.get("architecture") for b in r.get("blas", [])}
            if "error" in r:
                print(f"{stem} under {ct}: ERROR {r['error']}")
            elif ct != "unset" and arch != {ct}:
                print(f"note: {stem} under {ct}: OpenBLAS ran its {arch} kernels")
    if not a.no_write:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        if a.lessons and OUT.exists():  # keep the other lessons' rows (same core types only)
            old = json.loads(OUT.read_text())
            if old["coretypes"] == coretypes:  # each row records its own seeds
                result["lessons"] = dict(sorted({**old["lessons"], **result["lessons"]}.items()))
        OUT.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0 if all(r[2:] == ["ok"] * len(coretypes) for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
