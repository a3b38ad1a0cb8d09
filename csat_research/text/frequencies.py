"""Word counts of open answers: frequencies, keywords and the contrast of two groups.

* :func:`word_frequencies` counts words or within-clause bigrams (answers and occurrences);
* :func:`keywords` ranks them by TF-IDF (jieba.analyse's idf table) or
  TextRank, as ``jieba.analyse`` does;
* :func:`contrast_words` finds the words over-represented in one group (detractors) against
  another: log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

Words are counted on the answers as written (masking first would delete ordinary words such as
谢谢 from the counts), but no word that lies in personal data is shown: a word that overlaps a
span of :func:`~csat_research.text.pii.pii_spans` in any answer is left out of every result
(:func:`~csat_research.text.pii.pii_words`).
Every function deduplicates its texts first: a repeated answer is segmented once
(:class:`~csat_research.text.tokenize.TextTokenizer`) and its counts are multiplied back.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import partial
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
import pandas as pd

from csat_research.core.errors import DataError
from csat_research.text.inputs import aligned_groups, check_int, text_series
from csat_research.text.pii import pii_spans_many, pii_words
from csat_research.text.tokenize import (
    TextTokenizer,
    resolve_tokenizer,
)
from csat_research.text.workers import check_workers, map_split, plan_workers

__all__ = ["contrast_words", "keywords", "word_and_bigram_frequencies", "word_frequencies"]

# --------------------------------------------------------------------------------------
# word frequencies
# --------------------------------------------------------------------------------------


class _Grams(NamedTuple):
    """Counted words (n = 1) or bigrams (n = 2): gram g is ``words[parts[g, 0]]`` (and
    ``words[parts[g, 1]]``), with ``count[g]`` occurrences in ``docs[g]`` answers."""

    words: list[str]
    parts: np.ndarray  # (grams, n) word indices
    count: np.ndarray
    docs: np.ndarray

    def gram(self, g: int) -> str:
        """Gram g as shown: the word, or a bigram's two words with a space between."""
        return " ".join(self.words[i] for i in self.parts[g])

    def counters(self) -> tuple[Counter, Counter]:
        """Occurrences and answers per gram as shown."""
        grams = [self.gram(g) for g in range(len(self.count))]
        return (Counter(dict(zip(grams, self.count.tolist()))),
                Counter(dict(zip(grams, self.docs.tolist()))))


def _unique_counts(s: pd.Series) -> tuple[Counter, int]:
    """Distinct non-empty answers with their multiplicity, and the number of such answers."""
    counts = Counter(s.dropna())
    for blank in [t for t in counts if not t.strip()]:
        del counts[blank]
    return counts, sum(counts.values())


def _check_ngram(ngram) -> int:
    ngram = check_int(ngram, "ngram", minimum=1)
    if ngram > 2:
        raise ValueError(f"ngram must be 1 or 2; got {ngram!r}")
    return ngram


def _grams(keys: np.ndarray, texts: np.ndarray, mult: np.ndarray) -> tuple[np.ndarray, ...]:
    """Distinct `keys` (int64 codes of words or word pairs, >= 0), their occurrences and the
    number of answers holding them; an occurrence in text ``texts[i]`` counts ``mult`` of it.
    One sort of the (key, text) pairs gives both counts."""
    n_texts = len(mult)
    if not keys.size:
        return keys[:0], keys[:0], keys[:0]
    if int(keys.max()) >= np.iinfo(np.int64).max // n_texts:
        raise ValueError("too many distinct words to code word pairs in 64 bits")
    both = np.sort(keys * n_texts + texts)
    key, text = both // n_texts, both % n_texts
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])  # where each key starts
    in_text = np.r_[True, both[1:] != both[:-1]]  # the first occurrence of a key in a text
    weight = mult[text]
    count = np.add.reduceat(weight, first)
    docs = np.add.reduceat(np.where(in_text, weight, 0.0), first)
    return key[first], count.round().astype(np.int64), docs.round().astype(np.int64)


