"""The whole flow for one unit: load -> resolve -> render -> write.

`render_files` produces every output of a unit in memory (file name -> bytes), nothing
written: the whole plan (body and appendices, plandoc.py), each appendix on its own, the
tracker, and with `pdf` a PDF of each DOCX. `generate` checks, renders, then writes them
all or none (see write.write_all). The web front end calls `render_files` too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.check.checks import task_lines, validate
from generator.core.errors import UserError, ValidationFailed
from generator.core.text import roman_value
from generator.model.load import Workspace
from generator.model.models import parse_plan_date
from generator.render.docx import load_template
from generator.render.pdf import INSTALL_HINT, docx_to_pdf, soffice
from generator.resolve.appendix import Appendix
from generator.resolve.deadlines import stale_deadlines
from generator.resolve.tables import resolve
from generator.write.files import write_all

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def check_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise UserError(
            f'tên đơn vị "{slug}" không hợp lệ: chỉ dùng chữ thường không dấu, '
            'số và "-" (ví dụ dinh-lap), không dùng "/" hay ".."'
        )
    return slug


def appendices(ws: Workspace, slug: str, only: list[str] | None = None) -> list[Appendix]:
    """The unit's appendices, in the order of their numerals (Phụ lục I, II, …)."""
    unit = ws.unit(check_slug(slug))
    kind = ws.kind_of(slug)
    catalogs = sorted(ws.catalogs.values(), key=lambda c: roman_value(c.model.appendix or ""))
    if only:
        known = {c.model.id for c in catalogs} | {c.model.appendix for c in catalogs}
        unknown = [o for o in only if o not in known]
        if unknown:
            raise UserError(
                f'không có phụ lục/catalog "{unknown[0]}"; có: '
                + ", ".join(f"{c.model.appendix or '-'} ({c.model.id})" for c in catalogs)
            )
        catalogs = [c for c in catalogs if c.model.id in only or c.model.appendix in only]
    try:
        return [resolve(c.model, kind, unit.model, slug, c.digest, c.path) for c in catalogs]
    except ValidationFailed as exc:
        raise exc.placed(unit.path) from None


def file_stem(appendix: Appendix) -> str:
    numeral = f"-{appendix.numeral}" if appendix.numeral else ""
    return f"{appendix.unit}-phu-luc{numeral}-{appendix.catalog}"


@dataclass
class Options:
    out_dir: Path
    force: bool = False
    pdf: bool = False
    numbered_columns: bool = False
    tracker: bool = True
    tracker_paper: str = "auto"  # "A4", "A3", or "auto": A3 when more than 6 months are tracked


def render_files(
    ws: Workspace,
    slug: str,
    options: Options,
    only: list[str] | None = None,
    warnings: list[UserError] | None = None,
) -> list[tuple[str, bytes]]:
    """Every output file of the unit, rendered in memory: (file name, bytes), in order.
    Tasks due before the unit's plan date are added to `warnings`."""
    docs = appendices(ws, slug, only)
    if warnings is not None:
        unit = ws.unit(slug).model
        for a in docs:
            cat = ws.catalogs[a.catalog]
            warnings += stale_deadlines(a, unit, cat.path, task_lines(cat.model))
    template = load_template(ws.template)
    files = [(f"{file_stem(a)}.docx", template.render(a, options.numbered_columns)) for a in docs]
    from generator.resolve.plan import has_plan_catalog

    if not only and docs and has_plan_catalog(ws):  # the whole plan: body and appendices
        from generator.render.plandoc import plan_docx, plan_file_name

        plan = plan_docx(ws, slug, docs, options.numbered_columns)
        files.insert(0, (plan_file_name(slug, docs[0].year), plan))
    if options.pdf:
        files += [
            (name.removesuffix(".docx") + ".pdf", docx_to_pdf(name, data))
            for name, data in list(files)
        ]
    if options.tracker and docs:
        from generator.render.tracker import tracker_bytes

        year = docs[0].year
        plan = parse_plan_date(ws.unit(slug).model.plan.date)
        start = plan.month if plan.year == year else 1
        paper = options.tracker_paper
        if paper == "auto":  # more months than A4 prints legibly (docs/tracker.md)
            paper = "A4" if 13 - start <= 6 else "A3"
        files.append(
            (f"{slug}-{year}-theo-doi.xlsx", tracker_bytes(docs, start, year, paper=paper))
        )
    return files


def generate(
    ws: Workspace,
    slug: str,
    options: Options,
    only: list[str] | None = None,
    warnings: list[UserError] | None = None,
) -> list[Path]:
    """Check, render and write the unit's files, all or none; return the paths written."""
    problems = validate(ws, [check_slug(slug)], trial=False)  # resolving comes next
    if problems:
        raise ValidationFailed(problems)
    if options.pdf and soffice() is None:
        raise UserError(INSTALL_HINT)  # before anything is rendered or written
    files = render_files(ws, slug, options, only, warnings)
    return write_all([(options.out_dir / name, data) for name, data in files], options.force)
