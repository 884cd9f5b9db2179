"""A report as one DOCX, laid out as the plan body (Nghị định 30): the body on A4 portrait
with the plan's "KH …" styles, the Nghị định 30 header and signature block of
render/plan.py, a centred "Kính gửi" line under the trích yếu, then the progress table in
its own A4 landscape section, filled from templates/appendix.docx as an appendix is.

The pieces are render/plan.py's own (header, title, paragraphs, signature, section
properties, the joining of an appendix's section); only the order differs from a plan's,
for the "Kính gửi" line.
"""

from __future__ import annotations

from generator.model.workspace import Workspace
from generator.render.appendix import appendix_parts
from generator.render.ooxml import el, pack
from generator.render.plan import (
    _HEADER_REF,
    _appendix_body,
    _end_section,
    _p,
    body_section,
    body_styles,
    header_xml,
    paragraph_xml,
    plan_properties,
    signature_xml,
    title_xml,
)
from generator.render.template import load_template
from generator.resolve.appendix import Appendix
from generator.resolve.plan import Paragraph, Plan

_TINY = '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>'


def _body(plan: Plan, addressee: str | None) -> str:
    *paragraphs, last = plan.paragraphs or [None]
    greeting = ""
    if addressee:
        greeting = paragraph_xml(
            Paragraph("text", 1, "", addressee),
            el("w:spacing", before=240, after=120),
            el("w:ind", firstLine=0),
            el("w:jc", val="center"),
        )
    return (
        header_xml(plan)
        + title_xml(plan)
        + greeting
        + "".join(paragraph_xml(p) for p in paragraphs)
        + (paragraph_xml(last, el("w:keepNext")) if last else "")
        + signature_xml(plan)
    )


def report_docx(ws: Workspace, plan: Plan, table: Appendix, addressee: str | None = None) -> bytes:
    """The report's DOCX bytes: `plan` (a report in the shape of a plan body) with its
    `addressee` line ("Kính gửi: …"), then `table` in landscape."""
    template = load_template(ws.template)
    end = _p("KHBody", "", el("w:spacing", before=0, line=240), _TINY)
    body = _body(plan, addressee) + end
    parts = appendix_parts(template, table)
    content, sect, root = _appendix_body(parts)
    refs = "".join(_HEADER_REF.findall(sect))
    document = _end_section(body, body_section(refs)) + content + sect
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"{root}<w:body>{document}</w:body></w:document>"
    )
    styles = parts["word/styles.xml"].decode("utf-8")
    styles = styles.replace("</w:styles>", body_styles(ws.plan_template) + "</w:styles>")
    out = dict(parts)
    out["word/document.xml"] = xml.encode("utf-8")
    out["word/styles.xml"] = styles.encode("utf-8")
    out["docProps/core.xml"] = plan_properties(plan)
    return pack(out)
