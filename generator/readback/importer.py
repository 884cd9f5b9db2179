"""`plangen import`: a province's issued documents (its Kế hoạch and its appendices, or one
appendix) -> the files of an edition (the flow run backwards).

    each DOCX: a plan (plandoc) or an appendix table (docxread)
    -> the edition and its identity (issued, editions) -> the plan body (bodybuild),
       each appendix's catalog (build: bodies matched to roles)
    -> the province's profile (profile; written with --apply)
    -> YAML, tried like `plangen validate`, read back, written all or none (commit)

Bodies are recognised from the importing unit's own profile (the province's, or its kind's
defaults for a province without a profile yet); a body the unit does not know stays out of
the catalog (catalogs hold roles only) and is kept for the unit as a profile override. See
docs/import.md and docs/editions.md. Nothing is written on an error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.dates import PlanDate
from generator.core.errors import UserError, Where
from generator.core.text import check_slug, slugify
from generator.flow.scaffold import units_folder
from generator.model.fields import ID_PATTERN
from generator.model.kinds import KindView
from generator.model.legal import advice
from generator.model.unit import Unit
from generator.model.workspace import Workspace
from generator.readback.bodybuild import BodyBuilder, BodyOut
from generator.readback.bodyout import (
    body_header,
    body_yaml,
    edited_identity,
    edition_header,
    edition_yaml,
    schema_line,
)
from generator.readback.build import Builder, Setting
from generator.readback.commit import Output, check_out, commit
from generator.readback.docxfile import open_document
from generator.readback.docxread import read_table
from generator.readback.editions import Destination, destination
from generator.readback.hints import same_file
from generator.readback.ids import taken_ids
from generator.readback.issued import Issued, from_guide, from_header, merge
from generator.readback.plandoc import SourcePlan, is_plan, read_plan
from generator.readback.profile import keep_exact, plan_profile, renamed_roles, signer_of
from generator.readback.report import ImportReport
from generator.readback.source import SourceTable, fold
from generator.readback.summary import EditionReport
from generator.readback.titles import YEAR_MAX, YEAR_MIN, Titles, acronyms_in, index_name, year_of
from generator.readback.yamlout import header as catalog_header

_TITLE_YEAR = re.compile(r"(?<!\w)năm\s+(\d{4})(?!\d)", re.IGNORECASE)


@dataclass
class Request:
    """What `plangen import` was asked."""

    sources: list[Path]
    edition: str | None = None  # --edition: the edition's id (default: from the documents)
    unit: str | None = None  # --unit: whose bodies the cells name (default: the province)
    catalog_id: str | None = None  # --id: one appendix's catalog id
    out: Path | None = None  # --out: one appendix's catalog written elsewhere
    apply: bool = False
    force: bool = False
    units_dir: Path | None = None
    today: dt.date | None = None


@dataclass
class Documents:
    plan: SourcePlan | None = None
    tables: list[tuple[Path, SourceTable]] = field(default_factory=list)


def read_documents(paths: list[Path]) -> Documents:
    """Each file recognised and read: a plan (header, KẾ HOẠCH, parts), or an appendix."""
    docs = Documents()
    for path in paths:
        doc = open_document(path)
        if is_plan(doc.element.body):
            if docs.plan is not None:
                raise UserError(
                    f"đã có một tệp Kế hoạch ({docs.plan.path.name}): mỗi lần nhập một Kế "
                    "hoạch với các phụ lục của nó",
                    Where(path),
                )
            docs.plan = read_plan(path, doc)
            continue
        table = read_table(path, doc)
        if not any(r.kind == "task" for r in table.rows):
            raise UserError("bảng nhiệm vụ không có dòng nhiệm vụ nào", Where(path))
        docs.tables.append((path, table))
    return docs


def _year(ws: Workspace, docs: Documents) -> int:
    """The year of the documents, all the same: the plan's trích yếu ("… năm 2026"), else
    its date; each appendix's title, else its guide line."""
    years: list[tuple[int, Path]] = []
    if docs.plan is not None:
        found = _TITLE_YEAR.findall(" ".join(docs.plan.title))
        date = from_header(docs.plan.header_left, docs.plan.header_right, ws.legal, "").date
        if found:
            years.append((int(found[-1]), docs.plan.path))
        elif date is not None:
            years.append((date.year, docs.plan.path))
        else:
            raise UserError(
                'không thấy năm của Kế hoạch: trích yếu cần có "năm yyyy" hoặc đầu văn bản có '
                "ngày ban hành",
                Where(docs.plan.path),
            )
    years += [(year_of(table, path), path) for path, table in docs.tables]
    first, where = years[0]
    if not YEAR_MIN <= first <= YEAR_MAX:
        raise UserError(f"năm {first} nằm ngoài khoảng {YEAR_MIN}-{YEAR_MAX}", Where(where))
    for year, path in years[1:]:
        if year != first:
            raise UserError(
                f"tệp này là của năm {year}, {where.name} của năm {first}: các tệp phải của "
                "cùng một kế hoạch",
                Where(path),
            )
    return first


