"""`plangen import --apply`: the province's own profile (catalogs/units/<province>.yaml) made,
or brought up to date, from the documents, so that the province's own plan and appendices
render as issued after the import alone.

A new profile gets the kind, the province, the name, the plan's number and date, the signer
and the recipients where they differ from the kind's, and the `tasks:` that keep the cells
the catalogs could only give as roles (names the kinds do not know, or know by another
name). An existing profile is edited in place through ruamel.yaml's round trip
(write/yamledit: comments, order and quoting kept; a key set twice is one key): the plan of
the edition's year (`plan`, or an entry of `plans` when the profile's current plan is of
another year), the tasks merged into its `tasks:`, and the signer and recipients only when
the profile serves no other year (they are not per year: changing them would change the
plans of the other years). Nothing is written without --apply: the report says what would
change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.dates import PlanDate
from generator.core.errors import UserError, ValidationFailed, Where
from generator.model.document import merged
from generator.model.fields import split_role_ref
from generator.model.unit import Unit
from generator.model.validation import validate_doc
from generator.model.workspace import Workspace
from generator.model.yamlfile import parse_text
from generator.readback.bodies import name_key
from generator.readback.bodyout import schema_line
from generator.readback.editions import Destination
from generator.readback.plandoc import SourcePlan
from generator.readback.yamlout import LINE_WIDTH, wrap
from generator.write import yamledit

ORDERS = {
    (): ["kind", "province", "edition", "name", "short", "show_name", "issuer", "plan",
         "plans", "parent", "document", "roles", "tasks", "omit"],
    ("plan",): ["number", "symbol", "date", "long_date"],
    ("document",): ["authority", "issuer_lines", "place", "signer", "recipients", "report_to",
                    "report_every"],
    ("document", "signer"): ["on_behalf", "deputy", "title", "name"],
}  # fmt: skip
BLOCK_LISTS = ("recipients",)
_ON_BEHALF = re.compile(r"^(TM|TL|TUQ)\.\s*", re.IGNORECASE)
_DEPUTY = re.compile(r"^(KT|Q)\.\s*", re.IGNORECASE)


@dataclass
class ProfileChange:
    """What --apply writes into the province's profile (or would write, without it)."""

    slug: str
    path: Path
    text: str | None = None  # the new file; None when nothing changes
    original: bytes | None = None  # the file as read (None: a new profile)
    lines: list[str] = field(default_factory=list)  # what changes, for the report

    @property
    def changes(self) -> bool:
        return self.text is not None


def signer_of(lines: list[str]) -> dict[str, str | None]:
    """The signature block's lines: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", the title, the
    name (the last line that is not in capitals)."""
    out: dict[str, str | None] = {"on_behalf": None, "deputy": None, "title": None}
    rest = []
    for line in lines:
        if _ON_BEHALF.match(line) and out["on_behalf"] is None:
            out["on_behalf"] = line
        elif _DEPUTY.match(line) and out["deputy"] is None:
            out["deputy"] = line
        else:
            rest.append(line)
    names = [x for x in rest if x.upper() != x]
    titles = [x for x in rest if x.upper() == x]
    out["title"] = titles[0] if titles else None
    out["name"] = names[-1] if names else None
    return out


def _years(data) -> set[int]:
    """The years the profile has a plan for (its `plan` and its `plans`)."""
    years = set()
    plan = yamledit.get(data, ("plan", "date"))
    if plan is not None:
        try:
            years.add(PlanDate.parse(plan).year)
        except ValueError:
            pass
    for year in yamledit.get(data, ("plans",)) or {}:
        if isinstance(year, int):
            years.add(year)
    return years


