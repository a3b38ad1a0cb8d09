"""Complaint themes of open answers: the theme lexicon, tagging and summaries.

* :func:`default_theme_lexicon` is the shipped lexicon ``data/themes.yaml`` (themes
  :data:`THEME_IDS`, each in one of the :data:`DIMENSIONS`), to edit and pass as ``lexicon=``;
* :func:`tag_themes` tags each answer with its themes, clause by clause and negation aware
  (没有问题 is no complaint);
* :func:`theme_summary` gives the share of answers per theme, overall and per segment, and
  its link with an outcome (Welch's t-test).

Quotes that illustrate a theme are :func:`csat_research.text.quotes.representative_quotes`.
"""

from __future__ import annotations

import copy
import math
import re
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from csat_research.core.errors import DataError, ParamsError
from csat_research.core.schema import DIMENSIONS
from csat_research.io.yamlio import load_yaml
from csat_research.text.inputs import (
    LANGUAGES,
    MEMO_LIMIT,
    aligned_groups,
    check_language,
    check_tags,
    data_text,
    text_series,
)
from csat_research.text.tokenize import TextTokenizer, resolve_tokenizer

__all__ = [
    "THEME_IDS",
    "default_theme_lexicon",
    "tag_themes",
    "theme_summary",
]

THEME_IDS = (
    "slow_reply",
    "logistics_updates",
    "refund_slow",
    "bot_unhelpful",
    "off_topic_answer",
    "attitude",
    "product_knowledge",
    "return_process",
    "installation_repair",
    "repeat_contact",
    "privacy",
)
"""Theme ids of the default lexicon (``data/themes.yaml``), in its order."""

_RE_THEME_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RE_CLAUSE = re.compile(
    r"[,.!?;:()\[\]\"\n\r\t~…。，！？；：（）【】「」『』“”‘’～]+|但是|可是|不过|然而|而且|并且|但|却是"
    r"|\b(?:but|however|although|though|whereas)\b"
)


def default_theme_lexicon() -> dict:
    """The shipped theme lexicon (``data/themes.yaml``) as a plain, editable dict.

    Returns
    -------
    dict
        ``{"version", "negation", "general_cues", "themes"}``; ``themes`` maps a theme id to
        ``dimension``, ``label`` (``zh``/``en``) and per language ``phrases``, ``aspects``,
        ``cues`` (and optionally ``exclude``, ``general_cues: false``). A fresh deep copy on
        every call: change it and pass it as ``lexicon=`` to :func:`tag_themes`.

    Examples
    --------
    >>> lex = default_theme_lexicon()
    >>> tuple(lex["themes"]) == THEME_IDS
    True
    >>> lex["themes"]["slow_reply"]["dimension"], lex["themes"]["slow_reply"]["label"]["zh"]
    ('efficiency', '客服回复慢')
    """
    return copy.deepcopy(_shipped_lexicon())


@lru_cache(maxsize=1)
def _shipped_lexicon() -> dict:
    return load_yaml(data_text("themes.yaml"))


@dataclass(frozen=True)
class _ThemeRule:
    id: str
    phrases: re.Pattern | None
    aspects: re.Pattern | None
    cues: re.Pattern | None
    exclude: re.Pattern | None
    unless: re.Pattern | None


@dataclass(frozen=True)
class _CompiledLexicon:
    rules: tuple[_ThemeRule, ...]
    zh_negator: re.Pattern
    zh_window: int
    en_negator: re.Pattern
    en_window: int
    aliases: re.Pattern | None
    alias_map: dict
    memo: dict

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)


_NEVER = re.compile(r"(?!x)x")


