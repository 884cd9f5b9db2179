"""A template with Jinja of its own, rendered by docxtpl in the template sandbox.

Only a template that holds more than the four placeholders comes here (render/template.py);
docxtpl, Jinja and the sandbox are imported by this module alone, so a plain template never
loads them. Every fault of the template's Jinja is one Vietnamese line naming the part and
paragraph.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import TemplateError

from generator.core.errors import UserError, Where
from generator.render.sandbox import RefusedTemplate, jinja_message, template_environment


def render_docxtpl(path: Path, data: bytes, context: dict) -> dict[str, bytes]:
    """docxtpl's own render (body, headers, footers, properties) in the template sandbox."""
    tpl = DocxTemplate(io.BytesIO(data))
    where = Where(path)
    try:
        tpl.render(context, jinja_env=template_environment(), autoescape=True)
    except RefusedTemplate as exc:
        raise UserError(f"mẫu, {_part(tpl, exc)}: {exc.message}" + _near(exc), where) from None
    except TemplateError as exc:
        message = f"mẫu, {_part(tpl, exc)}: thẻ Jinja sai: {jinja_message(exc)}" + _near(exc)
        raise UserError(message, where) from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:  # a value's fault
        raise UserError(
            f"mẫu, {_part(tpl, exc)}: phép tính không làm được ({type(exc).__name__})", where
        ) from None
    except Exception as exc:  # the filled XML does not parse (lxml): a tag cut by Jinja
        if type(exc).__module__.startswith("lxml"):
            raise UserError(
                f"mẫu, {_part(tpl, exc)}: sau khi điền, XML không hợp lệ (thẻ Jinja cắt "
                "ngang một phần tử Word?)",
                where,
            ) from None
        raise
    out = io.BytesIO()
    tpl.save(out)
    return document_parts(out.getvalue())


def _part(tpl, exc: Exception) -> str:
    """Where in the template: "phần thân, đoạn 3", "header1.xml, đoạn 1"."""
    part = getattr(getattr(tpl, "current_rendering_part", None), "partname", "")
    name = str(part).rsplit("/", 1)[-1]
    where = "phần thân" if name in ("", "document.xml") else name
    line = getattr(exc, "lineno", None) or 0
    return f"{where}, đoạn {max(line - 1, 1)}" if line else where


def _near(exc: Exception) -> str:
    context = getattr(exc, "docx_context", None)
    if context:
        near = " ".join(" ".join(context).split())[:80]
        return f" (gần: {near})" if near else ""
    return ""


def document_parts(rendered: bytes) -> dict[str, bytes]:
    """The parts of a DOCX docxtpl saved (our own output, trusted)."""
    with zipfile.ZipFile(io.BytesIO(rendered)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}
