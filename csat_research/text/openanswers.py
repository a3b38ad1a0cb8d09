"""Open answers: segmentation, PII masking, word frequencies, keywords, contrasts and themes.

The open questions of the instrument ("您认为哪部分服务最需要改进？", "有没有超出您预期的服务？")
are analysed here, in Chinese (jieba) or English (a regular-expression word tokenizer).

* :func:`make_tokenizer` builds a :class:`TextTokenizer` around a *dedicated*
  ``jieba.Tokenizer`` loaded with the package's e-commerce user dictionary
  (``data/userdict.txt``) and stopwords (``data/stopwords_zh.txt``). jieba's global
  tokenizer is never touched. The parsed main dictionary is cached once per process and
  each tokenizer gets its own copy, so a second tokenizer costs a few tens of milliseconds.
* :func:`mask_pii` / :func:`mask_pii_series` mask phone numbers, e-mail addresses, ID-card
  and order numbers, and names before honorifics (王先生 -> *先生).
* :func:`word_frequencies`, :func:`keywords` and :func:`contrast_words` count and rank
  words (PII masked first); :func:`tag_themes`, :func:`theme_summary` and
  :func:`representative_quotes` tag complaint themes from ``data/themes.yaml``.

Every function deduplicates its texts first: a repeated answer is segmented once and its
counts are multiplied back. Segmentation is further memoised per *block* (the runs of
characters between punctuation and whitespace that jieba segments independently), which
gives exactly ``jieba.Tokenizer.lcut``'s result while segmenting each distinct clause once.

Texts are data, never markup: every function returns plain strings; escaping for HTML is
the renderer's job.
"""

from __future__ import annotations

import copy
import math
import os
import re
import shutil
import subprocess
import threading
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import yaml

from csat_research.core.cache import disk_cached
from csat_research.core.errors import CsatWarning, DataError, ParamsError, ReportError


def _import_jieba():
    """Import jieba without ``pkg_resources``.

    ``jieba._compat`` imports setuptools' deprecated ``pkg_resources`` (a DeprecationWarning and
    about 65 ms, on the kernels' critical path) only to open jieba's own data files, and falls
    back to a plain ``open()`` of the same files when it is missing. It is hidden for jieba's
    import only; code that imports ``pkg_resources`` later gets the real module.
    """
    import sys

    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    hide = "pkg_resources" not in sys.modules
    if hide:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba as module
    finally:
        if hide and "pkg_resources" in sys.modules and sys.modules["pkg_resources"] is None:
            del sys.modules["pkg_resources"]
    return module


jieba = _import_jieba()

__all__ = [
    "DIMENSIONS",
    "LANGUAGES",
    "THEME_IDS",
    "TextTokenizer",
    "contrast_words",
    "default_stopwords",
    "default_theme_lexicon",
    "keywords",
    "make_tokenizer",
    "mask_pii",
    "mask_pii_series",
    "representative_quotes",
    "tag_themes",
    "theme_summary",
    "word_frequencies",
    "wordcloud_font_path",
]

LANGUAGES = ("zh", "en")
"""Report / answer languages supported by this module."""

DIMENSIONS = ("efficiency", "quality", "communication", "after_sales", "digital")
"""The five dimensions of the instrument a theme belongs to."""

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

_DATA = "data"
_MEMO_LIMIT = 500_000

# --------------------------------------------------------------------------------------
# package data
# --------------------------------------------------------------------------------------


def _data_text(name: str) -> str:
    return resources.files("csat_research").joinpath(_DATA, name).read_text(encoding="utf-8")


def _data_lines(name: str) -> list[str]:
    lines = []
    for line in _data_text(name).splitlines():
        line = line.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


_RE_USERDICT = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")


@lru_cache(maxsize=1)
def _shipped_userdict() -> tuple[tuple[str, int | None, str | None], ...]:
    entries = []
    for line in _data_lines("userdict.txt"):
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
        If `language` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> sw = default_stopwords("zh")
    >>> "的" in sw, "物流" in sw
    (True, False)
    >>> "the" in default_stopwords("en")
    True
    """
    language = _check_language(language)
    if language == "en":
        return _EN_STOPWORDS
    return _zh_stopwords()


@lru_cache(maxsize=1)
def _zh_stopwords() -> frozenset[str]:
    return frozenset(w.lower() for w in _data_lines("stopwords_zh.txt"))


def _check_language(language) -> str:
    if not isinstance(language, str):
        raise TypeError(
            f"language must be a str, one of {LANGUAGES}; got {type(language).__name__}"
        )
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}; got {language!r}")
    return language


# --------------------------------------------------------------------------------------
# jieba dictionary, loaded once per process
# --------------------------------------------------------------------------------------

_BASE_LOCK = threading.Lock()
_BASE: dict[str, object] = {}


def _jieba_dict_path() -> str:
    return os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)


def _parse_jieba_dict() -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary (``FREQ``, ``total``), cached on disk (:func:`csat_research.core.cache.disk_cached`)."""
    freq, total = disk_cached("jieba-prefix-dict", [Path(_jieba_dict_path())], _build_jieba_prefix_dict)
    return freq, total


