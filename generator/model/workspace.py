"""The data folder, loaded: roles, kinds, task catalogs, plan bodies and unit profiles.

The data root holds ``catalogs/`` (catalogs, ``roles.yaml``, ``kinds/``, ``plans/``,
``units/``) and ``templates/``. It is, in order: ``--data DIR``, ``$PLANGEN_DATA``, the
working folder when it is a data folder (it has ``catalogs/roles.yaml``), the source
checkout this package sits in, or the copy packed into an installed wheel.

A `Workspace` is immutable and safe to share between threads: everything shared is loaded
when it is opened (a file that fails is one of `problems`, the others load), and unit
profiles are loaded on first use through a locked memo (`Profiles`), each profile once.
Variants of a workspace (an unsaved profile to preview, one more file to validate) are new
workspaces sharing the loaded files.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.core import cache
from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.frozen import FrozenDict
from generator.core.text import unknown
from generator.model import yamlfile
from generator.model.body import PlanCatalog, load_body
from generator.model.catalog import Catalog, RolesFile
from generator.model.kinds import KindView, kind_view
from generator.model.unit import Kind, Unit
from generator.model.validation import Loaded, load_file

PACKAGE = Path(__file__).resolve().parent.parent  # the generator package
MODEL_DIR = Path(__file__).resolve().parent
PLANS_DIR = "plans"  # under catalogs/: the plan bodies, not task catalogs


def data_root(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    if os.environ.get("PLANGEN_DATA"):
        return Path(os.environ["PLANGEN_DATA"])
    if (Path("catalogs") / "roles.yaml").is_file() and Path("templates").is_dir():
        return Path.cwd()  # run inside a data folder (a clone, or a copy of one)
    checkout = PACKAGE.parent
    if (checkout / "catalogs").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    return PACKAGE / "data"


def load_unit(path: Path) -> Loaded[Unit]:
    """A unit profile, from plangen's cache when its bytes were validated before."""
    raw = yamlfile.read(path)
    name = f"unit-{cache.key(str(path.resolve()), raw, *_model_code())}.pickle"
    loaded = cache.load_object(name)
    if not isinstance(loaded, Loaded):
        loaded = load_file(path, Unit, raw)
        cache.store_object(name, loaded)
    return loaded


def _model_code() -> list[str]:
    """The source files of the models (a cached model is only as good as its class)."""
    return sorted(
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in MODEL_DIR.glob("*.py")
    )


class Profiles:
    """Unit profiles by slug, each loaded once on first use (thread-safe); a profile that
    fails is not kept, so its error is said each time it is asked for."""

    def __init__(self, files: dict[str, Path], loaded: dict[str, Loaded[Unit]] | None = None):
        self.files = FrozenDict(files)
        self._loaded: dict[str, Loaded[Unit]] = dict(loaded or {})
        self._lock = threading.Lock()

    def get(self, slug: str) -> Loaded[Unit]:
        with self._lock:
            if slug in self._loaded:
                return self._loaded[slug]
        loaded = load_unit(self.files[slug])
        with self._lock:
            return self._loaded.setdefault(slug, loaded)

    def loaded(self) -> dict[str, Loaded[Unit]]:
        with self._lock:
            return dict(self._loaded)

    def with_profile(self, slug: str, loaded: Loaded[Unit] | None, path: Path | None = None):
        """A copy in which `slug` is `loaded` (or, with `path`, a profile file to load)."""
        files = dict(self.files)
        known = self.loaded()
        if path is not None:
            files[slug] = path
            known.pop(slug, None)
        if loaded is not None:
            files.setdefault(slug, loaded.path)
            known[slug] = loaded
        return Profiles(files, known)