def _norm_match(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()


def _term_list(value, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ParamsError(f"{where} must be a list of str; got {value!r}")
    out = []
    for v in value:
        if not isinstance(v, str) or not v.strip():
            hint = (
                " (quote it in YAML: 'no', 'yes', 'on', 'off' read as booleans)"
                if isinstance(v, bool)
                else ""
            )
            raise ParamsError(f"{where} must hold non-empty str; got {v!r}{hint}")
        out.append(_norm_match(v.strip()))
    return out


def _alternation(zh_terms: list[str], en_terms: list[str]) -> re.Pattern | None:
    """One pattern: Chinese terms as substrings, English terms as whole words (longest first)."""
    parts = []
    for terms, english in ((zh_terms, False), (en_terms, True)):
        terms = sorted(set(terms), key=lambda t: (-len(t), t))
        if not terms:
            continue
        body = "|".join(r"\s+".join(map(re.escape, t.split())) for t in terms)
        parts.append(rf"(?<![a-z0-9'])(?:{body})(?![a-z0-9])" if english else f"(?:{body})")
    return re.compile("|".join(parts)) if parts else None


def _negation_spec(lexicon: Mapping, language: str):
    negation = (lexicon.get("negation") or {}).get(language) or {}
    where = f"lexicon['negation'][{language!r}]"
    if not isinstance(negation, Mapping):
        raise ParamsError(f"{where} must be a mapping")
    negators = _term_list(negation.get("negators"), f"{where}['negators']")
    not_negators = _term_list(negation.get("not_negators"), f"{where}['not_negators']")
    window = negation.get("window", 4 if language == "zh" else 3)
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise ParamsError(f"{where}['window'] must be an int >= 0; got {window!r}")
    if not negators:
        return _NEVER, window
    by_len = lambda ts: sorted(set(ts), key=lambda t: (-len(t), t))  # noqa: E731
    if language == "zh":
        neg = "|".join(map(re.escape, by_len(negators)))
        notneg = "|".join(map(re.escape, by_len(not_negators)))
        return re.compile((f"(?:{notneg})|" if notneg else "") + f"({neg})"), window
    plain = [n for n in negators if n != "n't"]
    neg_parts = [rf"\b(?:{'|'.join(map(re.escape, by_len(plain)))})\b"] if plain else []
    if "n't" in negators:
        neg_parts.append(r"n't\b")
    notneg = "|".join(r"\s+".join(map(re.escape, t.split())) for t in by_len(not_negators))
    return (
        re.compile((rf"\b(?:{notneg})\b|" if notneg else "") + f"({'|'.join(neg_parts)})"),
        window,
    )


_THEME_KEYS = {"phrases", "aspects", "cues", "exclude", "unless"}


def _compile_lexicon(lexicon: Mapping) -> _CompiledLexicon:
    if not isinstance(lexicon, Mapping):
        raise TypeError(
            f"lexicon must be a mapping like default_theme_lexicon(); got {type(lexicon).__name__}"
        )
    themes = lexicon.get("themes")
    if not isinstance(themes, Mapping) or not themes:
        raise ParamsError("lexicon['themes'] must be a non-empty mapping of theme id -> definition")
    zh_negator, zh_window = _negation_spec(lexicon, "zh")
    en_negator, en_window = _negation_spec(lexicon, "en")
    general_spec = lexicon.get("general_cues") or {}
    if not isinstance(general_spec, Mapping):
        raise ParamsError(
            f"lexicon['general_cues'] must map 'zh'/'en' to lists; got {general_spec!r}"
        )
    general = {
        lang: _term_list(general_spec.get(lang), f"lexicon['general_cues'][{lang!r}]")
        for lang in LANGUAGES
    }
    rules = []
    for theme_id, spec in themes.items():
        where = f"lexicon['themes'][{theme_id!r}]"
        if not isinstance(theme_id, str) or not _RE_THEME_ID.match(theme_id):
            raise ParamsError(f"theme ids must be snake_case ASCII identifiers; got {theme_id!r}")
        if not isinstance(spec, Mapping):
            raise ParamsError(f"{where} must be a mapping; got {spec!r}")
        if spec.get("dimension") not in DIMENSIONS:
            raise ParamsError(
                f"{where}['dimension'] must be one of {DIMENSIONS}; got {spec.get('dimension')!r}"
            )
        label = spec.get("label")
        if not isinstance(label, Mapping) or not all(
            isinstance(label.get(k), str) for k in LANGUAGES
        ):
            raise ParamsError(f"{where}['label'] must map 'zh' and 'en' to str; got {label!r}")
        use_general = spec.get("general_cues", True)
        if not isinstance(use_general, bool):
            raise ParamsError(f"{where}['general_cues'] must be true or false; got {use_general!r}")
        terms = {}
        for lang in LANGUAGES:
            section = spec.get(lang) or {}
            if not isinstance(section, Mapping):
                raise ParamsError(f"{where}[{lang!r}] must be a mapping of phrases/aspects/cues")
            unknown = set(section) - _THEME_KEYS
            if unknown:
                raise ParamsError(
                    f"{where}[{lang!r}] has unknown keys {sorted(unknown)}; "
                    f"allowed: {sorted(_THEME_KEYS)}"
                )
            terms[lang] = {
                k: _term_list(section.get(k), f"{where}[{lang!r}][{k!r}]") for k in _THEME_KEYS
            }
            if use_general:
                terms[lang]["cues"] = terms[lang]["cues"] + general[lang]
        has_pairs = any(terms[lang]["aspects"] for lang in LANGUAGES) and any(
            terms[lang]["cues"] for lang in LANGUAGES
        )
        if not any(terms[lang]["phrases"] for lang in LANGUAGES) and not has_pairs:
            raise ParamsError(f"{where} needs phrases, or aspects together with cues")
        pattern = {k: _alternation(terms["zh"][k], terms["en"][k]) for k in _THEME_KEYS}
        rules.append(
            _ThemeRule(
                id=theme_id,
                phrases=pattern["phrases"],
                aspects=pattern["aspects"] if has_pairs else None,
                cues=pattern["cues"] if has_pairs else None,
                exclude=pattern["exclude"],
                unless=pattern["unless"],
            )
        )
    aliases = lexicon.get("aliases") or {}
    if not isinstance(aliases, Mapping) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) for k, v in aliases.items()
    ):
        raise ParamsError(
            "lexicon['aliases'] must map a variant (str) to its canonical form (str); "
            f"got {aliases!r}"
        )
    alias_map = {_norm_match(k.strip()): _norm_match(v.strip()) for k, v in aliases.items()}
    alias_re = (
        re.compile("|".join(map(re.escape, sorted(alias_map, key=lambda t: (-len(t), t)))))
        if alias_map
        else None
    )
    return _CompiledLexicon(
        rules=tuple(rules),
        zh_negator=zh_negator,
        zh_window=zh_window,
        en_negator=en_negator,
        en_window=en_window,
        aliases=alias_re,
        alias_map=alias_map,
        memo={},
    )


