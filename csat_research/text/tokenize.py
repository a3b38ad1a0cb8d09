"""Segmentation of open answers: stopwords, the dictionary and the tokenizer.

The open questions of the instrument ("您认为哪部分服务最需要改进？", "有没有超出您预期的服务？")
are analysed in Chinese (rjieba, jieba as reference and fallback) or English (a
regular-expression word tokenizer).

* :func:`make_tokenizer` builds a :class:`TextTokenizer` around a *dedicated* segmenter loaded
  with the package's e-commerce user dictionary (``data/userdict.txt``) and stopwords
  (``data/stopwords_zh.txt``, :func:`default_stopwords`). The segmenter is an ``rjieba.Jieba``
  (jieba-rs, the Rust port of jieba: the same dictionary, model and algorithm, about 15x faster)
  where rjieba can be imported, else a ``jieba.Tokenizer``; ``segmenter="jieba"`` or the
  environment variable ``CSAT_SEGMENTER=jieba`` choose jieba. jieba's global tokenizer is never
  touched.
* :func:`resolve_tokenizer` is how the analyses (:mod:`csat_research.text.frequencies`,
  :mod:`csat_research.text.themes`) take their ``tokenizer=`` / ``language=`` arguments: the
  tokenizer given, or a default one per language, built once per process.
* :func:`preload_segmenter` builds a segmenter ahead of time for the next :func:`make_tokenizer`
  (a report kernel's warm-up).

jieba is the reference: on the 5,000 committed real reviews
(``tests/fixtures/real_reviews``) the rjieba route gives token lists identical to jieba's for
more than 99.9 % of the reviews (tested). Where they differ, jieba-rs keeps runs of Latin letters
and digits joined by ``-`` or ``.`` whole (``2008-6-1``, ``check-in``); such tokens are split
again the way jieba splits them.

Content words (:meth:`TextTokenizer.words`, :meth:`TextTokenizer.blocks`, and so every word
count) leave out stopwords, punctuation, numbers and *fragments*: tokens without a Chinese
character unless they are known Latin-script words (``data/latin_words.txt``: app, wifi, vip,
brands ...; the user dictionary; the study's user words), and one-character tokens unless they
are meaningful words on their own (``data/single_char_words.txt``: 慢, 贵, 差 ...).
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import jieba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from csat_research.text.inputs import (
    MEMO_LIMIT,
    check_int,
    check_language,
    check_str,
    check_words,
    data_lines,
    gc_paused,
)

__all__ = [
    "SEGMENTERS",
    "SegmentedTexts",
    "TextTokenizer",
    "default_stopwords",
    "make_tokenizer",
    "preload_segmenter",
    "resolve_tokenizer",
]

# --------------------------------------------------------------------------------------
# user dictionary and stopwords
# --------------------------------------------------------------------------------------


_RE_USERDICT = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")
_RE_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")


@lru_cache(maxsize=1)
def _shipped_userdict() -> tuple[tuple[str, int | None, str | None], ...]:
    entries = []
    for line in data_lines("userdict.txt"):
        word, freq, tag = _RE_USERDICT.match(line).groups()
        entries.append((word, int(freq) if freq else None, tag.strip() if tag else None))
    return tuple(entries)


_EN_STOPWORDS = frozenset("""
    a about above after again against all almost also am an and any are aren't as at be
    because been before being below between both but by can can't cannot could couldn't did
    didn't do does doesn't doing don't down during each even ever every few for from further
    get got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
    herself him himself his how how's however i i'd i'll i'm i've if in into is isn't it it's
    its itself just let's like made make many may maybe me more most much must mustn't my myself
    nor of off often on once one only or other ought our ours ourselves out over own per quite
    rather really same shan't she she'd she'll she's should shouldn't so some still such than
    that that's the their theirs them themselves then there there's these they they'd they'll
    they're they've this those though through thus to too under until up upon us very via was
    wasn't we we'd we'll we're we've well were weren't what what's when when's where where's
    whether which while who who's whom why why's will with within without won't would wouldn't
    yet you you'd you'll you're you've your yours yourself yourselves
    ok okay yes no not never thanks thank please everything anything something nothing none
    nope na n/a
    would've could've should've lot lots bit think thought feel felt say said guess seems seem
    """.split())


def default_stopwords(language: str = "zh") -> frozenset[str]:
    """Shipped stopword list of a language.

    Parameters
    ----------
    language : {"zh", "en"}
        ``"zh"`` reads ``data/stopwords_zh.txt`` (function words, pronouns, particles, degree
        adverbs and survey fillers such as 觉得/希望/暂无); ``"en"`` is a built-in list of
        English function words and fillers.

    Returns
    -------
    frozenset of str
        Lower-cased stopwords.

    Raises
    ------
    ValueError
        If `language` is not one of :data:`~csat_research.text.inputs.LANGUAGES`.

    Examples
    --------
    >>> sw = default_stopwords("zh")
    >>> "的" in sw, "物流" in sw
    (True, False)
    >>> "the" in default_stopwords("en")
    True
    """
    language = check_language(language)
    if language == "en":
        return _EN_STOPWORDS
    return _zh_stopwords()


@lru_cache(maxsize=1)
def _zh_stopwords() -> frozenset[str]:
    return frozenset(w.lower() for w in data_lines("stopwords_zh.txt"))


# --------------------------------------------------------------------------------------
# fragments: the Latin-script and one-character words kept in counts
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _latin_words() -> frozenset[str]:
    """Latin-script words kept in counts: ``data/latin_words.txt`` and the user dictionary's."""
    shipped = {w.lower() for w in data_lines("latin_words.txt")}
    shipped.update(w.lower() for w, _, _ in _shipped_userdict() if not _RE_HAN.search(w))
    return frozenset(shipped)


