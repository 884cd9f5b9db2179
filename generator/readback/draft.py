"""The catalog being built from a source table: sections and tasks with the notes (`# TODO`
lines) the YAML will carry above their fields, and the plain data the written YAML must load
back to."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.readback.source import Row


@dataclass
class TaskOut:
    id: str
    text: str
    lead: list[str]
    support: list[str]
    deadline: str
    product: str
    omit: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # field -> "# TODO" lines
    row: Row | None = field(default=None, repr=False)
    note: str | None = None  # the "Ghi chú" cell
    omit_why: dict[str, list[str]] = field(default_factory=dict, repr=False)


@dataclass
class SectionOut:
    id: str
    title: str
    level: int
    tasks: list[TaskOut] = field(default_factory=list)
    sections: list[SectionOut] = field(default_factory=list)
    omit: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    omit_why: dict[str, list[str]] = field(default_factory=dict, repr=False)


@dataclass
class CatalogOut:
    id: str
    appendix: str | None
    index: str
    year: int
    title: str
    bodies: str | None
    columns: list[dict]
    sections: list[SectionOut]
    numbering: str = "section"  # "continuous": tasks numbered 1, 2, … over the whole table

    def data(self) -> dict:
        """The plain data the YAML must load back to."""

        def task(t: TaskOut) -> dict:
            d = {"id": t.id, "text": t.text, "lead": t.lead, "support": t.support}
            d |= {"deadline": t.deadline, "product": t.product}
            if t.note:
                d["note"] = t.note
            if t.omit:
                d["omit"] = t.omit
            return d

        def section(s: SectionOut) -> dict:
            d: dict = {"id": s.id, "title": s.title}
            if s.omit:
                d["omit"] = s.omit
            if s.tasks:
                d["tasks"] = [task(t) for t in s.tasks]
            if s.sections:
                d["sections"] = [section(x) for x in s.sections]
            return d

        d: dict = {"id": self.id}
        if self.appendix:
            d["appendix"] = self.appendix
        d |= {"index": self.index, "year": self.year, "title": self.title}
        if self.bodies:
            d["bodies"] = self.bodies
        if self.numbering != "section":
            d["numbering"] = self.numbering
        d["columns"] = self.columns
        d["sections"] = [section(s) for s in self.sections]
        return d

    def all_sections(self):
        stack = list(reversed(self.sections))
        while stack:
            s = stack.pop()
            yield s
            stack.extend(reversed(s.sections))


def add_omit(item: SectionOut | TaskOut, kind_id: str, why: str) -> None:
    """Omit `item` for the kind `kind_id`, with the # TODO that says why."""
    if kind_id in item.omit:
        return
    item.omit.append(kind_id)
    item.omit.sort()
    item.omit_why.setdefault(why, []).append(kind_id)
    item.notes["omit"] = [
        "TODO: plangen import tự thêm omit: "
        + "; ".join(f"{', '.join(kinds)}: {w}" for w, kinds in item.omit_why.items())
        + ". Viết variants cho các loại này rồi bỏ omit."
    ]
