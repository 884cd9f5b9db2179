"""The input files as pydantic models: catalogs, roles, kinds and unit profiles.

Unknown keys are errors everywhere (``extra="forbid"``): a misspelt key must never be
silently ignored. Field descriptions are in Vietnamese: they become the JSON Schema an
editor shows the person who writes these files.
"""

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
)

from generator.core.text import illegal_char, nfc
from generator.model.issuing import Document

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
ROLE_PATTERN = r"^[a-z][a-z0-9_]*$"
# "finance" | "finance (tham mưu kinh phí)" (a note in brackets) | "home_affairs tham mưu UBND
# tỉnh" (a note written as running text after the body's name).
ROLE_REF = re.compile(
    r"^(?P<role>[a-z][a-z0-9_]*)(?:\s*\((?P<note>[^()]+)\)|\s+(?P<text>[^\s(].*))?$"
)


def _text(value: str) -> str:
    value = nfc(value).strip()
    if not value:
        raise ValueError("không được để trống")
    bad = illegal_char(value)
    if bad:
        raise ValueError(f"chứa ký tự điều khiển {bad} không được phép trong DOCX")
    return value


def _role_ref(value: str) -> str:
    if not ROLE_REF.match(value):
        raise ValueError(
            f'"{value}" không phải tên vai trò (chữ thường, số, "_"; có thể kèm ghi chú '
            'trong ngoặc, ví dụ "finance (tham mưu kinh phí)", hoặc viết liền sau, ví dụ '
            '"home_affairs tham mưu UBND tỉnh")'
        )
    return value


Text = Annotated[str, AfterValidator(_text)]


def _name(value: str) -> str:
    if "{{" in value or "{%" in value or "}}" in value:
        raise ValueError("là một tên, không được chứa {{ … }} hay {% … %}")
    return value


# A value other text is filled with ({{ unit.name }}): never a template itself.
Name = Annotated[str, AfterValidator(_text), AfterValidator(_name)]
Id = Annotated[str, Field(pattern=ID_PATTERN)]
KindId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
RoleKey = Annotated[str, Field(pattern=ROLE_PATTERN)]
RoleRef = Annotated[str, AfterValidator(_role_ref)]
ColumnKey = Literal["stt", "task", "lead", "support", "deadline", "product"]
BodyLayout = Literal["inline", "lines"]
Numeral = Literal["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def split_role_ref(ref: str) -> tuple[str, str | None]:
    """'finance (tham mưu kinh phí)' -> ('finance', '(tham mưu kinh phí)');
    'home_affairs tham mưu UBND tỉnh' -> ('home_affairs', 'tham mưu UBND tỉnh'): the note as it
    follows the body's name."""
    m = ROLE_REF.match(ref)
    assert m, ref
    if m.group("note"):
        return m.group("role"), f"({m.group('note').strip()})"
    return m.group("role"), m.group("text")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=False)


# --------------------------------------------------------------------------- catalog


class TaskFields(Strict):
    """What a kind's variant or a unit's override may replace in one task."""

    text: Text | None = Field(None, description="Nội dung nhiệm vụ cụ thể")
    lead: list[RoleRef] | None = Field(None, description="Vai trò chủ trì")
    support: list[RoleRef] | None = Field(None, description="Vai trò phối hợp")
    deadline: Text | None = Field(None, description="Thời gian hoàn thành")
    product: Text | None = Field(None, description="Sản phẩm/Kết quả dự kiến")


class Task(Strict):
    """One row of the appendix, written with role placeholders."""

    id: Id = Field(description="Mã ổn định của nhiệm vụ (chữ thường, số, '-')")
    text: Text = Field(description="Nội dung nhiệm vụ cụ thể; xuống dòng được giữ trong ô")
    lead: list[RoleRef] = Field(min_length=1, description="Vai trò chủ trì, theo thứ tự")
    support: list[RoleRef] = Field(default_factory=list, description="Vai trò phối hợp")
    deadline: Text = Field(description="Thời gian hoàn thành")
    product: Text = Field(description="Sản phẩm/Kết quả dự kiến")
    source: Text | None = Field(
        None, description="Đoạn của Kế hoạch (thân văn bản) mà nhiệm vụ được lấy ra"
    )
    variants: dict[str, TaskFields] = Field(
        default_factory=dict, description="Cách viết riêng theo loại đơn vị (kind)"
    )
    omit: list[str] = Field(
        default_factory=list,
        description="Các loại đơn vị bỏ nhiệm vụ này (kể cả các loại kế thừa từ chúng)",
    )
    only: list[str] = Field(
        default_factory=list,
        description="Chỉ các loại đơn vị này (và loại kế thừa) có nhiệm vụ; để trống: mọi loại",
    )

    _line: int = PrivateAttr(0)


class SectionVariant(Strict):
    title: Text = Field(description="Tiêu đề mục cho loại đơn vị này")


