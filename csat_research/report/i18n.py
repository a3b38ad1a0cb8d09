"""Display texts of the reports: one catalogue per language (``data/i18n/zh.yaml``, ``en.yaml``).

Identifiers stay English everywhere; every phrase a report shows comes from these catalogues,
the codebook labels or the theme lexicon. :func:`text` looks a key up for a language, fills its
``str.format`` placeholders, and fails loudly on a missing key, so a report never shows a raw
key. The language is always passed in, never guessed from rendered output. Both catalogues
have the same keys and placeholders (tested).

Examples
--------
>>> text("section.summary", "zh"), text("section.summary", "en")
('执行摘要', 'Executive summary')
>>> text("exec.theme_share", "en", theme="'Slow replies'", share=0.25)
"'Slow replies' (25.0%)"
>>> quote("物流", "zh"), join(["a", "b"], "en")
('「物流」', 'a, b')
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from csat_research.io.yamlio import load_yaml

LANGS = ("zh", "en")


def _check_lang(lang: Any) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}; got {lang!r}")
    return lang


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """The whole catalogue of ``lang`` (key -> template), read once per process."""
    ref = resources.files("csat_research") / "data" / "i18n" / f"{_check_lang(lang)}.yaml"
    data = load_yaml(ref.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def text(key: str, lang: str = "zh", /, **values: Any) -> str:
    """The display text of ``key`` in ``lang`` (``zh`` or ``en``), its placeholders filled from ``values``.

    Raises
    ------
    ValueError
        For an unknown language.
    KeyError
        For an unknown key, naming it, or a placeholder without a value.
    """
    try:
        template = catalogue(_check_lang(lang))[key]
    except KeyError:
        raise KeyError(f"no display text for key {key!r}") from None
    if not values:
        return template
    try:
        return template.format(**values)
    except KeyError as e:
        raise KeyError(f"display text {key!r} ({lang}) needs a value for {e.args[0]!r}") from None


def texts(prefix: str, lang: str = "zh") -> dict[str, str]:
    """All texts whose key starts with ``prefix + '.'``, keyed by the rest of the key.

    >>> texts("quadrant", "en")["fix_first"]
    'Fix first'
    """
    p = prefix + "."
    return {k[len(p):]: v for k, v in catalogue(_check_lang(lang)).items() if k.startswith(p)}


def quote(s: str, lang: str) -> str:
    """``s`` in the language's quotation marks (「」 in Chinese)."""
    return text("fmt.quote", lang, s=s)


def join(items: Any, lang: str, *, sep: str = "fmt.list_sep") -> str:
    """``items`` joined with the language's list separator (、 in Chinese, ``, `` in English)."""
    return text(sep, lang).join(items)