def _issued(ws: Workspace, docs: Documents) -> Issued:
    """What the documents say of the province's plan, all together."""
    out = Issued()
    if docs.plan is not None:
        plan = docs.plan
        out = from_header(plan.header_left, plan.header_right, ws.legal, plan.path.name)
    for path, table in docs.tables:
        if table.guide:
            out = merge(out, from_guide(table.guide, ws.legal, path.name), Where(path))
    return out


def _given_unit(ws: Workspace, slug: str | None):
    if slug is None:
        return None, None, None
    loaded = ws.unit(check_slug(slug))
    return slug, loaded.model, ws.kind_of(slug)


def _province_unit(ws: Workspace, dest: Destination) -> tuple[str, Unit, KindView]:
    """The province's own profile, or (none yet) one made of its kind's defaults."""
    slug = dest.province_id
    if slug in ws.unit_files:
        kind = ws.kind_of(slug)
        if not kind.is_a(["province"]):
            raise UserError(
                f'hồ sơ "{slug}" không phải của một tỉnh (kind: {kind.id}): ghi --unit',
                ws.unit(slug).where("kind"),
            )
        return slug, ws.unit(slug).model, kind
    identity = dest.identity
    plan = {"date": identity["plan"]["date"]}
    if identity["plan"].get("number") is not None:
        plan["number"] = identity["plan"]["number"]
    unit = Unit.model_validate(
        {"kind": "province", "name": f"{identity['level']} {identity['province']}",
         "province": slug, "plan": plan}
    )  # fmt: skip
    return slug, unit, ws.kind("province")


def _catalog_ids(ws: Workspace, dest: Destination, docs: Documents, req: Request) -> list[str]:
    """Each appendix's catalog id: --id; else the id of the edition's catalog for the same
    appendix (imported again); else "<index>-<year>", with the province's id after it when
    another edition has that id."""
    existing = list(dest.existing.catalogs.values()) if dest.existing else []
    ids: list[str] = []
    for _, table in docs.tables:
        if req.catalog_id:
            ids.append(req.catalog_id)
            continue
        index = index_name(table.title, "")
        same = [
            c.model.id
            for c in existing
            if c.model.appendix == table.numeral and c.model.index == index
            and c.model.id not in ids
        ]  # fmt: skip
        if same:
            ids.append(same[0])
            continue
        base = slugify(index) if index else f"phu-luc-{(table.numeral or '').lower()}".strip("-")
        candidates = [f"{base}-{dest.year}", f"{base}-{dest.year}-{dest.province_id}"]
        candidates += [f"{candidates[1]}-{n}" for n in range(2, 100)]
        ids.append(next(c for c in candidates if c not in ws.catalogs and c not in ids))
    return ids


def _targets(ws: Workspace, dest: Destination, ids: list[str], req: Request) -> list[Path]:
    targets = []
    for ident in ids:
        if not re.match(ID_PATTERN, ident):
            raise UserError(
                f'mã catalog "{ident}" không hợp lệ: chỉ dùng chữ thường không dấu, số và "-" '
                "(ví dụ sipas-2027)"
            )
        target = req.out if req.out is not None else dest.folder / f"{ident}.yaml"
        other = ws.catalogs.get(ident)
        if other is not None and not same_file(other.path, target):
            raise UserError(
                f'mã catalog "{ident}" đã có ở {Where(other.path)}: chọn mã khác (--id)',
                Where(target),
            )
        targets.append(target)
    return targets


def _check(req: Request) -> None:
    if not req.sources:
        raise UserError("chưa có tệp nào để nhập")
    if req.catalog_id is not None and not re.match(ID_PATTERN, req.catalog_id):
        raise UserError(
            f'mã catalog "{req.catalog_id}" không hợp lệ: chỉ dùng chữ thường không dấu, số và '
            '"-" (ví dụ sipas-2027)'
        )