def _build_jieba_prefix_dict() -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary (``FREQ``, ``total``), as ``Tokenizer.gen_pfdict`` builds it.

    Built with C-level bulk operations (about twice as fast as ``gen_pfdict``): the word
    frequencies, plus every proper prefix of a word with frequency 0 unless it is a word.
    Reading jieba's own cache file is avoided on purpose: it would also *write* one to the
    temporary directory.
    """
    with open(_jieba_dict_path(), "rb") as fh:
        parts = fh.read().decode("utf-8").split()
    if len(parts) % 3:  # not the three-column format: fall back on jieba's own parser
        with open(_jieba_dict_path(), "rb") as fh:
            return jieba.Tokenizer.gen_pfdict(fh)
    words = parts[0::3]
    counts = list(map(int, parts[1::3]))
    freq = dict(zip(words, counts))
    prefixes: set[str] = set()
    longer = [w for w in words if len(w) > 1]
    i = 1
    while longer:
        prefixes.update(w[:i] for w in longer)
        i += 1
        longer = [w for w in longer if len(w) > i]
    prefixes.difference_update(freq)
    freq.update(dict.fromkeys(prefixes, 0))
    return freq, sum(counts)


def _new_jieba(freq: dict[str, int], total: int) -> jieba.Tokenizer:
    tok = jieba.Tokenizer()
    tok.FREQ = freq
    tok.total = total
    tok.initialized = True  # never let it (re)load or write jieba's cache file
    return tok


def _base_dictionary() -> tuple[dict[str, int], int, dict[str, str]]:
    """(FREQ, total, user word tags) of jieba's dictionary plus the shipped user dictionary.

    Computed once per process under a lock; callers must copy ``FREQ`` before changing it.
    """
    with _BASE_LOCK:
        if not _BASE:
            freq, total = _parse_jieba_dict()
            tok = _new_jieba(freq, total)
            for word, f, tag in _shipped_userdict():
                tok.add_word(word, f, tag)
            _BASE["freq"] = tok.FREQ
            _BASE["total"] = tok.total
            _BASE["tags"] = dict(tok.user_word_tag_tab)
        return _BASE["freq"], _BASE["total"], _BASE["tags"]


@lru_cache(maxsize=1)
def _base_word_tags() -> dict[str, str]:
    """Part-of-speech tags of jieba's main dictionary (only needed for TextRank)."""
    with open(_jieba_dict_path(), "rb") as fh:
        parts = fh.read().decode("utf-8").split()
    return dict(zip(parts[0::3], parts[2::3]))


# --------------------------------------------------------------------------------------
# tokenizer
# --------------------------------------------------------------------------------------

