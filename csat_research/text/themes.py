"""Complaint themes of open answers: the theme lexicon, tagging and summaries.

* :func:`default_theme_lexicon` is the shipped lexicon ``data/themes.yaml`` (themes
  :data:`THEME_IDS`, each in one of the :data:`DIMENSIONS`), to edit and pass as ``lexicon=``
  (defined with its checks and compiled form in :mod:`csat_research.text.theme_lexicon`);
* :func:`tag_themes` tags each answer with its themes, clause by clause and negation aware
  (没有问题 is no complaint);
* :func:`csat_research.text.theme_summary.theme_summary` gives the share of answers per theme,
  overall and per segment, and its link with an outcome (Welch's t-test).

Quotes that illustrate a theme are :func:`csat_research.text.quotes.representative_quotes`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache, partial
from itertools import chain, islice, repeat
from operator import itemgetter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from csat_research.text.inputs import MEMO_LIMIT, check_language, gc_paused, text_series
from csat_research.text.theme_lexicon import (
    ALONE,
    ASPECT,
    BOUNDARY,
    BU_MEI,
    CUE,
    DOU_YE,
    FULLWIDTH_COMMON,
    LATIN,
    NEG,
    PHRASE,
    PRAISE,
    PRODUCT_DIMENSION,
    PRODUCT_THEME_IDS,
    SERVICE_THEME_IDS,
    THEME_DIMENSIONS,
    THEME_IDS,
    UNLESS,
    VERDICT,
    CompiledLexicon,
    compile_lexicon,
    default_compiled,
    default_theme_lexicon,
    norm_match,
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


_RE_LATIN = re.compile("[a-z]")
_RE_POST_NEGATION = re.compile(
    r"(?:都|也)(?:没有?(?:出现|发现|遇到|碰到|感觉到|看到|见到)?过?|不(?:大|高|明显|严重))"
    r"[了啊呀呢吧哦的]*$"
)
"""A clause that ends in 都没有 / 也没有 (一点卡顿都没有, 坏的一个也没发现过) or in 都不大 / 也不明显
(发热噪音都不大) negates what stands before it."""
_RE_POST_NEGATION_BULK = re.compile(_RE_POST_NEGATION.pattern.removesuffix("$") + r"(?=\x00|\Z)")
""":data:`_RE_POST_NEGATION` in clauses joined by BOUNDARY (a clause holds no line break)."""
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


def _clause_terms(lex: CompiledLexicon, clause: str, offset: int = 0) -> list[tuple[int, int, tuple]]:
    """The lexicon terms of a clause (from `offset` on), left to right, longest first, without
    overlaps.

    With ahocorasick_rs, the leftmost-longest Chinese terms are found in one call, as the trie
    patterns of :func:`_clause_terms_scan` find them (tested on real reviews)."""
    if lex.zh_automaton is None:
        return _clause_terms_scan(lex, clause)
    if offset == 0 and lex.en_terms is not None and _RE_LATIN.search(clause):
        return _with_english(lex, clause, _clause_terms(lex, clause, -1))
    offset = max(offset, 0)
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
                        and lex.zh_entries[after[0][0]][0][PRAISE]):
                    found.append((start, n.end(), lex.roles[n.group()]))
                    return found + _clause_terms(lex, clause, n.end())
        found.append((start, end, roles))
    return found


def _clause_terms_scan(lex: CompiledLexicon, clause: str) -> list[tuple[int, int, tuple]]:
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
                if p is not None and p.end() > end and lex.roles[p.group()][PRAISE]:
                    t, end = n, n.end()
            found.append((start, end, t.group()))
            pos = end
    found = [(s, e, lex.roles[t]) for s, e, t in found]
    if lex.en_terms is not None and _RE_LATIN.search(clause):
        return _with_english(lex, clause, found)
    return found


def _with_english(lex: CompiledLexicon, clause: str, found: list) -> list[tuple[int, int, tuple]]:
    """`found`, the Chinese terms of a clause, with the English terms that overlap none of them,
    left to right."""
    taken = [(s, e) for s, e, _ in found]
    for m in lex.en_terms.finditer(clause):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            found.append((m.start(), m.end(), lex.roles[_RE_SPACE.sub(" ", m.group())]))
    found.sort(key=itemgetter(0))
    return found


_NO_THEMES = (0, 0, 0)


def _clause_themes(lex: CompiledLexicon, clause: str) -> tuple[int, int, int]:
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


def _terms_themes(lex: CompiledLexicon, clause: str, terms, moot: bool = True) -> tuple[int, int, int]:
    """:func:`_clause_themes` of a clause and its terms (:func:`_clause_terms`, at least one; an
    iterable of (start, end, roles), read once); `moot` False: the clause holds no hypothetical word."""
    bits = unless = verdicts = 0
    negated = False
    spent = neg_end = 0  # end of the last negated word; end of the last negator
    aspects = []
    pending = []
    post = _RE_POST_NEGATION.search(clause) if "都" in clause or "也" in clause else None
    cut = post.start() if post is not None else -1
    moot = None if lex.hypothetical is None or not moot else lex.hypothetical.search(clause)
    moot = moot.end() if moot is not None else len(clause) + 1  # nothing after it is read
    for start, end, r in terms:
        if start >= moot:
            break
        unless |= r[UNLESS]
        if r[ASPECT]:
            aspects.append((start, end, r[ASPECT]))
            if spent:  # the negator spent on a word before a new aspect: 没有色差卖家态度很好
                negated, spent = False, 0
        if end <= cut:  # negated by the clause's end: 一点卡顿都没有
            pass
        elif not negated:
            bits |= r[PHRASE]
            verdicts |= r[VERDICT]
            if r[CUE]:
                pending.append((start, end, r[CUE], 0))
        elif (r[PRAISE] and (d := _RE_DEGREE.search(clause, neg_end, start)) is not None
              and not _RE_NEGATED_DEGREE.match(clause, neg_end, d.start())):
            # a degree word and praise after other words than the negator's own (是, 那么) are
            # a statement of their own: 没问题卖家服务态度很好, 没有删减很周到 praise (物流并不是很快
            # and 不是真的很好 stay negated)
            negated, spent = False, 0
        else:
            if r[PRAISE]:
                pending.append((start, end, r[PRAISE], r[ALONE]))
            if r[PRAISE] or r[PHRASE] or r[CUE] or r[VERDICT]:
                spent = end
        if r[NEG]:
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


def _text_themes(lex: CompiledLexicon, text: str) -> int:
    """Themes of one answer: its clauses' themes, less the themes whose ``unless`` words stand
    anywhere in the same sentence; the themes of verdict words only when nothing else is tagged.

    The answer is split into clauses once; the separators that hold a sentence end (。！？!? or a
    line break) group them into sentences, which matter only when a clause holds an ``unless``
    word."""
    text = norm_match(html.unescape(text))  # exports of web forms: &hellip; &amp; ...
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


# Many answers at once (:func:`tag_themes`): the steps of _text_themes, each in one call over the
# distinct answers joined by BOUNDARY, which no term, alias, reply word or separator holds, so that
# each step gives every answer what it gives the answer alone (tests/text/test_themes_bulk.py);
# answers that hold BOUNDARY or unusual whitespace, and lexicons that hold BOUNDARY, are read one by
# one by _text_themes.


_TEXTS_AT_ONCE = 2048
"""Distinct answers per :func:`_texts_themes` call: its arrays stay small (in the processor's
caches), as fast as all answers at once or faster (benchmarks/bench_themes.py)."""


def theme_masks(lex: CompiledLexicon, texts: list[str]) -> np.ndarray:
    """The themes of each of `texts` as bit masks (int64), :data:`_TEXTS_AT_ONCE` at a time."""
    masks = np.zeros(len(texts), dtype=np.int64)
    with gc_paused():  # (the match tuples of the automaton: no cycles among them)
        for a in range(0, len(texts), _TEXTS_AT_ONCE):
            some = texts[a: a + _TEXTS_AT_ONCE]
            masks[a: a + len(some)] = _texts_themes(lex, some)
    return masks


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _texts_themes(lex: CompiledLexicon, texts: list) -> np.ndarray:
    """:func:`_text_themes` of each of `texts` (str), as int64 masks, in bulk."""
    masks = np.zeros(len(texts), dtype=np.int64)
    joined = BOUNDARY.join(texts)
    if not texts:
        return masks
    if lex.bulk is None or joined.count(BOUNDARY) != len(texts) - 1:
        alone = [i for i, t in enumerate(texts) if lex.bulk is None or BOUNDARY in t]
        masks[alone] = [_text_themes(lex, texts[i]) for i in alone]
        rest = np.setdiff1d(np.arange(len(texts)), alone)
        if len(rest):
            masks[rest] = _texts_themes(lex, [texts[i] for i in rest])
        return masks
    if "&" in joined:
        joined = BOUNDARY.join([html.unescape(t) for t in texts])
    for wide, narrow in FULLWIDTH_COMMON:
        if wide in joined:
            joined = joined.replace(wide, narrow)
    parts = joined.split(BOUNDARY)
    odd = [i for i, ok in enumerate(map(unicodedata.is_normalized, repeat("NFKC"), parts)) if not ok]
    if odd:
        for i in odd:
            parts[i] = unicodedata.normalize("NFKC", parts[i])
        joined = BOUNDARY.join(parts)
    if "\u2019" in joined:
        joined = joined.replace("\u2019", "'")
    joined = joined.lower()  # a final sigma is final before BOUNDARY as at the end of a text
    if lex.aliases is not None:
        joined = lex.aliases.sub(lambda m: lex.alias_map[m.group()], joined)
    if lex.replies is not None and (cuts := [m.start() for m in lex.replies.finditer(joined)]):
        parts = joined.split(BOUNDARY)
        ends = np.cumsum([len(p) + 1 for p in parts])
        for text, at in zip(np.searchsorted(ends, cuts, side="right").tolist()[::-1], cuts[::-1]):
            parts[text] = parts[text][: at - (ends[text - 1] if text else 0)]  # the first reply wins
        joined = BOUNDARY.join(parts)
    points, a, b, sentence_starts, text_of, odd = _clause_bounds(joined)
    if len(a):
        codes, distinct, starts = _distinct_clauses(joined, points, a, b)
        found = _clauses_themes(lex, distinct, starts)[codes]
        bits, unless, verdicts = np.bitwise_or.reduceat(found, sentence_starts, axis=0).T
        themes = np.column_stack([bits & ~unless, verdicts & ~unless])  # unless: in its sentence only
        text_of = text_of[sentence_starts]
        firsts = np.flatnonzero(np.diff(text_of, prepend=-1))
        bits, verdicts = np.bitwise_or.reduceat(themes, firsts, axis=0).T
        masks[text_of[firsts]] = np.where(bits != 0, bits, verdicts)
    for i in odd.tolist():
        masks[i] = _text_themes(lex, texts[i])
    return masks


_WS, _MARK, _ODD_SPACE, _BREAK, _TEXT, _LATIN_LETTER, _CONTRAST_FIRST = 1, 2, 4, 8, 16, 32, 64
"""Bits of :func:`_split_table`: space or \\t\\n\\r; a clause mark (:data:`_CLAUSE_MARKS`, BOUNDARY);
other whitespace; a sentence end (:data:`_RE_SENTENCE_END`) or BOUNDARY; BOUNDARY; a-z; the first
character of a Chinese contrast word."""


@lru_cache(maxsize=1)
def _split_table() -> np.ndarray:
    table = np.zeros(0x110000, dtype=np.uint8)
    table[[c for c in range(0x3001) if chr(c).isspace()]] = _ODD_SPACE  # (none beyond U+3000)
    table[[ord(ch) for ch in " \t\n\r"]] = _WS
    mark = re.compile(f"[{_CLAUSE_MARKS}]").fullmatch  # each character of the class, as re reads it
    table[[c for c in {*range(0x3001), *map(ord, _CLAUSE_MARKS)} if mark(chr(c))]] |= _MARK
    table[[ord(ch) for ch in "!?\n\r。！？"]] |= _BREAK
    table[ord(BOUNDARY)] = _MARK | _BREAK | _TEXT
    table[ord("a"): ord("z") + 1] = _LATIN_LETTER
    table[[ord(w[0]) for w in _CONTRASTS]] |= _CONTRAST_FIRST
    return table


def _contrast_words(joined: str, points: np.ndarray, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of the contrast words that _RE_CLAUSE's alternatives take, left to right:
    the Chinese ones (但是 before 但; 然而且 is 然而 and 且) and the English ones as whole words, which
    are whole runs of a-z between characters that are no word characters (\\b)."""
    pairs, singles = _contrast_codes()
    n = len(points)
    start = np.flatnonzero(kind & _CONTRAST_FIRST)
    first = points[start].astype(np.int64)
    pair = first * 0x110000 + points[np.minimum(start + 1, n - 1)] * (start + 1 < n)
    size = np.where(np.isin(pair, pairs), 2, np.isin(first, singles).astype(np.int64))
    start, size = start[size > 0], size[size > 0]
    taken = np.ones(len(start), dtype=bool)
    for k in np.flatnonzero(np.diff(start) == 1).tolist():  # the scan goes on after what it took
        if taken[k] and size[k] == 2:
            taken[k + 1] = False
    start, end = start[taken], start[taken] + size[taken]
    firsts, ends = _runs(np.flatnonzero(kind & _LATIN_LETTER))  # runs of a-z
    some = np.isin(ends - firsts, _CONTRAST_SIZES)
    words = [(i, j) for i, j in zip(firsts[some].tolist(), ends[some].tolist()) if joined[i:j] in _CONTRASTS_EN
             and (i == 0 or not _is_word(joined[i - 1])) and (j == n or not _is_word(joined[j]))]
    if words:
        i, j = np.array(words, dtype=np.int64).T
        start, end = np.concatenate([start, i]), np.concatenate([end, j])
    return start, end


