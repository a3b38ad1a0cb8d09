"""Complaint themes of open answers: the theme lexicon, tagging and summaries.

* :func:`default_theme_lexicon` is the shipped lexicon ``data/themes.yaml`` (themes
  :data:`THEME_IDS`, each in one of the :data:`DIMENSIONS`), to edit and pass as ``lexicon=``;
* :func:`tag_themes` tags each answer with its themes, clause by clause and negation aware
  (没有问题 is no complaint);
* :func:`csat_research.text.theme_summary.theme_summary` gives the share of answers per theme,
  overall and per segment, and its link with an outcome (Welch's t-test).

Quotes that illustrate a theme are :func:`csat_research.text.quotes.representative_quotes`.
"""

from __future__ import annotations

import copy
import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import pandas as pd

from csat_research.core.errors import ParamsError
from csat_research.core.schema import DIMENSIONS
from csat_research.io.yamlio import load_yaml
from csat_research.text.inputs import (
    LANGUAGES,
    MEMO_LIMIT,
    check_language,
    data_text,
    text_series,
)
from csat_research.text.workers import check_workers, map_split, plan_workers

__all__ = [
    "PRODUCT_DIMENSION",
    "PRODUCT_THEME_IDS",
    "SERVICE_THEME_IDS",
    "THEME_DIMENSIONS",
    "THEME_IDS",
    "default_theme_lexicon",
    "tag_themes",
]

SERVICE_THEME_IDS = (
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
    "delivery_courier",
    "price_protection",
    "invoice",
    "self_service_app",
)
"""Service themes of the default lexicon, each in one of the five :data:`DIMENSIONS`."""

PRODUCT_THEME_IDS = (
    "product_quality",
    "authenticity",
    "not_as_described",
    "packaging_damage",
    "price_value",
)
"""Product themes of the default lexicon (dimension :data:`PRODUCT_DIMENSION`)."""

THEME_IDS = SERVICE_THEME_IDS + PRODUCT_THEME_IDS
"""Theme ids of the default lexicon (``data/themes.yaml``), in its order: service, then product."""

PRODUCT_DIMENSION = "product"
"""Dimension of product themes: outside the five service dimensions, reported apart."""

THEME_DIMENSIONS = (*DIMENSIONS, PRODUCT_DIMENSION)
"""Allowed ``dimension`` of a theme: a service dimension or :data:`PRODUCT_DIMENSION`."""

_RE_THEME_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_CLAUSE_MARKS = r",.!?;:()\[\]\"\n\r\t~…。，！？；：（）【】「」『』“”‘’～、《》〈〉"
_CONTRASTS = ("但是", "可是", "不过", "然而", "而且", "并且", "但", "却是", "就是", "只是", "可惜", "唯一")
_CONTRASTS_EN = ("but", "however", "although", "though", "whereas")
_RE_CLAUSE = re.compile(
    # the alternatives are tried only where a separator can start (at one of their first
    # characters): the same splits, twice as fast
    f"(?=[{_CLAUSE_MARKS}{''.join(dict.fromkeys(w[0] for w in _CONTRASTS + _CONTRASTS_EN))}\\s])"
    f"(?:[{_CLAUSE_MARKS}]+|{'|'.join(_CONTRASTS)}"
    r"|(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])"  # a space beside Chinese text ends a clause
    rf"|\b(?:{'|'.join(_CONTRASTS_EN)})\b)"
)