class _Editor:
    def __init__(self, data, lines: list[str]) -> None:
        self.data, self.lines = data, lines
        self.changed = False

    def set(self, path: tuple, value, said: str | None = None) -> None:
        """Set the key at `path` (None: an explicit null, clearing the kind's value)."""
        old = yamledit.get(self.data, path)
        new = list(value) if isinstance(value, list | tuple) else value
        if (list(old) if isinstance(old, list) else old) == new and (
            value is not None or _has(self.data, path)
        ):
            return
        if value is None:
            from ruamel.yaml.comments import CommentedMap

            yamledit.set_path(self.data, path, CommentedMap(), ORDERS)  # make the way there
            yamledit.get(self.data, path[:-1])[path[-1]] = None
        else:
            if isinstance(value, list | tuple):
                value = yamledit.sequence(tuple(value))
            elif isinstance(value, str):
                value = yamledit.plain(value)
            yamledit.set_path(self.data, path, value, ORDERS, keep_null=True)
            if path[-1] in BLOCK_LISTS:  # one item a line, as the shipped profiles write them
                yamledit.get(self.data, path).fa.set_block_style()
        self.changed = True
        if said != "":  # "": said elsewhere, once for many keys
            self.lines.append(said or f"{'.'.join(map(str, path))}: {new}")


def _has(data, path: tuple) -> bool:
    parent = yamledit.get(data, path[:-1]) if len(path) > 1 else data
    return hasattr(parent, "keys") and path[-1] in parent


def plan_profile(
    ws: Workspace,
    dest: Destination,
    slug: str,
    plan: SourcePlan | None,
    tasks: dict[str, dict[str, list[str]]],
    units_dir: Path,
    roles: dict[str, list[str]] | None = None,
) -> ProfileChange:
    """The province's profile after the import: made when missing, else edited."""
    path = ws.unit_files.get(slug) or units_dir / f"{slug}.yaml"
    change = ProfileChange(slug, path)
    yaml = yamledit.round_trip_yaml()
    if path.is_file():
        change.original = path.read_bytes()
        data = yamledit.load_map(yaml, change.original.decode("utf-8"))
        kind = str(data.get("kind", ""))
        if kind not in ws.kinds or not ws.kind(kind).is_a(["province"]):
            raise UserError(
                f'hồ sơ "{slug}" không phải của một tỉnh (kind: {kind}): chọn đúng --unit',
                Where(path),
            )
    else:
        data = yamledit.load_map(yaml, "")
    editor = _Editor(data, change.lines)
    identity = dest.identity
    if change.original is None:
        editor.set(("kind",), "province")
        editor.set(("province",), dest.province_id)
        editor.set(("name",), f"{identity['level']} {identity['province']}")
    elif not yamledit.get(data, ("province",)) and not yamledit.get(data, ("edition",)):
        editor.set(("province",), dest.province_id)
    _plan(editor, data, dest)
    others = _years(data) - {dest.year}
    if plan is not None:
        if others and change.original is not None:
            change.lines.append(
                f"người ký và nơi nhận giữ nguyên: hồ sơ còn dùng cho năm "
                f"{', '.join(map(str, sorted(others)))} (document không theo năm)"
            )
        else:
            _document(editor, ws, data, plan)
    for role, names in (roles or {}).items():
        editor.set(("roles", role), names, f"roles.{role}: {names} (tên văn bản dùng ở mọi ô)")
    for task_id, cells in tasks.items():
        for key, names in cells.items():
            editor.set(("tasks", task_id, key), names, "")
    if tasks:
        change.lines.append(
            f"tasks: {len(tasks)} nhiệm vụ giữ nguyên văn cơ quan như văn bản gốc: "
            + ", ".join(tasks)
        )
    if not editor.changed:
        return change
    text = yamledit.dump(yaml, data)
    if change.original is None:
        line = schema_line(path, ws.root, "unit.schema.json")
        head = [f"# {line}"] if line else []
        head += wrap(
            f"Hồ sơ {identity['level']} {identity['province']}: tạo bằng plangen import --apply "
            f"từ Kế hoạch của tỉnh năm {dest.year} (catalogs/editions/{dest.id}/).",
            LINE_WIDTH - 2, "# ", "# ",
        )  # fmt: skip
        text = "\n".join(head) + "\n" + text
    _check(path, text)
    change.text = text
    return change