def import_documents(ws: Workspace, req: Request) -> EditionReport:
    """Import `req.sources` into an edition; nothing is written on an error."""
    _check(req)
    docs = read_documents(req.sources)
    if (req.catalog_id or req.out) and (len(docs.tables) != 1 or docs.plan is not None):
        raise UserError("--id và --out chỉ dùng khi nhập một phụ lục (một tệp, không có Kế hoạch)")
    if req.out is not None:
        check_out(ws, req.out, req.catalog_id)
    if not docs.tables and docs.plan is None:
        raise UserError("không có tệp nào để nhập")
    year = _year(ws, docs)
    slug, unit, kind = _given_unit(ws, req.unit)
    if req.apply and kind is not None and not kind.is_a(["province"]):
        raise UserError(
            f'--apply cập nhật hồ sơ của tỉnh; "{slug}" là loại "{kind.id}": bỏ --apply, hoặc '
            "nhập với --unit là tỉnh"
        )
    body = BodyBuilder(docs.plan, year) if docs.plan is not None else None
    found = body.build() if body is not None else None
    extra = {"target": found.target, "deadline_days": found.deadline_days} if found else {}
    first = Where(req.sources[0])
    dest = destination(ws, _issued(ws, docs), year, unit, req.edition, extra, req.force, first)
    if unit is None:
        slug, unit, kind = _province_unit(ws, dest)
    assert slug is not None and kind is not None
    report = _heading(dest, found, docs, slug)
    when = req.today or dt.date.today()
    setting = Setting(ws, kind, unit, slug)
    outputs = _catalogs(ws, dest, docs, req, setting, report, when)
    if body is not None and found is not None:
        outputs.insert(0, _body(ws, dest, body, docs, unit, kind, outputs, report, when))
    if dest.writes:  # with --out, only tried: the catalog is written outside any edition
        outputs.insert(0, _identity(ws, dest, outputs, when))
        outputs[0].write = req.out is None
    if req.out is None and kind.is_a(["province"]):
        _profile(ws, dest, slug, docs, setting, outputs, report, req)
    profile_slug = slug if any(o.what == "profile" for o in outputs) else None
    written, shared = commit(ws, dest, outputs, body is not None, profile_slug, req.force)
    catalogs = iter(report.appendices)
    for out in outputs:
        if out.what == "catalog":
            next(catalogs).problems = out.problems
        else:
            report.problems += out.problems
    report.problems += shared
    report.written = written
    return report


def _profile(ws, dest, slug: str, docs: Documents, setting: Setting, outputs: list[Output],
             report: EditionReport, req: Request) -> None:  # fmt: skip
    """The province's profile as --apply leaves it: an output with --apply, else the
    report's lines of what it would change."""
    reports = report.appendices
    renames = renamed_roles(ws, slug, reports, setting.bodies)
    keep_exact(reports, [o.data for o in outputs if o.what == "catalog"], setting.bodies, renames)
    tasks: dict = {}
    for r in reports:
        for task, cells in r.profile_tasks().items():
            tasks.setdefault(task, {}).update(cells)
    units_dir = req.units_dir or units_folder(ws, [])[0]
    roles = {role: [name] for role, name in renames.items()}
    change = plan_profile(ws, dest, slug, docs.plan, tasks, units_dir, roles)
    report.profile, report.profile_path, report.applied = change.lines, change.path, req.apply
    if req.apply and change.text is not None:
        outputs.append(Output(change.path, "profile", change.text, original=change.original))


def _heading(dest: Destination, body: BodyOut | None, docs: Documents, slug: str):
    identity = dest.identity
    plan = identity["plan"]
    number = plan.get("number") or "…"
    date = PlanDate.parse(plan["date"]).short().strip()
    state = "mới" if dest.existing is None else "đã có"
    report = EditionReport(dest.id, unit=slug)
    report.heading = (
        f"{dest.id} ({state}): {identity['level']} {identity['province']}, Kế hoạch số "
        f"{number}/{plan.get('symbol', 'KH-UBND')} ngày {date}, {identity['issuer']}"
    )
    report.identity = list(dest.notes)
    if body is not None:
        if body.target:
            report.identity.append(f"texts.target (từ {body.target_from}): {body.target}")
        else:
            report.identity.append(
                'không thấy câu mục tiêu ("Phấn đấu …") trong thân kế hoạch: kế hoạch cấp dưới '
                "dùng câu chung; thêm texts.target vào edition.yaml nếu cần"
            )
    elif dest.existing is None:
        report.identity.append(
            "chưa có câu mục tiêu của tỉnh (texts.target): kế hoạch cấp dưới dùng câu chung; "
            "nhập cùng tệp Kế hoạch hoặc thêm texts.target vào edition.yaml"
        )
    return report


