"""Shared helpers: a copy of the shipped data to edit, and a DOCX table reader."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest

from generator.model.workspace import data_root

# The compiled-template cache goes to a temporary folder, never the user's home.
_CACHE = tempfile.TemporaryDirectory(prefix="plangen-test-cache-")
os.environ["PLANGEN_CACHE"] = _CACHE.name

ROOT = data_root()
FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED_UNITS = ("lang-son", "dinh-lap", "dong-dang")

# The slips of the published Phụ lục II tables and what the catalog writes instead (its
# header comment lists them too).
PUBLISHED_SLIPS = [
    ("NHẪM", "NHẰM"),
    ("Quản triệt", "Quán triệt"),
    ("phân đầu", "phấn đấu"),
    ("những nhiễu", "nhũng nhiễu"),
    ("những nhiều", "nhũng nhiễu"),
    ("biên hiệu", "biển hiệu"),
    ("CBCCVV", "CBCCVC"),
    ("tiêu cực, nhiễu", "tiêu cực, nhũng nhiễu"),
    ("Công/Trang", "Cổng/Trang"),
    ("UBND cấp xã.;", "UBND cấp xã;"),
    ("đúng/sớm hẹn", "đúng/sớm hơn"),
]


def fold(text: str) -> str:
    """NFC and whitespace folding, as a reader compares text."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def read_table(docx: bytes | Path) -> list[dict]:
    """The task table read back with python-docx: sections and tasks, in order."""
    import docx as python_docx

    source = io.BytesIO(docx) if isinstance(docx, bytes) else str(docx)
    document = python_docx.Document(source)
    [table] = document.tables
    rows = []
    header = [fold(c.text) for c in table.rows[0].cells]
    for row in table.rows[1:]:
        unique = []
        for cell in row.cells:
            if not unique or cell._tc is not unique[-1]._tc:
                unique.append(cell)
        texts = [fold(c.text) for c in unique]
        if len(unique) == 2:
            rows.append({"kind": "section", "code": texts[0], "title": texts[1]})
        else:
            rows.append(
                {
                    "kind": "task",
                    "stt": texts[0],
                    "cells": dict(zip(header[1:], texts[1:], strict=True)),
                    "raw": [c.text for c in unique],
                }
            )
    return rows


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of catalogs/ and templates/ that a test may edit."""
    target = tmp_path / "data"
    for part in ("catalogs", "templates"):
        shutil.copytree(ROOT / part, target / part)
    return target
