"""csat-research's on-disk cache: derived data that is expensive to rebuild in every process.

Two kinds of entries, both keyed by the path, size and modification time of the files they are
derived from (a changed source gives a new entry; the stale one is removed):

* :func:`disk_cached` - a plain value (dicts, lists, numbers, strings) kept with :mod:`marshal`,
  e.g. jieba's parsed dictionary and idf table (0.6 s to parse, 0.3 s to load);
* :func:`cached_file` - a derived file, e.g. one face of a font collection.

The folder is :func:`cache_dir`: ``$CSAT_CACHE_DIR`` when set (an empty value switches the cache
off), else ``$XDG_CACHE_HOME/csat-research`` or ``~/.cache/csat-research``. Without a usable
folder, values are rebuilt every time and derived files go to a temporary folder of the process.
Every entry is written to a temporary name and renamed into place, so concurrent processes never
read a half-written entry.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "cached_file", "disk_cached"]

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


def _publish(folder: Path, name: str, suffix: str, target: Path, produce: Callable[[Path], None]) -> bool:
    """``produce(path)`` into a temporary file, renamed to ``target``; older entries removed."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=folder)
        os.close(fd)
        produce(Path(tmp))
        os.replace(tmp, target)
        for old in folder.glob(f"{name}-*{suffix}"):  # derived from an earlier version of the sources
            if old != target:
                old.unlink(missing_ok=True)
        return True
    except (OSError, ValueError):
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        return False


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
    _publish(folder, name, ".marshal", target, lambda path: path.write_bytes(marshal.dumps(value)))
    return value


def cached_file(name: str, sources: Iterable[Path], suffix: str, write: Callable[[Path], None]) -> Path:
    """Path of a file derived from ``sources``, written once by ``write(path)``.

    ``write`` gets a temporary path in the cache folder and must create the file there. Without a
    usable cache folder the file goes to a temporary folder removed when the process exits.
    """
    sources = [Path(p) for p in sources]
    folder = cache_dir() or _process_temp_dir()
    target = _entry(folder, name, sources, suffix)
    if target.is_file():
        return target

    if not _publish(folder, name, suffix, target, write):
        folder = _process_temp_dir()
        target = _entry(folder, name, sources, suffix)
        if not target.is_file():
            write(target)
    return target


@lru_cache(maxsize=1)
def _process_temp_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="csat-cache-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
