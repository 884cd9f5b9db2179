"""A report as one DOCX, laid out as the plan body (Nghị định 30): the body on A4 portrait
with the plan's "KH …" styles, the Nghị định 30 header and signature block of
render/plan.py, a centred "Kính gửi" line under the trích yếu, then the progress table in
its own A4 landscape section, filled from templates/appendix.docx as an appendix is.

It is render/plan.py's `render_plan`, given the "Kính gửi" line to place under the title.
"""

from __future__ import annotations

from generator.model.workspace import Workspace
from generator.render.appendix import appendix_parts
from generator.render.ooxml import el
from generator.render.plan import body_styles, paragraph_xml, render_plan
from generator.render.template import load_template
from generator.resolve.appendix import Appendix
from generator.resolve.plan import Paragraph, Plan


def report_docx(ws: Workspace, plan: Plan, table: Appendix, addressee: str | None = None) -> bytes:
    """The report's DOCX bytes: `plan` (a report in the shape of a plan body) with its
    `addressee` line ("Kính gửi: …") under the trích yếu, then `table` in landscape."""
    template = load_template(ws.template)
    greeting = ""
    if addressee:
        greeting = paragraph_xml(
            Paragraph("text", 1, "", addressee),
            el("w:spacing", before=240, after=120),
            el("w:ind", firstLine=0),
            el("w:jc", val="center"),
        )
    parts = appendix_parts(template, table)
    return render_plan(plan, [parts], template, body_styles(ws.plan_template), greeting)
