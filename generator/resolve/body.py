"""The unit's plan body (`Plan`) from the body catalog, its kind, its profile and its
resolved appendices (pure, no I/O).

Numbers are computed from position, never typed: parts I., II., …; items 1., 2., …; points
a), b), … in the Vietnamese order (a b c d đ e g h i k …, no f). Variants are looked up
along the kind chain (the kind's own first, then its base's, then the common text); a node
with `duties` becomes one paragraph (or item) per body with tasks, from resolve/duties.py.
Header and signature come from the `document:` blocks of kind and unit (resolve/header.py).
"""

from __future__ import annotations

import re
from dataclasses import replace

from generator.core.errors import UserError, ValidationFailed, Where, once
from generator.core.text import capitalize_first, roman
from generator.model.body import Block, Duties, Para, PlanCatalog, iter_nodes
from generator.model.document import Document, merged
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.model.validation import Loaded
from generator.model.workspace import Workspace
from generator.resolve.appendix import Appendix
from generator.resolve.duties import duty_list
from generator.resolve.header import Header
from generator.resolve.identity import TextContext, issuing_body, render_text
from generator.resolve.plan import Duty, Paragraph, Plan, in_plan
from generator.resolve.scope import Bound, Scope, bind

POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese alphabet order, no f, j, w, z


def point_number(level: int, n: int) -> str:
    if level == 1:
        return f"{roman(n)}."
    if level == 2:
        return f"{n}."
    letters = POINT_LETTERS
    return f"{letters[(n - 1) % len(letters)] * ((n - 1) // len(letters) + 1)})"


