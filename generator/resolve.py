"""catalog + kind defaults + unit profile -> one `Appendix` (pure, no I/O).

Layers, lowest first: the catalog's task, the kind's variant, the unit's override; roles
come from the kind's defaults, then the unit's own. Sections and tasks a kind or unit
omits are dropped, empty sections too, and every code is computed from position.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from .appendix import Appendix, ColumnSpec, Row
from .errors import UserError, Where
from .models import Catalog, Kind, Section, Task, Unit, parse_plan_date, split_role_ref
from .text import capitalize_first, day2, letter, month_vn, roman

TASK_FIELDS = ("text", "lead", "support", "deadline", "product")
BLANK_NUMBER = " " * 6
BLANK_DAY = " " * 4


@lru_cache(maxsize=1)
def _sandbox():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@lru_cache(maxsize=4096)
def _compiled(source: str):
    return _sandbox().from_string(source)


def render_text(source: str, context: dict, owner: str, where: Where | None = None) -> str:
    """Catalog text is data: only ``{{ … }}`` placeholders, in a sandbox, names checked."""
    if "{" not in source:
        return source
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    try:
        return _compiled(source).render(context)
    except SecurityError as exc:
        raise UserError(f"{owner}: chỗ giữ chỗ không được phép ({exc})", where) from None
    except TemplateError as exc:
        raise UserError(
            f"{owner}: lỗi trong chỗ giữ chỗ {{{{ … }}}}: {exc.message or exc}", where
        ) from None


def format_plan_date(year: int, month: int, day: int | None, long: bool = False) -> str:
    d = day2(day) if day else BLANK_DAY
    if long:
        return f"ngày {d} tháng {month_vn(month)} năm {year}"
    return f"ngày {d}/{month_vn(month)}/{year}"


def guide_line(kind: Kind, unit: Unit) -> str:
    plan = unit.plan
    number = plan.number
    if number is not None and len(number) == 1:
        number = "0" + number
    date = parse_plan_date(plan.date)
    symbol = plan.symbol or kind.plan_symbol
    issuer = unit.issuer or kind.issuer or unit.name
    when = format_plan_date(date.year, date.month, date.day, plan.long_date)
    return f"(Kèm theo Kế hoạch số {number or BLANK_NUMBER}/{symbol} {when} của {issuer})"


def task_fields(task: Task, kind: str) -> dict:
    """The task's text, roles, deadline and product, with `kind`'s variant laid over them."""
    fields = {f: getattr(task, f) for f in TASK_FIELDS}
    variant = task.variants.get(kind)
    if variant:
        fields.update({f: v for f in TASK_FIELDS if (v := getattr(variant, f)) is not None})
    return fields


def keeps(item: Section | Task, kind: str, omitted: set[str]) -> bool:
    """Whether a unit of `kind` that omits the ids `omitted` keeps this section or task."""
    return kind not in item.omit and item.id not in omitted


def join_bodies(bodies: list[str]) -> str:
    """Order kept, duplicates dropped (case-insensitively), first letter capitalised."""
    seen: set[str] = set()
    out = []
    for body in bodies:
        key = body.casefold()
        if key not in seen:
            seen.add(key)
            out.append(body)
    return capitalize_first("; ".join(out))


class Resolver:
    def __init__(
        self,
        catalog: Catalog,
        kind: Kind,
        unit: Unit,
        slug: str,
        catalog_hash: str = "",
        source: Path | None = None,
    ) -> None:
        self.catalog, self.kind, self.unit, self.slug = catalog, kind, unit, slug
        self.source = source
        self.catalog_hash = catalog_hash
        self.roles = {**kind.roles, **unit.roles}
        self.context = {
            "unit": {"name": unit.name, "slug": slug},
            "kind": kind.id,
            "year": catalog.year,
        }
        self.omit = set(unit.omit)

    # -- bodies
    def bodies(self, refs: list[str], task: Task) -> list[str]:
        out: list[str] = []
        for ref in refs:
            role, note = split_role_ref(ref)
            if role not in self.roles:
                raise UserError(
                    f'đơn vị "{self.slug}": vai trò "{role}" của nhiệm vụ "{task.id}" chưa được '
                    f'gán cơ quan (thêm vào roles của loại "{self.kind.id}" hoặc của đơn vị)',
                    self.where(task),
                )
            out += [f"{b} ({note})" if note else b for b in self.roles[role]]
        return out

    def where(self, task: Task) -> Where:
        return Where(self.source, task._line)

    # -- one task
    def task_cells(self, task: Task) -> dict[str, str]:
        fields = task_fields(task, self.kind.id)
        owner = f'nhiệm vụ "{task.id}"'
        cells = {
            "lead": join_bodies(self.bodies(fields["lead"], task)),
            "support": join_bodies(self.bodies(fields["support"], task)),
        }
        for key in ("text", "deadline", "product"):
            cells[key] = capitalize_first(
                render_text(fields[key], self.context, owner, self.where(task))
            )
        override = self.unit.tasks.get(task.id)
        if override:
            for key in TASK_FIELDS:
                value = getattr(override, key)
                if value is not None:
                    cells[key] = join_bodies(value) if isinstance(value, list) else value
        if not cells["lead"]:
            raise UserError(
                f'đơn vị "{self.slug}": {owner} không có cơ quan chủ trì', self.where(task)
            )
        cells["task"] = cells.pop("text")
        return cells

    def keeps(self, item: Section | Task) -> bool:
        return keeps(item, self.kind.id, self.omit)

    # -- the whole table
    def rows(self) -> list[Row]:
        depth = max(level for _, level in self.catalog.iter_sections())
        numbering: list[Callable[[int], str]] = (
            [letter, roman][-depth:] if depth <= 2 else ([letter, roman] + [str] * (depth - 2))
        )
        out: list[Row] = []

        def walk(sections: list[Section], level: int, path: tuple[str, ...]) -> None:
            n = 0
            for section in sections:
                if not self.keeps(section):
                    continue
                code = numbering[level - 1](n + 1)
                variant = section.variants.get(self.kind.id)
                title = (variant.title if variant else section.title).upper()
                mark = len(out)
                out.append(Row(code, {"task": title}, (*path, code), section.id, is_section=True))
                tasks = [t for t in section.tasks if self.keeps(t)]
                for i, task in enumerate(tasks, 1):
                    out.append(Row(str(i), self.task_cells(task), (*path, code), task.id))
                walk(section.sections, level + 1, (*path, code))
                if len(out) == mark + 1:  # nothing under it: drop, and do not count it
                    out.pop()
                else:
                    n += 1

        walk(self.catalog.sections, 1, ())
        return out

    def appendix(self) -> Appendix:
        labels = self.kind.column_labels
        columns = tuple(
            ColumnSpec(c.key, labels.get(c.key, c.label), c.width) for c in self.catalog.columns
        )
        name = f" {self.unit.name}" if self.unit.show_name else ""
        title = f"{self.catalog.title}{name} năm {self.catalog.year}".upper()
        return Appendix(
            unit=self.slug,
            unit_name=self.unit.name,
            catalog=self.catalog.id,
            catalog_hash=self.catalog_hash,
            numeral=self.catalog.appendix,
            index=self.catalog.index,
            year=self.catalog.year,
            label=f"Phụ lục {self.catalog.appendix}",
            title=title,
            guide=guide_line(self.kind, self.unit),
            columns=columns,
            rows=tuple(self.rows()),
        )


def resolve(
    catalog: Catalog,
    kind: Kind,
    unit: Unit,
    slug: str,
    catalog_hash: str = "",
    source: Path | None = None,
) -> Appendix:
    """The unit's appendix; `source` (the catalog's file) only serves error messages."""
    return Resolver(catalog, kind, unit, slug, catalog_hash, source).appendix()
