"""The files of an import, made, tried and written all or none.

The plan body, edition.yaml and the province's profile are small: their text is made first
and loaded back as plangen loads them. The catalogs may be long: each is tried as a
provisional document (trial.py) in a second process while this one writes its YAML, and the
problems found are moved to the written lines. Every text is read back as plangen reads it
and must give its data again (a failure is a bug here, never the user's). Then every file
is written at once (write/files.write_all): new files never over an existing one without
--force; edition.yaml and the profile, edited in place, only when nobody changed them
meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.core.errors import UserError, Where
from generator.core.frozen import FrozenDict
from generator.core.parallel import WorkerDied, forked_map
from generator.model import yamlfile
from generator.model.body import load_body
from generator.model.edition import EditionFile
from generator.model.unit import Unit
from generator.model.validation import load_file
from generator.model.workspace import Edition, Workspace
from generator.readback.draft import CatalogOut
from generator.readback.editions import Destination
from generator.readback.trial import frozen, problems_at, provisional, relocate, trial_workspace
from generator.readback.yamlout import catalog_yaml
from generator.write.files import check_free, write_all


@dataclass
class Output:
    """One file of the import."""

    path: Path
    what: str  # "catalog" | "body" | "edition" | "profile"
    text: str = ""  # made before the commit (all but the catalogs)
    data: Any = None  # the catalog (CatalogOut) or the plain data the text must load to
    header: list[str] = field(default_factory=list)  # a catalog's opening comment
    original: bytes | None = None  # an existing file edited in place: as it was read
    problems: list[str] = field(default_factory=list)  # validate, at this file
    write: bool = True  # False: tried only (an edition's identity, the catalog written elsewhere)


def _read_back(text: str, path: Path, data: dict) -> dict:
    """The place of each value of `text`, read as plangen reads it; it must give `data`."""
    try:
        doc = yamlfile.parse_text(path, text)
    except UserError as exc:
        raise RuntimeError(f"import: {path.name} ghi ra không đọc lại được ({exc})") from None
    if data is not None and doc.data != frozen(data):
        raise RuntimeError(f"import: {path.name} ghi ra không đọc lại đúng dữ liệu")
    return doc.places


def _loaded(out: Output, problems: list[UserError]):
    """The small files loaded from their text (a problem is kept for the report)."""
    raw = out.text.encode("utf-8")
    try:
        if out.what == "body":
            return load_body(out.path, raw)
        return load_file(out.path, EditionFile if out.what == "edition" else Unit, raw)
    except UserError as exc:
        problems += exc.problems
        return None


def trial_edition(dest: Destination, outputs: list[Output], catalogs: dict, problems) -> Edition:
    """The edition as the import leaves it (its catalogs provisional)."""
    existing = dest.existing
    paths = {o.path.resolve() for o in outputs}
    identity = existing.identity if existing is not None else None
    bodies = [b for b in (existing.bodies if existing else ()) if b.path.resolve() not in paths]
    kept = {
        k: v
        for k, v in (existing.catalogs.items() if existing else ())
        if v.path.resolve() not in paths
    }
    for out in outputs:
        if out.what == "edition":
            identity = _loaded(out, problems) or identity
        elif out.what == "body" and (body := _loaded(out, problems)) is not None:
            bodies.append(body)
    if identity is None:  # a new edition.yaml that did not load: a bug, said plainly
        raise RuntimeError("import: edition.yaml ghi ra không hợp lệ")
    kept.update({loaded.model.id: loaded for loaded, _ in catalogs.values()})
    return Edition(dest.id, dest.folder, identity, FrozenDict(kept), tuple(bodies))


def commit(ws: Workspace, dest: Destination, outputs: list[Output], whole: bool,
           profile_slug: str | None, force: bool) -> tuple[list[Path], list[str]]:  # fmt: skip
    """Try, read back and write `outputs`; each file's problems are put in its `problems`.
    Returns the paths written, and (importing a whole edition) what validate says of the
    shared plan body and the kinds in the new edition."""
    catalogs = {o.path: provisional(o.path, o.data.data()) for o in outputs if o.what == "catalog"}
    early: list[UserError] = []
    edition = trial_edition(dest, outputs, catalogs, early)
    profile = next((o for o in outputs if o.what == "profile"), None)
    loaded_profile = _loaded(profile, early) if profile is not None else None
    paths = {o.path for o in outputs}
    extra = {b.path for b in ws.bodies} | {k.path for k in ws.kinds.values()} if whole else set()

    def trial() -> list[UserError]:
        pair = (profile_slug, loaded_profile) if loaded_profile and profile_slug else None
        return problems_at(
            trial_workspace(ws, edition, whole, pair), paths | extra, dest.province_id
        )

    cats = [o for o in outputs if o.what == "catalog"]

    def written() -> list[tuple[str, dict]]:
        """Each catalog's YAML, and the place of each value as plangen reads it back."""
        texts = [catalog_yaml(o.data, o.header) for o in cats]
        return [(t, _read_back(t, o.path, o.data.data())) for t, o in zip(texts, cats, strict=True)]

    jobs = {"yaml": written, "trial": trial}
    done = dict(forked_map(lambda name: jobs[name](), list(jobs)))
    for name, result in done.items():
        if isinstance(result, WorkerDied):  # a worker killed: do its part here
            done[name] = jobs[name]()
    places = {}
    for out, (text, where) in zip(cats, done["yaml"], strict=True):
        out.text, places[out.path] = text, where
    found = early + done["trial"]
    for out in outputs:
        mine = [p for p in found if p.where.path and _same(p.where.path, out.path)]
        if out.what == "catalog":
            out.problems = relocate(mine, catalogs[out.path][1], places[out.path])
        else:
            _read_back(out.text, out.path, out.data)
            out.problems = [str(p) for p in mine]
    shared = [str(p) for p in found if p.where.path and any(_same(p.where.path, x) for x in extra)]
    return _write(outputs, force), shared


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _write(outputs: list[Output], force: bool) -> list[Path]:
    """Every file or none: new files never over another without --force; files edited in
    place only as they were read."""
    files = []
    replace = False
    for out in outputs:
        if not out.write:
            continue
        if out.original is None:
            check_free(out.path, force)
            replace = replace or out.path.exists()
        else:
            try:
                now = out.path.read_bytes()
            except OSError:
                now = None
            if now != out.original:
                raise UserError(
                    "tệp vừa bị sửa trong lúc nhập: chạy lại lệnh để nhập vào bản mới",
                    Where(out.path),
                )
            replace = True
        files.append((out.path, out.text.encode("utf-8")))
    return write_all(files, force=replace)