def default_theme_lexicon() -> dict:
    """The shipped theme lexicon (``data/themes.yaml``) as a plain, editable dict.

    Returns
    -------
    dict
        ``{"version", "negation", "general_cues", "themes"}``; ``themes`` maps a theme id to
        ``dimension`` (one of :data:`THEME_DIMENSIONS`), ``label`` (``zh``/``en``) and per
        language ``phrases``, ``aspects``, ``cues``, ``praise``, ``praise_alone`` (and
        optionally ``exclude``, ``unless``, ``verdicts``, ``general_cues: false``); ``general_praise`` are
        praise words shared by all themes; ``negation`` holds per language ``negators``,
        ``not_negators`` and ``hypothetical`` words (担心, 以为, 如果, 听说: the rest of their
        clause is not read); ``neutral`` words hold a complaint word but are none (出差 holds 差);
        ``other_subjects`` name what no theme covers (服务): a verdict beside one is about it;
        ``replies`` open the business's reply appended to a review (宾馆反馈), which is not
        read (see ``data/themes.yaml``). A fresh deep copy on every call: change it and pass it as
        ``lexicon=`` to :func:`tag_themes`.

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


_Roles = tuple[int, int, int, int, int, int, int, int]
"""Roles of one lexicon term: (negator, aspect, cue, phrase, praise, alone, unless, verdict);
bits = themes."""

_NEG, _ASPECT, _CUE, _PHRASE, _PRAISE, _ALONE, _UNLESS, _VERDICT = range(8)
_N_ROLES = 8
_ROLE_OF_KEY = {
    "aspects": _ASPECT,
    "cues": _CUE,
    "phrases": _PHRASE,
    "praise": _PRAISE,
    "praise_alone": _ALONE,
    "unless": _UNLESS,
    "verdicts": _VERDICT,
}


@dataclass(frozen=True)
class _CompiledLexicon:
    ids: tuple[str, ...]
    zh_first: re.Pattern | None
    zh_terms: dict
    zh_negator: re.Pattern | None
    zh_automaton: object  # ahocorasick_rs.AhoCorasick of the Chinese terms, or None
    zh_entries: tuple  # per term of zh_automaton: (roles, starts with a shorter negator)
    en_terms: re.Pattern | None
    roles: dict
    aliases: re.Pattern | None
    alias_map: dict
    hypothetical: re.Pattern | None
    replies: re.Pattern | None
    memo: dict


_FULLWIDTH_COMMON = (("，", ","), ("！", "!"), ("？", "?"), ("：", ":"), ("；", ";"),
                     ("（", "("), ("）", ")"), ("\u3000", " "))
"""The full-width marks of most reviews and their NFKC forms (。 has none: it stays)."""


def _norm_match(text: str) -> str:
    """NFKC, ’ as ', lower case. The common full-width marks (，！) are replaced first: most
    reviews are then NFKC already, which is checked much faster than normalised (the same
    result, since each mark is replaced by its NFKC form)."""
    for wide, narrow in _FULLWIDTH_COMMON:
        if wide in text:
            text = text.replace(wide, narrow)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if "\u2019" in text:
        text = text.replace("\u2019", "'")
    return text.lower()


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
        out.append(" ".join(_norm_match(v.strip()).split()))
    return out


def _trie(terms, escape) -> str:
    """A regular expression for many terms, factored as a trie: the longest term wins."""
    trie: dict = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _trie_patterns(terms) -> tuple[re.Pattern | None, dict]:
    """Chinese (and mixed) terms, found as substrings: their first characters, and per first
    character one trie pattern (a dispatch on the first character is ~3x faster than one
    alternation of all terms, which the regular expression engine tries one by one)."""
    by_first: dict = {}
    for term in terms:
        by_first.setdefault(term[0], []).append(term)
    if not by_first:
        return None, {}
    first = re.compile("[" + "".join(map(re.escape, sorted(by_first))) + "]")
    return first, {ch: re.compile(_trie(ts, re.escape)) for ch, ts in by_first.items()}


def _word_pattern(terms) -> re.Pattern | None:
    """English terms as whole words (a space matches any whitespace); n't after a verb."""
    terms = list(terms)
    if not terms:
        return None

    def escape(ch: str) -> str:
        return r"\s+" if ch == " " else re.escape(ch)

    words = [t for t in terms if not t.startswith("n'") and t[0].isalnum()]
    other = [t for t in terms if t not in set(words)]
    parts = [rf"(?<![a-z0-9'])(?:{_trie(words, escape)})(?![a-z0-9])"] if words else []
    if other:
        parts.append(rf"(?:{_trie(other, escape)})(?![a-z0-9])")
    return re.compile("|".join(parts))


_NEGATION_KEYS = {"negators", "not_negators", "hypothetical"}


def _negation_terms(lexicon: Mapping, language: str) -> tuple[list[str], list[str], list[str]]:
    negation = (lexicon.get("negation") or {}).get(language) or {}
    where = f"lexicon['negation'][{language!r}]"
    if not isinstance(negation, Mapping):
        raise ParamsError(f"{where} must be a mapping")
    unknown = set(negation) - _NEGATION_KEYS
    if unknown:
        raise ParamsError(
            f"{where} has unknown keys {sorted(unknown)}; allowed: {sorted(_NEGATION_KEYS)} "
            "(a negator's scope is the rest of its clause, there is no window)"
        )
    return (
        _term_list(negation.get("negators"), f"{where}['negators']"),
        _term_list(negation.get("not_negators"), f"{where}['not_negators']"),
        _term_list(negation.get("hypothetical"), f"{where}['hypothetical']"),
    )


