"""YAML reading shared by the params and instrument files: libyaml's parser, repeated keys refused.

PyYAML silently keeps the last of two equal keys in one mapping (``nps: 30`` ... ``nps: 40``);
:func:`load_yaml` raises instead, with the line of the second key. The C parser of libyaml is
used where PyYAML was built with it (about 6x faster than the pure-Python one on the shipped
instrument); the constructor stays PyYAML's safe one, so the values are the same either way.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["load_yaml"]

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_BASE):  # type: ignore[misc, valid-type]
    """Safe loader that refuses a key repeated inside one mapping (PyYAML keeps the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    out: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str) -> Any:
    """Parse one YAML document with safe types only; a repeated mapping key is a ``yaml.YAMLError``.

    Raises
    ------
    yaml.YAMLError
        Invalid YAML, or a duplicate key (a ``MarkedYAMLError`` whose ``problem_mark`` is the
        second key).

    Examples
    --------
    >>> load_yaml("a: 1\\nb: [x, y]")
    {'a': 1, 'b': ['x', 'y']}
    """
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
