"""Word and bigram frequencies and complaint themes of open answers in one pass: what a report shows.

:func:`answer_tables` gives the tables of
:func:`~csat_research.text.frequencies.word_and_bigram_frequencies` and the tags of
:func:`~csat_research.text.themes.tag_themes` (the same, tested), but the distinct answers are cut
into parts once, and each process (:mod:`csat_research.text.workers`) segments, counts and tags its
part in one go: one hand-over of the parts instead of two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from csat_research.text.frequencies import (
    PartCounts,
    frequency_frame,
    merge_counts,
    part_counts,
)
from csat_research.text.inputs import check_int, text_series
from csat_research.text.theme_lexicon import CompiledLexicon
from csat_research.text.themes import resolve_lexicon, tag_frame, theme_masks
from csat_research.text.tokenize import TextTokenizer, resolve_tokenizer
from csat_research.text.workers import check_workers, map_split, plan_workers

__all__ = ["AnswerTables", "answer_tables"]


@dataclass(frozen=True)
class AnswerTables:
    """What :func:`answer_tables` gives.

    Attributes
    ----------
    words, bigrams : pandas.DataFrame
        As :func:`~csat_research.text.frequencies.word_and_bigram_frequencies` gives them
        (columns ``word``, ``count``, ``n_docs``, ``share``).
    tags : pandas.DataFrame
        As :func:`~csat_research.text.themes.tag_themes` gives them (one row per answer, one
        boolean column per theme).
    """

    words: pd.DataFrame
    bigrams: pd.DataFrame
    tags: pd.DataFrame


def answer_tables(
    texts,
    *,
    tokenizer: TextTokenizer | None = None,
    lexicon: Mapping | None = None,
    min_len: int = 2,
    top: int | None = None,
    top_bigrams: int | None = None,
    workers: int | None = None,
) -> AnswerTables:
    """Word and bigram frequencies and theme tags of open answers, in one pass.

    Parameters
    ----------
    texts : Series or sequence of str
        Answers; missing and blank answers count in no table and have no theme.
    tokenizer : TextTokenizer, optional
        From :func:`~csat_research.text.tokenize.make_tokenizer` (default: the shipped Chinese
        dictionary).
    lexicon : mapping, optional
        Theme lexicon as for :func:`~csat_research.text.themes.tag_themes`.
    min_len, top, top_bigrams
        As in :func:`~csat_research.text.frequencies.word_and_bigram_frequencies`.
    workers : int, optional
        Processes that share the distinct answers (Linux: children forked from this one):
        ``None`` chooses (:func:`~csat_research.text.workers.plan_workers`), 1 keeps to this
        process. The tables are the same for any number.

    Returns
    -------
    AnswerTables
        ``words``, ``bigrams`` and ``tags``.

    Raises
    ------
    TypeError, ValueError, ParamsError
        As :func:`~csat_research.text.frequencies.word_and_bigram_frequencies` and
        :func:`~csat_research.text.themes.tag_themes`.

    Examples
    --------
    >>> t = answer_tables(["物流太慢了", "客服回复很慢，物流也慢", None])
    >>> t.words["word"].tolist()[:2], t.tags["logistics_updates"].tolist()
    (['物流', '回复'], [True, True, False])
    """
    s = text_series(texts)
    tok = resolve_tokenizer(tokenizer, None)
    min_len = check_int(min_len, "min_len", minimum=1)
    top = check_int(top, "top", minimum=1, allow_none=True)
    top_bigrams = check_int(top_bigrams, "top_bigrams", minimum=1, allow_none=True)
    workers = check_workers(workers)
    lex = resolve_lexicon(lexicon)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mult = np.bincount(codes[codes >= 0], minlength=len(uniques))
    items = list(zip(uniques.tolist(), mult.tolist(), strict=True))
    parts = map_split(partial(_part, tok, min_len, lex), items, plan_workers(len(items), workers))
    counted, hidden = merge_counts([p[0] for p in parts], (1, 2))
    n_texts = sum(p[2] for p in parts)
    return AnswerTables(
        words=frequency_frame(counted[1], n_texts, top, hidden),
        bigrams=frequency_frame(counted[2], n_texts, top_bigrams, hidden),
        tags=tag_frame(lex, codes, np.concatenate([p[1] for p in parts]), s.index),
    )


def _part(tok: TextTokenizer, min_len: int, lex: CompiledLexicon, items: list) -> tuple[PartCounts, np.ndarray, int]:
    """One part of :func:`answer_tables` (in a worker process or here): the counts of its
    non-blank distinct answers, the theme masks of all of them, and the number of non-blank
    answers it stands for."""
    kept = [(t, m) for t, m in items if t.strip()]
    return (part_counts(tok, min_len, (1, 2), kept), theme_masks(lex, [t for t, _ in items]),
            sum(m for _, m in kept))
