"""`plangen import`: an issued appendix DOCX -> a catalog YAML (the flow run backwards).

    DOCX table (docxread.py) -> rows -> bodies matched to roles (longest known name first)
    -> catalog (sections, tasks, roles) -> YAML, checked like `plangen validate` would

Bodies are recognised from the importing unit's own profile: the bodies its kind and profile
give every role, placeholders filled in for that unit. A body that plays several roles
takes the role whose body list is exactly that body (then the one with the fewest bodies);
among equals, the role the most similar task of an existing catalog uses, then the role
the existing catalogs use most, then the order of roles.yaml — and the report says so.

A body the unit does not know stays out of the catalog (catalogs hold roles only): the
report prints a unit-profile override (`tasks: {id: {lead: [...]}}`) that keeps the
literal names for that unit, and the task carries a `# TODO`; a cell with no known body at
all gets the generic role `related` meanwhile. See docs/import.md for why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import math
import re
import textwrap
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.core.dates import day2, month_vn
from generator.core.errors import UserError, Where
from generator.core.frozen import FrozenDict
from generator.core.text import capitalize_first, nfc, slugify
from generator.model.catalog import Catalog, Section
from generator.model.fields import ID_PATTERN, ROLE_REF, split_role_ref
from generator.model.kinds import KindView, foreign_words
from generator.model.unit import Unit
from generator.model.validation import Loaded
from generator.model.workspace import Workspace
from generator.readback import docxread
from generator.readback.docxread import Row, SourceTable, fold
from generator.resolve.identity import render_text, unit_context
from generator.resolve.tables import Resolver, keeps, section_title, task_fields

PLACEHOLDER_ROLE = "related"
UNKNOWN_FIELD = "Chưa xác định"
ID_MAX = 40
ID_BASE_MAX = 32  # room for "-2026" and "-2" after it
ID_WORDS = 6
LINE_WIDTH = 92

INDEX_NAMES = ("SIPAS", "PAR INDEX", "CCHC")
ACRONYMS = {
    "SIPAS", "PAR", "INDEX", "CCHC", "PCI", "PAPI", "UBND", "HĐND", "TTHC", "PAKN", "CBCCVC",
    "CCVC", "CBCC", "VBQPPL", "TTĐT", "DVC", "CNTT", "MTTQ", "MTTQVN", "KTCK", "QLCK", "BHXH",
    "BQL", "KT-XH", "ĐTĐ", "NDXP",
}  # fmt: skip
PROPER = ("Việt Nam", "Chính phủ", "Trung ương", "Mặt trận Tổ quốc", "Bộ Nội vụ")

# New-style tone marks (hoà, khoẻ, thuỷ) compare equal to the old style (hòa, khỏe, thủy).
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_NEW_TO_OLD = {
    unicodedata.normalize("NFC", a + b + t): unicodedata.normalize("NFC", a + t) + b
    for a, b in (("o", "a"), ("o", "e"), ("u", "y"))
    for t in _TONES
}
_NEW_TONE = re.compile("|".join(_NEW_TO_OLD))
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-"})
_BULLET = re.compile(r"^[-–+•*]\s+")


def match_key(text: str) -> str:
    """A comparison form of `text` with the same length: lower case, one dash, old-style tone
    marks. (Positions in the key are positions in the text.)"""
    lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return _NEW_TONE.sub(lambda m: _NEW_TO_OLD[m.group()], lowered.translate(_DASHES))


def name_key(name: str) -> str:
    return match_key(" ".join(nfc(name).split()).rstrip(". "))


# --------------------------------------------------------------------------- known bodies


@dataclass
class Mention:
    """One body named in a lead/support cell."""

    text: str  # as written in the cell, note included
    key: str | None  # match key of the known body; None when the unit does not know it
    note: str | None = None  # "(tham mưu kinh phí)" or running text ("chủ trì tổng hợp")
    # an unknown name that opens with a known one ("Sở Nội vụ tỉnh"): that body's match key,
    # whose role the catalog uses for the other units
    base: str | None = None


class Bodies:
    """The importing unit's bodies: every role's bodies, placeholders filled in."""

    def __init__(self, roles: dict[str, list[str]], order: list[str]) -> None:
        self.order = {r: i for i, r in enumerate(order)}
        self.roles: dict[str, list[str]] = {}  # role -> body keys
        self.by_key: dict[str, list[str]] = {}  # body key -> roles
        self.display: dict[str, str] = {}
        for role in sorted(roles, key=lambda r: self.order.get(r, len(order))):
            keys = []
            for body in roles[role]:
                key = name_key(body)
                if not key:
                    continue
                keys.append(key)
                self.display.setdefault(key, body)
                if role not in self.by_key.setdefault(key, []):
                    self.by_key[key].append(role)
            self.roles[role] = keys
        self.longest_first = sorted(self.by_key, key=lambda k: (-len(k), k))

    def match_at(self, key: str, pos: int) -> tuple[str, int] | None:
        for name in self.longest_first:
            end = pos + len(name)
            if key.startswith(name, pos) and (end == len(key) or not key[end].isalnum()):
                return name, end
        return None

    def nearest(self, text: str) -> list[str]:
        names = {self.display[k].lower(): self.display[k] for k in self.display}
        close = difflib.get_close_matches(text.lower(), list(names), n=3, cutoff=0.5)
        return [names[c] for c in close]


def _normalise_cell(text: str) -> str:
    lines = []
    for line in nfc(text).split("\n"):
        line = _BULLET.sub("", " ".join(line.split()))
        if line:
            lines.append(line)
    return "\n".join(lines)


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _segment_end(text: str, pos: int) -> int:
    """The next ";", "," or line break at bracket depth 0 (or the end)."""
    depth = 0
    for i in range(pos, len(text)):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")" and depth:
            depth -= 1
        elif depth == 0 and c in ";,\n":
            return i
    return len(text)


def split_bodies(raw: str, bodies: Bodies) -> tuple[list[Mention], list[str]]:
    """The bodies named in a cell, known names matched longest first (so "Sở Văn hóa, Thể
    thao và Du lịch" is one body), separators ";", ",", line breaks and "- " bullets; also
    what was read loosely ("và" between two known bodies)."""
    text = _normalise_cell(raw)
    key = match_key(text)
    n = len(text)
    out: list[Mention] = []
    remarks: list[str] = []
    pos = 0
    last_sep = ""
    while pos < n:
        while pos < n and text[pos] in ";,\n .":
            if text[pos] in ";,\n":
                last_sep = text[pos]
            pos += 1
        if pos >= n:
            break
        hit = bodies.match_at(key, pos)
        if hit:
            name, end = hit
            note = None
            p = end
            while p < n and text[p] == " ":
                p += 1
            if p < n and text[p] == "(":
                close = _closing(text, p)
                inner = text[p + 1 : close].strip() if close != -1 else ""
                if inner and "(" not in inner and ")" not in inner:
                    note = f"({' '.join(inner.split())})"
                    end = p = close + 1
            while p < n and text[p] in " .":
                p += 1
            seg_end = _segment_end(text, p)
            trailing = text[p:seg_end].strip().rstrip(". ").strip()
            if trailing and filler(trailing):  # "Sở Nội vụ -": the dash says nothing
                out.append(Mention(text[pos:end].strip(), name, note))
                pos, last_sep = seg_end, ""
                continue
            if trailing:
                after_va = p + 3 if key.startswith("và ", p) else -1
                if after_va > 0 and bodies.match_at(key, after_va):
                    out.append(Mention(text[pos:end].strip(), name, note))
                    remarks.append(f'"và" giữa hai cơ quan được đọc như dấu ";" ({trailing})')
                    pos, last_sep = after_va, ";"
                    continue
                if note is None and running_note(trailing):
                    out.append(Mention(text[pos:seg_end].strip().rstrip(". "), name, trailing))
                    pos, last_sep = seg_end, ""
                    continue
                _add_unknown(out, text[pos:seg_end], last_sep, base=name)
                pos, last_sep = seg_end, ""
                continue
            out.append(Mention(text[pos:end].strip(), name, note))
            pos, last_sep = max(p, end), ""
            continue
        seg_end = _segment_end(text, pos)
        _add_unknown(out, text[pos:seg_end], last_sep)
        pos, last_sep = seg_end, ""
    return [m for m in out if m.text], remarks


# Words that name a level or a place: after a body's name they make a different body ("Sở Nội
# vụ tỉnh", "Sở Tài chính tỉnh Lạng Sơn"), not a note every unit may print after its own body.
LEVEL_WORDS = (
    "tỉnh", "thành phố", "huyện", "quận", "thị xã", "thị trấn", "xã", "phường", "đặc khu",
    "trung ương", "cấp", "thôn", "tổ dân phố",
)  # fmt: skip
_LEVEL_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(w) for w in LEVEL_WORDS) + r")(?!\w)", re.IGNORECASE
)
_NOT_LEVEL = re.compile(r"(?<!\w)(?:xã hội|hợp tác xã|cấp kinh phí|cấp phép)(?!\w)", re.I)
_JOINING = ("và", "cùng", "với", "hoặc", "hay", "các", "những")
FILLER_CELL = re.compile(r"^[\s.;,]*(?:[-–—/…]+|[xX]|\.\.\.)?[\s.;,]*$")


def running_note(trailing: str) -> bool:
    """Whether the words after a known body's name read as a note any unit may print after
    its own body ("tham mưu kinh phí"): lower case, no proper name or acronym, no level or
    place word, not another body joined by "và"/"cùng" …"""
    if not trailing or not trailing[0].islower() or not ROLE_REF.match(f"x {trailing}"):
        return False
    if any(c.isupper() for c in trailing):
        return False
    if trailing.split()[0] in _JOINING:
        return False
    return not _LEVEL_RE.search(_NOT_LEVEL.sub(" ", trailing))


def filler(text: str) -> bool:
    """A cell (or part of one) holding only "-", "x", "/", "…": nothing, not a body."""
    return bool(FILLER_CELL.match(text))


def _add_unknown(out: list[Mention], segment: str, sep: str, base: str | None = None) -> None:
    """An unknown name; ", tail" starting in lower case continues the unknown name before
    it ("Sở Văn hóa, thể thao" of a unit that does not know it stays one name)."""
    segment = " ".join(segment.split()).rstrip(". ").strip()
    if not segment or filler(segment):
        return
    if sep == "," and out and out[-1].key is None and segment[0].islower():
        out[-1].text = f"{out[-1].text}, {segment}"
        return
    out.append(Mention(segment, None, base=base))


# --------------------------------------------------------------------------- hints


@dataclass
class _Similar:
    catalog: str
    task: str
    words: frozenset[str]
    roles: dict[str, list[str]]  # "lead"/"support" -> roles


class Hints:
    """What the workspace's existing catalogs say, for the unit's kind: each task's roles
    (to break ties between roles with the same bodies) and how often each role is used."""

    def __init__(self, ws: Workspace, kind: KindView, unit: Unit, slug: str, skip: Path) -> None:
        self.tasks: list[_Similar] = []
        self.freq: Counter[str] = Counter()
        self._seen: dict[frozenset, _Similar | None] = {}
        omitted = set(unit.omit)
        for cat in sorted(ws.catalogs.values(), key=lambda c: c.model.id):
            if _same_file(cat.path, skip):
                continue
            context = unit_context(kind, unit, slug, cat.model.year)

            def walk(sections: list[Section], cat: Loaded[Catalog] = cat, context=context):
                for section in sections:
                    if not keeps(section, kind, omitted):
                        continue
                    for task in section.tasks:
                        if not keeps(task, kind, omitted):
                            continue
                        fields = task_fields(task, kind.chain)
                        try:
                            text = render_text(fields["text"], context, task.id)
                        except UserError:
                            text = fields["text"]
                        roles = {
                            k: [split_role_ref(r)[0] for r in fields[k]]
                            for k in ("lead", "support")
                        }
                        self.freq.update(roles["lead"] + roles["support"])
                        words = frozenset(re.findall(r"\w+", fold(text).lower()))
                        self.tasks.append(_Similar(cat.model.id, task.id, words, roles))
                    walk(section.sections)

            walk(cat.model.sections)

    def similar(self, text: str) -> _Similar | None:
        """The existing task whose words are most like those of `text` (at least 70% in
        common, Jaccard), or None: a tie-break hint only, so cheap beats exact."""
        words = frozenset(re.findall(r"\w+", fold(text).lower()))
        if words in self._seen:
            return self._seen[words]
        best, score = None, 0.7
        for t in self.tasks:
            common = len(words & t.words)
            if common:
                r = common / len(words | t.words)
                if r > score:
                    best, score = t, r
        self._seen[words] = best
        return best


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


# --------------------------------------------------------------------------- report


@dataclass
class ImportReport:
    """What the import read, decided and left to check; `lines()` says it in Vietnamese."""

    path: Path
    source: str
    unit: str
    catalog_id: str
    heading: str = ""
    title: str = ""
    columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    tables: int = 1
    sections: int = 0
    tasks: int = 0
    mentions: int = 0
    as_roles: int = 0
    literal: int = 0
    mapped: dict[str, Counter] = field(default_factory=dict)  # body -> Counter(role)
    # body -> [Counter(role chosen), roles it could have been, Counter(reason)]
    choices: dict[str, list] = field(default_factory=dict)
    unknown: dict[str, list] = field(default_factory=dict)  # name -> [count, nearest]
    overrides: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    odd: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    omits: list[str] = field(default_factory=list)
    check: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def role_share(self) -> float:
        """Percent of body mentions that became roles."""
        return 100.0 * self.as_roles / self.mentions if self.mentions else 100.0

    def lines(self) -> list[str]:
        out = [
            f"Đã đọc {self.source}: {self.heading}; {self.rows_read} dòng bảng"
            + (f" ({self.tables} bảng nối tiếp)" if self.tables > 1 else "")
            + f" -> {self.sections} mục, {self.tasks} nhiệm vụ.",
            f"Tiêu đề: {self.title}",
            "Cột: " + " · ".join(self.columns),
            f"Cơ quan: {self.mentions} lần nêu tên; {self.as_roles} thành vai trò "
            f"({self.role_share:.0f}%), {self.literal} giữ nguyên văn.",
        ]
        for body, roles in self.mapped.items():
            said = ", ".join(f"{r} ({n})" for r, n in roles.most_common())
            out.append(f'  "{body}" -> {said}')
        if self.choices:
            out.append("Cơ quan giữ nhiều vai trò (đã chọn một; sửa trong catalog nếu cần):")
            for body, (chosen, tied, reasons) in self.choices.items():
                said = ", ".join(f"{r} ({n})" for r, n in chosen.most_common())
                why = "; ".join(
                    f"{reason} ({n})" if len(reasons) > 1 else reason
                    for reason, n in reasons.most_common()
                )
                out.append(f'  "{body}" -> {said}; chọn trong {", ".join(tied)}: {why}')
        if self.unknown:
            out.append(
                f"Cơ quan hồ sơ {self.unit} không có ({len(self.unknown)} tên, giữ nguyên văn; "
                "trong catalog tạm dùng các vai trò đã nhận ra, hoặc related):"
            )
            for name, (count, near) in self.unknown.items():
                hint = ", ".join(f'"{n}"' for n in near) if near else "không có tên gần giống"
                out.append(f'  "{name}" ({count} lần; gần nhất: {hint})')
            out.append(
                f"  Để phụ lục của {self.unit} in đúng nguyên văn, thêm vào hồ sơ đơn vị "
                f"(units/{self.unit}.yaml):"
            )
            out += ["    " + line for line in override_yaml(self.overrides)]
            out.append(
                "  Nếu cơ quan đó là một vai trò chung: khai báo vai trò trong roles.yaml, gán "
                "cơ quan cho vai trò ở các loại đơn vị, rồi sửa lead/support của nhiệm vụ."
            )
        for title, items in (
            ("Ô bất thường", sorted(self.odd, key=_by_row)),
            ("Đã bỏ qua", sorted(self.skipped, key=_by_row)),
            ("Bỏ cho loại đơn vị khác (omit, có # TODO trong catalog)", self.omits),
            ("Cần kiểm tra tay", self.check),
            ("validate còn báo ở catalog mới", self.problems),
        ):
            if items:
                out.append(f"{title} ({len(items)}):")
                out += [f"  {item}" for item in items]
        out.append(
            f"Tiếp theo: xem lại các mục trên và các dòng # TODO, rồi chạy plangen validate và "
            f"plangen --unit {self.unit} --appendix {self.catalog_id}"
        )
        return out


def _by_row(line: str) -> tuple[int, int]:
    """Sort key of a report line by the table row it starts with ("bảng 2, dòng 3: …")."""
    m = re.match(r"(?:bảng (\d+), )?dòng (\d+):", line)
    return (int(m.group(1) or 0), int(m.group(2))) if m else (0, 0)


def override_yaml(overrides: dict[str, dict[str, list[str]]]) -> list[str]:
    lines = ["tasks:"]
    for task_id, cells in overrides.items():
        lines.append(f"  {task_id}:")
        for key, names in cells.items():
            lines.append(f"    {key}: [{', '.join(_flow_scalar(n) for n in names)}]")
    return lines


# --------------------------------------------------------------------------- the catalog


@dataclass
class TaskOut:
    id: str
    text: str
    lead: list[str]
    support: list[str]
    deadline: str
    product: str
    omit: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # field -> "# TODO" lines
    row: Row | None = field(default=None, repr=False)
    omit_why: dict[str, list[str]] = field(default_factory=dict, repr=False)


@dataclass
class SectionOut:
    id: str
    title: str
    level: int
    tasks: list[TaskOut] = field(default_factory=list)
    sections: list[SectionOut] = field(default_factory=list)
    omit: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    omit_why: dict[str, list[str]] = field(default_factory=dict, repr=False)


@dataclass
class CatalogOut:
    id: str
    appendix: str | None
    index: str
    year: int
    title: str
    bodies: str | None
    columns: list[dict]
    sections: list[SectionOut]

    def data(self) -> dict:
        """The plain data the YAML must load back to."""

        def task(t: TaskOut) -> dict:
            d = {"id": t.id, "text": t.text, "lead": t.lead, "support": t.support}
            d |= {"deadline": t.deadline, "product": t.product}
            if t.omit:
                d["omit"] = t.omit
            return d

        def section(s: SectionOut) -> dict:
            d: dict = {"id": s.id, "title": s.title}
            if s.omit:
                d["omit"] = s.omit
            if s.tasks:
                d["tasks"] = [task(t) for t in s.tasks]
            if s.sections:
                d["sections"] = [section(x) for x in s.sections]
            return d

        d: dict = {"id": self.id}
        if self.appendix:
            d["appendix"] = self.appendix
        d |= {"index": self.index, "year": self.year, "title": self.title}
        if self.bodies:
            d["bodies"] = self.bodies
        d["columns"] = self.columns
        d["sections"] = [section(s) for s in self.sections]
        return d

    def all_sections(self):
        stack = list(reversed(self.sections))
        while stack:
            s = stack.pop()
            yield s
            stack.extend(reversed(s.sections))


# --------------------------------------------------------------------------- entry point


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
    from generator.flow.generate import check_slug
    from generator.write.files import check_free, write_atomic

    if not re.match(ID_PATTERN, catalog_id):
        raise UserError(
            f'mã catalog "{catalog_id}" không hợp lệ: chỉ dùng chữ thường không dấu, số và "-" '
            "(ví dụ sipas-2027)"
        )
    unit = ws.unit(check_slug(slug)).model
    kind = ws.kind_of(slug)
    target = out if out is not None else ws.catalog_dir / f"{catalog_id}.yaml"
    other = ws.catalogs.get(catalog_id)
    if other is not None and not _same_file(other.path, target):
        raise UserError(
            f'mã catalog "{catalog_id}" đã có ở {Where(other.path)}: chọn mã khác (--id)',
            Where(target),
        )
    check_free(target, force)
    table = docxread.read_table(source)
    if not any(r.kind == "task" for r in table.rows):
        raise UserError("bảng nhiệm vụ không có dòng nhiệm vụ nào", Where(source))

    year = _year(table, source)
    report = ImportReport(path=target, source=source.name, unit=slug, catalog_id=catalog_id)
    builder = _Builder(ws, kind, unit, slug, table, report, target, year)
    catalog = builder.build(catalog_id)
    in_catalogs = _same_file(target.parent, ws.catalog_dir)
    text = emit(catalog, _header(catalog, table, source, unit, slug, today, in_catalogs))
    loaded = _check_yaml(text, target)
    report.problems = _validate_with(ws, loaded, target)
    write_atomic(target, text.encode("utf-8"), force)
    return report


# --------------------------------------------------------------------------- building


class _Builder:
    def __init__(self, ws, kind: KindView, unit: Unit, slug: str, table: SourceTable,
                 report: ImportReport, target: Path, year: int) -> None:  # fmt: skip
        self.ws, self.kind, self.unit, self.slug = ws, kind, unit, slug
        self.table, self.report, self.target = table, report, target
        self.year = year
        declared = list(ws.roles.model.roles) if ws.roles else list(kind.roles)
        self.declared = declared
        context = unit_context(kind, unit, slug, self.year)
        roles = {**kind.roles, **unit.roles}
        rendered = {}
        for role, names in roles.items():
            if role not in declared:
                continue
            owner = f'vai trò "{role}" của đơn vị "{slug}"'
            rendered[role] = [render_text(b, context, owner) for b in names]
        self.bodies = Bodies(rendered, declared)
        self.hints = Hints(ws, kind, unit, slug, target)
        self.placeholder = PLACEHOLDER_ROLE if PLACEHOLDER_ROLE in declared else declared[0]
        self.acronyms = ACRONYMS | _acronyms(table)
        self.proper = _proper_names(unit, kind, rendered)
        self.bullet_cells = 0
        self.inline_cells = 0
        self._similar: dict[str, _Similar | None] = {}

    # -- whole catalog
    def build(self, catalog_id: str) -> CatalogOut:
        t, r = self.table, self.report
        index = _index_name(t.title, catalog_id)
        if index is None:
            index = "CHƯA RÕ"
            r.check.append(
                "không nhận ra tên chỉ số (SIPAS, PAR INDEX, CCHC) trong tiêu đề: đã ghi "
                '"index: CHƯA RÕ", sửa tay'
            )
        numeral = t.numeral
        if numeral and numeral not in ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"):
            r.check.append(f'số phụ lục "{numeral}" ngoài I-X: bỏ trống appendix')
            numeral = None
        title = self.catalog_title()
        columns = self.columns()
        sections = self.sections()
        catalog = CatalogOut(catalog_id, numeral, index, self.year, title, None, columns, sections)
        _assign_ids(catalog, _taken_ids(self.ws, self.target), self.year)
        self.finish_tasks(catalog)
        catalog.bodies = self.layout()
        self.omit_for_other_kinds(catalog)
        r.heading = f"{t.label or 'không có dòng Phụ lục'}, chỉ số {index}, năm {self.year}"
        r.title = title
        r.sections = sum(1 for _ in catalog.all_sections())
        r.tasks = sum(len(s.tasks) for s in catalog.all_sections())
        r.rows_read, r.tables = t.rows_read, t.tables
        for note in t.notes:
            text = f"{note.row}: {note.text}" if note.row else note.text
            {"odd": r.odd, "skipped": r.skipped}.get(note.kind, r.check).append(text)
        self.numbering_notes()
        self.duplicate_catalogs(catalog)
        for s in catalog.all_sections():
            if not s.tasks and not s.sections:
                r.check.append(f'mục "{s.title}" không có nhiệm vụ nào: plangen không in mục rỗng')
        return catalog

    def catalog_title(self) -> str:
        title = self.table.title
        if not title:
            self.report.check.append("không thấy tiêu đề phụ lục trước bảng: đã ghi tạm, sửa tay")
            return "Các nhiệm vụ, giải pháp (chưa có tiêu đề)"
        tail = re.search(r"\s*(?:năm\s+)?\d{4}\s*(\([^()]*\))?\s*$", title, flags=re.I)
        cut = title[: tail.start()].strip() if tail else title
        if tail and tail.group(1):
            self.report.check.append(
                f'tiêu đề: đã bỏ "{tail.group(1)}" sau năm (plangen in tiêu đề, tên đơn vị và '
                "năm); ghi lại vào title nếu cần"
            )
        name = fold(self.unit.name)
        if name and cut.lower().endswith(name.lower()):
            cut = cut[: len(cut) - len(name)].rstrip()
            cut = re.sub(r"\s+của$", "", cut, flags=re.I)
        elif self.unit.show_name and name:
            self.report.check.append(
                f'tiêu đề không kết thúc bằng tên đơn vị "{self.unit.name}": kiểm tra tiêu đề '
                "(plangen thêm tên đơn vị và năm khi in)"
            )
        result = self.sentence_case(cut)
        if cut.upper() == cut:
            self.report.check.append(
                "tiêu đề và tên mục được đổi từ chữ in hoa sang chữ thường: kiểm tra chữ hoa của "
                "tên riêng"
            )
        return result

    def sentence_case(self, text: str) -> str:
        text = fold(text)
        if text.upper() != text:
            return capitalize_first(text)

        def word(m: re.Match) -> str:
            w = m.group()
            if w in self.acronyms or docxread.ROMAN_RE.match(w):
                return w
            return w.lower()

        text = re.sub(r"[\w-]+", word, text)
        for name in self.proper:
            pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
            text = re.sub(pattern, lambda _m, n=name: n, text, flags=re.IGNORECASE)
        text = re.sub(
            r"(?<!\w)chỉ số(?= (?:SIPAS|PAR INDEX|CCHC|PCI|PAPI|cải cách hành chính|hài lòng))",
            "Chỉ số",
            text,
        )
        return capitalize_first(text)

    def columns(self) -> list[dict]:
        cols = list(self.table.columns)
        r = self.report
        if not any(c.key == "stt" for c in cols):
            r.check.append('bảng không có cột STT: đã thêm cột "STT" (plangen đánh số)')
            total = sum(c.width for c in cols) or 1.0
            cols.insert(0, docxread.Column("stt", "STT", total * 5 / 95, -1, 1))
        elif cols[0].key != "stt":
            r.check.append("cột STT không đứng đầu bảng: đã chuyển lên đầu")
            cols.sort(key=lambda c: c.key != "stt")
        for key in ("deadline", "product"):
            if not any(c.key == key for c in cols):
                r.check.append(
                    f'bảng không có cột "{docxread.KEY_NAMES[key]}": catalog ghi '
                    f'"{UNKNOWN_FIELD}" cho mọi nhiệm vụ (cột này không được in)'
                )
        widths = _percent([c.width for c in cols], [c.key for c in cols])
        r.columns = [f"{c.label} {w:g}%" for c, w in zip(cols, widths, strict=True)]
        return [
            {"key": c.key, "label": c.label, "width": w} for c, w in zip(cols, widths, strict=True)
        ]

    def layout(self) -> str | None:
        default = self.kind.bodies or "inline"
        if self.bullet_cells > self.inline_cells and default != "lines":
            self.report.check.append(
                'cơ quan trong ô được ghi mỗi cơ quan một dòng "- …": catalog ghi "bodies: lines"'
            )
            return "lines"
        return None

    # -- sections and tasks
    def sections(self) -> list[SectionOut]:
        top: list[SectionOut] = []
        stack: list[SectionOut] = []
        for row in self.table.rows:
            if row.kind == "section":
                section = SectionOut("", self.sentence_case(row.title), row.level)
                while stack and stack[-1].level >= row.level:
                    stack.pop()
                (stack[-1].sections if stack else top).append(section)
                stack.append(section)
                continue
            if not stack:
                general = SectionOut("", "Nhiệm vụ chung", 1)
                general.notes["title"] = [
                    "TODO: bảng gốc có nhiệm vụ không thuộc mục nào; mục này do plangen thêm"
                ]
                self.report.check.append(
                    f'{row.where}: nhiệm vụ đứng trước mục đầu tiên: đã đặt vào mục "Nhiệm vụ '
                    'chung" (bảng in ra sẽ có thêm dòng mục này)'
                )
                top.append(general)
                stack.append(general)
            stack[-1].tasks.append(self.task(row))
        return top

    def task(self, row: Row) -> TaskOut:
        cells = row.cells
        t = TaskOut(
            id="",
            text=_jinja_safe(cells.get("task", "")),
            lead=[],
            support=[],
            deadline=self.plain_field(row, "deadline"),
            product=self.plain_field(row, "product"),
            row=row,
        )
        return t

    def plain_field(self, row: Row, key: str) -> str:
        if key not in row.cells:
            return UNKNOWN_FIELD
        value = row.cells[key].strip()
        if not value:
            self.report.odd.append(
                f'{row.where}: ô "{docxread.KEY_NAMES[key]}" trống: ghi tạm "{UNKNOWN_FIELD}"'
            )
            return UNKNOWN_FIELD
        return _jinja_safe(value)

    def finish_tasks(self, catalog: CatalogOut) -> None:
        """Bodies -> roles, once ids are known (the report and overrides name tasks)."""
        for section in catalog.all_sections():
            for t in section.tasks:
                row = t.row
                assert row is not None
                for key in ("lead", "support"):
                    if key not in row.cells:
                        continue
                    raw = row.cells[key]
                    refs = [] if filler(raw) else self.cell_roles(t, key, raw, row)
                    if key == "lead" and not refs:
                        shown = " ".join(raw.split())
                        said = f'chỉ ghi "{shown}"' if shown else "trống"
                        t.lead = [self.placeholder]
                        t.notes["lead"] = [
                            f"TODO: ô chủ trì trong bảng gốc {said}; tạm ghi {self.placeholder}"
                        ]
                        self.report.odd.append(
                            f"{row.where}: ô chủ trì {said}: catalog tạm ghi vai trò "
                            f'{self.placeholder} (nhiệm vụ "{t.id}")'
                        )
                        continue
                    setattr(t, key, refs)

    def similar(self, t: TaskOut) -> _Similar | None:
        """The existing catalog's task most like `t` (looked up once, only on a tie)."""
        if t.id not in self._similar:
            self._similar[t.id] = self.hints.similar(t.text)
        return self._similar[t.id]

    def cell_roles(self, t: TaskOut, key: str, raw: str, row: Row) -> list[str]:
        r = self.report
        mentions, remarks = split_bodies(raw, self.bodies)
        for remark in remarks:
            r.check.append(f'{row.where}: {remark} (nhiệm vụ "{t.id}")')
        if len(mentions) > 1:
            if row.bullets.get(key):
                self.bullet_cells += 1
            else:
                self.inline_cells += 1
        refs: list[str] = []
        assigned: dict[int, str] = {}
        known = [(i, m) for i, m in enumerate(mentions) if m.key is not None]
        # A role with several bodies, all of them in the cell (and no notes): the role once.
        present = {m.key for _, m in known if m.note is None}
        multi = [role for role, keys in self.bodies.roles.items() if len(keys) > 1]
        multi.sort(key=lambda role: (-len(self.bodies.roles[role]), self.bodies.order[role]))
        for role in multi:
            keys = set(self.bodies.roles[role])
            if keys <= present:
                for i, m in known:
                    if m.key in keys and i not in assigned and m.note is None:
                        assigned[i] = role
                present -= keys
        for i, m in known:
            if i not in assigned:
                assigned[i] = self.choose(m.key, key, t)
        literal: list[str] = []
        based: list[str] = []
        for i, m in enumerate(mentions):
            r.mentions += 1
            if m.key is None:
                r.literal += 1
                near = self.bodies.nearest(m.text)
                if m.base is not None:  # the known name it opens with comes first
                    shown = self.bodies.display[m.base]
                    near = [shown] + [n for n in near if n != shown][:2]
                    role = self.choose(m.base, key, t)
                    if role not in refs:
                        refs.append(role)
                    based.append(f'"{m.text}" -> {role} (như "{shown}")')
                entry = r.unknown.setdefault(m.text, [0, near])
                entry[0] += 1
                literal.append(m.text)
                continue
            r.as_roles += 1
            role = assigned[i]
            shown = self.bodies.display[m.key]
            r.mapped.setdefault(shown, Counter())[role] += 1
            ref = role if m.note is None else f"{role} {m.note}"
            if ref not in refs:
                refs.append(ref)
            if m.note is not None and not m.note.startswith("("):
                r.check.append(
                    f'{row.where}: "{m.text}" -> {role} kèm ghi chú "{m.note}": mọi đơn vị sẽ in '
                    f'ghi chú này sau cơ quan của mình (nhiệm vụ "{t.id}"); sửa nếu ghi chú chỉ '
                    f"đúng với {self.slug}"
                )
            size = len(self.bodies.roles[role])
            if size > 1 and not set(self.bodies.roles[role]) <= {x.key for x in mentions}:
                extra = [self.bodies.display[k] for k in self.bodies.roles[role] if k != m.key]
                r.check.append(
                    f'{row.where}: "{shown}" -> {role}, vai trò này còn có '
                    + ", ".join(f'"{e}"' for e in extra)
                    + f' nên khi in sẽ thêm các cơ quan đó (nhiệm vụ "{t.id}")'
                )
        if literal:
            names = ", ".join(f'"{x}"' for x in literal)
            if not refs:
                refs = [self.placeholder]
                kept = f"tạm ghi {self.placeholder}"
            elif based:
                kept = "các đơn vị khác in theo vai trò: " + "; ".join(based)
            else:
                kept = "chỉ ghi các vai trò đã nhận ra"
            cell = [m.text for m in mentions]
            flow = ", ".join(_flow_scalar(x) for x in cell)
            t.notes.setdefault(key, []).append(
                f"TODO: {names} chưa có vai trò ({kept}). Để {self.slug} in đúng nguyên văn, hồ "
                f"sơ đơn vị ghi: tasks: {{{t.id}: {{{key}: [{flow}]}}}}"
            )
            r.overrides.setdefault(t.id, {})[key] = cell
        return refs

    def choose(self, body: str, column: str, t: TaskOut) -> str:
        roles = self.bodies.by_key[body]
        size = min(len(self.bodies.roles[r]) for r in roles)
        tied = [r for r in roles if len(self.bodies.roles[r]) == size]
        if len(tied) == 1:
            return tied[0]
        reason = ""
        pick = None
        similar = self.similar(t)
        if similar is not None:
            same = [r for r in tied if r in similar.roles[column]]
            same = same or [
                r for r in tied if r in similar.roles["lead"] + similar.roles["support"]
            ]
            if same:
                pick = same[0]
                reason = f"như nhiệm vụ giống nhất của catalog {similar.catalog}"
        if pick is None:
            counts = [self.hints.freq[r] for r in tied]
            top = max(counts)
            if top and counts.count(top) == 1:
                pick = tied[counts.index(top)]
                reason = "vai trò các catalog hiện có dùng nhiều nhất"
            else:
                pick = tied[0]
                reason = "theo thứ tự trong roles.yaml"
        shown = self.bodies.display[body]
        entry = self.report.choices.setdefault(shown, [Counter(), tied, Counter()])
        entry[0][pick] += 1
        entry[2][reason] += 1
        return pick

    # -- kinds the source's wording does not fit
    def omit_for_other_kinds(self, catalog: CatalogOut) -> None:
        """For every other kind, omit the tasks that would have no lead, use a role the kind
        does not assign, or read in another level's words, so that the catalog validates;
        each omit gets a # TODO (the real fix is a variant for that kind)."""
        from generator.check.wording import sample_unit

        model = Catalog.model_validate(catalog.data())
        by_id: dict[str, SectionOut | TaskOut] = {s.id: s for s in catalog.all_sections()}
        by_id |= {t.id: t for s in catalog.all_sections() for t in s.tasks}
        reasons: dict[tuple[str, str], list[str]] = {}
        views = []
        for kind_id, loaded in self.ws.kinds.items():
            if loaded.model.abstract or kind_id in self.kind.chain:
                continue
            try:
                views.append(self.ws.kind(kind_id))
            except UserError:
                continue
        views.sort(key=lambda v: (len(v.chain), v.id))  # bases first: their omit covers more

        def omit(item_id: str, view: KindView, why: str) -> None:
            item = by_id[item_id]
            if any(k in item.omit for k in view.chain):
                return  # a base kind is omitted already
            _add_omit(item, view.id, why)
            reasons.setdefault((view.id, why), []).append(item_id)

        for view in views:
            resolver = Resolver(model, view, sample_unit(view), "mau")
            for section, _ in model.iter_sections():
                words = foreign_words(section_title(section, view.chain), view)
                if words:
                    omit(section.id, view, _said(words))
            for task in model.iter_tasks():
                fields = task_fields(task, view.chain)
                refs = [split_role_ref(r)[0] for r in fields["lead"] + fields["support"]]
                missing = sorted({r for r in refs if r not in view.roles})
                if missing:
                    omit(task.id, view, "loại này chưa gán cơ quan cho " + ", ".join(missing))
                    continue
                cells = resolver.task_cells(task)
                if not cells["lead"]:
                    omit(task.id, view, "không có cơ quan chủ trì ở loại này")
                    continue
                words = sorted({w for c in cells.values() for w in foreign_words(c, view)})
                if words:
                    omit(task.id, view, _said(words))
        for (kind_id, why), ids in reasons.items():
            self.report.omits.append(
                f"{kind_id}: {len(ids)} mục/nhiệm vụ ({why}): {', '.join(ids)}"
            )

    # -- what the numbering of the source says
    def numbering_notes(self) -> None:
        """Slips in the source's codes and numbers: plangen numbers by position anyway."""
        from generator.core.text import roman, roman_value

        r = self.report
        letters = 0
        romans = 0
        number = 0
        for row in self.table.rows:
            if row.kind == "section":
                number = 0
                if not row.code:
                    continue
                if docxread.is_roman(row.code):
                    want = roman(romans + 1)
                    romans = roman_value(row.code)
                else:
                    want = chr(ord("A") + letters)
                    letters, romans = ord(row.code) - ord("A") + 1, 0
                if row.code != want:
                    r.check.append(
                        f'{row.where}: mục "{row.code}" (theo thứ tự phải là "{want}"): plangen '
                        "tự đánh lại mã mục theo vị trí"
                    )
                continue
            number += 1
            if row.code.isdigit() and int(row.code) != number:
                r.check.append(
                    f"{row.where}: STT {row.code} (theo thứ tự phải là {number}): plangen tự "
                    "đánh số lại"
                )
                number = int(row.code)

    def duplicate_catalogs(self, catalog: CatalogOut) -> None:
        same_year = sorted(
            (c.model for c in self.ws.catalogs.values() if not _same_file(c.path, self.target)),
            key=lambda m: m.id,
        )
        same_year = [m for m in same_year if m.year == catalog.year]
        numbered = [m for m in same_year if m.appendix]
        unnumbered = [m for m in same_year if not m.appendix]
        if not catalog.appendix and numbered:
            self.report.check.append(
                'phụ lục không đánh số ("PHỤ LỤC") cùng năm với '
                + ", ".join(f"Phụ lục {m.appendix} ({m.id})" for m in numbered)
                + ': Kế hoạch của mỗi đơn vị sẽ kèm cả các phụ lục đó và gọi phụ lục này là "Phụ '
                'lục"; ghi appendix (số La Mã) vào catalog nếu nó đi cùng các phụ lục kia'
            )
        elif catalog.appendix and unnumbered:
            self.report.check.append(
                f"Phụ lục {catalog.appendix} cùng năm với phụ lục không đánh số "
                + ", ".join(f'"{m.id}"' for m in unnumbered)
                + ": Kế hoạch của mỗi đơn vị sẽ kèm cả hai; ghi appendix (số La Mã) cho catalog "
                "kia nếu chúng đi cùng nhau"
            )
        for other in self.ws.catalogs.values():
            m = other.model
            if _same_file(other.path, self.target):
                continue
            if (
                m.year == catalog.year
                and m.appendix == catalog.appendix
                and m.index == catalog.index
            ):
                label = f"Phụ lục {m.appendix}" if m.appendix else "PHỤ LỤC"
                self.report.check.append(
                    f'catalog "{m.id}" cũng là {label} ({m.index}) năm {m.year}: mỗi đơn vị sẽ '
                    "có cả hai phụ lục; chuyển catalog cũ ra khỏi thư mục nếu đây là bản thay thế"
                )


def _said(words: list[str]) -> str:
    return "còn chữ " + ", ".join(f"“{w}”" for w in words)


def _add_omit(item: SectionOut | TaskOut, kind_id: str, why: str) -> None:
    if kind_id in item.omit:
        return
    item.omit.append(kind_id)
    item.omit.sort()
    item.omit_why.setdefault(why, []).append(kind_id)
    item.notes["omit"] = [
        "TODO: plangen import tự thêm omit: "
        + "; ".join(f"{', '.join(kinds)}: {w}" for w, kinds in item.omit_why.items())
        + ". Viết variants cho các loại này rồi bỏ omit."
    ]


def _jinja_safe(text: str) -> str:
    """Catalog text goes through the placeholder engine: keep a literal "{{", "{%" or "{#"."""
    return re.sub(r"\{(?=[{%#])", "{{ '{' }}", text)


def _acronyms(table: SourceTable) -> set[str]:
    """Upper-case words of the table's mixed-case cells: TTHC, PAKN, CBCCVC, UBND."""
    found: set[str] = set()
    for row in table.rows:
        for text in row.cells.values():
            if text.upper() == text:
                continue
            for w in re.findall(r"[\w-]+", text):
                if len(w) >= 2 and w.upper() == w and any(c.isalpha() for c in w):
                    found.add(w)
    return found


def _proper_names(unit: Unit, kind: KindView, roles: dict[str, list[str]]) -> list[str]:
    names = {*PROPER, unit.name}
    if unit.issuer:
        names.add(unit.issuer)
    if kind.parent:
        names.add(kind.parent.issuer)
    for bodies in roles.values():
        names.update(bodies)
    capitalised = [n for n in names if sum(c.isupper() for c in n[1:]) >= 1]
    return sorted(capitalised, key=lambda n: (-len(n), n))


def _index_name(title: str, catalog_id: str) -> str | None:
    t = title.upper()
    found = [name for name in INDEX_NAMES if name in t]
    if "PAR INDEX" in found and "CCHC" in found:
        found.remove("CCHC")
    if not found:
        low = title.lower()
        if "hài lòng" in low:
            found = ["SIPAS"]
        elif "cải cách hành chính" in low:
            found = ["PAR INDEX"]
    if not found:
        ident = catalog_id.replace("-", " ").upper()
        found = [name for name in INDEX_NAMES if name in ident]
    return ", ".join(found) if found else None


YEAR_MIN, YEAR_MAX = 2000, 2100  # as models.Catalog.year
_TITLE_YEAR = re.compile(r"(?<!\w)năm\s+(\d{4})(?!\d)", re.IGNORECASE)
_GUIDE_DATE = re.compile(
    r"(?<![\d/])(?:\d{1,2}\s*)?/\s*\d{1,2}\s*/\s*(\d{4})(?![\d/])"  # 06/7/2026, draft: /7/2026
    r"|(?<!\d)\d{1,2}\.\d{1,2}\.(\d{4})(?!\d)"  # 06.7.2026
    r"|(?<!\w)tháng\s+\d{1,2}\s+năm\s+(\d{4})(?!\d)",
    re.IGNORECASE,
)


def _year(table: SourceTable, source: Path) -> int:
    """The appendix's year: "NĂM yyyy" in the title, else the date of the guide line
    ("ngày 06/7/2026", "ngày 23 tháng 6 năm 2026"); never a plan's number ("Kế hoạch số
    2045/KH-UBND") nor today's date: without a year the import stops and says where to
    write it."""
    found = _TITLE_YEAR.findall(table.title)
    if found:
        year, where = int(found[-1]), "tiêu đề"
    else:
        dates = [next(y for y in found if y) for found in _GUIDE_DATE.findall(table.guide)]
        if not dates:
            raise UserError(
                'không thấy năm của phụ lục: tiêu đề cần có "NĂM yyyy" (ví dụ "… TỈNH LẠNG SƠN '
                'NĂM 2027") hoặc dòng "(Kèm theo Kế hoạch số … ngày dd/mm/yyyy …)"; sửa tệp '
                "rồi nhập lại",
                Where(source),
            )
        year, where = int(dates[-1]), "dòng Kèm theo"
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise UserError(
            f"năm {year} ở {where} nằm ngoài khoảng {YEAR_MIN}-{YEAR_MAX}: sửa năm trong tệp "
            "rồi nhập lại",
            Where(source),
        )
    return year


def _percent(widths: list[float], keys: list[str]) -> list[int]:
    """Widths as whole percents summing to 100 (largest remainders round up)."""
    total = sum(w for w in widths if w > 0)
    if not total or not math.isfinite(total) or any(not 0 < w < math.inf for w in widths):
        defaults = {"stt": 5, "task": 33, "lead": 15, "support": 15, "deadline": 9, "product": 23}
        widths = [float(defaults[k]) for k in keys]
        total = sum(widths)
    exact = [100 * w / total for w in widths]
    out = [max(1, int(x)) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - int(exact[i])), i))
    for i in order[: max(0, 100 - sum(out))]:
        out[i] += 1
    return out