def _runs(at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the runs of consecutive integers in `at` (ascending)."""
    first = np.flatnonzero(np.diff(at, prepend=-2) != 1)
    return at[first], at[np.append(first[1:], len(at))[: len(first)] - 1] + 1


_CONTRAST_SIZES = np.array(sorted({len(w) for w in _CONTRASTS_EN}), dtype=np.int64)


@lru_cache(maxsize=1)
def _contrast_codes() -> tuple[np.ndarray, np.ndarray]:
    """The Chinese contrast words (of one or two characters) as code pairs and codes."""
    pairs = [ord(w[0]) * 0x110000 + ord(w[1]) for w in _CONTRASTS if len(w) == 2]
    singles = [ord(w) for w in _CONTRASTS if len(w) == 1]
    return np.array(pairs, dtype=np.int64), np.array(singles, dtype=np.uint32)


def _split_clauses(joined: str) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """The clauses of answers joined by BOUNDARY as :data:`_RE_CLAUSE_KEEP` splits each answer
    (tested): the non-empty clauses, stripped; the first clause of each sentence; each clause's
    answer; the answers with other whitespace than space and \\t\\n\\r (left out: for _text_themes).
    The clauses as :func:`_clause_bounds` finds them, as str."""
    _, a, b, sentence_starts, text_of, odd = _clause_bounds(joined)
    return [joined[i:j] for i, j in zip(a.tolist(), b.tolist())], sentence_starts, text_of, odd


def _clause_bounds(joined: str) -> tuple[np.ndarray, ...]:
    """What :func:`_split_clauses` gives, with the clauses as their starts and ends in `joined`,
    after the code points of `joined`: (points, starts, ends, sentence starts, answers, odd ones).

    Only what the separators cover matters (clauses between adjacent separators are empty): the
    clause marks, the contrast words (English ones as whole words) and the runs of spaces and
    \\t\\n\\r beside non-ASCII text: a run is covered whole when the character after it is not ASCII
    (\\s+ before it) or it starts with a space after a character that is not ASCII (\\s+ after it);
    else only its marks are."""
    points = _code_points(joined)
    kind = _split_table()[points]
    n = len(points)
    marked = np.flatnonzero(kind & (_TEXT | _ODD_SPACE | _WS | _BREAK))  # (few of the characters)
    marks = kind[marked]
    texts = marked[(marks & _TEXT) != 0]
    odd = np.unique(np.searchsorted(texts, marked[(marks & _ODD_SPACE) != 0]))
    cover = np.zeros(n + 1, dtype=np.int32)
    start, end = _contrast_words(joined, points, kind)
    np.add.at(cover, start, 1)
    np.add.at(cover, end, -1)
    start, end = _runs(marked[(marks & _WS) != 0])  # runs of whitespace
    after = np.where(end < n, points[np.minimum(end, n - 1)], 0)
    before = np.where(start > 0, points[np.maximum(start - 1, 0)], 0)
    whole = (after > 0x7F) | ((points[start] == 0x20) & (before > 0x7F))
    np.add.at(cover, start[whole], 1)
    np.add.at(cover, end[whole], -1)
    cut = (np.cumsum(cover[:-1], dtype=np.int32) > 0) | ((kind & _MARK) != 0)
    content = np.flatnonzero(~cut & (points != 0x20))
    if not len(content):  # (no answer holds a clause)
        return points, *(np.zeros(0, dtype=np.int64),) * 4, odd
    cuts = np.cumsum(cut, dtype=np.int32)[content]
    first = np.append(0, np.flatnonzero(cuts[1:] != cuts[:-1]) + 1)  # of each clause, in `content`
    a = content[first]
    b = content[np.append(first[1:], len(content)) - 1] + 1
    breaks = marked[(marks & _BREAK) != 0]
    sentence = np.ones(len(a), dtype=bool)
    sentence[1:] = np.searchsorted(breaks, a[1:]) > np.searchsorted(breaks, b[:-1])
    text_of = np.searchsorted(texts, a)
    if len(odd):
        keep = ~np.isin(text_of, odd)
        a, b, sentence, text_of = a[keep], b[keep], sentence[keep], text_of[keep]
        sentence[np.flatnonzero(np.diff(text_of, prepend=-1))] = True
    return points, a, b, np.flatnonzero(sentence), text_of, odd


def _distinct_clauses(joined: str, points: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
    """The distinct ones of the clauses ``joined[a:b]`` (`points`: its code points) as
    pandas.factorize gives them, without a str per clause (Arrow hashes their code points): each
    clause's code, and the distinct clauses in the order they first come, joined by BOUNDARY, with
    their starts (then the length of the joined text + 1)."""
    m = len(a)
    ended = np.append(points, np.uint32(0))
    ended[b] = 0  # each clause with BOUNDARY after it (the character after a clause is none of the next)
    bounds = np.column_stack([a, b + 1]).ravel() * 4  # the clauses and what lies between them, in bytes
    pieces = pa.Array.from_buffers(pa.large_binary(), 2 * m - 1, [None, pa.py_buffer(bounds), pa.py_buffer(ended)])
    pool = pa.system_memory_pool()  # (malloc's pages stay with the process: steadier than mimalloc's here)
    encoded = pc.dictionary_encode(pc.take(pieces, pa.array(np.arange(0, 2 * m - 1, 2)), memory_pool=pool),
                                   memory_pool=pool)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    words = encoded.dictionary
    offsets = np.frombuffer(words.buffers()[1], dtype=np.int64)[words.offset: words.offset + len(words) + 1] // 4
    body = np.frombuffer(words.buffers()[2], dtype=np.uint32)[offsets[0]: offsets[-1]]
    return codes, body.tobytes().decode("utf-32-le", "surrogatepass")[:-1], offsets - offsets[0]


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # \w of a str pattern


def _clauses_themes(lex: CompiledLexicon, joined: str, starts: np.ndarray) -> np.ndarray:
    """:func:`_clause_themes` of distinct clauses, joined by BOUNDARY and starting at `starts` (then
    the length of `joined` + 1), an int64 array (n, 3).

    The terms of all clauses are found by one automaton call; a clause whose terms are plain (no
    negator, no hypothetical word, no 都没有 at its end, no cue with a choice of aspects) is read
    with numpy, the others term by term (:func:`_terms_themes`, through ``lex.memo``), and those
    whose terms one call may not give (不准时, A-not-A) clause by clause."""
    tables, n = lex.bulk, len(starts) - 1
    lens = np.diff(starts) - 1
    bounds = starts.tolist()

    def clauses(some) -> list:
        return [joined[bounds[i]: bounds[i + 1] - 1] for i in some.tolist()]

    points = _code_points(joined)
    chars = np.append(tables.chars[points], 0)  # (a last empty clause starts at the end)
    kinds = np.bitwise_or.reduceat(chars, starts[:-1])
    term, start, end = _matches(lex.zh_automaton, joined, starts)
    clause = np.searchsorted(starts, start, side="right") - 1
    at, end = start - starts[clause], end - starts[clause]  # in the clause
    r = tables.roles[term]
    count = np.bincount(clause, minlength=n)
    first = np.cumsum(count) - count

    def any_of(flags) -> np.ndarray:
        return np.bincount(clause, weights=flags, minlength=n) > 0

    # the 不 of an A-not-A question (甜不甜, not 不好不好: _a_not_a) ends the terms
    s = np.flatnonzero(chars[start] & BU_MEI)
    p, k = start[s], at[s]
    inside = (k > 0) & (k < starts[clause[s] + 1] - starts[clause[s]] - 2)
    last = len(points) - 1  # (indices kept in the text where `inside` is False)
    a_not_a = inside & (points[np.maximum(p - 1, 0)] == points[np.minimum(p + 1, last)]) & (
        (k < 2) | ((chars[np.maximum(p - 2, 0)] & BU_MEI) == 0))
    odd = tables.may_yield[term]
    odd[s[a_not_a]] = True
    by_clause = any_of(odd)  # terms not as one automaton call gives them
    latin = ((kinds & LATIN) != 0) & ~by_clause if lex.en_terms is not None else np.zeros(n, dtype=bool)
    if len(some := np.flatnonzero(latin)):  # the clauses with Latin letters but no English term
        ends = np.cumsum(lens[some] + 1)  # are read as the others (tests/text/test_themes_bulk.py)
        some_joined = BOUNDARY.join(clauses(some))
        english = [m.start() for m in lex.en_terms.finditer(some_joined)]
        latin[some] = False
        latin[some[np.searchsorted(ends, english, side="right")]] = True
    # the terms up to a clause's first negator are read as plain terms; after it, a praise word
    # right after the negator is a negated praise word (不好, 服务不好), and the other terms must
    # have no role but unless (没有问题 goes term by term, 质量不错 and 生命不息 do not)
    index = np.arange(len(term))
    negator = np.full(n, len(term))
    np.minimum.at(negator, clause[r[:, NEG] != 0], index[r[:, NEG] != 0])
    plain = index <= negator[clause]
    aspect = (r[:, ASPECT] != 0) & plain
    role_bits = np.bitwise_or.reduce(np.delete(tables.roles, UNLESS, axis=1), axis=1)[term]
    praised = ((index == negator[clause] + 1) & (r[:, PRAISE] != 0)
               & ((role_bits & ~(r[:, PRAISE] | r[:, ALONE])) == 0)
               & (at == end[np.maximum(index - 1, 0)]))  # (no degree word between them)
    aspects_of = np.bincount(clause, weights=aspect, minlength=n)
    by_terms = latin | any_of(~plain & ~praised & (role_bits != 0)) | (
        (any_of((r[:, CUE] != 0) & plain) | any_of(praised)) & (aspects_of > 1))
    moot = np.ones(n, dtype=bool)  # may hold a hypothetical word (as terms, not whole words: a few more)
    if tables.moot is not None:
        some = np.searchsorted(starts, _matches(tables.moot, joined, starts)[1], side="right") - 1
        moot[:] = False
        moot[some] = True
        by_terms[some] |= ~by_clause[some] & (count[some] > 0)  # those read with numpy: hypothetical words
    if len(some := np.flatnonzero(((kinds & DOU_YE) != 0) & ~by_terms & ~by_clause & (count > 0))):
        ends = np.cumsum(lens[some] + 1)  # and those with 都 or 也, joined: 都没有 at their end
        some_joined = BOUNDARY.join(clauses(some))
        post = [m.start() for m in _RE_POST_NEGATION_BULK.finditer(some_joined)]
        by_terms[some[np.searchsorted(ends, post, side="right")]] = True
    out = np.zeros((n, 3), dtype=np.int64)
    held = np.flatnonzero(count > 0)
    if len(held):  # as _terms_themes reads plain terms: a cue binds to the one aspect
        cols = np.column_stack([r[:, PHRASE], r[:, UNLESS], r[:, VERDICT], r[:, ASPECT],
                                np.where(aspect, 0, r[:, CUE]), praised * r[:, PRAISE], praised * r[:, ALONE]])
        cols[~plain] *= np.array([0, 1, 0, 0, 0, 1, 1])
        phrase, unless, verdict, aspects, cues, praise, alone = np.bitwise_or.reduceat(
            cols, first[held], axis=0).T
        negated = np.where(aspects & praise, aspects & praise, alone)  # bound to the aspect, or alone
        out[held] = np.column_stack(
            [phrase | (aspects & cues) | negated, unless, np.where(aspects & ~verdict, 0, verdict)])
    memo, new, rows, found = lex.memo, {}, np.flatnonzero(by_terms | by_clause), []
    entries = list(map(itemgetter(0), lex.zh_entries))
    c = count[rows] * ~by_clause[rows]  # (their terms, but those of clauses read whole)
    k = np.repeat(first[rows] - np.cumsum(c) + c, c) + np.arange(c.sum())
    s_list, e_list, r_list = at[k].tolist(), end[k].tolist(), list(map(entries.__getitem__, term[k].tolist()))
    for clause, j, c, whole, english, maybe in zip(clauses(rows), (np.cumsum(c) - c).tolist(), c.tolist(),
                                                     by_clause[rows].tolist(), latin[rows].tolist(),
                                                     moot[rows].tolist()):
        if (f := memo.get(clause)) is None:
            if whole:
                terms = _clause_terms(lex, clause)
            else:  # (_terms_themes reads its terms once)
                terms = zip(s_list[j: j + c], e_list[j: j + c], r_list[j: j + c])
                if english:
                    terms = _with_english(lex, clause, list(terms))
                elif not c:
                    terms = None
            f = new[clause] = _terms_themes(lex, clause, terms, maybe) if terms else _NO_THEMES
        found.append(f)
    if found:
        out[rows] = found
    if len(memo) + len(new) > MEMO_LIMIT:
        memo.clear()
    memo.update(islice(new.items(), MEMO_LIMIT))
    return out


_CHUNK = 1000
"""Clauses per ahocorasick_rs call (its time grows faster than the text's length)."""


def _matches(automaton, joined: str, starts: np.ndarray) -> tuple[np.ndarray, ...]:
    """(pattern, start, end) of the matches of an AhoCorasick in `joined` (clauses starting at
    `starts`, then its length + 1), a _CHUNK of clauses per call."""
    found = []
    for a in range(0, len(starts) - 1, _CHUNK):
        offset = starts[a]
        m = automaton.find_matches_as_indexes(joined[offset: starts[min(a + _CHUNK, len(starts) - 1)] - 1])
        m = np.fromiter(chain.from_iterable(m), dtype=np.int64, count=3 * len(m)).reshape(-1, 3)
        m[:, 1:] += offset
        found.append(m)
    return tuple(np.concatenate(found).T) if found else (np.zeros(0, dtype=np.int64),) * 3


def resolve_lexicon(lexicon) -> CompiledLexicon:
    """The compiled form of `lexicon` (the shipped lexicon's, compiled once, for ``None``)."""
    if lexicon is None:
        return default_compiled()
    return compile_lexicon(lexicon)


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
    an answer is not read.

    The distinct answers are read 2,048 at a time, each step in one call for all of them (one
    normalisation, a clause split with numpy, one automaton pass per 1,000 distinct clauses); the
    clauses whose terms need no negation scope, hypothetical word or choice of aspect are read with
    numpy, the others term by term (and kept for later calls, up to ``MEMO_LIMIT`` clauses). The
    tags are those of each answer read alone (``tests/text/test_themes_bulk.py``).

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
    lex = resolve_lexicon(lexicon)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniques = uniques.tolist()
    parts = map_split(partial(theme_masks, lex), uniques, plan_workers(len(uniques), workers))
    return tag_frame(lex, codes, np.concatenate(parts), s.index)


def tag_frame(lex: CompiledLexicon, codes: np.ndarray, masks: np.ndarray, index) -> pd.DataFrame:
    """The frame of :func:`tag_themes`: one row per answer of `index` with the themes of its
    distinct answer ``codes`` (``pd.factorize`` codes, -1 for a missing answer) as bit masks
    `masks` (:func:`theme_masks`), one boolean column per theme of `lex`."""
    masks = np.append(np.asarray(masks, dtype=np.int64), 0)  # last: missing answers
    shifts = np.arange(len(lex.ids), dtype=np.int64)
    table = ((masks[:, None] >> shifts) & 1).astype(bool)
    codes = np.where(codes < 0, len(masks) - 1, codes)
    return pd.DataFrame(table[codes], index=index, columns=list(lex.ids))
