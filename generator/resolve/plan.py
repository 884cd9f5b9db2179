"""The plan body (Kế hoạch): its catalog, and the resolved `Plan` a unit signs (pure, no I/O
beyond reading the catalog).

The body catalog (``catalogs/plans/*.yaml``) is written like a task catalog: every part,
item, point and paragraph has a stable id; `variants` give a kind's own wording, looked up
along the kind chain (the kind's own variant first, then its base's, then the common text);
`only`/`omit` keep or drop a node for kinds (and the kinds that inherit from them). Text may
use the names of `text_context` (``{{ unit.name }}``, ``{{ parent.title }}``, …), rendered in
the sandbox of resolve.render_text.

Numbers are computed from position, never typed: parts I., II., …; items 1., 2., …; points
a), b), … in the Vietnamese order (a b c d đ e g h i k …, no f). A node with `duties` is
computed from the resolved appendices ("Tổ chức thực hiện"): for each body that leads or
supports tasks, which tasks by code, so the body and the tables can never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field, PrivateAttr

from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.text import capitalize_first, day2, month_vn, roman
from generator.model.issuing import Document, merged
from generator.model.kinds import KindView, foreign_words
from generator.model.load import Loaded, Workspace, load_file
from generator.model.models import Id, KindId, RoleKey, Strict, Text, Unit, parse_plan_date
from generator.resolve.appendix import Appendix
from generator.resolve.tables import (
    format_plan_date,
    issuer_text,
    plan_number,
    render_text,
    unit_context,
)

PLANS_DIR = "plans"  # under catalogs/: not loaded as task catalogs
NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese alphabet order, no f, j, w, z

# --------------------------------------------------------------------------- catalog model


class ParaVariant(Strict):
    text: Text = Field(description="Nội dung đoạn cho loại đơn vị này")


class Duties(Strict):
    """Where the plan states who leads and supports which tasks of the appendices."""

    roles: list[RoleKey] = Field(
        default_factory=list,
        description="Các vai trò có đoạn phân công ở đây (mỗi cơ quan của vai trò một đoạn)",
    )
    rest: bool = Field(
        False,
        description="Mọi cơ quan có nhiệm vụ trong phụ lục mà chưa có đoạn phân công ở chỗ khác",
    )
    named: bool = Field(
        True,
        description="Viết tên cơ quan ở đầu câu (false: dưới một mục đã mang tên cơ quan)",
    )
    skip: list[RoleKey] = Field(
        default_factory=list,
        description="Vai trò nhóm chung (ví dụ related) không cần đoạn riêng khi chỉ phối hợp",
    )


class Para(Strict):
    """An unnumbered paragraph: text, a reference to an appendix, or computed duties."""

    id: Id
    text: Text | None = Field(None, description="Nội dung đoạn (xuống dòng: đoạn mới)")
    refer: Id | None = Field(
        None, description='Mã catalog phụ lục: in "(Chi tiết tại Phụ lục …)" theo số của phụ lục'
    )
    duties: Duties | None = Field(None, description="Đoạn phân công tính từ các phụ lục")
    variants: dict[KindId, ParaVariant] = Field(
        default_factory=dict, description="Cách viết riêng theo loại đơn vị"
    )
    only: list[KindId] = Field(
        default_factory=list, description="Chỉ các loại đơn vị này (và loại kế thừa) có đoạn"
    )
    omit: list[KindId] = Field(default_factory=list, description="Các loại đơn vị bỏ đoạn này")

    _line: int = PrivateAttr(0)


class BlockVariant(Strict):
    title: Text | None = Field(None, description="Tiêu đề cho loại đơn vị này")
    text: Text | None = Field(None, description="Nội dung cho loại đơn vị này")


class Block(Strict):
    """A numbered node: a part (I.), an item (1.) or a point (a)), by depth."""

    id: Id
    title: Text | None = Field(None, description="Tiêu đề (phần: in hoa khi hiển thị)")
    italic: bool = Field(False, description="Tiêu đề của điểm in nghiêng")
    text: Text | None = Field(
        None, description="Nội dung ngay sau số (khi không có tiêu đề) hoặc đoạn dưới tiêu đề"
    )
    paragraphs: list[Para] = Field(default_factory=list, description="Đoạn trước các mục con")
    blocks: list[Block] = Field(default_factory=list, description="Các mục con (được đánh số)")
    after: list[Para] = Field(default_factory=list, description="Đoạn sau các mục con")
    duties: Duties | None = Field(
        None, description="Thay mục này bằng một mục đánh số cho mỗi cơ quan có nhiệm vụ"
    )
    variants: dict[KindId, BlockVariant] = Field(default_factory=dict)
    only: list[KindId] = Field(default_factory=list)
    omit: list[KindId] = Field(default_factory=list)

    _line: int = PrivateAttr(0)


class TitleVariant(Strict):
    title: Text = Field(description="Trích yếu cho loại đơn vị này")


class PlanCatalog(Strict):
    """The body of one year's plan: trích yếu, opening, parts I-III, closing."""

    id: Id
    year: int = Field(ge=2000, le=2100)
    doc_type: Text = Field("Kế hoạch", description="Tên loại văn bản (in hoa khi hiển thị)")
    title: Text = Field(description="Trích yếu; xuống dòng được giữ")
    variants: dict[KindId, TitleVariant] = Field(default_factory=dict)
    opening: list[Para] = Field(default_factory=list, description="Các đoạn mở đầu")
    parts: list[Block] = Field(min_length=1, description="Các phần I, II, III")
    closing: list[Para] = Field(default_factory=list, description='Đoạn kết (kết thúc bằng "./.")')