def _term_counts(texts_counts: Counter, tok: TextTokenizer, *, ngrams=(1,), min_len: int, workers=None):
    """Token and document counts of distinct texts, multiplied by their multiplicity, for each
    n of `ngrams` (1: words; 2: bigrams of adjacent content words of one block), and a mask of
    the words that lie in personal data (to be left out of what is shown). One pass: the texts
    are segmented (:meth:`TextTokenizer.segment_many`) and searched for personal data once,
    whichever counts are asked for, on `workers` processes (:func:`~csat_research.text.workers.
    plan_workers`), each counting its part; the counting is array arithmetic on word codes."""
    items = list(texts_counts.items())
    parts = map_split(partial(part_counts, tok, min_len, ngrams), items, plan_workers(len(items), workers))
    return merge_counts(parts, ngrams)


class PartCounts(NamedTuple):
    """Counts of one part of the distinct answers (:func:`part_counts`): its ``words`` (numbered in
    order of first appearance), per n of the n-grams counted the distinct grams as ``(codes,
    count, docs)`` (a bigram's code is ``first * len(words) + second``), and the words that
    overlap personal data in the part."""

    words: list[str]
    grams: dict
    hidden: set


def part_counts(tok: TextTokenizer, min_len: int, ngrams, items: list[tuple[str, int]]) -> PartCounts:
    """Word (and bigram) counts of some distinct answers ``(text, multiplicity)``: one part of
    the counts of many answers, counted in a worker process or here (:func:`merge_counts` adds
    the parts up)."""
    texts = [t for t, _ in items]
    mult = np.fromiter((m for _, m in items), dtype=np.float64, count=len(items))
    seg = tok.segment_many(texts, min_len=min_len)
    hidden: set[str] = set()
    personal = pii_spans_many(texts)
    if personal:
        rows = np.fromiter(personal, dtype=np.int64, count=len(personal))
        # seg.text is sorted: text i's words are one slice
        bounds = np.column_stack([np.searchsorted(seg.text, rows), np.searchsorted(seg.text, rows, "right")])
        for i, (lo, hi), spans in zip(personal, bounds.tolist(), personal.values(), strict=True):
            words = [seg.words[w] for w in seg.word[lo:hi].tolist()]
            hidden.update(pii_words(texts[i], words, spans))
    grams = {}
    if 1 in ngrams:
        grams[1] = _grams(seg.word, seg.text, mult)
    if 2 in ngrams:
        pair = seg.block[1:] == seg.block[:-1]
        first, second = seg.word[:-1][pair], seg.word[1:][pair]
        grams[2] = _grams(first * len(seg.words) + second, seg.text[:-1][pair], mult)
    return PartCounts(seg.words, grams, hidden)


