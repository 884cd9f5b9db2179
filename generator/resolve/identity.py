"""Who a unit is, in the words its documents use, and the names its text may fill in.

Everything here is computed from the unit's kind (a `KindView`) and profile, without I/O:
how the unit calls itself ("xã", "Sở"), the issuing body in running text and in full, the
plan number and the guide line of an appendix, and the context of the placeholders catalog
and profile text may hold (`unit_context` for task catalogs, `text_context` for the plan
body). `render_text` fills a text's placeholders (resolve.placeholders), a problem said as
one line naming whose text it was.
"""

from __future__ import annotations

from dataclasses import replace

from generator.core.errors import UserError, Where
from generator.model.document import Document, merged
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.resolve.placeholders import PlaceholderError, fill
from generator.resolve.scope import Scope

BLANK_NUMBER = " " * 6  # the room left for a plan number the văn thư writes in


def render_text(source: str, context: dict, owner: str, where: Where | None = None) -> str:
    """Catalog and profile text is data: only ``{{ … }}`` placeholders, names checked."""
    try:
        return fill(source, context)
    except PlaceholderError as exc:
        raise UserError(f"{owner}: {exc.message}", where) from None


def short_name(kind: KindView, unit: Unit) -> str:
    """How the unit calls itself in running text: "xã", "phường", "Sở", "Ban", "tỉnh"; for
    a kind without one, the head of the unit's name ("Trung tâm", "Bệnh viện", "Trường")."""
    return unit.short or kind.short or name_head(unit.name)


def name_head(name: str) -> str:
    """The words a body's name starts with, before its proper part: its first word and the
    lower-case words after it ("Trung tâm Phục vụ …" -> "Trung tâm", "Ban Quản lý …" ->
    "Ban")."""
    words = name.split()
    head = words[:1]
    for word in words[1:]:
        if not word[:1].islower():
            break
        head.append(word)
    return " ".join(head)


def proper_name(unit: Unit, short: str) -> str:
    """The unit's name without its level word: "xã Đình Lập" -> "Đình Lập"."""
    name = unit.name
    if short and name.casefold().startswith(short.casefold() + " "):
        return name[len(short) + 1 :]
    return name


def unit_context(
    kind: KindView, unit: Unit, slug: str, year: int, scope: Scope | None = None
) -> dict:
    """The names catalog text and kind defaults may use (and nothing else): the unit, its
    kind, the year and, within an edition, the province and the edition's own sentences."""
    context = {
        "unit": {"name": unit.name, "slug": slug, "short": short_name(kind, unit)},
        "kind": kind.id,
        "year": year,
    }
    if scope is not None:
        context.update(scope.names())
    return context


def plan_number(unit: Unit) -> str:
    """'235'; '05' below 10 (Nghị định 30); a run of spaces while unassigned."""
    number = unit.plan.number
    if number is None:
        return BLANK_NUMBER
    return "0" + number if len(number) == 1 else number


def plan_symbol(kind: KindView, unit: Unit) -> str | None:
    return unit.plan.symbol or kind.plan_symbol


def missing_symbol(kind: KindView, who: str, where: Where | None = None) -> UserError:
    where = replace(where or Where(), field="plan.symbol")
    return UserError(
        f"{who}: thiếu ký hiệu kế hoạch (plan.symbol, ví dụ KH-SYT): loại "
        f'"{kind.id}" không có ký hiệu chung',
        where,
    )


def issuer_text(kind: KindView, unit: Unit, slug: str, scope: Scope | None = None) -> str:
    """The issuer in running text: "Ủy ban nhân dân xã", "Sở Y tế"."""
    if unit.issuer:
        return unit.issuer
    if kind.issuer:
        context = unit_context(kind, unit, slug, unit.plan.date.year, scope)
        return render_text(kind.issuer, context, f'loại đơn vị "{kind.id}": issuer')
    return unit.name


def issuing_body(kind: KindView, unit: Unit, slug: str, scope: Scope | None = None) -> str:
    """The issuing body named in full: "Ủy ban nhân dân xã Đình Lập", "Sở Y tế"."""
    issuer = issuer_text(kind, unit, slug, scope)
    short = short_name(kind, unit)
    if issuer.casefold().endswith(" " + short.casefold()) and unit.name.casefold().startswith(
        short.casefold() + " "
    ):
        return issuer[: -len(short)] + unit.name
    return issuer


def guide_line(kind: KindView, unit: Unit, slug: str = "", scope: Scope | None = None) -> str:
    """'(Kèm theo Kế hoạch số 235/KH-UBND ngày 06/7/2026 của Ủy ban nhân dân xã)'."""
    plan = unit.plan
    symbol = plan_symbol(kind, unit)
    if not symbol:
        raise missing_symbol(kind, f'đơn vị "{slug}"')
    when = plan.date.long() if plan.long_date else f"ngày {plan.date.short()}"
    issuer = issuer_text(kind, unit, slug, scope)
    return f"(Kèm theo Kế hoạch số {plan_number(unit)}/{symbol} {when} của {issuer})"


class TextContext:
    """The names plan text may use, built once per unit (see `text_context`)."""

    def __init__(
        self, kind: KindView, unit: Unit, slug: str, year: int, scope: Scope | None = None
    ) -> None:
        base = unit_context(kind, unit, slug, year, scope)
        short = base["unit"]["short"]
        base["unit"] = {**base["unit"], "proper": proper_name(unit, short)}
        base["last_year"] = year - 1
        self.values = base
        owner = f'loại đơn vị "{kind.id}"'
        self.roles: dict[str, list[str]] = {}
        for role, bodies in {**kind.roles, **unit.roles}.items():
            self.roles[role] = [render_text(b, base, f'{owner}: vai trò "{role}"') for b in bodies]
        base["role"] = {r: ", ".join(b) for r, b in self.roles.items() if b}
        parent = unit.parent or (scope.parent if scope is not None else None)
        if parent is not None:
            base["parent"] = {
                "title": parent.title,
                "issuer": parent.issuer,
                "date": parent.date.short(),
                "deadline_days": parent.deadline_days,
            }
        try:
            base["issuer"] = issuer_text(kind, unit, slug, scope)
        except UserError:
            pass  # reported where the issuer is used

    def add_document(self, document: Document) -> None:
        report = {"to": document.report_to, "every": document.report_every}
        self.values["report"] = {k: v for k, v in report.items() if v}


def text_context(
    kind: KindView, unit: Unit, slug: str, year: int, scope: Scope | None = None
) -> dict:
    """The names plan text may use: unit.name, unit.short, unit.proper, unit.slug, kind, year,
    issuer, parent.title/issuer/date/deadline_days, role.<role>, report.to/every, and within
    an edition province.name/full/level and edition.<text>."""
    context = TextContext(kind, unit, slug, year, scope)
    context.add_document(merged(kind.document, unit.document))
    return context.values
