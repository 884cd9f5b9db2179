"""The listing commands: catalogs, units, tasks, roles, kinds."""

from __future__ import annotations

from typing import Annotated

import typer

from generator.cli.base import app, user_errors, workspace
from generator.core.errors import UserError


@app.command()
@user_errors
def catalogs() -> None:
    """Liệt kê các catalog và số nhiệm vụ."""
    from generator.cli.listing import print_table
    from generator.core.text import roman_value

    ws = workspace()
    rows = [
        [
            c.model.id,
            f"Phụ lục {c.model.appendix}" if c.model.appendix else "Phụ lục",
            c.model.index,
            str(c.model.year),
            str(sum(1 for _ in c.model.iter_sections())),
            str(sum(1 for _ in c.model.iter_tasks())),
        ]
        for c in sorted(ws.catalogs.values(), key=lambda c: roman_value(c.model.appendix or ""))
    ]
    print_table("Catalog", ["Mã", "Phụ lục", "Chỉ số", "Năm", "Mục", "Nhiệm vụ"], rows)


@app.command()
@user_errors
def units() -> None:
    """Liệt kê các đơn vị, loại, kế hoạch và hạn ban hành."""
    from generator.cli.listing import print_table
    from generator.resolve.deadlines import bound_deadline
    from generator.resolve.identity import guide_line
    from generator.resolve.scope import bind

    ws = workspace()
    rows = []
    for slug in sorted(ws.unit_files):
        try:  # one broken profile is one line of the table, not the end of it
            bound = bind(ws, slug)
            due = bound_deadline(bound)
            guide = guide_line(bound.kind, bound.unit, slug, bound.scope)
            plan = guide.removeprefix("(Kèm theo ").removesuffix(")")
        except UserError as exc:
            rows.append([slug, "?", f"LỖI: {str(exc).splitlines()[0]}", "", "", ""])
            continue
        edition = bound.scope.edition.id
        rows.append(
            [slug, bound.kind.id, bound.unit.name, edition, plan, due.brief() if due else ""]
        )
    headers = ["Mã", "Loại", "Tên", "Edition", "Kế hoạch", "Hạn ban hành"]
    print_table("Đơn vị", headers, rows)


@app.command()
@user_errors
def editions() -> None:
    """Liệt kê kế hoạch của các tỉnh theo năm (edition) và các đơn vị của mỗi kế hoạch."""
    from generator.cli.listing import print_table
    from generator.resolve.scope import editions_of, plan_years

    ws = workspace()
    members: dict[str, list[str]] = {e: [] for e in ws.editions}
    for slug in sorted(ws.unit_files):
        try:
            loaded = ws.unit(slug)
            years = plan_years(loaded.model)
            for edition in editions_of(ws, loaded):
                if edition.year in years:
                    members[edition.id].append(slug)
        except UserError:
            continue  # said by plangen units and validate
    rows = []
    for edition_id, edition in sorted(ws.editions.items()):
        identity = edition.identity.model
        number = identity.plan.number or "…"
        plan = f"{number}/{identity.plan.symbol} ngày {identity.plan.date.short()}"
        catalogs = ", ".join(sorted(edition.catalogs))
        rows.append([edition_id, identity.province, str(edition.year), plan, catalogs,
                     ", ".join(members[edition_id]) or "(chưa có)"])  # fmt: skip
    headers = ["Edition", "Tỉnh", "Năm", "Kế hoạch", "Phụ lục", "Đơn vị"]
    print_table("Kế hoạch của các tỉnh", headers, rows)


@app.command()
@user_errors
def tasks(
    catalog: Annotated[str | None, typer.Option("--catalog", "-c", help="Mã catalog")] = None,
) -> None:
    """Liệt kê nhiệm vụ của các catalog (mã, mục, vai trò)."""
    from generator.cli.listing import print_table
    from generator.core.text import unknown

    ws = workspace()
    chosen = list(ws.catalogs.values())
    if catalog:
        if catalog not in ws.catalogs:
            raise unknown(f'không có catalog "{catalog}"', catalog, ws.catalogs, None, "có")
        chosen = [ws.catalogs[catalog]]
    for cat in chosen:
        rows = []
        for section, _ in cat.model.iter_sections():
            for task in section.tasks:
                rows.append(
                    [
                        task.id,
                        section.id,
                        ", ".join(task.lead),
                        ", ".join(task.support),
                        ", ".join(sorted(task.variants)),
                        ", ".join(task.omit),
                    ]
                )
        print_table(
            f"{cat.model.id} ({len(rows)} nhiệm vụ)",
            ["Mã", "Mục", "Chủ trì", "Phối hợp", "Biến thể", "Bỏ ở"],
            rows,
        )


@app.command()
@user_errors
def roles() -> None:
    """Liệt kê các vai trò và cơ quan của từng loại đơn vị."""
    from generator.cli.listing import print_table

    ws = workspace()
    kinds = [ws.kind(k) for k in sorted(ws.kinds) if not ws.kinds[k].model.abstract]

    def bodies(kind, role: str) -> str:
        if role not in kind.roles:
            return "(chưa gán)"
        return "; ".join(_shown(kind, b) for b in kind.roles[role]) or "—"

    rows = [
        [role, desc] + [bodies(k, role) for k in kinds]
        for role, desc in ws.roles.model.roles.items()
    ]
    print_table("Vai trò", ["Vai trò", "Mô tả", *(k.id for k in kinds)], rows)


def _shown(kind, text: str) -> str:
    """A kind's text as a unit of that kind gets it ({{ unit.short }} filled in)."""
    from generator.check.wording import sample_unit
    from generator.resolve.identity import render_text, unit_context

    return render_text(text, unit_context(kind, sample_unit(kind), "", 0), kind.id)


@app.command("kinds")
@user_errors
def kinds_command() -> None:
    """Liệt kê các loại đơn vị: loại gốc, cách tự gọi, ký hiệu, cơ quan ban hành."""
    from generator.cli.listing import print_table

    ws = workspace()
    rows = []
    for kind_id in sorted(ws.kinds):
        k = ws.kind(kind_id)
        rows.append(
            [
                k.id + (" (gốc chung)" if k.abstract else ""),
                " -> ".join(k.chain),
                k.short or "(tên đơn vị)",
                k.plan_symbol or "(riêng từng đơn vị)",
                _shown(k, k.issuer) if k.issuer else "(tên đơn vị)",
                k.name,
            ]
        )
    print_table(
        "Loại đơn vị",
        ["Mã", "Kế thừa", "Tự gọi", "Ký hiệu", "Cơ quan ban hành", "Tên"],
        rows,
    )
