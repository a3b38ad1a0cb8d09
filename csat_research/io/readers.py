"""Reading export files into memory, one reader per container.

:func:`read_raw` reads a CSV (delimiter sniffed; encoding given, or detected: UTF-8 with or
without BOM, else GB18030, charset-normalizer breaking ties or guessing), Excel (``.xlsx``
with openpyxl, ``.xls`` with xlrd; first sheet), SPSS (pyreadstat, value labels kept) or
Parquet file into a :class:`~csat_research.io.tables.RawFile`; nothing is interpreted yet.
:func:`container_of` chooses the reader from ``format=`` and the extension. These readers are
the only code of csat_research that opens data files; they never modify them.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd

from csat_research.core.errors import DataError
from csat_research.io.tables import RawFile

__all__ = [
    "EXTENSIONS",
    "check_path",
    "container_of",
    "read_raw",
]

EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
    ".sav": "spss", ".zsav": "spss",
    ".parquet": "parquet", ".pq": "parquet",
}


def check_path(path: Any) -> Path:
    """The file at ``path``; ``TypeError`` for a non-path, ``DataError`` when it is missing."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p.name}: file not found ({p})")
    if not p.is_file():
        raise DataError(f"{p.name}: not a file ({p})")
    return p


def container_of(p: Path, fmt: str, allowed: tuple[str, ...]) -> str:
    """The reader (csv, excel, spss, parquet) for ``p`` given ``format=`` and its extension."""
    by_ext = EXTENSIONS.get(p.suffix.lower())
    if fmt == "auto":
        ok = by_ext is not None and by_ext in allowed
        expect = ", ".join(e for e, c in EXTENSIONS.items() if c in allowed)
    elif fmt in ("qualtrics", "wjx"):
        ok = by_ext in ("csv", "excel")
        expect = f".csv, .txt, .xlsx or .xls for a {fmt} export"
    else:
        return fmt
    if not ok:
        raise DataError(
            f"{p.name}: cannot tell the file format from the extension "
            f"{p.suffix or '(none)'!r}; expected {expect}, or set the params' format (data.responses.format or data.tickets.format; "
            f"argument format= in Python) to {'/'.join(a for a in allowed if a not in ('auto', 'qualtrics', 'wjx'))}"
        )
    return by_ext


def read_raw(p: Path, container: str, encoding: str | None) -> RawFile:
    """Read ``p`` with the reader of ``container`` (``encoding`` only for CSV and SPSS)."""
    if container == "csv":
        return _read_csv(p, encoding)
    if encoding is not None and container not in ("spss",):
        raise ValueError(
            f"encoding applies to CSV and SPSS files only; {p.name} is read as {container}, "
            f"got encoding={encoding!r}"
        )
    if container == "excel":
        return _read_excel(p)
    if container == "spss":
        return _read_spss(p, encoding)
    return _read_parquet(p)


def _decode(p: Path, data: bytes, encoding: str | None) -> tuple[str, str, list[str]]:
    """Decode CSV bytes; return (text, encoding used, notes)."""
    notes: list[str] = []
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ValueError(f"encoding {encoding!r} is not a known text encoding") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise DataError(
                f"{p.name}: cannot decode with encoding {encoding!r}: byte "
                f"{data[exc.start]:#04x} at offset {exc.start} (line {line}) is invalid "
                f"({exc.reason}); pass the right encoding (e.g. 'gb18030' or 'utf-8-sig') "
                "or encoding=None to detect it"
            ) from None
        if text.startswith("\ufeff"):
            text = text[1:]
            if codec == "utf-8":
                encoding = "utf-8-sig"
        if codec not in ("utf-8", "utf-8-sig") and not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                notes.append(
                    f"{p.name}: decoded as {encoding!r} as requested, but the bytes are valid "
                    "UTF-8; if the text looks garbled set the params' encoding (data.responses.encoding or data.tickets.encoding; argument encoding= in Python) to utf-8, or leave it out"
                )
        return text, encoding, notes
    candidates: dict[str, str] = {}
    failures: list[str] = []
    for enc in ("utf-8-sig", "gb18030"):
        try:
            candidates[enc] = data.decode(enc)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            failures.append(f"{enc} fails at offset {exc.start} (line {line})")
    if len(candidates) == 2 and candidates["utf-8-sig"] != candidates["gb18030"]:
        chosen = _charset_tie_break(data)
        text = candidates[chosen]
        enc_used = chosen
    elif candidates:
        enc_used = next(iter(candidates))
        text = candidates[enc_used]
    else:
        guess = _charset_guess(data)
        if guess is None:
            raise DataError(
                f"{p.name}: cannot detect the text encoding ({'; '.join(failures)}); "
                "set the params' encoding (data.responses.encoding or data.tickets.encoding; argument encoding= in Python)"
            )
        enc_used, text = guess
        notes.append(
            f"{p.name}: encoding is neither UTF-8 nor GB18030; decoded as {enc_used!r} "
            "(guessed by charset-normalizer; set the params' encoding (data.responses.encoding or data.tickets.encoding; argument encoding= in Python) to be sure)"
        )
    if enc_used == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
        enc_used = "utf-8"
    return text, enc_used, notes


