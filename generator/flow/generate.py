"""The whole flow for one unit: load -> check -> resolve -> render -> write.

`render_files` produces every output of a unit in memory (file name -> bytes), nothing
written: the whole plan (body and appendices), each appendix on its own, the tracker, and
with `pdf` a PDF of each DOCX (one LibreOffice start for them all). Each appendix's table is
built once: the appendix's own file and the whole plan are made from the same filled
parts. `generate` checks, renders, then writes them all or none (write/files.write_all).
The web front end calls `render_files` too; the batch (flow/batch.py) calls `generate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.check.signature import signature_warnings
from generator.check.wording import task_lines
from generator.check.workspace import validate
from generator.core.errors import UserError, ValidationFailed
from generator.core.text import check_slug
from generator.model.unit import Unit
from generator.model.workspace import Workspace
from generator.render.appendix import appendix_docx, appendix_parts
from generator.render.pdf import INSTALL_HINT, soffice, to_pdf
from generator.render.plan import body_styles, plan_file_name, render_plan
from generator.render.template import load_template
from generator.resolve.appendix import Appendix
from generator.resolve.body import build_plan, plan_of
from generator.resolve.deadlines import stale_deadlines
from generator.resolve.scope import Bound, bind
from generator.resolve.unit import bound_appendices
from generator.write.files import write_all


def file_stem(appendix: Appendix) -> str:
    numeral = f"-{appendix.numeral}" if appendix.numeral else ""
    return f"{appendix.unit}-phu-luc{numeral}-{appendix.catalog}"


@dataclass(frozen=True)
class Options:
    out_dir: Path
    force: bool = False
    pdf: bool = False
    numbered_columns: bool = False
    tracker: bool = True
    tracker_paper: str = "auto"  # "A4", "A3", or "auto": A3 when more than 6 months are tracked
    year: int | None = None  # the plan of this year (default: the unit's newest)


def render_files(
    ws: Workspace,
    slug: str,
    options: Options,
    only: list[str] | None = None,
    warnings: list[UserError] | None = None,
) -> list[tuple[str, bytes]]:
    """Every output file of the unit's plan of `options.year` (default: its newest),
    rendered in memory: (file name, bytes), in order. Tasks due before the unit's plan date
    are added to `warnings`."""
    bound = bind(ws, check_slug(slug), options.year)
    docs = bound_appendices(bound, only)
    if warnings is not None:
        catalogs = bound.scope.edition.catalogs
        for a in docs:
            cat = catalogs[a.catalog]
            warnings += stale_deadlines(a, bound.unit, cat.path, task_lines(cat.model))
    files = documents(ws, bound, docs, options, not only, warnings)
    if options.pdf:
        files += pdf_files(files)
    if options.tracker and docs:
        files.append(tracker_file(bound.unit, slug, docs, options))
    return files


def documents(
    ws: Workspace,
    bound: Bound,
    docs: list[Appendix],
    options: Options,
    whole: bool = True,
    warnings: list[UserError] | None = None,
) -> list[tuple[str, bytes]]:
    """The unit's DOCX files: the whole plan (with `whole`), then each appendix; what is
    left to fill on the signature page is added to `warnings`."""
    template = load_template(ws.template)
    filled = [appendix_parts(template, a, options.numbered_columns) for a in docs]
    files = [
        (f"{file_stem(a)}.docx", appendix_docx(p, a)) for a, p in zip(docs, filled, strict=True)
    ]
    if whole and docs and ws.body_for(bound.scope.edition, bound.kind) is not None:
        plan = plan_of(ws, bound, docs)
        if warnings is not None:
            warnings += signature_warnings(plan, bound.loaded)
        kept = [p for a, p in zip(docs, filled, strict=True) if a.tasks]  # as in_plan
        body = render_plan(plan, kept, template, body_styles(ws.plan_template))
        files.insert(0, (plan_file_name(bound.slug, docs[0].year), body))
    return files


def plan_docx(
    ws: Workspace, slug: str, docs: list[Appendix], numbered_columns: bool = False
) -> bytes:
    """The unit's whole plan: body (portrait), then each appendix with a task (landscape)."""
    template = load_template(ws.template)
    filled = [appendix_parts(template, a, numbered_columns) for a in docs]
    plan = build_plan(ws, slug, docs)
    kept = [p for a, p in zip(docs, filled, strict=True) if a.tasks]  # as resolve.plan.in_plan
    return render_plan(plan, kept, template, body_styles(ws.plan_template))


def pdf_files(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """A PDF of each DOCX among `files`, converted together."""
    docx = [(name, data) for name, data in files if name.endswith(".docx")]
    pdfs = to_pdf(docx)
    return [
        (name.removesuffix(".docx") + ".pdf", pdf)
        for (name, _), pdf in zip(docx, pdfs, strict=True)
    ]


def tracker_file(
    unit: Unit, slug: str, docs: list[Appendix], options: Options
) -> tuple[str, bytes]:
    """The progress tracker, from the months of the unit's plan year left after its plan."""
    from generator.render.tracker import tracker_bytes  # XlsxWriter, only when it is written

    year = docs[0].year
    plan = unit.plan.date
    start = plan.month if plan.year == year else 1
    paper = options.tracker_paper
    if paper == "auto":  # more months than A4 prints legibly (docs/tracker.md)
        paper = "A4" if 13 - start <= 6 else "A3"
    return f"{slug}-{year}-theo-doi.xlsx", tracker_bytes(docs, start, year, paper=paper)


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