_RE_HAN_BLOCK = jieba.re_han_default  # the blocks jieba segments independently
_RE_SKIP = jieba.re_skip_default
_RE_HAS_WORD_CHAR = re.compile(r"[a-zA-Z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_RE_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
_RE_EN_BLOCK_SPLIT = re.compile(r"[^a-z' ]+")
_RE_FULLWIDTH = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FULLWIDTH_TO_ASCII = {
    cp: cp - 0xFEE0
    for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for cp in range(r[0], r[1] + 1)
}


class TextTokenizer:
    """Segmenter of open answers, made by :func:`make_tokenizer`.

    Holds the language, the stopwords, the client's user words and, for Chinese, a dedicated
    ``jieba.Tokenizer`` (never jieba's global one). Segmentations are memoised per block of
    text, so that repeated clauses are segmented once.

    Attributes
    ----------
    language : str
        ``"zh"`` or ``"en"``.
    stopwords : frozenset of str
        Lower-cased words excluded from counts.
    user_words : tuple of str
        Words added to the dictionary on top of the shipped user dictionary.
    jieba : jieba.Tokenizer or None
        The dedicated jieba tokenizer (``None`` for English). Changing it (``add_word``)
        changes this tokenizer only (its memoised segmentations are then forgotten).
    """

    __slots__ = (
        "_language",
        "_stopwords",
        "_user_words",
        "_jieba",
        "_memo",
        "_kept",
        "_pos",
        "_pos_memo",
        "_lock",
        "_memo_key",
    )

    def __init__(self, *, language, stopwords, user_words, jieba_tokenizer):
        self._language = language
        self._stopwords = frozenset(stopwords)
        self._user_words = tuple(user_words)
        self._jieba = jieba_tokenizer
        self._memo: dict[str, tuple[str, ...]] = {}
        self._kept: dict[int, dict[str, tuple[str, ...]]] = {}
        self._pos = None
        self._pos_memo: dict[str, tuple] = {}
        self._lock = threading.Lock()
        self._memo_key = self._dictionary_key()

    def _dictionary_key(self):
        return None if self._jieba is None else (self._jieba.total, len(self._jieba.FREQ))

    def _check_memo(self) -> None:
        """Forget memoised segmentations when the jieba dictionary was changed (add_word)."""
        key = self._dictionary_key()
        if key != self._memo_key:
            self._memo.clear()
            self._kept.clear()
            self._pos_memo.clear()
            self._memo_key = key

    @property
    def language(self) -> str:
        return self._language

    @property
    def stopwords(self) -> frozenset[str]:
        return self._stopwords

    @property
    def user_words(self) -> tuple[str, ...]:
        return self._user_words

    @property
    def jieba(self):
        return self._jieba

    def __repr__(self) -> str:
        return (
            f"TextTokenizer(language={self._language!r}, stopwords={len(self._stopwords)}, "
            f"user_words={len(self._user_words)})"
        )

    # -- segmentation -----------------------------------------------------------------
    def _segment_block(self, block: str) -> tuple[str, ...]:
        toks = self._memo.get(block)
        if toks is None:
            toks = tuple(self._jieba.lcut(block))
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[block] = toks
        return toks

    def cut(self, text: str) -> list[str]:
        """All tokens of `text`, punctuation and whitespace included.

        For Chinese this equals ``self.jieba.lcut(text)`` (accurate mode, HMM on); for
        English it is the lower-cased words (letters and inner apostrophes).

        Examples
        --------
        >>> tok = make_tokenizer()
        >>> tok.cut("物流太慢，转人工太难")
        ['物流', '太慢', '，', '转人工', '太难']
        >>> make_tokenizer(language="en").cut("The bot didn't help!")
        ['the', 'bot', "didn't", 'help']
        """
        text = _check_str(text, "text")
        if self._language == "en":
            return _RE_EN_WORD.findall(_normalise_en(text))
        self._check_memo()
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

    def _keep(self, word: str, min_len: int) -> bool:
        return (
            len(word) >= min_len
            and word not in self._stopwords
            and _RE_HAS_WORD_CHAR.search(word) is not None
        )

    def blocks(self, text: str, *, min_len: int = 2) -> list[list[str]]:
        """Content words of `text`, grouped by block (clause between punctuation marks).

        Stopwords, punctuation, whitespace, numbers and words shorter than `min_len`
        characters are dropped; Latin letters are lower-cased. Bigrams are formed within a
        block only.

        Examples
        --------
        >>> make_tokenizer().blocks("物流太慢了，客服回复也很慢！")
        [['物流', '太慢'], ['客服', '回复', '很慢']]
        """
        text = _check_str(text, "text")
        min_len = _check_int(min_len, "min_len", minimum=1)
        return [list(b) for b in self._blocks(text, min_len)]

    def _blocks(self, text: str, min_len: int) -> list[tuple[str, ...]]:
        if self._language == "en":
            out = []
            for part in _RE_EN_BLOCK_SPLIT.split(_normalise_en(text)):
                kept = tuple(w for w in _RE_EN_WORD.findall(part) if self._keep(w, min_len))
                if kept:
                    out.append(kept)
            return out
        if _RE_FULLWIDTH.search(text):
            text = text.translate(_FULLWIDTH_TO_ASCII)  # ＡＩ客服 -> AI客服
        self._check_memo()
        memo = self._kept.get(min_len)
        if memo is None:
            memo = self._kept.setdefault(min_len, {})
        out = []
        for blk in _RE_HAN_BLOCK.findall(text):
            kept = memo.get(blk)
            if kept is None:
                kept = tuple(
                    w for w in map(str.lower, self._segment_block(blk)) if self._keep(w, min_len)
                )
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[blk] = kept
            if kept:
                out.append(kept)
        return out

    def words(self, text: str, *, min_len: int = 2) -> list[str]:
        """Content words of `text` in order (see :meth:`blocks` for what is dropped).

        Examples
        --------
        >>> make_tokenizer().words("智能客服答非所问，我要转人工。")
        ['智能客服', '答非所问', '转人工']
        """
        return [w for blk in self.blocks(text, min_len=min_len) for w in blk]

    # -- part-of-speech tokenizer for TextRank -----------------------------------------
    def _pos_cut(self, text: str) -> list:
        """``POSTokenizer.cut`` of `text` on the dedicated jieba tokenizer, memoised per block.

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
                    if len(self._pos_memo) >= _MEMO_LIMIT:
                        self._pos_memo.clear()
                    self._pos_memo[blk] = pairs
                out.extend(pairs)
            else:
                out.extend(pos.cut(blk))
        return out

    def _pos_tokenizer(self):
        import jieba.posseg

        with self._lock:
            if self._pos is None:
                pos = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
                pos.tokenizer = self._jieba
                tags = dict(_base_word_tags())
                tags.update(_base_dictionary()[2])
                pos.word_tag_tab = tags
                self._pos = pos
            return self._pos


def _normalise_en(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()


def _check_str(text, name: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str; got {type(text).__name__}")
    return text


def make_tokenizer(user_words=(), stopwords=None, *, language: str = "zh") -> TextTokenizer:
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
        ``"zh"``: jieba with the package's user dictionary ``data/userdict.txt`` (about 200
        e-commerce and customer-service terms: 物流, 退换货, 七天无理由, 运费险, 转人工 ...).
        ``"en"``: a regular-expression word tokenizer.

    Returns
    -------
    TextTokenizer

    Raises
    ------
    TypeError
        If `user_words` or `stopwords` is a single string or holds non-strings.
    ValueError
        If a user word is empty or contains whitespace, or `language` is unknown.

    Notes
    -----
    A dedicated ``jieba.Tokenizer()`` is built for every call; jieba's global tokenizer
    (``jieba.dt``, ``jieba.add_word``, ``jieba.load_userdict``) is never touched. jieba's
    main dictionary is parsed once per process (about 0.4 s) and cached together with the
    shipped user dictionary; every tokenizer then gets its own copy of the frequency table
    (about 30 ms), so adding words to one tokenizer never leaks into another. User words
    get at least frequency 1000 (or what ``suggest_freq`` says keeps them whole).

    Examples
    --------
    >>> tok = make_tokenizer(["云鲸J4"])
    >>> tok.cut("七天无理由退货，运费险也不赔")
    ['七天无理由退货', '，', '运费险', '也', '不', '赔']
    >>> tok.words("云鲸J4的上门安装太慢")
    ['云鲸j4', '上门安装', '太慢']
    """
    language = _check_language(language)
    user_words = _check_words(user_words, "user_words")
    for w in user_words:
        if not w or any(ch.isspace() for ch in w):
            raise ValueError(f"user_words must be non-empty words without whitespace; got {w!r}")
    if stopwords is None:
        sw = default_stopwords(language)
    else:
        sw = frozenset(w.lower() for w in _check_words(stopwords, "stopwords"))
    if language == "en":
        return TextTokenizer(
            language="en", stopwords=sw, user_words=user_words, jieba_tokenizer=None
        )
    freq, total, tags = _base_dictionary()
    tok = _new_jieba(dict(freq), total)
    tok.user_word_tag_tab = dict(tags)
    for w in user_words:
        tok.add_word(w, max(tok.suggest_freq(w), 1000), "nz")
    return TextTokenizer(language="zh", stopwords=sw, user_words=user_words, jieba_tokenizer=tok)


def _check_words(words, name: str) -> tuple[str, ...]:
    if isinstance(words, str | bytes):
        raise TypeError(f"{name} must be an iterable of str, not a single string; got {words!r}")
    if not isinstance(words, Iterable):
        raise TypeError(f"{name} must be an iterable of str; got {type(words).__name__}")
    words = tuple(words)
    for w in words:
        if not isinstance(w, str):
            raise TypeError(f"{name} must hold str only; got {type(w).__name__} {w!r}")
    return words


_DEFAULT_TOKENIZERS: dict[str, TextTokenizer] = {}
_DEFAULT_LOCK = threading.Lock()


def _resolve_tokenizer(tokenizer, language) -> TextTokenizer:
    """The tokenizer to use: the one given, or a cached default of `language`."""
    if tokenizer is not None:
        if not isinstance(tokenizer, TextTokenizer):
            raise TypeError(
                "tokenizer must be a TextTokenizer from make_tokenizer(); "
                f"got {type(tokenizer).__name__}"
            )
        if language is not None and _check_language(language) != tokenizer.language:
            raise ValueError(
                f"language={language!r} disagrees with the tokenizer's language "
                f"{tokenizer.language!r}; pass one of them"
            )
        return tokenizer
    language = _check_language("zh" if language is None else language)
    with _DEFAULT_LOCK:
        tok = _DEFAULT_TOKENIZERS.get(language)
    if tok is None:
        tok = make_tokenizer(language=language)
        with _DEFAULT_LOCK:
            tok = _DEFAULT_TOKENIZERS.setdefault(language, tok)
    return tok


# --------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------


def _text_series(texts, name: str = "texts") -> pd.Series:
    """`texts` as an object Series of str / None (index kept); TypeError on anything else."""
    if isinstance(texts, str | bytes):
        raise TypeError(f"{name} must be a sequence of texts (list, Series), not a single string")
    if isinstance(texts, pd.DataFrame):
        raise TypeError(
            f"{name} must be a Series or sequence of str, not a DataFrame; pick a column"
        )
    if isinstance(texts, pd.Series):
        s = texts
    elif isinstance(texts, pd.Index | np.ndarray | list | tuple):
        s = pd.Series(list(texts), dtype=object)
    elif isinstance(texts, Iterable):
        s = pd.Series(list(texts), dtype=object)
    else:
        raise TypeError(f"{name} must be a Series or sequence of str; got {type(texts).__name__}")
    values = s.to_numpy(dtype=object, na_value=None)
    isna = pd.isna(values)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return pd.Series(np.where(isna, None, values), index=s.index, dtype=object, name=s.name)
    for pos, (v, missing) in enumerate(zip(values, isna)):
        if not missing and not isinstance(v, str):
            label = s.index[pos]
            raise TypeError(
                f"{name} must hold str or missing values; row {label!r} holds "
                f"{type(v).__name__} {v!r}"
            )
    values = np.where(isna, None, values)
    return pd.Series(values, index=s.index, dtype=object, name=s.name)


def _check_int(value, name: str, *, minimum: int, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}")
    return int(value)


# --------------------------------------------------------------------------------------
# PII masking
# --------------------------------------------------------------------------------------

_PLACEHOLDERS = {"phone": "[phone]", "email": "[email]", "id": "[id]", "order": "[order]"}
_RE_PLACEHOLDER = re.compile(r"\[(?:phone|email|id|order)\]")

_RE_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_RE_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[\dXx](?![0-9A-Za-z])"
)
_RE_ORDER_LABEL = re.compile(
    r"(?P<label>订单编号|订单号码|订单号|订单|运单号|快递单号|物流单号|单号|工单号|"
    r"order\s*(?:no\.?|number|num|id|#)|tracking\s*(?:no\.?|number|#))"
    r"(?P<sep>\s*(?:[:：#]|是|为)?\s*)"
    r"(?P<code>(?=[A-Za-z-]*\d)[A-Za-z0-9][A-Za-z0-9-]{4,})",
    re.IGNORECASE,
)
_RE_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_RE_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[\s-]?\d{7,8}(?!\d)")
_RE_LONG_DIGITS = re.compile(r"(?<!\d)\d{12,}(?!\d)")
_RE_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,4}\d{9,}(?![A-Za-z0-9])")