# --------------------------------------------------------------------------- ids


def _taken_ids(ws: Workspace, target: Path) -> set[str]:
    taken: set[str] = set()
    for cat in ws.catalogs.values():
        if _same_file(cat.path, target):
            continue
        for section, _ in cat.model.iter_sections():
            taken.add(section.id)
            taken.update(t.id for t in section.tasks)
    return taken


def _words(text: str) -> list[str]:
    return [w for w in slugify(text).split("-") if w]


def _first_words(words: list[str]) -> str:
    out: list[str] = []
    for w in words[:ID_WORDS]:
        if len("-".join([*out, w])) > ID_BASE_MAX:
            break
        out.append(w)
    return "-".join(out) if out else (words[0][:ID_BASE_MAX] if words else "")


ID_STOP_WORDS = {"ve", "va", "cua", "cho", "cac", "tai", "trong", "voi", "de", "o", "nhung"}


def _distinct(texts: list[str], fallback: str) -> list[str]:
    """Slugs of the first words; texts that open alike ("Nâng cao chất lượng tổ chức thực
    hiện chính sách …") are told apart by the words after what the group shares."""
    words = [_words(t) or [fallback] for t in texts]
    out = [_first_words(w) for w in words]
    for _ in range(4):  # each round looks further into texts that still collide
        groups: dict[str, list[int]] = {}
        for i, ident in enumerate(out):
            groups.setdefault(ident, []).append(i)
        clashes = [g for g in groups.values() if len(g) > 1]
        if not clashes:
            break
        for group in clashes:
            shared = 0
            first = words[group[0]]
            while shared < len(first) and all(
                shared < len(words[i]) and words[i][shared] == first[shared] for i in group
            ):
                shared += 1
            for i in group:
                rest = words[i][shared:]
                while len(rest) > 1 and rest[0] in ID_STOP_WORDS:
                    rest = rest[1:]
                if rest and not any(c.isalpha() for c in "".join(rest[:ID_WORDS])):
                    rest = words[i][:3] + rest  # "lan-2" alone says nothing: keep the opening
                if rest:
                    words[i] = rest
                    out[i] = _first_words(rest)
    return out


