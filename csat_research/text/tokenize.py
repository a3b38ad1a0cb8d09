"""Segmentation of open answers: stopwords, jieba's dictionary and the tokenizer.

The open questions of the instrument ("您认为哪部分服务最需要改进？", "有没有超出您预期的服务？")
are analysed in Chinese (jieba) or English (a regular-expression word tokenizer).

* :func:`make_tokenizer` builds a :class:`TextTokenizer` around a *dedicated*
  ``jieba.Tokenizer`` loaded with the package's e-commerce user dictionary
  (``data/userdict.txt``) and stopwords (``data/stopwords_zh.txt``, :func:`default_stopwords`).
  jieba's global tokenizer is never touched. The parsed main dictionary is cached once per
  process and each tokenizer gets its own copy, so a second tokenizer costs a few tens of
  milliseconds.
* :func:`resolve_tokenizer` is how the analyses (:mod:`csat_research.text.frequencies`,
  :mod:`csat_research.text.themes`) take their ``tokenizer=`` / ``language=`` arguments: the
  tokenizer given, or a default one per language, built once per process.

Segmentation is memoised per *block* (the runs of characters between punctuation and
whitespace that jieba segments independently), which gives exactly
``jieba.Tokenizer.lcut``'s result while segmenting each distinct clause once.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba

from csat_research.core import shims
from csat_research.core.cache import disk_cached
from csat_research.text.inputs import (
    MEMO_LIMIT,
    check_int,
    check_language,
    check_str,
    check_words,
    data_lines,
)

__all__ = [
    "TextTokenizer",
    "default_stopwords",
    "make_tokenizer",
    "resolve_tokenizer",
]

# --------------------------------------------------------------------------------------
# user dictionary and stopwords
# --------------------------------------------------------------------------------------


_RE_USERDICT = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")


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
            if len(self._memo) >= MEMO_LIMIT:
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
        text = check_str(text, "text")
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
        text = check_str(text, "text")
        min_len = check_int(min_len, "min_len", minimum=1)
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
                if len(memo) >= MEMO_LIMIT:
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
                    if len(self._pos_memo) >= MEMO_LIMIT:
                        self._pos_memo.clear()
                    self._pos_memo[blk] = pairs
                out.extend(pairs)
            else:
                out.extend(pos.cut(blk))
        return out

    def _pos_tokenizer(self):
        import jieba.posseg

        with self._lock:
            if self._pos is None and not shims.enabled("jieba_dictionary_cache"):
                self._pos = jieba.posseg.POSTokenizer(self._jieba)
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
        return TextTokenizer(
            language="en", stopwords=sw, user_words=user_words, jieba_tokenizer=None
        )
    if shims.enabled("jieba_dictionary_cache"):
        freq, total, tags = _base_dictionary()
        tok = _new_jieba(dict(freq), total)
        tok.user_word_tag_tab = dict(tags)
    else:  # the plain route: jieba loads its dictionary itself, words are added with add_word
        tok = jieba.Tokenizer()
        tok.initialize()
        for word, f, tag in _shipped_userdict():
            tok.add_word(word, f, tag)
    for w in user_words:
        tok.add_word(w, max(tok.suggest_freq(w), 1000), "nz")
    return TextTokenizer(language="zh", stopwords=sw, user_words=user_words, jieba_tokenizer=tok)


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
