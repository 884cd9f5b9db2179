"""Who does what: each body's share of the resolved appendices ("Tổ chức thực hiện").

For every body that leads or supports tasks, the codes of those tasks in every appendix; a
section whose two or more tasks all fall to the body is named by its code instead. The plan
body states these sentences, so the body and the tables can never disagree.
"""

from __future__ import annotations

from generator.resolve.appendix import Appendix
from generator.resolve.plan import Duty


def duty_list(appendices: list[Appendix]) -> list[Duty]:
    """Each body with tasks in the appendices, with the codes it leads and (of the rest)
    supports in every appendix: the bodies that lead in order of their first lead task, then
    those that only support, in order of appearance."""
    order: list[str] = []
    names: dict[str, str] = {}
    lead: dict[str, dict[int, set[str]]] = {}
    support: dict[str, dict[int, set[str]]] = {}
    for n, appendix in enumerate(appendices):
        for row in appendix.tasks:
            code = ".".join((*row.path, row.code))
            for role, table in (("lead", lead), ("support", support)):
                for body in row.bodies.get(role, ()):
                    key = body.casefold()
                    if key not in names:
                        names[key] = body
                        order.append(key)
                    table.setdefault(key, {}).setdefault(n, set()).add(code)
    first = {key: n for n, key in enumerate(order)}
    first_lead: dict[str, tuple[int, int]] = {}
    for n, appendix in enumerate(appendices):
        for i, row in enumerate(appendix.tasks):
            for body in row.bodies.get("lead", ()):
                first_lead.setdefault(body.casefold(), (n, i))
    order.sort(key=lambda k: (0, *first_lead[k]) if k in first_lead else (1, first[k], 0))
    out = []
    for key in order:
        leads = lead.get(key, {})
        supports = {n: codes - leads.get(n, set()) for n, codes in support.get(key, {}).items()}
        out.append(
            Duty(
                names[key],
                _groups(appendices, leads),
                _groups(appendices, supports),
            )
        )
    return out


def _groups(appendices: list[Appendix], codes: dict[int, set[str]]):
    out = []
    for n, appendix in enumerate(appendices):
        if codes.get(n):
            out.append((appendix.running_label, tuple(collapse(appendix, codes[n]))))
    return tuple(out)


def collapse(appendix: Appendix, codes: set[str]) -> list[str]:
    """`codes` in table order; a section whose two or more tasks are all in `codes` is
    written as the section's code."""
    out: list[str] = []
    done: tuple[str, ...] | None = None  # the section written whole, whose rows are skipped
    under = appendix.codes_under
    for row in appendix.rows:
        path = row.path
        if done is not None and path[: len(done)] == done:
            continue
        if row.is_section:
            tasks = under.get(path, ())
            if len(tasks) >= 2 and all(t in codes for t in tasks):
                out.append(".".join(path))
                done = path
        else:
            code = ".".join((*path, row.code))
            if code in codes:
                out.append(code)
    return out


def expand(code: str, appendix: Appendix) -> set[str]:
    """The task codes a code of `collapse` stands for (itself, or a section's tasks)."""
    parts = tuple(code.split("."))
    out = set()
    for row in appendix.tasks:
        full = (*row.path, row.code)
        if full == parts or row.path[: len(parts)] == parts:
            out.add(".".join(full))
    return out
