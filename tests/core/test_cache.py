"""The on-disk cache: values built once per source version, never half-written."""

from __future__ import annotations

from csat_research.core.cache import cache_dir, disk_cached


def test_disk_cache_builds_once_then_loads_and_notices_changed_sources(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("CSAT_CACHE_DIR", str(cache))
    source = tmp_path / "table.txt"
    source.write_text("物流 3\n", encoding="utf-8")
    calls = []

    def build():
        calls.append(1)
        return {"物流": 3, "客服": 0}, 3.5

    first = disk_cached("probe", [source], build)
    again = disk_cached("probe", [source], build)
    assert first == again == ({"物流": 3, "客服": 0}, 3.5) and len(calls) == 1
    [stored] = cache.glob("probe-*.marshal")
    stored.write_bytes(b"\x00garbage")  # unreadable: rebuilt, not trusted
    assert disk_cached("probe", [source], build) == first and len(calls) == 2
    source.write_text("物流 4\n", encoding="utf-8")  # changed source: new key, old file removed
    disk_cached("probe", [source], build)
    assert len(calls) == 3 and len(list(cache.glob("probe-*.marshal"))) == 1
    assert list(cache.glob(".probe-*")) == []  # no temporary file left


def test_disk_cache_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("CSAT_CACHE_DIR", "")
    assert cache_dir() is None
    calls = []
    for _ in range(2):
        disk_cached("probe", [], lambda: calls.append(1) or 7)
    assert len(calls) == 2
