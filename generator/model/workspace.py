"""Opening a data folder: every shared file read, validated and kept (the loaded folder is a
`Workspace`, model/folder.py).

The shared files (roles, kinds, each edition's identity, catalogs and body, the shared
bodies) are kept in plangen's cache keyed by their bytes and the models' source: an
unchanged data folder is not parsed and validated again (core/cache.py). A file that fails
is one of the workspace's `problems`; the others load.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.core import cache
from generator.core.errors import UserError, Where
from generator.core.frozen import FrozenDict
from generator.model import yamlfile
from generator.model.body import PlanCatalog, load_body
from generator.model.catalog import Catalog, RolesFile
from generator.model.edition import EditionFile
from generator.model.folder import (
    EDITIONS_DIR,
    PACKAGE,
    PLANS_DIR,
    Edition,
    Profiles,
    Workspace,
    data_root,
    model_code,
)
from generator.model.kinds import KindView, kind_view
from generator.model.legal import BodiesFile, Legal, ProvincesFile
from generator.model.unit import Kind, Unit
from generator.model.validation import Loaded, load_file

__all__ = ["PACKAGE", "Edition", "Workspace", "data_root", "open_workspace", "with_file"]

EDITION_FILE = "edition.yaml"
LEGAL_DIR = "legal"
LEGAL_FILES = {"bodies.yaml": BodiesFile, "provinces.yaml": ProvincesFile}


def classify(data: Any) -> type[BaseModel] | None:
    """Which input a parsed YAML file is, by its keys."""
    if not isinstance(data, dict):
        return None
    keys = set(data)
    if "parts" in keys or "doc_type" in keys:
        return PlanCatalog
    if "sections" in keys or "columns" in keys:
        return Catalog
    if "province" in keys and "issuer" in keys and "year" in keys:
        return EditionFile
    if "plan" in keys or ("kind" in keys and "id" not in keys):
        return Unit
    if keys == {"roles"}:
        return RolesFile
    if "id" in keys and ("roles" in keys or "base" in keys or "name" in keys):
        return Kind
    return None


def yaml_paths(folder: Path) -> list[Path]:
    """The YAML files of a folder, in name order; hidden files (an editor's lock or backup,
    ".#x.yaml", "._x.yaml") are not data."""
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("."))


def unit_files(dirs: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in dirs:
        for path in yaml_paths(d):
            found.setdefault(path.stem, path)
    return found


def working_units() -> list[Path]:
    """`units/` of the working folder, where `new-unit` puts profiles when plangen runs
    from an installed copy (never inside the installed package)."""
    here = Path("units")
    return [here] if here.is_dir() else []


class _Loader:
    """Collects the shared files of a workspace, and every problem met."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.roles: Loaded[RolesFile] | None = None
        self.kinds: dict[str, Loaded[Kind]] = {}
        self.bodies: list[Loaded[PlanCatalog]] = []
        self.editions: dict[str, Edition] = {}
        self.catalog_ids: dict[str, Path] = {}
        self.legal: dict[str, BaseModel] = {}
        self.problems: list[UserError] = []

    def load(self, path: Path, model: type[BaseModel], raw: bytes | UserError) -> Loaded | None:
        try:
            if isinstance(raw, UserError):
                raise raw
            if model is PlanCatalog:
                return load_body(path, raw)
            return load_file(path, model, raw)
        except UserError as exc:
            self.problems += exc.problems
            return None

    def kind(self, loaded: Loaded[Kind]) -> None:
        """Add a kind under its id; a second file with the same id is a problem."""
        ident = loaded.model.id
        if ident in self.kinds:
            message = f'mã loại đơn vị "{ident}" bị trùng với {self.kinds[ident].path.name}'
            self.problems.append(UserError(message, loaded.where("id")))
            return
        self.kinds[ident] = loaded

    def edition(self, folder: Path, files: list[tuple[Path, bytes | UserError]]) -> None:
        """One edition's folder: its identity file, then its catalogs and body."""
        raws = dict(files)
        identity_path = folder / EDITION_FILE
        if identity_path not in raws:
            message = f"thư mục edition thiếu tệp {EDITION_FILE} (tỉnh, năm, số và ngày kế hoạch)"
            self.problems.append(UserError(message, Where(folder)))
            return
        identity = self.load(identity_path, EditionFile, raws.pop(identity_path))
        catalogs: dict[str, Loaded[Catalog]] = {}
        bodies: list[Loaded[PlanCatalog]] = []
        for path, raw in raws.items():
            model = _model_of(path, raw)
            if model is None:
                message = (
                    "trong thư mục edition chỉ có edition.yaml, catalog phụ lục (có sections) "
                    "và thân kế hoạch (có parts)"
                )
                self.problems.append(UserError(message, Where(path)))
                continue
            loaded = self.load(path, model, raw)
            if loaded is None:
                continue
            if model is PlanCatalog:
                bodies.append(loaded)
            elif self._unique_catalog(loaded):
                catalogs[loaded.model.id] = loaded
        if identity is not None:
            self.editions[folder.name] = Edition(
                folder.name, folder, identity, FrozenDict(catalogs), tuple(bodies)
            )

    def _unique_catalog(self, loaded: Loaded[Catalog]) -> bool:
        ident = loaded.model.id
        if ident in self.catalog_ids:
            message = f'mã catalog "{ident}" bị trùng với {self.catalog_ids[ident].name}'
            self.problems.append(UserError(message, loaded.where("id")))
            return False
        self.catalog_ids[ident] = loaded.path
        return True

    def shared(self) -> dict:
        """What every unit shares, as the fields of a Workspace (the cached part)."""
        views: dict[str, KindView | UserError] = {}
        for kind_id in self.kinds:
            try:
                views[kind_id] = kind_view(self.kinds, kind_id)
            except UserError as exc:
                views[kind_id] = exc
        return {
            "roles": self.roles,
            "editions": FrozenDict(self.editions),
            "bodies": tuple(self.bodies),
            "kinds": FrozenDict(self.kinds),
            "problems": tuple(self.problems),
            "legal": Legal.of(self.legal.get("bodies.yaml"), self.legal.get("provinces.yaml")),
            "_views": FrozenDict(views),
        }