class Section(Strict):
    """A heading row; its code (A, B / I, II) is computed from position."""

    id: Id
    title: Text = Field(description="Tiêu đề mục (in hoa khi hiển thị)")
    variants: dict[str, SectionVariant] = Field(default_factory=dict)
    omit: list[str] = Field(default_factory=list, description="Các loại đơn vị bỏ cả mục này")
    only: list[str] = Field(
        default_factory=list, description="Chỉ các loại đơn vị này (và loại kế thừa) có mục này"
    )
    tasks: list[Task] = Field(default_factory=list)
    sections: list["Section"] = Field(default_factory=list, description="Các mục con")


class Column(Strict):
    key: ColumnKey
    label: Text
    width: float = Field(
        gt=0,
        le=1000,
        allow_inf_nan=False,
        description="Độ rộng cột, phần trăm bề rộng vùng văn bản",
    )


class Catalog(Strict):
    """One appendix of one year: title, columns and the canonical tasks."""

    id: Id
    appendix: Numeral | None = Field(
        None,
        description="Số La Mã của phụ lục khi kế hoạch có từ hai phụ lục; bỏ trống khi chỉ có "
        'một phụ lục (tiêu đề "PHỤ LỤC")',
    )
    index: Text = Field(description="Tên chỉ số, ví dụ SIPAS, PAR INDEX")
    year: int = Field(ge=2000, le=2100)
    title: Text = Field(description="Tiêu đề phụ lục, chưa có tên đơn vị và năm (sẽ được in hoa)")
    columns: list[Column] = Field(min_length=2)
    bodies: BodyLayout | None = Field(
        None,
        description='Cách ghi nhiều cơ quan trong một ô: "inline" (nối bằng "; ") hoặc "lines" '
        '(mỗi cơ quan một dòng "- …"); mặc định theo loại đơn vị, rồi "inline"',
    )
    sections: list[Section] = Field(min_length=1)

    @field_validator("columns")
    @classmethod
    def _columns_unique(cls, columns: list[Column]) -> list[Column]:
        keys = [c.key for c in columns]
        for key in ("stt", "task", "lead"):
            if key not in keys:
                raise ValueError(f'thiếu cột "{key}"')
        if len(set(keys)) != len(keys):
            raise ValueError("một cột xuất hiện hai lần")
        if keys[0] != "stt":  # section rows put their code there and merge the rest
            raise ValueError('cột đầu tiên phải là "stt"')
        return columns

    def iter_sections(self):
        """Every section, depth first, with its nesting level (1-based)."""
        stack = [(s, 1) for s in reversed(self.sections)]
        while stack:
            section, level = stack.pop()
            yield section, level
            stack.extend((s, level + 1) for s in reversed(section.sections))

    def iter_tasks(self):
        for section, _ in self.iter_sections():
            yield from section.tasks


class RolesFile(Strict):
    """The roles every catalog may use, each with what it means."""

    roles: dict[RoleKey, Text] = Field(description="Tên vai trò -> mô tả tiếng Việt")


# --------------------------------------------------------------------------- kinds, units


class PlanDate(Strict):
    year: int
    month: int
    day: int | None = None


def parse_plan_date(value: str) -> PlanDate:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", str(value).strip())
    if not m:
        raise ValueError(f'ngày "{value}" phải có dạng YYYY-MM-DD, hoặc YYYY-MM khi chưa có ngày')
    year, month, day = int(m[1]), int(m[2]), int(m[3]) if m[3] else None
    import datetime as dt

    if not 1900 <= year <= 2200:
        raise ValueError(f'ngày "{value}": năm {year} nằm ngoài khoảng 1900-2200')
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        raise ValueError(f'ngày "{value}" không tồn tại') from None
    return PlanDate(year=year, month=month, day=day)


def _iso(value: object) -> object:
    """A date the YAML parser already turned into a date object goes back to its text."""
    import datetime as dt

    return value.isoformat() if isinstance(value, dt.date) else value


DateText = Annotated[
    str, BeforeValidator(_iso), AfterValidator(lambda v: (parse_plan_date(v), v)[1])
]


def _full_date(value: str) -> str:
    if parse_plan_date(value).day is None:
        raise ValueError(f'ngày "{value}" phải đủ ngày, tháng, năm (YYYY-MM-DD)')
    return value


FullDate = Annotated[str, BeforeValidator(_iso), AfterValidator(_full_date)]


class ParentPlan(Strict):
    """The plan this unit's plan implements (the province plan for its units)."""

    title: Text = Field(description="Ví dụ: Kế hoạch số 252/KH-UBND")
    issuer: Text = Field(description="Ví dụ: UBND tỉnh Lạng Sơn")
    date: FullDate = Field(description="Ngày ban hành, YYYY-MM-DD")
    deadline_days: int = Field(
        15, ge=1, le=365, description="Số ngày để ban hành kế hoạch của đơn vị"
    )


