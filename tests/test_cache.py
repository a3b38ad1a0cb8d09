"""The on-disk cache: derived files written once per source version, never half-written."""

from __future__ import annotations

from pathlib import Path

from csat_research.cache import cache_dir, cached_file


def test_cached_file_is_written_once_per_source_version(tmp_path, monkeypatch):
    monkeypatch.setenv("CSAT_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "font.ttc"
    source.write_bytes(b"v1")
    writes = []

    def write(target: Path) -> None:
        writes.append(target)
        target.write_bytes(source.read_bytes().upper())

    first = cached_file("face", [source], ".otf", write)
    assert first.parent == cache_dir() and first.read_bytes() == b"V1"
    assert cached_file("face", [source], ".otf", write) == first and len(writes) == 1
    assert writes[0] != first  # written under a temporary name, then renamed into place
    source.write_bytes(b"v22")  # a new version of the source: a new entry, the old one removed
    second = cached_file("face", [source], ".otf", write)
    assert second != first and second.read_bytes() == b"V22" and not first.exists()
    assert sorted(p.name for p in cache_dir().iterdir()) == [second.name]


def test_cached_file_without_a_cache_folder_uses_a_temporary_one(tmp_path, monkeypatch):
    monkeypatch.setenv("CSAT_CACHE_DIR", "")
    source = tmp_path / "font.ttc"
    source.write_bytes(b"x")
    out = cached_file("face", [source], ".otf", lambda target: target.write_bytes(b"y"))
    assert cache_dir() is None and out.read_bytes() == b"y" and tmp_path not in out.parents
