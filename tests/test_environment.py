"""pyproject.toml, environment.yml and requirements.lock describe the same dependency set."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return {_name(s): s.replace(" ", "") for s in specs}


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for spec in dep["pip"]:
                if not spec.startswith("-e"):
                    out[_name(spec)] = spec.replace(" ", "")
        elif _name(dep) not in ("python", "pip"):
            out[_name(dep)] = dep.replace(" ", "")
    return out


def test_environment_yml_matches_pyproject():
    py, env = _pyproject(), _environment()
    assert sorted(set(py) - set(env)) == [], "in pyproject.toml but not in environment.yml"
    assert sorted(set(env) - set(py)) == [], "in environment.yml but not in pyproject.toml"
    for name, spec in py.items():
        assert env[name] == spec, f"{name}: pyproject says {spec!r}, environment.yml says {env[name]!r}"


def test_lock_pins_every_dependency_within_its_range():
    from packaging.specifiers import SpecifierSet

    lock = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            lock[_name(name)] = version.strip()
    for name, spec in _pyproject().items():
        assert name in lock, f"{name} is not pinned in requirements.lock"
        rng = spec[len(name):]
        assert lock[name] in SpecifierSet(rng), f"{name}=={lock[name]} is outside {rng}"


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert project["requires-python"] == ">=3.11"
    assert "python=3.11" in env["dependencies"]