@lru_cache(maxsize=1)
def _default_compiled() -> _CompiledLexicon:
    return _compile_lexicon(_shipped_lexicon())


_RE_PREFIX_WORDS = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")


def _negated(lex: _CompiledLexicon, prefix: str) -> bool:
    """Whether the text just before a phrase/cue (within its clause) negates it."""
    if not prefix:
        return False
    tail = prefix[-(lex.zh_window + 8) :]
    last_end = None
    for m in lex.zh_negator.finditer(tail):
        if m.group(1) is not None:
            last_end = m.end()
    if last_end is not None and len(tail) - last_end <= lex.zh_window:
        return True
    if not prefix.isascii() and not any("a" <= ch <= "z" for ch in prefix[-40:]):
        return False
    words = _RE_PREFIX_WORDS.findall(prefix[-80:])
    tail = " ".join(words[-(lex.en_window + 2) :])
    for m in lex.en_negator.finditer(tail):
        if m.group(1) is not None and len(tail[m.end() :].split()) <= lex.en_window:
            return True
    return False


def _rule_hits(rule: _ThemeRule, lex: _CompiledLexicon, clause: str) -> bool:
    if rule.unless is not None and rule.unless.search(clause):
        return False
    if rule.exclude is not None:
        clause = rule.exclude.sub(lambda m: "\x00" * len(m.group()), clause)
    if rule.phrases is not None:
        for m in rule.phrases.finditer(clause):
            if not _negated(lex, clause[: m.start()]):
                return True
    if rule.aspects is not None and rule.aspects.search(clause):
        for m in rule.cues.finditer(clause):
            if not _negated(lex, clause[: m.start()]):
                return True
    return False