# --------------------------------------------------------------------------- resolved plan


@dataclass(frozen=True)
class Duty:
    """One body's share of the appendices: (appendix label, codes) it leads and supports.

    A code names a task ("B.II.2") or, when the body has every task of a section of two or
    more tasks, the section ("I", "B.II")."""

    body: str
    lead: tuple[tuple[str, tuple[str, ...]], ...]
    support: tuple[tuple[str, tuple[str, ...]], ...]

    def sentence(self, named: bool) -> str:
        parts = []
        if self.lead:
            parts.append("chủ trì thực hiện " + _where(self.lead))
        if self.support:
            parts.append("phối hợp thực hiện " + _where(self.support))
        text = ". ".join(capitalize_first(p) for p in parts) + "."
        if named:
            text = f"{capitalize_first(self.body)} {text[0].lower()}{text[1:]}"
        return text


def running_label(appendix: Appendix) -> str:
    """How running text names an appendix: "Phụ lục II", or "Phụ lục" for an unnumbered one
    (whose heading is "PHỤ LỤC")."""
    return f"Phụ lục {appendix.numeral}" if appendix.numeral else "Phụ lục"


def in_plan(appendices: list[Appendix]) -> list[Appendix]:
    """The appendices the whole plan holds: those with at least one task (a unit that omits
    every section of an appendix gets no empty table, and the body does not refer to it)."""
    return [a for a in appendices if a.tasks]