_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔汤"
)
_DOUBLE_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 公孙 尉迟 长孙 宇文 司徒 夏侯 端木 轩辕 独孤 南宫 西门".split()
)
# surnames safe after 小/老 without a role word before (小程序, 小范围, 老顾客 ... are not names)
_NICKNAME_SURNAMES = (
    "王李张刘陈杨赵吴周徐朱郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蒋蔡杜魏吕丁沈姚卢姜崔谭"
    "陆汪廖贾夏邹孟秦邱尹薛闫雷侯陶黎贺郝龚邵严戴武"
)
_HONORIFICS = "先生|女士|小姐|太太|经理|主管|总监|老师|师傅|专员|阿姨"
_RE_HONORIFIC = re.compile(_HONORIFICS)
# characters that do not occur inside a given name before an honorific (函数字, pronouns)
_NOT_IN_NAME = set("的了是在给和跟与向对把被让说问找叫位个这那我你他她您们也都就还又很太不没有")
_ROLE = "客服|售后|专员|顾问|导购|店员|店长|快递员|快递小哥|工程师|师傅|小哥|管家"
_RE_ROLE_NICKNAME = re.compile(
    rf"(?P<role>{_ROLE})(?P<name>[小老阿]"
    rf"(?:{'|'.join(sorted(_DOUBLE_SURNAMES))}|[{''.join(sorted(_SURNAMES))}]))"
)
_RE_NICKNAME = re.compile(rf"(?<![小老阿])[小老][{_NICKNAME_SURNAMES}](?![{_NICKNAME_SURNAMES}])")
_RE_EN_TITLE = re.compile(
    r"\b(?P<title>Mr|Mrs|Ms|Miss|Mister|Dr)(?P<sep>\.?\s+)[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+)?"
)