def _clause_themes(lex: _CompiledLexicon, clause: str) -> int:
    """Themes of one clause as a bit mask (bit j = rule j), memoised per clause."""
    bits = lex.memo.get(clause)
    if bits is None:
        bits = 0
        for j, rule in enumerate(lex.rules):
            if _rule_hits(rule, lex, clause):
                bits |= 1 << j
        if len(lex.memo) >= MEMO_LIMIT:
            lex.memo.clear()
        lex.memo[clause] = bits
    return bits


def _text_themes(lex: _CompiledLexicon, text: str) -> int:
    bits = 0
    text = _norm_match(text)
    if lex.aliases is not None:
        text = lex.aliases.sub(lambda m: lex.alias_map[m.group()], text)
    for clause in _RE_CLAUSE.split(text):
        clause = clause.strip()
        if clause:
            bits |= _clause_themes(lex, clause)
    return bits


def _resolve_lexicon(lexicon) -> _CompiledLexicon:
    if lexicon is None:
        return _default_compiled()
    return _compile_lexicon(lexicon)


def tag_themes(
    texts,
    *,
    lexicon: Mapping | None = None,
    tokenizer: TextTokenizer | None = None,
    language: str | None = None,
) -> pd.DataFrame:
    """Tag complaint themes in open answers (negation aware).

    Parameters
    ----------
    texts : Series or sequence of str
        Answers to "which part of the service most needs improvement?".
    lexicon : mapping, optional
        Theme lexicon with the structure of :func:`default_theme_lexicon` (default: the
        shipped ``data/themes.yaml`` with the themes of :data:`THEME_IDS`).
    tokenizer : TextTokenizer, optional
        Accepted for symmetry with the other functions; only its ``language`` is checked
        (matching works on characters and words directly, no segmentation is needed).
    language : {"zh", "en"}, optional
        Language of the answers (validated; default the tokenizer's, else ``"zh"``). The
        Chinese and English terms of the lexicon are matched in every answer, because
        answers mix languages (客服attitude很差).

    Returns
    -------
    pandas.DataFrame
        One row per text (same index as a Series `texts`, else 0..n-1) and one boolean
        column per theme id, in lexicon order. Missing and blank answers have no theme.

    Raises
    ------
    TypeError
        For a wrong type of `texts`, `lexicon` or `tokenizer`.
    ParamsError
        If `lexicon` is malformed (unknown dimension, missing label, non-ASCII theme id ...).

    Notes
    -----
    Answers are NFKC-normalised and lower-cased, common typos replaced (lexicon ``aliases``:
    物留 -> 物流), and split into clauses (at punctuation and contrast words 但是/不过/but).
    A theme is tagged when a clause holds one of its complaint `phrases` (没人回复, 答非所问),
    or one of its `aspects` (回复, 物流) together with a `cue` of the theme or a shared
    general cue (慢, 不更新, 差, 不满意). A phrase or cue is ignored when a negator (没有, 没,
    不, 并不 ...; not, no, never, n't) stands at most ``window`` characters (zh, default 4) or
    words (en, default 3) before it in the same clause: 没有问题, 没什么问题, 没有不满意 and
    回复不慢 are not complaints, while 不满意, 没有人回复 and 不太专业 are. Praise (回复很快)
    matches no cue. A theme's ``exclude`` words are blanked out before its matching (上门取件 is
    no installation visit) and a clause with one of its ``unless`` words is skipped (答非所问
    of a 机器人 is bot_unhelpful, not off_topic_answer). Each distinct clause is evaluated once.

    Checked against the planted themes of :func:`csat_research.demo.generator.generate_wave` (see
    ``tests/text/test_themes.py``).

    Examples
    --------
    >>> tags = tag_themes(["客服回复太慢，没有人回复", "回复很快，没有问题",
    ...                    "智能客服答非所问", "人工客服也答非所问"])
    >>> tags[["slow_reply", "bot_unhelpful", "off_topic_answer"]].values.tolist()
    [[True, False, False], [False, False, False], [False, True, False], [False, False, True]]
    """
    s = text_series(texts)
    if tokenizer is not None:
        language = resolve_tokenizer(tokenizer, language).language
    language = check_language("zh" if language is None else language)
    lex = _resolve_lexicon(lexicon)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    masks = [_text_themes(lex, text) for text in uniques] + [0]  # last: missing answers
    table = np.array([[(m >> j) & 1 for j in range(len(lex.rules))] for m in masks], dtype=bool)
    table = table.reshape(len(masks), len(lex.rules))
    codes = np.where(codes < 0, len(uniques), codes)
    data = table[codes]
    return pd.DataFrame(data, index=s.index, columns=list(lex.ids))


