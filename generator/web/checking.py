"""A profile checked as the CLI checks it, each problem shown at its form field.

`unit_problems` is the whole check of one unit, the same as ``plangen --unit X`` and
``plangen validate`` make: the profile's own file (model and cross-file references), the
unit's trial (every catalog resolved for it, the plan body tried), then its appendices and
plan body built as the downloads are. A profile that fails any of it is not saved, and a
saved one that fails is marked on the units list.

Each problem is placed at the form field its `field` names (the dotted key path of the
YAML, "plan.date", "roles.home_affairs.0"); a problem with no field of the form is listed
above the form. The message never decides where it goes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from generator.check.body import body_problems
from generator.check.workspace import catalogs_broken, unit_trial, validate
from generator.core.errors import UserError
from generator.model.unit import Unit
from generator.model.validation import Loaded, validate_doc
from generator.model.workspace import Workspace
from generator.model.yamlfile import parse_text
from generator.resolve.appendix import Appendix
from generator.resolve.body import plan_of
from generator.resolve.plan import Plan
from generator.resolve.scope import bind, plan_years
from generator.resolve.unit import bound_appendices
from generator.web.profiles import (
    FLAGS,
    ROLE_PREFIX,
    SCALARS,
    Values,
    label,
    path_of,
    role_field,
)

# The dotted key path of each scalar and flag field -> the form field.
FIELD_OF_PATH: Mapping[str, str] = MappingProxyType(
    {".".join(p): n for n, p in {**SCALARS, **FLAGS}.items()}
)


@dataclass
class Check:
    """The problems of a candidate profile, by form field, and what it builds when valid."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)  # the unit's, with no field of their own
    shared: list[str] = field(default_factory=list)  # of the catalogs and kinds (not blocking)
    appendices: list[Appendix] = field(default_factory=list)
    plan: Plan | None = None
    unit: Unit | None = None

    @property
    def ok(self) -> bool:
        return not self.fields and not self.general

    @classmethod
    def of(cls, messages: Mapping[str | None, str]) -> Check:
        """A check holding these messages (field name -> message; None: no field)."""
        check = cls()
        for name, message in messages.items():
            check.add(name, message)
        return check

    def add(self, name: str | None, message: str) -> None:
        if name is not None:
            if message not in self.fields.setdefault(name, []):
                self.fields[name].append(message)
        elif message not in self.general and not any(message in m for m in self.fields.values()):
            self.general.append(message)

    def count(self) -> int:
        return len(self.general) + sum(len(v) for v in self.fields.values())


def same_file(a: Path | None, b: Path) -> bool:
    if a is None:
        return False
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def no_paths(text: str, root: Path) -> str:
    """A message without the server's folders ("…/catalogs/plans" -> "catalogs/plans")."""
    for prefix in {str(root.resolve()), str(root)}:
        text = text.replace(prefix + "/", "").replace(prefix, ".")
    return text


# --------------------------------------------------------------------------- the check


def unit_problems(
    ws: Workspace, slug: str
) -> tuple[list[UserError], list[UserError], list[Appendix], Plan | None]:
    """(the unit's problems, the shared data's, its appendices, its plan body): the whole
    check of the profile `slug` has in `ws`, as ``plangen validate`` and ``plangen --unit``
    make it. The shared data's problems do not stop the unit unless building it fails."""
    path = ws.unit_files[slug]
    own: list[UserError] = []
    shared: list[UserError] = []
    for problem in validate(ws, [slug], trial=False):
        (own if same_file(problem.where.path, path) else shared).append(problem)
    if own:
        return own, shared, [], None
    try:
        if not catalogs_broken(ws, shared):  # as validate: a broken catalog's trial is noise
            body = not body_problems(ws)
            for year in plan_years(ws.unit(slug).model):
                own += unit_trial(ws, bind(ws, slug, year), body)[0]
        if own:
            return own, shared, [], None
        bound = bind(ws, slug)
        appendices = bound_appendices(bound)
        has_body = ws.body_for(bound.scope.edition, bound.kind) is not None
        plan = plan_of(ws, bound, appendices) if has_body else None
    except UserError as exc:
        return own + exc.problems, shared, [], None
    return own, shared, appendices, plan


