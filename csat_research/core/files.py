"""Atomic file writes: a file is written under a temporary name and renamed into place.

:func:`atomic_write_bytes` / :func:`atomic_write_text` write through a temporary file in the
target folder, flush it to disk and move it over the target with :func:`os.replace`, so a
failed run never leaves a half-written artefact (report, PDF, ``summary.json``, workbook,
``reports/index.html``, cache entry) or destroys a good one from an earlier run. The new
file gets the mode a plain ``open()`` would give it (``0o666`` less the umask), keeps the
mode of the file it replaces, or takes an explicit ``mode``.

:func:`swap_in_folder` does the same for a whole folder (a report's set of files): the new
folder, built beside the target, takes the target's place in one exchange of names, so readers
see the old set or the new set, never a mix.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path

from csat_research.core.errors import ReportError

__all__ = ["atomic_write_bytes", "atomic_write_text", "swap_in_folder"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap the names of ``a`` and ``b`` atomically (Linux ``renameat2(RENAME_EXCHANGE)``, a
    system call in glibc >= 2.28); False where the system or the file system lacks it."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def swap_in_folder(new: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Put the folder ``new`` at ``target`` as one set; the old ``target`` folder is removed.

    ``new`` must be on the same file system (build it beside ``target``); it gets the mode a
    plain ``mkdir`` would give it (``0o777`` less the umask: a folder made by ``mkdtemp`` is
    ``0o700``, unreadable to others). Where ``target``
    exists, the two are exchanged in one ``renameat2(RENAME_EXCHANGE)`` where Linux offers it
    (readers see the complete old folder or the complete new one); elsewhere ``target`` is
    first renamed aside, which leaves a moment without it but never a mix of old and new files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "report").mkdir(); _ = (root / "report" / "old.txt").write_text("old")
    >>> (root / ".new").mkdir(); _ = (root / ".new" / "new.txt").write_text("new")
    >>> sorted(p.name for p in swap_in_folder(root / ".new", root / "report").iterdir())
    ['new.txt']
    >>> sorted(p.name for p in root.iterdir())
    ['report']
    """
    new, target = Path(new), Path(target)
    new.chmod(0o777 & ~_umask())
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(new, target)
        return target
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # now the old folder
        return target
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-{os.getpid()}-", dir=target.parent))
    os.rename(target, aside / "old")
    os.rename(new, target)
    shutil.rmtree(aside, ignore_errors=True)
    return target


def _umask() -> int:
    """Return the process umask without changing it (Linux: /proc; else 0o022)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, are flushed to disk and then
    moved over ``path`` with :func:`os.replace`. Readers see either the old file or the
    complete new one, never a partial file; if anything fails, the old file is untouched
    and the temporary file is removed.

    Parameters
    ----------
    path : str or os.PathLike
        Target file. Its folder must exist.
    data : bytes
        Content to write.
    mode : int, optional
        Permission bits of the written file, e.g. ``0o644``. Default: those of the file it
        replaces, else ``0o666`` less the process umask (what a plain ``open()`` gives;
        :func:`tempfile.mkstemp`'s ``0o600`` would lock other readers out).

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    TypeError
        If ``data`` is not bytes-like.
    ValueError
        If ``mode`` is not an int between 0 and ``0o7777``.
    ReportError
        If the folder does not exist or the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(folder / "a.bin", b"abc").read_bytes()
    b'abc'
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"atomic_write_bytes: data must be bytes, got {type(data).__name__}")
    if mode is not None and (isinstance(mode, bool) or not isinstance(mode, int) or not 0 <= mode <= 0o7777):
        raise ValueError(f"atomic_write_bytes: mode must be an int between 0 and 0o7777, got {mode!r}")
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise ReportError(f"cannot write {target}: folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; give the file the permissions a normal open() would.
        if mode is None:
            mode = (target.stat().st_mode & 0o7777) if target.exists() else (0o666 & ~_umask())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ReportError(f"cannot write {target}: {exc}") from exc
        raise
    return target


def atomic_write_text(
    path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", mode: int | None = None
) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`).

    Parameters
    ----------
    path : str or os.PathLike
        Target file. Its folder must exist.
    text : str
        Content to write.
    encoding : str, default "utf-8"
        Text encoding.
    mode : int, optional
        Permission bits (see :func:`atomic_write_bytes`).

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    TypeError
        If ``text`` is not a str.
    ReportError
        If the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_text(folder / "a.html", "<p>满意</p>").read_text(encoding="utf-8")
    '<p>满意</p>'
    """
    if not isinstance(text, str):
        raise TypeError(f"atomic_write_text: text must be str, got {type(text).__name__}")
    return atomic_write_bytes(path, text.encode(encoding), mode=mode)