@lru_cache(maxsize=1)
def _single_char_words() -> frozenset[str]:
    """One-character words kept in counts when ``min_len=1`` (``data/single_char_words.txt``)."""
    return frozenset(ch for line in data_lines("single_char_words.txt") for ch in line.split())


# --------------------------------------------------------------------------------------
# segmenters: rjieba (default) and jieba (reference and fallback)
# --------------------------------------------------------------------------------------

SEGMENTERS = ("rjieba", "jieba")
"""Segmenters of Chinese text, the default first."""

_SPARE_LOCK = threading.Lock()
_SPARE: dict[str, object] = {}  # segmenter name -> one prepared segmenter (preload_segmenter)


def _choose_segmenter(segmenter) -> str:
    """`segmenter`, else ``$CSAT_SEGMENTER``, else rjieba where it can be imported, else jieba."""
    source = "segmenter"
    if segmenter is None:
        segmenter = os.environ.get("CSAT_SEGMENTER", "").strip().lower() or None
        source = "CSAT_SEGMENTER"
    if segmenter is None:
        try:
            import rjieba  # noqa: F401
        except ImportError:
            return "jieba"
        return "rjieba"
    if not isinstance(segmenter, str):
        raise TypeError(f"segmenter must be a str, one of {SEGMENTERS}; got {type(segmenter).__name__}")
    if segmenter not in SEGMENTERS:
        raise ValueError(f"{source} must be one of {SEGMENTERS}; got {segmenter!r}")
    return segmenter


def _new_rjieba():
    """An ``rjieba.Jieba`` with jieba's dictionary and the shipped user dictionary."""
    try:
        import rjieba
    except ImportError as exc:
        raise ImportError(
            "segmenter='rjieba' needs the rjieba package (pip install rjieba); "
            "segmenter='jieba' or CSAT_SEGMENTER=jieba segment with jieba instead"
        ) from exc
    seg = rjieba.Jieba()
    for word, freq, tag in _shipped_userdict():
        seg.add_word(word, freq, tag)
    return seg


def _new_jieba_tokenizer() -> jieba.Tokenizer:
    """A dedicated ``jieba.Tokenizer`` with jieba's dictionary and the shipped user dictionary."""
    tok = jieba.Tokenizer()
    tok.initialize()  # jieba loads its dictionary (from its own cache file after the first time)
    for word, f, tag in _shipped_userdict():
        tok.add_word(word, f, tag)
    return tok