def _theme_info(lexicon, language: str) -> dict[str, tuple[str, str]]:
    lex = _shipped_lexicon() if lexicon is None else lexicon
    if not isinstance(lex, Mapping):
        raise TypeError(
            f"lexicon must be a mapping like default_theme_lexicon(); got {type(lexicon).__name__}"
        )
    info = {}
    for theme_id, spec in (lex.get("themes") or {}).items():
        if isinstance(spec, Mapping):
            label = spec.get("label") or {}
            info[theme_id] = (
                spec.get("dimension"),
                label.get(language) if isinstance(label, Mapping) else None,
            )
    return info


def theme_summary(
    tags: pd.DataFrame,
    *,
    groups=None,
    outcome=None,
    lexicon: Mapping | None = None,
    language: str = "zh",
) -> pd.DataFrame:
    """Share of answers per theme, overall and per segment, and its link with an outcome.

    Parameters
    ----------
    tags : pandas.DataFrame
        Boolean theme columns from :func:`tag_themes` (one row per answer).
    groups : Series or sequence, optional
        Segment of each answer (new vs returning customer, category ...), aligned with
        `tags`. Rows with a missing segment count in ``"all"`` only.
    outcome : Series or sequence of numbers or bools, optional
        Satisfaction score or repurchase (0/1) of each answer, aligned with `tags`.
    lexicon : mapping, optional
        Source of ``dimension`` and ``label`` (default: the shipped lexicon).
    language : {"zh", "en"}, default "zh"
        Language of ``label``.

    Returns
    -------
    pandas.DataFrame
        One row per segment and theme (``segment == "all"`` first, then the segments in
        sorted order; themes in column order):

        * ``segment``, ``theme``, ``dimension``, ``label`` (missing for unknown themes);
        * ``n`` - answers in the segment; ``n_theme`` - of them with the theme;
        * ``share`` - ``n_theme / n``.

        With `outcome` also, over answers with a non-missing outcome:

        * ``n_with``, ``n_without`` - answers with / without the theme;
        * ``mean_with``, ``mean_without`` - mean outcome with / without the theme;
        * ``difference`` - ``mean_with - mean_without``;
        * ``p_value`` - Welch's two-sample t-test of that difference (missing when either
          side has fewer than two answers or both sides are constant).

    Raises
    ------
    TypeError
        If `tags` is not a DataFrame or `outcome` is not numeric.
    DataError
        If `groups` / `outcome` do not align with `tags`, a column of `tags` is not boolean,
        or a segment is called ``"all"``.

    Notes
    -----
    The share's denominator is every row of `tags`: pass only the answered questions if
    the share among answers is wanted. The difference is descriptive, not causal.

    Examples
    --------
    >>> tags = tag_themes(["物流太慢", "客服态度差", "物流信息不更新", "挺好的"])
    >>> summ = theme_summary(tags, outcome=[2, 1, 3, 5])
    >>> row = summ.set_index("theme").loc["logistics_updates"]
    >>> [float(row[c]) for c in ("share", "mean_with", "mean_without", "difference")]
    [0.5, 2.5, 3.0, -0.5]
    """
    tags = check_tags(tags)
    language = check_language(language)
    info = _theme_info(lexicon, language)
    if groups is not None:
        g = aligned_groups(groups, pd.Series(index=tags.index, dtype=object), "groups", "tags")
        if (g == "all").any():
            raise DataError("groups holds a segment called 'all', which names the overall rows")
    y = None
    if outcome is not None:
        y = _numeric_outcome(outcome, tags)
    segments = [("all", np.ones(len(tags), dtype=bool))]
    if groups is not None:
        for level in sorted(pd.unique(g.dropna()), key=lambda v: (str(type(v)), v)):
            segments.append((level, (g == level).to_numpy()))
    rows = []
    for segment, mask in segments:
        sub = tags[mask]
        n = len(sub)
        for theme in tags.columns:
            has = sub[theme].to_numpy(dtype=bool)
            dim, label = info.get(theme, (None, None))
            row = {
                "segment": segment,
                "theme": theme,
                "dimension": dim,
                "label": label,
                "n": n,
                "n_theme": int(has.sum()),
                "share": has.mean() if n else np.nan,
            }
            if y is not None:
                ys = y[mask]
                ok = ~np.isnan(ys)
                with_, without = ys[ok & has], ys[ok & ~has]
                row.update(_outcome_link(with_, without))
            rows.append(row)
    out = pd.DataFrame(rows)
    for col in ("segment", "theme", "dimension", "label"):
        out[col] = out[col].astype(object)
    return out


