"""Find and load the input files; turn every pydantic error into file:line:col.

The data root holds ``catalogs/`` (catalogs, ``roles.yaml``, ``kinds/``, ``units/``) and
``templates/``. It is, in order: ``--data DIR``, ``$PLANGEN_DATA``, the working folder when
it is a data folder (it has ``catalogs/roles.yaml``), the source checkout this package sits
in, or the copy packed into an installed wheel.
"""

from __future__ import annotations

import os
import types
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.text import did_you_mean
from generator.model import yamlfile
from generator.model.models import Catalog, Kind, RolesFile, Unit

if TYPE_CHECKING:
    from generator.model.kinds import KindView

M = TypeVar("M", bound=BaseModel)
PACKAGE = Path(__file__).resolve().parent.parent  # the generator package


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


@dataclass
class Loaded(Generic[M]):
    model: M
    doc: yamlfile.YamlDoc

    @property
    def path(self) -> Path:
        return self.doc.path

    def where(self, *loc: str | int) -> Where:
        return self.doc.where(loc)

    @property
    def digest(self) -> str:
        return self.doc.digest


# --------------------------------------------------------------------------- errors


_TYPE_NAMES = {
    "string_type": "một chuỗi văn bản",
    "int_type": "một số nguyên",
    "int_parsing": "một số nguyên",
    "int_from_float": "một số nguyên",
    "float_type": "một số",
    "float_parsing": "một số",
    "bool_type": "true hoặc false",
    "bool_parsing": "true hoặc false",
    "list_type": "một danh sách (các dòng '- …')",
    "dict_type": "một bảng khóa: giá trị",
    "model_type": "một bảng khóa: giá trị",
}


def _unwrap(annotation: Any) -> list[Any]:
    """The classes an annotation may hold (through Optional, list, dict, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [c for a in typing.get_args(annotation) for c in _unwrap(a)]
    if origin in (list, dict):
        return [("container", a) for a in typing.get_args(annotation)[-1:]]
    return [annotation]


def allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed in the mapping at `loc` below `model` (for did-you-mean)."""
    current: list[Any] = [model]
    for part in loc:
        nxt: list[Any] = []
        for item in current:
            if isinstance(item, tuple):  # inside a list or dict: this part is index/key
                nxt += _unwrap(item[1])
            elif (
                isinstance(item, type) and issubclass(item, BaseModel) and part in item.model_fields
            ):
                nxt += _unwrap(item.model_fields[part].annotation)
        current = nxt
    return [
        k
        for c in current
        if isinstance(c, type) and issubclass(c, BaseModel)
        for k in c.model_fields
    ]


def _message(err: dict, model: type[BaseModel]) -> str:
    kind, loc = err["type"], err["loc"]
    last = loc[-1] if loc else ""
    if kind == "missing":
        return f'thiếu khóa bắt buộc "{last}"'
    if kind == "extra_forbidden":
        return f'khóa "{last}" không hợp lệ' + did_you_mean(
            str(last), allowed_keys(model, loc[:-1])
        )
    if kind in _TYPE_NAMES:
        return f'"{last}" phải là {_TYPE_NAMES[kind]}'
    if kind == "literal_error":
        expected = str(err["ctx"]["expected"]).replace("'", '"').replace(" or ", " hoặc ")
        return f'"{last}" phải là một trong: {expected}'
    if kind == "finite_number":
        return f'"{last}" phải là một số hữu hạn'
    if kind == "string_pattern_mismatch":
        return (
            f'"{err["input"]}" không hợp lệ: chỉ dùng chữ thường không dấu, số và "-" '
            f'(hoặc "_" với tên vai trò)'
        )
    if kind == "too_short":
        return f'"{last}" cần ít nhất {err["ctx"]["min_length"]} phần tử'
    bounds = {
        "greater_than": "lớn hơn",
        "greater_than_equal": "từ",
        "less_than": "nhỏ hơn",
        "less_than_equal": "không quá",
    }
    if kind in bounds:
        limit = next(iter((err.get("ctx") or {}).values()), "")
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return f'"{last}" ngoài khoảng cho phép (phải {bounds[kind]} {limit})'
    if kind == "value_error":
        return f'"{last}": {err["ctx"]["error"]}' if last else str(err["ctx"]["error"])
    return f'"{last}": {err["msg"]}'