def _model_of(path: Path, raw: bytes | UserError) -> type[BaseModel] | None:
    """A catalog or a plan body, told by a cheap look at its top-level keys."""
    if isinstance(raw, UserError):
        return Catalog
    text = raw.decode("utf-8", "replace")
    keys = {line.split(":", 1)[0] for line in text.splitlines() if line[:1].isalpha()}
    if "parts" in keys or "doc_type" in keys:
        return PlanCatalog
    if "sections" in keys or "columns" in keys:
        return Catalog
    return None


def _inputs(cdir: Path) -> list[tuple[Path, str]]:
    """Every shared input file, with what it is: roles, kind, plan (shared body), an
    edition's file ("edition:<folder>"), or a catalog left outside any edition."""
    found = [(cdir / "roles.yaml", "roles")]
    found += [(p, "legal") for p in yaml_paths(cdir / LEGAL_DIR)]
    found += [(p, "kind") for p in yaml_paths(cdir / "kinds")]
    found += [(p, "plan") for p in yaml_paths(cdir / PLANS_DIR)]
    for folder in sorted(p for p in (cdir / EDITIONS_DIR).glob("*") if p.is_dir()):
        if not folder.name.startswith("."):
            found += [(p, f"edition:{folder.name}") for p in yaml_paths(folder)]
    found += [(p, "stray") for p in yaml_paths(cdir) if p.name != "roles.yaml"]
    return found


