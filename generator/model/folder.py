"""The data folder, loaded: roles, kinds, editions (catalogs and plan bodies), the shared
plan body of the units below a province, and unit profiles.

The data root holds ``catalogs/`` (``roles.yaml``, ``kinds/``, ``editions/<province>-<year>/``,
``plans/``, ``units/``) and ``templates/``. It is, in order: ``--data DIR``,
``$PLANGEN_DATA``, the working folder when it is a data folder (it has
``catalogs/roles.yaml`` and ``templates/``; one without the other is an error, never a
silent fallback), the source checkout this package sits in, or the copy packed into an
installed wheel. Opening one is model/workspace.py.

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
from functools import cached_property
from pathlib import Path

from generator.core import cache
from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.frozen import FrozenDict
from generator.core.text import slugify, unknown
from generator.model import yamlfile
from generator.model.body import PlanCatalog, serves
from generator.model.catalog import RolesFile
from generator.model.edition import EditionFile
from generator.model.kinds import KindView
from generator.model.legal import Legal
from generator.model.unit import Unit
from generator.model.validation import Loaded, load_file

PACKAGE = Path(__file__).resolve().parent.parent  # the generator package
MODEL_DIR = Path(__file__).resolve().parent
PLANS_DIR = "plans"  # under catalogs/: the shared plan bodies
EDITIONS_DIR = "editions"  # under catalogs/: one folder per province and year


def data_root(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    if os.environ.get("PLANGEN_DATA"):
        return Path(os.environ["PLANGEN_DATA"])
    here = [(Path("catalogs") / "roles.yaml").is_file(), Path("templates").is_dir()]
    if all(here):
        return Path.cwd()  # run inside a data folder (a clone, or a copy of one)
    if any(here):  # a data folder with a part missing: never the bundled data instead
        missing = "templates/" if here[0] else "catalogs/roles.yaml"
        raise UserError(
            f"thư mục làm việc là một thư mục dữ liệu chưa đủ: thiếu {missing} (đặt lại phần "
            "thiếu, hoặc chạy ở thư mục khác để dùng dữ liệu đi kèm plangen)",
            Where(Path.cwd()),
        )
    checkout = PACKAGE.parent
    if (checkout / "catalogs").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    return PACKAGE / "data"


def model_code() -> list[str]:
    """The source files of the models (a cached model is only as good as its class)."""
    return cache.sources(*MODEL_DIR.glob("*.py"))


def load_unit(path: Path) -> Loaded[Unit]:
    """A unit profile, from plangen's cache when its bytes were validated before."""
    raw = yamlfile.read(path)
    name = f"unit-{cache.key(str(path.resolve()), raw, *model_code())}.pickle"
    loaded = cache.load_object(name)
    if not isinstance(loaded, Loaded):
        loaded = load_file(path, Unit, raw)
        cache.store_object(name, loaded)
    return loaded


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
class Edition:
    """One province's plan of one year: its identity, its appendix catalogs, its body."""

    id: str  # the folder's name: "lang-son-2026"
    folder: Path
    identity: Loaded[EditionFile]
    catalogs: FrozenDict  # catalog id -> Loaded[Catalog], its appendices
    bodies: tuple[Loaded[PlanCatalog], ...] = ()  # the province's own plan body

    @property
    def year(self) -> int:
        return self.identity.model.year

    @property
    def province(self) -> str:
        """'Lạng Sơn'."""
        return self.identity.model.province

    @property
    def province_id(self) -> str:
        """'lang-son': what a unit profile writes as its `province`."""
        return slugify(self.identity.model.province)


@dataclass(frozen=True)
class Workspace:
    root: Path
    roles: Loaded[RolesFile] | None = None
    editions: FrozenDict = field(default_factory=FrozenDict)  # id -> Edition
    bodies: tuple[Loaded[PlanCatalog], ...] = ()  # catalogs/plans/*.yaml, shared
    kinds: FrozenDict = field(default_factory=FrozenDict)  # id -> Loaded[Kind]
    problems: tuple[UserError, ...] = ()
    legal: Legal = field(default_factory=Legal)  # catalogs/legal/: abolished bodies, provinces
    strays: tuple[Loaded, ...] = ()  # files kept elsewhere, given to validate: checked alone
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
    def editions_dir(self) -> Path:
        return self.catalog_dir / EDITIONS_DIR

    @property
    def template(self) -> Path:
        return self.root / "templates" / "appendix.docx"

    @property
    def plan_template(self) -> Path:
        return self.root / "templates" / "ke-hoach.docx"

    @property
    def unit_files(self) -> FrozenDict:
        return self.profiles.files

    @cached_property
    def catalogs(self) -> FrozenDict:
        """Every appendix catalog of every edition, by id (ids are unique in a data folder)."""
        return FrozenDict({k: v for e in self.editions.values() for k, v in e.catalogs.items()})

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

    # -- editions and plan bodies
    def edition(self, edition_id: str, where: Where | None = None) -> Edition:
        if edition_id not in self.editions:
            message = f'không có edition "{edition_id}"'
            raise unknown(message, edition_id, self.editions, where, "có")
        return self.editions[edition_id]

    def body_for(self, edition: Edition, kind: KindView) -> Loaded[PlanCatalog] | None:
        """The plan body a unit of `kind` signs in `edition`: the edition's own, else the
        shared body of the units below a province; None when the data folder has none."""
        own = [b for b in edition.bodies if serves(b.model, kind.chain)]
        shared = [
            b
            for b in self.bodies
            if serves(b.model, kind.chain) and b.model.year in (None, edition.year)
        ]
        found = own or shared
        if len(found) > 1:
            raise same_kind(found)
        if found:
            return found[0]
        broken = [p for p in self.problems if p.where.path and _under(p.where.path, edition)]
        if broken:  # the body may be the file that did not load
            raise ValidationFailed(broken)
        return None

    # -- variants
    def with_unit(self, slug: str, loaded: Loaded[Unit]) -> Workspace:
        """The workspace in which `slug`'s profile is `loaded` (an unsaved profile, to check
        and preview it); everything else is shared."""
        return replace(self, profiles=self.profiles.with_profile(slug, loaded))

    def with_profile_file(self, path: Path) -> Workspace:
        """The workspace with one more unit profile, kept anywhere."""
        return replace(self, profiles=self.profiles.with_profile(path.stem, None, path))


def _under(path: Path, edition: Edition) -> bool:
    return path.parent == edition.folder or path.parent.name == PLANS_DIR


def same_kind(bodies: list[Loaded[PlanCatalog]]) -> UserError:
    first, *others = bodies
    return UserError(
        "hai thân kế hoạch cho cùng loại đơn vị và năm: "
        + ", ".join(o.path.name for o in [first, *others])
        + '; ghi "kinds" để mỗi thân kế hoạch dùng cho các loại khác nhau, hoặc chuyển bản cũ '
        "ra khỏi thư mục",
        others[-1].where("kinds"),
    )