def validate_doc(doc: yamlfile.YamlDoc, model: type[M]) -> M:
    """Validate parsed data; all problems of the file at once, as a ValidationFailed."""
    if not isinstance(doc.data, dict):
        raise UserError(
            "tệp phải là một bảng khóa: giá trị (đang trống hoặc sai dạng)", doc.where()
        )
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        problems: dict[tuple, UserError] = {}
        wanted: dict[tuple, list[str]] = {}  # a value matching none of a union's types
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not _union_member(p))
            err = {**err, "loc": loc}
            if err["type"] in _TYPE_NAMES and loc in wanted:
                wanted[loc].append(_TYPE_NAMES[err["type"]])
                name = " hoặc ".join(dict.fromkeys(wanted[loc]))
                message = f'"{loc[-1] if loc else ""}" phải là {name}'
            else:
                if err["type"] in _TYPE_NAMES:
                    wanted[loc] = [_TYPE_NAMES[err["type"]]]
                message = _message(err, model)
                if loc in problems:  # another member's complaint about the same value
                    continue
            owner = _owner(doc.data, loc)
            if owner:
                message += f' (mục "{owner}")'
            problems[loc] = UserError(message, doc.where(loc))
        raise ValidationFailed(list(problems.values())) from None


def _union_member(part: Any) -> bool:
    """pydantic names a union's member in an error's location ("str", "int",
    "function-after[…]"): not a key of the user's file."""
    return isinstance(part, str) and (
        part in ("str", "int", "float", "bool", "none", "list", "dict")
        or "[" in part
        or part.startswith("function-")
    )


def _owner(data: Any, loc: tuple) -> str | None:
    """The id of the innermost task or section that `loc` lies in."""
    owner = None
    for part in loc:
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            owner = data["id"]
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            break
    return owner


def load_file(path: Path, model: type[M]) -> Loaded[M]:
    doc = yamlfile.load(path)
    loaded = Loaded(validate_doc(doc, model), doc)
    if isinstance(loaded.model, Catalog):
        _index_tasks(loaded)
    return loaded


def _index_tasks(loaded: Loaded[Catalog]) -> None:
    """Remember the line of every task so later errors can point at it."""

    def walk(sections, loc):
        for i, section in enumerate(sections):
            for j, task in enumerate(section.tasks):
                task._line = loaded.doc.where((*loc, i, "tasks", j)).line
            walk(section.sections, (*loc, i, "sections"))

    walk(loaded.model.sections, ("sections",))


# --------------------------------------------------------------------------- workspace


