"""Speed and memory of the satisfaction -> repurchase models and the key-driver analysis.

Seeded synthetic survey of 1,000,000 respondents (five correlated 1-5 dimension scores,
``overall_sat``, ``repurchase`` 0/1 from a planted logit, two text segment controls).
Each analysis is timed (wall clock, best of one run) and its peak traced memory measured
(``tracemalloc``, NumPy allocations included) in a separate run, beside a baseline
measured in the same process on the same data:

* ``repurchase_logit`` (5 scores + 2 dummy-coded controls, robust SEs, AMEs) vs a bare
  ``statsmodels.api.Logit(...).fit()`` on the prebuilt design matrix;
* ``predicted_curve(at="average")`` on 41 grid points vs 41 plain NumPy ``expit(X @ b)``
  averages;
* ``relative_importance`` (Shapley and Johnson, point estimate) vs one ``numpy.linalg.lstsq``
  fit of the full model;
* ``relative_importance(n_boot=200, n_jobs=2)`` (Shapley and Johnson, unweighted, and
  Shapley with continuous survey weights, the worst case for the pattern compression of
  the bootstrap) on all rows vs the naive bootstrap of the full-model R2 with ``lstsq`` on
  resampled rows (timed on 20 replicates and scaled to 200; documented in the output);
* ``importance_performance`` including the performance means over all rows vs the plain
  ``DataFrame.mean`` of the five columns.

Run: ``python benchmarks/bench_analytics.py [--n 1000000] [--n-boot 200] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from csat_research.stats.drivers import importance_performance, relative_importance
from csat_research.stats.logit import predicted_curve, repurchase_logit

DIMS = ["efficiency", "quality", "communication", "after_sales", "digital"]
SEED = 2026


def synthetic_survey(n: int, seed: int = SEED) -> pd.DataFrame:
    """Seeded synthetic respondents with a planted repurchase logit."""
    rng = np.random.default_rng(seed)
    corr = np.full((5, 5), 0.5) + 0.5 * np.eye(5)
    latent = rng.standard_normal((n, 5)) @ np.linalg.cholesky(corr).T
    scores = np.clip(np.round(3.3 + 0.9 * latent), 1, 5)
    df = pd.DataFrame(scores, columns=DIMS)
    df["customer_type"] = np.where(rng.random(n) < 0.55, "returning", "new")
    df["value_band"] = np.where(rng.random(n) < 0.2, "high", "normal")
    w = np.array([0.30, 0.40, 0.12, 0.10, 0.08])
    df["overall_sat"] = np.clip(np.round(scores @ w + rng.normal(0, 0.45, n)), 1, 5)
    b = np.array([0.40, 0.85, 0.35, 0.55, 0.30])
    eta = -8.7 + scores @ b + 0.9 * (df["customer_type"] == "returning").to_numpy()
    df["repurchase"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.int8)
    return df


def measure(fn, *args, **kwargs):
    """(seconds, peak traced MiB, result): timed run, then a traced run for memory."""
    gc.collect()
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - t0
    del result
    gc.collect()
    tracemalloc.start()
    result = fn(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, result


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="respondents (default 1,000,000)")
    parser.add_argument("--n-boot", type=int, default=200, help="bootstrap replicates (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="bootstrap worker threads (default 2)")
    parser.add_argument("--baseline-boot", type=int, default=20,
                        help="replicates timed for the naive bootstrap baseline (scaled up)")
    args = parser.parse_args(argv)

    import statsmodels.api as sm
    from scipy import special

    t0 = time.perf_counter()
    df = synthetic_survey(args.n)
    print(f"synthetic survey: {len(df):,} respondents, {df.shape[1]} columns, "
          f"{df.memory_usage(deep=True).sum() / 2**20:.0f} MiB, built in {time.perf_counter() - t0:.1f} s "
          f"(seed {SEED}); repurchase rate {df['repurchase'].mean():.3f}")
    rows: list[dict] = []

    def record(name, ours, base, base_name, note=""):
        rows.append({"analysis": name, "seconds": ours[0], "peak_mib": ours[1],
                     "baseline": base_name, "baseline_seconds": base[0], "baseline_peak_mib": base[1],
                     "note": note})

    # ---------------------------------------------------------------- logit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logit = measure(repurchase_logit, df, outcome="repurchase", predictors=DIMS,
                        controls=["customer_type", "value_band"])
    X = np.column_stack([np.ones(len(df)), df[DIMS].to_numpy(float),
                         (df["customer_type"] == "returning").to_numpy(float),
                         (df["value_band"] == "normal").to_numpy(float)])
    y = df["repurchase"].to_numpy(float)
    bare = measure(lambda: sm.Logit(y, X).fit(disp=0))
    record("repurchase_logit (robust, AMEs)", logit, bare, "sm.Logit(y, X).fit() on prebuilt X")
    res = logit[2]

    curve = measure(predicted_curve, res, variable="quality", grid=np.linspace(1, 5, 41), at="average")
    beta = res.coefficients["coef"].to_numpy()

    def plain_curve():
        out = []
        for g in np.linspace(1, 5, 41):
            Xg = X.copy()
            Xg[:, 2] = g
            out.append(special.expit(Xg @ beta).mean())
        return out

    record("predicted_curve(at='average'), 41 points", curve, measure(plain_curve),
           "41 x mean(expit(X_g @ b)) without SEs")

    # ---------------------------------------------------------------- drivers
    Z = df[DIMS].to_numpy(float)
    ysat = df["overall_sat"].to_numpy(float)

    def lstsq_fit():
        A = np.column_stack([np.ones(len(Z)), Z])
        coef, *_ = np.linalg.lstsq(A, ysat, rcond=None)
        resid = ysat - A @ coef
        return 1 - resid.var() / ysat.var()

    base_ls = measure(lstsq_fit)
    for method in ("shapley", "johnson"):
        ri = measure(relative_importance, df, outcome="overall_sat", predictors=DIMS, method=method)
        record(f"relative_importance({method})", ri, base_ls, "one numpy lstsq of the full model")

    rng = np.random.default_rng(SEED)

    def naive_boot(b):
        A = np.column_stack([np.ones(len(Z)), Z])
        out = []
        for _ in range(b):
            idx = rng.integers(0, len(Z), len(Z))
            coef, *_ = np.linalg.lstsq(A[idx], ysat[idx], rcond=None)
            r = ysat[idx] - A[idx] @ coef
            out.append(1 - r.var() / ysat[idx].var())
        return out

    nb = measure(naive_boot, args.baseline_boot)
    scale = args.n_boot / args.baseline_boot
    base_boot = (nb[0] * scale, nb[1], None)
    for method in ("shapley", "johnson"):
        rb = measure(relative_importance, df, outcome="overall_sat", predictors=DIMS, method=method,
                     n_boot=args.n_boot, seed=SEED, n_jobs=args.workers)
        record(f"relative_importance({method}, n_boot={args.n_boot}, n_jobs={args.workers})", rb, base_boot,
               f"naive lstsq bootstrap of R2, {args.baseline_boot} reps timed x{scale:g}",
               note=f"all {len(df):,} rows resampled per replicate")
        boot_table = rb[2]

    # continuous survey weights: every respondent is its own resampling pattern
    dfw = df.assign(weight=np.random.default_rng(SEED + 1).uniform(0.5, 2.0, len(df)))
    rw = measure(relative_importance, dfw, outcome="overall_sat", predictors=DIMS, survey_weights="weight",
                 n_boot=args.n_boot, seed=SEED, n_jobs=args.workers)
    record(f"relative_importance(shapley, survey_weights, n_boot={args.n_boot}, n_jobs={args.workers})", rw,
           base_boot, f"naive lstsq bootstrap of R2, {args.baseline_boot} reps timed x{scale:g}",
           note="continuous weights: no pattern compression")
    del dfw

    # ---------------------------------------------------------------- IPA
    imp = boot_table["importance"]

    def ipa():
        return importance_performance(imp, df[DIMS].mean())

    record("importance_performance (+ performance means)", measure(ipa),
           measure(lambda: df[DIMS].mean()), "DataFrame.mean of the 5 scores")

    # ---------------------------------------------------------------- report
    width = max(len(r["analysis"]) for r in rows)
    print()
    print(f"{'analysis':<{width}}  {'time s':>8}  {'peak MiB':>9}  {'baseline s':>10}  "
          f"{'base MiB':>9}  {'x base':>7}  baseline")
    for r in rows:
        ratio = r["seconds"] / r["baseline_seconds"] if r["baseline_seconds"] else float("nan")
        print(f"{r['analysis']:<{width}}  {r['seconds']:8.3f}  {r['peak_mib']:9.1f}  "
              f"{r['baseline_seconds']:10.3f}  {r['baseline_peak_mib']:9.1f}  {ratio:7.2f}  {r['baseline']}"
              + (f" [{r['note']}]" if r["note"] else ""))
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess max RSS {maxrss:.0f} MiB (resource.getrusage); python {sys.version.split()[0]}, "
          f"numpy {np.__version__}, pandas {pd.__version__}, statsmodels {sm.__version__}")
    print("\nlogit coefficients (planted: quality 0.85, efficiency 0.40, after_sales 0.55, "
          "communication 0.35, digital 0.30, customer_type[returning] 0.90):")
    print(res.coefficients[["coef", "ci_low", "ci_high"]].to_string(float_format=lambda v: f"{v:.4f}"))
    print("\nrelative importance with bootstrap CIs (Johnson):")
    print(boot_table.to_string(float_format=lambda v: f"{v:.4f}"))
    return rows


if __name__ == "__main__":
    main()
