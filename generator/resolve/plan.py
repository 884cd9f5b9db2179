"""The resolved plan body: plain, final text for a renderer (DOCX, HTML), nothing left to
look up; built by resolve/body.py."""

from __future__ import annotations

from dataclasses import dataclass

from generator.core.text import capitalize_first
from generator.resolve.appendix import Appendix

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Duty:
    """One body's share of the appendices: (appendix label, codes) it leads and supports.

    A code names a task ("B.II.2") or, when the body has every task of a section of two or
    more tasks, the section ("I", "B.II")."""

    body: str
    lead: tuple[tuple[str, tuple[str, ...]], ...]
    support: tuple[tuple[str, tuple[str, ...]], ...]

    def sentence(self, named: bool) -> str:
        parts = []
        if self.lead:
            parts.append("chủ trì thực hiện " + _where(self.lead))
        if self.support:
            parts.append("phối hợp thực hiện " + _where(self.support))
        text = ". ".join(capitalize_first(p) for p in parts) + "."
        if named:
            text = f"{capitalize_first(self.body)} {text[0].lower()}{text[1:]}"
        return text


def in_plan(appendices: list[Appendix]) -> list[Appendix]:
    """The appendices the whole plan holds: those with at least one task (a unit that omits
    every section of an appendix gets no empty table, and the body does not refer to it)."""
    return [a for a in appendices if a.tasks]


def _where(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    codes = [c for _, cs in groups for c in cs]
    single = len(codes) == 1 and codes[0].rsplit(".", 1)[-1].isdigit()
    head = "nhiệm vụ tại " if single else "các nhiệm vụ tại "
    return head + "; ".join(f"mục {', '.join(cs)} {label}" for label, cs in groups)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the body. `style`: "part" (I. MỤC …, bold upper), "item" (1. Tiêu đề,
    bold), "point" (a) Tiêu đề của điểm:, upright or `italic`, kept with what follows) or
    "text" (everything else, numbered "a)" or not). `level`: 1 part, 2 item, 3 point; an
    unnumbered paragraph takes the level below its owner."""

    style: str
    level: int
    number: str
    text: str
    ident: str = ""
    italic: bool = False  # the text after the number is italic (a point's title)
    body: str | None = None  # set on the paragraphs that state a body's duties

    @property
    def full(self) -> str:
        return f"{self.number} {self.text}" if self.number else self.text


@dataclass(frozen=True)
class Plan:
    """Everything a renderer (DOCX, HTML) needs; final text, nothing left to look up."""

    unit: str
    unit_name: str
    kind: str
    year: int
    catalog: str
    catalog_hash: str
    issuer_name: str  # running text: "Ủy ban nhân dân xã Đình Lập" (document author)
    authority: str | None  # cơ quan chủ quản: "UBND TỈNH LẠNG SƠN"
    issuer_lines: tuple[str, ...]  # "ỦY BAN NHÂN DÂN", "XÃ ĐÌNH LẬP"
    number: str  # "Số: 235/KH-UBND"
    place_date: str  # "Đình Lập, ngày 06 tháng 7 năm 2026"
    doc_type: str  # "KẾ HOẠCH"
    title: str  # trích yếu; "\n" is a line break
    paragraphs: tuple[Paragraph, ...]
    recipients: tuple[str, ...]  # "- Bộ Nội vụ;", …, "- Lưu: VT, NC."
    signer: tuple[str, ...]  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    signer_name: str  # may be "" (filled in by hand)
    duties: tuple[Duty, ...]  # every body with tasks in the appendices, in order
    sources: tuple[tuple[str, str], ...]  # (catalog id, sha256 prefix): body, then appendices
    national: str = NATIONAL
    motto: str = MOTTO
