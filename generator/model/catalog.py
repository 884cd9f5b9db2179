"""A task catalog (one appendix of one year) and the roles file, as pydantic models."""

from typing import Literal

from pydantic import Field, PrivateAttr, field_validator

from generator.core.frozen import FrozenDict
from generator.model.fields import (
    BodyLayout,
    ColumnKey,
    Id,
    Map,
    Numeral,
    RoleKey,
    RoleRef,
    Strict,
    Text,
)


class TaskFields(Strict):
    """What a kind's variant or a unit's override may replace in one task."""

    text: Text | None = Field(None, description="Nội dung nhiệm vụ cụ thể")
    lead: tuple[RoleRef, ...] | None = Field(None, description="Vai trò chủ trì")
    support: tuple[RoleRef, ...] | None = Field(None, description="Vai trò phối hợp")
    deadline: Text | None = Field(None, description="Thời gian hoàn thành")
    product: Text | None = Field(None, description="Sản phẩm/Kết quả dự kiến")
    note: Text | None = Field(None, description="Ghi chú")


class Task(Strict):
    """One row of the appendix, written with role placeholders."""

    id: Id = Field(description="Mã ổn định của nhiệm vụ (chữ thường, số, '-')")
    text: Text = Field(description="Nội dung nhiệm vụ cụ thể; xuống dòng được giữ trong ô")
    lead: tuple[RoleRef, ...] = Field(min_length=1, description="Vai trò chủ trì, theo thứ tự")
    support: tuple[RoleRef, ...] = Field((), description="Vai trò phối hợp")
    deadline: Text = Field(description="Thời gian hoàn thành")
    product: Text = Field(description="Sản phẩm/Kết quả dự kiến")
    note: Text | None = Field(None, description='Ghi chú (in ở cột "note" khi catalog có cột đó)')
    source: Text | None = Field(
        None, description="Đoạn của Kế hoạch (thân văn bản) mà nhiệm vụ được lấy ra"
    )
    variants: Map(str, TaskFields) = Field(
        default_factory=FrozenDict, description="Cách viết riêng theo loại đơn vị (kind)"
    )
    omit: tuple[str, ...] = Field(
        (), description="Các loại đơn vị bỏ nhiệm vụ này (kể cả các loại kế thừa từ chúng)"
    )
    only: tuple[str, ...] = Field(
        (), description="Chỉ các loại đơn vị này (và loại kế thừa) có nhiệm vụ; để trống: mọi loại"
    )

    _line: int = PrivateAttr(0)


class SectionVariant(Strict):
    title: Text = Field(description="Tiêu đề mục cho loại đơn vị này")


class Section(Strict):
    """A heading row; its code (A, B / I, II) is computed from position."""

    id: Id
    title: Text = Field(description="Tiêu đề mục (in hoa khi hiển thị)")
    variants: Map(str, SectionVariant) = Field(default_factory=FrozenDict)
    omit: tuple[str, ...] = Field((), description="Các loại đơn vị bỏ cả mục này")
    only: tuple[str, ...] = Field(
        (), description="Chỉ các loại đơn vị này (và loại kế thừa) có mục này"
    )
    tasks: tuple[Task, ...] = ()
    sections: tuple["Section", ...] = Field((), description="Các mục con")


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
    columns: tuple[Column, ...] = Field(min_length=2)
    bodies: BodyLayout | None = Field(
        None,
        description='Cách ghi nhiều cơ quan trong một ô: "inline" (nối bằng "; ") hoặc "lines" '
        '(mỗi cơ quan một dòng "- …"); mặc định theo loại đơn vị, rồi "inline"',
    )
    numbering: Literal["section", "continuous"] = Field(
        "section",
        description='Số thứ tự nhiệm vụ: "section" (đánh lại từ 1 ở mỗi mục) hoặc "continuous" '
        "(liên tục cả bảng, như một số kế hoạch)",
    )
    sections: tuple[Section, ...] = Field(min_length=1)

    @field_validator("columns")
    @classmethod
    def _columns_unique(cls, columns: tuple[Column, ...]) -> tuple[Column, ...]:
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

    @property
    def label(self) -> str:
        """'Phụ lục II', or 'Phụ lục' for a plan's single appendix."""
        return f"Phụ lục {self.appendix}" if self.appendix else "Phụ lục"


class RolesFile(Strict):
    """The roles every catalog may use, each with what it means."""

    roles: Map(RoleKey, Text) = Field(description="Tên vai trò -> mô tả tiếng Việt")