def _numeric_outcome(outcome, tags: pd.DataFrame) -> np.ndarray:
    if isinstance(outcome, pd.Series) and (
        pd.api.types.is_numeric_dtype(outcome) or pd.api.types.is_bool_dtype(outcome)
    ):
        if len(outcome) != len(tags):
            raise DataError(f"outcome has {len(outcome)} rows but tags has {len(tags)}")
        if not outcome.index.equals(tags.index):
            raise DataError("outcome and tags must share the same index (align them first)")
        return outcome.astype("float64").to_numpy(dtype=float, na_value=np.nan)
    y = aligned_groups(outcome, pd.Series(index=tags.index, dtype=object), "outcome", "tags")
    values = []
    for v in y.to_numpy(dtype=object):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            values.append(np.nan)
        elif isinstance(v, bool | np.bool_ | int | float | np.integer | np.floating):
            values.append(float(v))
        else:
            raise TypeError(f"outcome must be numeric or boolean; got {type(v).__name__} {v!r}")
    return np.asarray(values, dtype=float)


def _outcome_link(with_: np.ndarray, without: np.ndarray) -> dict:
    from scipy import stats

    mean_with = float(with_.mean()) if len(with_) else np.nan
    mean_without = float(without.mean()) if len(without) else np.nan
    p = np.nan
    if len(with_) >= 2 and len(without) >= 2 and (with_.var() > 0 or without.var() > 0):
        with warnings.catch_warnings():  # near-constant samples: scipy warns, result stands
            warnings.simplefilter("ignore", RuntimeWarning)
            p = float(stats.ttest_ind(with_, without, equal_var=False).pvalue)
    return {
        "n_with": len(with_),
        "n_without": len(without),
        "mean_with": mean_with,
        "mean_without": mean_without,
        "difference": mean_with - mean_without,
        "p_value": p,
    }