_THEME_KEYS = {
    "phrases", "aspects", "cues", "praise", "praise_alone", "exclude", "unless", "verdicts"
}


def _shared_terms(lexicon: Mapping, key: str) -> dict[str, list[str]]:
    spec = lexicon.get(key) or {}
    if not isinstance(spec, Mapping):
        raise ParamsError(f"lexicon[{key!r}] must map 'zh'/'en' to lists; got {spec!r}")
    return {lang: _term_list(spec.get(lang), f"lexicon[{key!r}][{lang!r}]") for lang in LANGUAGES}


def _compile_lexicon(lexicon: Mapping) -> _CompiledLexicon:
    if not isinstance(lexicon, Mapping):
        raise TypeError(
            f"lexicon must be a mapping like default_theme_lexicon(); got {type(lexicon).__name__}"
        )
    themes = lexicon.get("themes")
    if not isinstance(themes, Mapping) or not themes:
        raise ParamsError("lexicon['themes'] must be a non-empty mapping of theme id -> definition")
    roles: dict[str, list[int]] = {}

    def add(term: str, role: int, bits: int) -> None:
        entry = roles.setdefault(term, [0] * _N_ROLES)
        entry[role] |= bits

    hypothetical, hypothetical_first = [], set()
    for lang in LANGUAGES:
        negators, not_negators, moot = _negation_terms(lexicon, lang)
        hypothetical += [re.escape(t) if not t.isascii() else rf"\b{re.escape(t)}\b" for t in moot]
        hypothetical_first.update(t[0] for t in moot)
        for term in negators:
            add(term, _NEG, 1)
        for term in not_negators:
            roles.setdefault(term, [0] * _N_ROLES)
    for lang, terms in _shared_terms(lexicon, "neutral").items():
        for term in terms:  # a term without a role: it hides the terms inside it (出差 holds 差)
            roles.setdefault(term, [0] * _N_ROLES)
    # A subject no theme covers (服务) is an aspect of no theme: the bit after the last theme's,
    # which no cue accepts and no answer carries; a verdict beside it is about it (服务太差 is no
    # product verdict), as a verdict beside another theme's aspect is about that theme.
    other_bit = 1 << len(themes)
    for lang, terms in _shared_terms(lexicon, "other_subjects").items():
        for term in terms:
            add(term, _ASPECT, other_bit)
    general = _shared_terms(lexicon, "general_cues")
    general_praise = _shared_terms(lexicon, "general_praise")
    general_bits = 0
    excludes: list[tuple[str, int]] = []
    ids = []
    for j, (theme_id, spec) in enumerate(themes.items()):
        bit = 1 << j
        where = f"lexicon['themes'][{theme_id!r}]"
        if not isinstance(theme_id, str) or not _RE_THEME_ID.match(theme_id):
            raise ParamsError(f"theme ids must be snake_case ASCII identifiers; got {theme_id!r}")
        if not isinstance(spec, Mapping):
            raise ParamsError(f"{where} must be a mapping; got {spec!r}")
        if spec.get("dimension") not in THEME_DIMENSIONS:
            raise ParamsError(
                f"{where}['dimension'] must be one of {THEME_DIMENSIONS}; "
                f"got {spec.get('dimension')!r}"
            )
        label = spec.get("label")
        if not isinstance(label, Mapping) or set(label) != set(LANGUAGES) or not all(
            isinstance(label.get(k), str) for k in LANGUAGES
        ):
            raise ParamsError(f"{where}['label'] must map 'zh' and 'en' (and nothing else) to str; got {label!r}"
                              " (in YAML, quote a label that holds a comma: en: \"Authenticity (fakes, ...)\")")
        use_general = spec.get("general_cues", True)
        if not isinstance(use_general, bool):
            raise ParamsError(f"{where}['general_cues'] must be true or false; got {use_general!r}")
        if use_general:
            general_bits |= bit
        found = dict.fromkeys(_THEME_KEYS, False)
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
            for key in _THEME_KEYS:
                terms = _term_list(section.get(key), f"{where}[{lang!r}][{key!r}]")
                found[key] |= bool(terms)
                for term in terms:
                    if key == "exclude":
                        excludes.append((term, bit))
                        continue
                    add(term, _ROLE_OF_KEY[key], bit)
                    if key == "praise_alone":
                        add(term, _PRAISE, bit)
        pairs = found["aspects"] and (found["cues"] or found["praise"] or use_general)
        if not (found["phrases"] or found["praise_alone"] or found["verdicts"] or pairs):
            raise ParamsError(
                f"{where} needs phrases, praise_alone, or aspects together with cues or praise "
                "(or verdicts)"
            )
        ids.append(theme_id)
    for lang in LANGUAGES:
        for term in general[lang]:
            add(term, _CUE, general_bits)
        for term in general_praise[lang]:
            add(term, _PRAISE, general_bits)
    # A verdict keeps the cues inside it: 太慢了 holds 慢, so 客服回复太慢了 is slow_reply.
    cues = {term: r[_CUE] for term, r in roles.items() if r[_CUE]}
    for term, r in roles.items():
        if r[_VERDICT]:
            for other, bits in cues.items():
                if other != term and other in term:
                    r[_CUE] |= bits
    # An excluded word is a term of its own: it hides the shorter terms of the excluding
    # theme inside it (上门取件 holds 上门, no installation visit) and keeps the aspects of the
    # other themes inside it (发货票 holds 发票).
    own = {term: tuple(r) for term, r in roles.items()}
    for term, bit in excludes:
        entry = roles.setdefault(term, [0] * _N_ROLES)
        for other, r in own.items():
            if other != term and other in term:
                entry[_ASPECT] |= r[_ASPECT]
    for term, bit in excludes:
        entry = roles[term]
        for role in range(1, _N_ROLES):
            entry[role] &= ~bit
    zh = [t for t in roles if not t.isascii()]
    en = [t for t in roles if t.isascii()]
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
    zh_first, zh_terms = _trie_patterns(zh)
    zh_negators = [t for t in zh if roles[t][_NEG]]
    zh_negator = re.compile(_trie(zh_negators, re.escape)) if zh_negators else None
    zh_automaton, zh_entries = _automaton(zh, roles, zh_negator)
    return _CompiledLexicon(
        ids=tuple(ids),
        zh_first=zh_first,
        zh_terms=zh_terms,
        zh_negator=zh_negator,
        zh_automaton=zh_automaton,
        zh_entries=zh_entries,
        en_terms=_word_pattern(en),
        roles={t: tuple(r) for t, r in roles.items()},
        aliases=alias_re,
        alias_map=alias_map,
        hypothetical=_first_char_guarded(hypothetical, hypothetical_first),
        replies=_reply_pattern(lexicon),
        memo={},
    )