@dataclass(frozen=True)
class Workspace:
    root: Path
    roles: Loaded[RolesFile] | None = None
    catalogs: FrozenDict = field(default_factory=FrozenDict)  # id -> Loaded[Catalog]
    bodies: tuple[Loaded[PlanCatalog], ...] = ()  # catalogs/plans/*.yaml
    kinds: FrozenDict = field(default_factory=FrozenDict)  # id -> Loaded[Kind]
    problems: tuple[UserError, ...] = ()
    profiles: Profiles = field(default_factory=lambda: Profiles({}))
    _views: FrozenDict = field(default_factory=FrozenDict, repr=False)  # id -> view or error

    # -- where things are
    @property
    def catalog_dir(self) -> Path:
        return self.root / "catalogs"

    @property
    def plans_dir(self) -> Path:
        return self.catalog_dir / PLANS_DIR

    @property
    def template(self) -> Path:
        return self.root / "templates" / "appendix.docx"

    @property
    def plan_template(self) -> Path:
        return self.root / "templates" / "ke-hoach.docx"

    @property
    def unit_files(self) -> FrozenDict:
        return self.profiles.files

    # -- units and kinds
    def unit(self, slug: str) -> Loaded[Unit]:
        """The profile of `slug`, loaded on first use; unknown slugs get a did-you-mean."""
        if slug not in self.unit_files:
            message = f'không có đơn vị "{slug}"'
            raise unknown(message, slug, self.unit_files, None, "các đơn vị hiện có")
        return self.profiles.get(slug)

    def loaded_units(self) -> dict[str, Loaded[Unit]]:
        """The profiles loaded so far (those that loaded without a problem)."""
        return self.profiles.loaded()

    def kind(self, kind_id: str, where: Where | None = None) -> KindView:
        """The kind merged along its chain of bases (see kinds.py)."""
        if kind_id not in self.kinds:
            usable = [k for k, v in self.kinds.items() if not v.model.abstract]
            message = f'loại đơn vị "{kind_id}" không tồn tại'
            raise unknown(message, kind_id, self.kinds, where, "có", shown=usable)
        view = self._views[kind_id]
        if isinstance(view, UserError):
            raise view
        return view

    def kind_of(self, slug: str) -> KindView:
        unit = self.unit(slug)
        kind = self.kind(unit.model.kind, unit.where("kind"))
        kind.refuse_if_abstract(unit.where("kind"))
        return kind

    # -- the plan body
    def body(self, year: int) -> Loaded[PlanCatalog]:
        """The plan body of `year` in catalogs/plans/."""
        matching = [b for b in self.bodies if b.model.year == year]
        if len(matching) > 1:
            raise same_year(matching)
        if matching:
            return matching[0]
        broken = [
            p for p in self.problems if p.where.path and p.where.path.parent == self.plans_dir
        ]
        if broken:  # the year's body may be the file that did not load
            raise ValidationFailed(broken)
        found = [f"{b.path.name} ({b.model.year})" for b in self.bodies]
        raise UserError(
            f"không có catalog thân kế hoạch năm {year} trong {self.plans_dir}"
            + (f"; có: {', '.join(found)}" if found else "")
        )

    @property
    def has_body(self) -> bool:
        """Whether the data folder has a plan body at all (without one, only appendices)."""
        folder = self.plans_dir
        return folder.is_dir() and any(yamlfile_paths(folder))

    # -- variants
    def with_unit(self, slug: str, loaded: Loaded[Unit]) -> Workspace:
        """The workspace in which `slug`'s profile is `loaded` (an unsaved profile, to check
        and preview it); everything else is shared."""
        return replace(self, profiles=self.profiles.with_profile(slug, loaded))

    def with_file(self, path: Path) -> Workspace:
        """The workspace with one more input file kept anywhere, recognised by its content."""
        known = [*self.catalogs.values(), *self.kinds.values(), *self.bodies]
        if self.roles is not None:
            known.append(self.roles)
        if any(k.path.resolve() == path.resolve() for k in known):
            return self  # a file of the data folder: loaded already
        doc = yamlfile.load(path)
        model = classify(doc.data)
        if model is None:
            raise UserError(
                "không nhận ra loại tệp: cần là catalog (có sections), thân kế hoạch (có "
                "parts), loại đơn vị (có id, roles), roles.yaml (chỉ có roles) hoặc hồ sơ "
                "đơn vị (có kind, plan)",
                doc.where(),
            )
        if model is Unit:
            return replace(self, profiles=self.profiles.with_profile(path.stem, None, path))
        if model is PlanCatalog:  # checked on its own: it does not join the bodies in use
            try:
                load_body(path)
            except UserError as exc:
                return replace(self, problems=self.problems + tuple(exc.problems))
            return self
        loader = _Loader(self.root)
        loader.__dict__.update(
            roles=self.roles,
            catalogs=dict(self.catalogs),
            kinds=dict(self.kinds),
            bodies=list(self.bodies),
            problems=list(self.problems),
        )
        loader.load(path, model)
        return loader.workspace(self.profiles)


def same_year(bodies: list[Loaded[PlanCatalog]]) -> UserError:
    first, *others = bodies
    return UserError(
        f"hai catalog thân kế hoạch cùng năm {first.model.year}: "
        + ", ".join(o.path.name for o in [first, *others])
        + "; mỗi năm chỉ một thân kế hoạch: chuyển bản cũ ra khỏi thư mục",
        others[-1].where("year"),
    )