def _where(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    codes = [c for _, cs in groups for c in cs]
    single = len(codes) == 1 and codes[0].rsplit(".", 1)[-1].isdigit()
    head = "nhiệm vụ tại " if single else "các nhiệm vụ tại "
    return head + "; ".join(f"mục {', '.join(cs)} {label}" for label, cs in groups)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the body. `style`: "part" (I. MỤC …, bold upper), "item" (1. Tiêu đề,
    bold), "point" (a) Tiêu đề của điểm:, upright or `italic`, kept with what follows) or
    "text" (everything else, numbered "a)" or not). `level`: 1 part, 2 item, 3 point; an
    unnumbered paragraph takes the level below its owner."""

    style: str
    level: int
    number: str
    text: str
    ident: str = ""
    italic: bool = False  # the text after the number is italic (a point's title)
    body: str | None = None  # set on the paragraphs that state a body's duties

    @property
    def full(self) -> str:
        return f"{self.number} {self.text}" if self.number else self.text


@dataclass(frozen=True)
class Plan:
    """Everything a renderer (DOCX, HTML) needs; final text, nothing left to look up."""

    unit: str
    unit_name: str
    kind: str
    year: int
    catalog: str
    catalog_hash: str
    issuer_name: str  # running text: "Ủy ban nhân dân xã Đình Lập" (document author)
    authority: str | None  # cơ quan chủ quản: "UBND TỈNH LẠNG SƠN"
    issuer_lines: tuple[str, ...]  # "ỦY BAN NHÂN DÂN", "XÃ ĐÌNH LẬP"
    number: str  # "Số: 235/KH-UBND"
    place_date: str  # "Đình Lập, ngày 06 tháng 7 năm 2026"
    doc_type: str  # "KẾ HOẠCH"
    title: str  # trích yếu; "\n" is a line break
    paragraphs: tuple[Paragraph, ...]
    recipients: tuple[str, ...]  # "- Bộ Nội vụ;", …, "- Lưu: VT, NC."
    signer: tuple[str, ...]  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    signer_name: str  # may be "" (filled in by hand)
    duties: tuple[Duty, ...]  # every body with tasks in the appendices, in order
    sources: tuple[tuple[str, str], ...]  # (catalog id, sha256 prefix): body, then appendices
    national: str = NATIONAL
    motto: str = MOTTO


# --------------------------------------------------------------------------- loading


def plans_dir(ws: Workspace) -> Path:
    return ws.catalog_dir / PLANS_DIR


def load_plan_catalog(path: Path) -> Loaded[PlanCatalog]:
    """Load and validate one body catalog (file:line errors), kept while unchanged."""
    try:
        stat = path.stat()
    except OSError:
        return _load_plan(path)
    return _load_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_cached(name: str, mtime_ns: int, size: int) -> Loaded[PlanCatalog]:
    return _load_plan(Path(name))


def _load_plan(path: Path) -> Loaded[PlanCatalog]:
    loaded = load_file(path, PlanCatalog)
    _index_lines(loaded)
    problems = structure_problems(loaded)
    if problems:
        raise ValidationFailed(problems)
    return loaded


def has_plan_catalog(ws: Workspace) -> bool:
    """Whether the data folder has a plan body at all (without one, only appendices)."""
    folder = plans_dir(ws)
    return folder.is_dir() and any(folder.glob("*.yaml"))


def plan_catalog(ws: Workspace, year: int) -> Loaded[PlanCatalog]:
    """The body catalog of `year` in catalogs/plans/."""
    folder = plans_dir(ws)
    found = []
    matching: list[Loaded[PlanCatalog]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        loaded = load_plan_catalog(path)
        if loaded.model.year == year:
            matching.append(loaded)
        found.append(f"{path.name} ({loaded.model.year})")
    if len(matching) > 1:
        raise _same_year(matching)
    if matching:
        return matching[0]
    raise UserError(
        f"không có catalog thân kế hoạch năm {year} trong {folder}"
        + (f"; có: {', '.join(found)}" if found else "")
    )


def _same_year(catalogs: list[Loaded[PlanCatalog]]) -> UserError:
    first, *others = catalogs
    return UserError(
        f"hai catalog thân kế hoạch cùng năm {first.model.year}: "
        + ", ".join(o.path.name for o in [first, *others])
        + "; mỗi năm chỉ một thân kế hoạch: chuyển bản cũ ra khỏi thư mục",
        others[-1].where("year"),
    )


def _index_lines(loaded: Loaded[PlanCatalog]) -> None:
    where = loaded.doc.where

    def paras(items: list[Para], loc: tuple) -> None:
        for i, para in enumerate(items):
            para._line = where((*loc, i)).line

    def blocks(items: list[Block], loc: tuple) -> None:
        for i, block in enumerate(items):
            bloc = (*loc, i)
            block._line = where(bloc).line
            paras(block.paragraphs, (*bloc, "paragraphs"))
            paras(block.after, (*bloc, "after"))
            blocks(block.blocks, (*bloc, "blocks"))

    paras(loaded.model.opening, ("opening",))
    paras(loaded.model.closing, ("closing",))
    blocks(loaded.model.parts, ("parts",))


def iter_nodes(catalog: PlanCatalog):
    """Every paragraph and block with its depth (0 for opening/closing paragraphs)."""

    def blocks(items: list[Block], level: int):
        for block in items:
            yield block, level
            for para in block.paragraphs + block.after:
                yield para, level
            yield from blocks(block.blocks, level + 1)

    for para in catalog.opening:
        yield para, 0
    yield from blocks(catalog.parts, 1)
    for para in catalog.closing:
        yield para, 0


def structure_problems(loaded: Loaded[PlanCatalog]) -> list[UserError]:
    """What the schema cannot say: one kind of content per node, depth, unique ids."""
    out: list[UserError] = []
    seen: dict[str, int] = {}
    path = loaded.path
    for node, level in iter_nodes(loaded.model):
        where = Where(path, node._line)
        if node.id in seen:
            out.append(
                UserError(f'mã "{node.id}" bị trùng (đã dùng ở dòng {seen[node.id]})', where)
            )
        seen.setdefault(node.id, node._line)
        if isinstance(node, Para):
            kinds = sum(x is not None for x in (node.text, node.refer, node.duties))
            if kinds != 1:
                out.append(
                    UserError(f'đoạn "{node.id}" cần đúng một trong text, refer, duties', where)
                )
            elif node.variants and node.text is None:
                out.append(UserError(f'đoạn "{node.id}": variants chỉ dùng với text', where))
        else:
            if level > 3:
                out.append(
                    UserError(
                        f'mục "{node.id}" sâu quá ba cấp (phần I., khoản 1., điểm a)); '
                        "viết thành các đoạn (paragraphs)",
                        where,
                    )
                )
            content = node.title or node.text or node.paragraphs or node.blocks or node.after
            if node.duties is not None and (content or node.variants):
                out.append(
                    UserError(
                        f'mục "{node.id}": duties tự sinh cả mục, không kèm title, text, '
                        "paragraphs, blocks, after hoặc variants",
                        where,
                    )
                )
            elif node.duties is None and not (node.title or node.text):
                out.append(UserError(f'mục "{node.id}" cần title hoặc text', where))
        duties = node.duties
        if duties is not None and bool(duties.roles) == duties.rest:
            out.append(
                UserError(
                    f'"{node.id}": duties cần hoặc roles (các vai trò) hoặc rest: true', where
                )
            )
    return out


# --------------------------------------------------------------------------- duties


def duty_list(appendices: list[Appendix]) -> list[Duty]:
    """Each body with tasks in the appendices, with the codes it leads and (of the rest)
    supports in every appendix: the bodies that lead in order of their first lead task, then
    those that only support, in order of appearance."""
    order: list[str] = []
    names: dict[str, str] = {}
    lead: dict[str, dict[int, set[str]]] = {}
    support: dict[str, dict[int, set[str]]] = {}
    for n, appendix in enumerate(appendices):
        for row in appendix.tasks:
            code = ".".join((*row.path, row.code))
            for role, table in (("lead", lead), ("support", support)):
                for body in row.bodies.get(role, ()):
                    key = body.casefold()
                    if key not in names:
                        names[key] = body
                        order.append(key)
                    table.setdefault(key, {}).setdefault(n, set()).add(code)
    first = {key: n for n, key in enumerate(order)}
    first_lead: dict[str, tuple[int, int]] = {}
    for n, appendix in enumerate(appendices):
        for i, row in enumerate(appendix.tasks):
            for body in row.bodies.get("lead", ()):
                first_lead.setdefault(body.casefold(), (n, i))
    order.sort(key=lambda k: (0, *first_lead[k]) if k in first_lead else (1, first[k], 0))
    out = []
    for key in order:
        leads = lead.get(key, {})
        supports = {n: codes - leads.get(n, set()) for n, codes in support.get(key, {}).items()}
        out.append(
            Duty(
                names[key],
                _groups(appendices, leads),
                _groups(appendices, supports),
            )
        )
    return out


def _groups(appendices: list[Appendix], codes: dict[int, set[str]]):
    out = []
    for n, appendix in enumerate(appendices):
        if codes.get(n):
            out.append((running_label(appendix), tuple(collapse(appendix, codes[n]))))
    return tuple(out)


def collapse(appendix: Appendix, codes: set[str]) -> list[str]:
    """`codes` in table order; a section whose two or more tasks are all in `codes` is
    written as the section's code."""
    under: dict[tuple[str, ...], list[str]] = {}
    for row in appendix.tasks:
        code = ".".join((*row.path, row.code))
        for depth in range(1, len(row.path) + 1):
            under.setdefault(row.path[:depth], []).append(code)
    out: list[str] = []
    done: list[tuple[str, ...]] = []
    for row in appendix.rows:
        path = row.path
        if any(path[: len(d)] == d for d in done):
            continue
        if row.is_section:
            tasks = under.get(path, [])
            if len(tasks) >= 2 and all(t in codes for t in tasks):
                out.append(".".join(path))
                done.append(path)
        else:
            code = ".".join((*path, row.code))
            if code in codes:
                out.append(code)
    return out