def catalog_output(path: Path, catalog: CatalogOut, header: list[str]) -> Output:
    return Output(path, "catalog", data=catalog, header=header)


def check_out(ws, out: Path, catalog_id: str | None) -> None:
    """`--out` writes this appendix's catalog and nothing else: a new YAML file outside the
    folders plangen reads as kinds, units, legal data, plan bodies, editions and templates,
    or the same catalog (same id) written before. Never roles.yaml, a kind, a profile, a
    template or another catalog."""
    where = Where(out)
    if out.suffix not in (".yaml", ".yml"):
        raise UserError("--out: tên tệp catalog phải kết thúc bằng .yaml", where)
    target = out.resolve()
    if target.exists():
        if not _same_catalog(target, catalog_id):
            raise UserError(
                "--out: tệp này là dữ liệu khác (vai trò, loại đơn vị, hồ sơ, catalog khác…); "
                "--out chỉ ghi catalog của phụ lục đang nhập, vào một tệp mới hoặc đè catalog "
                f'cùng mã "{catalog_id}"',
                where,
            )
        return
    reserved = [ws.catalog_dir / d for d in ("kinds", "units", "legal", "plans", "editions")]
    reserved += [ws.root / "templates", *{f.parent for f in ws.unit_files.values()}]
    if (
        target.parent == ws.catalog_dir.resolve()
        and target.name == "roles.yaml"
        or any(target.is_relative_to(r.resolve()) for r in reserved)
    ):
        raise UserError(
            "--out: thư mục này plangen đọc như loại đơn vị, hồ sơ, thân kế hoạch hoặc "
            "edition; ghi catalog ra ngoài (bỏ --out để ghi vào edition của tỉnh)",
            where,
        )


def _same_catalog(path: Path, catalog_id: str | None) -> bool:
    """Whether `path` holds a catalog whose id is `catalog_id` (a file read bounded)."""
    from generator.model import yamlfile

    try:
        data = yamlfile.load(path).data
    except UserError:
        return False
    return isinstance(data, Mapping) and data.get("id") == catalog_id and "sections" in data