def _first_char_guarded(alternatives: list[str], first: set[str]) -> re.Pattern | None:
    """``a|b|...`` of `alternatives` (regular expressions, each starting with one of the `first`
    characters, after ``\\b`` or not), tried only where one of them stands: the same matches as
    the plain alternation, which the regular expression engine tries at every position, several
    times faster."""
    if not alternatives:
        return None
    return re.compile(f"(?=[{''.join(map(re.escape, sorted(first)))}])(?:{'|'.join(alternatives)})")


def _reply_pattern(lexicon: Mapping) -> re.Pattern | None:
    """The lexicon's ``replies``: words that open the business's reply appended to a review
    (宾馆反馈, 商家回复), from which on the text is not the customer's."""
    terms = [t for ts in _shared_terms(lexicon, "replies").values() for t in ts]
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t))))


@lru_cache(maxsize=1)
def _default_compiled() -> _CompiledLexicon:
    return _compile_lexicon(_shipped_lexicon())


_RE_LATIN = re.compile("[a-z]")
_RE_POST_NEGATION = re.compile(
    r"(?:都|也)(?:没有?(?:出现|发现|遇到|碰到|感觉到|看到|见到)?过?|不(?:大|高|明显|严重))"
    r"[了啊呀呢吧哦的]*$"
)
"""A clause that ends in 都没有 / 也没有 (一点卡顿都没有, 坏的一个也没发现过) or in 都不大 / 也不明显
(发热噪音都不大) negates what stands before it."""
_RE_SPACE = re.compile(r"\s+")
_RE_NEGATION_OR = re.compile(r".*(?:或者|或是|或|和|与|以及|及|跟)$")
"""Between a negated word and the next negator: 或者 / 和 join the next word to the first
negator's scope (没有觉得慢或者不专业)."""
_RE_DEGREE = re.compile(r"(?:很|挺|非常|特别|超级|十分|相当|蛮|超)$")
"""A degree word just before a praise word (态度很好)."""
_RE_NEGATED_DEGREE = re.compile(
    r"(?:是|会|算|能|太|那么|这么|真的|真|都|也|还|就|又|一定|怎么|见得|觉得|感觉|上)*(?:[^,.!?;:]{1,3}[得地])?$"
)
"""Between a negator and a degree word: words that keep the degree word in the negator's reach
(不是很好, 并不是真的很快, 不觉得很好, 说不上很清晰, 不是贴得很结实); after other words (没问题卖家态度很好, 没有删减很周到) the
degree word and its praise word are a statement of their own."""


