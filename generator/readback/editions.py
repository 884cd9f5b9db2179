"""Which edition an import goes into (catalogs/editions/<province>-<year>/) and that edition's
identity (edition.yaml) as the documents give it.

The province and the year come from the documents (the plan's header and trích yếu, or an
appendix's title and guide line), else from the importing unit (its `province` or
`edition`) or `--edition`; the edition is `<province>-<year>`. A new edition takes its
identity from the documents: the province and its level, the plan's number, symbol and date,
the issuer, the days the units have (the plan's "trong 15 ngày", else the province's last
edition, else 15) and the province's target sentence. An existing edition keeps its
identity: what the documents add (a number or a day a draft left blank, a target sentence)
is added, what they contradict (another number, another date) is refused without --force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.core.errors import UserError, Where
from generator.core.text import slugify
from generator.model.edition import EditionFile
from generator.model.folder import Edition, Workspace
from generator.model.unit import Unit
from generator.readback.issued import Issued

DEADLINE_DAYS = 15  # the usual "trong 15 ngày"
EDITION_FILE = "edition.yaml"


@dataclass
class Destination:
    """The edition an import writes into, and its identity once the import is done."""

    id: str
    folder: Path
    existing: Edition | None
    identity: dict  # edition.yaml's data after the import (plain)
    changes: dict[tuple, object] = field(default_factory=dict)  # key path -> new value
    notes: list[str] = field(default_factory=list)  # what was read, where (the report)

    @property
    def year(self) -> int:
        return self.identity["year"]

    @property
    def province(self) -> str:
        return self.identity["province"]

    @property
    def province_id(self) -> str:
        return slugify(self.identity["province"])

    @property
    def path(self) -> Path:
        return self.folder / EDITION_FILE

    @property
    def writes(self) -> bool:
        """Whether edition.yaml is written (a new edition, or one the import adds to)."""
        return self.existing is None or bool(self.changes)

    def model(self) -> EditionFile:
        return EditionFile.model_validate(self.identity)


def province_of(ws: Workspace, issued: Issued, unit: Unit | None, edition_id: str | None):
    """(province, level) of the documents, else of `--edition`, else of the unit."""
    if issued.province:
        return issued.province, issued.level or "tỉnh"
    known = ws.editions.get(edition_id) if edition_id else None
    if known is None and unit is not None and unit.edition:
        known = ws.editions.get(unit.edition)
    if known is not None:
        return known.province, known.identity.model.level
    ident = unit.province if unit is not None else None
    ids = sorted({e.province_id for e in ws.editions.values()})
    if ident is None and unit is None and edition_id:
        ident = next((i for i in ids if edition_id.startswith(i + "-")), None)
    if ident is None and len(ids) == 1:
        ident = ids[0]
    if ident is not None:
        for e in sorted(ws.editions.values(), key=lambda e: -e.year):
            if e.province_id == ident:
                return e.province, e.identity.model.level
        for p in ws.legal.provinces:
            if slugify(p.name) == ident:
                return p.name, p.level
    raise UserError(
        "không biết kế hoạch của tỉnh nào: tài liệu không có tên tỉnh (đầu văn bản hoặc dòng "
        '"(Kèm theo Kế hoạch số … của UBND tỉnh …)"); ghi --edition <tỉnh>-<năm> hoặc --unit'
    )


def _previous(ws: Workspace, province_id: str, year: int) -> Edition | None:
    """The province's edition of the latest year before `year` (its deadline, its issuer)."""
    older = [e for e in ws.editions.values() if e.province_id == province_id and e.year < year]
    return max(older, key=lambda e: e.year) if older else None


def destination(
    ws: Workspace,
    issued: Issued,
    year: int,
    unit: Unit | None,
    edition_id: str | None,
    extra: dict,
    force: bool,
    where: Where,
) -> Destination:
    """The edition the documents go into; `extra` holds what the plan's body says
    (deadline_days, target); `where` is the file a problem is said at."""
    province, level = province_of(ws, issued, unit, edition_id)
    expected = f"{slugify(province)}-{year}"
    if unit is not None and unit.province and unit.province != slugify(province):
        raise UserError(
            f'đơn vị thuộc tỉnh "{unit.province}" nhưng tài liệu là kế hoạch {level} {province} '
            f"({expected}): chọn đúng --unit",
            where,
        )
    ident = edition_id or expected
    existing = ws.editions.get(ident)
    if existing is None:
        same = [e for e in ws.editions.values() if e.province_id == slugify(province)]
        twin = next((e for e in same if e.year == year), None)
        if twin is not None or ident != expected:
            raise UserError(
                f"tài liệu là kế hoạch {level} {province} năm {year}: edition của nó là "
                f'"{twin.id if twin else expected}", không phải "{ident}"',
                where,
            )
        return _new(ws, ident, province, level, year, issued, extra, where)
    model = existing.identity.model
    if model.province != province or model.year != year:
        raise UserError(
            f'edition "{ident}" là kế hoạch {model.level} {model.province} năm {model.year}; '
            f"tài liệu là của {level} {province} năm {year}",
            where,
        )
    return _update(existing, issued, extra, force)


