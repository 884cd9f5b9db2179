"""Who issues and signs a unit's plan: the Nghị định 30 header and footer of its body.

A kind gives the defaults (a commune signs "TM. ỦY BAN NHÂN DÂN"), a unit its own (the
signer's name); both are merged field by field, the unit winning (see `merged`). Text may
use {{ unit.name }}, {{ unit.short }} and the other names of resolve.identity.
"""

from pydantic import Field

from generator.model.fields import OptionalText, RoleKey, Strict

Text = OptionalText


class Signer(Strict):
    """The signature block, line by line (Nghị định 30: TM., KT., chức vụ, họ tên)."""

    on_behalf: Text | None = Field(None, description='Ví dụ "TM. ỦY BAN NHÂN DÂN"')
    deputy: Text | None = Field(None, description='Ví dụ "KT. CHỦ TỊCH" (ký thay)')
    title: Text | None = Field(None, description='Chức vụ người ký, ví dụ "PHÓ CHỦ TỊCH"')
    name: Text | None = Field(None, description="Họ tên người ký; bỏ trống để điền tay")


class Document(Strict):
    """The header, place, signature and recipients of the plan body."""

    authority: Text | None = Field(
        None, description='Cơ quan chủ quản (dòng trên tên cơ quan), ví dụ "UBND TỈNH LẠNG SƠN"'
    )
    issuer_lines: tuple[Text, ...] | None = Field(
        None,
        description='Tên cơ quan ban hành, mỗi dòng một phần, ví dụ ["ỦY BAN NHÂN DÂN", '
        '"XÃ ĐÌNH LẬP"]',
    )
    place: Text | None = Field(None, description='Địa danh trước ngày tháng, ví dụ "Đình Lập"')
    signer: Signer | None = None
    recipients: tuple[Text, ...] | None = Field(
        None, description='Nơi nhận, mỗi mục một dòng, không kèm "- " và ";"'
    )
    covered_roles: tuple[RoleKey, ...] | None = Field(
        None,
        description="Vai trò mà các dòng Nơi nhận chung đã bao gồm (ví dụ các phòng thuộc "
        '"Các cơ quan chuyên môn, đơn vị thuộc UBND xã"); cơ quan khác được giao nhiệm vụ ở '
        "phần Tổ chức thực hiện được thêm vào Nơi nhận",
    )
    drafting_office: Text | None = Field(
        None,
        description='Viết tắt tên đơn vị soạn thảo, ghi sau "Lưu: VT," (Nghị định 30), ví dụ '
        '"NV", "VP"',
    )
    report_to: Text | None = Field(
        None, description='Nơi nhận báo cáo kết quả, ví dụ "UBND tỉnh (qua Sở Nội vụ)"'
    )
    report_every: Text | None = Field(None, description='Kỳ báo cáo, ví dụ "hằng tháng"')


def merged(*layers: Document | None) -> Document:
    """The layers laid over each other, lowest first: a later layer's fields win, and the
    signer is merged field by field too. Only the keys a layer writes count: a key left out
    keeps the value below, an explicit null (`deputy: null`, `signer: null`) clears it.
    The layers were validated: their values are laid together, not validated again."""
    out: dict = {}
    for layer in layers:
        if layer is None:
            continue
        data = _written(layer)
        if "signer" in data:
            below = out.get("signer") or {}
            signer = data.pop("signer")
            out["signer"] = None if signer is None else {**below, **_written(signer)}
        out.update(data)
    if out.get("signer") is not None:
        out["signer"] = Signer.model_construct(**out["signer"])
    return Document.model_construct(**out)


def _written(model: Signer | Document) -> dict:
    """The fields a layer's file writes (null included), by name."""
    return {name: getattr(model, name) for name in model.model_fields_set}