def classify(data: Any) -> type[BaseModel] | None:
    """Which input a parsed YAML file is, by its keys: a catalog, a kind, the roles, a unit."""
    if not isinstance(data, dict):
        return None
    keys = set(data)
    if "parts" in keys or "doc_type" in keys:
        return PlanCatalog
    if "sections" in keys or "columns" in keys:
        return Catalog
    if "plan" in keys or ("kind" in keys and "id" not in keys):
        return Unit
    if keys == {"roles"}:
        return RolesFile
    if "id" in keys and ("roles" in keys or "base" in keys or "name" in keys):
        return Kind
    return None


def yamlfile_paths(folder: Path) -> list[Path]:
    """The YAML files of a folder, in name order; hidden files (an editor's lock or backup,
    ".#x.yaml", "._x.yaml") are not data."""
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("."))


def unit_files(dirs: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in dirs:
        for path in yamlfile_paths(d):
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
        self.catalogs: dict[str, Loaded[Catalog]] = {}
        self.kinds: dict[str, Loaded[Kind]] = {}
        self.bodies: list[Loaded[PlanCatalog]] = []
        self.problems: list[UserError] = []

    def load(self, path: Path, model: type[BaseModel], raw: bytes | None = None) -> None:
        try:
            if model is PlanCatalog:
                loaded = load_body(path, raw)
            else:
                loaded = load_file(path, model, raw)
        except UserError as exc:
            self.problems += exc.problems
            return
        if model is Catalog:
            self._keep(self.catalogs, loaded, "catalog")
        elif model is Kind:
            self._keep(self.kinds, loaded, "loại đơn vị")
        elif model is PlanCatalog:
            self.bodies.append(loaded)
        else:
            self.roles = loaded

    def _keep(self, table: dict, loaded: Loaded, what: str) -> None:
        """Add a loaded catalog or kind under its id; a second file with the same id is a
        problem (it would silently replace the first)."""
        ident = loaded.model.id
        if ident in table:
            self.problems.append(
                UserError(
                    f'mã {what} "{ident}" bị trùng với {table[ident].path.name}',
                    loaded.where("id"),
                )
            )
            return
        table[ident] = loaded

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
            "catalogs": FrozenDict(self.catalogs),
            "bodies": tuple(self.bodies),
            "kinds": FrozenDict(self.kinds),
            "problems": tuple(self.problems),
            "_views": FrozenDict(views),
        }

    def workspace(self, profiles: Profiles) -> Workspace:
        return Workspace(root=self.root, profiles=profiles, **self.shared())


def open_workspace(root: Path | None = None, units_dirs: list[Path] | None = None) -> Workspace:
    """Load roles, kinds, catalogs and plan bodies (units on first use); collect every
    problem found. The shared files are kept in plangen's cache, keyed by their bytes: an
    unchanged data folder is not parsed and validated again (core/cache.py)."""
    root = data_root(root)
    cdir = root / "catalogs"
    if not cdir.is_dir():
        raise UserError(f"không tìm thấy thư mục catalogs trong {root}")
    inputs: list[tuple[Path, type[BaseModel]]] = [(cdir / "roles.yaml", RolesFile)]
    inputs += [(p, Kind) for p in yamlfile_paths(cdir / "kinds")]
    inputs += [(p, Catalog) for p in yamlfile_paths(cdir) if p.name != "roles.yaml"]
    inputs += [(p, PlanCatalog) for p in yamlfile_paths(cdir / PLANS_DIR)]
    files = unit_files([*(units_dirs or []), *working_units(), cdir / "units"])
    raws: list[bytes | UserError] = []
    for path, _ in inputs:
        try:
            raws.append(yamlfile.read(path))
        except UserError as exc:
            raws.append(exc)
    name = _cache_name(root, inputs, raws)
    shared = cache.load_object(name)
    if not isinstance(shared, dict):
        loader = _Loader(root)
        for (path, model), raw in zip(inputs, raws, strict=True):
            if isinstance(raw, UserError):
                loader.problems.append(raw)
            else:
                loader.load(path, model, raw)
        shared = loader.shared()
        cache.store_object(name, shared)
    return Workspace(root=root, profiles=Profiles(files), **shared)


def _cache_name(root: Path, inputs: list, raws: list) -> str:
    """The cache entry of a data folder's shared files: their paths and bytes, and the
    source of the models they were validated with."""
    parts: list[bytes | str] = [str(root.resolve()), *_model_code()]
    for (path, model), raw in zip(inputs, raws, strict=True):
        parts += [f"{path}|{model.__name__}", raw if isinstance(raw, bytes) else str(raw)]
    return f"workspace-{cache.key(*parts)}.pickle"
