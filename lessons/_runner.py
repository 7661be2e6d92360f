"""Run one lesson as an experiment: check the flags, run its seeds, tabulate, print, save.

run_lesson(module, ...) is the same for every lesson: validate --out BEFORE anything trains, run
`measure` over the seeds (serially, in processes or on a Dask cluster; lessons/_seeds.py),
`aggregate`, then print the tables, the summary and the claims, write results.json, and only then
draw the figures (a plotting problem can no longer cost the numbers).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lessons._results import roundtrip, write_results
from lessons._seeds import SEED_STRIDE, run_seeds, seed_list

DEFAULT_OUT = "lesson_output"
N_SEEDS, QUICK_N_SEEDS = 10, 3  # a lesson may set its own N_SEEDS / QUICK_N_SEEDS

SEEDS_HELP = (
    f"Seeds: --seed S --seeds N runs seeds S*{SEED_STRIDE} .. S*{SEED_STRIDE}+N-1 (one run per "
    "seed; seed k fixes the data split, the init and the batch order of run k). Different S never "
    "share a seed: --seed 1 is a fresh replication of --seed 0."
)


@dataclass
class LessonRun:
    """What run_lesson returns: the per-seed runs and everything derived from them."""

    stem: str
    seeds: list[int]
    runs: list[dict]
    tables: dict
    summary: list[str]
    claims: dict[str, bool]
    rendered: list[tuple[str, list[str], list[list[Any]]]]
    results_path: str
    figures: list[str] = field(default_factory=list)


def _nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"{v} is negative; use an integer >= 0 (e.g. --seed 1)")
    return v


def _count(limit: int):
    def parse(text: str) -> int:
        v = _nonneg_int(text)
        if not 1 <= v <= limit:
            raise argparse.ArgumentTypeError(f"{v} is out of range; use 1..{limit}")
        return v

    return parse


def parser(doc: str | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m lessons N|all",
        description=(doc or "").split("\n\n")[0],
        epilog=SEEDS_HELP,
        allow_abbrev=False,
    )
    p.add_argument("--quick", action="store_true", help="a smaller run (seconds), as in the tests")
    p.add_argument("--seed", type=_nonneg_int, default=0, help="base seed S >= 0 (see below)")
    p.add_argument(
        "--seeds",
        type=_count(SEED_STRIDE),
        default=None,
        help="how many seeds N (default 10, quick 3)",
    )
    p.add_argument("--jobs", type=_count(1024), default=1, help="seeds in parallel processes")
    p.add_argument("--scheduler", default=None, help="a Dask scheduler address (tcp://host:8786)")
    p.add_argument("--out", default=DEFAULT_OUT, help="directory for results.json and figures")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    return p


def check_out(out: str, stem: str) -> str:
    """Create and return out/stem, or exit with a clear message BEFORE anything trains."""
    if not isinstance(out, str) or not out.strip():
        raise SystemExit("lessons: --out is empty; give a directory (default: lesson_output)")
    if os.path.exists(out) and not os.path.isdir(out):
        raise SystemExit(f"lessons: --out {out!r} is an existing file; give a directory")
    folder = os.path.join(out, stem)
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):  # can we really write here? (not only access())
            pass
    except OSError as e:
        raise SystemExit(
            f"lessons: cannot write to --out {out!r} ({e.strerror or e}); give a writable directory"
        ) from None
    return folder


def _stem(module) -> str:
    return pathlib.Path(module.__file__).stem


def print_report(module, r: LessonRun, quick: bool) -> None:
    from lessons._common import format_table

    title = (module.__doc__ or _stem(module)).strip().splitlines()[0]
    print(f"== {title} ==")
    print(f"seeds {r.seeds[0]}..{r.seeds[-1]} ({len(r.seeds)} runs{', quick' if quick else ''})")
    for name, headers, rows in r.rendered:
        print(f"\n{name}\n{format_table(headers, rows)}")
    print("\n" + "\n".join(f"- {s}" for s in r.summary))
    held = sum(r.claims.values())
    print(f"\nclaims: {held} of {len(r.claims)} hold")
    for name, ok in r.claims.items():
        print(f"  [{'ok' if ok else 'FAILS'}] {name}")
    sys.stdout.flush()


def run_lesson(
    module,
    quick: bool = False,
    seed: int = 0,
    seeds: int | None = None,
    jobs: int = 1,
    scheduler: Any = None,
    out: str = DEFAULT_OUT,
    plots: bool = True,
    verbose: bool = True,
) -> LessonRun:
    """Run `module`'s experiment over seeds seed_list(seed, seeds); see lessons/_common.py."""
    stem = _stem(module)
    folder = check_out(out, stem)
    if seeds is None:
        seeds = getattr(module, "QUICK_N_SEEDS" if quick else "N_SEEDS", None)
        seeds = seeds or (QUICK_N_SEEDS if quick else N_SEEDS)
    seed_ids = seed_list(seed, seeds)
    t0 = time.perf_counter()
    runs = run_seeds(module.measure, seed_ids, jobs=jobs, scheduler=scheduler, quick=quick)
    # everything below reads the tables as they come back from results.json: file == printout
    tables = roundtrip(module.aggregate(runs))
    r = LessonRun(
        stem, seed_ids, runs, tables, list(module.summarize(tables)),
        {k: bool(v) for k, v in module.claims(tables).items()}, list(module.render(tables)), "",
    )  # fmt: skip
    if verbose:
        print_report(module, r, quick)
    record = dict(
        seeds=seed_ids, quick=quick, tables=tables, summary=r.summary, claims=r.claims, figures=[],
        jobs=jobs, seconds=round(time.perf_counter() - t0, 1),  # running the seeds + tables
    )  # fmt: skip
    r.results_path = write_results(folder, stem, record)
    if plots and _has_matplotlib():
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):  # a figure that retrains a run: as in measure()
            r.figures = list(module.figures(tables, folder))
        record["figures"] = [os.path.basename(p) for p in r.figures]
        write_results(folder, stem, record)
    if verbose:
        print(f"\nresults: {r.results_path}" + "".join(f"\nfigure: {p}" for p in r.figures))
    return r


def _has_matplotlib() -> bool:
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def make_run(module_name: str):
    """run(quick, seed, seeds, jobs, scheduler, out, plots, verbose) for the lesson module."""

    def run(**kwargs) -> LessonRun:
        return run_lesson(sys.modules[module_name], **kwargs)

    return run


def main_for(module, argv: Sequence[str] | None = None) -> LessonRun:
    """Parse the flags and run one lesson (used by `python -m lessons` and by the scripts)."""
    args = parser(module.__doc__).parse_args(argv)
    t0 = time.perf_counter()
    r = run_lesson(
        module, quick=args.quick, seed=args.seed, seeds=args.seeds, jobs=args.jobs,
        scheduler=args.scheduler, out=args.out, plots=not args.no_plots,
    )  # fmt: skip
    print(f"\n[{r.stem} took {time.perf_counter() - t0:.1f} s]\n")
    return r


def lesson_main(module_name: str, argv: Sequence[str] | None = None) -> LessonRun:
    """Script entry of a lesson file: `if __name__ == "__main__": lesson_main(__name__)`."""
    return main_for(sys.modules[module_name], argv)