@dataclass
class Workspace:
    root: Path
    roles: Loaded[RolesFile] | None = None
    catalogs: dict[str, Loaded[Catalog]] = field(default_factory=dict)
    kinds: dict[str, Loaded[Kind]] = field(default_factory=dict)
    units: dict[str, Loaded[Unit]] = field(default_factory=dict)
    unit_files: dict[str, Path] = field(default_factory=dict)
    problems: list[UserError] = field(default_factory=list)
    _views: dict[str, KindView] = field(default_factory=dict, repr=False)

    @property
    def catalog_dir(self) -> Path:
        return self.root / "catalogs"

    @property
    def template(self) -> Path:
        return self.root / "templates" / "appendix.docx"

    def keep(self, table: dict, loaded: Loaded, what: str) -> None:
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

    def _try(self, path: Path, model: type[M]) -> Loaded[M] | None:
        try:
            return load_file(path, model)
        except ValidationFailed as exc:
            self.problems += exc.problems
        except UserError as exc:
            self.problems.append(exc)
        return None

    def with_unit(self, slug: str, loaded: Loaded[Unit]) -> Workspace:
        """A copy of the workspace in which `slug`'s profile is `loaded` (an unsaved profile,
        to check and preview it); the catalogs and kinds are shared, not copied."""
        return replace(
            self,
            units={**self.units, slug: loaded},
            unit_files=dict(self.unit_files),
            problems=list(self.problems),
            _views=dict(self._views),
        )

    def add_file(self, path: Path) -> None:
        """Take in one more input file kept anywhere, recognised by its content."""
        known = [*self.catalogs.values(), *self.kinds.values()]
        if self.roles is not None:
            known.append(self.roles)
        if any(k.path.resolve() == path.resolve() for k in known):
            return  # a file of the data folder: loaded already
        doc = yamlfile.load(path)
        model = classify(doc.data)
        if model is None:
            raise UserError(
                "không nhận ra loại tệp: cần là catalog (có sections), thân kế hoạch (có "
                "parts), loại đơn vị (có id, roles), roles.yaml (chỉ có roles) hoặc hồ sơ "
                "đơn vị (có kind, plan)",
                doc.where(),
            )
        if model.__name__ == "PlanCatalog":  # checked with the plan body (plan.validate_plan)
            from generator.resolve.plan import load_plan_catalog

            try:
                load_plan_catalog(path)
            except ValidationFailed as exc:
                self.problems += exc.problems
            except UserError as exc:
                self.problems.append(exc)
            return
        if model is Unit:
            self.unit_files[path.stem] = path
            self.units.pop(path.stem, None)
            return
        loaded = self._try(path, model)
        if loaded is None:
            return
        if model is Catalog:
            self.keep(self.catalogs, loaded, "catalog")
        elif model is Kind:
            self.keep(self.kinds, loaded, "loại đơn vị")
            self._views.clear()
        else:
            self.roles = loaded

    def unit(self, slug: str) -> Loaded[Unit]:
        """The profile of `slug`, loaded on first use; unknown slugs get a did-you-mean."""
        if slug not in self.unit_files:
            raise UserError(
                f'không có đơn vị "{slug}"'
                + did_you_mean(slug, self.unit_files)
                + "; các đơn vị hiện có: "
                + ", ".join(sorted(self.unit_files))
            )
        if slug not in self.units:
            loaded = load_file(self.unit_files[slug], Unit)
            self.units[slug] = loaded
        return self.units[slug]

    def kind(self, kind_id: str, where: Where | None = None) -> KindView:
        """The kind merged along its chain of bases (see kinds.py)."""
        from generator.model.kinds import kind_view

        if kind_id not in self.kinds:
            raise UserError(
                f'loại đơn vị "{kind_id}" không tồn tại'
                + did_you_mean(kind_id, self.kinds)
                + "; có: "
                + ", ".join(sorted(k for k, v in self.kinds.items() if not v.model.abstract)),
                where,
            )
        if kind_id not in self._views:
            self._views[kind_id] = kind_view(self.kinds, kind_id)
        return self._views[kind_id]

    def kind_of(self, slug: str) -> KindView:
        unit = self.unit(slug)
        kind = self.kind(unit.model.kind, unit.where("kind"))
        kind.refuse_if_abstract(unit.where("kind"))
        return kind


def classify(data: Any) -> type[BaseModel] | None:
    """Which input a parsed YAML file is, by its keys: a catalog, a kind, the roles, a unit."""
    if not isinstance(data, dict):
        return None
    keys = set(data)
    if "parts" in keys or "doc_type" in keys:
        from generator.resolve.plan import PlanCatalog

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


def unit_files(dirs: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in dirs:
        for path in yaml_files(d):
            found.setdefault(path.stem, path)
    return found


def yaml_files(folder: Path) -> list[Path]:
    """The YAML files of a folder, in name order; hidden files (an editor's lock or backup,
    ".#x.yaml", "._x.yaml") are not data."""
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("."))


def open_workspace(root: Path | None = None, units_dirs: list[Path] | None = None) -> Workspace:
    """Load roles, kinds and catalogs (units lazily); collect every problem found."""
    ws = Workspace(data_root(root))
    cdir = ws.catalog_dir
    if not cdir.is_dir():
        raise UserError(f"không tìm thấy thư mục catalogs trong {ws.root}")
    ws.roles = ws._try(cdir / "roles.yaml", RolesFile)
    for path in yaml_files(cdir / "kinds"):
        loaded = ws._try(path, Kind)
        if loaded:
            ws.keep(ws.kinds, loaded, "loại đơn vị")
    for path in yaml_files(cdir):
        if path.name == "roles.yaml":
            continue
        loaded = ws._try(path, Catalog)
        if loaded:
            ws.keep(ws.catalogs, loaded, "catalog")
    ws.unit_files = unit_files([*(units_dirs or []), *working_units(), cdir / "units"])
    return ws


def working_units() -> list[Path]:
    """`units/` of the working folder, where `new-unit` puts profiles when plangen runs
    from an installed copy (never inside the installed package)."""
    here = Path("units")
    return [here] if here.is_dir() else []
