"""What the văn thư would still have to fill on the signature page, said as warnings: the
signer's name (the document leaves a dotted line) and the drafting office after "Lưu: VT"."""

from __future__ import annotations

from generator.core.errors import UserError
from generator.model.unit import Unit
from generator.model.validation import Loaded
from generator.resolve.header import BARE_STORED, SIGN_HERE, recipient_items
from generator.resolve.plan import Plan


def signature_warnings(plan: Plan, loaded: Loaded[Unit]) -> list[UserError]:
    out = []
    who = f'đơn vị "{plan.unit}"'
    if plan.signer_name == SIGN_HERE:
        out.append(
            UserError(
                f"cảnh báo: {who}: chưa có họ tên người ký (document.signer.name): văn bản "
                "để một dòng chấm để điền tay trước khi trình ký",
                loaded.where("document", "signer", "name"),
            )
        )
    stored = recipient_items(list(plan.recipients[-1:]))
    if stored and BARE_STORED.match(stored[0]):
        out.append(
            UserError(
                f'cảnh báo: {who}: Nơi nhận "Lưu: VT" chưa ghi đơn vị soạn thảo '
                '(document.drafting_office, ví dụ NV): Nghị định 30 ghi "Lưu: VT, <viết tắt '
                'đơn vị soạn thảo>"',
                loaded.where("document", "drafting_office"),
            )
        )
    return out