def _charset_tie_break(data: bytes) -> str:
    """Choose utf-8-sig or gb18030 for bytes valid in both, with charset-normalizer."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["utf_8", "gb18030"]).best()
    if best is not None and best.encoding.replace("-", "_") == "gb18030":
        return "gb18030"
    return "utf-8-sig"


def _charset_guess(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    return best.encoding, str(best)


def _read_csv(p: Path, encoding: str | None) -> RawFile:
    data = p.read_bytes()
    text, enc, notes = _decode(p, data, encoding)
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    if first.count(delimiter) == 0:
        delimiter = ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                                  strict=True))
    except csv.Error as exc:
        raise DataError(f"{p.name}: not a readable CSV file: {exc}") from None
    return RawFile(p.name, "csv", enc, records=records, notes=notes)


def _read_excel(p: Path) -> RawFile:
    notes: list[str] = []
    if p.suffix.lower() == ".xls":
        import xlrd

        try:
            book = xlrd.open_workbook(str(p), on_demand=True)
        except Exception as exc:  # xlrd raises several unrelated classes
            raise DataError(f"{p.name}: not a readable .xls workbook: {exc}") from None
        try:
            if book.nsheets > 1:
                notes.append(f"{p.name}: workbook has {book.nsheets} sheets; read the first "
                             f"({book.sheet_names()[0]!r})")
            sheet = book.sheet_by_index(0)
            records = []
            for r in range(sheet.nrows):
                row = []
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        row.append(None)
                    elif cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        row.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        row.append(bool(cell.value))
                    else:
                        row.append(cell.value)
                records.append(row)
        finally:
            book.release_resources()
        return RawFile(p.name, "excel", None, records=records, notes=notes)

    import openpyxl

    try:
        book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # zipfile / openpyxl raise several unrelated classes
        raise DataError(f"{p.name}: not a readable .xlsx workbook: {exc}") from None
    try:
        if len(book.worksheets) > 1:
            notes.append(f"{p.name}: workbook has {len(book.worksheets)} sheets; read the "
                         f"first ({book.sheetnames[0]!r})")
        sheet = book.worksheets[0]
        records = [list(r) for r in sheet.iter_rows(min_row=1, values_only=True)]
    finally:
        book.close()
    return RawFile(p.name, "excel", None, records=records, notes=notes)


def _read_spss(p: Path, encoding: str | None) -> RawFile:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(p), encoding=encoding, apply_value_formats=False,
                                          user_missing=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        hint = f" with encoding {encoding!r}" if encoding else ""
        raise DataError(f"{p.name}: cannot read the SPSS file{hint}: {exc}") from None
    used = encoding or meta.file_encoding or None
    notes = []
    if encoding is not None:
        try:
            declared = pyreadstat.read_sav(str(p), metadataonly=True)[1].file_encoding
            differs = declared and codecs.lookup(declared).name != codecs.lookup(encoding).name
        except Exception:  # noqa: BLE001 - only a hint; the data were read already
            declared, differs = None, False
        if differs:
            notes.append(f"{p.name}: the file declares encoding {declared!r} but was read as "
                         f"{encoding!r} as requested; if text looks garbled leave out the params' encoding (data.responses.encoding or data.tickets.encoding; argument encoding= in Python)")
    labels = {str(k): dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    return RawFile(p.name, "spss", used, frame=frame, value_labels=labels, notes=notes)


def _read_parquet(p: Path) -> RawFile:
    try:
        frame = pd.read_parquet(p, engine="pyarrow")
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise DataError(f"{p.name}: not a readable Parquet file: {exc}") from None
    return RawFile(p.name, "parquet", None, frame=frame)
