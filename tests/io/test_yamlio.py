"""load_yaml: safe types, libyaml's parser where available, repeated keys refused."""

from __future__ import annotations

import pytest
import yaml

from csat_research.io import yamlio
from csat_research.io.yamlio import load_yaml

DOC = """
study:
  brand: 示例美妆旗舰店
  wave: 2026Q3
analysis:
  segments: [customer_type, channel]
  crosstabs: [[a, b], [c, d]]
  n_boot: 200
base: &b {x: 1}
merged:
  <<: *b
  y: 2.5
flag: yes
empty:
"""


def test_load_yaml_gives_what_the_pure_python_safe_loader_gives():
    assert load_yaml(DOC) == yaml.load(DOC, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader
    assert load_yaml(DOC)["merged"] == {"x": 1, "y": 2.5}


def test_libyaml_parser_is_used_where_pyyaml_has_it():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml here")
    assert issubclass(yamlio._UniqueKeyLoader, yaml.CSafeLoader)


@pytest.mark.parametrize("text, line", [("a: 1\nb: 2\na: 3\n", 3), ("m:\n  k: 1\n  k: 1\n", 3)])
def test_repeated_key_is_an_error_at_the_second_key(text, line):
    with pytest.raises(yaml.MarkedYAMLError, match="duplicate key") as err:
        load_yaml(text)
    assert err.value.problem_mark.line + 1 == line


def test_python_objects_are_refused():
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']")
