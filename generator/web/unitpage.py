"""The unit page's content: a profile (saved, or as a form sent it) checked, and everything
the template shows of it (the form's values and errors, the kind's defaults, the preview,
the downloads of the saved profile, the deadline). The routes of routes/unit.py call these
in a worker thread; nothing here reads a request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from generator.core.dates import short
from generator.core.errors import UserError
from generator.cycle.reminders import unit_reminder
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.model.workspace import Workspace
from generator.render import pdf as render_pdf
from generator.resolve.deadlines import deadline
from generator.resolve.scope import current_scope
from generator.web import planview, profiles, saving, views
from generator.web.checking import Check, check_profile
from generator.web.profiles import Values
from generator.web.site import Site
from generator.web.state import Stamp

REMINDER_DAYS = 14  # the unit page lists what falls due in these next days

# The form's fields in the order the page shows them (the roles follow, then "omit").
FIELD_ORDER = (
    "name",
    "plan_number",
    "plan_symbol",
    "plan_date",
    "long_date",
    "place",
    "signer_on_behalf",
    "signer_deputy",
    "signer_title",
    "signer_name",
)


def declared(ws: Workspace) -> list[str]:
    return list(ws.roles.model.roles) if ws.roles else []


def role_names(ws: Workspace) -> Mapping[str, str]:
    return dict(ws.roles.model.roles) if ws.roles else {}


def saved_check(ws: Workspace, slug: str, text: str, values: Values) -> Check:
    """The saved profile `text`, checked."""
    fields = profiles.fields_for(values, declared(ws))
    return check_profile(ws, slug, text, fields, values, role_names(ws))


@dataclass(frozen=True)
class Submitted:
    """A form sent for a profile: what the file holds, what the form was filled with,
    what it holds now, what changed, and the fields it had."""

    disk: Values
    orig: Values
    new: Values
    changes: Values
    fields: list[str]


def submitted(ws: Workspace, form, disk_text: str) -> Submitted:
    """The form's values against the file's (a UserError when the file is not YAML)."""
    disk = profiles.load_values(disk_text)
    orig = profiles.decode_values(form.get("orig")) or disk
    fields = profiles.fields_for({**disk, **orig}, declared(ws))
    new = profiles.form_values(form, shown_fields(form, fields))
    return Submitted(disk, orig, new, profiles.changed(new, orig), fields)


def shown_fields(form, fields: list[str]) -> list[str]:
    """The fields the submitted page had: every known field, and role fields it carried
    (at most MAX_EXTRA_ROLES beyond those the page knows of)."""
    prefix = profiles.ROLE_PREFIX
    extra = [k for k in form.keys() if k.startswith(prefix) and k not in fields]
    extra = [k for k in extra if profiles.ROLE_NAME.fullmatch(k[len(prefix) :])]
    extra = list(dict.fromkeys(extra))[: profiles.MAX_EXTRA_ROLES]
    return [f for f in fields if not f.startswith(prefix) or f in form] + extra


def candidate(ws: Workspace, slug: str, disk_text: str, sent: Submitted) -> tuple[Check, str]:
    """The form's profile checked, and its text ("" when the form may not even be made
    into YAML: too large, a character a DOCX cannot hold, a date in no known form)."""
    bad = profiles.form_problems(sent.new, sent.disk)
    if bad:
        return Check.of(bad), ""
    try:
        inherited = saving.inherited_paths(ws, slug)
        text = profiles.apply(disk_text, sent.changes, declared(ws), inherited)
    except UserError as exc:
        return Check.of({None: exc.message}), ""
    return check_profile(ws, slug, text, sent.fields, sent.new, role_names(ws)), text


def _kind(ws: Workspace, unit: Unit | None, disk_text: str) -> KindView | None:
    try:
        kind_id = unit.kind if unit else profiles.kind_of_text(disk_text)
        return ws.kind(kind_id) if kind_id else None
    except UserError:  # an unknown kind: the check says so next to the form
        return None


def _downloads(site: Site, ws: Workspace, stamp: Stamp, slug: str, saved: Check | None):
    """(the saved profile's downloads, or why there are none)."""
    if saved is None or not saved.ok:
        return [], ""
    try:
        files = site.data.files(ws, stamp, slug)
    except UserError as exc:
        return [], exc.message
    return views.downloads(files, saved.appendices, render_pdf.soffice() is not None), ""


def reminder_of(site: Site, slug: str):
    """(what falls due in the next REMINDER_DAYS from the newest submission, or None; why
    it could not be read): the page shows the rest even when the history cannot be read."""
    try:
        return unit_reminder(site.data.root, slug, dt.date.today(), REMINDER_DAYS), ""
    except UserError as exc:
        return None, exc.message


def summary(check: Check, order: list[str], labels: Mapping[str, str]) -> list[tuple]:
    """(field, its label, message) of every field error, in the order of the page."""
    ranked = [f for f in order if f in check.fields] + [f for f in check.fields if f not in order]
    return [(f, labels.get(f, f), m) for f in ranked for m in check.fields[f]]


def context(
    site: Site,
    ws: Workspace,
    stamp: Stamp,
    slug: str,
    disk_text: str,
    values: Values,
    orig: Values,
    base: str,
    check: Check,
    saved: Check | None,
) -> dict:
    """What unit.html shows: `values` in the form with `check`'s problems, the downloads of
    the `saved` profile."""
    unit = check.unit or (saved.unit if saved else None)
    kind = _kind(ws, unit, disk_text)
    hints = views.kind_context(ws, kind, unit, slug, values)
    files, download_error = _downloads(site, ws, stamp, slug, saved)
    scope = current_scope(ws, unit) if unit is not None else None
    due = deadline(unit, scope.parent) if scope is not None else None
    roles = views.role_rows(ws, kind, values, hints)
    order = [*FIELD_ORDER, *(r.field for r in roles), "omit"]
    labels = {**profiles.LABELS, **{r.field: r.description for r in roles}}
    reminder, reminder_error = reminder_of(site, slug)
    return {
        "reminder": reminder,
        "reminder_error": reminder_error,
        "reminder_days": REMINDER_DAYS,
        "slug": slug,
        "file_name": site.unit_path(ws, slug).name,
        "kind": kind,
        "unit": unit,
        "values": values,
        "orig_json": profiles.encode_values(orig),
        "base": base,
        "check": check,
        "summary": summary(check, order, labels),
        "roles": roles,
        "omits": views.omit_groups(ws, kind, unit, slug, values),
        "hints": views.placeholders(kind, hints),
        "date_help": profiles.DATE_HELP,
        "apps": check.appendices,
        "plan": planview.plan_preview(check),
        "downloads": files,
        "download_error": download_error,
        "due": due,
        "due_date": short(due.due) if due else "",
        "labels": profiles.LABELS,
    }