def _new(ws, ident, province, level, year, issued: Issued, extra: dict, where) -> Destination:
    if issued.date is None:
        raise UserError(
            f"chưa có kế hoạch {level} {province} năm {year} (edition {ident}) và tài liệu không "
            'ghi ngày của Kế hoạch tỉnh: nhập cùng tệp Kế hoạch, hoặc phụ lục có dòng "(Kèm '
            'theo Kế hoạch số … ngày … của UBND tỉnh …)"',
            where,
        )
    previous = _previous(ws, slugify(province), year)
    notes = list(issued.sources)
    days = extra.get("deadline_days")
    if days is None:
        days = previous.identity.model.deadline_days if previous else DEADLINE_DAYS
        notes.append(
            f"số ngày để các đơn vị ban hành kế hoạch: {days} "
            + (f"(như {previous.id})" if previous else "(mặc định)")
        )
    issuer = issued.issuer or (previous.identity.model.issuer if previous else None)
    plan: dict = {}
    if issued.number:
        plan["number"] = int(issued.number)
    plan["symbol"] = issued.symbol or "KH-UBND"
    plan["date"] = issued.date.iso()
    identity = {
        "province": province,
        "level": level,
        "year": year,
        "issuer": issuer or f"UBND {level} {province}",
        "plan": plan,
        "deadline_days": days,
    }
    if extra.get("target"):
        identity["texts"] = {"target": extra["target"]}
    return Destination(ident, ws.editions_dir / ident, None, identity, {}, notes)


def _update(existing: Edition, issued: Issued, extra: dict, force: bool) -> Destination:
    """The existing identity, with what the documents add; a contradiction is refused
    without `force` (and then written)."""
    model = existing.identity.model
    identity = existing.identity.model.model_dump(mode="json", exclude_unset=True)
    identity.setdefault("plan", {})
    changes: dict[tuple, object] = {}
    clashes: list[tuple[tuple, str, str]] = []

    def meet(path: tuple, old, new, shown_old: str, shown_new: str, fills: bool) -> None:
        if new is None or old == new:
            return
        if old is None or fills or force:
            changes[path] = new
        if old is not None and not fills:
            clashes.append((path, shown_old, shown_new))

    old_number = model.plan.number
    meet(("plan", "number"), int(old_number) if old_number else None,
         int(issued.number) if issued.number else None,
         f"số {old_number}", f"số {issued.number}", False)  # fmt: skip
    if issued.numbered and issued.symbol and issued.symbol != model.plan.symbol:
        meet(("plan", "symbol"), model.plan.symbol, issued.symbol, model.plan.symbol,
             issued.symbol, False)  # fmt: skip
    if issued.date is not None and issued.date != model.plan.date:
        old, new = model.plan.date, issued.date
        fills = old.day is None and (old.year, old.month) == (new.year, new.month)
        meet(("plan", "date"), old.iso(), new.iso(), f"ngày {old.short().strip()}",
             f"ngày {new.short().strip()}", fills)  # fmt: skip
    if extra.get("deadline_days") is not None:
        meet(("deadline_days",), model.deadline_days, extra["deadline_days"],
             f"{model.deadline_days} ngày", f"{extra['deadline_days']} ngày", False)  # fmt: skip
    if extra.get("target"):
        old_target = model.texts.get("target")
        meet(("texts", "target"), old_target, extra["target"], "câu mục tiêu khác",
             "câu mục tiêu trong thân kế hoạch", False)  # fmt: skip
    if clashes and not force:
        path, old, new = clashes[0]
        said = "; ".join(f"{n} (edition ghi {o})" for _, o, n in clashes)
        raise UserError(
            f"tài liệu ghi {said}: khác kế hoạch {existing.id} đã có; kiểm tra tệp nhập, hoặc "
            "thêm --force để sửa edition.yaml theo tài liệu",
            existing.identity.where(*path),
        )
    for path, value in changes.items():
        node = identity
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    if issued.numbered or issued.date is not None:
        agree = "thêm vào edition.yaml" if changes else "khớp với edition.yaml"
        notes = [f"tài liệu ghi {issued.said()}: {agree}"]
    else:
        notes = ["tài liệu không ghi số, ngày Kế hoạch của tỉnh: dùng edition.yaml"]
    notes += [f"edition.yaml: {'.'.join(p)} -> {v}" for p, v in changes.items()]
    return Destination(existing.id, existing.folder, existing, identity, changes, notes)
