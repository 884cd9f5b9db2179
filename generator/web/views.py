"""What the pages show, built from the core's values: the units table, a profile's form
fields with the kind's defaults, the omission checkboxes, the downloads.

Nothing here reads a request or writes a file; the routers call these and fill the
templates (the plan body's layout is planview's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.core.dates import PlanDate, short
from generator.core.errors import UserError
from generator.core.files import size_text
from generator.core.text import roman_value
from generator.flow.generate import file_stem
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.model.workspace import Workspace
from generator.resolve.appendix import Appendix
from generator.resolve.deadlines import bound_deadline
from generator.resolve.identity import render_text, text_context, unit_context
from generator.resolve.scope import bind, current_scope
from generator.resolve.tables import Resolver, keeps
from generator.web.checking import no_paths
from generator.web.profiles import ROLE_PREFIX, SCALARS, Values, role_field


def plan_label(kind: KindView | None, unit: Unit) -> str:
    """'Số 235/KH-UBND, ngày 06/7/2026'; blanks shown as '…' while unassigned."""
    symbol = unit.plan.symbol or (kind.plan_symbol if kind else None) or "?"
    number = unit.plan.number or "…"
    return f"Số {number}/{symbol}, ngày {unit.plan.date.short().replace(' ' * 4, '…')}"


@dataclass
class UnitRow:
    slug: str
    name: str = ""
    kind: str = ""
    plan: str = ""
    due: str = ""
    late: bool = False
    error: str = ""  # the profile does not load: nothing else to show
    problems: tuple[str, ...] = ()  # it loads, but the check fails: no plan from it yet


def unit_rows(
    ws: Workspace, visible: Callable[[str], bool], problems_of: Callable[[str], tuple[str, ...]]
) -> list[UnitRow]:
    """The units `visible` lets the viewer see; `problems_of(slug)`: what the whole check
    finds wrong with a unit's saved profile."""
    rows = []
    for slug in sorted(ws.unit_files):
        if not visible(slug):
            continue
        row = UnitRow(slug)
        try:
            unit = ws.unit(slug).model
            row.name = unit.name
            kind = ws.kind_of(slug)
            row.kind = kind.name
            bound = bind(ws, slug)
            row.plan = plan_label(kind, bound.unit)
            due = bound_deadline(bound)
            if due:
                row.due, row.late = short(due.due), due.late
        except UserError as exc:
            row.error = no_paths(exc.problems[0].message, ws.root)
        if not row.error:
            row.problems = problems_of(slug)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- the form


@dataclass
class RoleRow:
    role: str
    field: str
    description: str
    defaults: list[str]  # the kind's bodies for this unit ("" list: none at this level)
    in_kind: bool
    value: str  # the override, one body per line


@dataclass
class OmitItem:
    ident: str
    text: str
    level: int
    is_section: bool
    checked: bool


@dataclass
class OmitGroup:
    label: str
    items: list[OmitItem] = field(default_factory=list)


def _fill(text: str, context: dict) -> str:
    """A kind default with its placeholders filled, through the core's sandbox when it can."""
    if "{" not in text:
        return text
    try:
        return render_text(text, context, "mặc định")
    except Exception:  # noqa: BLE001 - a preview hint only; the check reports real errors
        return text


def kind_context(
    ws: Workspace, kind: KindView | None, unit: Unit | None, slug: str, values: Values
) -> dict:
    """The names a kind's defaults may use, for this unit (the core's own context when the
    profile is valid; a close stand-in while it is not)."""
    try:
        year = PlanDate.parse(str(values.get("plan_date") or "")).year
    except ValueError:
        year = dt.date.today().year
    if kind is not None and unit is not None:
        scope = current_scope(ws, unit)
        for getter in (text_context, unit_context):
            try:
                return getter(kind, unit, slug, year, scope)
            except Exception:  # noqa: BLE001 - a hint only; the check reports real errors
                continue
    name = (unit.name if unit else str(values.get("name") or "")) or slug
    short_name = (unit.short if unit else None) or (kind.short if kind else None) or ""
    if not short_name and name:
        short_name = name.split()[0]
    return {
        "unit": {"name": name, "slug": slug, "short": short_name},
        "kind": kind.id if kind else "",
        "year": year,
    }