def _assign_ids(catalog: CatalogOut, taken: set[str], year: int) -> None:
    sections = list(catalog.all_sections())
    tasks = [t for s in sections for t in s.tasks]
    used: set[str] = set()

    def claim(candidate: str) -> str:
        ident = candidate
        if ident in taken:
            ident = f"{candidate}-{year}"
        n = 2
        stem = ident
        while ident in taken or ident in used:
            ident = f"{stem}-{n}"
            n += 1
        used.add(ident)
        return ident[:ID_MAX]

    for s, ident in zip(sections, _distinct([s.title for s in sections], "muc"), strict=True):
        s.id = claim(ident)
    for t, ident in zip(tasks, _distinct([t.text for t in tasks], "nhiem-vu"), strict=True):
        t.id = claim(ident)


# --------------------------------------------------------------------------- YAML


def _header(catalog, table, source, unit, slug, today, in_catalogs) -> list[str]:
    when = today or dt.date.today()
    what = f"Phụ lục {catalog.appendix}" if catalog.appendix else "Phụ lục"
    lines = []
    if in_catalogs:
        lines += ["yaml-language-server: $schema=../schemas/catalog.schema.json", ""]
    date = f"{day2(when.day)}/{month_vn(when.month)}/{when.year}"
    paragraphs = [
        f'{what} - Chỉ số {catalog.index} năm {catalog.year}: nhập từ bảng của tệp "{source.name}" '
        f'ngày {date} bằng lệnh plangen import, cơ quan đọc theo hồ sơ đơn vị "{slug}" '
        f"({unit.name}).",
    ]
    lines += _wrap(paragraphs[0], "")
    lines.append("")
    for item in (
        "Số thứ tự và mã mục (A, B / I, II, …) do plangen tự đánh theo vị trí.",
        '"lead" (chủ trì) và "support" (phối hợp) ghi tên vai trò (roles.yaml): cơ quan cụ thể '
        "lấy theo loại đơn vị và hồ sơ đơn vị.",
        'Dòng "# TODO" đánh dấu chỗ cần xem lại bằng tay; xóa dòng đó khi đã sửa.',
    ):
        lines += _wrap(item, "- ", "  ")
    return lines


