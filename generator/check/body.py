"""The plan body's catalogs, checked: references, years, and a trial build for a sample
unit of every kind and for every unit (placeholders, parts with no wording for a kind, words
of another level, the closing "./.", bodies of the appendices the body never names)."""

from __future__ import annotations

from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.text import unknown
from generator.model.body import Para, PlanCatalog, iter_nodes
from generator.model.document import Document
from generator.model.kinds import KindView, foreign_words
from generator.model.unit import Unit
from generator.model.validation import Loaded
from generator.model.workspace import Workspace
from generator.resolve.appendix import Appendix
from generator.resolve.body import Builder
from generator.resolve.plan import Plan
from generator.resolve.scope import Scope


def body_problems(ws: Workspace) -> list[UserError]:
    """What each body catalog names that does not exist (kinds, appendices, roles), and
    bodies no unit's plan can use (two for one kind, a year no edition has)."""
    declared = set(ws.roles.model.roles) if ws.roles else None
    problems: list[UserError] = []
    every = [c.model for c in ws.catalogs.values()]
    for loaded in ws.bodies:
        problems += _references(ws, loaded, declared, every)
    for edition in ws.editions.values():
        own = [c.model for c in edition.catalogs.values()]
        for loaded in edition.bodies:
            problems += _references(ws, loaded, declared, own)
            if loaded.model.year not in (None, edition.year):
                message = (
                    f"thân kế hoạch năm {loaded.model.year} nằm trong kế hoạch năm "
                    f"{edition.year} ({edition.id}): sửa year cho khớp"
                )
                problems.append(UserError(message, loaded.where("year")))
    return problems + _coverage(ws)


def _coverage(ws: Workspace) -> list[UserError]:
    """A kind served by two bodies in one edition; a shared body of a year with no edition."""
    out: list[UserError] = []
    years = {e.year for e in ws.editions.values()}
    for loaded in ws.bodies:
        year = loaded.model.year
        if year is not None and year not in years:
            message = (
                f"thân kế hoạch năm {year} không dùng được: không có kế hoạch tỉnh (edition) "
                f"năm {year}; các năm có: {', '.join(map(str, sorted(years))) or '(chưa có)'}"
            )
            out.append(UserError(message, loaded.where("year")))
    for edition in ws.editions.values():
        for kind_id in sorted(ws.kinds):
            try:
                kind = ws.kind(kind_id)
                if not kind.abstract:
                    ws.body_for(edition, kind)
            except UserError as exc:
                out += exc.problems
    return out


def _references(ws: Workspace, loaded: Loaded[PlanCatalog], declared, catalogs: list):
    out: list[UserError] = []
    refers = {c.id for c in catalogs} | {c.index for c in catalogs}
    refers_folded = {r.casefold() for r in refers}
    kinds = set(ws.kinds)
    path = loaded.path

    def known(name: str, choices, message: str, where: Where) -> None:
        if name not in choices:
            out.append(unknown(message, name, choices, where))

    for name in (*loaded.model.variants, *loaded.model.kinds):
        known(name, kinds, f'variants cho loại đơn vị không tồn tại "{name}"', loaded.where())
    for node, _ in iter_nodes(loaded.model):
        where = Where(path, node._line)
        for field in ("variants", "only", "omit"):
            for name in getattr(node, field):
                known(name, kinds, f'{field} cho loại đơn vị không tồn tại "{name}"', where)
        if isinstance(node, Para) and node.refer is not None:
            if node.refer.casefold() not in refers_folded:
                message = f'refer: không có phụ lục "{node.refer}" (mã catalog hoặc tên chỉ số)'
                out.append(unknown(message, node.refer, refers, where))
        if node.duties is not None and declared is not None:
            for role in (*node.duties.roles, *node.duties.skip):
                known(
                    role, declared, f'vai trò "{role}" chưa được khai báo trong roles.yaml', where
                )
    return out


def trial(
    loaded: Loaded[PlanCatalog],
    kind: KindView,
    unit: Unit,
    slug: str,
    appendices: list[Appendix],
    sample: bool = False,
    where: Where | None = None,
    own_document: Document | None = None,
    scope: Scope | None = None,
) -> tuple[list[UserError], Plan | None]:
    """The problems of building one unit's plan body, and the plan when it was built."""
    who = f'loại "{kind.id}"' if sample else None
    builder = Builder(loaded, kind, unit, slug, appendices, where, who, own_document, scope)
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
        return [exc], None
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
        return out, None
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
    return out, plan


def _for_kind(problem: UserError, kind: KindView) -> UserError:
    if f'"{kind.id}"' in problem.message:
        return problem
    return UserError(f'loại "{kind.id}": {problem.message}', problem.where)