def expand(code: str, appendix: Appendix) -> set[str]:
    """The task codes a code of `collapse` stands for (itself, or a section's tasks)."""
    parts = tuple(code.split("."))
    out = set()
    for row in appendix.tasks:
        full = (*row.path, row.code)
        if full == parts or row.path[: len(parts)] == parts:
            out.add(".".join(full))
    return out


# --------------------------------------------------------------------------- context


def proper_name(unit: Unit, short: str) -> str:
    """The unit's name without its level word: "xã Đình Lập" -> "Đình Lập"."""
    name = unit.name
    if short and name.casefold().startswith(short.casefold() + " "):
        return name[len(short) + 1 :]
    return name


def short_date(iso: str) -> str:
    date = parse_plan_date(iso)
    day = day2(date.day) if date.day else " " * 4
    return f"{day}/{month_vn(date.month)}/{date.year}"


class _Context:
    """The names plan text may use, built once per unit."""

    def __init__(self, kind: KindView, unit: Unit, slug: str, year: int) -> None:
        base = unit_context(kind, unit, slug, year)
        short = base["unit"]["short"]
        self.kind, self.unit, self.slug, self.year = kind, unit, slug, year
        base["unit"] = {**base["unit"], "proper": proper_name(unit, short)}
        base["last_year"] = year - 1
        self.values = base
        owner = f'loại đơn vị "{kind.id}"'
        self.roles: dict[str, list[str]] = {}
        for role, bodies in {**kind.roles, **unit.roles}.items():
            self.roles[role] = [render_text(b, base, f'{owner}: vai trò "{role}"') for b in bodies]
        base["role"] = {r: ", ".join(b) for r, b in self.roles.items() if b}
        parent = unit.parent or kind.parent
        if parent is not None:
            base["parent"] = {
                "title": parent.title,
                "issuer": parent.issuer,
                "date": short_date(parent.date),
                "deadline_days": parent.deadline_days,
            }
        try:
            base["issuer"] = issuer_text(kind, unit, slug)
        except UserError:
            pass  # reported where the issuer is used

    def add_document(self, document: Document) -> None:
        report = {"to": document.report_to, "every": document.report_every}
        self.values["report"] = {k: v for k, v in report.items() if v}


def text_context(kind: KindView, unit: Unit, slug: str, year: int) -> dict:
    """The names plan text may use: unit.name, unit.short, unit.proper, unit.slug, kind, year,
    issuer, parent.title/issuer/date/deadline_days, role.<role>, report.to/every."""
    context = _Context(kind, unit, slug, year)
    context.add_document(merged(kind.document, unit.document))
    return context.values


# --------------------------------------------------------------------------- build


def point_number(level: int, n: int) -> str:
    if level == 1:
        return f"{roman(n)}."
    if level == 2:
        return f"{n}."
    letters = POINT_LETTERS
    return f"{letters[(n - 1) % len(letters)] * ((n - 1) // len(letters) + 1)})"


