"""What the law of 2025 changed, checked in the data: bodies that no longer exist, and a
unit's plan naming a province other than its own (catalogs/legal/)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.core.errors import UserError, Where
from generator.model.legal import Legal, advice
from generator.model.validation import Loaded


def strings(data: Any, loc: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every text value of parsed YAML, with its key path."""
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, (*loc, key))
    elif isinstance(data, list | tuple):
        for i, value in enumerate(data):
            yield from strings(value, (*loc, i))


def abolished_bodies(legal: Legal, loaded: Loaded) -> list[UserError]:
    """A warning for each abolished body a file names, at its line, with the successor."""
    out = []
    for loc, text in strings(loaded.doc.data):
        for name, body in legal.abolished(text):
            out.append(UserError(f"cảnh báo: {advice(name, body)}", loaded.doc.where(loc)))
    return out


def other_provinces(
    legal: Legal, own: str, texts: list[tuple[str, str]], who: str, where: Where
) -> list[UserError]:
    """A problem for each province other than `own` named in `texts` ((place, text) pairs):
    a unit's plan speaks of its own province alone."""
    found: dict[str, str] = {}
    if not legal.provinces_in("\n".join(t for _, t in texts)) - {own}:
        return []  # the usual case, said by one search over all the text
    for place, text in texts:
        for name in legal.provinces_in(text) - {own}:
            found.setdefault(name, place)
    return [
        UserError(
            f"{who} thuộc tỉnh {own} nhưng kế hoạch còn nêu tỉnh {name} ({place}): sửa hồ sơ "
            "đơn vị hoặc ghi đúng province",
            where,
        )
        for name, place in sorted(found.items())
    ]