class Builder:
    """Builds one unit's `Plan`; problems are collected, then raised together."""

    def __init__(
        self,
        catalog: Loaded[PlanCatalog],
        kind: KindView,
        unit: Unit,
        slug: str,
        appendices: list[Appendix],
        unit_where: Where | None = None,
        who: str | None = None,
        own_document: Document | None = None,
        scope: Scope | None = None,
    ) -> None:
        self.loaded, self.catalog = catalog, catalog.model
        self.scope = scope
        # the `document` of the file `unit_where` names: the unit's, or the kind's on a trial
        self.own_document = own_document if who is not None else unit.document
        self.kind, self.unit, self.slug = kind, unit, slug
        self.appendices = in_plan(appendices)
        self.unit_where = unit_where or Where()
        self.sample = who is not None  # a kind's defaults tried on a made-up unit
        self.who = who or f'đơn vị "{slug}"'  # who a missing header field is asked of
        self.year = scope.year if scope else (self.catalog.year or unit.plan.date.year)
        self.problems: list[UserError] = []
        self.context = TextContext(kind, unit, slug, self.year, scope)
        labels = [a.running_label for a in self.appendices]  # only those with tasks
        self.context.values["appendices"] = " và ".join(labels) if labels else "các phụ lục"
        self.context.values["appendix_list"] = ", ".join(labels) if labels else "các phụ lục"
        self.document = merged(kind.document, unit.document)
        self.context.add_document(self.document)
        self.duties = duty_list(self.appendices)
        self.stated: dict[str, list[Para | Block]] = {}  # body -> the duty nodes naming it
        self._by_key = {d.body.casefold(): d for d in self.duties}
        self.claimed: set[str] = set()
        self.empty: list[str] = []  # numbered blocks with nothing for this kind

    # -- helpers
    def where(self, node: Para | Block | None = None) -> Where:
        return Where(self.loaded.path, node._line if node is not None else 0)

    def render(self, text: str, owner: str, where: Where | None = None) -> str:
        try:
            return render_text(text, self.context.values, owner, where)
        except UserError as exc:
            self.problems.append(exc)
            return text

    def keeps(self, node: Para | Block) -> bool:
        if self.kind.is_a(node.omit):
            return False
        return not node.only or self.kind.is_a(node.only)

    def role_bodies(self, roles: list[str]) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        for role in roles:
            for body in self.context.roles.get(role, []):
                if body.casefold() not in seen:
                    seen.add(body.casefold())
                    out.append(body)
        return out

    def duties_of(self, spec: Duties) -> list[Duty]:
        if spec.rest:
            skip = {b.casefold() for b in self.role_bodies(spec.skip)}
            rest = [
                d
                for d in self.duties
                if d.body.casefold() not in self.claimed
                and not (d.body.casefold() in skip and not d.lead)
            ]
            return rest
        keys = [b.casefold() for b in self.role_bodies(spec.roles)]
        return [self._by_key[k] for k in keys if k in self._by_key]

    def _claim(self) -> None:
        """Bodies named by `duties: {roles: …}` anywhere; `rest` gets the others."""
        for node, _ in iter_nodes(self.catalog):
            if node.duties is not None and node.duties.roles and self._kept_path(node):
                self.claimed |= {b.casefold() for b in self.role_bodies(node.duties.roles)}

    def _kept_path(self, target: Para | Block) -> bool:
        """Whether `target` and every block above it are kept for this kind."""

        def find(blocks: list[Block], chain: list) -> list | None:
            for block in blocks:
                here = [*chain, block]
                if block is target or any(p is target for p in block.paragraphs + block.after):
                    return here if block is target else [*here, target]
                found = find(block.blocks, here)
                if found:
                    return found
            return None

        chain = find(self.catalog.parts, []) or [target]
        return all(self.keeps(n) for n in chain)

    def _state(self, duty: Duty, node: Para | Block) -> None:
        self.stated.setdefault(duty.body.casefold(), []).append(node)

    # -- body
    def para_text(self, para: Para) -> str:
        text = next(
            (para.variants[k].text for k in self.kind.chain if k in para.variants), para.text
        )
        return self.render(text or "", f'đoạn "{para.id}"', self.where(para))

    def paras(self, items: list[Para], level: int, out: list[Paragraph]) -> None:
        for para in items:
            if not self.keeps(para):
                continue
            if para.duties is not None:
                duties = self.duties_of(para.duties)
                named = para.duties.named or len(duties) > 1
                for duty in duties:
                    self._state(duty, para)
                    out.append(
                        Paragraph("text", level, "", duty.sentence(named), para.id, body=duty.body)
                    )
                continue
            if para.refer is not None:
                label = next((a.running_label for a in self.appendices if refers(para, a)), None)
                if label is None:
                    continue  # that appendix is not in this document
                out.append(Paragraph("text", level, "", f"(Chi tiết tại {label})", para.id))
                continue
            for line in self.para_text(para).split("\n"):
                if line.strip():
                    out.append(Paragraph("text", level, "", line.strip(), para.id))

    def blocks(self, items: list[Block], level: int, out: list[Paragraph]) -> None:
        n = 0
        for block in items:
            if not self.keeps(block):
                continue
            if block.duties is not None:
                duties = self.duties_of(block.duties)
                # several bodies under one heading: each point says whose duties it lists
                named = block.duties.named or len(duties) > 1
                for duty in duties:
                    self._state(duty, block)
                    n += 1
                    number = point_number(level, n)
                    if level >= 3:
                        text = duty.sentence(named)
                        out.append(Paragraph("text", level, number, text, block.id, body=duty.body))
                    else:
                        style = "part" if level == 1 else "item"
                        title = capitalize_first(duty.body)
                        out.append(Paragraph(style, level, number, title, block.id))
                        out.append(
                            Paragraph(
                                "text",
                                level + 1,
                                "",
                                duty.sentence(False),
                                block.id,
                                body=duty.body,
                            )
                        )
                continue
            n += 1
            number = point_number(level, n)
            owner = f'mục "{block.id}"'
            variant = next(
                (block.variants[k] for k in self.kind.chain if k in block.variants), None
            )
            title = (variant and variant.title) or block.title
            text = (variant and variant.text) or block.text
            mark = len(out)
            if title:
                title = self.render(title, owner, self.where(block))
                style = {1: "part", 2: "item"}.get(level, "point")
                shown = title.upper() if level == 1 else title
                out.append(Paragraph(style, level, number, shown, block.id, block.italic))
                if text:
                    self._lines(self.render(text, owner, self.where(block)), level + 1, out, block)
            elif text:
                lines = self.render(text, owner, self.where(block)).split("\n")
                out.append(Paragraph("text", level, number, lines[0].strip(), block.id))
                for line in lines[1:]:
                    if line.strip():
                        out.append(Paragraph("text", level + 1, "", line.strip(), block.id))
            self.paras(block.paragraphs, level + 1, out)
            self.blocks(block.blocks, level + 1, out)
            self.paras(block.after, level + 1, out)
            if title and len(out) == mark + 1 and not text:
                self.empty.append(block.id)

    @staticmethod
    def _lines(text: str, level: int, out: list[Paragraph], block: Block) -> None:
        for line in text.split("\n"):
            if line.strip():
                out.append(Paragraph("text", level, "", line.strip(), block.id))

    # -- header and footer
    def header(self) -> dict:
        def render(text: str, owner: str, where: Where) -> str:
            return self.render(text, owner, where)

        return Header(
            self.document,
            self.kind,
            self.unit,
            self.who,
            self.unit_where,
            self.own_document,
            render,
            self.problems,
        ).fields(self.addressees())

    def addressees(self) -> list[str]:
        """The bodies Tổ chức thực hiện gives tasks that no fixed line of Nơi nhận covers
        (the kind's `covered_roles`: its own offices, "các cơ quan có liên quan"): each is
        sent the plan it must carry out."""
        covered = {b.casefold() for b in self.role_bodies(list(self.document.covered_roles or ()))}
        return [
            capitalize_first(d.body)
            for d in self.duties
            if d.body.casefold() in self.stated and d.body.casefold() not in covered
        ]

    def written_out(self, paragraphs: list[Paragraph]) -> list[Paragraph]:
        """The unit's abbreviations written out: at their first use as "Trung tâm Quản lý
        cửa khẩu (Trung tâm QLCK)" (the tables keep the short form), and in full in every
        heading."""
        introduced: set[str] = set()
        out = []
        for p in paragraphs:
            text = p.text
            heading = p.style != "text"
            for short, full in self.unit.abbreviations.items():

                def write(match: re.Match, short: str = short, full: str = full) -> str:
                    if short not in introduced:
                        introduced.add(short)
                        return f"{full} ({short})"
                    return full if heading else match.group(0)  # noqa: B023 - used at once

                text = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", write, text)
            out.append(p if text == p.text else replace(p, text=text))
        return out

    def issuer_name(self) -> str:
        try:
            return issuing_body(self.kind, self.unit, self.slug, self.scope)
        except UserError:  # a kind's issuer that does not render: said where it is used
            return self.unit.name

    def title(self) -> str:
        chain = self.kind.chain
        title = next(
            (self.catalog.variants[k].title for k in chain if k in self.catalog.variants),
            self.catalog.title,
        )
        return self.render(title, "trích yếu (title)", Where(self.loaded.path, 0))

    def check_duties(self) -> None:
        """Every body that leads a task is named in Tổ chức thực hiện, and none twice (in a
        body that states duties at all: one without is a document as issued, its words the
        province's own)."""
        if not any(node.duties is not None for node, _ in iter_nodes(self.catalog)):
            return
        who = f"{self.who} (đơn vị mới chỉ có mặc định)" if self.sample else self.who
        missing = [d.body for d in self.duties if d.lead and d.body.casefold() not in self.stated]
        if missing:
            kept = [
                n
                for n, _ in iter_nodes(self.catalog)
                if n.duties is not None and self._kept_path(n)
            ]
            anchor = kept[-1] if kept else self.catalog.parts[-1]
            self.problems.append(
                UserError(
                    f"{who}: phần Tổ chức thực hiện không nêu "
                    + ", ".join(f'"{b}"' for b in missing)
                    + f' (chủ trì nhiệm vụ trong phụ lục): thêm "duties: {{rest: true}}" cho '
                    f'loại "{self.kind.id}" trong catalog thân kế hoạch',
                    self.where(anchor),
                )
            )
        twice: dict[tuple[int, ...], tuple[list[Para | Block], list[str]]] = {}
        by_key = {d.body.casefold(): d.body for d in self.duties}
        for key, nodes in self.stated.items():
            if len(nodes) > 1:
                entry = twice.setdefault(tuple(id(n) for n in nodes), (nodes, []))
                entry[1].append(by_key[key])
        for nodes, bodies in twice.values():
            shown = ", ".join(f'"{b}"' for b in bodies[:3]) + (
                f" và {len(bodies) - 3} cơ quan khác" if len(bodies) > 3 else ""
            )
            places = " và ".join(f'"{n.id}" (dòng {n._line})' for n in nodes)
            self.problems.append(
                UserError(
                    f"{who}: {shown} được nêu {len(nodes)} lần trong phần Tổ chức thực hiện "
                    f"(duties ở {places}): mỗi cơ quan chỉ nêu một lần; bỏ duties thừa (ví dụ "
                    'hai "rest: true" cho cùng một loại) hoặc thêm only/omit',
                    self.where(nodes[-1]),
                )
            )

    # -- all
    def plan(self) -> Plan:
        self._claim()
        title = self.title()
        out: list[Paragraph] = []
        self.paras(self.catalog.opening, 1, out)
        self.blocks(self.catalog.parts, 1, out)
        self.paras(self.catalog.closing, 1, out)
        header = self.header()  # after the duties: Nơi nhận names the bodies given tasks
        out = self.written_out(out)
        self.check_duties()
        if self.problems:
            raise ValidationFailed(once(self.problems))
        return Plan(
            unit=self.slug,
            unit_name=self.unit.name,
            kind=self.kind.id,
            year=self.year,
            catalog=self.catalog.id,
            catalog_hash=self.loaded.digest,
            issuer_name=self.issuer_name(),
            doc_type=self.catalog.doc_type.upper(),
            title=title,
            paragraphs=tuple(out),
            duties=tuple(self.duties),
            sources=((self.catalog.id, self.loaded.digest),)
            + tuple((a.catalog, a.catalog_hash) for a in self.appendices),
            **header,
        )