# cheap pre-check: every number pattern below needs one of these
_RE_PII_GATE = re.compile(r"@|\d[\d\s-]{3,}\d|单号|订单|order|tracking", re.IGNORECASE)
# one pass, leftmost match first; at one position the earlier alternative wins
_RE_NUMBERS = re.compile(
    "|".join(
        f"(?P<{name}>{pattern.pattern})"
        for name, pattern in (
            ("email", _RE_EMAIL),
            ("id", _RE_ID_CARD),
            ("order_label", _RE_ORDER_LABEL),
            ("mobile", _RE_MOBILE),
            ("landline", _RE_LANDLINE),
            ("long_digits", _RE_LONG_DIGITS),
            ("letter_code", _RE_CODE),
        )
    ),
    re.IGNORECASE,
)


def _number_placeholder(m: re.Match) -> str:
    kind = m.lastgroup
    if kind == "order_label":
        return m.group("label") + m.group("sep") + _PLACEHOLDERS["order"]
    if kind in ("mobile", "landline"):
        return _PLACEHOLDERS["phone"]
    if kind in ("long_digits", "letter_code"):
        return _PLACEHOLDERS["order"]
    return _PLACEHOLDERS[kind]


_RE_NAME_GATE = re.compile(rf"{_HONORIFICS}|[小老阿]")
# one-character-class pre-checks of the two gates (a class scan is far cheaper)
_RE_PII_CHARS = re.compile(r"[0-9@单订oOtT]")
_RE_NAME_CHARS = re.compile(f"[{''.join(sorted(set(_HONORIFICS.replace('|', '') + '小老阿')))}]")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _mask_names(text: str) -> str:
    spans = []
    for m in _RE_HONORIFIC.finditer(text):
        pos = m.start()
        if text[max(0, pos - 2) : pos] in _DOUBLE_SURNAMES:
            spans.append((pos - 2, pos))
            continue
        if pos >= 1 and text[pos - 1] in _SURNAMES:
            spans.append((pos - 1, pos))
            continue
        for k in (2, 3):  # full name: surname + 1-2 given-name characters
            start = pos - k
            if start < 0:
                break
            name = text[start:pos]
            if name[0] in _SURNAMES and all(_is_han(c) and c not in _NOT_IN_NAME for c in name[1:]):
                spans.append((start, pos))
                break
    if spans:
        out, last = [], 0
        for a, b in spans:
            if a < last:
                continue
            out.append(text[last:a])
            out.append("*")
            last = b
        out.append(text[last:])
        text = "".join(out)
    text = _RE_ROLE_NICKNAME.sub(lambda m: m.group("role") + "*", text)
    text = _RE_NICKNAME.sub("*", text)
    return text


def _mask(text: str) -> str:
    if not text:
        return text
    if _RE_PII_CHARS.search(text) and _RE_PII_GATE.search(text):
        text = _RE_NUMBERS.sub(_number_placeholder, text)
    if _RE_NAME_CHARS.search(text) and _RE_NAME_GATE.search(text):
        text = _mask_names(text)
    if "M" in text or "D" in text:
        text = _RE_EN_TITLE.sub(lambda m: m.group("title") + m.group("sep") + "*", text)
    return text


def mask_pii(text: str) -> str:
    """Mask personal data in one open answer.

    Parameters
    ----------
    text : str
        An answer, verbatim.

    Returns
    -------
    str
        The answer with

        * mobile numbers (``1[3-9]`` + 9 digits, with spaces, dashes, ``+86``) and landlines
          (``0\\d{2,3}-\\d{7,8}``, also ``(010)``) -> ``[phone]``;
        * e-mail addresses -> ``[email]``;
        * 18-digit ID-card numbers (region, birth date, trailing digit or X) -> ``[id]``;
        * order / waybill numbers: the code after 订单号, 单号, 运单号, "order no." ...,
          digit runs of 12 or more, and codes like ``SF1234567890`` -> ``[order]``;
        * names before honorifics (先生, 女士, 小姐, 经理, 师傅 ...) -> ``*`` (王先生 -> *先生,
          欧阳女士 -> *女士, 王小明先生 -> *先生), nicknames of agents (客服小王 -> 客服*,
          老李 -> *) and English titles (Mr. Smith -> Mr. *).

        Prices (199元), dates (2024-05-01), times (12:30), durations (7天, 30分钟),
        quantities, service hotlines (400-820-8820) and other short numbers are kept, and so
        is a bare honorific (先生您好).

    Raises
    ------
    TypeError
        If `text` is not a str.

    Notes
    -----
    Masking is rule based and errs on the side of masking a stray surname-like character
    before an honorific; it is not a guarantee of anonymity. The text is never interpreted
    as markup: ``<script>`` stays as it is.

    Examples
    --------
    >>> mask_pii("王先生电话13812345678，订单号：2024050112345678")
    '*先生电话[phone]，订单号：[order]'
    >>> mask_pii("客服小王说7天内退款199元，12:30前联系 a.b@qq.com")
    '客服*说7天内退款199元，12:30前联系 [email]'
    """
    return _mask(_check_str(text, "text"))