class Builder:
    """Builds one unit's `Plan`; problems are collected, then raised together."""

    def __init__(
        self,
        catalog: Loaded[PlanCatalog],
        kind: KindView,
        unit: Unit,
        slug: str,
        appendices: list[Appendix],
        unit_where: Where | None = None,
        who: str | None = None,
        own_document: Document | None = None,
    ) -> None:
        self.loaded, self.catalog = catalog, catalog.model
        # the `document` of the file `unit_where` names: the unit's, or the kind's on a trial
        self.own_document = own_document if who is not None else unit.document
        self.kind, self.unit, self.slug = kind, unit, slug
        self.appendices = in_plan(appendices)
        self.unit_where = unit_where or Where()
        self.sample = who is not None  # a kind's defaults tried on a made-up unit
        self.who = who or f'đơn vị "{slug}"'  # who a missing header field is asked of
        self.year = self.catalog.year
        self.problems: list[UserError] = []
        self.context = _Context(kind, unit, slug, self.year)
        labels = [running_label(a) for a in self.appendices]  # only those with tasks
        self.context.values["appendices"] = " và ".join(labels) if labels else "các phụ lục"
        self.context.values["appendix_list"] = ", ".join(labels) if labels else "các phụ lục"
        self.document = merged(kind.document, unit.document)
        self.context.add_document(self.document)
        self.duties = duty_list(self.appendices)
        self.stated: dict[str, list[Para | Block]] = {}  # body -> the duty nodes naming it
        self._by_key = {d.body.casefold(): d for d in self.duties}
        self.claimed: set[str] = set()
        self.empty: list[str] = []  # numbered blocks with nothing for this kind

    # -- helpers
    def where(self, node: Para | Block | None = None) -> Where:
        return Where(self.loaded.path, node._line if node is not None else 0)

    def render(self, text: str, owner: str, where: Where | None = None) -> str:
        try:
            return render_text(text, self.context.values, owner, where)
        except UserError as exc:
            self.problems.append(exc)
            return text

    def keeps(self, node: Para | Block) -> bool:
        if self.kind.is_a(node.omit):
            return False
        return not node.only or self.kind.is_a(node.only)

    def role_bodies(self, roles: list[str]) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        for role in roles:
            for body in self.context.roles.get(role, []):
                if body.casefold() not in seen:
                    seen.add(body.casefold())
                    out.append(body)
        return out

    def duties_of(self, spec: Duties) -> list[Duty]:
        if spec.rest:
            skip = {b.casefold() for b in self.role_bodies(spec.skip)}
            rest = [
                d
                for d in self.duties
                if d.body.casefold() not in self.claimed
                and not (d.body.casefold() in skip and not d.lead)
            ]
            return rest
        keys = [b.casefold() for b in self.role_bodies(spec.roles)]
        return [self._by_key[k] for k in keys if k in self._by_key]

    def _claim(self) -> None:
        """Bodies named by `duties: {roles: …}` anywhere; `rest` gets the others."""
        for node, _ in iter_nodes(self.catalog):
            if node.duties is not None and node.duties.roles and self._kept_path(node):
                self.claimed |= {b.casefold() for b in self.role_bodies(node.duties.roles)}

    def _kept_path(self, target: Para | Block) -> bool:
        """Whether `target` and every block above it are kept for this kind."""

        def find(blocks: list[Block], chain: list) -> list | None:
            for block in blocks:
                here = [*chain, block]
                if block is target or any(p is target for p in block.paragraphs + block.after):
                    return here if block is target else [*here, target]
                found = find(block.blocks, here)
                if found:
                    return found
            return None

        chain = find(self.catalog.parts, []) or [target]
        return all(self.keeps(n) for n in chain)

    def _state(self, duty: Duty, node: Para | Block) -> None:
        self.stated.setdefault(duty.body.casefold(), []).append(node)

    # -- body
    def para_text(self, para: Para) -> str:
        text = next(
            (para.variants[k].text for k in self.kind.chain if k in para.variants), para.text
        )
        return self.render(text or "", f'đoạn "{para.id}"', self.where(para))

    def paras(self, items: list[Para], level: int, out: list[Paragraph]) -> None:
        for para in items:
            if not self.keeps(para):
                continue
            if para.duties is not None:
                duties = self.duties_of(para.duties)
                named = para.duties.named or len(duties) > 1
                for duty in duties:
                    self._state(duty, para)
                    out.append(
                        Paragraph("text", level, "", duty.sentence(named), para.id, body=duty.body)
                    )
                continue
            if para.refer is not None:
                label = next(
                    (running_label(a) for a in self.appendices if a.catalog == para.refer), None
                )
                if label is None:
                    continue  # that appendix is not in this document
                out.append(Paragraph("text", level, "", f"(Chi tiết tại {label})", para.id))
                continue
            for line in self.para_text(para).split("\n"):
                if line.strip():
                    out.append(Paragraph("text", level, "", line.strip(), para.id))

    def blocks(self, items: list[Block], level: int, out: list[Paragraph]) -> None:
        n = 0
        for block in items:
            if not self.keeps(block):
                continue
            if block.duties is not None:
                duties = self.duties_of(block.duties)
                # several bodies under one heading: each point says whose duties it lists
                named = block.duties.named or len(duties) > 1
                for duty in duties:
                    self._state(duty, block)
                    n += 1
                    number = point_number(level, n)
                    if level >= 3:
                        text = duty.sentence(named)
                        out.append(Paragraph("text", level, number, text, block.id, body=duty.body))
                    else:
                        style = "part" if level == 1 else "item"
                        title = capitalize_first(duty.body)
                        out.append(Paragraph(style, level, number, title, block.id))
                        out.append(
                            Paragraph(
                                "text",
                                level + 1,
                                "",
                                duty.sentence(False),
                                block.id,
                                body=duty.body,
                            )
                        )
                continue
            n += 1
            number = point_number(level, n)
            owner = f'mục "{block.id}"'
            variant = next(
                (block.variants[k] for k in self.kind.chain if k in block.variants), None
            )
            title = (variant and variant.title) or block.title
            text = (variant and variant.text) or block.text
            mark = len(out)
            if title:
                title = self.render(title, owner, self.where(block))
                style = {1: "part", 2: "item"}.get(level, "point")
                shown = title.upper() if level == 1 else title
                out.append(Paragraph(style, level, number, shown, block.id, block.italic))
                if text:
                    self._lines(self.render(text, owner, self.where(block)), level + 1, out, block)
            elif text:
                lines = self.render(text, owner, self.where(block)).split("\n")
                out.append(Paragraph("text", level, number, lines[0].strip(), block.id))
                for line in lines[1:]:
                    if line.strip():
                        out.append(Paragraph("text", level + 1, "", line.strip(), block.id))
            self.paras(block.paragraphs, level + 1, out)
            self.blocks(block.blocks, level + 1, out)
            self.paras(block.after, level + 1, out)
            if title and len(out) == mark + 1 and not text:
                self.empty.append(block.id)

    @staticmethod
    def _lines(text: str, level: int, out: list[Paragraph], block: Block) -> None:
        for line in text.split("\n"):
            if line.strip():
                out.append(Paragraph("text", level, "", line.strip(), block.id))

    # -- header and footer
    def header(self) -> dict:
        doc, unit, kind = self.document, self.unit, self.kind
        where = self.unit_where
        who = self.who

        def need(value, name: str, example: str):
            if value:
                return value
            place = "" if who.startswith("loại") else f' trong hồ sơ đơn vị hoặc loại "{kind.id}"'
            self.problems.append(
                UserError(f"{who}: thiếu document.{name} ({example}){place}", where)
            )
            return None

        def render(value: str, name: str) -> str:
            return self.render(value, f"{who}: document.{name}", where)

        lines = (
            need(
                doc.issuer_lines,
                "issuer_lines",
                'tên cơ quan ban hành, ví dụ ["ỦY BAN NHÂN DÂN", "XÃ ĐÌNH LẬP"]',
            )
            or []
        )
        place = need(doc.place, "place", 'địa danh, ví dụ "Đình Lập"') or ""
        signer = doc.signer
        signer_lines = (
            [
                render(v, "signer")
                for v in (signer.on_behalf, signer.deputy, signer.title)
                if signer and v
            ]
            if signer
            else []
        )
        need(signer_lines, "signer", 'khối chữ ký, ví dụ title: "GIÁM ĐỐC"')
        recipients = _recipient_items([render(r, "recipients") for r in doc.recipients or []])
        need(recipients, "recipients", 'nơi nhận, dòng cuối "Lưu: VT, …"')
        stored = [r for r in recipients[:-1] if _STORED.match(r)]
        own = self.own_document  # the list is reported where it is written
        if stored and own is not None and "recipients" in own.model_fields_set:
            self.problems.append(
                UserError(
                    f'{who}: document.recipients: "{stored[0]}" phải là dòng cuối của Nơi nhận '
                    "(Nghị định 30: nơi lưu văn bản ghi sau cùng)",
                    where,
                )
            )
        symbol = unit.plan.symbol or kind.plan_symbol
        if not symbol:
            self.problems.append(
                UserError(
                    f"{who}: thiếu ký hiệu kế hoạch (plan.symbol, ví dụ KH-SYT): loại "
                    f'"{kind.id}" không có ký hiệu chung',
                    where,
                )
            )
            symbol = "KH"
        date = parse_plan_date(unit.plan.date)
        return {
            "authority": render(doc.authority, "authority") if doc.authority else None,
            "issuer_lines": tuple(render(x, "issuer_lines") for x in lines),
            "number": f"Số: {plan_number(unit)}/{symbol}",
            "place_date": f"{render(place, 'place')}, "
            + format_plan_date(date.year, date.month, date.day, long=True),
            "recipients": tuple(_recipient_lines(recipients)),
            "signer": tuple(signer_lines),
            "signer_name": render(signer.name, "signer") if signer and signer.name else "",
        }

    def issuer_name(self) -> str:
        short = self.context.values["unit"]["short"]
        text = self.context.values.get("issuer") or self.unit.name
        if text.casefold().endswith(" " + short.casefold()):
            return text[: -len(short)] + self.unit.name
        return text

    def title(self) -> str:
        chain = self.kind.chain
        title = next(
            (self.catalog.variants[k].title for k in chain if k in self.catalog.variants),
            self.catalog.title,
        )
        return self.render(title, "trích yếu (title)", Where(self.loaded.path, 0))

    def check_duties(self) -> None:
        """Every body that leads a task is named in Tổ chức thực hiện, and none twice."""
        who = f"{self.who} (đơn vị mới chỉ có mặc định)" if self.sample else self.who
        missing = [d.body for d in self.duties if d.lead and d.body.casefold() not in self.stated]
        if missing:
            kept = [
                n
                for n, _ in iter_nodes(self.catalog)
                if n.duties is not None and self._kept_path(n)
            ]
            anchor = kept[-1] if kept else self.catalog.parts[-1]
            self.problems.append(
                UserError(
                    f"{who}: phần Tổ chức thực hiện không nêu "
                    + ", ".join(f'"{b}"' for b in missing)
                    + f' (chủ trì nhiệm vụ trong phụ lục): thêm "duties: {{rest: true}}" cho '
                    f'loại "{self.kind.id}" trong catalog thân kế hoạch',
                    self.where(anchor),
                )
            )
        twice: dict[tuple[int, ...], tuple[list[Para | Block], list[str]]] = {}
        by_key = {d.body.casefold(): d.body for d in self.duties}
        for key, nodes in self.stated.items():
            if len(nodes) > 1:
                entry = twice.setdefault(tuple(id(n) for n in nodes), (nodes, []))
                entry[1].append(by_key[key])
        for nodes, bodies in twice.values():
            shown = ", ".join(f'"{b}"' for b in bodies[:3]) + (
                f" và {len(bodies) - 3} cơ quan khác" if len(bodies) > 3 else ""
            )
            places = " và ".join(f'"{n.id}" (dòng {n._line})' for n in nodes)
            self.problems.append(
                UserError(
                    f"{who}: {shown} được nêu {len(nodes)} lần trong phần Tổ chức thực hiện "
                    f"(duties ở {places}): mỗi cơ quan chỉ nêu một lần; bỏ duties thừa (ví dụ "
                    'hai "rest: true" cho cùng một loại) hoặc thêm only/omit',
                    self.where(nodes[-1]),
                )
            )

    # -- all
    def plan(self) -> Plan:
        self._claim()
        header = self.header()
        title = self.title()
        out: list[Paragraph] = []
        self.paras(self.catalog.opening, 1, out)
        self.blocks(self.catalog.parts, 1, out)
        self.paras(self.catalog.closing, 1, out)
        self.check_duties()
        if self.problems:
            raise ValidationFailed(_unique_problems(self.problems))
        return Plan(
            unit=self.slug,
            unit_name=self.unit.name,
            kind=self.kind.id,
            year=self.year,
            catalog=self.catalog.id,
            catalog_hash=self.loaded.digest,
            issuer_name=self.issuer_name(),
            doc_type=self.catalog.doc_type.upper(),
            title=title,
            paragraphs=tuple(out),
            duties=tuple(self.duties),
            sources=((self.catalog.id, self.loaded.digest),)
            + tuple((a.catalog, a.catalog_hash) for a in self.appendices),
            **header,
        )