def _automaton(terms: list[str], roles: dict, negator: re.Pattern | None) -> tuple[object, tuple]:
    """An Aho-Corasick automaton of the Chinese terms (ahocorasick_rs, leftmost-longest), which
    finds the terms of a clause in one call, and per term (in the automaton's pattern order)
    ``(roles, starts with a shorter negator)``. ``(None, ())`` without terms or without
    ahocorasick_rs (then the trie patterns scan)."""
    if not terms:
        return None, ()
    try:
        import ahocorasick_rs
    except ImportError:
        return None, ()
    auto = ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    entries = []
    for term in terms:
        n = None if negator is None else negator.match(term)
        entries.append((tuple(roles[term]), n is not None and n.end() < len(term)))
    return auto, tuple(entries)


def _a_not_a(clause: str, start: int) -> bool:
    """Whether a term at `start` begins with the 不/没 of an A-not-A question (甜不甜, 耐不耐用,
    会不会掉色, 能不能退): a question, neither a negation nor a statement, so the rest of the
    clause is not read (不知道甜不甜 is no complaint about taste)."""
    return (
        0 < start < len(clause) - 1
        and clause[start] in "不没"
        and clause[start - 1] == clause[start + 1]
        and (start < 2 or clause[start - 2] not in "不没")  # 不好不好 repeats a negation
    )


def _clause_terms(lex: _CompiledLexicon, clause: str, offset: int = 0) -> list[tuple[int, int, tuple]]:
    """The lexicon terms of a clause (from `offset` on), left to right, longest first, without
    overlaps.

    With ahocorasick_rs, the leftmost-longest Chinese terms are found in one call, as the trie
    patterns of :func:`_clause_terms_scan` find them (tested on real reviews)."""
    if lex.zh_automaton is None or (lex.en_terms is not None and _RE_LATIN.search(clause)):
        return _clause_terms_scan(lex, clause)
    found = []
    for i, start, end in lex.zh_automaton.find_matches_as_indexes(clause[offset:] if offset else clause):
        start += offset
        end += offset
        if clause[start] in "不没" and _a_not_a(clause, start):
            break
        roles, neg_prefix = lex.zh_entries[i]
        if neg_prefix:
            # a negator followed by a longer praise word beats a term that starts like
            # them: 不 + 准时 over 不准, 不 + 值得一看 over 不值得; the terms go on after the negator
            n = lex.zh_negator.match(clause, start)
            if n is not None and n.end() < end:
                after = lex.zh_automaton.find_matches_as_indexes(clause[n.end():])
                if (after and after[0][1] == 0 and n.end() + after[0][2] > end
                        and lex.zh_entries[after[0][0]][0][_PRAISE]):
                    found.append((start, n.end(), lex.roles[n.group()]))
                    return found + _clause_terms(lex, clause, n.end())
        found.append((start, end, roles))
    return found