def role_rows(ws: Workspace, kind: KindView | None, values: Values, context: dict) -> list[RoleRow]:
    declared = dict(ws.roles.model.roles) if ws.roles else {}
    kind_roles = kind.roles if kind else {}
    names = list(declared) + [r for r in kind_roles if r not in declared]
    names += [
        n[len(ROLE_PREFIX) :]
        for n in values
        if n.startswith(ROLE_PREFIX) and n[len(ROLE_PREFIX) :] not in names
    ]
    rows = []
    for role in names:
        defaults = [_fill(b, context) for b in kind_roles.get(role, [])]
        value = values.get(role_field(role), ())
        rows.append(
            RoleRow(
                role=role,
                field=role_field(role),
                description=declared.get(role, "Vai trò chưa khai báo trong roles.yaml"),
                defaults=defaults,
                in_kind=role in kind_roles,
                value="\n".join(value) if isinstance(value, tuple) else str(value),
            )
        )
    # The kind's own roles first (what the clerk is most likely to change), then the rest.
    return [r for r in rows if r.in_kind or r.value] + [
        r for r in rows if not (r.in_kind or r.value)
    ]


def omit_groups(
    ws: Workspace, kind: KindView | None, unit: Unit | None, slug: str, values: Values
) -> list[OmitGroup]:
    """Every task and section the kind keeps, per catalog, checked when the unit omits it."""
    omitted = set(values.get("omit") or ())
    groups = []
    seen: set[str] = set()
    scope = current_scope(ws, unit) if unit is not None else None
    mine = scope.edition.catalogs if scope is not None else ws.catalogs
    catalogs = sorted(mine.values(), key=lambda c: roman_value(c.model.appendix or ""))
    for cat in catalogs:
        m = cat.model
        group = OmitGroup(f"Phụ lục {m.appendix} ({m.index})" if m.appendix else m.index)
        rows = None
        if kind is not None and unit is not None:
            try:
                whole = unit.model_copy(update={"omit": []})
                rows = Resolver(m, kind, whole, slug, scope=scope).appendix().rows
            except (UserError, ValueError):
                rows = None
        if rows is not None:
            for row in rows:
                text = row.cells.get("task", "")
                group.items.append(
                    OmitItem(
                        row.ident,
                        f"{row.code}. {_shorten(text)}",
                        len(row.path) - (0 if row.is_section else -1),
                        row.is_section,
                        row.ident in omitted,
                    )
                )
                seen.add(row.ident)
        else:
            for section, level in m.iter_sections():
                if kind is not None and not keeps(section, kind, set()):
                    continue
                group.items.append(
                    OmitItem(
                        section.id, _shorten(section.title), level, True, section.id in omitted
                    )
                )
                seen.add(section.id)
                for task in section.tasks:
                    if kind is not None and not keeps(task, kind, set()):
                        continue
                    group.items.append(
                        OmitItem(task.id, _shorten(task.text), level + 1, False, task.id in omitted)
                    )
                    seen.add(task.id)
        groups.append(group)
    unknown = [i for i in values.get("omit") or () if i not in seen]
    if unknown:
        group = OmitGroup("Mã trong hồ sơ nhưng không có trong danh mục")
        group.items = [OmitItem(i, i, 1, False, True) for i in unknown]
        groups.append(group)
    return groups


def _shorten(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def placeholders(kind: KindView | None, context: dict) -> dict[str, str]:
    """The kind's defaults shown greyed in the empty fields."""
    out = {name: "" for name in SCALARS}
    if kind is None:
        return out
    out["plan_symbol"] = kind.plan_symbol or "ví dụ KH-SYT (bắt buộc với loại này)"
    doc = kind.document
    if doc is not None:
        out["place"] = _fill(doc.place or "", context)
        signer = doc.signer
        if signer is not None:
            for key in ("on_behalf", "deputy", "title", "name"):
                out[f"signer_{key}"] = _fill(getattr(signer, key) or "", context)
    out["plan_date"] = "ngày/tháng/năm"
    out["plan_number"] = "bỏ trống để văn thư điền"
    return out


# --------------------------------------------------------------------------- downloads


@dataclass(frozen=True)
class Download:
    name: str
    label: str  # what the file is: "Phụ lục II (SIPAS)"; the PDF link's name says it too
    kind: str  # "docx", "xlsx"
    size: str
    pdf: str | None = None  # the PDF's file name, when LibreOffice is installed


def downloads(files: list[tuple[str, bytes]], apps: list[Appendix], pdf: bool) -> list[Download]:
    labels = {f"{file_stem(a)}.docx": f"{a.label} ({a.index})" for a in apps}
    out = []
    for name, data in files:
        ext = name.rsplit(".", 1)[-1]
        if name in labels:
            text = labels[name]
        elif ext == "xlsx":
            text = "Tệp Excel theo dõi tiến độ"
        elif "-ke-hoach-" in name:
            text = "Kế hoạch (văn bản kèm các phụ lục)"
        else:
            text = name
        pdf_name = name[: -len(".docx")] + ".pdf" if pdf and ext == "docx" else None
        out.append(Download(name, text, ext, size_text(len(data)), pdf_name))
    # the whole plan first, then the appendices in order, the tracker last
    return sorted(out, key=lambda d: 0 if "-ke-hoach-" in d.name else 1 if d.kind == "docx" else 2)