_BULLET = re.compile(r"^(?:[-–—+•]\s*)+")
_STORED = re.compile(r"^lưu\s*:", re.IGNORECASE)  # "Lưu: VT, …" (not "Lưu trữ tỉnh")


def _recipient_items(items: list[str]) -> list[str]:
    """The recipients as typed, without what plangen adds itself: a leading "- " and a final
    ";" or "." ("- Bộ Nội vụ;" -> "Bộ Nội vụ")."""
    out = []
    for item in items:
        item = _BULLET.sub("", item.strip()).rstrip(" ;.").strip()
        if item:
            out.append(item)
    return out


def _recipient_lines(items: list[str]) -> list[str]:
    """ "- Bộ Nội vụ;" for each, the last ending with "." (Nghị định 30)."""
    items = _recipient_items(items)
    return [f"- {item}{'.' if n == len(items) - 1 else ';'}" for n, item in enumerate(items)]


def _unique_problems(problems: list[UserError]) -> list[UserError]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return out


def build_plan(ws: Workspace, slug: str, appendices: list[Appendix]) -> Plan:
    """The unit's plan body with header and footer, from its resolved appendices (pure)."""
    loaded_unit = ws.unit(slug)
    kind = ws.kind_of(slug)
    unit = loaded_unit.model
    year = appendices[0].year if appendices else parse_plan_date(unit.plan.date).year
    catalog = plan_catalog(ws, year)
    where = loaded_unit.where("document") if unit.document else loaded_unit.where()
    return Builder(catalog, kind, unit, slug, appendices, where).plan()