def _clause_terms_scan(lex: _CompiledLexicon, clause: str) -> list[tuple[int, int, tuple]]:
    """:func:`_clause_terms` with the trie patterns (clauses with Latin letters, or no
    ahocorasick_rs)."""
    found = []
    if lex.zh_first is not None:
        search, terms, pos = lex.zh_first.search, lex.zh_terms, 0
        while (m := search(clause, pos)) is not None:
            start = m.start()
            t = terms[clause[start]].match(clause, start)
            if t is not None and _a_not_a(clause, start):
                break
            if t is None:
                pos = start + 1
                continue
            end = t.end()
            # a negator followed by a longer praise word beats a term that starts like
            # them: 不 + 准时 over 不准, 不 + 值得一看 over 不值得
            n = None if lex.zh_negator is None else lex.zh_negator.match(clause, start)
            if n is not None and n.end() < end:
                after = terms.get(clause[n.end()]) if n.end() < len(clause) else None
                p = None if after is None else after.match(clause, n.end())
                if p is not None and p.end() > end and lex.roles[p.group()][_PRAISE]:
                    t, end = n, n.end()
            found.append((start, end, t.group()))
            pos = end
    if lex.en_terms is not None and _RE_LATIN.search(clause):
        taken = [(s, e) for s, e, _ in found]
        for m in lex.en_terms.finditer(clause):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                found.append((m.start(), m.end(), _RE_SPACE.sub(" ", m.group())))
        found.sort()
    return [(s, e, lex.roles[t]) for s, e, t in found]


_NO_THEMES = (0, 0, 0)


def _clause_themes(lex: _CompiledLexicon, clause: str) -> tuple[int, int, int]:
    """Themes of one clause as bit masks (bit j = theme j): ``(themes, unless, verdicts)``,
    kept in ``lex.memo`` (callers look there first: ``lex.memo.get(clause) or _clause_themes(...)``).

    A negator reverses what follows it up to the end of the clause (two negators cancel):
    a negated phrase or cue is no complaint, a negated praise word is one. A clause that ends
    in 都没有 / 也没有 drops the phrases, cues and verdicts before it (一点卡顿都没有). A cue or a negated
    praise word is bound to the nearest aspect of a theme that accepts it. ``unless`` are the
    themes whose ``unless`` words the clause holds, ``verdicts`` the themes of its non-negated
    verdict words when it holds no aspect of another theme (applied by :func:`_text_themes`).
    """
    terms = _clause_terms(lex, clause)
    if not terms:
        found = _NO_THEMES
    else:
        found = _terms_themes(lex, clause, terms)
    if len(lex.memo) >= MEMO_LIMIT:
        lex.memo.clear()
    lex.memo[clause] = found
    return found


def _terms_themes(lex: _CompiledLexicon, clause: str, terms: list) -> tuple[int, int, int]:
    """:func:`_clause_themes` of a clause and its terms (:func:`_clause_terms`, at least one)."""
    bits = unless = verdicts = 0
    negated = False
    spent = neg_end = 0  # end of the last negated word; end of the last negator
    aspects = []
    pending = []
    post = _RE_POST_NEGATION.search(clause) if "都" in clause or "也" in clause else None
    cut = post.start() if post is not None else -1
    moot = None if lex.hypothetical is None else lex.hypothetical.search(clause)
    moot = moot.end() if moot is not None else len(clause) + 1  # nothing after it is read
    for start, end, r in terms:
        if start >= moot:
            break
        unless |= r[_UNLESS]
        if r[_ASPECT]:
            aspects.append((start, end, r[_ASPECT]))
            if spent:  # the negator spent on a word before a new aspect: 没有色差卖家态度很好
                negated, spent = False, 0
        if end <= cut:  # negated by the clause's end: 一点卡顿都没有
            pass
        elif not negated:
            bits |= r[_PHRASE]
            verdicts |= r[_VERDICT]
            if r[_CUE]:
                pending.append((start, end, r[_CUE], 0))
        elif (r[_PRAISE] and (d := _RE_DEGREE.search(clause, neg_end, start)) is not None
              and not _RE_NEGATED_DEGREE.match(clause, neg_end, d.start())):
            # a degree word and praise after other words than the negator's own (是, 那么) are
            # a statement of their own: 没问题卖家服务态度很好, 没有删减很周到 praise (物流并不是很快
            # and 不是真的很好 stay negated)
            negated, spent = False, 0
        else:
            if r[_PRAISE]:
                pending.append((start, end, r[_PRAISE], r[_ALONE]))
            if r[_PRAISE] or r[_PHRASE] or r[_CUE] or r[_VERDICT]:
                spent = end
        if r[_NEG]:
            # two negators cancel (没有不满意, 并不是因为不好看), but a negator after a negated
            # word starts a negation of its own: 不缩水不掉色, 不好吃也不新鲜; after 或者 / 和 the
            # first negator still holds (没觉得慢或者不专业 is no complaint)
            fresh = spent and not _RE_NEGATION_OR.match(clause, spent, start)
            negated = True if fresh else not negated
            spent = 0
            neg_end = end
    for start, end, accept, alone in pending:
        best, best_bits = None, 0
        for a_start, a_end, a_bits in aspects:
            if a_start == start or not a_bits & accept:
                continue
            distance = start - a_end if a_end <= start else a_start - end
            if best is None or distance < best:
                best, best_bits = distance, a_bits & accept
        bits |= best_bits if best is not None else alone
    for _, _, a_bits in aspects:  # a verdict beside another theme's aspect is about that
        if a_bits & ~verdicts:
            verdicts = 0
            break
    return bits, unless, verdicts