def mask_pii_series(series: pd.Series) -> pd.Series:
    """:func:`mask_pii` applied to every text of a Series.

    Parameters
    ----------
    series : pandas.Series
        Answers (str or missing).

    Returns
    -------
    pandas.Series
        Masked answers, same index, name and dtype; missing values stay missing. The input
        is not changed. Each distinct answer is masked once.

    Raises
    ------
    TypeError
        If `series` is not a Series or holds non-string values.

    Examples
    --------
    >>> s = pd.Series(["李女士 13912345678", None, "李女士 13912345678"])
    >>> mask_pii_series(s).tolist()
    ['*女士 [phone]', nan, '*女士 [phone]']
    """
    if not isinstance(series, pd.Series):
        raise TypeError(f"series must be a pandas Series; got {type(series).__name__}")
    s = _text_series(series, "series")
    uniq = {t: _mask(t) for t in pd.unique(s.dropna())}
    out = series.copy()
    mask = s.notna().to_numpy()
    out[mask] = [uniq[t] for t in s[mask]]
    return out


def _mask_for_counting(text: str) -> str:
    text = _mask(text)
    return _RE_PLACEHOLDER.sub(" ", text) if "[" in text else text


# --------------------------------------------------------------------------------------
# word frequencies
# --------------------------------------------------------------------------------------


def _unique_counts(s: pd.Series) -> tuple[Counter, int]:
    """Distinct non-empty answers with their multiplicity, and the number of such answers."""
    counts = Counter(s.dropna())
    for blank in [t for t in counts if not t.strip()]:
        del counts[blank]
    return counts, sum(counts.values())


def _grams(blocks: list[tuple[str, ...]], ngram: int) -> list[str]:
    if ngram == 1:
        if len(blocks) == 1:
            return list(blocks[0])
        return [w for blk in blocks for w in blk]
    return [" ".join(blk[i : i + ngram]) for blk in blocks for i in range(len(blk) - ngram + 1)]


def _check_ngram(ngram) -> int:
    ngram = _check_int(ngram, "ngram", minimum=1)
    if ngram > 2:
        raise ValueError(f"ngram must be 1 or 2; got {ngram!r}")
    return ngram


def _term_counts(texts_counts: Counter, tok: TextTokenizer, *, ngram: int, min_len: int):
    """Token and document counts of distinct texts, multiplied by their multiplicity."""
    all_grams: list[str] = []  # every occurrence, repeated texts included
    doc_grams: list[str] = []  # each word once per text
    for text, mult in texts_counts.items():
        grams = _grams(tok._blocks(_mask_for_counting(text), min_len), ngram)
        if not grams:
            continue
        distinct = set(grams) if len(grams) > 1 else grams
        if mult == 1:
            all_grams += grams
            doc_grams += distinct
        else:
            all_grams += grams * mult
            doc_grams += list(distinct) * mult
    return Counter(all_grams), Counter(doc_grams)


def word_frequencies(
    texts,
    *,
    tokenizer: TextTokenizer | None = None,
    language: str | None = None,
    ngram: int = 1,
    min_len: int = 2,
    top: int | None = None,
) -> pd.DataFrame:
    """Word (or bigram) frequencies of open answers.

    Parameters
    ----------
    texts : Series or sequence of str
        Answers; missing and blank answers are skipped.
    tokenizer : TextTokenizer, optional
        From :func:`make_tokenizer`; default the shipped dictionary of `language`.
    language : {"zh", "en"}, optional
        Language of the answers when no `tokenizer` is given (default ``"zh"``).
    ngram : {1, 2}, default 1
        1 counts words; 2 counts bigrams of adjacent kept words within one clause,
        written ``"物流 太慢"`` (a space between the two words).
    min_len : int, default 2
        Shortest word kept, in characters (2 drops single-character words such as 慢).
    top : int, optional
        Keep only the `top` most frequent rows.

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
    PII is masked first (:func:`mask_pii`) and the placeholders are not counted. Stopwords,
    punctuation, whitespace and numbers are excluded. Each distinct answer is segmented
    once and its counts multiplied by its frequency.

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
    s = _text_series(texts)
    tok = _resolve_tokenizer(tokenizer, language)
    ngram = _check_ngram(ngram)
    min_len = _check_int(min_len, "min_len", minimum=1)
    top = _check_int(top, "top", minimum=1, allow_none=True)
    texts_counts, n_texts = _unique_counts(s)
    count, docs = _term_counts(texts_counts, tok, ngram=ngram, min_len=min_len)
    return _frequency_frame(count, docs, n_texts, top)


def _frequency_frame(count: Counter, docs: Counter, n_texts: int, top) -> pd.DataFrame:
    words = sorted(count, key=lambda w: (-count[w], w))
    if top is not None:
        words = words[:top]
    counts = np.array([count[w] for w in words], dtype=np.int64)
    n_docs = np.array([docs[w] for w in words], dtype=np.int64)
    share = n_docs / n_texts if n_texts else np.full(len(words), np.nan)
    return pd.DataFrame(
        {"word": pd.Series(words, dtype=object), "count": counts, "n_docs": n_docs, "share": share}
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


#: ``jieba.analyse.TFIDF.STOP_WORDS`` (jieba 0.42), kept here so that TF-IDF keywords do not
#: import jieba.analyse, which reads its idf table and the POS tagger at import (~0.8 s).
_JIEBA_TFIDF_STOP_WORDS = frozenset((
    "the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are", "by", "be", "as", "on",
    "with", "can", "if", "from", "which", "you", "it", "this", "then", "at", "have", "all", "not",
    "one", "has", "or",
))


@lru_cache(maxsize=1)
def _jieba_idf() -> tuple[dict[str, float], float]:
    """jieba's idf table (``jieba/analyse/idf.txt``) and its median, cached on disk."""
    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    idf, median = disk_cached("jieba-idf", [path], lambda: _read_jieba_idf(path))
    return idf, median


