"""An issued plan's body (read by plandoc) turned into the edition's plan-body catalog: the
trích yếu, the opening (căn cứ), parts I., II., … with their items 1., 2., … and points a),
b), …, the paragraphs under each, and the closing that ends with "./.".

Numbers are not stored (plangen numbers by position): each numbered paragraph opens a block
at its depth, its words the block's title (a short line, or one ending with ":") or its text
(a sentence); unnumbered paragraphs go to the deepest open block, before its sub-blocks
(`paragraphs`) or after them (`after`). "(Chi tiết tại Phụ lục I)" becomes `refer:` the
catalog of that appendix. The province's target sentence ("Phấn đấu … đạt …") and the days
its units have ("trong 15 ngày kể từ ngày …") are taken for edition.yaml. Everything read
loosely is said in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.core.text import capitalize_first, roman, slugify
from generator.readback.plandoc import SourcePara, SourcePlan
from generator.readback.source import fold
from generator.readback.titles import Titles, placeholder_safe

_PART = re.compile(r"^(?P<num>[IVX]{1,4})\.\s*(?P<rest>\S.*)$", re.S)
_ITEM = re.compile(r"^(?P<num>\d{1,2})\.\s+(?P<rest>\S.*)$", re.S)
_POINT = re.compile(r"^(?P<num>[a-zđ])\)\s*(?P<rest>\S.*)$", re.S)
_REFER = re.compile(
    r"^\(\s*chi tiết (?:tại|theo) phụ lục(?:\s+(?P<num>[IVX]+))?\s*\)\.?$", re.IGNORECASE
)
_TARGET = re.compile(r"(?<!\w)phấn đấu\s+(?P<rest>[^.]*?\S)\s*(?:\.(?=\s|$)|$)", re.IGNORECASE)
_DEADLINE = re.compile(
    r"(?:chậm nhất|trong vòng|trong thời hạn|trong|sau)\s+(?P<days>\d{1,3})\s+ngày\s+"
    r"(?:làm việc\s+)?kể từ ngày",
    re.IGNORECASE,
)
POINTS = "abcdđeghiklmnopqrstuvxy"  # as resolve.body numbers them: no f, j, w, z
DEPTHS = ("phần", "khoản", "điểm")
TITLE_MAX = 160  # characters: a longer line without a final stop is still a sentence
ID_WORDS, ID_MAX = 5, 32


@dataclass
class _Block:
    level: int
    number: str
    title: str | None = None
    text: str | None = None
    italic: bool = False
    paragraphs: list[dict] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    after: list[dict] = field(default_factory=list)
    id: str = ""

    def add(self, para: dict) -> None:
        (self.after if self.blocks else self.paragraphs).append(para)

    def data(self) -> dict:
        out: dict = {"id": self.id}
        if self.title is not None:
            out["title"] = self.title
        if self.italic:
            out["italic"] = True
        if self.text is not None:
            out["text"] = self.text
        if self.paragraphs:
            out["paragraphs"] = self.paragraphs
        if self.blocks:
            out["blocks"] = [b.data() for b in self.blocks]
        if self.after:
            out["after"] = self.after
        return out


@dataclass
class BodyOut:
    """The body catalog as plain data, and what the report says of it."""

    data: dict
    target: str | None = None
    target_from: str = ""
    deadline_days: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    refers: list[str] = field(default_factory=list)


class _Ids:
    """Ids from the first words of the text, unique within the body."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, text: str, fallback: str) -> str:
        base = ""
        for w in [w for w in slugify(text).split("-") if w][:ID_WORDS]:
            if len(f"{base}-{w}".strip("-")) > ID_MAX:
                break
            base = f"{base}-{w}".strip("-")
        base = base or fallback
        ident, n = base, 2
        while ident in self.used:
            ident, n = f"{base}-{n}", n + 1
        self.used.add(ident)
        return ident


def _is_title(rest: str) -> bool:
    text = fold(rest)
    if text.endswith(":"):
        return True
    return not re.search(r"[.;!?…]$", text) and len(text) <= TITLE_MAX


def heading(para: SourcePara) -> tuple[int, str, str] | None:
    """(depth, number as written, the words after it) of a numbered paragraph."""
    text = para.text.strip()
    for level, pattern in ((1, _PART), (2, _ITEM), (3, _POINT)):
        m = pattern.match(text)
        if m:
            return level, m["num"], m["rest"].strip()
    return None


