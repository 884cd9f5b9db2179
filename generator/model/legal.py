"""Legal currency: bodies abolished, merged or renamed by the 2025 reorganisation, and the
provincial-level units since 1/7/2025 (catalogs/legal/).

`bodies.yaml` lists the names under which abolished bodies appear in older plans, with the
date, the legal source and the successor; `provinces.yaml` the 34 provinces and cities and
the provinces merged into them. `Legal` finds them in a text: whole phrases, any case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from generator.model.fields import DateField, Strict, Text


class AbolishedBody(Strict):
    names: tuple[Text, ...] = Field(min_length=1, description="Các cách viết tên cơ quan")
    status: Literal["abolished", "merged", "renamed", "split"]
    date: DateField = Field(description="Ngày có hiệu lực")
    successor: Text | None = Field(None, description="Cơ quan làm việc của cơ quan cũ")
    source: Text = Field(description="Văn bản pháp lý (số, ngày)")
    note: Text | None = None


class BodiesFile(Strict):
    bodies: tuple[AbolishedBody, ...]


class Province(Strict):
    name: Text
    level: Literal["tỉnh", "thành phố"]


class MergedProvince(Strict):
    name: Text
    into: Text


class ProvincesFile(Strict):
    provinces: tuple[Province, ...]
    merged: tuple[MergedProvince, ...] = ()
    date: DateField
    source: Text


STATUS = {
    "abolished": "đã bị bãi bỏ",
    "merged": "đã hợp nhất",
    "renamed": "đã đổi tên",
    "split": "đã giải thể, chia nhiệm vụ",
}


def _phrases(names: list[str]) -> re.Pattern | None:
    if not names:
        return None
    ordered = sorted({n.casefold() for n in names}, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, ordered))})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Legal:
    """The legal data of a data folder, compiled for finding names in text."""

    bodies: tuple[AbolishedBody, ...] = ()
    provinces: tuple[Province, ...] = ()
    merged: tuple[MergedProvince, ...] = ()
    _by_name: dict = field(default_factory=dict, repr=False, compare=False)
    _bodies: re.Pattern | None = field(default=None, repr=False, compare=False)
    _provinces: re.Pattern | None = field(default=None, repr=False, compare=False)
    _province_names: dict = field(default_factory=dict, repr=False, compare=False)  # UPPER -> name

    @classmethod
    def of(cls, bodies: BodiesFile | None, provinces: ProvincesFile | None) -> Legal:
        found = bodies.bodies if bodies else ()
        by_name = {name.casefold(): body for body in found for name in body.names}
        current = provinces.provinces if provinces else ()
        merged = provinces.merged if provinces else ()
        names = sorted({p.name for p in current} | {m.name for m in merged}, key=len, reverse=True)
        # "tỉnh Lạng Sơn", "UBND TỈNH LẠNG SƠN": a name alone may be a commune's ("xã Hòa Bình")
        forms = "|".join(re.escape(n) for name in names for n in (name, name.upper()))
        pattern = rf"(?:tỉnh|TỈNH|Tỉnh|thành phố|THÀNH PHỐ|Thành phố)\s+({forms})(?!\w)"
        pattern = pattern if names else None
        known = {p.name.upper(): p.name for p in current}
        known.update({m.name.upper(): m.name for m in merged})
        return cls(
            found,
            current,
            merged,
            by_name,
            _phrases(list(by_name)),
            re.compile(pattern) if pattern else None,  # proper names: case matters
            known,
        )

    def abolished(self, text: str) -> list[tuple[str, AbolishedBody]]:
        """Each abolished body named in `text`: (the name as written, the body), once."""
        if self._bodies is None or not text:
            return []
        out: dict[str, tuple[str, AbolishedBody]] = {}
        for m in self._bodies.finditer(text):
            body = self._by_name[m.group(0).casefold()]
            out.setdefault(body.names[0], (m.group(0), body))
        return list(out.values())

    def provinces_in(self, text: str) -> set[str]:
        """The provinces (current or merged) `text` names as "tỉnh X", "thành phố X", in any
        case; each said as written in the list ("Lạng Sơn")."""
        if self._provinces is None or not text:
            return set()
        return {self._province_names[name.upper()] for name in self._provinces.findall(text)}


def advice(name: str, body: AbolishedBody) -> str:
    """'"Sở Kế hoạch và Đầu tư" đã hợp nhất từ 01/3/2025 (…): nay là Sở Tài chính'."""
    text = f'"{name}" {STATUS[body.status]} từ {body.date.short()} ({body.source})'
    if body.successor:
        text += f"; nay là {body.successor}"
    return text
