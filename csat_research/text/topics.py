"""Emerging topics: what else dissatisfied customers complain about, beyond the theme lexicon.

:func:`emerging_topics` groups the negative open answers that match no complaint theme of
:func:`~csat_research.text.themes.tag_themes` into topics, each with its top words, its size
and masked example quotes, so that a researcher sees what the lexicon does not cover yet;
:func:`extend_lexicon` adds themes promoted from such topics (params ``text.extra_themes``) to
a lexicon without editing the package.

Choices, one line each:

* TF-IDF over the project tokenizer's content words of the PII-masked answers (stopwords,
  numbers and one-character words dropped): short answers hold a few words, so word weights;
* NMF (non-negative matrix factorisation, scikit-learn) rather than LDA: LDA needs long
  documents and many iterations to settle, while NMF on TF-IDF gives sharper topics on short
  texts and is deterministic with ``init="nndsvda"`` (SVD based) and a fixed ``random_state``;
* NMF rather than k-means: topic words come directly from the factor loadings, an answer's
  weight on its topic orders the example quotes, and answers that fit no topic stay unassigned;
* number of topics ``k = min(max_topics, max(2, round(sqrt(n / 6))))`` for ``n`` answers
  with at least two content words (100 answers: 4 topics; 400 or more: 8), a rule stated up front
  instead of a search over ``k``;
* an answer belongs to its strongest topic when that weight (topic vectors scaled to unit
  length) reaches ``min_weight``; topics with fewer than ``min_topic_size`` answers are dropped
  and their answers counted, never silently lost;
* too few answers (fewer than ``min_answers``) give no topics, and the result says so.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csat_research.core.errors import DataError, ParamsError
from csat_research.text.inputs import check_int, check_tags, text_series
from csat_research.text.pii import PII_KINDS, mask_pii
from csat_research.text.themes import default_theme_lexicon, tag_themes
from csat_research.text.tokenize import TextTokenizer, resolve_tokenizer

__all__ = ["EmergingTopicsResult", "emerging_topics", "extend_lexicon", "topic_count"]

_RE_QUOTE_KEY = re.compile(r"[\W_]+")
_BLANKS = dict.fromkeys(PII_KINDS, " ")  # personal data is masked to a blank before words are taken
_TOPIC_COLUMNS = ["topic", "top_words", "n", "share", "quotes", "suggested_terms"]
_QUOTE_COLUMNS = ["topic", "quote", "weight", "source"]


@dataclass(frozen=True)
class EmergingTopicsResult:
    """Emerging topics of the answers that matched no complaint theme.

    Attributes
    ----------
    topics : pandas.DataFrame
        One row per topic, largest first: ``topic`` (1, 2, ... in that order), ``top_words``
        (tuple of str, strongest first, at most ``top_words``), ``n`` (answers assigned), ``share`` (``n`` /
        ``n_untagged``), ``quotes`` (tuple of masked example quotes, most typical first),
        ``suggested_terms`` (the top words as a YAML list, to paste into a
        ``text.extra_themes`` entry after reading the quotes).
    quotes : pandas.DataFrame
        ``topic``, ``quote`` (PII masked), ``weight`` (the answer's weight on the topic),
        ``source`` (index label of the answer).
    assignments : pandas.Series
        Topic of every input answer (same index), ``<NA>`` when it has none (tagged with a
        theme, blank, too short, below ``min_weight`` or in a dropped topic).
    n_answers : int
        Non-blank answers given.
    n_untagged : int
        Of them, answers with no complaint theme (the denominator of ``share``).
    n_short : int
        Untagged answers with fewer than two content words (无, 还行), not grouped.
    n_unassigned : int
        Answers grouped but below ``min_weight`` on every topic.
    n_dropped : int
        Answers of topics smaller than ``min_topic_size`` (dropped topics).
    n_topics_fitted : int
        Topics of the factorisation (0 when there were too few answers).
    too_few : bool
        True when fewer than ``min_answers`` answers could be grouped: no topics.
    """

    topics: pd.DataFrame
    quotes: pd.DataFrame
    assignments: pd.Series
    n_answers: int
    n_untagged: int
    n_short: int
    n_unassigned: int
    n_dropped: int
    n_topics_fitted: int
    too_few: bool

    def to_frame(self) -> pd.DataFrame:
        """The topics table (:attr:`topics`)."""
        return self.topics.copy()


def topic_count(n: int, *, max_topics: int = 8) -> int:
    """Number of topics for `n` answers: ``min(max_topics, max(2, round(sqrt(n / 6))))``.

    Examples
    --------
    >>> [topic_count(n) for n in (20, 100, 200, 400, 5000)]
    [2, 4, 6, 8, 8]
    """
    return int(min(max_topics, max(2, round(math.sqrt(n / 6)))))


def emerging_topics(
    texts,
    *,
    tags: pd.DataFrame | None = None,
    tokenizer: TextTokenizer | None = None,
    language: str | None = None,
    max_topics: int = 8,
    min_answers: int = 30,
    min_topic_size: int | None = None,
    min_weight: float = 0.1,
    top_words: int = 8,
    n_quotes: int = 3,
    seed: int = 0,
    placeholders: Mapping[str, str] | None = None,
) -> EmergingTopicsResult:
    """Group negative answers that match no complaint theme into emerging topics.

    Parameters
    ----------
    texts : Series or sequence of str
        The negative answers (in a report: respondents with overall satisfaction <= 3;
        in a labelled corpus: the negative label). Missing and blank answers are skipped.
    tags : pandas.DataFrame, optional
        :func:`~csat_research.text.themes.tag_themes` of `texts` (same length and index):
        answers with a theme are left out. Default: every answer counts as untagged.
    tokenizer : TextTokenizer, optional
        From :func:`~csat_research.text.tokenize.make_tokenizer`; default the shipped
        dictionary of `language`.
    language : {"zh", "en"}, optional
        Language when no `tokenizer` is given (default ``"zh"``).
    max_topics : int, default 8
        Most topics (see Notes for the rule).
    min_answers : int, default 30
        Fewest answers with two or more content words needed to look for topics.
    min_topic_size : int, optional
        Fewest answers a topic must hold to be shown; default ``max(5, 2 % of the grouped
        answers)``.
    min_weight : float, default 0.1
        Weight an answer needs on its strongest topic to be assigned to it.
    top_words : int, default 8
        Words listed per topic.
    n_quotes : int, default 3
        Example quotes per topic (0 for none).
    seed : int, default 0
        ``random_state`` of the NMF initialisation (params ``analysis.seed``).
    placeholders : mapping, optional
        Kind -> placeholder of the masked quotes (the report's language; see
        :func:`~csat_research.text.pii.mask_pii`). Words are always taken with personal data blanked.

    Returns
    -------
    EmergingTopicsResult

    Raises
    ------
    TypeError
        For wrong argument types.
    ValueError
        For out-of-range numbers.
    DataError
        If `tags` does not align with `texts`.

    Notes
    -----
    Each untagged answer is segmented with the project tokenizer (content words, stopwords
    and numbers dropped); answers with fewer than two words are counted in ``n_short``.
    Words in at least two answers form the TF-IDF matrix
    (sublinear term frequency, rows of unit length), factorised by NMF into ``k`` topics,
    ``k = min(max_topics, max(2, round(sqrt(n / 6))))`` for ``n`` grouped answers,
    ``init="nndsvda"``, ``random_state=seed``: the same answers give the same topics. Topic
    word vectors are scaled to unit length; an answer joins its strongest topic when its
    weight reaches `min_weight`. Topics smaller than `min_topic_size` are dropped (their
    answers counted in ``n_dropped``). Top words are the topic's largest loadings (at most
    `top_words`, each at least a tenth of the largest); quotes are
    distinct answers (after PII masking, :func:`~csat_research.text.pii.mask_pii`) in
    decreasing weight, preferring 6 to 80 characters that are not one phrase repeated, and
    skipping near duplicates (character bigram Jaccard > 0.5). Words are taken from the masked text (its placeholders dropped),
