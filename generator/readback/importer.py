"""`plangen import`: an issued appendix DOCX -> a catalog YAML (the flow run backwards).

    DOCX table (docxread) -> rows -> bodies matched to roles (bodies, roles)
    -> catalog (build) -> YAML (yamlout), read back; tried like `plangen validate` (trial)

Bodies are recognised from the importing unit's own profile; a body the unit does not know
stays out of the catalog (catalogs hold roles only): the report prints a unit-profile
override that keeps the literal names for that unit. See docs/import.md for why. Nothing is
written on an error.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from generator.core.errors import UserError, Where
from generator.core.parallel import WorkerDied, forked_map
from generator.core.text import check_slug
from generator.model import yamlfile
from generator.model.fields import ID_PATTERN
from generator.model.workspace import Workspace
from generator.readback.build import Builder
from generator.readback.docxread import read_table
from generator.readback.hints import same_file
from generator.readback.report import ImportReport
from generator.readback.titles import year_of
from generator.readback.trial import frozen, problems_at, provisional, relocate
from generator.readback.yamlout import catalog_yaml, header
from generator.write.files import check_free, write_atomic


def import_appendix(
    ws: Workspace,
    source: Path,
    slug: str,
    catalog_id: str,
    out: Path | None,
    force: bool,
    *,
    today: dt.date | None = None,
) -> ImportReport:
    """Read the appendix table of `source` as unit `slug` writes it and write the catalog
    `catalog_id` (to `out`, default catalogs/<id>.yaml); nothing is written on an error."""
    if not re.match(ID_PATTERN, catalog_id):
        raise UserError(
            f'mã catalog "{catalog_id}" không hợp lệ: chỉ dùng chữ thường không dấu, số và "-" '
            "(ví dụ sipas-2027)"
        )
    unit = ws.unit(check_slug(slug)).model
    kind = ws.kind_of(slug)
    target = out if out is not None else ws.catalog_dir / f"{catalog_id}.yaml"
    other = ws.catalogs.get(catalog_id)
    if other is not None and not same_file(other.path, target):
        raise UserError(
            f'mã catalog "{catalog_id}" đã có ở {Where(other.path)}: chọn mã khác (--id)',
            Where(target),
        )
    check_free(target, force)
    table = read_table(source)
    if not any(r.kind == "task" for r in table.rows):
        raise UserError("bảng nhiệm vụ không có dòng nhiệm vụ nào", Where(source))

    year = year_of(table, source)
    report = ImportReport(path=target, source=source.name, unit=slug, catalog_id=catalog_id)
    catalog = Builder(ws, kind, unit, slug, table, report, target, year).build(catalog_id)
    schema = same_file(target.parent, ws.catalog_dir)
    when = today or dt.date.today()
    data = catalog.data()
    loaded, lines = provisional(target, data)
    jobs = {  # on two cores at once: the YAML written, and the trial
        "yaml": lambda: catalog_yaml(
            catalog, header(catalog, source.name, unit.name, slug, when, schema)
        ),
        "trial": lambda: problems_at(ws, loaded, target),
    }
    done = dict(forked_map(lambda name: jobs[name](), list(jobs)))
    for name, result in done.items():
        if isinstance(result, WorkerDied):  # a worker killed: do its part here
            done[name] = jobs[name]()
    text = done["yaml"]
    report.problems = relocate(done["trial"], lines, _read_back(text, target, data))
    write_atomic(target, text.encode("utf-8"), force)
    return report


def _read_back(text: str, target: Path, data: dict) -> dict:
    """The line and column of each value of the written `text`, read as plangen reads a
    catalog; it must give `data` again (a failure is a bug here, never the user's)."""
    try:
        doc = yamlfile.parse_text(target, text)
    except UserError as exc:
        raise RuntimeError(f"import: catalog ghi ra không đọc lại được ({exc})") from None
    if doc.data != frozen(data):
        raise RuntimeError("import: YAML ghi ra không đọc lại đúng dữ liệu")
    return doc.places