def _catalogs(ws, dest, docs, req, setting: Setting, report, when) -> list[Output]:
    ids = _catalog_ids(ws, dest, docs, req)
    targets = _targets(ws, dest, ids, req)
    written = {t.resolve() for t in targets}
    province = [
        c.model
        for e in ws.editions.values()
        if e.province_id == dest.province_id
        for c in e.catalogs.values()
        if c.path.resolve() not in written
    ]
    setting.taken = taken_ids(province)
    setting.others = [c.model for c in (dest.existing.catalogs.values() if dest.existing else ())
                      if c.path.resolve() not in written]  # fmt: skip
    setting.names = (dest.province, dest.identity["issuer"])
    outputs = []
    for (path, table), ident, target in zip(docs.tables, ids, targets, strict=True):
        r = ImportReport(path=target, source=path.name, unit=setting.slug, catalog_id=ident)
        catalog = Builder(setting, table, r, target, dest.year).build(ident)
        setting.taken |= {s.id for s in catalog.all_sections()}
        setting.taken |= {t.id for s in catalog.all_sections() for t in s.tasks}
        setting.others.append(catalog)
        schema = schema_line(target, ws.root, "catalog.schema.json")
        head = catalog_header(catalog, path.name, setting.unit.name, setting.slug, when, schema)
        outputs.append(Output(target, "catalog", data=catalog, header=head))
        report.appendices.append(r)
    return outputs


def _body(ws, dest, builder: BodyBuilder, docs, unit, kind, outputs, report, when):
    """The plan body's file (the edition's body for the province, if it has one)."""
    plan = docs.plan
    appendices = {}
    if dest.existing is not None:
        appendices = {c.model.appendix or "": c.model.id for c in dest.existing.catalogs.values()}
    appendices.update({o.data.appendix or "": o.data.id for o in outputs})
    names = [unit.name, dest.province, dest.identity["issuer"]]
    names += [b for bodies in kind.roles.values() for b in bodies if "{" not in b]
    titles = Titles(acronyms_in(p.text for p in plan.paragraphs), names)
    body = builder.finish(titles, appendices, unit.name)
    own = [
        b for b in (dest.existing.bodies if dest.existing else ()) if "province" in b.model.kinds
    ]
    path = own[0].path if own else dest.folder / f"ke-hoach-{dest.year}.yaml"
    said = _plan_issued(dest).said()
    head = body_header(schema_line(path, ws.root, "plan.schema.json"), said,
                       f"{dest.identity['level']} {dest.province}", dest.year, plan.path.name,
                       when)  # fmt: skip
    counts = ", ".join(f"{n} {what}" for what, n in body.counts.items())
    report.body = [f"{plan.path.name} -> {path.name}: {counts}"]
    report.body += body.refers
    signer = signer_of(plan.signer)
    report.body.append(
        f"Nơi nhận: {len(plan.recipients)} mục; người ký: "
        + " / ".join(v for v in signer.values() if v)
        if plan.signer or plan.recipients
        else 'không thấy bảng "Nơi nhận" và chữ ký'
    )
    report.body_notes = plan.notes + body.notes
    for para in plan.paragraphs:
        for name, abolished in ws.legal.abolished(para.text):
            report.legal.append(f'thân kế hoạch, "{fold(para.text)[:40]}…": '
                                f"{advice(name, abolished)}")  # fmt: skip
    return Output(path, "body", body_yaml(body.data, head), data=body.data)


def _plan_issued(dest: Destination) -> Issued:
    plan = dest.identity["plan"]
    return Issued(
        province=dest.province,
        number=str(plan["number"]) if plan.get("number") else None,
        symbol=plan.get("symbol", "KH-UBND"),
        date=PlanDate.parse(plan["date"]),
        issuer=dest.identity["issuer"],
        numbered=True,
    )


def _identity(ws: Workspace, dest: Destination, outputs: list[Output], when) -> Output:
    """edition.yaml: written new, or edited in place (what the documents add)."""
    path = dest.path
    if dest.existing is not None:
        original = path.read_bytes()
        text = edited_identity(original.decode("utf-8"), dest.changes)
        return Output(path, "edition", text, original=original)
    files = [o.path.name for o in outputs]
    head = edition_header(schema_line(path, ws.root, "edition.schema.json"),
                          _plan_issued(dest).said(), f"{dest.identity['level']} {dest.province}",
                          dest.year, files, when)  # fmt: skip
    return Output(path, "edition", edition_yaml(dest.identity, head))


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
    """One appendix read as unit `slug` writes it, into the catalog `catalog_id` of the
    edition of the unit's province and the table's year (or into `out`)."""
    req = Request([source], unit=slug, catalog_id=catalog_id, out=out, force=force, today=today)
    return import_documents(ws, req).appendices[0]