because top words are shown too: an e-mail address or a name never becomes a topic word.

    Examples
    --------
    >>> answers = (["积分一直没到账", "会员积分被清零了", "积分兑换不了"] * 10
    ...            + ["发票开错了抬头", "发票一直没寄来", "要发票拖了很久"] * 10)
    >>> res = emerging_topics(answers, min_answers=10, max_topics=2)
    >>> [t[0] for t in res.topics["top_words"]], res.topics["n"].tolist()
    (['积分', '发票'], [30, 20])
    >>> res.n_untagged, res.n_short  # 要发票拖了很久: one content word only
    (60, 10)
    """
    s = text_series(texts)
    if tags is not None:
        tags = check_tags(tags)
        if len(tags) != len(s) or (isinstance(texts, pd.Series) and not tags.index.equals(s.index)):
            raise DataError(f"tags ({len(tags)} rows) must align with texts ({len(s)} rows, same index)")
    tok = resolve_tokenizer(tokenizer, language)
    max_topics = check_int(max_topics, "max_topics", minimum=2)
    min_answers = check_int(min_answers, "min_answers", minimum=2)
    min_topic_size = check_int(min_topic_size, "min_topic_size", minimum=1, allow_none=True)
    top_words = check_int(top_words, "top_words", minimum=1)
    n_quotes = check_int(n_quotes, "n_quotes", minimum=0)
    seed = check_int(seed, "seed", minimum=0)
    if isinstance(min_weight, bool) or not isinstance(min_weight, int | float) or not 0 <= min_weight < 1:
        raise ValueError(f"min_weight must be a number in [0, 1); got {min_weight!r}")

    answered = s.notna().to_numpy() & np.array([bool(t and t.strip()) for t in s.fillna("")], dtype=bool)
    untagged = answered.copy()
    if tags is not None:
        untagged &= ~tags.to_numpy(dtype=bool).any(axis=1)
    positions = np.flatnonzero(untagged)
    texts = s.iloc[positions].tolist()
    distinct = {t: tok.words(mask_pii(t, placeholders=_BLANKS)) for t in dict.fromkeys(texts)}
    words = [distinct[t] for t in texts]
    enough = np.array([len(w) >= 2 for w in words], dtype=bool)
    used = positions[enough]
    docs = [w for w, ok in zip(words, enough, strict=True) if ok]
    assignments = pd.Series(pd.array([pd.NA] * len(s), dtype="Int64"), index=s.index, name="topic")
    base = dict(
        n_answers=int(answered.sum()), n_untagged=int(untagged.sum()), n_short=int((~enough).sum()),
    )
    if len(used) < min_answers:
        return _empty(assignments, **base, too_few=True)

    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer=_identity, min_df=2, sublinear_tf=True)
    try:
        x = vec.fit_transform(docs)
    except ValueError:  # no word in two answers: nothing to group
        return _empty(assignments, **base, too_few=True)
    vocab = vec.get_feature_names_out()
    k = min(topic_count(len(used), max_topics=max_topics), x.shape[1])
    if k < 1:
        return _empty(assignments, **base, too_few=True)
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    w = nmf.fit_transform(x)
    h = nmf.components_
    norms = np.linalg.norm(h, axis=1)
    norms[norms == 0] = 1.0
    h = h / norms[:, None]
    w = w * norms[None, :]
    best = w.argmax(axis=1)
    weight = w[np.arange(len(best)), best]
    assigned = weight >= min_weight
    sizes = np.bincount(best[assigned], minlength=k)
    min_size = min_topic_size if min_topic_size is not None else max(5, math.ceil(0.02 * len(used)))
    kept = [j for j in np.argsort(-sizes, kind="stable") if sizes[j] >= min_size]
    n_dropped = int(sum(sizes[j] for j in range(k) if sizes[j] < min_size))
    number = {j: i + 1 for i, j in enumerate(kept)}

    rows, quote_rows = [], []
    topic_of = np.full(len(used), 0, dtype=np.int64)
    for j in kept:
        members = np.flatnonzero(assigned & (best == j))
        topic_of[members] = number[j]
        order = np.argsort(-h[j], kind="stable")[:top_words]
        top = tuple(str(vocab[i]) for i in order if h[j, i] >= 0.1 * h[j, order[0]] > 0)
        members = members[np.argsort(-weight[members], kind="stable")]
        picked = _pick_quotes([(s.iat[used[m]], float(weight[m]), s.index[used[m]]) for m in members], n_quotes,
                              placeholders)
        quote_rows += [{"topic": number[j], "quote": q, "weight": wt, "source": src} for q, wt, src in picked]
        rows.append({
            "topic": number[j], "top_words": top, "n": int(sizes[j]), "share": sizes[j] / base["n_untagged"],
            "quotes": tuple(q for q, _, _ in picked), "suggested_terms": "[" + ", ".join(top[:5]) + "]",
        })
    values = assignments.to_numpy(dtype=object, na_value=pd.NA)
    for pos, t in zip(used, topic_of, strict=True):
        if t:
            values[pos] = int(t)
    assignments = pd.Series(pd.array(values, dtype="Int64"), index=s.index, name="topic")
    return EmergingTopicsResult(
        topics=pd.DataFrame(rows, columns=_TOPIC_COLUMNS).astype({"n": np.int64, "topic": np.int64}),
        quotes=pd.DataFrame(quote_rows, columns=_QUOTE_COLUMNS),
        assignments=assignments, **base, n_unassigned=int((~assigned).sum()), n_dropped=n_dropped,
        n_topics_fitted=int(k), too_few=False,
    )


def _identity(words):
    return words


def _empty(assignments: pd.Series, *, too_few: bool, **counts) -> EmergingTopicsResult:
    return EmergingTopicsResult(
        topics=pd.DataFrame(columns=_TOPIC_COLUMNS), quotes=pd.DataFrame(columns=_QUOTE_COLUMNS),
        assignments=assignments, **counts, n_unassigned=0, n_dropped=0, n_topics_fitted=0, too_few=too_few,
    )


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _pick_quotes(members: list[tuple[str, float, object]], n: int,
                 placeholders: Mapping[str, str] | None = None) -> list[tuple[str, float, object]]:
    """Up to `n` distinct masked answers, by decreasing weight; 6-80 characters, not repetitive, first."""
    if n == 0:
        return []
    seen, cands = set(), []
    for text, wt, src in members:
        quote = mask_pii(text.strip(), placeholders=placeholders)
        key = _RE_QUOTE_KEY.sub("", quote.lower())
        if key and key not in seen:
            seen.add(key)
            cands.append((quote, wt, src, key))
    good = [6 <= len(c[0]) <= 80 and len(set(c[3])) >= 0.3 * len(c[3]) for c in cands]  # not 不错不错不错...
    order = [c for c, ok in zip(cands, good) if ok] + [c for c, ok in zip(cands, good) if not ok]
    chosen, grams = [], []
    for quote, wt, src, key in order:
        bg = _bigrams(key)
        if any(len(bg & g) / len(bg | g) > 0.5 for g in grams):
            continue
        chosen.append((quote, wt, src))
        grams.append(bg)
        if len(chosen) == n:
            break
    return chosen


def extend_lexicon(extra_themes: Mapping, *, lexicon: Mapping | None = None, where: str = "text.extra_themes") -> dict:
    """A theme lexicon with promoted themes added (params ``text.extra_themes``).

    Parameters
    ----------
    extra_themes : mapping
        Theme id -> definition with the structure of a theme of
        :func:`~csat_research.text.themes.default_theme_lexicon`: ``dimension``, ``label``
        (``zh`` and ``en``), per language ``phrases`` / ``aspects`` / ``cues`` (optionally
        ``exclude``, ``unless``, ``general_cues``).
    lexicon : mapping, optional
        The lexicon to extend (default: the shipped one). Not changed.
    where : str, default "text.extra_themes"
        Name of `extra_themes` in error messages (the params key).

    Returns
    -------
    dict
        A new lexicon: `lexicon`'s themes, then the extra ones in their order.

    Raises
    ------
    TypeError
        If `extra_themes` is not a mapping.
    ParamsError
        If an id is already a theme of `lexicon`, or a definition is malformed (the message
        names ``where.<id>``, what is expected and what was found).

    Examples
    --------
    >>> lex = extend_lexicon({"loyalty_points": {
    ...     "dimension": "after_sales", "label": {"zh": "积分问题", "en": "Loyalty points"},
    ...     "zh": {"phrases": ["积分没到账", "积分清零"]}}})
    >>> list(lex["themes"])[-1]
    'loyalty_points'
    >>> tag_themes(["会员积分清零了"], lexicon=lex)["loyalty_points"].tolist()
    [True]
    """
    if not isinstance(extra_themes, Mapping):
        raise TypeError(f"{where} must be a mapping of theme id -> definition; got {type(extra_themes).__name__}")
    out = copy.deepcopy(dict(lexicon)) if lexicon is not None else default_theme_lexicon()
    themes = out.get("themes")
    if not isinstance(themes, Mapping):
        raise ParamsError(f"the lexicon to extend has no 'themes' mapping; got {themes!r}")
    themes = dict(themes)
    for theme_id, spec in extra_themes.items():
        if theme_id in themes:
            raise ParamsError(
                f"{where}.{theme_id}: the theme id is already in the lexicon; expected a new id "
                f"(lexicon ids: {', '.join(themes)}), found {theme_id!r}"
            )
        themes[theme_id] = copy.deepcopy(spec)
    out["themes"] = themes
    for theme_id, spec in extra_themes.items():  # check each alone so that the message names it
        one = dict(out, themes={theme_id: themes[theme_id]})
        try:
            tag_themes([], lexicon=one)
        except ParamsError as exc:
            msg = str(exc).replace(f"lexicon['themes'][{theme_id!r}]", f"{where}.{theme_id}")
            raise ParamsError(msg if where in msg else f"{where}.{theme_id}: {msg}") from None
    return out