def refers(para: Para, appendix: Appendix) -> bool:
    """Whether `para` refers to `appendix`: by its catalog id or its index ("SIPAS")."""
    wanted = (para.refer or "").casefold()
    return wanted in (appendix.catalog.casefold(), appendix.index.casefold())


def build_plan(
    ws: Workspace, slug: str, appendices: list[Appendix], year: int | None = None
) -> Plan:
    """The unit's plan body with header and footer, from its resolved appendices (pure)."""
    if year is None and appendices:
        year = appendices[0].year
    bound = bind(ws, slug, year)
    return plan_of(ws, bound, appendices)


def plan_of(ws: Workspace, bound: Bound, appendices: list[Appendix]) -> Plan:
    """The plan body of a unit bound to its edition and year."""
    body = ws.body_for(bound.scope.edition, bound.kind)
    if body is None:
        raise UserError(
            f'không có thân kế hoạch cho loại đơn vị "{bound.kind.id}" trong kế hoạch '
            f"{bound.scope.edition.id} (catalogs/plans/ hoặc thư mục edition)"
        )
    unit, loaded = bound.unit, bound.loaded
    where = loaded.where("document") if unit.document else loaded.where()
    builder = Builder(body, bound.kind, unit, bound.slug, appendices, where, scope=bound.scope)
    return builder.plan()
