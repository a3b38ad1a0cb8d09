"""Speed of the Games-Howell p-values: the package's fixed quadrature rule beside scipy's.

:func:`~csat_research.stats.group_compare.compare_means` takes the Games-Howell simultaneous
p-values from a fixed Gauss-Legendre rule over the studentized-range integral (where the
Welch df >= 10 and p >= 0.001; ``scipy.stats.studentized_range.sf`` elsewhere). This script
times, in the same run and on the same data, that rule against
``scipy.stats.studentized_range.sf`` alone (adaptive QUADPACK):

* the p-values of the 15 pair statistics of a 6-group comparison (seeded, 2,000 rows);
* ``compare_means(..., posthoc="games-howell")`` on those 2,000 rows;
* one report's worth: ``compare_means`` of ``overall_sat`` over the five segments of a
  2,000-respondent demo wave (customer_type, frequency_band, value_band, age_group, channel),
  as ``report.analyse`` runs it.

The scipy figures come from the same ``compare_means`` with its p-value helper replaced by
scipy's function (``unittest.mock.patch``); the largest difference between the two sets of
p-values is printed too. Each figure is the best of ``--repeat`` runs (wall clock).

Run: ``.venv/bin/python benchmarks/bench_posthoc.py [--repeat 7]``
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from collections.abc import Callable
from unittest import mock

import numpy as np
import pandas as pd
from scipy import stats

from csat_research.demo.generator import generate_wave
from csat_research.stats import group_compare

SEGMENTS = ["customer_type", "frequency_band", "value_band", "age_group", "channel"]


def scipy_p(q: np.ndarray, k: int, df: np.ndarray) -> np.ndarray:
    """Games-Howell p-values by ``scipy.stats.studentized_range.sf`` alone, capped at 1."""
    return np.minimum(stats.studentized_range.sf(q, k, df), 1.0)


def six_groups(n: int = 2000, seed: int = 4) -> pd.DataFrame:
    """Seeded 1-5 satisfaction scores of six age groups with unequal sizes and small shifts."""
    rng = np.random.default_rng(seed)
    levels = np.array(["post00", "post95", "post90", "post85", "post80", "post70"])
    g = rng.choice(levels, n, p=[0.08, 0.17, 0.25, 0.2, 0.18, 0.12])
    shift = dict(zip(levels, [0.0, -0.1, 0.05, 0.15, 0.25, 0.1]))
    y = np.clip(np.round(3.8 + np.vectorize(shift.get)(g) + rng.normal(0, 0.9, n)), 1, 5)
    return pd.DataFrame({"age_group": g, "overall_sat": y})


def best_of(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches (quadrature nodes, scipy's LowLevelCallable)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def row(what: str, ours: float, theirs: float) -> None:
    print(f"{what:<46} {ours * 1e3:>9.1f} ms {theirs * 1e3:>9.1f} ms {theirs / ours:>7.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="repeats; the best time is reported")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    data = six_groups()
    ph = group_compare.compare_means(data, value="overall_sat", group="age_group").posthoc
    k = data["age_group"].nunique()
    q = ph["statistic"].abs().to_numpy() * np.sqrt(2)
    df = ph["df"].to_numpy()
    demo = generate_wave("appliances", n=2000, seed=2026).responses

    def report() -> None:
        for seg in SEGMENTS:
            group_compare.compare_means(demo, value="overall_sat", group=seg)

    def compare() -> object:
        return group_compare.compare_means(data, value="overall_sat", group="age_group")

    ours = {
        "p": best_of(lambda: group_compare._games_howell_p(q, k, df), args.repeat),
        "compare": best_of(compare, args.repeat),
        "report": best_of(report, args.repeat),
    }
    p_ours = group_compare._games_howell_p(q, k, df)
    with mock.patch.object(group_compare, "_games_howell_p", scipy_p):
        theirs = {
            "p": best_of(lambda: scipy_p(q, k, df), args.repeat),
            "compare": best_of(compare, args.repeat),
            "report": best_of(report, args.repeat),
        }
    p_scipy = scipy_p(q, k, df)

    pairs = sum(demo[s].nunique() * (demo[s].nunique() - 1) // 2 for s in SEGMENTS)
    print(f"python {platform.python_version()}, numpy {np.__version__}, best of {args.repeat}")
    print(f"{'':<46} {'package':>12} {'scipy':>12} {'ratio':>8}")
    row(f"p-values of {len(q)} pairs (k = {k}, df {df.min():.0f}-{df.max():.0f})", ours["p"], theirs["p"])
    row(f"compare_means, {k} groups, {len(data)} rows", ours["compare"], theirs["compare"])
    row(f"one report: 5 segments, {pairs} pairs, {len(demo)} rows", ours["report"], theirs["report"])
    print(f"largest |p(package) - p(scipy)|: {np.max(np.abs(p_ours - p_scipy)):.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
