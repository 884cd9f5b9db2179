"""The whole flow for one unit: load -> resolve -> render -> write.

Every output path is checked before anything is written, and each file is written
atomically, so a refused or failed run leaves the output folder as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .appendix import Appendix
from .check import validate
from .docx import load_template
from .errors import UserError, ValidationFailed
from .load import Workspace
from .pdf import INSTALL_HINT, soffice, to_pdf
from .resolve import resolve
from .text import roman_value
from .write import check_free, write_atomic

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
    catalogs = sorted(ws.catalogs.values(), key=lambda c: roman_value(c.model.appendix))
    if only:
        unknown = [
            o
            for o in only
            if o not in ws.catalogs and o not in {c.model.appendix for c in catalogs}
        ]
        if unknown:
            raise UserError(
                f'không có phụ lục/catalog "{unknown[0]}"; có: '
                + ", ".join(f"{c.model.appendix} ({c.model.id})" for c in catalogs)
            )
        catalogs = [c for c in catalogs if c.model.id in only or c.model.appendix in only]
    return [resolve(c.model, kind.model, unit.model, slug, c.digest, c.path) for c in catalogs]


def file_stem(appendix: Appendix) -> str:
    return f"{appendix.unit}-phu-luc-{appendix.numeral}-{appendix.catalog}"


@dataclass
class Options:
    out_dir: Path
    force: bool = False
    pdf: bool = False
    numbered_columns: bool = False
    tracker: bool = True


def generate(
    ws: Workspace, slug: str, options: Options, only: list[str] | None = None
) -> list[Path]:
    """Check, render and write the unit's appendices; return the paths written."""
    problems = validate(ws, [check_slug(slug)], trial=False)  # resolving comes next
    if problems:
        raise ValidationFailed(problems)
    if options.pdf and soffice() is None:
        raise UserError(INSTALL_HINT)  # before anything is written
    docs = appendices(ws, slug, only)
    template = load_template(ws.template)
    rendered = [
        (options.out_dir / f"{file_stem(a)}.docx", template.render(a, options.numbered_columns))
        for a in docs
    ]
    targets = [p for p, _ in rendered]
    if options.pdf:
        targets += [p.with_suffix(".pdf") for p, _ in rendered]
    if options.tracker and docs:
        from .models import parse_plan_date
        from .tracker import tracker_bytes

        year = docs[0].year
        plan = parse_plan_date(ws.unit(slug).model.plan.date)
        start = plan.month if plan.year == year else 1
        tracker = options.out_dir / f"{slug}-{year}-theo-doi.xlsx"
        targets.append(tracker)
        rendered.append((tracker, tracker_bytes(docs, start, year)))
    for path in targets:
        check_free(path, options.force)
    written = [write_atomic(path, data, options.force) for path, data in rendered]
    if options.pdf:
        written += [to_pdf(path, options.force) for path in written if path.suffix == ".docx"]
    return written