def merge_counts(parts: list[PartCounts], ngrams) -> tuple[dict, np.ndarray]:
    """The counts of consecutive parts of the distinct answers added up (the parts hold different
    answers, so that occurrences and answers add): ``({n: _Grams}, hidden)`` with the words
    numbered in order of first appearance over all parts, as one part of all answers numbers them,
    and ``hidden`` the mask of the words that overlap personal data in any part."""
    index: dict[str, int] = {}
    remaps = [np.array([index.setdefault(w, len(index)) for w in p.words], dtype=np.int64) for p in parts]
    words = list(index)
    n_words = len(words)
    hidden = np.zeros(n_words, dtype=bool)
    personal = set().union(*(p.hidden for p in parts))
    if personal:
        hidden[[index[w] for w in personal]] = True
    out = {}
    for n in ngrams:
        keys, counts, docs = [], [], []
        for p, remap in zip(parts, remaps, strict=True):
            codes, count, doc = p.grams[n]
            if n == 2:
                codes = remap[codes // len(p.words)] * n_words + remap[codes % len(p.words)]
            else:
                codes = remap[codes]
            keys.append(codes)
            counts.append(count)
            docs.append(doc)
        if len(parts) == 1:
            key, count, doc = keys[0], counts[0], docs[0]
        else:
            key, inverse = np.unique(np.concatenate(keys), return_inverse=True)
            count = np.bincount(inverse, weights=np.concatenate(counts), minlength=len(key)).round().astype(np.int64)
            doc = np.bincount(inverse, weights=np.concatenate(docs), minlength=len(key)).round().astype(np.int64)
        codes = key[:, None] if n == 1 else np.column_stack([key // max(n_words, 1), key % max(n_words, 1)])
        out[n] = _Grams(words, codes, count, doc)
    return out, hidden


def word_frequencies(
    texts,
    *,
    tokenizer: TextTokenizer | None = None,
    language: str | None = None,
    ngram: int = 1,
    min_len: int = 2,
    top: int | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Word (or bigram) frequencies of open answers.

    Parameters
    ----------
    texts : Series or sequence of str
        Answers; missing and blank answers are skipped.
    tokenizer : TextTokenizer, optional
        From :func:`~csat_research.text.tokenize.make_tokenizer`; default the shipped
        dictionary of `language`.
    language : {"zh", "en"}, optional
        Language of the answers when no `tokenizer` is given (default ``"zh"``).
    ngram : {1, 2}, default 1
        1 counts words; 2 counts bigrams of adjacent kept words within one clause,
        written ``"物流 太慢"`` (a space between the two words).
    min_len : int, default 2
        Shortest word kept, in characters (2 drops single-character words such as 慢; with 1,
        only one-character words that carry meaning on their own are kept, not leftovers such
        as 的 or 点).
    top : int, optional
        Keep only the `top` most frequent rows.
    workers : int, optional
        Processes that share the segmentation (Linux: children forked from this one): ``None``
        chooses (:func:`~csat_research.text.workers.plan_workers`: one per 10,000 distinct answers
        and available CPU), 1 keeps to this process. The result is the same for any number.

    Returns
    -------
    pandas.DataFrame
        One row per word, most frequent first (ties by word):

        * ``word`` - the word (Latin letters lower-cased) or bigram;
        * ``count`` - occurrences over all answers;
        * ``n_docs`` - answers containing it;
        * ``share`` - ``n_docs`` / number of non-empty answers.

    Raises
    ------
    TypeError
        If `texts` is not a sequence of str, or `tokenizer` is not a TextTokenizer.
    ValueError
        For an unknown `language`, `ngram` not in {1, 2}, `min_len` < 1 or `top` < 1.

    Notes
    -----
    Words are counted on the answers as written; a word (and a bigram holding it) that
    overlaps personal data (:func:`~csat_research.text.pii.pii_spans`) in any answer is left
    out. Stopwords, punctuation, whitespace, numbers and fragments (Latin-script tokens that
    are no known word, such as ``xp`` or ``ok``; see
    :meth:`~csat_research.text.tokenize.TextTokenizer.blocks`) are excluded. Each distinct
    answer is segmented once and its counts multiplied by its frequency.

    Examples
    --------
    >>> answers = ["物流太慢了", "物流太慢了", "客服回复很慢，物流也慢", None, ""]
    >>> wf = word_frequencies(answers)
    >>> wf[["word", "count", "n_docs"]].values.tolist()
    [['物流', 3, 3], ['太慢', 2, 2], ['回复', 1, 1], ['客服', 1, 1], ['很慢', 1, 1]]
    >>> float(wf["share"].iloc[0])
    1.0
    >>> word_frequencies(answers, ngram=2)["word"].tolist()
    ['物流 太慢', '回复 很慢', '客服 回复']
    """
    s = text_series(texts)
    tok = resolve_tokenizer(tokenizer, language)
    ngram = _check_ngram(ngram)
    min_len = check_int(min_len, "min_len", minimum=1)
    top = check_int(top, "top", minimum=1, allow_none=True)
    workers = check_workers(workers)
    texts_counts, n_texts = _unique_counts(s)
    counted, hidden = _term_counts(texts_counts, tok, ngrams=(ngram,), min_len=min_len, workers=workers)
    return frequency_frame(counted[ngram], n_texts, top, hidden)


def word_and_bigram_frequencies(
    texts,
    *,
    tokenizer: TextTokenizer | None = None,
    language: str | None = None,
    min_len: int = 2,
    top: int | None = None,
    top_bigrams: int | None = None,
    workers: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Word and bigram frequencies of open answers in one pass (what a report shows).

    The same two tables as ``word_frequencies(texts, top=top)`` and
    ``word_frequencies(texts, ngram=2, top=top_bigrams)`` (tested), but each distinct answer
    is segmented and searched for personal data once instead of twice.

    Parameters
    ----------
    texts, tokenizer, language, min_len, workers
        As in :func:`word_frequencies`.
    top, top_bigrams : int, optional
        Keep only the `top` most frequent words and the `top_bigrams` most frequent bigrams.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The words and the bigrams, each with the columns of :func:`word_frequencies`.

    Raises
    ------
    TypeError, ValueError
        As :func:`word_frequencies`.

    Examples
    --------
    >>> words, bigrams = word_and_bigram_frequencies(["物流太慢了", "客服回复很慢，物流也慢"])
    >>> words["word"].tolist(), bigrams["word"].tolist()
    (['物流', '回复', '太慢', '客服', '很慢'], ['回复 很慢', '客服 回复', '物流 太慢'])
    """
    s = text_series(texts)
    tok = resolve_tokenizer(tokenizer, language)
    min_len = check_int(min_len, "min_len", minimum=1)
    top = check_int(top, "top", minimum=1, allow_none=True)
    top_bigrams = check_int(top_bigrams, "top_bigrams", minimum=1, allow_none=True)
    workers = check_workers(workers)
    texts_counts, n_texts = _unique_counts(s)
    counted, hidden = _term_counts(texts_counts, tok, ngrams=(1, 2), min_len=min_len, workers=workers)
    return (frequency_frame(counted[1], n_texts, top, hidden),
            frequency_frame(counted[2], n_texts, top_bigrams, hidden))


def frequency_frame(grams: _Grams, n_texts: int, top, hidden: np.ndarray) -> pd.DataFrame:
    """The table of :func:`word_frequencies` from counts (:func:`merge_counts`): the `top` grams
    (all without `top`), most frequent first (ties by the gram as shown), less those holding a
    word in personal data (`hidden`); `n_texts` answers are the base of ``share``."""
    idx = np.flatnonzero(~hidden[grams.parts].any(axis=1))
    if top is not None and len(idx) > top:
        c = grams.count[idx]
        least = np.partition(c, len(c) - top)[len(c) - top]
        idx = idx[c >= least]  # the candidates: only they are sorted
    shown = {g: grams.gram(g) for g in idx.tolist()}
    keys = sorted(shown, key=lambda g: (-grams.count[g], shown[g]))
    if top is not None:
        keys = keys[:top]
    counts = grams.count[keys].astype(np.int64)
    n_docs = grams.docs[keys].astype(np.int64)
    share = n_docs / n_texts if n_texts else np.full(len(keys), np.nan)
    return pd.DataFrame(
        {"word": pd.Series([shown[g] for g in keys], dtype=object), "count": counts,
         "n_docs": n_docs, "share": share}
    )


# --------------------------------------------------------------------------------------
# keywords
# --------------------------------------------------------------------------------------

_KEYWORD_METHODS = ("tfidf", "textrank")


def _tfidf_template():
    """A TFIDF extractor to copy: jieba.analyse's default one (its idf table is read at
    import); copies get their own tokenizer and stop words, the original is never changed."""
    import jieba.analyse

    return jieba.analyse.default_tfidf


def _tfidf_extractor(stop_words: set[str]) -> SimpleNamespace:
    """What :func:`_tfidf_weights` reads of a ``jieba.analyse.TFIDF``: idf table, median, stop words."""
    tfidf = _tfidf_template()
    return SimpleNamespace(idf_freq=tfidf.idf_freq, median_idf=tfidf.median_idf, stop_words=stop_words)


def _tfidf_weights(extractor, texts_counts: Counter, masked: dict, tok: TextTokenizer) -> dict:
    """``TFIDF.extract_tags`` of all answers joined, counted per distinct answer.

    Same filter and formula as jieba (words shorter than 2 characters or in
    ``extractor.stop_words`` dropped; weight = tf / total * idf, unknown words get the
    median idf); term frequencies are summed per distinct answer times its multiplicity.
    """
    grams: list[str] = []
    for t, k in texts_counts.items():
        ws = [
            w
            for w in tok.words(masked[t])
            if len(w.strip()) >= 2 and w.lower() not in extractor.stop_words
        ]
        grams += ws * k if k > 1 else ws
    freq = Counter(grams)
    total = float(sum(freq.values()))
    return {w: c * extractor.idf_freq.get(w, extractor.median_idf) / total for w, c in freq.items()}


def _textrank_weights(
    extractor, texts_counts: Counter, masked: dict, tok: TextTokenizer, allow
) -> dict:
    """``TextRank.textrank`` of all answers, co-occurrences counted per distinct answer.

    Same candidate filter (``extractor.pairfilter``: part of speech in `allow`, at least 2
    characters, not a stopword), window (``extractor.span``) and ranking (jieba's
    ``UndirectWeightedGraph``) as jieba; windows stay inside one answer and the
    co-occurrences of an answer count as often as the answer was given.
    """
    from jieba.analyse.textrank import UndirectWeightedGraph
    from jieba.posseg import pair

    extractor.pos_filt = frozenset(allow)
    pos = tok.language == "zh"
    span = extractor.span
    cm: dict[tuple[str, str], float] = {}
    for t, k in texts_counts.items():
        if not pos:
            words = [pair(w, "n") for w in tok.words(masked[t])]
        else:
            words = [pair(p.word.lower(), p.flag) for p in tok._pos_cut(masked[t])]
        keep = [extractor.pairfilter(wp) for wp in words]
        for i, wp in enumerate(words):
            if not keep[i]:
                continue
            for j in range(i + 1, min(i + span, len(words))):
                if keep[j]:
                    key = (wp.word, words[j].word)
                    cm[key] = cm.get(key, 0.0) + k
    graph = UndirectWeightedGraph()
    for (a, b), w in cm.items():
        graph.addEdge(a, b, w)
    return dict(graph.rank()) if cm else {}


def keywords(
    texts,
    *,
    method: str = "tfidf",
    top: int = 20,
    tokenizer: TextTokenizer | None = None,
    language: str | None = None,
) -> pd.DataFrame:
    """Keywords of a set of open answers by TF-IDF or TextRank (jieba.analyse).

    Parameters
    ----------
    texts : Series or sequence of str
        Answers; missing and blank ones are skipped.
    method : {"tfidf", "textrank"}, default "tfidf"
        ``"tfidf"``: the scoring of ``jieba.analyse.TFIDF`` - term frequency over all
        answers times the inverse document frequency of jieba's general corpus
        (``idf.txt``) for Chinese, or of the answers themselves
        (``log((1 + N) / (1 + df)) + 1``) for English.
        ``"textrank"``: the scoring of ``jieba.analyse.TextRank`` - PageRank (jieba's
        ``UndirectWeightedGraph``) on the co-occurrence graph of nouns and verbs within a
        5-word window inside one answer (English: all content words).
    top : int, default 20
        Number of keywords.
    tokenizer : TextTokenizer, optional
        From :func:`~csat_research.text.tokenize.make_tokenizer`; set as the ``tokenizer``
        of the extractor *instance* (jieba's global extractors and tokenizer are never used).
    language : {"zh", "en"}, optional
        Language when no `tokenizer` is given (default ``"zh"``).

    Returns
    -------
    pandas.DataFrame
        ``word`` and ``weight`` (TF-IDF score, or TextRank score scaled to a maximum of
        1), highest weight first (ties by word), at most `top` rows.

    Raises
    ------
    TypeError
        For a wrong type of `texts` or `tokenizer`.
    ValueError
        For an unknown `method` or `language`, or `top` < 1.

    Notes
    -----
    Stopwords, punctuation and numbers are removed first, and words that overlap personal
    data in any answer are left out of the result (the answers are scored as written). The
    result is that of ``extract_tags`` on all answers joined by newlines (tested), but each distinct
    answer is segmented and counted once and its counts multiplied by its frequency:
    jieba's own loop over every token of 100,000 answers takes minutes for TextRank.

    Examples
    --------
    >>> answers = ["物流太慢，物流信息不更新", "智能客服答非所问", "物流太慢了"]
    >>> keywords(answers, top=3)["word"].tolist()
    ['太慢', '物流', '智能客服']
    """
    s = text_series(texts)
    if not isinstance(method, str) or method not in _KEYWORD_METHODS:
        raise ValueError(f"method must be one of {_KEYWORD_METHODS}; got {method!r}")
    top = check_int(top, "top", minimum=1)
    tok = resolve_tokenizer(tokenizer, language)
    texts_counts, _ = _unique_counts(s)
    masked = {t: t for t in texts_counts}  # scored as written; personal words dropped below
    hidden: set[str] = set()
    texts = list(texts_counts)
    for i, spans in pii_spans_many(texts).items():
        hidden |= pii_words(texts[i], tok.words(texts[i]), spans)
    stop = set(tok.stopwords) | _tfidf_template().STOP_WORDS
    if method == "tfidf":
        extractor = _tfidf_extractor(stop)
        if tok.language == "en":
            extractor.idf_freq, extractor.median_idf = _corpus_idf(masked, texts_counts, tok)
        weights = _tfidf_weights(extractor, texts_counts, masked, tok)
    else:
        import jieba.analyse

        extractor = jieba.analyse.TextRank()
        extractor.stop_words = stop
        if tok.language == "zh":
            extractor.tokenizer = extractor.postokenizer = tok._pos_tokenizer()
        allow = ("n",) if tok.language == "en" else ("ns", "n", "vn", "v", "nz", "l")
        weights = _textrank_weights(extractor, texts_counts, masked, tok, allow)
    rows = sorted(
        ((w, float(v)) for w, v in weights.items() if tok._keep(w, 2) and w not in hidden),
        key=lambda r: (-r[1], r[0]),
    )
    rows = rows[:top]
    return pd.DataFrame(
        {
            "word": pd.Series([r[0] for r in rows], dtype=object),
            "weight": np.array([r[1] for r in rows], dtype=float),
        }
    )


def _corpus_idf(masked: dict, texts_counts: Counter, tok: TextTokenizer):
    n = sum(texts_counts.values())
    df: Counter = Counter()
    for t, k in texts_counts.items():
        for w in set(tok.words(masked[t])):
            df[w] += k
    idf = {w: math.log((1 + n) / (1 + d)) + 1.0 for w, d in df.items()}
    median = float(np.median(list(idf.values()))) if idf else 1.0
    return idf, median


# --------------------------------------------------------------------------------------
# contrast between two groups (Monroe, Colaresi & Quinn 2008)
# --------------------------------------------------------------------------------------


def contrast_words(
    texts,
    groups,
    *,
    a="dissatisfied",
    b="satisfied",
    prior_size: float = 1000.0,
    min_count: int = 1,
    ngram: int = 1,
    tokenizer: TextTokenizer | None = None,
    language: str | None = None,
) -> pd.DataFrame:
    """Words over-represented in group `a` (e.g. detractors) against group `b`.

    Log-odds ratio with an informative Dirichlet prior and its z-score (Monroe, Colaresi
    & Quinn 2008, "Fightin' Words").

    Parameters
    ----------
    texts : Series or sequence of str
        Answers.
    groups : Series or sequence
        Group label of each answer, aligned with `texts` (same length; two Series must share
        their index). Answers in neither `a` nor `b` are ignored.
    a, b : hashable, default "dissatisfied", "satisfied"
        The two group labels compared; positive z means over-represented in `a`.
    prior_size : float, default 1000
        alpha_0, the total pseudo-count of the informative prior, spread over the words in
        proportion to the pooled corpus (the background):
        ``alpha_w = alpha_0 * (y_w^a + y_w^b) / (n^a + n^b)``. The default weighs like
        1,000 tokens: noticeable for a few hundred answers (it tames words seen once or
        twice), negligible for tens of thousands.
    min_count : int, default 1
        Drop words with fewer pooled occurrences (``count_a + count_b``).
    ngram : {1, 2}, default 1
        Words or within-clause bigrams.
    tokenizer, language
        As in :func:`word_frequencies`.

    Returns
    -------
    pandas.DataFrame
        One row per word, highest ``z`` first (ties by word):

        * ``word``;
        * ``count_a``, ``count_b`` - occurrences in each group;
        * ``n_docs_a``, ``n_docs_b`` - answers of each group containing the word;
        * ``share_a``, ``share_b`` - ``n_docs`` / non-empty answers of the group;
        * ``log_odds`` - delta_w, log-odds ratio of `a` versus `b`;
        * ``se`` - its approximate standard error;
        * ``z`` - ``log_odds / se``.

        ``log_odds`` and ``z`` are NaN for a word that makes up every token of both groups.

    Raises
    ------
    DataError
        If `groups` does not align with `texts`, or `a` or `b` has no non-empty answer.
    TypeError, ValueError
        For wrong types or values of the other parameters.

    Notes
    -----
    With y the word counts and n the token totals of each group (Monroe et al. 2008,
    eqs. 16, 18-20)::

        delta_w = log((y_w^a + alpha_w) / (n^a + alpha_0 - y_w^a - alpha_w))
                - log((y_w^b + alpha_w) / (n^b + alpha_0 - y_w^b - alpha_w))
        var(delta_w) ~ 1 / (y_w^a + alpha_w) + 1 / (y_w^b + alpha_w)
        z_w = delta_w / sqrt(var(delta_w))

    Tested against a hand-computed two-word example. Words are counted as written; a word
    that overlaps personal data in an answer of either group is left out.

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature
    selection and evaluation for identifying the content of political conflict.
    *Political Analysis*, 16(4), 372-403.

    Examples
    --------
    >>> texts = ["物流太慢", "物流太慢", "客服态度好", "物流很快，客服耐心"]
    >>> groups = ["dissatisfied", "dissatisfied", "satisfied", "satisfied"]
    >>> res = contrast_words(texts, groups)
    >>> res["word"].iloc[0], res["word"].iloc[-1]
    ('太慢', '客服')
    """
    s = text_series(texts)
    g = aligned_groups(groups, s, "groups")
    tok = resolve_tokenizer(tokenizer, language)
    ngram = _check_ngram(ngram)
    min_count = check_int(min_count, "min_count", minimum=1)
    if isinstance(prior_size, bool) or not isinstance(prior_size, int | float | np.number):
        raise TypeError(f"prior_size must be a number; got {type(prior_size).__name__}")
    if not prior_size > 0 or not math.isfinite(prior_size):
        raise ValueError(f"prior_size must be a positive finite number; got {prior_size!r}")
    counted = {}
    for label, key in ((a, "a"), (b, "b")):
        sub = s[(g == label).to_numpy()]
        tc, n_texts = _unique_counts(sub)
        if n_texts == 0:
            raise DataError(
                f"group {key}={label!r} has no non-empty answer in texts; groups present: "
                f"{sorted(map(str, pd.unique(g.dropna())))}"
            )
        grams, hidden = _term_counts(tc, tok, ngrams=(ngram,), min_len=2)
        count, docs = grams[ngram].counters()
        counted[key] = (count, docs, n_texts, {grams[ngram].words[i] for i in np.flatnonzero(hidden)})
    ca, da, na_texts, hidden_a = counted["a"]
    cb, db, nb_texts, hidden_b = counted["b"]
    hidden = hidden_a | hidden_b  # a word in personal data in either group is left out of both
    for counter in (ca, da, cb, db):
        for gram in [g for g in counter if not hidden.isdisjoint(g.split(" "))]:
            del counter[gram]
    words = sorted(w for w in set(ca) | set(cb) if ca[w] + cb[w] >= min_count)
    ya = np.array([ca[w] for w in words], dtype=float)
    yb = np.array([cb[w] for w in words], dtype=float)
    na, nb = float(sum(ca.values())), float(sum(cb.values()))
    alpha0 = float(prior_size)
    alpha = alpha0 * (ya + yb) / (na + nb) if words else ya
    delta, se = _log_odds_dirichlet(ya, yb, na, nb, alpha, alpha0)
    out = pd.DataFrame(
        {
            "word": pd.Series(words, dtype=object),
            "count_a": ya.astype(np.int64),
            "count_b": yb.astype(np.int64),
            "n_docs_a": np.array([da[w] for w in words], dtype=np.int64),
            "n_docs_b": np.array([db[w] for w in words], dtype=np.int64),
        }
    )
    out["share_a"] = out["n_docs_a"] / na_texts
    out["share_b"] = out["n_docs_b"] / nb_texts
    out["log_odds"] = delta
    out["se"] = se
    out["z"] = delta / se
    out = out.sort_values(["z", "word"], ascending=[False, True], kind="mergesort")
    return out.reset_index(drop=True)


def _log_odds_dirichlet(ya, yb, na, nb, alpha, alpha0):
    """delta and its standard error (Monroe et al. 2008, eqs. 16 and 18-20).

    delta is NaN when a word makes up every token of both groups (no "other words" left).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        rest_a = na + alpha0 - ya - alpha
        rest_b = nb + alpha0 - yb - alpha
        delta = np.log((ya + alpha) / rest_a) - np.log((yb + alpha) / rest_b)
        delta = np.where((rest_a > 0) & (rest_b > 0), delta, np.nan)
        se = np.sqrt(1.0 / (ya + alpha) + 1.0 / (yb + alpha))
    return delta, se