def _wrap(text: str, first: str, rest: str = "") -> list[str]:
    """Comment text wrapped; anything a YAML comment cannot hold becomes "?"."""
    text = "".join(c if c.isprintable() or c.isspace() else "?" for c in text)
    return textwrap.wrap(
        text, LINE_WIDTH - 2, initial_indent=first, subsequent_indent=rest,
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip


def _loads(text: str):
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _plain_ok(value: str, flow: bool) -> bool:
    if not value or value != value.strip() or "\n" in value or "\t" in value:
        return False
    if flow and any(c in value for c in ",[]{}"):
        return False
    probe = f"k: [{value}]" if flow else f"k: {value}"
    try:
        loaded = _loads(probe)
    except yaml.YAMLError:
        return False
    return loaded == {"k": [value] if flow else value}


def _quoted(value: str) -> str:
    """A double-quoted scalar; characters YAML would read as line breaks are escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return "".join(
        c if c.isprintable() else (f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        for c in text
    )


def _flow_scalar(value: str) -> str:
    return value if _plain_ok(value, True) else _quoted(value)


def _scalar(key: str, value, indent: str) -> list[str]:
    """`key: value` at `indent`: plain, quoted, folded `>-` for long text, `|-` for text with
    line breaks."""
    if not isinstance(value, str):
        return [f"{indent}{key}: {json.dumps(value)}"]
    head = f"{indent}{key}: "
    body_indent = indent + "  "
    lines = value.split("\n")
    clean = all(x == x.strip() and x and "  " not in x and "\t" not in x for x in lines)
    if "\n" in value and clean and all(_printable(x) for x in lines):
        return [f"{head}|-"] + [body_indent + x for x in lines]
    if len(head) + len(value) <= LINE_WIDTH and _plain_ok(value, False):
        return [head + value]
    if "\n" not in value and len(head) + len(_quoted(value)) <= LINE_WIDTH:
        return [head + _quoted(value)]
    if clean and "\n" not in value and _printable(value):
        wrapped = textwrap.wrap(
            value, LINE_WIDTH - len(body_indent), break_long_words=False, break_on_hyphens=False
        )
        if " ".join(wrapped) == value:
            return [f"{head}>-"] + [body_indent + x for x in wrapped]
    return [head + _quoted(value)]


def _printable(text: str) -> bool:
    return all(c.isprintable() for c in text) and "\ufeff" not in text


def _comments(notes: list[str], indent: str) -> list[str]:
    out = []
    for note in notes:
        out += _wrap(note, f"{indent}# ", f"{indent}#   ")
    return out


def _flow_list(items: list[str]) -> str:
    return "[" + ", ".join(_flow_scalar(i) for i in items) + "]"


def emit(catalog: CatalogOut, header: list[str]) -> str:
    """The catalog as YAML in the style of the shipped catalogs (block style, flow lists of
    roles, folded long text, comments for what to check)."""
    out = [f"# {h}".rstrip() for h in header]
    data = catalog.data()
    for key in ("id", "appendix", "index", "year", "title", "bodies"):
        if key in data:
            out += _scalar(key, data[key], "")
    out.append("columns:")
    for c in catalog.columns:
        out.append(
            f"  - {{key: {c['key']}, label: {_flow_scalar(c['label'])}, width: {c['width']}}}"
        )
    out.append("")
    out.append("sections:")

    def section(s: SectionOut, indent: str) -> None:
        out.append(f"{indent}- id: {_flow_scalar(s.id)}")
        inner = indent + "  "
        out.extend(_comments(s.notes.get("title", []), inner))
        out.extend(_scalar("title", s.title, inner))
        if s.omit:
            out.extend(_comments(s.notes.get("omit", []), inner))
            out.append(f"{inner}omit: {_flow_list(s.omit)}")
        if s.tasks:
            out.append(f"{inner}tasks:")
            for i, t in enumerate(s.tasks):
                if i:
                    out.append("")
                task(t, inner + "  ")
        if s.sections:
            out.append(f"{inner}sections:")
            for x in s.sections:
                section(x, inner + "  ")

    def task(t: TaskOut, indent: str) -> None:
        out.append(f"{indent}- id: {_flow_scalar(t.id)}")
        inner = indent + "  "
        out.extend(_scalar("text", t.text, inner))
        for key in ("lead", "support"):
            out.extend(_comments(t.notes.get(key, []), inner))
            out.append(f"{inner}{key}: {_flow_list(getattr(t, key))}")
        out.extend(_scalar("deadline", t.deadline, inner))
        out.extend(_scalar("product", t.product, inner))
        if t.omit:
            out.extend(_comments(t.notes.get("omit", []), inner))
            out.append(f"{inner}omit: {_flow_list(t.omit)}")

    for i, s in enumerate(catalog.sections):
        if i:
            out.append("")
        section(s, "  ")
    text = "\n".join(out) + "\n"
    loaded = _loads(text)
    if loaded != data:  # the emitter's own promise; never a user's problem
        raise RuntimeError("import: YAML ghi ra không đọc lại đúng dữ liệu")
    return text


# --------------------------------------------------------------------------- checking


def _check_yaml(text: str, target: Path) -> Loaded[Catalog]:
    """The emitted text read back as plangen reads a catalog (a failure is a bug here)."""
    from generator.model import yamlfile
    from generator.model.validation import index_tasks, validate_doc

    try:
        doc = yamlfile.parse_text(target, text)
        loaded = Loaded(validate_doc(doc, Catalog), doc)
    except UserError as exc:  # what import writes must always load: not the user's fault
        raise RuntimeError(f"import: catalog ghi ra không đọc lại được ({exc})") from None
    index_tasks(loaded)
    return loaded


def _validate_with(ws: Workspace, loaded: Loaded[Catalog], target: Path) -> list[str]:
    """What `plangen validate` would still say about the new catalog in this workspace."""
    from generator.check.workspace import validate

    catalogs = {k: v for k, v in ws.catalogs.items() if not _same_file(v.path, target)}
    catalogs[loaded.model.id] = loaded
    earlier = [p for p in ws.problems if not (p.where.path and _same_file(p.where.path, target))]
    trial = dataclasses.replace(ws, catalogs=FrozenDict(catalogs), problems=tuple(earlier))
    problems = validate(trial)
    out = []
    for p in problems:
        if p.where.path is not None and _same_file(p.where.path, target):
            out.append(str(p))
    return out