_RE_CLAUSE_KEEP = re.compile(f"({_RE_CLAUSE.pattern})")
""":data:`_RE_CLAUSE` keeping its separators: ``split`` gives clause, separator, clause, ..."""
_RE_SENTENCE_END = re.compile(r"[!?\n\r。！？]")
"""A separator holding one of these ends a sentence (every sentence end is a clause separator)."""


def _text_themes(lex: _CompiledLexicon, text: str) -> int:
    """Themes of one answer: its clauses' themes, less the themes whose ``unless`` words stand
    anywhere in the same sentence; the themes of verdict words only when nothing else is tagged.

    The answer is split into clauses once; the separators that hold a sentence end (。！？!? or a
    line break) group them into sentences, which matter only when a clause holds an ``unless``
    word."""
    text = _norm_match(html.unescape(text))  # exports of web forms: &hellip; &amp; ...
    if lex.aliases is not None:
        text = lex.aliases.sub(lambda m: lex.alias_map[m.group()], text)
    if lex.replies is not None and (reply := lex.replies.search(text)) is not None:
        text = text[: reply.start()]  # the business's reply (宾馆反馈 ...) is not the customer's
    parts = _RE_CLAUSE_KEEP.split(text)  # clause, separator, clause, ..., clause
    bits = unless = verdicts = 0
    memo = lex.memo
    for clause in parts[::2]:
        clause = clause.strip()
        if clause:
            b, u, v = memo.get(clause) or _clause_themes(lex, clause)
            bits |= b
            unless |= u
            verdicts |= v
    if not unless:
        return bits or verdicts
    bits = verdicts = s_bits = s_unless = s_verdicts = 0
    for i in range(0, len(parts), 2):
        clause = parts[i].strip()
        if clause:
            b, u, v = memo.get(clause) or _clause_themes(lex, clause)
            s_bits |= b
            s_unless |= u
            s_verdicts |= v
        if i + 1 == len(parts) or _RE_SENTENCE_END.search(parts[i + 1]):
            bits |= s_bits & ~s_unless
            verdicts |= s_verdicts & ~s_unless
            s_bits = s_unless = s_verdicts = 0
    return bits or verdicts


def _masks(lex: _CompiledLexicon, texts: list[str]) -> list[int]:
    """The themes of each of `texts` as bit masks (one part of :func:`tag_themes`)."""
    return [_text_themes(lex, text) for text in texts]


def _resolve_lexicon(lexicon) -> _CompiledLexicon:
    if lexicon is None:
        return _default_compiled()
    return _compile_lexicon(lexicon)