class BodyBuilder:
    """`build` reads the structure (and the target sentence and the days, which the edition
    needs first); `finish` gives the catalog once the edition's appendices are known."""

    def __init__(self, plan: SourcePlan, year: int) -> None:
        self.plan, self.year = plan, year
        self.ids = _Ids()
        self.out = BodyOut({})
        self.parts: list[_Block] = []
        self.opening: list[dict] = []
        self.closing: list[dict] = []
        self.stack: list[_Block] = []
        self.pending: list[dict] = []  # "(Chi tiết tại Phụ lục …)" paragraphs

    # -- one paragraph
    def paragraph(self, para: SourcePara) -> dict:
        text = para.text.strip()
        m = _REFER.match(fold(text))
        if m:
            numeral = m["num"] or ""
            out = {"id": self.ids(f"chi tiet phu luc {numeral}", "chi-tiet"), "_refer": numeral,
                   "_text": placeholder_safe(text)}  # fmt: skip
            self.pending.append(out)
            return out
        return {"id": self.ids(text, "doan"), "text": placeholder_safe(text)}

    def refer(self, para: dict, appendices: dict[str, str]) -> None:
        """A "(Chi tiết tại Phụ lục I)" paragraph: `refer` to the catalog of that appendix,
        or its text when the edition has no such appendix."""
        numeral, text = para.pop("_refer"), para.pop("_text")
        catalog = appendices.get(numeral)
        if catalog is not None:
            para["refer"] = catalog
            self.out.refers.append(f'"{fold(text)}" -> refer: {catalog}')
        else:
            para["text"] = text
            self.out.notes.append(
                f'"{fold(text)}": không có phụ lục {numeral or "(không số)"} trong edition; '
                "giữ như một đoạn văn"
            )

    def block(self, level: int, number: str, rest: str, para: SourcePara) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        if level > 1 and not self.stack:
            self.out.notes.append(f'"{number}" trước phần I.: đặt vào một phần không tên')
            self.block(1, "I", "(chưa có tên phần)", SourcePara("I. (chưa có tên phần)"))
        parent = self.stack[-1] if self.stack else None
        depth = parent.level + 1 if parent else 1
        if depth != level:
            self.out.notes.append(
                f'"{number}" {fold(rest)[:40]}…: mục cấp {level} đặt dưới mục cấp {depth - 1}; '
                "plangen đánh số theo vị trí"
            )
        siblings = parent.blocks if parent else self.parts
        want = _number(depth, len(siblings) + 1)
        if number != want.rstrip(".)"):
            self.out.notes.append(
                f'mục "{number}" ({fold(rest)[:40]}…) theo thứ tự là "{want}": plangen tự đánh số'
            )
        node = _Block(depth, want)
        rest = placeholder_safe(rest)
        if depth == 1:
            node.title = rest.rstrip(":")
        elif _is_title(rest):
            node.title, node.italic = rest, para.italic
        else:
            node.text = rest
        node.id = self.ids(node.title or node.text or "", f"muc-{depth}")
        siblings.append(node)
        self.stack.append(node)
        self.out.counts[DEPTHS[depth - 1]] = self.out.counts.get(DEPTHS[depth - 1], 0) + 1

    # -- the whole body
    def build(self) -> BodyOut:
        paras = self.plan.paragraphs
        close_at = next(
            (i for i in range(len(paras) - 1, -1, -1) if fold(paras[i].text).endswith("./.")),
            None,
        )
        if close_at is not None and heading(paras[close_at]) is not None:
            close_at = None
        if close_at is None:
            self.out.notes.append(
                'không thấy đoạn kết thúc bằng "./.": thân kế hoạch không có đoạn kết (closing)'
            )
        for i, para in enumerate(paras):
            found = heading(para) if close_at is None or i < close_at else None
            if found is not None:
                self.block(*found, para)
            elif close_at is not None and i >= close_at:
                self.closing.append(self.paragraph(para))
            elif self.stack:
                self.stack[-1].add(self.paragraph(para))
            else:
                self.opening.append(self.paragraph(para))
        self.out.counts["đoạn"] = len(paras)
        self._target()
        self._deadline()
        return self.out

    def finish(self, titles: Titles, appendices: dict[str, str], unit_name: str) -> BodyOut:
        """The catalog's data: part titles in sentence case, references resolved against
        the edition's appendices (numeral -> catalog id)."""
        for part in self.parts:
            if part.title:
                part.title = titles.sentence(part.title)
        for para in self.pending:
            self.refer(para, appendices)
        self.out.data = self.data(unit_name)
        return self.out

    def title(self, unit_name: str) -> str:
        """The trích yếu, line by line; the unit's name and the year at its end become
        placeholders, as in the shipped bodies."""
        lines = [placeholder_safe(x) for x in self.plan.title]
        if not lines:
            self.out.notes.append("không thấy trích yếu sau dòng KẾ HOẠCH: đã ghi tạm, sửa tay")
            return "Kế hoạch (chưa có trích yếu)"
        title = "\n".join(lines)
        cut = _cut_tail(title, f"{unit_name} năm {self.year}")
        if cut != title:
            sep = "" if not cut or cut.endswith("\n") else " "
            title = f"{cut}{sep}{{{{ unit.name }}}} năm {{{{ year }}}}"
        return title

    def data(self, unit_name: str) -> dict:
        out: dict = {"id": f"ke-hoach-{self.year}", "kinds": ["province"]}
        out["title"] = self.title(unit_name)
        out["year"] = self.year
        out["doc_type"] = capitalize_first(fold(self.plan.doc_type).lower()) or "Kế hoạch"
        if self.opening:
            out["opening"] = self.opening
        out["parts"] = [p.data() for p in self.parts] or [{"id": "noi-dung", "title": "Nội dung"}]
        if not self.parts:
            self.out.notes.append("không thấy phần I., II., …: thân kế hoạch chỉ có đoạn mở đầu")
        if self.closing:
            out["closing"] = self.closing
        return out

    def _target(self) -> None:
        """The sentence "Phấn đấu …" of the block on purposes (Mục đích), else anywhere."""
        ordered = []
        for part in self.parts:
            for block in [part, *part.blocks, *(b for x in part.blocks for b in x.blocks)]:
                purpose = "mục đích" in (block.title or "").casefold()
                texts = [block.text or ""] + [p.get("text", "") for p in block.paragraphs]
                texts += [t for b in block.blocks for t in [b.text or "", b.title or ""]]
                ordered.append((not purpose, texts, block))
        ordered.sort(key=lambda x: x[0])
        for _, texts, block in ordered:
            for text in texts:
                m = _TARGET.search(fold(text))
                if m:
                    self.out.target = _target_words(m["rest"])
                    self.out.target_from = (
                        f'mục "{block.title or block.id}": "Phấn đấu {m["rest"]}"'
                    )
                    return

    def _deadline(self) -> None:
        for para in self.plan.paragraphs:
            m = _DEADLINE.search(fold(para.text))
            if m and 1 <= int(m["days"]) <= 365:
                self.out.deadline_days = int(m["days"])
                return


def _number(depth: int, n: int) -> str:
    if depth == 1:
        return f"{roman(n)}."
    if depth == 2:
        return f"{n}."
    return f"{POINTS[(n - 1) % len(POINTS)]})"


def _cut_tail(title: str, tail: str) -> str:
    """`title` without `tail` ("tỉnh Lai Châu năm 2026") at its end, compared word by word
    ignoring case; a line break before it is kept. `title` itself when it does not end so."""
    out = title.rstrip()
    for word in reversed(tail.split()):
        out = out.rstrip()
        if not out.casefold().endswith(word.casefold()):
            return title
        out = out[: len(out) - len(word)]
    return out.rstrip(" ")


def _target_words(rest: str) -> str:
    """The target as the units' plans say it after "góp phần": from "đưa …" when the sentence
    has it ("Phấn đấu cải thiện …, đưa các chỉ số … đạt …"), else the whole sentence."""
    text = fold(rest)
    at = re.search(r",\s+(đưa\s.*)$", text)
    if at:
        text = at.group(1)
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and first[1:] == first[1:].lower():  # "Đưa", not "UBND"
        text = text[:1].lower() + text[1:]
    return text
