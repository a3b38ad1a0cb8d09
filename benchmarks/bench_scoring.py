"""Speed of the scoring statistics on a large survey, beside a plain NumPy baseline.

Seeded 1,000,000 respondents x 30 Likert items (6 dimensions x 5 items, 3 % missing
completely at random, one reverse-keyed item per dimension) plus an NPS question. Times
:func:`~csat_research.stats.scoring.dimension_scores`, :func:`~csat_research.stats.estimates.top2box` and
:func:`~csat_research.stats.estimates.nps` in the same run as ``np.cov(X, rowvar=False)`` of the same
matrix, and prints each figure beside the baseline with the ratio (target: within 2x).

Run: ``.venv/bin/python benchmarks/bench_scoring.py [--n 1000000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from csat_research.stats.estimates import nps, top2box
from csat_research.stats.scoring import dimension_scores

N_DIMS, N_ITEMS = 6, 5
TARGET_RATIO = 2.0


def make_survey(n: int, seed: int = 2026) -> tuple[pd.DataFrame, dict[str, list[str]], list[str]]:
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=(n, N_DIMS * N_ITEMS)).astype(np.float64)
    x[rng.random(x.shape) < 0.03] = np.nan
    cols = [f"d{d}_i{i}" for d in range(N_DIMS) for i in range(N_ITEMS)]
    df = pd.DataFrame(x, columns=cols)
    df["nps"] = rng.integers(0, 11, size=n).astype(np.float64)
    dims = {f"d{d}": cols[d * N_ITEMS:(d + 1) * N_ITEMS] for d in range(N_DIMS)}
    reverse = [items[-1] for items in dims.values()]
    return df, dims, reverse


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="respondents (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats; the best time is reported")
    args = parser.parse_args()

    df, dims, reverse = make_survey(args.n)
    items = [c for cols in dims.values() for c in cols]
    matrix = df[items].to_numpy()

    def run_dimension_scores() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the missing-score warning is expected here
            return dimension_scores(df, dimensions=dims, reverse=reverse, min_answered=0.5)

    baseline = best_of(lambda: np.cov(matrix, rowvar=False), args.repeat)
    figures = {
        "dimension_scores (6 dims x 5 items)": best_of(run_dimension_scores, args.repeat),
        "top2box (1 item)": best_of(lambda: top2box(df[items[0]]), args.repeat),
        "nps (1 question)": best_of(lambda: nps(df["nps"]), args.repeat),
    }
    res = run_dimension_scores()
    print(f"bench_scoring: n = {args.n:,} respondents x {len(items)} items, best of {args.repeat}; "
          f"Python {platform.python_version()}, NumPy {np.__version__}, pandas {pd.__version__}")
    print(f"  baseline np.cov(X, rowvar=False) on the same {matrix.shape[0]:,} x {matrix.shape[1]} matrix: "
          f"{baseline:.3f} s")
    print(f"  {'statistic':40s} {'seconds':>9s} {'baseline':>9s} {'ratio':>7s}  within {TARGET_RATIO:g}x")
    worst = 0.0
    for name, sec in figures.items():
        ratio = sec / baseline
        worst = max(worst, ratio)
        print(f"  {name:40s} {sec:9.3f} {baseline:9.3f} {ratio:7.2f}  {'yes' if ratio <= TARGET_RATIO else 'NO'}")
    total = sum(figures.values())
    print(f"  {'all three together':40s} {total:9.3f} {baseline:9.3f} {total / baseline:7.2f}")
    print(f"  scored respondent-dimensions: {int(res.coverage['n'].sum()):,}; "
          f"left missing: {res.n_missing:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