class Kind(Strict):
    """Defaults shared by every unit of one kind (province, commune, ward, board, …).

    A kind may name a `base` kind: roles, labels and the catalogs' wording for the base are
    inherited and may be overridden (ward -> commune). Fields left out come from the base.
    """

    id: KindId
    name: Text = Field(description="Tên loại đơn vị")
    base: KindId | None = Field(
        None, description="Loại đơn vị gốc: kế thừa vai trò, nhãn cột, cách viết nhiệm vụ"
    )
    abstract: bool = Field(
        False, description="Chỉ để các loại khác kế thừa; không dùng trực tiếp cho đơn vị"
    )
    short: Text | None = Field(
        None,
        description="Cách đơn vị tự gọi mình trong câu: xã, phường, đặc khu, tỉnh, Sở, Ban "
        '(thay cho {{ unit.short }} trong catalog, ví dụ "UBND {{ unit.short }}")',
    )
    issuer: Text | None = Field(None, description="Cơ quan ban hành, viết thường trong câu")
    plan_symbol: Text | None = Field(None, description="Ký hiệu kế hoạch (mặc định KH-UBND)")
    column_labels: dict[ColumnKey, Text] = Field(
        default_factory=dict, description="Nhãn cột riêng của loại đơn vị"
    )
    bodies: BodyLayout | None = Field(
        None, description='Cách ghi nhiều cơ quan trong một ô: "inline" hoặc "lines"'
    )
    roles: dict[RoleKey, list[Text]] = Field(
        default_factory=dict,
        description="Vai trò -> các cơ quan; danh sách rỗng: vai trò không có ở cấp này. "
        "Tên cơ quan có thể dùng {{ unit.short }}",
    )
    avoid: list[Text] = Field(
        default_factory=list,
        description="Từ của cấp khác không được xuất hiện trong phụ lục của loại này "
        '(ví dụ phường: "xã"); validate báo từng nhiệm vụ còn dùng',
    )
    allow: list[Text] = Field(
        default_factory=list,
        description='Cụm từ chứa một từ trong "avoid" nhưng vẫn đúng (ví dụ "xã hội")',
    )
    parent: ParentPlan | None = None
    document: Document | None = Field(
        None, description="Đầu và cuối văn bản Kế hoạch: cơ quan, địa danh, người ký, nơi nhận"
    )


class Plan(Strict):
    number: str | int | None = Field(None, description="Số kế hoạch; bỏ trống để văn thư điền")
    symbol: Text | None = Field(None, description="Ký hiệu; mặc định theo loại đơn vị")
    date: DateText = Field(description="YYYY-MM-DD, hoặc YYYY-MM khi chưa có ngày")
    long_date: bool = Field(False, description="Viết 'ngày 06 tháng 7 năm 2026' thay vì 06/7/2026")

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: object) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        if isinstance(value, bool) or not re.fullmatch(r"[0-9]{1,9}", text):
            raise ValueError(f'số kế hoạch "{text}" phải là số (chữ số 0-9)')
        return text


class TaskOverride(Strict):
    """A unit's own wording or bodies for one task (bodies are written out, not roles)."""

    text: Text | None = None
    lead: list[Text] | None = Field(None, min_length=1, description="Cơ quan chủ trì (tên cụ thể)")
    support: list[Text] | None = Field(None, description="Cơ quan phối hợp (tên cụ thể)")
    deadline: Text | None = None
    product: Text | None = None


class Unit(Strict):
    """One unit's profile: who it is, its plan, and what differs from its kind."""

    kind: KindId = Field(
        description="Loại đơn vị: province, department, commune, ward, special_zone, board, …"
    )
    name: Name = Field(description="Tên đơn vị viết trong câu, ví dụ: xã Đình Lập")
    short: Name | None = Field(
        None, description="Cách đơn vị tự gọi mình trong câu; mặc định theo loại (xã, Sở, …)"
    )
    show_name: bool = Field(True, description="In tên đơn vị trong tiêu đề phụ lục")
    issuer: Text | None = Field(None, description="Cơ quan ban hành; mặc định theo loại")
    plan: Plan
    parent: ParentPlan | None = None
    document: Document | None = Field(
        None, description="Đầu và cuối văn bản Kế hoạch: cơ quan, địa danh, người ký, nơi nhận"
    )
    roles: dict[RoleKey, list[Text]] = Field(
        default_factory=dict, description="Thay cơ quan của một vai trò cho riêng đơn vị"
    )
    tasks: dict[str, TaskOverride] = Field(
        default_factory=dict, description="Thay nội dung một nhiệm vụ cho riêng đơn vị"
    )
    omit: list[str] = Field(default_factory=list, description="Mã nhiệm vụ hoặc mục bỏ đi")