def _new_segmenter(name: str):
    with _SPARE_LOCK:
        seg = _SPARE.pop(name, None)
    if seg is not None:
        return seg
    return _new_rjieba() if name == "rjieba" else _new_jieba_tokenizer()


def preload_segmenter(segmenter: str | None = None) -> None:
    """Build the segmenter of the next :func:`make_tokenizer` call ahead of time.

    A report kernel's warm-up (:func:`csat_research.report.warmup.warm_up`) calls it, so that the
    report's own ``make_tokenizer`` does not load the dictionary (about 0.1 s with rjieba, 0.5 s
    with jieba). At most one segmenter per kind is kept; the next ``make_tokenizer`` of that
    kind takes it (a forked kernel takes its own copy).

    Parameters
    ----------
    segmenter : {"rjieba", "jieba"}, optional
        As in :func:`make_tokenizer`.
    """
    name = _choose_segmenter(segmenter)
    with _SPARE_LOCK:
        if name in _SPARE:
            return
    seg = _new_rjieba() if name == "rjieba" else _new_jieba_tokenizer()
    with _SPARE_LOCK:
        _SPARE.setdefault(name, seg)


# jieba's finalseg splits a run of Latin letters, digits and + # & . _ % - like this; jieba-rs
# keeps 2008-6-1, check-in, 802.11n whole
_RE_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_RE_JOINER = re.compile(r"[+#&._%\-]")
_RE_JOINED = re.compile(r"[a-zA-Z0-9][+#&._%\-]")  # where jieba-rs may join what jieba splits


def _split_like_jieba(tokens: list[str], seg) -> list[str]:
    """rjieba's tokens with joined Latin/digit runs split as jieba splits them."""
    out: list[str] = []
    for w in tokens:
        if len(w) > 1 and _RE_JOINER.search(w) and not _RE_HAN.search(w) and not seg.has_word(w):
            out.extend(x for x in _RE_JIEBA_SKIP.split(w) if x)
        else:
            out.append(w)
    return out


# --------------------------------------------------------------------------------------
# tokenizer
# --------------------------------------------------------------------------------------

