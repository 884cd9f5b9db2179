"""A province's plan of one year: an edition, and its identity file.

An edition is a folder ``catalogs/editions/<province>-<year>/`` holding ``edition.yaml`` (who
issued the plan, its number, symbol and date, the days its units have to issue theirs, and
the province's own sentences its units' plans carry), the province's plan body and its
appendix catalogs. Two editions never mix: a unit's plan of a year is made from the edition
of its province and that year alone (docs/editions.md).
"""

from typing import Literal

from pydantic import Field

from generator.core.frozen import FrozenDict
from generator.model.fields import DateField, Map, Name, PlanNumber, RoleKey, Strict, Text


class EditionPlan(Strict):
    """The province's plan: "Kế hoạch số 252/KH-UBND ngày 23/6/2026"."""

    number: PlanNumber = Field(None, description="Số kế hoạch của tỉnh")
    symbol: Text = Field("KH-UBND", description="Ký hiệu, ví dụ KH-UBND")
    date: DateField = Field(description="Ngày ban hành, YYYY-MM-DD (YYYY-MM khi chưa có ngày)")


class EditionFile(Strict):
    """edition.yaml: the identity of one province's plan of one year."""

    province: Name = Field(description='Tên tỉnh hoặc thành phố, ví dụ "Lạng Sơn"')
    level: Literal["tỉnh", "thành phố"] = Field(
        "tỉnh", description='"tỉnh" hoặc "thành phố" (trực thuộc Trung ương)'
    )
    year: int = Field(ge=2000, le=2100, description="Năm của kế hoạch")
    issuer: Text = Field(
        description='Cơ quan ban hành, như kế hoạch cấp dưới trích dẫn: "UBND tỉnh Lạng Sơn"'
    )
    plan: EditionPlan
    deadline_days: int = Field(
        15, ge=1, le=365, description="Số ngày để các đơn vị ban hành kế hoạch của mình"
    )
    texts: Map(RoleKey, Text) = Field(
        default_factory=FrozenDict,
        description="Các câu riêng của tỉnh mà kế hoạch cấp dưới dùng lại, theo tên: "
        '{{ edition.target }} cho "target", …',
    )
