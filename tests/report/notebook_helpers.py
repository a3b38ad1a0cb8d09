"""Small notebooks built in memory for the HTML and PDF tests."""

from __future__ import annotations

import nbformat

v4 = nbformat.v4


def nb(*cells, **metadata):
    """A notebook of ``cells`` with ``metadata``."""
    book = v4.new_notebook(cells=list(cells))
    book.metadata.update(metadata)
    return book


def code(outputs, source="x = 1"):
    """A code cell with the given outputs (dicts)."""
    cell = v4.new_code_cell(source)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    cell.execution_count = 1
    return cell


def stream(name, text):
    return {"output_type": "stream", "name": name, "text": text}


def display(data, kind="display_data"):
    out = {"output_type": kind, "data": data, "metadata": {}}
    if kind == "execute_result":
        out["execution_count"] = 1
    return out
