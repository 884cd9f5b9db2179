"""The body of one year's plan (Kế hoạch) as a catalog: parts, items, points, paragraphs.

The body catalog (``catalogs/plans/*.yaml``) is written like a task catalog: every part,
item, point and paragraph has a stable id; `variants` give a kind's own wording, looked up
along the kind chain; `only`/`omit` keep or drop a node for kinds (and the kinds that
inherit from them). A node with `duties` is computed from the resolved appendices ("Tổ chức
thực hiện"), by resolve/body.py. What the schema cannot say (one kind of content per node,
depth, unique ids) is checked by `structure_problems` when the file is loaded.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, PrivateAttr

from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.frozen import FrozenDict
from generator.model.fields import Id, KindId, Map, RoleKey, Strict, Text
from generator.model.validation import Loaded, load_file


class ParaVariant(Strict):
    text: Text = Field(description="Nội dung đoạn cho loại đơn vị này")


class Duties(Strict):
    """Where the plan states who leads and supports which tasks of the appendices."""

    roles: tuple[RoleKey, ...] = Field(
        (),
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
    skip: tuple[RoleKey, ...] = Field(
        (),
        description="Vai trò nhóm chung (ví dụ related) không cần đoạn riêng khi chỉ phối hợp",
    )


class Para(Strict):
    """An unnumbered paragraph: text, a reference to an appendix, or computed duties."""

    id: Id
    text: Text | None = Field(None, description="Nội dung đoạn (xuống dòng: đoạn mới)")
    refer: Text | None = Field(
        None,
        description='Phụ lục được dẫn chiếu, bằng mã catalog hoặc tên chỉ số ("SIPAS", "PAR '
        'INDEX"): in "(Chi tiết tại Phụ lục …)" theo số của phụ lục đó',
    )
    duties: Duties | None = Field(None, description="Đoạn phân công tính từ các phụ lục")
    variants: Map(KindId, ParaVariant) = Field(
        default_factory=FrozenDict, description="Cách viết riêng theo loại đơn vị"
    )
    only: tuple[KindId, ...] = Field(
        (), description="Chỉ các loại đơn vị này (và loại kế thừa) có đoạn"
    )
    omit: tuple[KindId, ...] = Field((), description="Các loại đơn vị bỏ đoạn này")

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
    paragraphs: tuple[Para, ...] = Field((), description="Đoạn trước các mục con")
    blocks: tuple[Block, ...] = Field((), description="Các mục con (được đánh số)")
    after: tuple[Para, ...] = Field((), description="Đoạn sau các mục con")
    duties: Duties | None = Field(
        None, description="Thay mục này bằng một mục đánh số cho mỗi cơ quan có nhiệm vụ"
    )
    variants: Map(KindId, BlockVariant) = Field(default_factory=FrozenDict)
    only: tuple[KindId, ...] = Field(())
    omit: tuple[KindId, ...] = Field(())

    _line: int = PrivateAttr(0)


class TitleVariant(Strict):
    title: Text = Field(description="Trích yếu cho loại đơn vị này")


class PlanCatalog(Strict):
    """The body of a plan: trích yếu, opening, parts I-III, closing. The province's body lives
    in its edition; the body of the units below it is shared by every province and year."""

    id: Id
    year: int | None = Field(
        None, ge=2000, le=2100, description="Năm; bỏ trống cho thân dùng chung mọi năm"
    )
    kinds: tuple[KindId, ...] = Field(
        (),
        description="Các loại đơn vị dùng thân kế hoạch này (kể cả loại kế thừa); bỏ trống: "
        "mọi loại",
    )
    doc_type: Text = Field("Kế hoạch", description="Tên loại văn bản (in hoa khi hiển thị)")
    title: Text = Field(description="Trích yếu; xuống dòng được giữ")
    variants: Map(KindId, TitleVariant) = Field(default_factory=FrozenDict)
    opening: tuple[Para, ...] = Field((), description="Các đoạn mở đầu")
    parts: tuple[Block, ...] = Field(min_length=1, description="Các phần I, II, III")
    closing: tuple[Para, ...] = Field((), description='Đoạn kết (kết thúc bằng "./.")')


def index_lines(loaded: Loaded[PlanCatalog]) -> None:
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


def load_body(path: Path, raw: bytes | None = None) -> Loaded[PlanCatalog]:
    """Load and validate one body catalog (file:line errors, structure checked)."""
    loaded = load_file(path, PlanCatalog, raw)
    index_lines(loaded)
    problems = structure_problems(loaded)
    if problems:
        raise ValidationFailed(problems)
    return loaded


def serves(body: PlanCatalog, chain: tuple[str, ...]) -> bool:
    """Whether `body` is the plan body of a unit whose kind chain is `chain`."""
    return not body.kinds or any(k in body.kinds for k in chain)
