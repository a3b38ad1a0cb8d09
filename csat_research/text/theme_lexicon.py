"""The theme lexicon of :mod:`csat_research.text.themes`: the shipped lexicon, its checks, and its
compiled form, which the tagger reads.

* :func:`default_theme_lexicon` is the shipped lexicon ``data/themes.yaml`` (themes
  :data:`THEME_IDS`, each in one of the :data:`THEME_DIMENSIONS`), to edit and pass as ``lexicon=``;
* :func:`compile_lexicon` checks a lexicon and compiles it (:class:`CompiledLexicon`: term patterns,
  an Aho-Corasick automaton, the roles of each term as bit masks of themes, and the tables with which
  many answers are tagged at once, :class:`BulkTables`); :func:`default_compiled` is the shipped one's.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from csat_research.core.errors import ParamsError
from csat_research.core.schema import DIMENSIONS
from csat_research.io.yamlio import load_yaml
from csat_research.text.inputs import LANGUAGES, data_text

__all__ = [
    "PRODUCT_DIMENSION",
    "PRODUCT_THEME_IDS",
    "SERVICE_THEME_IDS",
    "THEME_DIMENSIONS",
    "THEME_IDS",
    "BulkTables",
    "CompiledLexicon",
    "compile_lexicon",
    "default_compiled",
    "default_theme_lexicon",
    "norm_match",
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

NEG, ASPECT, CUE, PHRASE, PRAISE, ALONE, UNLESS, VERDICT = range(8)
N_ROLES = 8
_ROLE_OF_KEY = {
    "aspects": ASPECT,
    "cues": CUE,
    "phrases": PHRASE,
    "praise": PRAISE,
    "praise_alone": ALONE,
    "unless": UNLESS,
    "verdicts": VERDICT,
}


@dataclass(frozen=True)
class CompiledLexicon:
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
    bulk: tuple | None  # tables of :func:`_clauses_themes`, or None: answers one by one


FULLWIDTH_COMMON = (("，", ","), ("！", "!"), ("？", "?"), ("：", ":"), ("；", ";"),
                     ("（", "("), ("）", ")"), ("\u3000", " "))
"""The full-width marks of most reviews and their NFKC forms (。 has none: it stays)."""


def norm_match(text: str) -> str:
    """NFKC, ’ as ', lower case. The common full-width marks (，！) are replaced first: most
    reviews are then NFKC already, which is checked much faster than normalised (the same
    result, since each mark is replaced by its NFKC form)."""
    for wide, narrow in FULLWIDTH_COMMON:
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
        out.append(" ".join(norm_match(v.strip()).split()))
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
    return first, _LazyTries(by_first)


class _LazyTries(dict):
    """First character -> trie pattern of the terms starting with it, each compiled when first
    asked for: the patterns read clauses only where ahocorasick_rs cannot be imported, and
    compiling all ~600 took 40 % of the lexicon's compile time."""

    def __init__(self, by_first: dict) -> None:
        super().__init__()
        self._terms = by_first

    def __missing__(self, ch: str) -> re.Pattern:
        pattern = self[ch] = re.compile(_trie(self._terms[ch], re.escape))
        return pattern

    def get(self, ch, default=None):
        return self[ch] if ch in self._terms else default

    def __contains__(self, ch) -> bool:
        return ch in self._terms


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


