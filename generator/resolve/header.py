"""The Nghị định 30 header and signature block of a unit's plan, from the `document:` blocks
of its kind and profile (merged, the unit's fields winning).

A field the document needs and neither gives is a problem said once, at the file (and
field) the caller names: the unit's profile, or on a trial of a kind's defaults, the kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from generator.core.errors import UserError, Where
from generator.model.document import Document
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.resolve.identity import missing_symbol, plan_number, plan_symbol

_BULLET = re.compile(r"^(?:[-–—+•]\s*)+")
STORED = re.compile(r"^lưu\s*:", re.IGNORECASE)  # "Lưu: VT, …" (not "Lưu trữ tỉnh")
BARE_STORED = re.compile(r"^lưu\s*:\s*VT$", re.IGNORECASE)  # no drafting office after VT
SIGN_HERE = "…" * 12  # the signer's name, left for the pen (a dotted line, not nothing)


def recipient_items(items: list[str]) -> list[str]:
    """The recipients as typed, without what plangen adds itself: a leading "- " and a final
    ";" or "." ("- Bộ Nội vụ;" -> "Bộ Nội vụ")."""
    out = []
    for item in items:
        item = _BULLET.sub("", item.strip()).rstrip(" ;.").strip()
        if item:
            out.append(item)
    return out


def recipient_lines(items: list[str]) -> list[str]:
    """ "- Bộ Nội vụ;" for each, the last ending with "." (Nghị định 30)."""
    items = recipient_items(items)
    return [f"- {item}{'.' if n == len(items) - 1 else ';'}" for n, item in enumerate(items)]


class Header:
    """The header fields of one unit's plan; problems go to `problems`."""

    def __init__(
        self,
        document: Document,
        kind: KindView,
        unit: Unit,
        who: str,
        where: Where,
        own_document: Document | None,
        render: Callable[[str, str, Where], str],
        problems: list[UserError],
    ) -> None:
        self.doc, self.kind, self.unit = document, kind, unit
        self.who, self.where, self.own = who, where, own_document
        self._render, self.problems = render, problems

    def at(self, name: str) -> Where:
        return replace(self.where, field=f"document.{name}")

    def need(self, value, name: str, example: str):
        if value:
            return value
        place = (
            "" if self.who.startswith("loại") else f' trong hồ sơ đơn vị hoặc loại "{self.kind.id}"'
        )
        self.problems.append(
            UserError(f"{self.who}: thiếu document.{name} ({example}){place}", self.at(name))
        )
        return None

    def render(self, value: str, name: str) -> str:
        return self._render(value, f"{self.who}: document.{name}", self.at(name))

    def signer_lines(self) -> list[str]:
        signer = self.doc.signer
        parts = ("on_behalf", "deputy", "title")
        lines = [
            self.render(v, f"signer.{part}")
            for part in parts
            if signer and (v := getattr(signer, part))
        ]
        self.need(lines, "signer", 'khối chữ ký, ví dụ title: "GIÁM ĐỐC"')
        return lines

    def recipients(self, addressees: list[str]) -> list[str]:
        """The recipients: the listed ones, then `addressees` (bodies given tasks that no
        line names yet) before the "Lưu:" line, which gets the drafting office."""
        doc = self.doc
        items = recipient_items([self.render(r, "recipients") for r in doc.recipients or ()])
        self.need(items, "recipients", 'nơi nhận, dòng cuối "Lưu: VT, …"')
        listed = [i.casefold() for i in items]
        addressees = [a for a in addressees if not any(a.casefold() in i for i in listed)]
        if items and STORED.match(items[-1]):
            stored = items.pop()
            if doc.drafting_office and BARE_STORED.match(stored):
                stored += f", {self.render(doc.drafting_office, 'drafting_office')}"
            items += [*addressees, stored]
        else:
            items += addressees
        stored = [r for r in items[:-1] if STORED.match(r)]
        own = self.own  # the list is reported where it is written
        if stored and own is not None and "recipients" in own.model_fields_set:
            self.problems.append(
                UserError(
                    f'{self.who}: document.recipients: "{stored[0]}" phải là dòng cuối của Nơi '
                    "nhận (Nghị định 30: nơi lưu văn bản ghi sau cùng)",
                    self.at("recipients"),
                )
            )
        return items

    def fields(self, addressees: list[str] = ()) -> dict:
        doc, unit = self.doc, self.unit
        example = 'tên cơ quan ban hành, ví dụ ["ỦY BAN NHÂN DÂN", "XÃ ĐÌNH LẬP"]'
        lines = self.need(doc.issuer_lines, "issuer_lines", example) or ()
        place = self.need(doc.place, "place", 'địa danh, ví dụ "Đình Lập"') or ""
        signer_lines = self.signer_lines()
        recipients = self.recipients(list(addressees))
        symbol = plan_symbol(self.kind, unit)
        if not symbol:
            self.problems.append(missing_symbol(self.kind, self.who, self.where))
            symbol = "KH"
        signer = doc.signer
        return {
            "authority": self.render(doc.authority, "authority") if doc.authority else None,
            "issuer_lines": tuple(self.render(x, "issuer_lines") for x in lines),
            "number": f"Số: {plan_number(unit)}/{symbol}",
            "place_date": f"{self.render(place, 'place')}, {unit.plan.date.long()}",
            "recipients": tuple(recipient_lines(recipients)),
            "signer": tuple(signer_lines),
            "signer_name": self.render(signer.name, "signer.name")
            if signer and signer.name
            else SIGN_HERE,
        }
