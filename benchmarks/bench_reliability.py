"""Speed of alpha, omega and the scale table on 1,000,000 respondents x 30 Likert items.

Modules: csat_research.stats.alpha, .omega and .reliability (scale_reliability).

Seeded synthetic survey: 6 dimensions x 5 items, codes 1-5, one common factor per dimension
(standardized loading ~0.7). Every figure is the best of ``REPEATS`` runs (after one warm-up)
and is printed beside a plain ``numpy.cov`` of the same matrix measured in the same run,
with the ratio. Target: within 2x of ``numpy.cov``.

Run: ``.venv/bin/python benchmarks/bench_reliability.py [n_rows]``
"""

from __future__ import annotations

import platform
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from csat_research.core.errors import CsatWarning
from csat_research.stats.alpha import cronbach_alpha
from csat_research.stats.omega import omega
from csat_research.stats.reliability import scale_reliability

SEED = 2026
N_DIMS, N_ITEMS = 6, 5
REPEATS = 3


def make_survey(n: int, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.empty((n, N_DIMS * N_ITEMS), dtype=np.float64)
    for d in range(N_DIMS):
        f = rng.standard_normal(n)
        for i in range(N_ITEMS):
            e = rng.standard_normal(n)
            x[:, d * N_ITEMS + i] = np.clip(np.round(3.0 + 1.1 * (0.7 * f + 0.714 * e)), 1, 5)
    cols = [f"d{d + 1}_q{i + 1}" for d in range(N_DIMS) for i in range(N_ITEMS)]
    return pd.DataFrame(x, columns=cols)


def best(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def row(label: str, seconds: float, baseline: float) -> None:
    print(f"{label:<46} {seconds * 1e3:9.1f} ms   numpy.cov {baseline * 1e3:8.1f} ms   "
          f"ratio {seconds / baseline:5.2f}x")


def main(n: int) -> None:
    print(f"bench_reliability: {n:,} respondents x {N_DIMS * N_ITEMS} items "
          f"({N_DIMS} dims x {N_ITEMS}), seed {SEED}, best of {REPEATS}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    df = make_survey(n)
    x = df.to_numpy()
    dims = {f"d{d + 1}": [f"d{d + 1}_q{i + 1}" for i in range(N_ITEMS)] for d in range(N_DIMS)}
    dim_mats = {d: np.ascontiguousarray(df[its].to_numpy()) for d, its in dims.items()}

    base_all = best(lambda: np.cov(x, rowvar=False))
    row("cronbach_alpha, all 30 items", best(lambda: cronbach_alpha(df)), base_all)

    base_dims = best(lambda: [np.cov(m, rowvar=False) for m in dim_mats.values()])
    t = best(lambda: [cronbach_alpha(df, items=its) for its in dims.values()])
    row("cronbach_alpha, 6 dimensions (sum of 6 calls)", t, base_dims)
    t = best(lambda: [omega(df, items=its) for its in dims.values()])
    row("omega, 6 dimensions (sum of 6 calls)", t, base_dims)
    d1 = dims["d1"]
    base_d1 = best(lambda: np.cov(dim_mats["d1"], rowvar=False))
    row("cronbach_alpha, one dimension (5 items)", best(lambda: cronbach_alpha(df, items=d1)), base_d1)
    row("omega, one dimension (5 items)", best(lambda: omega(df, items=d1)), base_d1)
    t = best(lambda: scale_reliability(df, dims))
    row("scale_reliability, 6 dims + overall (info)", t, base_all)

    # Missing answers (5 % per cell): informational, outside the 2x target.
    rng = np.random.default_rng(SEED + 1)
    holes = df.mask(rng.random(df.shape) < 0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CsatWarning)  # listwise drop counts, expected here
        row("cronbach_alpha d1, 5 % missing, listwise (info)",
            best(lambda: cronbach_alpha(holes, items=d1)), base_d1)
        row("cronbach_alpha d1, 5 % missing, pairwise (info)",
            best(lambda: cronbach_alpha(holes, items=d1, missing="pairwise")), base_d1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
