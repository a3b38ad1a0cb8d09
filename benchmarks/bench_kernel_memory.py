"""Benchmark: where the report kernel's memory goes on a large study (issue 17).

Runs, in this process, what the report notebook's load-and-analyse cell runs -
``load_study(load_params(...))`` then ``analyse(study)`` - on the cached demo study of
``bench_large.py`` (beauty, seed 2026; generated once into ``~/.cache/csat-bench``), and prints
per step:

* **RSS after** - the resident set size of this process when the step returns (psutil);
* **peak RSS** - the highest RSS sampled (every 10 ms, in a thread) while the step ran;
* **peak +** - that peak minus the RSS when the step started: the step's transient memory.

The steps are the whole ``load_study`` (and, inside it, ``read_responses``, ``screen``,
``dimension_scores``), then ``analyse`` and the library calls it makes (wrapped in this process
only, by name, to time their memory: the functions and their results are untouched), then
``write_wave`` (the respondent-level rows the notebook's last cell saves, written in blocks).
``--max-rss`` prints ``getrusage`` high-water mark of the whole run last. Compare a branch with
main by running the script from each tree (``PYTHONPATH=<tree>``) on the same machine.

Usage: ``python benchmarks/bench_kernel_memory.py [--n 1000000] [--category beauty]``.
"""

from __future__ import annotations

import argparse
import functools
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_large import SEED, cached_study, study_params  # noqa: E402

PROC = psutil.Process()
GIB = 2**30


class Peak(threading.Thread):
    """The highest RSS of this process, sampled every 10 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = PROC.memory_info().rss
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, PROC.memory_info().rss)
            self.stop.wait(0.01)

    def reset(self) -> int:
        now = PROC.memory_info().rss
        self.peak = now
        return now


SAMPLER = Peak()
ROWS: list[tuple[int, str, float, float, float, float]] = []
DEPTH = [0]


def watched(name: str, fn):
    """``fn`` recording, per call, RSS after, peak and seconds under ``name``."""

    @functools.wraps(fn)
    def inner(*args, **kwargs):
        outer_peak = SAMPLER.peak
        start = SAMPLER.reset()
        t0 = time.perf_counter()
        DEPTH[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            DEPTH[0] -= 1
            after = PROC.memory_info().rss
            peak = max(SAMPLER.peak, after)
            ROWS.append((DEPTH[0], name, time.perf_counter() - t0, after / GIB, peak / GIB, (peak - start) / GIB))
            SAMPLER.peak = max(outer_peak, peak)

    return inner


def wrap(module, names: list[str], prefix: str = "") -> None:
    for n in names:
        setattr(module, n, watched(prefix + n, getattr(module, n)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--category", default="beauty")
    args = ap.parse_args(argv)
    data = cached_study(args.category, args.n, SEED)

    from csat_research.io.params import load_params
    from csat_research.report import analyse as an
    from csat_research.report import study as st
    from csat_research.stats import (
        cfa,
        drivers,
        estimates,
        group_compare,
        kpi,
        logit,
        ordinal,
        reliability,
        scoring,
    )

    wrap(st, ["read_responses", "read_tickets", "screen", "dimension_scores", "_index_weights"], "load.")
    wrap(an, ["_text", "_segment_tests", "_item_scores", "_history", "crosstab"], "analyse.")
    wrap(scoring, ["overall_index", "score_summary", "reverse_key"], "scoring.")
    wrap(reliability, ["scale_reliability"], "reliability.")
    wrap(an.alpha, ["item_total"], "alpha.")
    wrap(cfa, ["cfa"], "cfa.")
    wrap(group_compare, ["satisfaction_by_segment"], "group_compare.")
    wrap(logit, ["repurchase_logit"], "logit.")
    wrap(ordinal, ["repurchase_ordered"], "ordinal.")
    wrap(drivers, ["relative_importance"], "drivers.")
    wrap(kpi, ["service_kpis", "kpi_trend", "expectation_gap", "satisfaction_by_wait"], "kpi.")
    wrap(estimates, ["mean_ci", "top2box", "nps"], "estimates.")
    from csat_research.report import wave

    load_study = watched("load_study", st.load_study)
    analyse = watched("analyse", an.analyse)
    write_wave = watched("write_wave", wave.write_wave)

    base = PROC.memory_info().rss
    SAMPLER.start()
    with tempfile.TemporaryDirectory(prefix="csat-bench-") as tmp:
        params = load_params(study_params(args.category, data, Path(tmp), None))
        study = load_study(params)
        results = analyse(study)
        write_wave(results, Path(tmp) / wave.WAVE_FILE)  # what write_outputs saves, in the notebook's last cell
    SAMPLER.stop.set()
    print(f"n={args.n:,}: RSS before load_study {base / GIB:.2f} GiB")
    print(f"  {'step':<36} {'s':>6} {'RSS after':>10} {'peak RSS':>9} {'peak +':>7}  (GiB)")
    merged: dict[str, list] = {}
    for depth, name, sec, after, peak, plus in ROWS:  # repeated calls: one line, worst peak
        m = merged.setdefault(name, [depth, name, 0.0, after, peak, plus, 0])
        m[2] += sec
        m[3], m[4], m[5], m[6] = after, max(m[4], peak), max(m[5], plus), m[6] + 1
    for depth, name, sec, after, peak, plus, calls in merged.values():
        label = ("  " * (1 if depth else 0)) + name + (f" x{calls}" if calls > 1 else "")
        print(f"  {label:<36} {sec:6.1f} {after:10.2f} {peak:9.2f} {plus:7.2f}")
    print(f"max RSS of this process (getrusage): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")
    del rows, results, study


if __name__ == "__main__":
    main()
