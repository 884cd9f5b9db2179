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
from generator.model.workspace import Workspace, same_year
from generator.resolve.appendix import Appendix
from generator.resolve.body import Builder


def body_problems(ws: Workspace) -> list[UserError]:
    """What each body catalog names that does not exist (kinds, appendices, roles), and
    bodies that no unit's plan can use (two of one year, a year without appendices)."""
    declared = set(ws.roles.model.roles) if ws.roles else None
    problems: list[UserError] = []
    for loaded in ws.bodies:
        problems += _references(ws, loaded, declared)
    return problems + _years(ws, list(ws.bodies))


def body_for(ws: Workspace, year: int) -> Loaded[PlanCatalog] | None:
    """The year's body catalog when there is exactly one (else: said by body_problems)."""
    matching = [b for b in ws.bodies if b.model.year == year]
    return matching[0] if len(matching) == 1 else None


def _years(ws: Workspace, catalogs: list[Loaded[PlanCatalog]]) -> list[UserError]:
    """A body catalog serves the appendices of its year: one body per year, and a year some
    task catalog has (otherwise no unit's plan can be built with it)."""
    out: list[UserError] = []
    years = sorted({c.model.year for c in ws.catalogs.values()})
    by_year: dict[int, list[Loaded[PlanCatalog]]] = {}
    for loaded in catalogs:
        by_year.setdefault(loaded.model.year, []).append(loaded)
    for year, same in sorted(by_year.items()):
        if len(same) > 1:
            out.append(same_year(same))
        if years and year not in years:
            for loaded in same:
                out.append(
                    UserError(
                        f"thân kế hoạch năm {year} không dùng được: không có catalog phụ lục "
                        f"nào năm {year} (các phụ lục là năm "
                        + ", ".join(str(y) for y in years)
                        + "); sửa year cho khớp năm của các phụ lục",
                        loaded.where("year"),
                    )
                )
    return out


def _references(ws: Workspace, loaded: Loaded[PlanCatalog], declared: set[str] | None):
    out: list[UserError] = []
    kinds = set(ws.kinds)
    path = loaded.path

    def known(name: str, choices, message: str, where: Where) -> None:
        if name not in choices:
            out.append(unknown(message, name, choices, where))

    for name in loaded.model.variants:
        known(name, kinds, f'variants cho loại đơn vị không tồn tại "{name}"', loaded.where())
    for node, _ in iter_nodes(loaded.model):
        where = Where(path, node._line)
        for field in ("variants", "only", "omit"):
            for name in getattr(node, field):
                known(name, kinds, f'{field} cho loại đơn vị không tồn tại "{name}"', where)
        if isinstance(node, Para) and node.refer is not None:
            known(node.refer, ws.catalogs, f'refer: không có catalog phụ lục "{node.refer}"', where)
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
) -> list[UserError]:
    who = f'loại "{kind.id}"' if sample else None
    builder = Builder(loaded, kind, unit, slug, appendices, where, who, own_document)
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
        return [exc]
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
        return out
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
    return out


def _for_kind(problem: UserError, kind: KindView) -> UserError:
    if f'"{kind.id}"' in problem.message:
        return problem
    return UserError(f'loại "{kind.id}": {problem.message}', problem.where)
