"""Benchmark: the two statistics hot spots of ``analyse`` on the cached 1,000,000-respondent study.

Issue 17 (one ``csat report`` on 1,000,000 respondents within 60 s and 2.5 GB): the ordered logit
(:func:`csat_research.stats.ordinal.repurchase_ordered`) and the key-driver bootstrap
(:func:`csat_research.stats.drivers.relative_importance` with the shipped ``analysis.n_boot``
replicates, and its inner ``_replicates``) were the two largest statistics costs.

The demo study of ``bench_large.py`` (``~/.cache/csat-bench/<category>-s<seed>-n<n>/``, generated
there once) is loaded once with ``load_study(load_params(...))`` as ``bench_large.profile`` does,
then each function runs on the study's data the way ``analyse`` calls it (same outcome,
predictors, controls, survey weights, ``n_boot`` and ``seed``), in this process, beside the
**baseline**: the same module as it is at a git revision (``--baseline``, default ``main``),
loaded from ``git show`` into a module of its own. Per row, for the current code and the
baseline: wall seconds and CPU seconds of the process (an untraced run; CPU time is less
sensitive than wall time to other work on a shared machine, and with threads it is the sum over
them), the peak of traced memory (``tracemalloc``, NumPy allocations included; a second run,
skipped with ``--no-memory``), and whether the results agree (largest absolute difference of
estimates and standard errors / of the bootstrap intervals).

Usage: ``python benchmarks/bench_stats_large.py [--n 1000000] [--category beauty] [--baseline main]
[--workers 2] [--no-memory]``. The machine is shared: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def baseline_module(ref: str, relpath: str) -> types.ModuleType:
    """The module ``relpath`` as it is at git revision ``ref``, as a module of its own."""
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:{relpath}"], check=True,
                         capture_output=True, text=True).stdout
    mod = types.ModuleType(f"baseline_{Path(relpath).stem}")
    mod.__file__ = f"{ref}:{relpath}"
    sys.modules[mod.__name__] = mod  # dataclasses look their module up
    exec(compile(src, mod.__file__, "exec"), mod.__dict__)
    return mod


def timed(fn, *args, memory: bool = True, **kwargs):
    """(result, wall seconds, peak traced MiB or nan, CPU seconds of the process): one untraced
    run, then one traced run."""
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn(*args, **kwargs)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        peak = float("nan")
        if memory:
            del out
            gc.collect()
            tracemalloc.start()
            out = fn(*args, **kwargs)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    return out, seconds, peak, cpu


def load(category: str, n: int):
    """The cached study of ``bench_large`` loaded as ``csat report`` loads it."""
    import bench_large

    from csat_research.io.params import load_params
    from csat_research.report.study import load_study

    data = bench_large.cached_study(category, n)
    params = bench_large.study_params(category, data, Path(tempfile.mkdtemp(prefix="bench-stats-")), None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_study(load_params(params))


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="respondents of the cached study")
    ap.add_argument("--category", default="beauty")
    ap.add_argument("--baseline", default="main", help="git revision of the baseline modules")
    ap.add_argument("--workers", type=int, default=2, help="n_jobs of the extra bootstrap row")
    ap.add_argument("--no-memory", action="store_true", help="skip the traced-memory runs")
    args = ap.parse_args(argv)
    memory = not args.no_memory

    import statsmodels.miscmodels.ordinal_model  # noqa: F401  (imported before timing, as the kernel's warmup does)

    from csat_research.core.numeric import single_thread_blas
    from csat_research.report.analyse import INTENT, OVERALL, REPURCHASE
    from csat_research.stats import drivers, ordinal
    from csat_research.stats.design import row_patterns

    old_ordinal = baseline_module(args.baseline, "csat_research/stats/ordinal.py")
    old_drivers = baseline_module(args.baseline, "csat_research/stats/drivers.py")
    old_design = baseline_module(args.baseline, "csat_research/stats/design.py")
    for mod in (old_ordinal, old_drivers):  # the baseline's pattern compression too
        mod.row_patterns = old_design.row_patterns
    t0 = time.perf_counter()
    study = load(args.category, args.n)
    p = study.params
    d = study.data
    dims = list(study.dimensions)
    controls = [c for c in p.analysis.controls if c in d.columns and d[c].nunique() >= 2]
    print(f"{args.category} n={args.n:,}: study loaded in {time.perf_counter() - t0:.1f} s, {len(d):,} respondents "
          f"after screening; n_boot {p.analysis.n_boot}, seed {p.analysis.seed}; baseline = {args.baseline}")
    rows = []

    def record(name, new, old, agree):
        rows.append({"analysis": name, "seconds": new[1], "cpu": new[3], "peak_mib": new[2], "base_seconds": old[1],
                     "base_cpu": old[3], "base_peak_mib": old[2], "agree": agree})

    model_kw = dict(outcome=INTENT, predictors=dims, controls=controls, survey_weights=study.weight_column)
    new = timed(ordinal.repurchase_ordered, d, memory=memory, **model_kw)
    old = timed(old_ordinal.repurchase_ordered, d, memory=memory, **model_kw)
    a, b = new[0], old[0]
    record("repurchase_ordered", new, old,
           f"coef {np.max(np.abs(a.coefficients['coef'] - b.coefficients['coef'])):.1e}, "
           f"se {np.max(np.abs(a.coefficients['se'] - b.coefficients['se'])):.1e}, "
           f"thresholds {np.max(np.abs(a.thresholds['threshold'] - b.thresholds['threshold'])):.1e}")
    boot_kw = dict(predictors=dims, survey_weights=study.weight_column, n_boot=p.analysis.n_boot, seed=p.analysis.seed)
    for outcome in (OVERALL, REPURCHASE):
        new = timed(drivers.relative_importance, d, outcome=outcome, memory=memory, **boot_kw)
        old = timed(old_drivers.relative_importance, d, outcome=outcome, memory=memory, **boot_kw)
        diff = np.max(np.abs(new[0][["ci_low", "ci_high"]].to_numpy() - old[0][["ci_low", "ci_high"]].to_numpy()))
        record(f"relative_importance({outcome})", new, old, f"ci {diff:.1e}")
        threads = timed(drivers.relative_importance, d, outcome=outcome, memory=False, n_jobs=args.workers, **boot_kw)
        diff = np.max(np.abs(threads[0][["ci_low", "ci_high"]].to_numpy() - old[0][["ci_low", "ci_high"]].to_numpy()))
        record(f"  same, n_jobs={args.workers} (baseline n_jobs=1)", threads, old, f"ci {diff:.1e}")
    # the inner replicates alone, on the patterns of the first outcome
    cols = [OVERALL, *dims]
    Z = d[cols].dropna().to_numpy(float)
    Zc = Z - Z.mean(axis=0)
    Zu, wu, counts = row_patterns(Zc, np.ones(len(Zc)))
    t = time.perf_counter()
    old_design.row_patterns(Zc, np.ones(len(Zc)))
    patterns_old = time.perf_counter() - t
    t = time.perf_counter()
    row_patterns(Zc, np.ones(len(Zc)))
    patterns_new = time.perf_counter() - t
    seeds = np.random.SeedSequence(p.analysis.seed).spawn(p.analysis.n_boot)
    with single_thread_blas():
        new = timed(drivers._replicates, Zu, wu, counts, seeds, "shapley", memory=memory)
        old = timed(old_drivers._replicates, Zu, wu, counts, seeds, "shapley", memory=memory)
        t = time.perf_counter()
        for s in seeds:
            np.random.default_rng(s).multinomial(int(counts.sum()), counts / counts.sum())
        draws = time.perf_counter() - t
    record(f"_replicates ({len(counts):,} patterns)", new, old, f"max {np.nanmax(np.abs(new[0] - old[0])):.1e}, "
           f"bit-identical {np.array_equal(new[0], old[0], equal_nan=True)}")
    width = max(len(r["analysis"]) for r in rows)
    print(f"\n{'analysis':<{width}}  {'time s':>7}  {'cpu s':>6}  {'peak MiB':>8}  {'baseline s':>10}  {'cpu s':>6}  "
          f"{'base MiB':>8}  agreement")
    for r in rows:
        print(f"{r['analysis']:<{width}}  {r['seconds']:7.2f}  {r['cpu']:6.2f}  {r['peak_mib']:8.0f}  "
              f"{r['base_seconds']:10.2f}  {r['base_cpu']:6.2f}  {r['base_peak_mib']:8.0f}  {r['agree']}")
    print(f"\nrow_patterns of {len(Zc):,} rows: {patterns_new:.2f} s (baseline {patterns_old:.2f} s)")
    print(f"the {len(seeds)} multinomial draws of _replicates alone: {draws:.2f} s (numpy, one binomial per pattern)")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min), {os.cpu_count()} CPUs")
    return rows


if __name__ == "__main__":
    main()