def tag_themes(
    texts,
    *,
    lexicon: Mapping | None = None,
    language: str = "zh",
    workers: int | None = None,
) -> pd.DataFrame:
    """Tag complaint themes in open answers (negation aware).

    Parameters
    ----------
    texts : Series or sequence of str
        Answers to "which part of the service most needs improvement?".
    lexicon : mapping, optional
        Theme lexicon with the structure of :func:`default_theme_lexicon` (default: the
        shipped ``data/themes.yaml`` with the themes of :data:`THEME_IDS`).
    language : {"zh", "en"}, default "zh"
        Language of the answers (validated). The Chinese and English terms of the lexicon
        are matched in every answer, because answers mix languages (客服attitude很差); no
        segmentation is needed, so no tokenizer is taken.
    workers : int, optional
        Processes that share the distinct answers (Linux: children forked from this one):
        ``None`` chooses (:func:`~csat_research.text.workers.plan_workers`: one per 10,000
        distinct answers and available CPU), 1 keeps to this process. The tags are the same
        for any number.

    Returns
    -------
    pandas.DataFrame
        One row per text (same index as a Series `texts`, else 0..n-1) and one boolean
        column per theme id, in lexicon order. Missing and blank answers have no theme.

    Raises
    ------
    TypeError
        For a wrong type of `texts` or `lexicon`.
    ParamsError
        If `lexicon` is malformed (unknown dimension, missing label, non-ASCII theme id ...).

    Notes
    -----
    Answers are HTML-unescaped (``&hellip;`` of web exports), NFKC-normalised and lower-cased,
    common typos replaced (lexicon ``aliases``: 物留 -> 物流), split into sentences (at 。！？!?
    and line breaks) and clauses: at punctuation (title marks too: 《哥哥不是吹牛皮》这书名很好 does not
    negate the praise after the title), at a space beside Chinese text (好评 物流慢),
    and at contrast words (但是, 不过, 可是, 而且, 就是, 只是, 可惜, 唯一; but, however). The
    lexicon's terms are found in each clause left to right, the longest first (快递员 before
    快递 before 快), by an Aho-Corasick automaton (ahocorasick_rs; one precompiled trie pattern per
    first character in clauses with Latin letters). A theme is tagged
    when a clause holds one of its complaint `phrases` (没人回复, 答非所问), or a `cue` (慢,
    不更新, shared: 差, 不满意) or a negated `praise` word (不快, 不是很快, 不够专业, 不给力)
    whose nearest `aspect` in the clause, among the aspects of themes that accept that cue,
    is one of its own (快递员不专业 -> delivery_courier; 物流不是很快 -> logistics_updates);
    a negated `praise_alone` word tags its theme without an aspect (客服不太专业 ->
    product_knowledge). Negation has the scope of the clause: a negator (不, 没有, 不会, 不太;
    not, no, never, n't) reverses everything after it up to the end of the clause, and a second
    negator reverses it back, so 没有任何问题, 不会像某些客服一样答非所问, 没觉得物流慢 and
    没有不满意 are no complaints while 不满意 and 物流不是很快 are; but a negator after a word the
    first one negated starts a negation of its own (不缩水不掉色: neither; not after 或者 / 和:
    没觉得慢或者不专业), an aspect after a negated word ends the negation (没有色差和图片一样),
    and a degree word and praise after other words than the negator's own are a statement of
    their own (没问题卖家服务态度很好 praises the seller); a clause that ends in
    都没有 / 也没有 (一点卡顿都没有, 坏的一个也没发现) is no complaint either. What follows a
    ``hypothetical`` word of the lexicon's negation (担心, 以为: a worry or an expectation) or the
    不/没 of an A-not-A question (甜不甜, 会不会掉色) in its clause is not read. Words that start like a
    negator but do not negate (不过, 不知道, 无线) are read as whole words. A theme's
    ``exclude`` words hide its shorter terms inside them (上门取件 is no installation visit) and
    a sentence with one of its ``unless`` words is never tagged with it, whichever clause holds
    the word (答非所问 of a 机器人 is bot_unhelpful, not off_topic_answer; 安装费花了180，太贵了
    is no price_value). A theme's ``verdicts`` are general verdicts without an aspect (垃圾,
    后悔, 上当了): a non-negated one tags its theme only when the answer has no other theme
    (垃圾 alone is a product complaint; 物流太慢，垃圾 is logistics_updates only), and never in a
    clause that names one of the lexicon's ``other_subjects`` (服务太差 is no product verdict). From the
    first of the lexicon's ``replies`` on (宾馆反馈: the business's reply appended by a review site),
    an answer is not read. Each distinct
    clause is evaluated once.

    Product themes (``dimension: product``: quality, authenticity, not as described,
    packaging, price) are tagged like service themes; :func:`theme_summary` marks their group.

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
    check_language(language)
    workers = check_workers(workers)
    lex = _resolve_lexicon(lexicon)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniques = uniques.tolist()
    parts = map_split(partial(_masks, lex), uniques, plan_workers(len(uniques), workers))
    masks = [m for part in parts for m in part] + [0]  # last: missing answers
    shifts = np.arange(len(lex.ids), dtype=np.int64)
    table = ((np.asarray(masks, dtype=np.int64)[:, None] >> shifts) & 1).astype(bool)
    codes = np.where(codes < 0, len(uniques), codes)
    data = table[codes]
    return pd.DataFrame(data, index=s.index, columns=list(lex.ids))