def _plan(editor: _Editor, data, dest: Destination) -> None:
    plan = dest.identity["plan"]
    current = yamledit.get(data, ("plan", "date"))
    try:
        current_year = PlanDate.parse(current).year if current is not None else None
    except ValueError:
        current_year = None
    base = ("plan",) if current_year in (None, dest.year) else ("plans", dest.year)
    if plan.get("number") is not None:
        editor.set((*base, "number"), int(plan["number"]))
    date = PlanDate.parse(plan["date"])
    editor.set((*base, "date"), date.date or date.iso(), f"{'.'.join(map(str, base))}.date: "
               f"{date.iso()}")  # fmt: skip


def _document(editor: _Editor, ws: Workspace, data, plan: SourcePlan) -> None:
    kind = ws.kind("province")
    own = yamledit.get(data, ("document",)) or {}
    signer = signer_of(plan.signer)
    below = merged(kind.document).signer
    mine = own.get("signer") or {}
    for key in ("on_behalf", "deputy", "title"):
        value = signer[key]
        now = mine.get(key, getattr(below, key) if below else None)
        if value != now and not (value is None and now is None):
            editor.set(("document", "signer", key), value)
    if signer["name"]:
        editor.set(("document", "signer", "name"), signer["name"])
    kind_recipients = list(kind.document.recipients or ())
    now = list(own.get("recipients") or kind_recipients)
    if plan.recipients and plan.recipients != now:
        if plan.recipients == kind_recipients:
            return
        editor.set(("document", "recipients"), plan.recipients,
                   f"document.recipients: {len(plan.recipients)} nơi nhận như văn bản")  # fmt: skip


def _check(path: Path, text: str) -> None:
    """The profile as plangen reads it: a problem here is the document's, said in one line."""
    try:
        validate_doc(parse_text(path, text), Unit)
    except ValidationFailed as exc:
        raise UserError(
            "hồ sơ sau khi nhập không hợp lệ: " + "; ".join(p.message for p in exc.problems),
            Where(path),
        ) from None


def renamed_roles(ws: Workspace, slug: str, reports: list, bodies) -> dict[str, str]:
    """Roles the documents name by one other name everywhere ("UBND các xã, phường" for
    every "UBND cấp xã"): a new province profile calls the role's body so (`roles:`) rather
    than keep each cell as written. An existing profile keeps its roles (they print every
    catalog of every year); a role it already calls so is no other name any more."""
    if bodies is None or slug in ws.unit_files:
        return {}
    uses: dict[str, set] = {}
    for r in reports:
        for role, keys in r.uses.items():
            uses.setdefault(role, set()).update(keys)
    return {
        role: bodies.display[next(iter(keys))]
        for role, keys in uses.items()
        if len(keys) == 1 and next(iter(keys)) in bodies.aliases and len(bodies.roles[role]) == 1
    }


def keep_exact(reports: list, catalogs: list, bodies, renames: dict[str, str]) -> None:
    """The cells still to keep as written once the roles are renamed (`reports`: each
    appendix's ImportReport; `catalogs`: the CatalogOut built for each)."""
    if not renames or bodies is None:
        return
    catalogs = {c.id: c for c in catalogs}
    for r in reports:
        tasks = {t.id: t for s in catalogs[r.catalog_id].all_sections() for t in s.tasks}
        for task_id in list(r.exact):
            for key in list(r.exact[task_id]):
                printed: set[str] = set()
                for ref in getattr(tasks[task_id], key):
                    role = split_role_ref(ref)[0]
                    own = {name_key(renames[role])} if role in renames else None
                    printed |= own or set(bodies.roles.get(role, ()))
                if printed == r.exact_keys[task_id][key]:
                    del r.exact[task_id][key]
            if not r.exact[task_id]:
                del r.exact[task_id]
