"""csat-research's on-disk cache: derived data that is expensive to rebuild in every process.

:func:`disk_cached` keeps a plain value (dicts, lists, numbers, strings) with :mod:`marshal`
(no caller in the package since jieba's parsed dictionary stopped being cached there, issue 14;
the word cloud's font face and Chromium's profile use :func:`cache_dir`). An entry is keyed
by the path, size and modification time of the files it is derived from (a changed source gives
a new entry; the stale one is removed).

The folder is :func:`cache_dir`: ``$CSAT_CACHE_DIR`` when set (an empty value switches the cache
off), else ``$XDG_CACHE_HOME/csat-research`` or ``~/.cache/csat-research``. Without a usable
folder, values are rebuilt every time. Every entry is written to a temporary name and renamed
into place, so concurrent processes never read a half-written entry.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from csat_research.core.errors import ReportError
from csat_research.core.files import atomic_write_bytes

__all__ = ["cache_dir", "disk_cached"]

_CACHE_FORMAT = 1  # bump when a cached entry's construction changes


def cache_dir() -> Path | None:
    """Folder of the on-disk cache, or None when caching is off or the folder cannot be created."""
    configured = os.environ.get("CSAT_CACHE_DIR")
    if configured is not None:
        if not configured.strip():
            return None
        folder = Path(configured).expanduser()
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "csat-research"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def _entry(folder: Path, name: str, sources: Iterable[Path], suffix: str) -> Path:
    stamp = [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in map(Path, sources)]
    key = hashlib.sha256(repr((stamp, _CACHE_FORMAT)).encode()).hexdigest()[:16]
    return folder / f"{name}-{key}{suffix}"


def _publish(folder: Path, name: str, suffix: str, target: Path, data: bytes) -> bool:
    """Write ``data`` to ``target`` (:func:`~csat_research.core.files.atomic_write_bytes`); older entries removed."""
    try:
        atomic_write_bytes(target, data)
    except ReportError:
        return False
    for old in folder.glob(f"{name}-*{suffix}"):  # derived from an earlier version of the sources
        if old != target:
            old.unlink(missing_ok=True)
    return True


def disk_cached(name: str, sources: Iterable[Path], build: Callable[[], Any]) -> Any:
    """``build()``, kept in :func:`cache_dir` with :mod:`marshal`.

    A missing, stale or unreadable entry means ``build()``; an entry that cannot be written is
    skipped. Only plain data (dicts, lists, tuples, numbers, strings) can be cached.
    """
    folder = cache_dir()
    if folder is None:
        return build()
    target = _entry(folder, name, sources, ".marshal")
    try:
        return marshal.loads(target.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = build()
    try:
        data = marshal.dumps(value)
    except ValueError:  # not plain data: nothing to keep
        return value
    _publish(folder, name, ".marshal", target, data)
    return value