# --------------------------------------------------------------------------- validate


def validate_plan(ws: Workspace, slugs: list[str] | None = None) -> list[UserError]:
    """Problems of the body catalogs: file:line errors, kinds, roles and appendices named but
    unknown, and, tried for a sample unit of every kind and for the units `slugs` (default:
    all): placeholders that do not render, parts with no wording for a kind, words of
    another level (the kind's `avoid`), bodies of the appendices the body never names."""
    from generator.check.checks import sample_unit
    from generator.resolve.tables import Resolver

    folder = plans_dir(ws)
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not paths:  # no body: plangen writes the appendices alone
        return []
    problems: list[UserError] = []
    catalogs: list[Loaded[PlanCatalog]] = []
    for path in paths:
        try:
            catalogs.append(load_plan_catalog(path))
        except ValidationFailed as exc:
            problems += exc.problems
        except UserError as exc:
            problems.append(exc)
    declared = set(ws.roles.model.roles) if ws.roles else None
    for loaded in catalogs:
        problems += _references(ws, loaded, declared)
    problems += _years(ws, catalogs)
    if problems:
        return problems

    def appendices_for(kind: KindView, unit: Unit, slug: str, year: int) -> list[Appendix] | None:
        out = []
        for cat in sorted(ws.catalogs.values(), key=lambda c: c.model.appendix or ""):
            if cat.model.year != year:
                continue
            try:
                out.append(Resolver(cat.model, kind, unit, slug, cat.digest, cat.path).appendix())
            except UserError:
                return None  # reported by check.validate
        return out

    for loaded in catalogs:
        year = loaded.model.year
        for kind_id in sorted(ws.kinds):
            try:
                kind = ws.kind(kind_id)
            except UserError:
                continue
            if kind.abstract:
                continue
            unit = sample_unit(kind)
            docs = appendices_for(kind, unit, "mau", year)
            kind_file = ws.kinds[kind_id]
            where = kind_file.where("document") if kind_file.model.document else kind_file.where()
            problems += _trial(
                loaded,
                kind,
                unit,
                "mau",
                docs or [],
                where=where,
                sample=True,
                own_document=kind_file.model.document,
            )
    slugs = sorted(ws.unit_files) if slugs is None else slugs
    for slug in slugs:
        try:
            loaded_unit = ws.unit(slug)
            kind = ws.kind_of(slug)
        except UserError:
            continue  # reported by check.validate
        unit = loaded_unit.model
        year = parse_plan_date(unit.plan.date).year
        matching = [c for c in catalogs if c.model.year == year]
        docs = appendices_for(kind, unit, slug, year)
        if docs is None or not matching:
            continue
        where = loaded_unit.where("document") if unit.document else loaded_unit.where()
        problems += _trial(matching[0], kind, unit, slug, docs, where=where)
    return _unique_problems(problems)