def open_workspace(root: Path | None = None, units_dirs: list[Path] | None = None) -> Workspace:
    """Load roles, kinds, editions and shared bodies (units on first use); collect every
    problem found."""
    root = data_root(root)
    cdir = root / "catalogs"
    if not cdir.is_dir():
        raise UserError(f"không tìm thấy thư mục catalogs trong {root}")
    inputs = _inputs(cdir)
    raws: list[bytes | UserError] = []
    for path, _ in inputs:
        try:
            raws.append(yamlfile.read(path))
        except UserError as exc:
            raws.append(exc)
    name = _cache_name(root, inputs, raws)
    shared = cache.load_object(name)
    if not isinstance(shared, dict):
        shared = _load(root, inputs, raws).shared()
        cache.store_object(name, shared)
    files = unit_files([*(units_dirs or []), *working_units(), cdir / "units"])
    return Workspace(root=root, profiles=Profiles(files), **shared)


def _load(root: Path, inputs: list[tuple[Path, str]], raws: list) -> _Loader:
    loader = _Loader(root)
    editions: dict[str, list[tuple[Path, bytes | UserError]]] = {}
    for (path, what), raw in zip(inputs, raws, strict=True):
        if what == "roles":
            loader.roles = loader.load(path, RolesFile, raw)
        elif what == "legal":
            if path.name not in LEGAL_FILES:
                message = "catalogs/legal/ chỉ có bodies.yaml và provinces.yaml"
                loader.problems.append(UserError(message, Where(path)))
            elif (loaded := loader.load(path, LEGAL_FILES[path.name], raw)) is not None:
                loader.legal[path.name] = loaded.model
        elif what == "kind":
            if (loaded := loader.load(path, Kind, raw)) is not None:
                loader.kind(loaded)
        elif what == "plan":
            if (loaded := loader.load(path, PlanCatalog, raw)) is not None:
                loader.bodies.append(loaded)
        elif what.startswith("edition:"):
            editions.setdefault(what.split(":", 1)[1], []).append((path, raw))
        else:
            message = (
                "catalog nằm ngoài một edition: mỗi kế hoạch của một tỉnh trong một năm là một "
                "thư mục catalogs/editions/<tỉnh>-<năm>/ (edition.yaml, thân kế hoạch, phụ lục); "
                "chuyển tệp vào thư mục đó (docs/editions.md)"
            )
            loader.problems.append(UserError(message, Where(path)))
    for folder, files in editions.items():
        loader.edition(root / "catalogs" / EDITIONS_DIR / folder, files)
    return loader


def _cache_name(root: Path, inputs: list, raws: list) -> str:
    """The cache entry of a data folder's shared files: their paths and bytes, and the
    source of the models they were validated with."""
    parts: list[bytes | str] = [str(root.resolve()), *model_code()]
    for (path, what), raw in zip(inputs, raws, strict=True):
        parts += [f"{path}|{what}", raw if isinstance(raw, bytes) else str(raw)]
    return f"workspace-{cache.key(*parts)}.pickle"


def with_file(ws: Workspace, path: Path) -> Workspace:
    """The workspace with one more input file kept anywhere, recognised by its content:
    a profile joins the units; any other file is checked on its own (its problems join the
    workspace's), without joining the files in use."""
    known = [*ws.catalogs.values(), *ws.kinds.values(), *ws.bodies]
    known += [e.identity for e in ws.editions.values()]
    known += [b for e in ws.editions.values() for b in e.bodies]
    if ws.roles is not None:
        known.append(ws.roles)
    if any(k.path.resolve() == path.resolve() for k in known):
        return ws  # a file of the data folder: loaded already
    doc = yamlfile.load(path)
    model = classify(doc.data)
    if model is None:
        raise UserError(
            "không nhận ra loại tệp: cần là catalog (có sections), thân kế hoạch (có "
            "parts), edition (có province, year, issuer), loại đơn vị (có id, roles), "
            "roles.yaml (chỉ có roles) hoặc hồ sơ đơn vị (có kind, plan)",
            doc.where(),
        )
    if model is Unit:
        return ws.with_profile_file(path)
    loader = _Loader(ws.root)
    loaded = loader.load(path, model, yamlfile.read(path))
    strays = ws.strays + ((loaded,) if loaded is not None else ())
    return replace(ws, problems=ws.problems + tuple(loader.problems), strays=strays)
