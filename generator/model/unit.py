"""Kinds of unit and unit profiles, as pydantic models."""

from pydantic import Field, model_validator

from generator.core.frozen import FrozenDict
from generator.model.document import Document
from generator.model.fields import (
    BodyLayout,
    ColumnKey,
    DateField,
    Id,
    KindId,
    Map,
    Name,
    PlanNumber,
    RoleKey,
    RoleRef,
    Strict,
    Text,
)


class ParentPlan(Strict):
    """The plan this unit's plan implements (the province plan for its units)."""

    title: Text = Field(description="Ví dụ: Kế hoạch số 252/KH-UBND")
    issuer: Text = Field(description="Ví dụ: UBND tỉnh Lạng Sơn")
    date: DateField = Field(description="Ngày ban hành, YYYY-MM-DD (YYYY-MM khi chưa có ngày)")
    deadline_days: int = Field(
        15, ge=1, le=365, description="Số ngày để ban hành kế hoạch của đơn vị"
    )


class Assigned(Strict):
    """Who in a unit does a task the province's plan names the unit for (by its name or a
    role it plays) and the unit's kind would otherwise leave out."""

    lead: tuple[RoleRef, ...] = Field(
        ("departments",), min_length=1, description="Vai trò chủ trì trong kế hoạch của đơn vị"
    )
    support: tuple[RoleRef, ...] = Field(
        (),
        description="Vai trò phối hợp; các cơ quan cùng được tỉnh giao nhiệm vụ cũng được ghi "
        "vào cột phối hợp",
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
    column_labels: Map(ColumnKey, Text) = Field(
        default_factory=FrozenDict, description="Nhãn cột riêng của loại đơn vị"
    )
    bodies: BodyLayout | None = Field(
        None, description='Cách ghi nhiều cơ quan trong một ô: "inline" hoặc "lines"'
    )
    roles: Map(RoleKey, tuple[Text, ...]) = Field(
        default_factory=FrozenDict,
        description="Vai trò -> các cơ quan; danh sách rỗng: vai trò không có ở cấp này. "
        "Tên cơ quan có thể dùng {{ unit.short }}",
    )
    aliases: Map(RoleKey, tuple[Text, ...]) = Field(
        default_factory=FrozenDict,
        description="Các cách viết khác của cơ quan một vai trò trong văn bản đã ban hành "
        '(ví dụ communes: ["UBND các xã, phường"]): plangen import nhận ra chúng',
    )
    avoid: tuple[Text, ...] = Field(
        (),
        description="Từ của cấp khác không được xuất hiện trong phụ lục của loại này "
        '(ví dụ phường: "xã"); validate báo từng nhiệm vụ còn dùng',
    )
    allow: tuple[Text, ...] = Field(
        (),
        description='Cụm từ chứa một từ trong "avoid" nhưng vẫn đúng (ví dụ "xã hội")',
    )
    document: Document | None = Field(
        None, description="Đầu và cuối văn bản Kế hoạch: cơ quan, địa danh, người ký, nơi nhận"
    )
    assigned: Assigned | None = Field(
        None,
        description="Nhiệm vụ tỉnh giao đích danh cho đơn vị mà loại này không có: vai trò "
        "nào của đơn vị chủ trì, phối hợp (mặc định: departments chủ trì)",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_parent(cls, data: object) -> object:
        if isinstance(data, dict) and "parent" in data:
            raise ValueError(
                "loại đơn vị dùng chung cho mọi tỉnh nên không ghi kế hoạch cấp trên (parent): "
                "kế hoạch của tỉnh là của edition (catalogs/editions/<tỉnh>-<năm>/edition.yaml)"
            )
        return data


class Plan(Strict):
    number: PlanNumber = Field(None, description="Số kế hoạch; bỏ trống để văn thư điền")
    symbol: Text | None = Field(None, description="Ký hiệu; mặc định theo loại đơn vị")
    date: DateField = Field(description="YYYY-MM-DD, hoặc YYYY-MM khi chưa có ngày")
    long_date: bool = Field(False, description="Viết 'ngày 06 tháng 7 năm 2026' thay vì 06/7/2026")


class TaskOverride(Strict):
    """A unit's own wording or bodies for one task (bodies are written out, not roles)."""

    text: Text | None = None
    lead: tuple[Text, ...] | None = Field(
        None, min_length=1, description="Cơ quan chủ trì (tên cụ thể)"
    )
    support: tuple[Text, ...] | None = Field(None, description="Cơ quan phối hợp (tên cụ thể)")
    deadline: Text | None = None
    product: Text | None = None
    note: Text | None = None


class OwnTask(Strict):
    """A task of the unit's own, placed in one catalog's table: after one of its tasks, or
    at the end of one of its sections."""

    id: Id = Field(description="Mã của nhiệm vụ, khác mọi mã trong catalog")
    after: Id | None = Field(None, description="Đặt ngay sau nhiệm vụ có mã này")
    section: Id | None = Field(None, description="Hoặc: đặt cuối mục có mã này")
    text: Text = Field(description="Nội dung nhiệm vụ cụ thể")
    lead: tuple[Text, ...] = Field(
        min_length=1,
        description='Chủ trì: tên vai trò (ví dụ "culture_social") hoặc tên cơ quan cụ thể',
    )
    support: tuple[Text, ...] = Field((), description="Phối hợp: tên vai trò hoặc tên cơ quan")
    deadline: Text = Field(description="Thời gian hoàn thành")
    product: Text = Field(description="Sản phẩm/Kết quả dự kiến")
    note: Text | None = Field(None, description="Ghi chú (khi catalog có cột Ghi chú)")

    @model_validator(mode="after")
    def _one_place(self) -> "OwnTask":
        if (self.after is None) == (self.section is None):
            raise ValueError(
                'ghi đúng một chỗ đặt nhiệm vụ: "after: <mã nhiệm vụ>" (ngay sau nhiệm vụ đó) '
                'hoặc "section: <mã mục>" (cuối mục đó)'
            )
        return self


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
    province: Id | None = Field(
        None,
        description='Mã tỉnh của đơn vị (tên thư mục edition bỏ năm: "lang-son"); bỏ trống khi '
        "dữ liệu chỉ có một tỉnh",
    )
    edition: Id | None = Field(
        None, description='Gắn cố định vào một edition, ví dụ "lang-son-2026" (ít khi cần)'
    )
    plan: Plan = Field(description="Kế hoạch của đơn vị năm hiện tại")
    plans: Map(int, Plan) = Field(
        default_factory=FrozenDict,
        description="Kế hoạch của các năm khác, theo năm: {2027: {number: 12, date: 2027-07-01}}",
    )
    parent: ParentPlan | None = Field(
        None, description="Kế hoạch cấp trên khác với kế hoạch của tỉnh (ít khi cần)"
    )
    document: Document | None = Field(
        None, description="Đầu và cuối văn bản Kế hoạch: cơ quan, địa danh, người ký, nơi nhận"
    )
    roles: Map(RoleKey, tuple[Text, ...]) = Field(
        default_factory=FrozenDict, description="Thay cơ quan của một vai trò cho riêng đơn vị"
    )
    tasks: Map(str, TaskOverride) = Field(
        default_factory=FrozenDict, description="Thay nội dung một nhiệm vụ cho riêng đơn vị"
    )
    omit: tuple[str, ...] = Field((), description="Mã nhiệm vụ hoặc mục bỏ đi")
    add: Map(Id, tuple[OwnTask, ...]) = Field(
        default_factory=FrozenDict,
        description="Nhiệm vụ riêng của đơn vị, theo mã catalog (phụ lục) của năm: "
        "{sipas-2026: [{id, after, text, lead, support, deadline, product}]}",
    )
    abbreviations: Map(Name, Name) = Field(
        default_factory=FrozenDict,
        description="Tên viết tắt -> tên đầy đủ, ví dụ {Trung tâm QLCK: Trung tâm Quản lý cửa "
        "khẩu}: thân kế hoạch viết đầy đủ ở lần đầu và trong tiêu đề, bảng giữ tên viết tắt",
    )
    plays: tuple[RoleKey, ...] = Field(
        (),
        description="Các vai trò đơn vị đảm nhận trong kế hoạch của tỉnh (ví dụ Sở Nội vụ: "
        "home_affairs): nhiệm vụ tỉnh giao cho vai trò đó vào kế hoạch của đơn vị",
    )
