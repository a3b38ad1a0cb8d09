"""Benchmark: the parts of load + analyse changed for issue 17, each beside its baseline, in one process.

The study of ``bench_large.py`` (demo generator, seed 2026, beauty, 1,000,000 respondents; cached
in ``~/.cache/csat-bench``) is loaded once with this tree's ``load_study``; then each part runs on
that data the way ``load_study`` / ``analyse`` call it, with this tree's module and with the same
module as it is at a git revision (``--baseline``, default ``main``, loaded from ``git show`` into
a module of its own), alternately, ``--repeats`` times; printed: the smallest wall seconds of
each and whether the two results are identical (``equals`` of frames and series, every field of
result objects). Runs in one process, so both sides meet the same load of a shared machine
(``bench_analyse_steps.py`` times the whole cell in child processes instead).

Parts: ``datetime_values`` (the ``submitted_at`` column of responses.csv, read with the csv
module), ``screen``, ``reverse_key`` of the item grid, ``constant_items``,
``satisfaction_by_segment``, ``expectation_gap``, ``satisfaction_by_wait`` and the codebook
order of the crosstab segments (``_in_codebook_order``).

Usage: ``python benchmarks/bench_load_analyse_parts.py [--n 1000000] [--baseline main] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stats_large import baseline_module  # noqa: E402


def same(a, b) -> bool:
    """Whether two results are identical (frames and series with ``equals`` and their dtypes)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (pd.DataFrame, pd.Series)):
        return a.equals(b) and (list(a.dtypes) == list(b.dtypes) if isinstance(a, pd.DataFrame) else a.dtype == b.dtype)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a == b


def main(argv: list[str] | None = None) -> None:
    from bench_large import cached_study, study_params

    from csat_research.io import converters
    from csat_research.io.params import load_params
    from csat_research.report import analyse, guards
    from csat_research.report.study import load_study
    from csat_research.stats import group_compare, kpi, quality, scoring

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--baseline", default="main")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    data = cached_study("beauty", args.n)
    with tempfile.TemporaryDirectory() as tmp:
        p = load_params(study_params("beauty", data, Path(tmp), None))
        study = load_study(p)
    with open(data / "beauty" / "responses.csv", encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        j = next(rows).index("submitted_at")
        stamps = [r[j] for r in rows]
    base = {name: baseline_module(args.baseline, f"csat_research/{name.replace('.', '/')}.py")
            for name in ("io.converters", "stats.quality", "stats.scoring", "report.guards",
                         "stats.group_compare", "stats.kpi", "report.analyse")}
    d, cb, q = study.data, study.codebook, p.quality
    grid = [i for items in study.dimensions.values() for i in items]
    segs = [s for s in p.analysis.segments if s in d.columns]
    keyed = scoring.reverse_key(d[grid], items=cb.reverse_items(study.category))
    tickets = study.tickets.frame
    crosstab_vars = [v for pair in p.analysis.crosstabs for v in pair if v in d.columns]

    def parts(mods):
        cv, qu, sc, gu, gc, kp, an = (mods[k] for k in ("io.converters", "stats.quality", "stats.scoring",
                                                          "report.guards", "stats.group_compare", "stats.kpi",
                                                          "report.analyse"))
        return {
            "datetime_values": lambda: cv.datetime_values(stamps, required=False, notes=[], name="responses",
                                                          source="submitted_at"),
            "screen": lambda: qu.screen(study.responses.frame, traps=cb.trap_expectations(),
                                        reverse_pairs=cb.twins(study.category), grid=grid,
                                        speed_share=q.speed_share, duplicate_window_days=q.duplicate_window_days,
                                        contradiction_gap=q.contradiction_gap, actions=q.rules),
            "reverse_key": lambda: sc.reverse_key(d[grid], items=cb.reverse_items(study.category)),
            "constant_items": lambda: gu.constant_items(keyed, study.dimensions),
            "satisfaction_by_segment": lambda: gc.satisfaction_by_segment(
                d, scores=[*study.dimensions, "overall_sat"], segments=segs, survey_weights=study.weight_column),
            "expectation_gap": lambda: kp.expectation_gap(d, tickets),
            "satisfaction_by_wait": lambda: kp.satisfaction_by_wait(d, tickets, score="overall_sat"),
            "_in_codebook_order": lambda: [an._in_codebook_order(study, d[v]) for v in crosstab_vars],
        }

    this = {"io.converters": converters, "stats.quality": quality, "stats.scoring": scoring, "report.guards": guards,
            "stats.group_compare": group_compare, "stats.kpi": kpi, "report.analyse": analyse}
    mine, theirs = parts(this), parts(base)
    print(f"n = {args.n:,}; baseline {args.baseline} vs this tree, in one process; load avg "
          f"{os.getloadavg()[0]:.2f}; smallest of {args.repeats} runs")
    print(f"{'part':<26} {'baseline s':>10} {'this s':>8}  identical")
    total_b = total_t = 0.0
    for name in mine:
        tb, tt = [], []
        for _ in range(args.repeats):
            for fn, acc in ((theirs[name], tb), (mine[name], tt)):
                t0 = time.perf_counter()
                out = fn()
                acc.append(time.perf_counter() - t0)
                if acc is tb:
                    rb = out
                else:
                    rt = out
        ok = same(rb, rt)
        total_b, total_t = total_b + min(tb), total_t + min(tt)
        print(f"{name:<26} {min(tb):>10.2f} {min(tt):>8.2f}  {ok}", flush=True)
    print(f"{'all parts':<26} {total_b:>10.2f} {total_t:>8.2f}")


if __name__ == "__main__":
    main()