def saved_problems(ws: Workspace, slug: str) -> tuple[str, ...]:
    """What is wrong with the unit's saved profile (nothing: it builds), for the units list."""
    try:
        ws.unit(slug)
    except UserError as exc:
        return tuple(no_paths(p.message, ws.root) for p in exc.problems)
    own = unit_problems(ws, slug)[0]
    return tuple(dict.fromkeys(no_paths(p.message, ws.root) for p in own))


def check_profile(
    ws: Workspace,
    slug: str,
    text: str,
    fields: list[str],
    values: Values,
    role_names: Mapping[str, str] | None = None,
) -> Check:
    """Check `text` as the profile of `slug`, in memory, with the CLI's rules; each problem
    at the field of `fields` its dotted path names (`values`: what the form holds)."""
    path = ws.unit_files[slug]
    place = Placer(path, ws.root, fields, values, role_names or {})
    result = Check()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    try:
        doc = parse_text(path, text, digest)
        model = validate_doc(doc, Unit)
    except UserError as exc:
        for problem in exc.problems:
            result.add(*place(problem))
        return result
    candidate = ws.with_unit(slug, Loaded(model, doc))
    result.unit = model
    own, shared, result.appendices, result.plan = unit_problems(candidate, slug)
    result.shared = list(dict.fromkeys(no_paths(str(p), ws.root) for p in shared))
    for problem in own:
        result.add(*place(problem))
    return result


# --------------------------------------------------------------------------- placing


class Placer:
    """Where a problem goes on the form, and how it reads there: (form field or None,
    message)."""

    def __init__(
        self,
        path: Path,
        root: Path,
        fields: list[str],
        values: Values,
        role_names: Mapping[str, str],
    ) -> None:
        self.path, self.root = path, root
        self.fields, self.values, self.role_names = set(fields), values, role_names

    def __call__(self, problem: UserError) -> tuple[str | None, str]:
        own = same_file(problem.where.path, self.path) or problem.where.path is None
        dotted = problem.where.field if own else ""
        name = self.form_field(dotted)
        message = no_paths(problem.message, self.root)
        if name is None:
            if own and problem.where.line:
                message += f" (dòng {problem.where.line} của tệp hồ sơ)"
            return None, message
        return name, self.labelled(message, dotted, name)

    def form_field(self, dotted: str) -> str | None:
        """The form field of a dotted key path: the field itself, the role a role's body
        belongs to, the omissions; for a mapping above fields ("document.signer"), the one
        field below it the form sets."""
        if not dotted:
            return None
        head, _, rest = dotted.partition(".")
        if dotted in FIELD_OF_PATH:
            name = FIELD_OF_PATH[dotted]
        elif head == "roles" and rest:
            name = role_field(rest.split(".", 1)[0])
        elif head == "omit":
            name = "omit"
        else:
            below = [
                n
                for p, n in FIELD_OF_PATH.items()
                if p.startswith(dotted + ".") and n in self.fields and self.values.get(n)
            ]
            name = below[0] if len(below) == 1 else None
        return name if name in self.fields else None

    def labelled(self, message: str, dotted: str, name: str) -> str:
        """'"name": không được để trống' -> 'Tên đơn vị: không được để trống': the key the
        message starts with, quoted, said as the form says it (or left out when the rest
        names the field already: 'số kế hoạch "12a" phải là số')."""
        last = dotted.rsplit(".", 1)[-1]
        quoted = f'"{last}"'
        if not message.startswith(quoted):
            return message
        rest = message[len(quoted) :]
        if last.isdigit():
            return f"Dòng {int(last) + 1}{rest}"
        if ".".join(path_of(name)) != dotted:
            return message
        shown = "Vai trò này" if name.startswith(ROLE_PREFIX) else label(name, self.role_names)
        tail = rest.removeprefix(":").strip()
        if rest.startswith(":") and tail.casefold().startswith(shown.casefold()):
            return tail
        return shown + rest