def compile_lexicon(lexicon: Mapping) -> CompiledLexicon:
    if not isinstance(lexicon, Mapping):
        raise TypeError(
            f"lexicon must be a mapping like default_theme_lexicon(); got {type(lexicon).__name__}"
        )
    themes = lexicon.get("themes")
    if not isinstance(themes, Mapping) or not themes:
        raise ParamsError("lexicon['themes'] must be a non-empty mapping of theme id -> definition")
    roles: dict[str, list[int]] = {}

    def add(term: str, role: int, bits: int) -> None:
        entry = roles.setdefault(term, [0] * N_ROLES)
        entry[role] |= bits

    hypothetical, hypothetical_first, moot_terms = [], set(), []
    for lang in LANGUAGES:
        negators, not_negators, moot = _negation_terms(lexicon, lang)
        hypothetical += [re.escape(t) if not t.isascii() else rf"\b{re.escape(t)}\b" for t in moot]
        hypothetical_first.update(t[0] for t in moot)
        moot_terms += moot
        for term in negators:
            add(term, NEG, 1)
        for term in not_negators:
            roles.setdefault(term, [0] * N_ROLES)
    for lang, terms in _shared_terms(lexicon, "neutral").items():
        for term in terms:  # a term without a role: it hides the terms inside it (出差 holds 差)
            roles.setdefault(term, [0] * N_ROLES)
    # A subject no theme covers (服务) is an aspect of no theme: the bit after the last theme's,
    # which no cue accepts and no answer carries; a verdict beside it is about it (服务太差 is no
    # product verdict), as a verdict beside another theme's aspect is about that theme.
    other_bit = 1 << len(themes)
    for lang, terms in _shared_terms(lexicon, "other_subjects").items():
        for term in terms:
            add(term, ASPECT, other_bit)
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
                        add(term, PRAISE, bit)
        pairs = found["aspects"] and (found["cues"] or found["praise"] or use_general)
        if not (found["phrases"] or found["praise_alone"] or found["verdicts"] or pairs):
            raise ParamsError(
                f"{where} needs phrases, praise_alone, or aspects together with cues or praise "
                "(or verdicts)"
            )
        ids.append(theme_id)
    for lang in LANGUAGES:
        for term in general[lang]:
            add(term, CUE, general_bits)
        for term in general_praise[lang]:
            add(term, PRAISE, general_bits)
    # A verdict keeps the cues inside it: 太慢了 holds 慢, so 客服回复太慢了 is slow_reply.
    cues = {term: r[CUE] for term, r in roles.items() if r[CUE]}
    for term, r in roles.items():
        if r[VERDICT]:
            for other, bits in cues.items():
                if other != term and other in term:
                    r[CUE] |= bits
    # An excluded word is a term of its own: it hides the shorter terms of the excluding
    # theme inside it (上门取件 holds 上门, no installation visit) and keeps the aspects of the
    # other themes inside it (发货票 holds 发票).
    own = {term: tuple(r) for term, r in roles.items()}
    for term, bit in excludes:
        entry = roles.setdefault(term, [0] * N_ROLES)
        for other, r in own.items():
            if other != term and other in term:
                entry[ASPECT] |= r[ASPECT]
    for term, bit in excludes:
        entry = roles[term]
        for role in range(1, N_ROLES):
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
    alias_map = {norm_match(k.strip()): norm_match(v.strip()) for k, v in aliases.items()}
    alias_re = (
        re.compile("|".join(map(re.escape, sorted(alias_map, key=lambda t: (-len(t), t)))))
        if alias_map
        else None
    )
    zh_first, zh_terms = _trie_patterns(zh)
    zh_negators = [t for t in zh if roles[t][NEG]]
    zh_negator = re.compile(_trie(zh_negators, re.escape)) if zh_negators else None
    zh_automaton, zh_entries = _automaton(zh, roles, zh_negator)
    return CompiledLexicon(
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
        bulk=bulk_tables(lexicon, ids, zh, roles, zh_entries, zh_negator, moot_terms),
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
def default_compiled() -> CompiledLexicon:
    return compile_lexicon(_shipped_lexicon())


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


BOUNDARY = "\x00"
LATIN, DOU_YE, BU_MEI, SENTENCE_END, TEXT_END = 1, 2, 4, 8, 16
"""Bits of the character table: a-z; 都 or 也; 不 or 没; a sentence end (:data:`_RE_SENTENCE_END`);
BOUNDARY."""

def _holds_boundary(node) -> bool:
    if isinstance(node, str):
        return BOUNDARY in node
    if isinstance(node, Mapping):
        return any(_holds_boundary(k) or _holds_boundary(v) for k, v in node.items())
    return isinstance(node, list | tuple) and any(map(_holds_boundary, node))


@dataclass(frozen=True)
class BulkTables:
    roles: np.ndarray  # (terms, roles) int64: zh_entries' roles
    may_yield: np.ndarray  # per term: a negator and a longer praise word may beat it (不准 in 不准时)
    moot: object  # ahocorasick_rs.AhoCorasick of the hypothetical words, or None
    chars: np.ndarray  # uint8 per code point: LATIN, DOU_YE, ...


def bulk_tables(lexicon, ids, zh, roles, entries, negator, moot_terms) -> BulkTables | None:
    """The tables of :func:`_clauses_themes`; None where it does not apply: no Chinese terms or no
    ahocorasick_rs, a theme bit beyond int64, BOUNDARY in the lexicon."""
    if not entries or len(ids) > 61 or _holds_boundary(lexicon):
        return None
    import ahocorasick_rs

    praise = [t for t in zh if roles[t][PRAISE]]
    may_yield = np.zeros(len(entries), dtype=bool)
    for i, (term, (_, neg_prefix)) in enumerate(zip(zh, entries)):
        if neg_prefix:  # only where the rest after the negator starts a longer praise word
            rest = term[negator.match(term).end():]
            may_yield[i] = any(len(p) > len(rest) and p.startswith(rest) for p in praise)
    chars = np.zeros(0x110000, dtype=np.uint8)
    chars[ord("a"): ord("z") + 1] |= LATIN
    for marks, bit in (("都也", DOU_YE), ("不没", BU_MEI), ("!?\n\r。！？", SENTENCE_END),
                       (BOUNDARY, TEXT_END)):
        for ch in marks:
            chars[ord(ch)] |= bit
    return BulkTables(
        roles=np.array([r for r, _ in entries], dtype=np.int64).reshape(len(entries), N_ROLES),
        may_yield=may_yield,
        moot=ahocorasick_rs.AhoCorasick(moot_terms) if moot_terms else None,
        chars=chars,
    )
