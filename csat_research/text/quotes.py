"""Representative quotes: masked verbatim answers that illustrate each complaint theme.

:func:`representative_quotes` picks, per theme of :func:`~csat_research.text.themes.tag_themes`,
a few distinct answers of a typical length (seeded), PII masked with
:func:`~csat_research.text.pii.mask_pii`. Quotes are data, never markup: they are returned as
plain strings; escaping for HTML is the renderer's job.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from csat_research.core.errors import CsatWarning, DataError
from csat_research.text.inputs import (
    check_int,
    check_language,
    check_tags,
    check_words,
    is_han,
    text_series,
)
from csat_research.text.pii import mask_pii, mask_pii_many

__all__ = ["representative_quotes"]

_RE_QUOTE_KEY = re.compile(r"[\W_]+")


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def representative_quotes(
    texts,
    tags: pd.DataFrame,
    *,
    theme=None,
    n: int = 3,
    seed: int = 0,
    min_chars: int | None = None,
    max_chars: int | None = None,
    language: str | None = None,
    placeholders=None,
) -> pd.DataFrame:
    """Masked verbatim quotes that illustrate each theme.

    Parameters
    ----------
    texts : Series or sequence of str
        The answers that were tagged.
    tags : pandas.DataFrame
        :func:`~csat_research.text.themes.tag_themes` of `texts` (same length; same index
        when `texts` is a Series).
    theme : str or sequence of str, optional
        Theme id(s); default every column of `tags`.
    n : int, default 3
        Quotes per theme (fewer when fewer distinct answers exist; a CsatWarning says so).
    seed : int, default 0
        Seed of the random choice among the medium-length answers; each theme draws with its
        own generator seeded with it, so a theme's quotes do not depend on the other themes
        asked for.
    min_chars, max_chars : int, optional
        Preferred length of a quote in characters. Default: the middle half (quartiles) of
        the theme's distinct answers, widened to at least 8-60 characters for Chinese and
        25-200 for English.
    language : {"zh", "en"}, optional
        Language of the answers, for the default lengths; default: guessed from the share
        of Chinese characters.
    placeholders : mapping, optional
        Text that replaces each kind of personal data (all of
        :data:`~csat_research.text.pii.PII_KINDS`), in the language of the report that shows
        the quotes; default :data:`~csat_research.text.pii.DEFAULT_PLACEHOLDERS`.

    Returns
    -------
    pandas.DataFrame
        ``theme``, ``quote`` (PII masked with :func:`~csat_research.text.pii.mask_pii`),
        ``count`` (answers with exactly this text) and ``source`` (index label of its first
        answer); up to `n` rows per theme, in theme order.

    Raises
    ------
    TypeError
        For wrong types.
    DataError
        If `tags` does not align with `texts`, or a theme is not a column of `tags`.

    Warns
    -----
    CsatWarning
        When a theme has fewer than `n` distinct answers (with the counts).

    Notes
    -----
    Distinct answers (after masking, ignoring punctuation and case) of the preferred length
    are drawn in random order (`seed`), then the others by closeness to the median length;
    an answer whose character bigrams overlap an already chosen quote by more than half
    (Jaccard) is skipped as a near duplicate.

    Examples
    --------
    >>> answers = ["物流太慢了，等了一周", "物流太慢了，等了一周", "快递太慢", "客服态度差",
    ...            "物流信息一直不更新，也没人通知"]
    >>> from csat_research.text.themes import tag_themes
    >>> tags = tag_themes(answers)
    >>> q = representative_quotes(answers, tags, theme="logistics_updates", n=2)
    >>> sorted(q["quote"])
    ['物流信息一直不更新，也没人通知', '物流太慢了，等了一周']
    """
    s = text_series(texts)
    tags = check_tags(tags)
    if len(tags) != len(s) or (isinstance(texts, pd.Series) and not tags.index.equals(s.index)):
        raise DataError(
            f"tags ({len(tags)} rows) must align with texts ({len(s)} rows, same index)"
        )
    n = check_int(n, "n", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    min_chars = check_int(min_chars, "min_chars", minimum=1, allow_none=True)
    max_chars = check_int(max_chars, "max_chars", minimum=1, allow_none=True)
    if theme is None:
        themes = list(tags.columns)
    elif isinstance(theme, str):
        themes = [theme]
    else:
        themes = list(check_words(theme, "theme"))
    missing = [t for t in themes if t not in tags.columns]
    if missing:
        raise DataError(f"theme {missing} not in tags; available: {list(tags.columns)}")
    english = _detect_english(s) if language is None else check_language(language) == "en"
    mask_pii("", placeholders=placeholders)  # checks the placeholders before any work
    masked: dict[str, tuple[str, str]] = {}  # answer -> (masked quote, its key)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)  # each distinct answer once
    rows = []
    for t in themes:
        picked = _pick_quotes(
            s.index, codes, uniques, tags[t].to_numpy(dtype=bool), n, np.random.default_rng(seed),
            english, min_chars, max_chars, masked, placeholders,
        )
        if len(picked) < n:
            warnings.warn(
                f"theme {t!r}: only {len(picked)} distinct quote(s) of {n} requested",
                CsatWarning,
                stacklevel=2,
            )
        rows.extend({"theme": t, **p} for p in picked)
    out = pd.DataFrame(rows, columns=["theme", "quote", "count", "source"])
    out["theme"] = out["theme"].astype(object)
    out["quote"] = out["quote"].astype(object)
    out["count"] = out["count"].astype(np.int64)
    return out


def _detect_english(s: pd.Series) -> bool:
    sample = "".join(s.dropna().head(200))
    han = sum(1 for ch in sample if is_han(ch))
    latin = sum(1 for ch in sample if ch.isascii() and ch.isalpha())
    return latin > 3 * han


def _pick_quotes(index, codes, uniques, mask, n, rng, english, min_chars, max_chars, masked,
                 placeholders) -> list[dict]:
    groups: dict[str, dict] = {}
    # the theme's distinct answers in order of first appearance, with their count and first label
    theme_codes = codes[mask]
    valid = theme_codes >= 0
    present, first = np.unique(theme_codes[valid], return_index=True)
    order = np.argsort(first, kind="stable")
    present, first = present[order], first[order]
    counts = np.bincount(theme_codes[valid], minlength=len(uniques))[present].tolist()
    labels = index[mask][np.flatnonzero(valid)[first]]
    texts = uniques[present]
    new = [t for t in texts if t not in masked]  # masked (and keyed) once per answer, for all themes
    quotes = mask_pii_many([t.strip() for t in new], placeholders=placeholders)
    masked.update(zip(new, ((q, _RE_QUOTE_KEY.sub("", q.lower())) for q in quotes), strict=True))
    for text, count, label in zip(texts, counts, labels, strict=True):
        quote, key = masked[text]
        if not key:  # blank, or punctuation only
            continue
        g = groups.get(key)
        if g is None:
            groups[key] = {"quote": quote, "count": count, "source": label, "key": key}
        else:
            g["count"] += count
    cands = list(groups.values())
    if not cands:
        return []
    lengths = np.array([len(c["quote"]) for c in cands])
    lo_default, hi_default = (25, 200) if english else (8, 60)
    q1, med, q3 = np.percentile(lengths, [25, 50, 75])
    lo = min_chars if min_chars is not None else min(q1, lo_default)
    hi = max_chars if max_chars is not None else max(q3, hi_default)
    preferred = [c for c, L in zip(cands, lengths) if lo <= L <= hi]
    others = [c for c, L in zip(cands, lengths) if not lo <= L <= hi]
    preferred.sort(key=lambda c: c["key"])
    order = [preferred[i] for i in rng.permutation(len(preferred))]
    order += sorted(others, key=lambda c: (abs(len(c["quote"]) - med), c["key"]))
    chosen: list[dict] = []
    grams: list[set] = []
    for c in order:
        bg = _bigrams(c["key"])
        if any(len(bg & other) / len(bg | other) > 0.5 for other in grams):
            continue
        chosen.append({"quote": c["quote"], "count": c["count"], "source": c["source"]})
        grams.append(bg)
        if len(chosen) == n:
            break
    return chosen
