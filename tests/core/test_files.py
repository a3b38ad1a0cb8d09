"""Tests of csat_research.core.files: atomic writes (temporary name, then rename)."""

from __future__ import annotations

import os
import stat

import pytest

from csat_research.core import files
from csat_research.core.errors import ReportError
from csat_research.core.files import atomic_write_bytes, atomic_write_text


def test_atomic_write_text_writes_content_and_leaves_no_temp_file(tmp_path):
    target = atomic_write_text(tmp_path / "report.html", "<p>整体满意度 3.8</p>")
    assert target.read_text(encoding="utf-8") == "<p>整体满意度 3.8</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    # Normal file permissions (mkstemp's 0600 would lock other readers out).
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_atomic_write_replaces_existing_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_atomic_write_failure_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF- good old report")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", broken_fsync)
    with pytest.raises(ReportError, match=r"cannot write .*report\.pdf.*No space left"):
        atomic_write_bytes(target, b"%PDF- half a new report")
    assert target.read_bytes() == b"%PDF- good old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_atomic_write_rejects_bad_input(tmp_path):
    with pytest.raises(TypeError, match="data must be bytes, got str"):
        atomic_write_bytes(tmp_path / "a", "text")
    with pytest.raises(TypeError, match="text must be str, got bytes"):
        atomic_write_text(tmp_path / "a", b"bytes")
    with pytest.raises(ReportError, match="folder .*missing.* does not exist"):
        atomic_write_text(tmp_path / "missing" / "a.html", "x")