_RE_HAN_BLOCK = jieba.re_han_default  # the blocks jieba segments independently
_RE_SKIP = jieba.re_skip_default
_RE_HAS_WORD_CHAR = re.compile(r"[a-zA-Z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_RE_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
_RE_EN_BLOCK_SPLIT = re.compile(r"[^a-z' ]+")
# a token of a block (jieba's or jieba-rs's wider Han range); others are punctuation/whitespace
_RE_BLOCK_TOKEN = re.compile(
    r"[a-zA-Z0-9+#&._%\-\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
)
_RE_FULLWIDTH = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FULLWIDTH_TO_ASCII = {
    cp: cp - 0xFEE0
    for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for cp in range(r[0], r[1] + 1)
}
_SEP = object()  # classification of a token that ends a block (punctuation, whitespace)
_TOKEN_SEP = "\x1f"  # joins the tokens of one text (segment_many); texts that hold it go apart


class SegmentedTexts(NamedTuple):
    """Content words of many texts (:meth:`TextTokenizer.segment_many`), one entry per kept
    occurrence: ``words[word[i]]`` stands in text ``text[i]``, block ``block[i]``."""

    words: list[str]
    word: np.ndarray
    text: np.ndarray
    block: np.ndarray


class TextTokenizer:
    """Segmenter of open answers, made by :func:`make_tokenizer`.

    Holds the language, the stopwords, the client's user words and, for Chinese, a dedicated
    segmenter (rjieba or jieba; never jieba's global tokenizer). Content words are memoised
    per text, jieba's segmentations per block of text.

    Attributes
    ----------
    language : str
        ``"zh"`` or ``"en"``.
    segmenter : str or None
        ``"rjieba"`` or ``"jieba"`` (``None`` for English).
    stopwords : frozenset of str
        Lower-cased words excluded from counts.
    user_words : tuple of str
        Words added to the dictionary on top of the shipped user dictionary.
    jieba : jieba.Tokenizer or None
        jieba with the same dictionary (``None`` for English): the segmenter itself when
        ``segmenter == "jieba"``, else the reference, built on first use. Change the dictionary
        with :meth:`add_word`, which changes both.
    """

    __slots__ = (
        "_language",
        "_segmenter",
        "_stopwords",
        "_user_words",
        "_seg",
        "_jieba",
        "_added",
        "_latin",
        "_memo",
        "_kept",
        "_classes",
        "_pos",
        "_pos_memo",
        "_lock",
        "_memo_key",
    )

    def __init__(self, *, language, stopwords, user_words, segmenter=None, seg=None):
        self._language = language
        self._segmenter = segmenter
        self._stopwords = frozenset(stopwords)
        self._user_words = tuple(user_words)
        self._seg = seg
        self._jieba = seg if segmenter == "jieba" else None
        self._added: list[tuple[str, int | None, str | None]] = []
        self._latin = _latin_words() if language == "zh" else frozenset()
        self._memo: dict[str, tuple[str, ...]] = {}
        self._kept: dict[int, dict[str, tuple[tuple[str, ...], ...]]] = {}
        self._classes: dict[int, dict[str, object]] = {}
        self._pos = None
        self._pos_memo: dict[str, tuple] = {}
        self._lock = threading.Lock()
        self._memo_key = self._dictionary_key()

    def _dictionary_key(self):
        if self._segmenter == "jieba":  # jieba's dictionary may also change through .jieba
            return (self._jieba.total, len(self._jieba.FREQ), len(self._added))
        return len(self._added)

    def _check_memo(self) -> None:
        """Forget memoised segmentations when the dictionary was changed."""
        key = self._dictionary_key()
        if key != self._memo_key:
            self._memo.clear()
            self._kept.clear()
            self._classes.clear()
            self._pos_memo.clear()
            self._memo_key = key

    @property
    def language(self) -> str:
        return self._language

    @property
    def segmenter(self) -> str | None:
        return self._segmenter

    @property
    def stopwords(self) -> frozenset[str]:
        return self._stopwords

    @property
    def user_words(self) -> tuple[str, ...]:
        return self._user_words

    @property
    def jieba(self):
        if self._language != "zh":
            return None
        with self._lock:
            if self._jieba is None:
                tok = _new_jieba_tokenizer()
                for word, freq, tag in self._added:
                    tok.add_word(word, freq, tag)
                self._jieba = tok
            return self._jieba

    def __repr__(self) -> str:
        return (
            f"TextTokenizer(language={self._language!r}, segmenter={self._segmenter!r}, "
            f"stopwords={len(self._stopwords)}, user_words={len(self._user_words)})"
        )

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        """Add `word` to this tokenizer's dictionary (segmenter and jieba reference).

        Parameters
        ----------
        word : str
            A word without whitespace. A Latin-script word is also kept in word counts.
        freq : int, optional
            Its frequency; default: what ``suggest_freq`` says keeps it whole, at least 1000.
        tag : str, optional
            Its part of speech (default ``"nz"``).

        Raises
        ------
        TypeError, ValueError
            For a word that is not a non-empty str without whitespace, or a `freq` below 1.
        ValueError
            For an English tokenizer (it has no dictionary).
        """
        if self._language != "zh":
            raise ValueError("add_word needs a Chinese tokenizer (language='zh'); this one is 'en'")
        word = check_str(word, "word")
        if not word or any(ch.isspace() for ch in word):
            raise ValueError(f"word must be a non-empty word without whitespace; got {word!r}")
        if freq is not None:
            freq = check_int(freq, "freq", minimum=1)
        tag = "nz" if tag is None else check_str(tag, "tag")
        with self._lock:
            if freq is None:
                freq = max(self._seg.suggest_freq(word), 1000)
            self._seg.add_word(word, freq, tag)
            if self._jieba is not None and self._jieba is not self._seg:
                self._jieba.add_word(word, freq, tag)
            self._added.append((word, freq, tag))
            if not _RE_HAN.search(word):
                self._latin = self._latin | {word.lower()}

    # -- segmentation -----------------------------------------------------------------
    def _segment_block(self, block: str) -> tuple[str, ...]:
        toks = self._memo.get(block)
        if toks is None:
            toks = tuple(self._jieba.lcut(block))
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[block] = toks
        return toks

    def _tokens(self, text: str) -> list[str]:
        """All tokens of `text` (Chinese), as ``jieba.Tokenizer.lcut`` gives them."""
        if self._segmenter == "rjieba":
            toks = self._seg.cut(text)
            return _split_like_jieba(toks, self._seg) if _RE_JOINED.search(text) else toks
        out: list[str] = []
        for blk in _RE_HAN_BLOCK.split(text):
            if not blk:
                continue
            if _RE_HAN_BLOCK.match(blk):
                out.extend(self._segment_block(blk))
            else:
                for x in _RE_SKIP.split(blk):
                    if _RE_SKIP.match(x):
                        out.append(x)
                    else:
                        out.extend(x)
        return out

    def cut(self, text: str) -> list[str]:
        """All tokens of `text`, punctuation and whitespace included.

        For Chinese this is jieba's accurate mode with HMM (``jieba.Tokenizer.lcut``), through
        the tokenizer's segmenter; for English the lower-cased words (letters and inner
        apostrophes).

        Examples
        --------
        >>> tok = make_tokenizer()
        >>> tok.cut("物流太慢，转人工太难")
        ['物流', '太慢', '，', '转人工', '太难']
        >>> make_tokenizer(language="en").cut("The bot didn't help!")
        ['the', 'bot', "didn't", 'help']
        """
        text = check_str(text, "text")
        if self._language == "en":
            return _RE_EN_WORD.findall(_normalise_en(text))
        self._check_memo()
        return list(self._tokens(text))

    def _keep(self, word: str, min_len: int) -> bool:
        """Whether a (lower-cased) token is a content word that counts."""
        if word in self._stopwords:
            return False
        if self._language == "en":
            return len(word) >= min_len and _RE_HAS_WORD_CHAR.search(word) is not None
        if _RE_HAN.search(word) is None:  # Latin letters, digits, symbols: known words only
            return len(word) >= min_len and word in self._latin
        if len(word) == 1:
            return min_len <= 1 and word in _single_char_words()
        return len(word) >= min_len

    def blocks(self, text: str, *, min_len: int = 2) -> list[list[str]]:
        """Content words of `text`, grouped by block (clause between punctuation marks).

        Dropped: stopwords, punctuation, whitespace, numbers, words shorter than `min_len`
        characters, and fragments (Latin-script tokens that are no known word, such as ``xp``
        or ``ok``; one-character tokens other than meaningful words such as 慢 or 贵). Latin
        letters are lower-cased. Bigrams are formed within a block only.

        Examples
        --------
        >>> make_tokenizer().blocks("物流太慢了，客服回复也很慢！")
        [['物流', '太慢'], ['客服', '回复', '很慢']]
        """
        text = check_str(text, "text")
        min_len = check_int(min_len, "min_len", minimum=1)
        return [list(b) for b in self._blocks(text, min_len)]

    def _blocks(self, text: str, min_len: int) -> tuple[tuple[str, ...], ...]:
        if self._language == "en":
            out = []
            for part in _RE_EN_BLOCK_SPLIT.split(_normalise_en(text)):
                kept = tuple(w for w in _RE_EN_WORD.findall(part) if self._keep(w, min_len))
                if kept:
                    out.append(kept)
            return tuple(out)
        self._check_memo()
        memo = self._kept.get(min_len)
        if memo is None:
            memo = self._kept.setdefault(min_len, {})
        found = memo.get(text)
        if found is not None:
            return found
        src = text.translate(_FULLWIDTH_TO_ASCII) if _RE_FULLWIDTH.search(text) else text
        classes = self._classes.get(min_len)
        if classes is None:
            classes = self._classes.setdefault(min_len, {})
        out = []
        cur: list[str] = []
        for w in self._tokens(src):
            c = classes.get(w)  # each distinct token is classified once
            if c is None:
                c = self._classify(w, min_len)
                if len(classes) >= MEMO_LIMIT:
                    classes.clear()
                classes[w] = c
            if c is _SEP:
                if cur:
                    out.append(tuple(cur))
                    cur = []
            elif c:
                cur.append(c)
        if cur:
            out.append(tuple(cur))
        found = tuple(out)
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[text] = found
        return found

    def _classify(self, token: str, min_len: int):
        """``_SEP`` for punctuation/whitespace, the lower-cased word if kept, else ``""``."""
        if not _RE_BLOCK_TOKEN.match(token):
            return _SEP
        w = token.lower()
        return w if self._keep(w, min_len) else ""

    def words(self, text: str, *, min_len: int = 2) -> list[str]:
        """Content words of `text` in order (see :meth:`blocks` for what is dropped).

        Examples
        --------
        >>> make_tokenizer().words("智能客服答非所问，我要转人工。")
        ['智能客服', '答非所问', '转人工']
        >>> make_tokenizer().words("xp系统装不上，ok，app闪退")
        ['系统', '装不上', 'app', '闪退']
        """
        return [w for blk in self.blocks(text, min_len=min_len) for w in blk]

    # -- many texts at once ------------------------------------------------------------
    def _token_lists(self, texts: list[str]) -> list[list[str]]:
        """The tokens of each text, separators (punctuation, whitespace) included: what
        :meth:`_blocks` reads, for many texts (English: a "," between the blocks)."""
        if self._language == "en":
            out = []
            for text in texts:
                toks: list[str] = []
                for part in _RE_EN_BLOCK_SPLIT.split(_normalise_en(text)):
                    toks += _RE_EN_WORD.findall(part)
                    toks.append(",")
                out.append(toks)
            return out
        self._check_memo()
        tokens, fullwidth = self._tokens, _RE_FULLWIDTH.search
        return [tokens(t.translate(_FULLWIDTH_TO_ASCII) if fullwidth(t) else t) for t in texts]

    def _token_array(self, texts: list[str]) -> pa.ListArray:
        """:meth:`_token_lists` as an Arrow list array. Chinese: each text's tokens joined by
        :data:`_TOKEN_SEP` into one string, which Arrow splits again, so that the token lists do not
        outlive their text and the tokens are not converted one by one (0.3 s less on 74,699 real
        reviews); texts that hold the separator themselves go the longer way."""
        if self._language == "en" or _TOKEN_SEP in "".join(texts):
            return pa.array(self._token_lists(texts), type=pa.list_(pa.string()))
        self._check_memo()
        tokens, fullwidth, join = self._tokens, _RE_FULLWIDTH.search, _TOKEN_SEP.join
        joined = [join(tokens(t.translate(_FULLWIDTH_TO_ASCII) if fullwidth(t) else t)) or None for t in texts]
        return pc.split_pattern(pa.array(joined, type=pa.string()), _TOKEN_SEP)

    def segment_many(self, texts, *, min_len: int = 2) -> SegmentedTexts:
        """Content words of many texts as arrays, one entry per kept word occurrence.

        The same words, in the same blocks, as :meth:`blocks` of each text; each distinct token
        is classified once and the occurrences are held as integer codes (numpy arrays), so
        that counting them is array arithmetic instead of a loop over words.

        Parameters
        ----------
        texts : sequence of str
            The texts (typically distinct answers).
        min_len : int, default 2
            As in :meth:`blocks`.

        Returns
        -------
        SegmentedTexts
            ``words`` (the distinct content words, first seen first) and, per kept occurrence
            in text order, ``word`` (index into ``words``), ``text`` (index into `texts`) and
            ``block`` (a number shared by the words of one block, increasing).

        Examples
        --------
        >>> seg = make_tokenizer().segment_many(["物流太慢了，客服回复也很慢！", "物流慢"])
        >>> [seg.words[i] for i in seg.word], seg.text.tolist(), seg.block.tolist()
        (['物流', '太慢', '客服', '回复', '很慢', '物流'], [0, 0, 0, 0, 0, 1], [1, 1, 2, 2, 2, 4])
        """
        min_len = check_int(min_len, "min_len", minimum=1)
        texts = [check_str(t, "text") for t in texts]
        with gc_paused():
            lists = self._token_array(texts)
        encoded = pc.dictionary_encode(lists.values)  # each distinct token once
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        lens = np.diff(lists.offsets.to_numpy())
        index = encoded.dictionary.to_pylist()
        classes = self._classes.get(min_len)
        if classes is None:
            classes = self._classes.setdefault(min_len, {})
        words: dict[str, int] = {}
        kind = np.empty(len(index), dtype=np.int64)  # word index, -1 dropped, -2 separator
        for i, token in enumerate(index):
            c = classes.get(token)
            if c is None:
                if len(classes) >= MEMO_LIMIT:
                    classes.clear()
                c = classes[token] = self._classify(token, min_len)
            kind[i] = -2 if c is _SEP else words.setdefault(c, len(words)) if c else -1
        wid = kind[codes]
        text_of = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
        boundary = wid == -2
        firsts = (np.cumsum(lens) - lens)[lens > 0]
        boundary[firsts] = True  # a text starts a block
        block = np.cumsum(boundary)
        kept = wid >= 0
        return SegmentedTexts(list(words), wid[kept], text_of[kept], block[kept])

    # -- part-of-speech tokenizer for TextRank -----------------------------------------
    def _pos_cut(self, text: str) -> list:
        """``POSTokenizer.cut`` of `text` on the jieba tokenizer (:attr:`jieba`), memoised per block.

        jieba.posseg segments the runs of ``re_han_internal`` independently, so cutting block
        by block gives the same pairs.
        """
        import jieba.posseg

        pos = self._pos_tokenizer()
        self._check_memo()
        out: list = []
        for blk in jieba.posseg.re_han_internal.split(text):
            if not blk:
                continue
            if jieba.posseg.re_han_internal.match(blk):
                pairs = self._pos_memo.get(blk)
                if pairs is None:
                    pairs = tuple(pos.cut(blk))
                    if len(self._pos_memo) >= MEMO_LIMIT:
                        self._pos_memo.clear()
                    self._pos_memo[blk] = pairs
                out.extend(pairs)
            else:
                out.extend(pos.cut(blk))
        return out

    def _pos_tokenizer(self):
        import jieba.posseg

        reference = self.jieba
        with self._lock:
            if self._pos is None:
                self._pos = jieba.posseg.POSTokenizer(reference)
            return self._pos


def _normalise_en(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()


def make_tokenizer(
    user_words=(), stopwords=None, *, language: str = "zh", segmenter: str | None = None
) -> TextTokenizer:
    """Tokenizer of open answers with the e-commerce user dictionary and stopwords.

    Parameters
    ----------
    user_words : iterable of str, default ()
        Extra words kept whole by the segmenter, e.g. a client's product names
        (``["小天鹅洗衣机", "云鲸J4"]``). Ignored for English.
    stopwords : iterable of str, optional
        Words excluded from counts. Default: :func:`default_stopwords` of `language`.
        To extend the default list pass ``default_stopwords() | {"某品牌"}``.
    language : {"zh", "en"}, default "zh"
        ``"zh"``: jieba's dictionary and model with the package's user dictionary
        ``data/userdict.txt`` (about 230 e-commerce and customer-service terms and idioms:
        物流, 退换货, 七天无理由, 运费险, 转人工, 问东答西 ...).
        ``"en"``: a regular-expression word tokenizer.
    segmenter : {"rjieba", "jieba"}, optional
        Chinese segmenter. Default: the environment variable ``CSAT_SEGMENTER`` if set, else
        ``"rjieba"`` where the rjieba package can be imported, else ``"jieba"``. Ignored for
        English.

    Returns
    -------
    TextTokenizer

    Raises
    ------
    TypeError
        If `user_words` or `stopwords` is a single string or holds non-strings, or
        `segmenter` is not a str.
    ValueError
        If a user word is empty or contains whitespace, or `language`, `segmenter` or
        ``CSAT_SEGMENTER`` is unknown.
    ImportError
        If ``segmenter="rjieba"`` is asked for and rjieba cannot be imported.

    Notes
    -----
    A dedicated segmenter is built for every call: ``rjieba.Jieba()`` (jieba-rs, which
    embeds jieba's dictionary; about 0.1 s) or ``jieba.Tokenizer()``; jieba's global tokenizer
    (``jieba.dt``, ``jieba.add_word``, ``jieba.load_userdict``) is never touched, so adding
    words to one tokenizer never leaks into another. User words get at least frequency 1000
    (or what ``suggest_freq`` says keeps them whole).

    Examples
    --------
    >>> tok = make_tokenizer(["云鲸J4"])
    >>> tok.cut("七天无理由退货，运费险也不赔")
    ['七天无理由退货', '，', '运费险', '也', '不', '赔']
    >>> tok.words("云鲸J4的上门安装太慢")
    ['云鲸j4', '上门安装', '太慢']
    >>> make_tokenizer(segmenter="jieba").cut("七天无理由退货，运费险也不赔") == tok.cut("七天无理由退货，运费险也不赔")
    True
    """
    language = check_language(language)
    user_words = check_words(user_words, "user_words")
    for w in user_words:
        if not w or any(ch.isspace() for ch in w):
            raise ValueError(f"user_words must be non-empty words without whitespace; got {w!r}")
    if stopwords is None:
        sw = default_stopwords(language)
    else:
        sw = frozenset(w.lower() for w in check_words(stopwords, "stopwords"))
    if language == "en":
        return TextTokenizer(language="en", stopwords=sw, user_words=user_words)
    name = _choose_segmenter(segmenter)
    tok = TextTokenizer(
        language="zh", stopwords=sw, user_words=user_words, segmenter=name, seg=_new_segmenter(name)
    )
    for w in user_words:
        tok.add_word(w)
    return tok


_DEFAULT_TOKENIZERS: dict[str, TextTokenizer] = {}
_DEFAULT_LOCK = threading.Lock()


def resolve_tokenizer(tokenizer, language) -> TextTokenizer:
    """The tokenizer an analysis uses: the one given, or the default one of `language`.

    Parameters
    ----------
    tokenizer : TextTokenizer or None
        From :func:`make_tokenizer`, returned as it is.
    language : {"zh", "en"} or None
        Without `tokenizer`: the language of the default tokenizer (``None``: ``"zh"``),
        built by ``make_tokenizer(language=language)`` once per process and shared. With
        `tokenizer`: ``None``, or the tokenizer's own language.

    Returns
    -------
    TextTokenizer

    Raises
    ------
    TypeError
        If `tokenizer` is not a TextTokenizer, or `language` not a str.
    ValueError
        If `language` is unknown or disagrees with the tokenizer's language.

    Examples
    --------
    >>> resolve_tokenizer(None, "en").language
    'en'
    >>> resolve_tokenizer(None, None) is resolve_tokenizer(None, "zh")
    True
    """
    if tokenizer is not None:
        if not isinstance(tokenizer, TextTokenizer):
            raise TypeError(
                "tokenizer must be a TextTokenizer from make_tokenizer(); "
                f"got {type(tokenizer).__name__}"
            )
        if language is not None and check_language(language) != tokenizer.language:
            raise ValueError(
                f"language={language!r} disagrees with the tokenizer's language "
                f"{tokenizer.language!r}; pass one of them"
            )
        return tokenizer
    language = check_language("zh" if language is None else language)
    with _DEFAULT_LOCK:
        tok = _DEFAULT_TOKENIZERS.get(language)
    if tok is None:
        tok = make_tokenizer(language=language)
        with _DEFAULT_LOCK:
            tok = _DEFAULT_TOKENIZERS.setdefault(language, tok)
    return tok