def _read_jieba_idf(path: Path) -> tuple[dict[str, float], float]:
    """jieba's idf table and its median, read as jieba's IDFLoader does."""
    idf: dict[str, float] = {}
    for line in path.read_bytes().decode("utf-8").splitlines():
        word, freq = line.strip().split(" ")
        idf[word] = float(freq)
    return idf, sorted(idf.values())[len(idf) // 2]


def _tfidf_extractor(stop_words: set[str]) -> SimpleNamespace:
    """What :func:`_tfidf_weights` reads of a ``jieba.analyse.TFIDF``: idf table, median, stop words."""
    idf, median = _jieba_idf()
    return SimpleNamespace(idf_freq=idf, median_idf=median, stop_words=stop_words)


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
        From :func:`make_tokenizer`; set as the ``tokenizer`` of the extractor *instance*
        (jieba's global extractors and tokenizer are never used).
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
    PII is masked and stopwords, punctuation and numbers are removed first. The result is
    that of ``extract_tags`` on all answers joined by newlines (tested), but each distinct
    answer is segmented and counted once and its counts multiplied by its frequency:
    jieba's own loop over every token of 100,000 answers takes minutes for TextRank.

    Examples
    --------
    >>> answers = ["物流太慢，物流信息不更新", "智能客服答非所问", "物流太慢了"]
    >>> keywords(answers, top=3)["word"].tolist()
    ['太慢', '物流', '智能客服']
    """
    s = _text_series(texts)
    if not isinstance(method, str) or method not in _KEYWORD_METHODS:
        raise ValueError(f"method must be one of {_KEYWORD_METHODS}; got {method!r}")
    top = _check_int(top, "top", minimum=1)
    tok = _resolve_tokenizer(tokenizer, language)
    texts_counts, _ = _unique_counts(s)
    masked = {t: _mask_for_counting(t) for t in texts_counts}
    stop = set(tok.stopwords) | _JIEBA_TFIDF_STOP_WORDS
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
        ((w, float(v)) for w, v in weights.items() if tok._keep(w, 2)), key=lambda r: (-r[1], r[0])
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

    Tested against a hand-computed two-word example. PII is masked before counting.

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
    s = _text_series(texts)
    g = _aligned_groups(groups, s, "groups")
    tok = _resolve_tokenizer(tokenizer, language)
    ngram = _check_ngram(ngram)
    min_count = _check_int(min_count, "min_count", minimum=1)
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
        count, docs = _term_counts(tc, tok, ngram=ngram, min_len=2)
        counted[key] = (count, docs, n_texts)
    ca, da, na_texts = counted["a"]
    cb, db, nb_texts = counted["b"]
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


def _aligned_groups(groups, s: pd.Series, name: str, other: str = "texts") -> pd.Series:
    if isinstance(groups, str | bytes):
        raise TypeError(f"{name} must be a sequence of labels, one per text; got a single string")
    if isinstance(groups, pd.DataFrame):
        raise TypeError(f"{name} must be a Series or sequence, not a DataFrame")
    if isinstance(groups, pd.Series):
        if len(groups) != len(s):
            raise DataError(f"{name} has {len(groups)} rows but {other} has {len(s)}")
        if not groups.index.equals(s.index):
            raise DataError(f"{name} and {other} must share the same index (align them first)")
        return pd.Series(groups.to_numpy(dtype=object), index=s.index)
    if not isinstance(groups, Iterable):
        raise TypeError(f"{name} must be a Series or sequence; got {type(groups).__name__}")
    values = list(groups)
    if len(values) != len(s):
        raise DataError(f"{name} has {len(values)} values but {other} has {len(s)}")
    return pd.Series(values, index=s.index, dtype=object)


# --------------------------------------------------------------------------------------
# themes
# --------------------------------------------------------------------------------------

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
    return yaml.safe_load(_data_text("themes.yaml"))


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
        if len(lex.memo) >= _MEMO_LIMIT:
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
    ``tests/test_text.py``).

    Examples
    --------
    >>> tags = tag_themes(["客服回复太慢，没有人回复", "回复很快，没有问题",
    ...                    "智能客服答非所问", "人工客服也答非所问"])
    >>> tags[["slow_reply", "bot_unhelpful", "off_topic_answer"]].values.tolist()
    [[True, False, False], [False, False, False], [False, True, False], [False, False, True]]
    """
    s = _text_series(texts)
    if tokenizer is not None:
        language = _resolve_tokenizer(tokenizer, language).language
    language = _check_language("zh" if language is None else language)
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


def _check_tags(tags) -> pd.DataFrame:
    if not isinstance(tags, pd.DataFrame):
        raise TypeError(f"tags must be the DataFrame of tag_themes(); got {type(tags).__name__}")
    if tags.shape[1] == 0:
        raise DataError("tags has no theme column")
    bad = [c for c in tags.columns if not pd.api.types.is_bool_dtype(tags[c])]
    if bad:
        raise DataError(f"tags columns must be boolean (from tag_themes); not boolean: {bad}")
    return tags


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
    tags = _check_tags(tags)
    language = _check_language(language)
    info = _theme_info(lexicon, language)
    if groups is not None:
        g = _aligned_groups(groups, pd.Series(index=tags.index, dtype=object), "groups", "tags")
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
    y = _aligned_groups(outcome, pd.Series(index=tags.index, dtype=object), "outcome", "tags")
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


# --------------------------------------------------------------------------------------
# representative quotes
# --------------------------------------------------------------------------------------

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
) -> pd.DataFrame:
    """Masked verbatim quotes that illustrate each theme.

    Parameters
    ----------
    texts : Series or sequence of str
        The answers that were tagged.
    tags : pandas.DataFrame
        :func:`tag_themes` of `texts` (same length; same index when `texts` is a Series).
    theme : str or sequence of str, optional
        Theme id(s); default every column of `tags`.
    n : int, default 3
        Quotes per theme (fewer when fewer distinct answers exist; a CsatWarning says so).
    seed : int, default 0
        Seed of the random choice among the medium-length answers.
    min_chars, max_chars : int, optional
        Preferred length of a quote in characters. Default: the middle half (quartiles) of
        the theme's distinct answers, widened to at least 8-60 characters for Chinese and
        25-200 for English.
    language : {"zh", "en"}, optional
        Language of the answers, for the default lengths; default: guessed from the share
        of Chinese characters.

    Returns
    -------
    pandas.DataFrame
        ``theme``, ``quote`` (PII masked with :func:`mask_pii`), ``count`` (answers with
        exactly this text) and ``source`` (index label of its first answer); up to `n` rows
        per theme, in theme order.

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
    >>> tags = tag_themes(answers)
    >>> q = representative_quotes(answers, tags, theme="logistics_updates", n=2)
    >>> sorted(q["quote"])
    ['物流信息一直不更新，也没人通知', '物流太慢了，等了一周']
    """
    s = _text_series(texts)
    tags = _check_tags(tags)
    if len(tags) != len(s) or (isinstance(texts, pd.Series) and not tags.index.equals(s.index)):
        raise DataError(
            f"tags ({len(tags)} rows) must align with texts ({len(s)} rows, same index)"
        )
    n = _check_int(n, "n", minimum=1)
    seed = _check_int(seed, "seed", minimum=0)
    min_chars = _check_int(min_chars, "min_chars", minimum=1, allow_none=True)
    max_chars = _check_int(max_chars, "max_chars", minimum=1, allow_none=True)
    if theme is None:
        themes = list(tags.columns)
    elif isinstance(theme, str):
        themes = [theme]
    else:
        themes = list(_check_words(theme, "theme"))
    missing = [t for t in themes if t not in tags.columns]
    if missing:
        raise DataError(f"theme {missing} not in tags; available: {list(tags.columns)}")
    english = _detect_english(s) if language is None else _check_language(language) == "en"
    rng = np.random.default_rng(seed)
    masked: dict[str, str] = {}
    rows = []
    for t in themes:
        picked = _pick_quotes(
            s, tags[t].to_numpy(dtype=bool), n, rng, english, min_chars, max_chars, masked
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
    han = sum(1 for ch in sample if _is_han(ch))
    latin = sum(1 for ch in sample if ch.isascii() and ch.isalpha())
    return latin > 3 * han


def _pick_quotes(s, mask, n, rng, english, min_chars, max_chars, masked) -> list[dict]:
    groups: dict[str, dict] = {}
    for label, text in zip(s.index[mask], s[mask]):
        if text is None or not text.strip():
            continue
        quote = masked.get(text)
        if quote is None:
            quote = masked[text] = _mask(text.strip())
        key = _RE_QUOTE_KEY.sub("", quote.lower())
        if not key:
            continue
        g = groups.get(key)
        if g is None:
            groups[key] = {"quote": quote, "count": 1, "source": label, "key": key}
        else:
            g["count"] += 1
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


# --------------------------------------------------------------------------------------
# font for word clouds
# --------------------------------------------------------------------------------------

_CJK_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/Library/Fonts/NotoSansCJKsc-Regular.otf",
)


def wordcloud_font_path() -> str:
    """Path of a Noto Sans CJK SC font for Chinese word clouds and charts.

    Returns
    -------
    str
        A font file that exists: a known install path of Noto Sans CJK, else what
        ``fc-match "Noto Sans CJK SC"`` finds when it really is a Noto CJK font.

    Raises
    ------
    ReportError
        If no CJK font is found (install the Debian package ``fonts-noto-cjk``).

    Examples
    --------
    >>> try:
    ...     path = wordcloud_font_path()
    ... except ReportError:  # no CJK font installed on this machine
    ...     path = None
    >>> path is None or os.path.isfile(path)
    True
    """
    for path in _CJK_FONT_PATHS:
        if os.path.isfile(path):
            return path
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{file}", "Noto Sans CJK SC"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and os.path.isfile(found) and "cjk" in os.path.basename(found).lower():
            return found
    raise ReportError(
        "no CJK font found for Chinese word clouds: looked for Noto Sans CJK SC in "
        f"{', '.join(_CJK_FONT_PATHS[:3])} ... and with fc-match; install it with "
        "'apt-get install fonts-noto-cjk'"
    )