def _years(ws: Workspace, catalogs: list[Loaded[PlanCatalog]]) -> list[UserError]:
    """A body catalog serves the appendices of its year: one body per year, and a year some
    task catalog has (otherwise no unit's plan can be built with it)."""
    out: list[UserError] = []
    years = sorted({c.model.year for c in ws.catalogs.values()})
    by_year: dict[int, list[Loaded[PlanCatalog]]] = {}
    for loaded in catalogs:
        by_year.setdefault(loaded.model.year, []).append(loaded)
    for year, same in sorted(by_year.items()):
        if len(same) > 1:
            out.append(_same_year(same))
        if years and year not in years:
            for loaded in same:
                out.append(
                    UserError(
                        f"thân kế hoạch năm {year} không dùng được: không có catalog phụ lục "
                        f"nào năm {year} (các phụ lục là năm "
                        + ", ".join(str(y) for y in years)
                        + "); sửa year cho khớp năm của các phụ lục",
                        loaded.where("year"),
                    )
                )
    return out


def _references(ws: Workspace, loaded: Loaded[PlanCatalog], declared: set[str] | None):
    from generator.core.text import did_you_mean

    out: list[UserError] = []
    kinds = set(ws.kinds)
    path = loaded.path

    def known(name: str, choices, message: str, where: Where) -> None:
        if name not in choices:
            out.append(UserError(message + did_you_mean(name, choices), where))

    for name in loaded.model.variants:
        known(name, kinds, f'variants cho loại đơn vị không tồn tại "{name}"', loaded.where())
    for node, _ in iter_nodes(loaded.model):
        where = Where(path, node._line)
        for field in ("variants", "only", "omit"):
            for name in getattr(node, field):
                known(name, kinds, f'{field} cho loại đơn vị không tồn tại "{name}"', where)
        if isinstance(node, Para) and node.refer is not None:
            known(node.refer, ws.catalogs, f'refer: không có catalog phụ lục "{node.refer}"', where)
        if node.duties is not None and declared is not None:
            for role in node.duties.roles + node.duties.skip:
                known(
                    role, declared, f'vai trò "{role}" chưa được khai báo trong roles.yaml', where
                )
    return out


def _trial(
    loaded: Loaded[PlanCatalog],
    kind: KindView,
    unit: Unit,
    slug: str,
    appendices: list[Appendix],
    sample: bool = False,
    where: Where | None = None,
    own_document: Document | None = None,
) -> list[UserError]:
    who = f'loại "{kind.id}"' if sample else None
    builder = Builder(loaded, kind, unit, slug, appendices, where, who, own_document)
    out: list[UserError] = []
    plan = None
    try:
        plan = builder.plan()
    except ValidationFailed as exc:
        problems = exc.problems
        if sample:  # only what the catalog or the kind says, not the sample unit's own
            places = {loaded.path, where.path if where else None}
            problems = [p for p in problems if p.where.path in places]
        out += [_for_kind(p, kind) if sample else p for p in problems]
    except UserError as exc:
        return [exc]
    lines = {n.id: n._line for n, _ in iter_nodes(loaded.model)}
    for ident in builder.empty:
        out.append(
            UserError(
                f'loại "{kind.id}": mục "{ident}" không có nội dung cho loại này (thêm đoạn '
                "có only cho loại này, hoặc omit cả mục)",
                Where(loaded.path, lines.get(ident, 0)),
            )
        )
    if plan is None:
        return out
    texts = [(p.ident, p.full) for p in plan.paragraphs] + [("title", plan.title)]
    for ident, text in texts:
        if "{{" in text or "}}" in text or "{%" in text:
            out.append(
                UserError(
                    f'loại "{kind.id}": đoạn "{ident}" còn chỗ giữ chỗ chưa điền',
                    Where(loaded.path, lines.get(ident, 0)),
                )
            )
    if sample:
        words_at: dict[str, set[str]] = {}
        for ident, text in texts:
            words = foreign_words(text, kind)
            if words:
                words_at.setdefault(ident, set()).update(words)
        chain = " hoặc ".join(f'"{k}"' for k in kind.chain)
        for ident, words in words_at.items():
            out.append(
                UserError(
                    f'loại "{kind.id}": đoạn "{ident}" chưa có cách viết của cấp này (còn '
                    + ", ".join(f"“{w}”" for w in sorted(words))
                    + f"): thêm variants hoặc only cho {chain}, hoặc viết {{{{ unit.short }}}}",
                    Where(loaded.path, lines.get(ident, 0)),
                )
            )
    if plan.paragraphs and not plan.paragraphs[-1].full.endswith("./."):
        last = plan.paragraphs[-1]
        out.append(
            UserError(
                f'loại "{kind.id}": đoạn cuối "{last.ident}" phải kết thúc bằng "./."',
                Where(loaded.path, lines.get(last.ident, 0)),
            )
        )
    return out


def _for_kind(problem: UserError, kind: KindView) -> UserError:
    if f'"{kind.id}"' in problem.message:
        return problem
    return UserError(f'loại "{kind.id}": {problem.message}', problem.where)
